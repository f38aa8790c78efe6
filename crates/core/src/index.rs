//! The tantivy full-text index: schema, build and open.
//!
//! The index holds one document per *text group*: the city variants of a
//! service share their title, aliases, keywords and description, so they are
//! one document, whose meta field holds the union of the variants' themes,
//! departments and region names. Retrieval finds groups; the engine expands
//! them to items and applies filters in memory. A million items that are
//! variants of a few thousand services make a few thousand documents.
//!
//! Analysis happens in Rust before tantivy sees the text: every text field
//! holds tokens produced by the [`Segmenter`](crate::Segmenter), joined by
//! spaces, and tantivy's whitespace tokenizer splits them again. Index-time
//! and query-time analysis therefore share one code path, and nothing needs to
//! be re-registered beyond the whitespace tokenizer when an index is reopened.
//!
//! tantivy builds and persists the index; when it opens, its postings are
//! read into memory ([`crate::postings`]) and searches score them there.

use std::path::Path;
use std::sync::Arc;

use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

use crate::error::Result;
use crate::postings::IndexPostings;
use crate::text_field::TextField;

/// Bump when the schema or the analysis changes, so persisted indexes rebuild.
pub const SCHEMA_VERSION: u32 = 2;

const TOKENIZER: &str = "yuesou_tokens";
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// Field handles of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    group: Field,
    text: [Field; 6],
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let group = builder.add_u64_field("group", FAST);
    let text = ["title", "alias", "keyword", "meta", "body", "chars"]
        .map(|name| builder.add_text_field(name, text_options.clone()));
    (builder.build(), Fields { group, text })
}

/// What one text group (the items sharing a service's text) puts into the
/// index.
#[derive(Debug, Clone, Default)]
pub struct IndexDocument {
    /// The group's number ([`ItemText::group`](crate::ItemText::group)).
    pub group: u64,
    /// Tokens per text field, in [`TextField`] order.
    pub text: [Vec<String>; 6],
}

/// An opened index with a reader.
#[derive(Clone)]
pub struct SearchIndex {
    reader: IndexReader,
    /// The postings of every text field, read when the index opens:
    /// retrieval scores them without building tantivy queries.
    postings: Arc<IndexPostings>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("docs", &self.reader.searcher().num_docs())
            .finish()
    }
}

impl SearchIndex {
    /// Builds an index from documents, in `dir` (persisted) or in memory.
    /// `progress` is called with the number of documents added so far, out
    /// of `expected`.
    pub fn build(
        dir: Option<&Path>,
        docs: impl Iterator<Item = IndexDocument>,
        expected: usize,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Self> {
        let (schema, fields) = schema();
        let index = match dir {
            Some(dir) => Index::create_in_dir(dir, schema)?,
            None => Index::create_in_ram(schema),
        };
        register_tokenizer(&index);
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY)?;
        for (n, doc) in docs.enumerate() {
            let mut tantivy_doc = TantivyDocument::default();
            tantivy_doc.add_u64(fields.group, doc.group);
            for (i, tokens) in doc.text.iter().enumerate() {
                if !tokens.is_empty() {
                    tantivy_doc.add_text(fields.text[i], tokens.join(" "));
                }
            }
            writer.add_document(tantivy_doc)?;
            if n % 256 == 0 || n + 1 == expected {
                progress(n + 1);
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        Self::from_index(index, fields)
    }

    /// Opens a persisted index.
    pub fn open(dir: &Path) -> Result<Self> {
        let index = Index::open_in_dir(dir)?;
        register_tokenizer(&index);
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Err(
                tantivy::TantivyError::SchemaError("persisted schema differs".into()).into(),
            );
        }
        Self::from_index(index, fields)
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self> {
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let postings = IndexPostings::read(&reader.searcher(), &fields.text)?;
        Ok(SearchIndex {
            reader,
            postings: Arc::new(postings),
        })
    }

    /// The number of documents whose `field` holds `term` (as tantivy's
    /// `Searcher::doc_freq` counts them).
    pub fn doc_freq(&self, field: TextField, term: &str) -> u64 {
        self.postings.doc_freq(field, term)
    }

    /// The postings read when the index opened, for retrieval.
    pub(crate) fn postings(&self) -> &IndexPostings {
        &self.postings
    }

    /// Number of documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

fn register_tokenizer(index: &Index) {
    index.tokenizers().register(
        TOKENIZER,
        TextAnalyzer::builder(WhitespaceTokenizer::default()).build(),
    );
}
