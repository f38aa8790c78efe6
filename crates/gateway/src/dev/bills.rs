//! Development bills (缴费): per subject and bill kind, a few bills that
//! change with the month — last months' electricity and water, traffic
//! fines, annual 城乡居民医保/养老 contributions and 车船税 — and top-up
//! offers (燃气, 粤通卡). Kinds come from `data/records/bills.json` (its
//! format is in `data/records/README.md` § bills.json).
//!
//! A bill id carries what is needed to make the bill again (kind, period,
//! a hash of the account, an index and a check), so `settle` can check
//! the amount without storing the bills.

use std::path::Path;

use serde::Deserialize;
use time::{Date, Duration};

use super::rng::{Rng, hash_hex};
use super::words::{City, mask};
use crate::clock::{format_date, month_index, month_start, month_text, parse_date};
use crate::kinds::LoadError;
use crate::model::{Bill, BillStatus, Bills, SubjectRef, TopUp, is_code};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AccountKind {
    /// A customer number (户号).
    Customer,
    /// Each of the subject's vehicles.
    Plate,
    /// The person's ID number.
    IdNumber,
    /// A card number (粤通卡).
    Card,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum Cycle {
    Monthly {
        months: u32,
        min_fen: i64,
        max_fen: i64,
        #[serde(default)]
        round_fen: Option<i64>,
        due_day: u8,
        unpaid_chance: f64,
    },
    Annual {
        amounts: Vec<i64>,
        #[serde(default)]
        weights: Option<Vec<f64>>,
        open_months: [u8; 2],
        next_year: bool,
        due: String,
        unpaid_chance: f64,
    },
    Event {
        count: [u32; 2],
        amounts: Vec<i64>,
        #[serde(default)]
        weights: Option<Vec<f64>>,
        due_after_days: u32,
        within_days: u32,
    },
    TopUp {
        min_fen: i64,
        max_fen: i64,
        step_fen: i64,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BillKind {
    code: String,
    title: String,
    payee: String,
    departments: Vec<String>,
    account: AccountKind,
    description: String,
    cycle: Cycle,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BillsFile {
    format: u32,
    #[allow(dead_code)]
    #[serde(default)]
    note: String,
    kinds: Vec<BillKind>,
}

/// The bill kinds of the development gateway (none by default).
#[derive(Debug, Clone, Default)]
pub struct DevBillKinds {
    kinds: Vec<BillKind>,
}

impl DevBillKinds {
    /// Loads and checks `data/records/bills.json`.
    pub fn load(path: &Path) -> Result<DevBillKinds, LoadError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError::new(&name, format!("cannot read: {e}")))?;
        DevBillKinds::parse(&name, &text)
    }

    /// Parses and checks a bills file.
    pub fn parse(file: &str, text: &str) -> Result<DevBillKinds, LoadError> {
        let parsed: BillsFile =
            serde_json::from_str(text).map_err(|e| LoadError::new(file, e.to_string()))?;
        if parsed.format != 1 {
            return Err(LoadError::new(file, "format is not 1"));
        }
        let mut seen = std::collections::HashSet::new();
        for kind in &parsed.kinds {
            let fail =
                |reason: &str| LoadError::new(file, format!("bill kind {}: {reason}", kind.code));
            if !is_code(&kind.code) || kind.code.contains('.') || !seen.insert(kind.code.clone()) {
                return Err(fail("code must be a unique ^[a-z][a-z0-9_]{1,39}$"));
            }
            let chance_ok = |p: f64| (0.0..=1.0).contains(&p);
            let weights_ok = |w: &Option<Vec<f64>>, n: usize| {
                w.as_ref().is_none_or(|w| {
                    w.len() == n && w.iter().all(|x| *x >= 0.0) && w.iter().sum::<f64>() > 0.0
                })
            };
            let ok = match &kind.cycle {
                Cycle::Monthly {
                    months,
                    min_fen,
                    max_fen,
                    round_fen,
                    due_day,
                    unpaid_chance,
                } => {
                    (1..=24).contains(months)
                        && 0 < *min_fen
                        && min_fen <= max_fen
                        && round_fen.is_none_or(|r| r >= 1)
                        && (1..=28).contains(due_day)
                        && chance_ok(*unpaid_chance)
                }
                Cycle::Annual {
                    amounts,
                    weights,
                    open_months: [a, b],
                    due,
                    unpaid_chance,
                    ..
                } => {
                    !amounts.is_empty()
                        && amounts.iter().all(|x| *x > 0)
                        && weights_ok(weights, amounts.len())
                        && (1..=12).contains(a)
                        && a <= b
                        && *b <= 12
                        && parse_date(&format!("2000-{due}")).is_some()
                        && chance_ok(*unpaid_chance)
                }
                Cycle::Event {
                    count: [lo, hi],
                    amounts,
                    weights,
                    within_days,
                    ..
                } => {
                    lo <= hi
                        && *hi <= 20
                        && !amounts.is_empty()
                        && amounts.iter().all(|x| *x > 0)
                        && weights_ok(weights, amounts.len())
                        && *within_days >= 1
                }
                Cycle::TopUp {
                    min_fen,
                    max_fen,
                    step_fen,
                } => {
                    *step_fen >= 1
                        && 0 < *min_fen
                        && min_fen <= max_fen
                        && min_fen % step_fen == 0
                        && max_fen % step_fen == 0
                }
            };
            if !ok {
                return Err(fail("cycle values out of range"));
            }
        }
        Ok(DevBillKinds {
            kinds: parsed.kinds,
        })
    }

    /// Kind codes a department has: by exact name or code, or when the
    /// department's name contains one of the kind's names.
    pub fn codes_for_department(&self, department: &str) -> Vec<&str> {
        let department = department.trim();
        self.kinds
            .iter()
            .filter(|k| {
                k.departments.iter().any(|d| {
                    d == department || (d.chars().count() >= 2 && department.contains(d.as_str()))
                })
            })
            .map(|k| k.code.as_str())
            .collect()
    }

    fn get(&self, code: &str) -> Option<&BillKind> {
        self.kinds.iter().find(|k| k.code == code)
    }

    /// Whether a bill kind code exists.
    pub fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    /// The kind codes, in file order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().map(|k| k.code.as_str())
    }
}

/// Who pays and where.
pub(crate) struct Payer<'a> {
    pub(crate) subject: &'a SubjectRef,
    pub(crate) home: &'a City,
    pub(crate) plates: &'a [String],
    pub(crate) today: Date,
}

/// One account a kind bills: its value and how it is shown.
struct Account {
    hash: String,
    shown: String,
    plate: Option<String>,
}

fn accounts(kind: &BillKind, payer: &Payer<'_>, typed: Option<&str>) -> Vec<Account> {
    let seed = payer.subject.seed_key();
    let make = |value: &str, shown: String, plate: Option<String>| Account {
        hash: hash_hex(&["bill-unit", &kind.code, value], 6),
        shown,
        plate,
    };
    match kind.account {
        AccountKind::Customer | AccountKind::Card => {
            let value = match typed {
                Some(t) => t.to_owned(),
                None => {
                    let mut rng = Rng::new(&["account", &seed, &kind.code]);
                    if kind.account == AccountKind::Card {
                        format!("4401{}", rng.digits(16))
                    } else {
                        format!("0{}", rng.digits(11))
                    }
                }
            };
            let shown = mask(
                &value,
                if kind.account == AccountKind::Card {
                    4
                } else {
                    2
                },
                4,
            );
            vec![make(&value, shown, None)]
        }
        AccountKind::Plate => {
            let plates: Vec<String> = match typed {
                Some(t) => vec![t.to_owned()],
                None => payer.plates.to_vec(),
            };
            plates
                .into_iter()
                .map(|p| make(&p, mask(&p, 2, 2), Some(p.clone())))
                .collect()
        }
        AccountKind::IdNumber => match payer.subject {
            SubjectRef::Person { id_number, .. } => {
                vec![make(id_number, mask(id_number, 4, 4), None)]
            }
            _ => Vec::new(),
        },
    }
}

fn fill(template: &str, home: &City, period: &str, plate: Option<&str>) -> String {
    template
        .replace("{city}", &home.name)
        .replace("{short}", &home.short)
        .replace("{period}", period)
        .replace("{plate}", plate.unwrap_or(""))
}

fn mac(code: &str, period_key: &str, unit: &str, index: &str) -> String {
    hash_hex(&["dev-bill", code, period_key, unit, index], 4)
}

fn amount(kind: &BillKind, unit: &str, period_key: &str, index: &str) -> i64 {
    let mut rng = Rng::new(&["bill", &kind.code, unit, period_key, index]);
    match &kind.cycle {
        Cycle::Monthly {
            min_fen,
            max_fen,
            round_fen,
            ..
        } => {
            let round = round_fen.unwrap_or(1).max(1);
            rng.range(min_fen.div_euclid(round).max(1), max_fen.div_euclid(round)) * round
        }
        Cycle::Annual {
            amounts, weights, ..
        }
        | Cycle::Event {
            amounts, weights, ..
        } => amounts[rng.weighted(amounts.len(), weights.as_deref())],
        Cycle::TopUp { .. } => 0,
    }
}

/// Whether a generated bill is already paid (before any settlement).
fn generated_paid(kind: &BillKind, unit: &str, period_key: &str, index: &str, today: Date) -> bool {
    let mut rng = Rng::new(&["bill-status", &kind.code, unit, period_key, index]);
    match &kind.cycle {
        Cycle::Monthly { unpaid_chance, .. } => {
            let Some(month) = period_key
                .get(..4)
                .zip(period_key.get(4..6))
                .and_then(|(y, m)| Some(y.parse::<i32>().ok()? * 12 + m.parse::<i32>().ok()? - 1))
            else {
                return true;
            };
            match month_index(today) - 1 - month {
                0 => !rng.chance(*unpaid_chance),
                1 => !rng.chance(unpaid_chance / 5.0),
                _ => true,
            }
        }
        Cycle::Annual { unpaid_chance, .. } => {
            let open = annual_open(kind, today);
            open.is_none_or(|year| period_key != year.to_string()) || !rng.chance(*unpaid_chance)
        }
        Cycle::Event { .. } => false,
        Cycle::TopUp { .. } => false,
    }
}

/// The year an annual kind is collecting for today, if its window is open.
fn annual_open(kind: &BillKind, today: Date) -> Option<i32> {
    match &kind.cycle {
        Cycle::Annual {
            open_months: [a, b],
            next_year,
            ..
        } => {
            let month = u8::from(today.month());
            (*a <= month && month <= *b).then_some(today.year() + i32::from(*next_year))
        }
        _ => None,
    }
}

fn due_of_annual(due: &str, year: i32) -> Option<Date> {
    parse_date(&format!("{year:04}-{due}")).or_else(|| parse_date(&format!("{year:04}-02-28")))
}

/// The bills and top-ups of the chosen kinds.
pub(crate) fn bills_for(
    kinds: &DevBillKinds,
    codes: &[&str],
    payer: &Payer<'_>,
    typed: Option<&str>,
) -> Bills {
    let mut out = Bills::default();
    for code in codes {
        let Some(kind) = kinds.get(code) else {
            continue;
        };
        for account in accounts(kind, payer, typed) {
            bills_of_account(kind, &account, payer, &mut out);
        }
    }
    out
}

fn bills_of_account(kind: &BillKind, account: &Account, payer: &Payer<'_>, out: &mut Bills) {
    let unit = account.hash.as_str();
    let plate = account.plate.as_deref();
    let today = payer.today;
    let mut push = |period_key: String,
                    index: usize,
                    period: Option<String>,
                    shown_period: &str,
                    due: Date| {
        let index = index.to_string();
        let paid = generated_paid(kind, unit, &period_key, &index, today);
        out.bills.push(Bill {
            bill_id: format!(
                "{}.{period_key}.{unit}.{index}.{}",
                kind.code,
                mac(&kind.code, &period_key, unit, &index)
            ),
            kind: kind.code.clone(),
            title: kind.title.clone(),
            payee: fill(&kind.payee, payer.home, shown_period, plate),
            account: account.shown.clone(),
            amount_fen: amount(kind, unit, &period_key, &index),
            due,
            period,
            description: fill(&kind.description, payer.home, shown_period, plate),
            status: if paid {
                BillStatus::Paid
            } else {
                BillStatus::Unpaid
            },
        });
    };
    match &kind.cycle {
        Cycle::Monthly {
            months, due_day, ..
        } => {
            for k in 0..*months as i32 {
                let m = month_index(today) - 1 - k;
                let text = month_text(m);
                let key = text.replace('-', "");
                let shown = format!("{}年{}月", m.div_euclid(12), m.rem_euclid(12) + 1);
                let due = month_start(m + 1)
                    .and_then(|d| d.replace_day(*due_day).ok())
                    .unwrap_or(today);
                push(key, 0, Some(text), &shown, due);
            }
        }
        Cycle::Annual { next_year, due, .. } => {
            let (year, collected_in) = match annual_open(kind, today) {
                Some(year) => (year, today.year()),
                // Out of season: last collection, paid.
                None => (today.year(), today.year() - i32::from(*next_year)),
            };
            let shown = format!("{year}年度");
            let due = due_of_annual(due, collected_in).unwrap_or(today);
            push(year.to_string(), 0, Some(shown.clone()), &shown, due);
        }
        Cycle::Event {
            count: [lo, hi],
            due_after_days,
            within_days,
            ..
        } => {
            let mut rng = Rng::new(&["events", &kind.code, unit, &month_text(month_index(today))]);
            let n = rng.range(i64::from(*lo), i64::from(*hi));
            for j in 0..n as usize {
                // Anchored to the month's first day: stable for the whole month.
                let anchor = month_start(month_index(today)).unwrap_or(today);
                let date = anchor - Duration::days(rng.range(1, i64::from(*within_days)));
                let text = format_date(date);
                push(
                    text.replace('-', ""),
                    j,
                    Some(text.clone()),
                    &text,
                    date + Duration::days(i64::from(*due_after_days)),
                );
            }
        }
        Cycle::TopUp {
            min_fen,
            max_fen,
            step_fen,
        } => {
            out.top_ups.push(TopUp {
                top_up_id: format!(
                    "{}.topup.{unit}.0.{}",
                    kind.code,
                    mac(&kind.code, "topup", unit, "0")
                ),
                kind: kind.code.clone(),
                title: kind.title.clone(),
                payee: fill(&kind.payee, payer.home, "", plate),
                account: account.shown.clone(),
                min_fen: *min_fen,
                max_fen: *max_fen,
                step_fen: *step_fen,
                description: fill(&kind.description, payer.home, "", plate),
            });
        }
    }
}

/// What settling an id must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payable {
    /// A bill of this amount, paid already or not.
    Bill { amount_fen: i64, paid: bool },
    /// A top-up within these bounds.
    TopUp {
        min_fen: i64,
        max_fen: i64,
        step_fen: i64,
    },
}

/// Makes the payable of an id again; `None` for an id that is not ours.
pub(crate) fn payable(
    kinds: &DevBillKinds,
    id: &str,
    top_up: bool,
    today: Date,
) -> Option<Payable> {
    let parts: Vec<&str> = id.split('.').collect();
    let [code, period_key, unit, index, check] = parts.as_slice() else {
        return None;
    };
    if mac(code, period_key, unit, index) != *check {
        return None;
    }
    let kind = kinds.get(code)?;
    match (&kind.cycle, top_up) {
        (
            Cycle::TopUp {
                min_fen,
                max_fen,
                step_fen,
            },
            true,
        ) if *period_key == "topup" => Some(Payable::TopUp {
            min_fen: *min_fen,
            max_fen: *max_fen,
            step_fen: *step_fen,
        }),
        (Cycle::TopUp { .. }, _) | (_, true) => None,
        _ => Some(Payable::Bill {
            amount_fen: amount(kind, unit, period_key, index),
            paid: generated_paid(kind, unit, period_key, index, today),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const BILLS: &str = r#"{"format": 1, "kinds": [
      {"code": "electricity", "title": "电费", "payee": "广东电网有限责任公司{short}供电局",
       "departments": ["广东电网有限责任公司", "广东电网"], "account": "customer", "description": "{period} 居民生活用电",
       "cycle": {"type": "monthly", "months": 3, "min_fen": 4500, "max_fen": 58000, "due_day": 25, "unpaid_chance": 0.75}},
      {"code": "gas", "title": "燃气充值", "payee": "{city}燃气有限公司", "departments": ["燃气公司"],
       "account": "customer", "description": "IC 卡燃气表充值",
       "cycle": {"type": "top_up", "min_fen": 1000, "max_fen": 200000, "step_fen": 100}},
      {"code": "medical_insurance", "title": "城乡居民医保", "payee": "国家税务总局{city}税务局",
       "departments": ["税务局"], "account": "id_number", "description": "{period} 城乡居民基本医疗保险费",
       "cycle": {"type": "annual", "amounts": [40000], "open_months": [9, 12], "next_year": true, "due": "12-31", "unpaid_chance": 0.5}}]}"#;

    #[test]
    fn ids_round_trip_to_the_same_amount() {
        let kinds = DevBillKinds::parse("t", BILLS).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            kinds.codes_for_department("广东电网有限责任公司"),
            vec!["electricity"]
        );
        let subject = SubjectRef::person("44010419880520123X", "陈嘉明");
        let home = City {
            code: "440100".into(),
            name: "广州市".into(),
            short: "广州".into(),
            districts: vec!["天河区".into()],
            area_code: "020".into(),
        };
        let payer = Payer {
            subject: &subject,
            home: &home,
            plates: &[],
            today: date!(2026 - 10 - 15),
        };
        let codes: Vec<&str> = kinds.codes().collect();
        let bills = bills_for(&kinds, &codes, &payer, None);
        assert_eq!(bills.bills.len(), 4);
        assert_eq!(bills.top_ups.len(), 1);
        for bill in &bills.bills {
            assert!(crate::model::is_token(&bill.bill_id), "{}", bill.bill_id);
            let again = payable(&kinds, &bill.bill_id, false, payer.today);
            assert_eq!(
                again,
                Some(Payable::Bill {
                    amount_fen: bill.amount_fen,
                    paid: bill.status == BillStatus::Paid
                }),
                "{}",
                bill.bill_id
            );
        }
        let medical = bills.bills.iter().find(|b| b.kind == "medical_insurance");
        assert_eq!(
            medical.map(|b| (b.period.clone(), b.account.clone())),
            Some((Some("2027年度".into()), "4401**********123X".into()))
        );
        assert!(
            payable(
                &kinds,
                "electricity.202601.abcdef012345.0.00000000",
                false,
                payer.today
            )
            .is_none()
        );
        let top_up = &bills.top_ups[0];
        assert!(matches!(
            payable(&kinds, &top_up.top_up_id, true, payer.today),
            Some(Payable::TopUp { .. })
        ));
        assert!(payable(&kinds, &top_up.top_up_id, false, payer.today).is_none());
        assert!(
            DevBillKinds::parse("t", &BILLS.replace("\"due_day\": 25", "\"due_day\": 31")).is_err()
        );
    }
}
