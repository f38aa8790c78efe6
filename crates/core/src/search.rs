//! The search pipeline, read top to bottom: [`Engine::search`].
//!
//! ```text
//! request ─► analyze (normalize, guard, places, segment, expand)
//!         ─► scope (filters checked, the person's location resolved once)
//!         ─► run the query as typed: retrieve ─► rank ─► collapse ─► threshold
//!         ─► correct (pinyin, typos) when it matches poorly, and run the
//!            reading too; keep whichever matches better
//!         ─► group + facets ─► page of hits
//! ```
//!
//! Each stage is a module with one job: [`crate::analyze`],
//! [`crate::filter`], [`crate::locate`], [`crate::retrieve`],
//! [`crate::rank`], [`crate::group`], [`crate::correct`], [`crate::hits`];
//! this module only sequences them.

use crate::analyze::{AnalyzedQuery, MatchKind};
use crate::correct::{CorrectOptions, Correction, CorrectionKind};
use crate::engine::Engine;
use crate::error::Result;
use crate::filter::ItemFilter;
use crate::forms::QueryForms;
use crate::group::Grouper;
use crate::hits::HitBuilder;
use crate::locate::{LocationInput, LocationSource, ResolvedLocation, query_location};
use crate::rank::{Ranked, Ranker, threshold};
use crate::request::{SearchRequest, SearchResponse, TotalRelation, validate};
use crate::retrieve::{Candidates, Retriever, hidden_homophones};
use yuesou_messages::Text;

/// The query as typed is corrected when its best hit covers less than this
/// share of it (or it has words the catalogue does not know).
const CORRECT_BELOW: f32 = 0.75;
/// A reading must match this much better than the query as typed to replace
/// it (or about as well with fewer unknown words).
const CORRECTION_MARGIN: f32 = 0.05;
/// A relaxed (partial) answer counts this share of its coverage when
/// comparing readings.
const RELAXED_DISCOUNT: f32 = 0.5;

/// The messages of a search without hits (texts in `data/messages/`).
const BLOCKED_MESSAGE: &str = "search-blocked";
const EMPTY_MESSAGE: &str = "search-empty";
const NOTHING_MESSAGE: &str = "search-nothing";
/// The answer to Latin words the engine cannot read.
const UNREADABLE_MESSAGE: &str = "search-unreadable";

impl Engine {
    /// Runs a search through the whole pipeline.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        validate(request)?;
        let mut response = SearchResponse::new(self.analyzer.analyze(&request.query), request);
        if response.query.is_blocked() {
            return Ok(response.with_message(BLOCKED_MESSAGE));
        }
        let (filter, given) = match self.scope(request)? {
            Ok(scope) => scope,
            Err(unknown) => {
                return Ok(response.with_message(unknown));
            }
        };
        if response.query.concepts.is_empty() && request.filters.is_empty() {
            return Ok(response.with_message(EMPTY_MESSAGE));
        }
        let run = |query: &AnalyzedQuery, kind| self.run(query, kind, &filter, &given, request);
        let mut answer = run(&response.query, MatchKind::Exact)?;
        if let Some((correction, reading)) = self.correction(request, &response.query, &answer) {
            if reading.is_blocked() {
                response.query.blocked_by = reading.blocked_by;
                return Ok(response.with_message(BLOCKED_MESSAGE));
            }
            let kind = if correction.is_pinyin_input() {
                MatchKind::Pinyin
            } else {
                MatchKind::Corrected
            };
            let corrected = run(&reading, kind)?;
            if corrected.beats(&answer) {
                answer = corrected;
                response.query = reading;
                response.query.original = request.query.clone();
                response.correction = Some(correction);
            }
        }
        response.location = answer.location;
        response.relaxed = answer.relaxed;
        response.total = answer.passing.len();
        response.total_items = answer.passing.iter().map(|r| r.variants.len().max(1)).sum();
        if answer.more {
            response.total_relation = TotalRelation::Gte;
        }
        if answer.passing.is_empty() {
            // Latin words that are no English name, no pinyin and no word of
            // the catalogue: say we cannot read them.
            let unread = self
                .retriever()
                .has_unread_latin(&response.query.normalized);
            return Ok(response.with_message(if unread {
                UNREADABLE_MESSAGE
            } else {
                NOTHING_MESSAGE
            }));
        }
        let grouper = self.grouper();
        response.groups = grouper.groups(&answer.passing);
        response.facets = grouper.facets(&answer.passing);
        // The forms the answer was ranked with: highlighting reads their
        // concepts' texts, words and synonyms, the same for the reading shown.
        let forms = &answer.forms;
        let hits = self.hit_builder();
        response.hits = (answer.passing.into_iter())
            .skip((request.page - 1) * request.size)
            .take(request.size)
            .map(|r| hits.hit(r, forms, request.explain))
            .collect();
        Ok(response)
    }

    /// One reading of the query through locate ─► retrieve ─► rank ─►
    /// collapse ─► threshold.
    fn run(
        &self,
        query: &AnalyzedQuery,
        kind: MatchKind,
        filter: &ItemFilter<'_>,
        given: &Option<ResolvedLocation>,
        request: &SearchRequest,
    ) -> Result<Answer> {
        let location = query_location(&self.gazetteer, &query.places).or_else(|| given.clone());
        let mut retrieval = self.retriever().retrieve(query, filter)?;
        if let Some(frame) = query.frame.as_ref().filter(|f| f.specific()) {
            self.add_framed(frame, filter, &mut retrieval.candidates);
        }
        let ranker = self.ranker();
        let mut scorer = ranker.scorer(query, &retrieval, kind, location.as_ref(), request.explain);
        scorer.drop_hopeless(&mut retrieval.candidates);
        let ranked =
            self.grouper()
                .collapse(&retrieval, request.collapse, location.as_ref(), &mut scorer);
        let (passing, relaxed) = threshold(ranked);
        let forms = scorer.into_forms();
        Ok(Answer {
            passing,
            relaxed,
            unknown: retrieval.unknown,
            more: retrieval.more,
            location,
            forms,
        })
    }

    /// Adds the items whose eligibility (适用对象) the query's frame matches
    /// to the candidates, when no word of the query retrieved them (八十岁以上
    /// 的补贴 finds 高龄津贴, whose text says neither): ranking decides
    /// whether they are shown (see [`threshold`]).
    fn add_framed(
        &self,
        frame: &crate::frames::Frame,
        filter: &ItemFilter<'_>,
        candidates: &mut Candidates,
    ) {
        let items = self.catalogue.items();
        let framed = (self.eligible.iter())
            .map(|&ordinal| (ordinal as usize, &items[ordinal as usize]))
            .filter(|(_, item)| {
                item.eligibility
                    .as_ref()
                    .is_some_and(|e| frame.matches(e).specific(frame))
            });
        match candidates {
            Candidates::Groups(groups) => {
                for (ordinal, _) in framed {
                    let group = self.texts[ordinal].group;
                    if !groups.iter().any(|&(g, _)| g == group) {
                        groups.push((group, 0.0));
                    }
                }
            }
            Candidates::Items(list) => {
                for (ordinal, item) in framed {
                    let ordinal = ordinal as u32;
                    if filter.accepts(item) && !list.iter().any(|&(o, _)| o == ordinal) {
                        list.push((ordinal, 0.0));
                    }
                }
            }
        }
    }

    /// The corrector's reading of a query that matches poorly or has words
    /// the catalogue does not know (analysed, thesaurus-expanded, and with
    /// the words that sound the same as its synonyms), if it has one.
    fn correction(
        &self,
        request: &SearchRequest,
        query: &AnalyzedQuery,
        typed: &Answer,
    ) -> Option<(Correction, AnalyzedQuery)> {
        if !request.correct
            || query.concepts.is_empty()
            || (typed.best() >= CORRECT_BELOW && typed.unknown == 0)
        {
            return None;
        }
        let keep = [
            query.filler_spans.as_slice(),
            &self.retriever().known_latin_words(&query.normalized),
        ]
        .concat();
        let options = CorrectOptions::new()
            .keep(&keep)
            .real_words(&query.word_spans);
        let correction = self
            .corrector
            .correct(&query.normalized, &options)
            .or_else(|| self.homophone_reading(query))?;
        let mut reading = self.analyzer.analyze(&correction.corrected);
        for concept in &mut reading.concepts {
            if let Some((_, same)) = correction
                .homophones
                .iter()
                .find(|(w, _)| *w == concept.text)
            {
                concept.synonyms.extend(same.iter().cloned());
            }
        }
        Some((correction, reading))
    }

    /// A reading of a query with its hidden homophone typos replaced by the
    /// words they sound like (婚姻等级 → 婚姻登记), for when the corrector
    /// keeps the query as typed because its pieces are real words.
    fn homophone_reading(&self, query: &AnalyzedQuery) -> Option<Correction> {
        let mut corrected = query.normalized.clone();
        let mut any = false;
        for (text, word) in hidden_homophones(&self.corrector, query) {
            // Overlapping runs: the first one read wins.
            if corrected.contains(text.as_str()) {
                corrected = corrected.replacen(text.as_str(), word, 1);
                any = true;
            }
        }
        any.then(|| Correction {
            original: query.normalized.clone(),
            corrected,
            kinds: vec![CorrectionKind::Homophone],
            homophones: Vec::new(),
        })
    }

    /// The request's scope, checked and resolved once: the item filter and
    /// the location the caller gave (an explicit region — `location`, else
    /// the `region` filter — or a phone position). `Ok(Err(_))` describes a
    /// filter value or region that names nothing in this catalogue.
    #[allow(clippy::type_complexity)]
    fn scope<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> Result<std::result::Result<(ItemFilter<'a>, Option<ResolvedLocation>), Text>> {
        if let Some(unknown) = self.vocabulary.unknown_value(&request.filters) {
            return Ok(Err(unknown));
        }
        let region_filter = match &request.filters.region {
            Some(v) => match self.resolve_region(v) {
                Some(d) => Some(d),
                None => {
                    return Ok(Err(
                        Text::new("search-unknown-region").arg("value", v.as_str())
                    ));
                }
            },
            None => None,
        };
        let explicit = |d| ResolvedLocation::at(&self.gazetteer, d, LocationSource::Explicit);
        let given = match &request.location {
            Some(LocationInput::Region(v)) => match self.resolve_region(v) {
                Some(d) => Some(explicit(d)),
                None => {
                    return Ok(Err(
                        Text::new("search-unknown-region").arg("value", v.as_str())
                    ));
                }
            },
            Some(LocationInput::Position { .. }) => None,
            None => region_filter.map(explicit),
        };
        let filter = ItemFilter::new(&request.filters, region_filter, &self.gazetteer)?;
        let given = match &request.location {
            Some(LocationInput::Position { lat, lng }) => Some(self.locate_position(*lat, *lng)?),
            _ => given,
        };
        Ok(Ok((filter, given)))
    }

    pub(crate) fn retriever(&self) -> Retriever<'_> {
        Retriever {
            index: &self.index,
            segmenter: self.analyzer.segmenter(),
            corrector: &self.corrector,
            items: self.catalogue.items(),
            services: &self.services,
        }
    }

    fn ranker(&self) -> Ranker<'_> {
        Ranker {
            items: self.catalogue.items(),
            texts: &self.texts,
            meta: &self.meta_parts,
            signatures: &self.shared_signatures,
            eligible: &self.eligible,
            gazetteer: &self.gazetteer,
        }
    }

    fn grouper(&self) -> Grouper<'_> {
        Grouper {
            items: self.catalogue.items(),
            gazetteer: &self.gazetteer,
            facet_index: &self.facet_index,
            facts: &self.item_facts,
            services: &self.services,
        }
    }

    fn hit_builder(&self) -> HitBuilder<'_> {
        HitBuilder {
            items: self.catalogue.items(),
            texts: &self.texts,
            gazetteer: &self.gazetteer,
        }
    }
}

/// The answer of one reading of the query.
struct Answer {
    /// Ranked (and collapsed) hits that passed the threshold.
    passing: Vec<Ranked>,
    /// Nothing covered enough; these are partial matches.
    relaxed: bool,
    /// Words of the reading the catalogue does not know.
    unknown: usize,
    /// More items matched than were ranked.
    more: bool,
    /// The location ranked for.
    location: Option<ResolvedLocation>,
    /// The forms of the reading, as ranking compiled them.
    forms: QueryForms,
}

impl Answer {
    /// The coverage of the best hit (discounted when relaxed).
    fn best(&self) -> f32 {
        self.passing.first().map_or(0.0, |r| {
            let coverage = r.coverage.max(r.frame_coverage);
            if self.relaxed {
                coverage * RELAXED_DISCOUNT
            } else {
                coverage
            }
        })
    }

    /// Whether this (corrected) answer is better than `typed`: better
    /// matches, or nearly as good with fewer unknown words (the characters
    /// of a mistyped word each match somewhere, which flatters the query as
    /// typed).
    fn beats(&self, typed: &Answer) -> bool {
        let (mine, theirs) = (self.best(), typed.best());
        mine > theirs + CORRECTION_MARGIN
            || (self.unknown < typed.unknown
                && !self.passing.is_empty()
                && mine >= theirs - CORRECTION_MARGIN)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::collapse::ServiceVariants;
    use crate::rank::{MIN_COVERAGE, RELAXED_COVERAGE};
    use crate::{EngineOptions, Resources};

    /// Dropping hopeless candidates before ranking never drops one that
    /// ranking would keep: over every graded query (as typed and as the
    /// corrector reads it), every item of every group ruled out covers less
    /// than the relaxed threshold when scored anyway.
    #[test]
    fn candidates_dropped_as_hopeless_cover_too_little_to_be_kept() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let engine =
            Engine::open(&EngineOptions::new(Resources::bundled(&root))).expect("bundled engine");
        let request = SearchRequest::new("");
        let filter = ItemFilter::new(&request.filters, None, &engine.gazetteer).expect("filter");
        let ranker = engine.ranker();
        let (mut dropped, mut queries) = (0usize, 0usize);
        for file in [
            "queries.tsv",
            "queries_holdout.tsv",
            "queries_blind.tsv",
            "queries_round3.tsv",
        ] {
            let text = std::fs::read_to_string(root.join("tests").join(file)).expect("graded set");
            let typed = text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .filter_map(|l| l.split('\t').nth(1));
            for query in typed {
                let analyzed = engine.analyzer.analyze(query);
                let mut readings = vec![analyzed.clone()];
                if let Some(c) = engine
                    .corrector
                    .correct(&analyzed.normalized, &CorrectOptions::new())
                {
                    readings.push(engine.analyzer.analyze(&c.corrected));
                }
                for reading in readings {
                    queries += 1;
                    let retrieval = engine
                        .retriever()
                        .retrieve(&reading, &filter)
                        .expect("retrieval");
                    let mut scorer =
                        ranker.scorer(&reading, &retrieval, MatchKind::Exact, None, false);
                    let Some(hope) = scorer.hope() else { continue };
                    let groups: Vec<u32> = match &retrieval.candidates {
                        Candidates::Groups(groups) => groups.iter().map(|&(g, _)| g).collect(),
                        Candidates::Items(items) => items
                            .iter()
                            .map(|&(o, _)| engine.texts[o as usize].group)
                            .collect(),
                    };
                    let hopeless: Vec<u32> =
                        groups.into_iter().filter(|&g| !hope.hopeful(g)).collect();
                    drop(hope);
                    for group in hopeless {
                        for &ordinal in ServiceVariants::of_group(&engine.services, group) {
                            let ranked = scorer.score(ordinal as usize, 1.0);
                            assert!(
                                ranked.coverage < RELAXED_COVERAGE
                                    && ranked.frame_coverage < MIN_COVERAGE,
                                "{query}: {} dropped, covers {} (with its frame {})",
                                engine.catalogue.items()[ordinal as usize].title,
                                ranked.coverage,
                                ranked.frame_coverage,
                            );
                            dropped += 1;
                        }
                    }
                }
            }
        }
        assert!(
            queries > 1_000 && dropped > 10_000,
            "{queries} readings, {dropped} items dropped"
        );
    }
}
