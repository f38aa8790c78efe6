//! Rendering for the terminal: search responses and suggestions as text.

use yuesou::{SearchResponse, Suggestion};

/// Prints a search response: the correction and location used, the
/// message, the hits (with their score factors when explained) and the
/// groups by category.
pub fn search_response(response: &SearchResponse) -> anyhow::Result<()> {
    if let Some(c) = &response.correction {
        println!(
            "showing results for {:?} (typed {:?}; --as-typed searches it as typed)",
            c.corrected, c.original
        );
    }
    if let Some(location) = &response.location {
        println!(
            "location: {} ({:?}{})",
            location.name,
            location.source,
            if location.outside {
                ", outside Guangdong"
            } else {
                ""
            }
        );
    }
    if let Some(message) = &response.message {
        println!("{message}");
    }
    println!(
        "{} results ({} items){}",
        response.total,
        response.total_items,
        if response.relaxed {
            " (partial matches)"
        } else {
            ""
        }
    );
    for (n, hit) in response.hits.iter().enumerate() {
        println!(
            "{:>3}. {}  [{} / {}]  {}  {}  ({:.3})",
            (response.page - 1) * response.size + n + 1,
            hit.title,
            hit.category,
            hit.theme,
            hit.region_name,
            hit.id,
            hit.score
        );
        if hit.variant_count > 1 {
            println!("     {} 个地区可办", hit.variant_count);
        }
        if let Some(e) = &hit.explain {
            println!("     {}", serde_json::to_string(e)?);
        }
    }
    if !response.groups.is_empty() {
        let groups: Vec<String> = response
            .groups
            .iter()
            .map(|g| format!("{} {}", g.category, g.count))
            .collect();
        println!("by category: {}", groups.join(" · "));
    }
    Ok(())
}

/// Prints suggestions, one a line: text, kind, how it matched, item id.
pub fn suggestions(suggestions: Vec<Suggestion>) {
    for s in suggestions {
        println!(
            "{}\t{:?}\t{:?}\t{}",
            s.text,
            s.kind,
            s.matched,
            s.id.unwrap_or_default()
        );
    }
}
