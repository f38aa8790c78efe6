//! The index's postings in memory, and retrieval's BM25 over them.
//!
//! The tantivy index holds one document per text group: a few hundred for
//! the bundled catalogue, a few thousand at a million items. For so small
//! an index, building a tantivy query per search (a weight, a term
//! dictionary lookup and a postings reader per term and field, block-max
//! WAND) costs far more than the scoring itself. When the index opens, its
//! postings, field norms and group numbers are read once into flat arrays;
//! a search then scores its term clauses directly, with tantivy's BM25
//! (same k1, b, idf, field-norm table and average field length) and its
//! ordering of the best documents (score, then document address).

use std::collections::HashMap;

use foldhash::fast::RandomState;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings as _;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED};

use crate::error::Result;
use crate::text_field::TextField;

/// BM25 term-frequency saturation, as tantivy's.
const K1: f32 = 1.2;
/// BM25 length normalisation, as tantivy's.
const B: f32 = 0.75;

/// Where one term's postings in one field are, and its document frequency.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
    doc_freq: u32,
}

/// One term clause of a retrieval query: a term's postings in one field,
/// with the clause's boost.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TermClause {
    field: TextField,
    span: Span,
    boost: f32,
}

/// One term's postings in one field while they are read: (document, term
/// frequency) pairs and the document frequency.
type FieldPostings = (Vec<(u32, u32)>, u32);

/// Every term's postings per text field, with what BM25 needs.
#[derive(Debug, Default)]
pub(crate) struct IndexPostings {
    /// Per term: its postings in each text field (in [`TextField`] order).
    terms: HashMap<Box<str>, [Span; 6], RandomState>,
    /// Postings: (document, term frequency), document order within a span.
    entries: Vec<(u32, u32)>,
    /// Per text field, per document: tantivy's field-norm id.
    fieldnorm_ids: [Vec<u8>; 6],
    /// Per text field, per field-norm id: BM25's length normalisation
    /// `k1 · (1 − b + b · length / average length)`.
    tf_norms: Vec<[f32; 256]>,
    /// Per document: its text group.
    groups: Vec<u32>,
    /// Documents (tantivy's `max_doc` over the segments).
    docs: u64,
}

impl IndexPostings {
    /// Reads the postings of every text field of the index.
    pub(crate) fn read(searcher: &Searcher, fields: &[Field; 6]) -> Result<Self> {
        let mut postings = IndexPostings::default();
        let mut lists: HashMap<Box<str>, [FieldPostings; 6], RandomState> = HashMap::default();
        let mut total_tokens = [0u64; 6];
        let mut base = 0u32;
        for segment in searcher.segment_readers() {
            let max_doc = segment.max_doc();
            let group = segment.fast_fields().u64("group")?;
            postings
                .groups
                .extend((0..max_doc).map(|d| group.first(d).map_or(u32::MAX, |g| g as u32)));
            for (i, &field) in fields.iter().enumerate() {
                let inverted = segment.inverted_index(field)?;
                total_tokens[i] += inverted.total_num_tokens();
                let norms = segment.get_fieldnorms_reader(field)?;
                postings.fieldnorm_ids[i].extend((0..max_doc).map(|d| norms.fieldnorm_id(d)));
                let mut terms = inverted
                    .terms()
                    .stream()
                    .map_err(tantivy::TantivyError::from)?;
                while let Some((key, info)) = terms.next() {
                    let Ok(text) = std::str::from_utf8(key) else {
                        continue;
                    };
                    let entry = match lists.get_mut(text) {
                        Some(entry) => entry,
                        None => lists.entry(Box::from(text)).or_default(),
                    };
                    let (list, doc_freq) = &mut entry[i];
                    *doc_freq += info.doc_freq;
                    let mut docs = inverted
                        .read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)
                        .map_err(tantivy::TantivyError::from)?;
                    while docs.doc() != TERMINATED {
                        list.push((base + docs.doc(), docs.term_freq()));
                        docs.advance();
                    }
                }
            }
            base += max_doc;
        }
        postings.docs = u64::from(base);
        for (term, per_field) in lists {
            let mut spans = [Span::default(); 6];
            for (span, (list, doc_freq)) in spans.iter_mut().zip(per_field) {
                *span = Span {
                    start: postings.entries.len() as u32,
                    len: list.len() as u32,
                    doc_freq,
                };
                postings.entries.extend(list);
            }
            postings.terms.insert(term, spans);
        }
        postings.tf_norms = total_tokens
            .iter()
            .map(|&tokens| {
                let average = tokens as f32 / postings.docs.max(1) as f32;
                let mut norms = [0f32; 256];
                for (id, norm) in norms.iter_mut().enumerate() {
                    let length = FieldNormReader::id_to_fieldnorm(id as u8);
                    *norm = K1 * (1.0 - B + B * length as f32 / average);
                }
                norms
            })
            .collect();
        Ok(postings)
    }

    /// The number of documents whose `field` holds `term` (as tantivy's
    /// `Searcher::doc_freq` counts them).
    pub(crate) fn doc_freq(&self, field: TextField, term: &str) -> u64 {
        self.terms
            .get(term)
            .map_or(0, |spans| u64::from(spans[field as usize].doc_freq))
    }

    /// The clause for `term` in `field` with `boost`, or `None` when no
    /// document has the term there (such a clause would add nothing).
    pub(crate) fn clause(&self, field: TextField, term: &str, boost: f32) -> Option<TermClause> {
        let span = self.terms.get(term)?[field as usize];
        (span.len > 0).then_some(TermClause { field, span, boost })
    }

    /// The `limit` best documents for the sum of the clauses' BM25 scores,
    /// as their `(text group, score)` in no particular order (see
    /// [`best_first`] to order them), and whether more documents matched.
    pub(crate) fn top_groups(
        &self,
        clauses: &[TermClause],
        limit: usize,
    ) -> (Vec<(u32, f32)>, bool) {
        let mut scores = vec![0f32; self.groups.len()];
        let mut matched: Vec<u32> = Vec::new();
        for clause in clauses {
            let field = clause.field as usize;
            let (Some(norms), Some(ids)) =
                (self.tf_norms.get(field), self.fieldnorm_ids.get(field))
            else {
                continue;
            };
            let weight =
                idf(u64::from(clause.span.doc_freq), self.docs) * (1.0 + K1) * clause.boost;
            let start = clause.span.start as usize;
            let end = start + clause.span.len as usize;
            for &(doc, freq) in self.entries.get(start..end).unwrap_or_default() {
                let d = doc as usize;
                let freq = freq as f32;
                let norm = norms[ids.get(d).copied().unwrap_or(0) as usize];
                if let Some(score) = scores.get_mut(d) {
                    if *score == 0.0 {
                        matched.push(doc);
                    }
                    *score += weight * (freq / (freq + norm));
                }
            }
        }
        let more = matched.len() > limit;
        if more && limit > 0 {
            // Only the best `limit` are kept (a large catalogue matches
            // thousands of documents).
            let order = |&a: &u32, &b: &u32| {
                scores[b as usize]
                    .total_cmp(&scores[a as usize])
                    .then(self.groups[a as usize].cmp(&self.groups[b as usize]))
            };
            matched.select_nth_unstable_by(limit - 1, order);
        }
        let top = matched
            .iter()
            .take(limit)
            .filter_map(|&d| {
                let group = self.groups[d as usize];
                (group != u32::MAX).then_some((group, scores[d as usize]))
            })
            .collect();
        (top, more)
    }
}

/// Orders `(text group, score)` pairs best first, ties by group (the order
/// [`IndexPostings::top_groups`] keeps the best of).
pub(crate) fn best_first(groups: &mut [(u32, f32)]) {
    groups.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
}

/// Inverse document frequency, as tantivy computes it.
fn idf(doc_freq: u64, docs: u64) -> f32 {
    let x = (docs.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}
