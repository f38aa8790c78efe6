//! Embedding the engine: open it over the bundled data and search.
//!
//! ```sh
//! cargo run --release --example search -- 港澳证续签
//! ```

use yuesou::{Engine, EngineOptions, Filters, Resources, SearchRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let query = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "社保卡补换".to_string());

    // An in-memory index over the bundled catalogue; `with_index_dir` would
    // persist it and reuse it on the next start.
    let engine = Engine::open(&EngineOptions::new(Resources::bundled(
        &yuesou::bundled_root(),
    )))?;

    let response = engine.search(&SearchRequest::new(&query).explain(true))?;
    println!("{query}: {} results", response.total);
    for hit in &response.hits {
        println!(
            "  {:.3}  {}  {}  [{}]",
            hit.score, hit.title_highlight, hit.region_name, hit.id
        );
    }
    for group in &response.groups {
        println!("  {} ×{}", group.category, group.count);
    }

    // The same query narrowed to one city and to services done online.
    let filtered = SearchRequest::new(&query).filters(Filters {
        region: Some("深圳".into()),
        online: Some(true),
        ..Filters::default()
    });
    if let Some(hit) = engine.search(&filtered)?.hits.first() {
        let item = engine.item(&hit.id).expect("hits refer to catalogue items");
        println!(
            "in 深圳, online: {} — steps: {}",
            item.title,
            item.steps.join(" → ")
        );
    }
    Ok(())
}
