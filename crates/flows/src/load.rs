//! [`Flows`]: everything under `data/flows/` loaded into one immutable value
//! — the hand-authored flows, the derivation rule's data and the 免证办
//! material table — so that a daemon can build a new one on a change and
//! swap it in, keeping the old one when the new files are refused.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::derive::{ItemFacts, audience_of, derive_flow, family_of};
use crate::model::Flow;
use crate::parse::{Report, check_wallet_refs, parse_flow};
use crate::rules::{MaterialTable, Rules};

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (as given under the loaded directory), e.g. `data/flows/services/x.json`.
    pub file: PathBuf,
    /// Where in the file and why, e.g. `step 2 field "monthly_rent": decimals must be 0, 1 or 2`.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.reason)
    }
}

/// The flows could not be loaded (or a cross-check failed): every problem
/// found, one `file: reason` per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

fn problems_of(file: &Path, r: Report) -> impl Iterator<Item = Problem> + '_ {
    r.reasons.into_iter().map(move |reason| Problem {
        file: file.to_path_buf(),
        reason,
    })
}

/// Every flow of `data/flows/`: immutable once loaded.
#[derive(Debug, Clone)]
pub struct Flows {
    authored: BTreeMap<String, Flow>,
    rules: Rules,
    materials: MaterialTable,
}

fn read(path: &Path, problems: &mut Vec<Problem>) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) => {
            problems.push(Problem {
                file: path.to_path_buf(),
                reason: format!("cannot read: {e}"),
            });
            None
        }
    }
}

impl Flows {
    /// Loads `services/*.json`, `materials.json` and `derive.json` from `dir`
    /// (the `data/flows` directory), strictly: unknown keys, bad values, a
    /// broken step order, repeated names or slots, `when` conditions on
    /// anything but an earlier `choice`/`yes_no` field and option, patterns
    /// that do not compile, bad date bounds … are all refused, every one
    /// named with its file. Hidden files (`.name`) in `services/` are
    /// ignored; any other non-`.json` file there is a problem.
    ///
    /// The licence types behind `wallet_types` live with the wallet; check
    /// them with [`Flows::check_wallet_types`]; catalogue facts with
    /// [`Flows::check_catalogue`].
    pub fn load(dir: impl AsRef<Path>) -> Result<Flows, LoadError> {
        let dir = dir.as_ref();
        let mut problems = Vec::new();

        let materials_path = dir.join("materials.json");
        let materials = read(&materials_path, &mut problems).and_then(|text| {
            let mut r = Report::default();
            let table = MaterialTable::parse(&mut r, &text);
            problems.extend(problems_of(&materials_path, r));
            table
        });

        let derive_path = dir.join("derive.json");
        let rules = read(&derive_path, &mut problems).and_then(|text| {
            let mut r = Report::default();
            let rules = Rules::parse(&mut r, &text);
            problems.extend(problems_of(&derive_path, r));
            rules
        });

        let services = dir.join("services");
        let mut names = Vec::new();
        match std::fs::read_dir(&services) {
            Ok(entries) => {
                for entry in entries {
                    match entry {
                        Ok(e) => names.push(e.file_name().to_string_lossy().into_owned()),
                        Err(e) => problems.push(Problem {
                            file: services.clone(),
                            reason: format!("cannot list: {e}"),
                        }),
                    }
                }
            }
            Err(e) => problems.push(Problem {
                file: services.clone(),
                reason: format!("cannot list: {e}"),
            }),
        }
        names.sort();
        let mut authored = BTreeMap::new();
        for name in names.iter().filter(|n| !n.starts_with('.')) {
            let path = services.join(name);
            let Some(family) = name.strip_suffix(".json") else {
                problems.push(Problem {
                    file: path,
                    reason: "not a .json file".to_owned(),
                });
                continue;
            };
            let Some(text) = read(&path, &mut problems) else {
                continue;
            };
            let mut r = Report::default();
            match serde_json::from_str::<Value>(&text) {
                Err(e) => r.add("", format!("not JSON: {e}")),
                Ok(v) => {
                    if let Some(flow) = parse_flow(&mut r, &v, true) {
                        if flow.service != family {
                            r.add(
                                "",
                                format!("service {:?} differs from the file name", flow.service),
                            );
                        }
                        if let Some(table) = &materials {
                            for m in flow.steps.iter().flat_map(|s| s.materials()) {
                                if table.get(&m.name).is_some() && m.wallet_types.is_empty() {
                                    r.add(
                                        "",
                                        format!("material {:?} has wallet types in materials.json but none here", m.name),
                                    );
                                }
                            }
                        }
                        if r.is_empty() {
                            authored.insert(family.to_owned(), flow);
                        }
                    }
                }
            }
            problems.extend(problems_of(&path, r));
        }

        match (rules, materials) {
            (Some(rules), Some(materials)) if problems.is_empty() => Ok(Flows {
                authored,
                rules,
                materials,
            }),
            _ => Err(LoadError { problems }),
        }
    }

    /// The hand-authored flow of a family (`gjj-zftq`).
    pub fn authored(&self, family: &str) -> Option<&Flow> {
        self.authored.get(family)
    }

    /// The families with a hand-authored flow, sorted.
    pub fn families(&self) -> impl Iterator<Item = &str> {
        self.authored.keys().map(String::as_str)
    }

    /// The flow derived from the item's catalogue steps and materials
    /// (`data/flows/README.md` § 派生规则), whatever its family.
    pub fn derive(&self, item: &ItemFacts) -> Flow {
        derive_flow(item, &self.rules, &self.materials)
    }

    /// The flow of a 办理 item: its family's hand-authored flow, or the one
    /// derived from the item. `None` for an item of another service type
    /// (查询, 预约 … have no 办理 flow).
    pub fn for_item(&self, item: &ItemFacts) -> Option<Cow<'_, Flow>> {
        if item.service_type != "办理" {
            return None;
        }
        Some(match self.authored.get(family_of(&item.id)) {
            Some(flow) => Cow::Borrowed(flow),
            None => Cow::Owned(self.derive(item)),
        })
    }

    /// Checks every wallet reference — materials' `wallet_types` and
    /// `disclose` in the hand-authored flows and in `materials.json`, result
    /// `wallet_type`s there and in `derive.json` — against the licence types
    /// the wallet knows: type code → its field names.
    pub fn check_wallet_types(
        &self,
        licences: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<(), LoadError> {
        let mut problems = Vec::new();
        for (family, flow) in &self.authored {
            let mut r = Report::default();
            check_wallet_refs(&mut r, flow, licences);
            problems.extend(problems_of(
                &PathBuf::from(format!("services/{family}.json")),
                r,
            ));
        }
        let mut r = Report::default();
        self.materials.check_wallet_refs(&mut r, licences);
        problems.extend(problems_of(Path::new("materials.json"), r));
        let mut r = Report::default();
        self.rules.check_wallet_refs(&mut r, licences);
        problems.extend(problems_of(Path::new("derive.json"), r));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(LoadError { problems })
        }
    }

    /// Checks the hand-authored flows against the catalogue's 办理 items:
    /// each family has an item, and the flow's title and audience are the
    /// catalogue's. Items of other service types are ignored.
    pub fn check_catalogue<'a>(
        &self,
        items: impl IntoIterator<Item = &'a ItemFacts>,
    ) -> Result<(), LoadError> {
        let mut first: BTreeMap<&str, &ItemFacts> = BTreeMap::new();
        for item in items.into_iter().filter(|i| i.service_type == "办理") {
            first.entry(family_of(&item.id)).or_insert(item);
        }
        let mut problems = Vec::new();
        for (family, flow) in &self.authored {
            let file = PathBuf::from(format!("services/{family}.json"));
            let mut reason = |r: String| {
                problems.push(Problem {
                    file: file.clone(),
                    reason: r,
                })
            };
            let Some(item) = first.get(family.as_str()) else {
                reason(format!(
                    "no 办理 item of family {family:?} in the catalogue"
                ));
                continue;
            };
            if flow.title != item.title {
                reason(format!(
                    "title {:?} differs from the catalogue's {:?}",
                    flow.title, item.title
                ));
            }
            let want = audience_of(&item.audience);
            if flow.audience != want {
                reason(format!(
                    "audience {:?} but the catalogue says {:?}",
                    flow.audience.as_str(),
                    want.as_str()
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(LoadError { problems })
        }
    }
}

impl Flow {
    /// Reads and checks a flow in the API shape (as [`Flow`] serialises; a
    /// `"format": 1` key is allowed), e.g. a flow stored with an application.
    /// The error lists every problem as `where: reason`.
    pub fn from_json(value: &Value) -> Result<Flow, Vec<String>> {
        let mut r = Report::default();
        match parse_flow(&mut r, value, false) {
            Some(flow) if r.is_empty() => Ok(flow),
            _ => Err(r.reasons),
        }
    }
}
