//! The subcommands: `index build`, `search`, `suggest` (one-shot, over an
//! engine opened for the command) and `serve` (the daemon).

mod serve;

use std::path::{Path, PathBuf};

use yuesou::server::Config;

use crate::cli::{Command, IndexCommand};
use crate::open::open_engine;
use crate::render;

pub use serve::serve;

/// Runs a one-shot command over the data under `root`.
pub fn run(command: Command, root: &Path, config: &Config) -> anyhow::Result<()> {
    let data_dir = &config.data_dir;
    let catalogue = |arg: Option<PathBuf>| arg.or_else(|| config.catalogue.clone());
    match command {
        Command::Index {
            command: IndexCommand::Build(args),
        } => {
            let engine = open_engine(root, data_dir, catalogue(args.catalogue))?;
            println!(
                "{} index for {} items in {} ({})",
                if engine.reused_index() {
                    "reused"
                } else {
                    "built"
                },
                engine.catalogue().len(),
                data_dir.join("index").join(engine.fingerprint()).display(),
                engine.fingerprint()
            );
        }
        Command::Search(args) => {
            let engine = open_engine(root, data_dir, catalogue(args.catalogue.catalogue.clone()))?;
            let mut response = engine.search(&args.request())?;
            // The message in Chinese, from the bundled message files.
            if let Some(text) = &response.message_text {
                let messages = yuesou_server::i18n::Messages::load(&root.join("data/messages"))?;
                response.message = Some(messages.render(yuesou_server::i18n::Lang::ZhCn, text));
            }
            if args.json {
                println!("{}", serde_json::to_string_pretty(&response)?);
            } else {
                render::search_response(&response)?;
            }
        }
        Command::Suggest { prefix, size } => {
            let engine = open_engine(root, data_dir, catalogue(None))?;
            render::suggestions(engine.suggest(&prefix, size));
        }
        Command::Serve(_) => anyhow::bail!("serve is handled by main"),
    }
    Ok(())
}
