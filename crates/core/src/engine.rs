//! The [`Engine`]: loads the catalogue, gazetteer, halls and dictionaries,
//! opens or builds the index, and answers searches.
//!
//! ```no_run
//! use yuesou_core::{Engine, EngineOptions, Resources, SearchRequest};
//!
//! let options = EngineOptions::new(Resources::bundled(".".as_ref()));
//! let engine = Engine::open(&options)?;
//! let response = engine.search(&SearchRequest::new("公积金贷款进度"))?;
//! println!("{} → {}", response.total, response.hits[0].title);
//! # Ok::<(), yuesou_core::Error>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use yuesou_messages::Text;

use crate::analyze::QueryAnalyzer;
use crate::catalogue::{Catalogue, ServiceItem};
use crate::collapse::{ItemFacts, ServiceVariants};
use crate::correct::{CorrectOptions, Corrector};
use crate::dictionaries::Dictionaries;
use crate::english::EnglishNames;
use crate::error::{Error, Result};
use crate::expand::Thesaurus;
use crate::facets::FacetIndex;
use crate::filter::Vocabulary;
use crate::gazetteer::Division;
use crate::gazetteer::Gazetteer;
use crate::geo::{Locator, load_outside};
use crate::geo::{validate_position, wgs84_to_gcj02};
use crate::guard::BannedWords;
use crate::halls::{HallQuery, NearbyHall, ServiceHall, load_halls, nearest_halls};
use crate::index::{IndexDocument, SearchIndex};
use crate::item_text::{ItemText, MetaParts, SEPARATOR, SharedSignatures};
use crate::locate::{
    LocationInput, LocationSource, PlaceRecognizer, RegionNames, ResolvedLocation,
};
use crate::normalize::{Normalizer, is_han};
use crate::pinyin::PinyinConverter;
use crate::resources::Resources;
use crate::segment::Segmenter;
use crate::suggest::{SuggestEntry, SuggestMatch, Suggester, Suggestion, SuggestionKind};

/// A pinyin prefix the suggester finds nothing for is read by the corrector
/// when it has at least this many letters (fewer are too short to tell a
/// slip from another word).
const SLIP_MIN_LETTERS: usize = 6;
use crate::text_field::TextField;

/// How to open an engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Input files.
    pub resources: Resources,
    /// Where to persist the index; `None` keeps it in memory.
    pub index_dir: Option<PathBuf>,
}

impl EngineOptions {
    /// Options for these resources with an in-memory index.
    pub fn new(resources: Resources) -> Self {
        EngineOptions {
            resources,
            index_dir: None,
        }
    }

    /// Persist the index under `dir` (one sub-directory per fingerprint).
    pub fn with_index_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.index_dir = Some(dir.into());
        self
    }
}

/// Progress of an engine build, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildProgress {
    /// Loading files.
    Loading,
    /// Indexing: `done` of `total` items.
    Indexing {
        /// Items indexed so far.
        done: usize,
        /// Items in all.
        total: usize,
    },
    /// An index with the same fingerprint was found and reused.
    Reused,
    /// Finished.
    Done,
}

/// The search engine over one catalogue snapshot. Immutable once opened:
/// share it behind an `Arc` and swap in a new one to reload.
pub struct Engine {
    pub(crate) catalogue: Catalogue,
    pub(crate) texts: Vec<ItemText>,
    /// Every item's meta text in interned parts, for ranking.
    pub(crate) meta_parts: MetaParts,
    /// Per text group: character signatures of its shared text, for
    /// ranking.
    pub(crate) shared_signatures: Vec<SharedSignatures>,
    /// Per item: what collapsing reads of it.
    pub(crate) item_facts: Vec<ItemFacts>,
    /// The ordinals of the items with a stated eligibility (适用对象), which
    /// a query's frame can match.
    pub(crate) eligible: Vec<u32>,
    pub(crate) gazetteer: Gazetteer,
    pub(crate) halls: Vec<ServiceHall>,
    pub(crate) dictionaries: Dictionaries,
    pub(crate) analyzer: QueryAnalyzer,
    pub(crate) index: SearchIndex,
    pub(crate) vocabulary: Vocabulary,
    /// Every item's facet values, interned for counting.
    pub(crate) facet_index: FacetIndex,
    pub(crate) pinyin: PinyinConverter,
    pub(crate) corrector: Corrector,
    pub(crate) suggester: Suggester,
    pub(crate) locator: Locator,
    /// Regions by name, for `city` and the `region` filter.
    pub(crate) region_names: RegionNames,
    /// Per text group (see [`ItemText::group`]): its items, as retrieval
    /// and collapsing read them.
    pub(crate) services: Vec<ServiceVariants>,
    fingerprint: String,
    reused_index: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("items", &self.catalogue.len())
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

impl Engine {
    /// Opens the engine: loads and validates every input file, then reuses the
    /// persisted index when the inputs are unchanged or builds it.
    pub fn open(options: &EngineOptions) -> Result<Self> {
        Self::open_with_progress(options, &mut |_| {})
    }

    /// [`Engine::open`] reporting progress.
    pub fn open_with_progress(
        options: &EngineOptions,
        progress: &mut dyn FnMut(BuildProgress),
    ) -> Result<Self> {
        progress(BuildProgress::Loading);
        let resources = &options.resources;
        let fingerprint = resources.fingerprint();
        let normalizer = Arc::new(Normalizer::new());
        let gazetteer = Gazetteer::load_with_towns(&resources.divisions, &resources.towns)?;
        let catalogue = Catalogue::load(&resources.catalogue, &gazetteer)?;
        let halls = load_halls(&resources.halls, &gazetteer)?;
        let outside = load_outside(&resources.outside)?;
        let dictionaries = Dictionaries::load(&resources.dictionaries, &normalizer)?;

        let thesaurus = Thesaurus::new(&dictionaries.thesaurus);
        // Colloquial terms segment whole; official terms only when short
        // (a whole title as one word would lose its inner words, 预防接种 in
        // 预防接种门诊查询, as index tokens).
        let mut extra_words: Vec<String> = dictionaries
            .thesaurus
            .iter()
            .flat_map(|(colloquial, officials)| {
                std::iter::once(colloquial.clone())
                    .chain(officials.iter().filter(|o| o.chars().count() <= 4).cloned())
            })
            .collect();
        extra_words.extend(dictionaries.aspects.iter().cloned());
        for d in gazetteer.divisions() {
            extra_words.push(normalizer.normalize(&d.name));
            extra_words.push(normalizer.normalize(&d.short_name));
        }
        let segmenter = Segmenter::new(
            &dictionaries.user_words,
            &extra_words,
            &dictionaries.stopwords,
        );
        let analyzer = QueryAnalyzer::new(
            normalizer.clone(),
            BannedWords::new(&dictionaries.banned),
            PlaceRecognizer::new(&gazetteer, &normalizer),
            segmenter,
            thesaurus,
        )
        .with_aspects(&dictionaries.aspects)
        .with_english(EnglishNames::new(&dictionaries.english))
        .with_frames(dictionaries.frames.clone());
        let mut texts: Vec<ItemText> = catalogue
            .items()
            .iter()
            .map(|item| ItemText::new(item, &gazetteer, &normalizer))
            .collect();
        let groups: Vec<u32> = {
            let mut seen: HashMap<(&str, &str, &str, &str), u32> = HashMap::new();
            texts
                .iter()
                .map(|t| {
                    let next = seen.len() as u32;
                    *seen
                        .entry((&t.title, &t.aliases, &t.keywords, &t.body))
                        .or_insert(next)
                })
                .collect()
        };
        for (text, group) in texts.iter_mut().zip(groups) {
            text.group = group;
        }
        let groups = group_items(&texts);
        let meta_parts = MetaParts::new(catalogue.items(), &gazetteer, &normalizer);
        let shared_signatures = SharedSignatures::of_groups(&texts, &groups, &meta_parts);
        let eligible = (catalogue.items().iter().enumerate())
            .filter(|(_, item)| item.eligibility.is_some())
            .map(|(ordinal, _)| ordinal as u32)
            .collect();
        let item_facts = ItemFacts::of_items(catalogue.items(), texts.iter().map(|t| t.group));
        let services = ServiceVariants::of_groups(&groups, &item_facts);

        let (index, reused_index) = match &options.index_dir {
            Some(root) => open_or_build(root, &fingerprint, &texts, &groups, &analyzer, progress)?,
            None => (build(None, &texts, &groups, &analyzer, progress)?, false),
        };

        let mut vocabulary = Vocabulary::default();
        for item in catalogue.items() {
            vocabulary.categories.insert(item.category.clone());
            vocabulary.themes.insert(item.theme.clone());
            vocabulary.departments.insert(item.department.clone());
        }
        let facet_index = FacetIndex::new(catalogue.items(), &gazetteer);
        let pinyin = PinyinConverter::new(&dictionaries.readings);
        let corrector = Corrector::new(
            &correction_vocabulary(&catalogue, &texts, &gazetteer, &dictionaries, &analyzer),
            &dictionaries.shapes,
            &pinyin,
        );
        let suggester = Suggester::new(
            suggest_entries(&catalogue, &texts, &dictionaries, &analyzer),
            pinyin.clone(),
        );
        let locator = Locator::new(&gazetteer, &outside);
        let region_names = RegionNames::new(&gazetteer);
        progress(BuildProgress::Done);
        Ok(Engine {
            catalogue,
            texts,
            meta_parts,
            shared_signatures,
            item_facts,
            eligible,
            gazetteer,
            halls,
            dictionaries,
            analyzer,
            index,
            vocabulary,
            facet_index,
            pinyin,
            corrector,
            suggester,
            locator,
            region_names,
            services,
            fingerprint,
            reused_index,
        })
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&ServiceItem> {
        self.catalogue.get(id)
    }

    /// The catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The division gazetteer.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// The service halls.
    pub fn halls(&self) -> &[ServiceHall] {
        &self.halls
    }

    /// The loaded dictionaries.
    pub fn dictionaries(&self) -> &Dictionaries {
        &self.dictionaries
    }

    /// The query analyser (normalise, guard, segment, expand).
    pub fn analyzer(&self) -> &QueryAnalyzer {
        &self.analyzer
    }

    /// The pinyin converter (word readings first).
    pub fn pinyin(&self) -> &PinyinConverter {
        &self.pinyin
    }

    /// The typo corrector and its vocabulary.
    pub fn corrector(&self) -> &Corrector {
        &self.corrector
    }

    /// Autocomplete (联想) for a prefix typed in Chinese, full pinyin,
    /// initials or a mix: at most `size` suggestions, best first, unique by
    /// text. A prefix containing a banned word gets none.
    pub fn suggest(&self, prefix: &str, size: usize) -> Vec<Suggestion> {
        let normalized = self.analyzer.normalizer().normalize(prefix);
        if self.analyzer.guard().is_banned(&normalized) {
            return Vec::new();
        }
        let found = self.suggester.suggest(&normalized, size);
        if found.is_empty() {
            return self.suggest_slipped(&normalized, size);
        }
        found
    }

    /// Suggestions for a prefix of pinyin the suggester finds nothing for,
    /// read by the corrector (a letter dropped, doubled, swapped or wrong:
    /// `shebakao` → 社保卡): the suggestions of its reading, as fuzzy
    /// matches. Only letters (and spaces) of at least [`SLIP_MIN_LETTERS`];
    /// empty when the corrector reads nothing or its reading is banned.
    fn suggest_slipped(&self, normalized: &str, size: usize) -> Vec<Suggestion> {
        let letters = normalized.bytes().filter(u8::is_ascii_lowercase).count();
        if letters < SLIP_MIN_LETTERS
            || !normalized
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b' ' || b == b'\'')
        {
            return Vec::new();
        }
        let Some(reading) = self.corrector.correct(normalized, &CorrectOptions::new()) else {
            return Vec::new();
        };
        if !reading.is_pinyin_input()
            || !reading.corrected.chars().all(crate::normalize::is_han)
            || self.analyzer.guard().is_banned(&reading.corrected)
        {
            return Vec::new();
        }
        let mut out = self.suggester.suggest(&reading.corrected, size);
        for s in &mut out {
            s.score -= s.matched as u8 as f32 - SuggestMatch::Fuzzy as u8 as f32;
            s.matched = SuggestMatch::Fuzzy;
        }
        out
    }

    /// The service halls nearest to a position, nearest first, with their
    /// distance — only those that handle `query.item` when it is given.
    pub fn nearest_halls(&self, query: &HallQuery) -> Result<Vec<NearbyHall>> {
        let item = match &query.item {
            Some(id) => Some(
                self.item(id)
                    .ok_or_else(|| Error::UnknownItem(id.clone()))?,
            ),
            None => None,
        };
        nearest_halls(&self.halls, &self.gazetteer, query, item)
    }

    /// Resolves a region given as a code or a name (广州, 广州市, 天河区, 羊城).
    pub fn resolve_region(&self, value: &str) -> Option<&Division> {
        self.region_names
            .resolve(&self.gazetteer, self.analyzer.normalizer(), value)
    }

    /// Resolves what a caller says about where the person is.
    pub fn resolve_location(&self, input: &LocationInput) -> Result<ResolvedLocation> {
        match input {
            LocationInput::Region(value) => self
                .resolve_region(value)
                .map(|d| ResolvedLocation::at(&self.gazetteer, d, LocationSource::Explicit))
                .ok_or_else(|| Error::InvalidRequest(Text::new("err-unknown-region"))),
            LocationInput::Position { lat, lng } => self.locate_position(*lat, *lng),
        }
    }

    /// Reverse-looks-up a phone's WGS-84 position to its district (and city).
    /// A position outside Guangdong resolves to the province with `outside`
    /// set, so ranking falls back to province-wide.
    pub fn locate_position(&self, lat: f64, lng: f64) -> Result<ResolvedLocation> {
        validate_position(lat, lng)?;
        let (lat, lng) = wgs84_to_gcj02(lat, lng);
        Ok(match self.locator.locate(&self.gazetteer, lat, lng) {
            Some(found) => {
                let mut location =
                    ResolvedLocation::at(&self.gazetteer, found.division, LocationSource::Position);
                location.distance_m = Some(found.distance_m.round());
                location
            }
            None => ResolvedLocation::outside(&self.gazetteer),
        })
    }

    /// Fingerprint of the inputs this engine was built from.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether a persisted index was reused instead of built.
    pub fn reused_index(&self) -> bool {
        self.reused_index
    }

    /// Number of documents in the index: one per distinct service text (the
    /// city variants of a service share one).
    pub fn index_size(&self) -> u64 {
        self.index.num_docs()
    }
}

fn open_or_build(
    root: &Path,
    fingerprint: &str,
    texts: &[ItemText],
    groups: &[Vec<u32>],
    analyzer: &QueryAnalyzer,
    progress: &mut dyn FnMut(BuildProgress),
) -> Result<(SearchIndex, bool)> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::IndexDir { path, source }
    };
    std::fs::create_dir_all(root).map_err(io(root))?;
    let target = root.join(fingerprint);
    if target.join("meta.json").exists() {
        match SearchIndex::open(&target) {
            Ok(index) if index.num_docs() == groups.len() as u64 => {
                progress(BuildProgress::Reused);
                return Ok((index, true));
            }
            _ => std::fs::remove_dir_all(&target).map_err(io(&target))?,
        }
    }
    // Build aside, then rename into place: a crash mid-build never leaves a
    // half-built index under the fingerprint's name.
    let staging = root.join(format!("{fingerprint}.building-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    let built = build(Some(&staging), texts, groups, analyzer, progress)?;
    drop(built);
    std::fs::rename(&staging, &target).map_err(io(&target))?;
    // Older snapshots are no longer needed; one in use by another process
    // stays readable on Unix until that process closes it.
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name != *fingerprint && !name.to_string_lossy().contains(".building-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    Ok((SearchIndex::open(&target)?, false))
}

/// The items of each text group, in catalogue order (group ids are dense,
/// numbered in order of first appearance).
fn group_items(texts: &[ItemText]) -> Vec<Vec<u32>> {
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for (ordinal, text) in texts.iter().enumerate() {
        let group = text.group as usize;
        if groups.len() <= group {
            groups.resize_with(group + 1, Vec::new);
        }
        groups[group].push(ordinal as u32);
    }
    groups
}

fn build(
    dir: Option<&Path>,
    texts: &[ItemText],
    groups: &[Vec<u32>],
    analyzer: &QueryAnalyzer,
    progress: &mut dyn FnMut(BuildProgress),
) -> Result<SearchIndex> {
    let total = groups.len();
    let segmenter = analyzer.segmenter();
    // Variants also share their region-specific text now and then: segment
    // each distinct text once.
    let mut segmented: HashMap<&str, Vec<String>> = HashMap::new();
    let docs = groups.iter().enumerate().filter_map(|(group, members)| {
        let first = &texts[*members.first()? as usize];
        let mut doc = IndexDocument {
            group: group as u64,
            ..IndexDocument::default()
        };
        doc.text[TextField::Title as usize] = segmenter.index_tokens(&first.title);
        doc.text[TextField::Alias as usize] = segmenter.index_tokens(&first.aliases);
        doc.text[TextField::Keyword as usize] = segmenter.index_tokens(&first.keywords);
        doc.text[TextField::Body as usize] = segmenter.index_tokens(&first.body);
        // The union of the variants' themes, departments and region names.
        let mut meta: Vec<String> = Vec::new();
        for &m in members {
            let text = texts[m as usize].meta.as_str();
            let tokens = segmented
                .entry(text)
                .or_insert_with(|| segmenter.index_tokens(text));
            meta.extend(tokens.iter().cloned());
        }
        meta.sort_unstable();
        meta.dedup();
        doc.text[TextField::Meta as usize] = meta;
        let mut chars: Vec<String> = [&first.title, &first.aliases, &first.keywords]
            .iter()
            .flat_map(|t| t.chars())
            .filter(|c| is_han(*c))
            .map(String::from)
            .collect();
        chars.sort();
        chars.dedup();
        doc.text[TextField::Chars as usize] = chars;
        Some(doc)
    });
    SearchIndex::build(dir, docs, total, &mut |done| {
        progress(BuildProgress::Indexing { done, total })
    })
}

/// The words queries are corrected into, with how much the catalogue uses
/// each (items weighted by popularity):
/// title words, titles, aliases, keywords, thesaurus terms, place names and
/// hot queries. Words that contain a banned word are left out.
fn correction_vocabulary(
    catalogue: &Catalogue,
    texts: &[ItemText],
    gazetteer: &Gazetteer,
    dictionaries: &Dictionaries,
    analyzer: &QueryAnalyzer,
) -> BTreeMap<String, u32> {
    let mut vocabulary: BTreeMap<String, u32> = BTreeMap::new();
    let mut add = |word: &str, count: u32| {
        if !analyzer.guard().is_banned(word) {
            *vocabulary.entry(word.to_string()).or_default() += count;
        }
    };
    let segmenter = analyzer.segmenter();
    // Each distinct text with the weight of every item using it (items
    // weighted by popularity, 1–6), so each text is segmented once.
    let mut uses: HashMap<&str, u32> = HashMap::new();
    for (item, text) in catalogue.items().iter().zip(texts) {
        let weight = 1 + (item.popularity() / 20.0) as u32;
        let values = std::iter::once(text.title.as_str())
            .chain(text.aliases.split(SEPARATOR))
            .chain(text.keywords.split(SEPARATOR))
            .filter(|v| !v.is_empty());
        for value in values {
            *uses.entry(value).or_default() += weight;
        }
    }
    for (value, weight) in uses {
        for token in segmenter.index_tokens(value) {
            add(&token, weight);
        }
        // Runs of two and three adjacent words, sub-words included
        // (身份证补领 in 居民身份证补领), and a word with the word after next
        // (驾驶证换证 in 驾驶证期满换证: people leave middle words out), so a
        // reading from pinyin or initials can take a whole phrase.
        let spans = segmenter.search_spans(value);
        for &(a_start, a_end) in &spans {
            for &(_, b_end) in spans.iter().filter(|(s, _)| *s == a_end) {
                add(&value[a_start..b_end], weight);
                for &(c_start, c_end) in spans.iter().filter(|(s, _)| *s == b_end) {
                    add(&value[a_start..c_end], weight);
                    add(
                        &format!("{}{}", &value[a_start..a_end], &value[c_start..c_end]),
                        weight,
                    );
                }
            }
        }
        add(value, weight);
    }
    let normalizer = analyzer.normalizer();
    for d in gazetteer.divisions() {
        add(&normalizer.normalize(&d.name), 5);
        add(&normalizer.normalize(&d.short_name), 5);
    }
    for term in analyzer.thesaurus().all_terms() {
        add(term, 2);
    }
    for (query, _) in &dictionaries.hot_queries {
        for token in segmenter.index_tokens(query) {
            add(&token, 1);
        }
        add(query, 2);
    }
    vocabulary
}

/// What autocomplete offers: item titles (aliases lead to them), thesaurus
/// terms and hot queries, never anything containing a banned word.
fn suggest_entries(
    catalogue: &Catalogue,
    texts: &[ItemText],
    dictionaries: &Dictionaries,
    analyzer: &QueryAnalyzer,
) -> Vec<SuggestEntry> {
    let guard = analyzer.guard();
    let mut entries = Vec::new();
    for (item, text) in catalogue.items().iter().zip(texts) {
        entries.push(SuggestEntry {
            text: text.title.clone(),
            aliases: text
                .aliases
                .split(SEPARATOR)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
            kind: SuggestionKind::Item,
            id: Some(item.id.clone()),
            popularity: item.popularity(),
        });
    }
    for term in analyzer.thesaurus().all_terms() {
        entries.push(SuggestEntry {
            text: term.to_string(),
            aliases: Vec::new(),
            kind: SuggestionKind::Term,
            id: None,
            popularity: 30.0,
        });
    }
    let max = dictionaries
        .hot_queries
        .iter()
        .map(|(_, c)| *c)
        .max()
        .unwrap_or(1)
        .max(2) as f32;
    for (query, count) in &dictionaries.hot_queries {
        entries.push(SuggestEntry {
            text: query.clone(),
            aliases: Vec::new(),
            kind: SuggestionKind::Query,
            id: None,
            popularity: 40.0 + 60.0 * (1.0 + *count as f32).ln() / max.ln(),
        });
    }
    entries.retain(|e| !guard.is_banned(&e.text));
    for e in &mut entries {
        e.aliases.retain(|a| !guard.is_banned(a));
    }
    entries
}
