//! 智能推荐 — services ranked for one person from what the platform knows
//! of them, each with a reason a person can read:
//!
//! 1. licences in the wallet: expiring or expired → their renewal service;
//!    every licence → the services it is for;
//! 2. applications: a draft to resume, one waiting for more material, a
//!    result just out;
//! 3. real-name facts: the life stage of the person's age (and gender), and
//!    living away from the household region (data file
//!    `data/recommend/life_stages.json`, re-read when it changes);
//! 4. recent searches, then where the person is and what everybody
//!    searches now.
//!
//! Anonymous people get 4 alone. Each service appears once, with its
//! strongest reason; the variant offered where the person is is chosen.
//! The home-screen categories are ordered by the same scores.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yuesou_centre::identity::Gender;
use yuesou_centre::{ApplicationStatus, ApplicationSummary, PersonFacts, Validity, WalletItem};
use yuesou_core::{Engine, LocationInput, SearchRequest, ServiceItem};

use crate::features::activity::HotEntry;
use crate::i18n::Text;
use crate::reload::data::DataFiles;

/// Popular services offered where the person is, considered.
const POPULAR_NEARBY: usize = 10;

/// Services recommended per wallet licence (its most popular related ones).
const RELATED_PER_LICENCE: usize = 2;

/// Why a service is recommended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// A licence in the wallet is expiring or expired: its renewal.
    LicenceExpiring,
    /// An application waits for more material (待补正).
    ApplicationWaiting,
    /// A draft application to resume.
    ApplicationDraft,
    /// An application's result is out.
    ApplicationResult,
    /// Searched recently.
    RecentSearch,
    /// The person's life stage (age, gender).
    LifeStage,
    /// Living away from the household region.
    AwayFromHousehold,
    /// A service a licence in the wallet is for.
    LicenceRelated,
    /// What people search now.
    HotSearch,
    /// Popular where the person is.
    PopularNearby,
}

impl ReasonKind {
    /// Base weight: stronger signals first.
    fn weight(self) -> f32 {
        match self {
            ReasonKind::LicenceExpiring => 100.0,
            ReasonKind::ApplicationWaiting => 95.0,
            ReasonKind::ApplicationDraft => 90.0,
            ReasonKind::ApplicationResult => 80.0,
            ReasonKind::RecentSearch => 60.0,
            ReasonKind::LifeStage => 55.0,
            ReasonKind::AwayFromHousehold => 50.0,
            ReasonKind::LicenceRelated => 40.0,
            ReasonKind::HotSearch => 30.0,
            ReasonKind::PopularNearby => 20.0,
        }
    }
}

/// One recommended service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendation {
    /// The item's id (the variant offered where the person is).
    pub id: String,
    /// 事项名称
    pub title: String,
    /// 分类
    pub category: String,
    /// 主题
    pub theme: String,
    /// Region code of the item.
    pub region_code: String,
    /// Why it is recommended, in the reader's language.
    pub reason: String,
    /// The reason as a message (rendered into `reason`).
    #[serde(skip)]
    #[schema(ignore)]
    pub reason_text: Text,
    /// The kind of reason.
    pub reason_kind: ReasonKind,
    /// The application it is about (resume, collect the result).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// The wallet licence it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence_id: Option<String>,
    /// Ranking score.
    pub score: f32,
}

/// Recommendations and the category order they imply.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendations {
    /// Best first.
    pub items: Vec<Recommendation>,
    /// The catalogue's categories, those that matter to this person first.
    pub categories: Vec<String>,
    /// The city the recommendations are for, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// For the person, when the place given is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The message as a message id (rendered into `message`).
    #[serde(skip)]
    #[schema(ignore)]
    pub message_text: Option<Text>,
}

/// What is known of the person asking.
#[derive(Debug, Default)]
pub struct Signals {
    /// Wallet licences.
    pub licences: Vec<WalletItem>,
    /// Applications, most recent first.
    pub applications: Vec<ApplicationSummary>,
    /// Real-name facts.
    pub facts: Option<PersonFacts>,
    /// Recent search queries, newest first.
    pub recent: Vec<String>,
    /// Where the person is (query parameters), else the household region.
    pub location: Option<LocationInput>,
}

/// One life-stage rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifeStage {
    /// Youngest age, included.
    pub min_age: i32,
    /// Oldest age, included.
    pub max_age: i32,
    /// Only for this gender (`male`, `female`), when set.
    #[serde(default)]
    pub gender: Option<String>,
    /// Service families (item ids without the region suffix).
    pub services: Vec<String>,
    /// The message id of the reason shown (in `data/messages/*/recommend.ftl`).
    pub reason: String,
}

/// Services for people living away from their household region.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwayRule {
    /// Service families.
    pub services: Vec<String>,
    /// The message id of the reason shown (its `city` variable is the
    /// city the person is in).
    pub reason: String,
}

/// The rules file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LifeStages {
    /// Rules by age.
    #[serde(default)]
    pub life_stages: Vec<LifeStage>,
    /// The away-from-household rule.
    #[serde(default)]
    pub away_from_household: Option<AwayRule>,
}

/// The rules file, re-read when it changes (none: no life-stage
/// recommendations).
pub type LifeStageFile = DataFiles<LifeStages, String>;

/// The rules at `path`; a file that fails to parse is an error.
pub fn life_stage_file(path: Option<PathBuf>) -> Result<LifeStageFile, String> {
    match path {
        None => Ok(DataFiles::fixed("life-stage rules", LifeStages::default())),
        Some(path) => DataFiles::load("life-stage rules", vec![path.clone()], move || {
            read_rules(&path)
        }),
    }
}

fn read_rules(path: &Path) -> Result<LifeStages, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// An item id without its region suffix (`xsjs-jzhz-440000` → `xsjs-jzhz`).
fn family_of(id: &str) -> &str {
    id.rsplit_once('-').map_or(id, |(family, _)| family)
}

struct Ranker<'e> {
    engine: &'e Engine,
    city_code: Option<String>,
    families: HashMap<&'e str, Vec<&'e ServiceItem>>,
    chosen: BTreeMap<String, Recommendation>,
}

impl<'e> Ranker<'e> {
    fn new(engine: &'e Engine, city_code: Option<String>) -> Self {
        let mut families: HashMap<&str, Vec<&ServiceItem>> = HashMap::new();
        for item in engine.catalogue().items() {
            families.entry(family_of(&item.id)).or_default().push(item);
        }
        Ranker {
            engine,
            city_code,
            families,
            chosen: BTreeMap::new(),
        }
    }

    /// The variant of `family` offered where the person is (the city's own,
    /// else one covering it), else — place unknown — the province-wide or
    /// most popular one.
    fn variant(&self, family: &str) -> Option<&'e ServiceItem> {
        let items = self.families.get(family)?;
        let gazetteer = self.engine.gazetteer();
        match &self.city_code {
            Some(city) => items
                .iter()
                .find(|i| &i.region_code == city)
                .or_else(|| {
                    items
                        .iter()
                        .find(|i| gazetteer.is_within(city, &i.region_code))
                })
                .copied(),
            None => items
                .iter()
                .find(|i| i.region_code.ends_with("0000"))
                .or_else(|| {
                    items
                        .iter()
                        .max_by(|a, b| a.popularity().total_cmp(&b.popularity()))
                })
                .copied(),
        }
    }

    /// Adds a recommendation of `item`; a service already chosen keeps its
    /// strongest reason.
    fn add(
        &mut self,
        item: &ServiceItem,
        kind: ReasonKind,
        reason: Text,
        about: (Option<String>, Option<String>),
    ) {
        let score = kind.weight() + item.popularity() / 100.0;
        let family = family_of(&item.id).to_string();
        if self.chosen.get(&family).is_some_and(|r| r.score >= score) {
            return;
        }
        self.chosen.insert(
            family,
            Recommendation {
                id: item.id.clone(),
                title: item.title.clone(),
                category: item.category.clone(),
                theme: item.theme.clone(),
                region_code: item.region_code.clone(),
                reason: String::new(),
                reason_text: reason,
                reason_kind: kind,
                application_id: about.0,
                licence_id: about.1,
                score,
            },
        );
    }

    fn add_family(
        &mut self,
        family: &str,
        kind: ReasonKind,
        reason: Text,
        about: (Option<String>, Option<String>),
    ) {
        if let Some(item) = self.variant(family) {
            self.add(item, kind, reason, about);
        }
    }

    /// The first hit of a search for `query` where the person is.
    fn top_hit(&self, query: &str, location: &Option<LocationInput>) -> Option<&'e ServiceItem> {
        let mut request = SearchRequest::new(query);
        request.size = 1;
        request.location = location.clone();
        let response = self.engine.search(&request).ok()?;
        if response.relaxed {
            return None;
        }
        self.engine.item(&response.hits.first()?.id)
    }
}

/// Ranks services for the person `signals` describe (anonymous when
/// empty); at most `limit`.
pub fn recommend(
    engine: &Engine,
    stages: &LifeStages,
    signals: &Signals,
    hot: &[HotEntry],
    limit: usize,
) -> Recommendations {
    let (located, message) = locate(engine, signals.location.as_ref());
    let city = located
        .as_ref()
        .and_then(|l| engine.gazetteer().city_of(&l.code));
    let city_code = city.map(|d| d.code.clone());
    let city_name = city.map(|d| d.name.clone());
    let mut ranker = Ranker::new(engine, city_code.clone());
    from_licences(&mut ranker, &signals.licences);
    from_applications(&mut ranker, engine, &signals.applications);
    if let Some(facts) = &signals.facts {
        from_life_stage(&mut ranker, stages, facts);
        away_from_household(&mut ranker, engine, stages, facts, city_code.as_deref());
    }
    from_searches(&mut ranker, signals, hot);
    popular_nearby(&mut ranker, city_name.as_deref());

    let mut items: Vec<Recommendation> = ranker.chosen.into_values().collect();
    items.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let categories = order_categories(engine, &items);
    items.truncate(limit);
    Recommendations {
        items,
        categories,
        city: city_name,
        message: None,
        message_text: message,
    }
}

/// Where the person is; a place the gazetteer does not know is said (the
/// message) and left out, as search does.
fn locate(
    engine: &Engine,
    input: Option<&LocationInput>,
) -> (Option<yuesou_core::ResolvedLocation>, Option<Text>) {
    let Some(input) = input else {
        return (None, None);
    };
    match engine.resolve_location(input) {
        Ok(location) => (Some(location), None),
        Err(_) => {
            let message = match input {
                LocationInput::Region(name) => {
                    Text::new("recommend-unknown-region").arg("region", name.as_str())
                }
                LocationInput::Position { .. } => Text::new("recommend-unknown-position"),
            };
            (None, Some(message))
        }
    }
}

/// Licences in the wallet: the renewal of those expiring, and each one's
/// most used services (a few, so a full wallet does not crowd out the
/// rest).
fn from_licences(ranker: &mut Ranker<'_>, licences: &[WalletItem]) {
    for licence in licences {
        let about = (None, Some(licence.id.clone()));
        if matches!(licence.validity, Validity::Expiring | Validity::Expired)
            && let Some(renewal) = &licence.renewal_service
        {
            // Cards are renewed (换证); certificates are issued anew.
            let renew = if licence.kind == "certificate" {
                "certificate"
            } else {
                "card"
            };
            let name = Text::new(crate::i18n::licence_type_id(&licence.type_code));
            let reason = match (licence.validity, licence.days_left) {
                (Validity::Expired, _) => Text::new("recommend-licence-expired"),
                (_, Some(days)) => Text::new("recommend-licence-expiring").arg("days", days),
                _ => Text::new("recommend-licence-expiring-soon"),
            }
            .arg("licence", name)
            .arg("kind", renew);
            ranker.add_family(
                family_of(renewal),
                ReasonKind::LicenceExpiring,
                reason,
                about.clone(),
            );
        }
        let mut related: Vec<&ServiceItem> = licence
            .related_services
            .iter()
            .filter_map(|id| ranker.variant(family_of(id)))
            .collect();
        related.sort_by(|a, b| b.popularity().total_cmp(&a.popularity()));
        for item in related.into_iter().take(RELATED_PER_LICENCE) {
            ranker.add(
                item,
                ReasonKind::LicenceRelated,
                Text::new("recommend-licence-related").arg(
                    "licence",
                    Text::new(crate::i18n::licence_type_id(&licence.type_code)),
                ),
                about.clone(),
            );
        }
    }
}

/// Applications waiting for the person: drafts to resume, 补正 to answer,
/// results to read.
fn from_applications(
    ranker: &mut Ranker<'_>,
    engine: &Engine,
    applications: &[ApplicationSummary],
) {
    for application in applications {
        let Some(item) = engine.item(&application.item_id) else {
            continue;
        };
        let about = (Some(application.id.clone()), None);
        let (kind, reason) = match application.status {
            ApplicationStatus::Draft => (
                ReasonKind::ApplicationDraft,
                Text::new("recommend-application-draft")
                    .arg("done", application.current_step.min(application.step_count))
                    .arg("count", application.step_count.max(1)),
            ),
            ApplicationStatus::Waiting => (
                ReasonKind::ApplicationWaiting,
                Text::new("recommend-application-waiting"),
            ),
            ApplicationStatus::Completed => (
                ReasonKind::ApplicationResult,
                Text::new("recommend-application-result"),
            ),
            _ => continue,
        };
        ranker.add(item, kind, reason, about);
    }
}

/// Services of the person's life stage (age and gender from real-name
/// data).
fn from_life_stage(ranker: &mut Ranker<'_>, stages: &LifeStages, facts: &PersonFacts) {
    for stage in &stages.life_stages {
        let gender_ok = match stage.gender.as_deref() {
            Some("male") => facts.gender == Gender::Male,
            Some("female") => facts.gender == Gender::Female,
            _ => true,
        };
        if (stage.min_age..=stage.max_age).contains(&facts.age) && gender_ok {
            for family in &stage.services {
                ranker.add_family(
                    family,
                    ReasonKind::LifeStage,
                    Text::new(stage.reason.clone()),
                    (None, None),
                );
            }
        }
    }
}

/// Services for people living away from their household's city (居住证 …).
fn away_from_household(
    ranker: &mut Ranker<'_>,
    engine: &Engine,
    stages: &LifeStages,
    facts: &PersonFacts,
    city_code: Option<&str>,
) {
    let household_city = format!("{}00", facts.household_region.get(..4).unwrap_or(""));
    if let (Some(away), Some(here)) = (&stages.away_from_household, city_code)
        && *here != household_city
        && let Some(division) = engine.gazetteer().division(here)
    {
        let reason = Text::new(away.reason.clone()).arg("city", division.name.as_str());
        for family in &away.services {
            ranker.add_family(
                family,
                ReasonKind::AwayFromHousehold,
                reason.clone(),
                (None, None),
            );
        }
    }
}

/// The person's recent searches and what everyone searches.
fn from_searches(ranker: &mut Ranker<'_>, signals: &Signals, hot: &[HotEntry]) {
    for query in signals.recent.iter().take(3) {
        if let Some(item) = ranker.top_hit(query, &signals.location) {
            ranker.add(
                item,
                ReasonKind::RecentSearch,
                Text::new("recommend-recent-search").arg("query", query.as_str()),
                (None, None),
            );
        }
    }
    for entry in hot.iter().take(5) {
        if let Some(item) = ranker.top_hit(&entry.query, &signals.location) {
            ranker.add(
                item,
                ReasonKind::HotSearch,
                Text::new("recommend-hot-search").arg("query", entry.query.as_str()),
                (None, None),
            );
        }
    }
}

/// Popular where the person is (or province-wide), one per service.
fn popular_nearby(ranker: &mut Ranker<'_>, city_name: Option<&str>) {
    let reason = city_name.map_or_else(
        || Text::new("recommend-popular"),
        |c| Text::new("recommend-popular-in").arg("city", c),
    );
    let mut popular: Vec<&ServiceItem> = ranker
        .families
        .keys()
        .filter_map(|family| ranker.variant(family))
        .collect();
    popular.sort_by(|a, b| {
        b.popularity()
            .total_cmp(&a.popularity())
            .then_with(|| a.id.cmp(&b.id))
    });
    for item in popular.into_iter().take(POPULAR_NEARBY) {
        ranker.add(
            item,
            ReasonKind::PopularNearby,
            reason.clone(),
            (None, None),
        );
    }
}

/// The catalogue's categories (in catalogue order), those holding the
/// highest-scored recommendations first.
fn order_categories(engine: &Engine, items: &[Recommendation]) -> Vec<String> {
    let mut order: Vec<(String, f32, usize)> = Vec::new();
    for item in engine.catalogue().items() {
        if !order.iter().any(|(c, _, _)| *c == item.category) {
            let position = order.len();
            order.push((item.category.clone(), 0.0, position));
        }
    }
    for r in items {
        if let Some(entry) = order.iter_mut().find(|(c, _, _)| *c == r.category) {
            entry.1 += r.score;
        }
    }
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    order.into_iter().map(|(c, _, _)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_drop_the_region() {
        assert_eq!(family_of("xsjs-jzhz-440000"), "xsjs-jzhz");
        assert_eq!(family_of("plain"), "plain");
    }

    #[test]
    fn the_bundled_rules_parse() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/recommend/life_stages.json");
        let rules = read_rules(&path).unwrap();
        assert!(rules.life_stages.len() >= 5);
        assert!(rules.away_from_household.is_some());
        for stage in &rules.life_stages {
            assert!(stage.min_age <= stage.max_age);
            assert!(!stage.services.is_empty() && !stage.reason.is_empty());
        }
    }
}
