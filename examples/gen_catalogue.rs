//! Writes a synthetic catalogue of any size as JSON Lines, grown from the
//! bundled one (see `yuesou_core::synthetic`), for scale tests:
//!
//! ```sh
//! cargo run --release --example gen_catalogue -- 1000000 > /tmp/items-1m.jsonl
//! cargo run --release -- index build --catalogue /tmp/items-1m.jsonl
//! ```

use std::io::Write;

use yuesou::{Catalogue, Gazetteer, Resources, synthetic};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 1_000_000,
    };
    let seed: u64 = match std::env::args().nth(2) {
        Some(s) => s.parse()?,
        None => 2026,
    };
    let resources = Resources::bundled(&yuesou::bundled_root());
    let gazetteer = Gazetteer::load_with_towns(&resources.divisions, &resources.towns)?;
    let base = Catalogue::load(&resources.catalogue, &gazetteer)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for item in synthetic::generate(base.items(), &gazetteer, count, seed) {
        serde_json::to_writer(&mut out, &item)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
