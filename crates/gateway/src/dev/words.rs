//! The words development data is made of: `data/records/dev_words.json`
//! (surnames, given-name characters, roads, organisation name parts, area
//! codes, plate characters) and the gazetteer's cities with their
//! county-level divisions (`data/divisions.jsonl`), or towns for 东莞 and
//! 中山, which have none (`data/towns.jsonl`). Also the filling of template
//! placeholders (`data/records/README.md` § Templates).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::rng::Rng;
use crate::kinds::LoadError;

/// A prefecture-level city of Guangdong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct City {
    /// Division code, e.g. `440100`.
    pub(crate) code: String,
    /// 广州市.
    pub(crate) name: String,
    /// 广州.
    pub(crate) short: String,
    /// County-level divisions (or towns).
    pub(crate) districts: Vec<String>,
    /// Telephone area code, e.g. `020`.
    pub(crate) area_code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    format: u32,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    surnames: Vec<String>,
    given_chars: Vec<String>,
    roads: Vec<String>,
    org_names: Vec<String>,
    org_trades: Vec<String>,
    org_forms: Vec<String>,
    area_codes: BTreeMap<String, String>,
    plate_chars: String,
}

/// One line of the gazetteer (only the members used here).
#[derive(Deserialize)]
struct Division {
    code: String,
    name: String,
    short_name: String,
    level: String,
    parent_code: String,
}

/// The development gateway's word lists and cities.
#[derive(Debug, Clone)]
pub struct DevWords {
    pub(crate) cities: Vec<City>,
    surnames: Vec<String>,
    given: Vec<String>,
    roads: Vec<String>,
    org_names: Vec<String>,
    org_trades: Vec<String>,
    org_forms: Vec<String>,
    plate_chars: Vec<char>,
}

/// What the placeholders of one value are filled from.
pub(crate) struct Place<'a> {
    /// The value's city.
    pub(crate) city: &'a City,
    /// `{department}`.
    pub(crate) department: &'a str,
    /// `{theme}`.
    pub(crate) theme: &'a str,
    /// `{item}`.
    pub(crate) item: &'a str,
    /// The current year (the last `{year}`).
    pub(crate) year: i32,
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path)
        .map_err(|e| LoadError::new(&path.display().to_string(), format!("cannot read: {e}")))
}

impl DevWords {
    /// Loads `records/dev_words.json`, `divisions.jsonl` and `towns.jsonl`
    /// of a data directory (the repository's `data/`).
    pub fn from_data_dir(data: &Path) -> Result<DevWords, LoadError> {
        DevWords::load(
            &data.join("records/dev_words.json"),
            &data.join("divisions.jsonl"),
            &data.join("towns.jsonl"),
        )
    }

    /// Loads the words file and the gazetteer files.
    pub fn load(words: &Path, divisions: &Path, towns: &Path) -> Result<DevWords, LoadError> {
        DevWords::parse(&read(words)?, &read(divisions)?, &read(towns)?)
    }

    /// Parses the words file's JSON and the gazetteer's JSON Lines.
    pub fn parse(words: &str, divisions: &str, towns: &str) -> Result<DevWords, LoadError> {
        let file = "dev_words.json";
        let parsed: WordsFile =
            serde_json::from_str(words).map_err(|e| LoadError::new(file, e.to_string()))?;
        if parsed.format != 1 {
            return Err(LoadError::new(file, "format is not 1"));
        }
        for (key, list) in [
            ("surnames", &parsed.surnames),
            ("given_chars", &parsed.given_chars),
            ("roads", &parsed.roads),
            ("org_names", &parsed.org_names),
            ("org_trades", &parsed.org_trades),
            ("org_forms", &parsed.org_forms),
        ] {
            if list.len() < 3 || list.iter().any(|w| w.trim().is_empty()) {
                return Err(LoadError::new(
                    file,
                    format!("`{key}` must list at least 3 non-empty words"),
                ));
            }
        }
        let plate_chars: Vec<char> = parsed.plate_chars.chars().collect();
        let plate_ok = plate_chars.len() >= 20
            && plate_chars
                .iter()
                .all(|c| (c.is_ascii_uppercase() && *c != 'I' && *c != 'O') || c.is_ascii_digit())
            && plate_chars.iter().any(char::is_ascii_digit);
        if !plate_ok {
            return Err(LoadError::new(
                file,
                "`plate_chars` must list plate serial characters (digits and letters but I and O)",
            ));
        }
        let lines = |text: &str, name: &str| -> Result<Vec<Division>, LoadError> {
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str::<Division>(l)
                        .map_err(|e| LoadError::new(name, format!("line {}: {e}", i + 1)))
                })
                .collect()
        };
        let divisions = lines(divisions, "divisions.jsonl")?;
        let towns = lines(towns, "towns.jsonl")?;
        let mut cities = Vec::new();
        for city in divisions.iter().filter(|d| d.level == "city") {
            let mut districts: Vec<String> = divisions
                .iter()
                .filter(|d| d.level == "county" && d.parent_code == city.code)
                .map(|d| d.name.clone())
                .collect();
            if districts.is_empty() {
                districts = towns
                    .iter()
                    .filter(|t| t.parent_code == city.code)
                    .map(|t| t.name.clone())
                    .collect();
            }
            let fail = |what: &str| LoadError::new(file, format!("city {}: {what}", city.code));
            if districts.is_empty() {
                return Err(fail("has neither county-level divisions nor towns"));
            }
            let area_code = parsed
                .area_codes
                .get(&city.code)
                .ok_or_else(|| fail("has no area code in `area_codes`"))?;
            let area_ok = (3..=4).contains(&area_code.len())
                && area_code.starts_with('0')
                && area_code.bytes().all(|c| c.is_ascii_digit());
            if !area_ok {
                return Err(fail("area code must be 0 and 2–3 digits"));
            }
            cities.push(City {
                code: city.code.clone(),
                name: city.name.clone(),
                short: city.short_name.clone(),
                districts,
                area_code: area_code.clone(),
            });
        }
        if cities.is_empty() {
            return Err(LoadError::new("divisions.jsonl", "no cities"));
        }
        Ok(DevWords {
            cities,
            surnames: parsed.surnames,
            given: parsed.given_chars,
            roads: parsed.roads,
            org_names: parsed.org_names,
            org_trades: parsed.org_trades,
            org_forms: parsed.org_forms,
            plate_chars,
        })
    }

    /// The city of a region code: the city itself, or the city a county
    /// belongs to; `None` for the province (or an unknown code).
    pub(crate) fn city_of(&self, region_code: &str) -> Option<&City> {
        let prefix = region_code.get(..4)?;
        self.cities.iter().find(|c| c.code.starts_with(prefix))
    }

    /// A city drawn from `rng`.
    pub(crate) fn any_city(&self, rng: &mut Rng) -> &City {
        rng.pick(&self.cities).unwrap_or(&self.cities[0])
    }

    /// The home city of a subject: by the identifier's division prefix when
    /// it is in Guangdong, otherwise one chosen by the seed.
    pub(crate) fn home_city(&self, id_prefix: &str, seed: &str) -> &City {
        let prefix = id_prefix.get(..4).unwrap_or("");
        self.cities
            .iter()
            .find(|c| c.code.starts_with(prefix) && prefix.len() == 4)
            .unwrap_or_else(|| self.any_city(&mut Rng::new(&["home", seed])))
    }

    fn word<'a>(&self, rng: &mut Rng, list: &'a [String]) -> &'a str {
        rng.pick(list).map_or("", String::as_str)
    }

    fn name(&self, rng: &mut Rng) -> String {
        let mut name = self.word(rng, &self.surnames).to_owned();
        let given = if rng.chance(0.7) { 2 } else { 1 };
        for _ in 0..given {
            name.push_str(self.word(rng, &self.given));
        }
        name
    }

    /// Five plate characters with at most two letters.
    fn plate(&self, rng: &mut Rng) -> String {
        let digits: Vec<char> = self
            .plate_chars
            .iter()
            .copied()
            .filter(char::is_ascii_digit)
            .collect();
        let mut letters = 0;
        let mut out = String::with_capacity(5);
        for _ in 0..5 {
            let mut c = *rng.pick(&self.plate_chars).unwrap_or(&'0');
            if c.is_ascii_uppercase() {
                if letters == 2 {
                    c = *rng.pick(&digits).unwrap_or(&'0');
                } else {
                    letters += 1;
                }
            }
            out.push(c);
        }
        out
    }

    /// Fills a template's placeholders; each occurrence draws on its own,
    /// all in the place's city.
    pub(crate) fn render(&self, template: &str, rng: &mut Rng, place: &Place<'_>) -> String {
        if !template.contains('{') {
            return template.to_owned();
        }
        let city = place.city;
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            match &after[..close] {
                "city" => out.push_str(&city.name),
                "district" => out.push_str(self.word(rng, &city.districts)),
                "road" => out.push_str(self.word(rng, &self.roads)),
                "num" => out.push_str(&rng.range(1, 99).to_string()),
                "n2" => out.push_str(&rng.digits(2)),
                "n4" => out.push_str(&rng.range(1000, 9999).to_string()),
                "year" => out.push_str(&rng.range(2000, i64::from(place.year)).to_string()),
                "plate" => out.push_str(&self.plate(rng)),
                "name" => out.push_str(&self.name(rng)),
                "masked_name" => {
                    out.push_str(self.word(rng, &self.surnames));
                    out.push_str("**");
                }
                "org" => {
                    out.push_str(&city.short);
                    out.push_str(self.word(rng, &self.org_names));
                    out.push_str(self.word(rng, &self.org_trades));
                    out.push_str(self.word(rng, &self.org_forms));
                }
                "brand" => out.push_str(self.word(rng, &self.org_names)),
                "phone" => {
                    out.push_str(&city.area_code);
                    out.push('-');
                    out.push_str(&rng.range(2, 8).to_string());
                    out.push_str(&rng.digits(7));
                }
                "department" => out.push_str(place.department),
                "theme" => out.push_str(place.theme),
                "item" => out.push_str(place.item),
                other => {
                    out.push('{');
                    out.push_str(other);
                    out.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// An item's title without the first of the README's endings it has
/// (出入境证件办理进度查询 → 出入境证件, 律师查询 → 律师).
pub(crate) fn item_name(title: &str) -> &str {
    ["办理进度查询", "进度查询", "成绩查询", "信息查询", "查询"]
        .iter()
        .find_map(|ending| title.strip_suffix(ending))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(title)
}

/// Masks the middle of an identifier, keeping `head` and `tail` characters.
pub(crate) fn mask(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return text.to_owned();
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: &str = r#"{"format": 1, "surnames": ["陈", "李", "黄"], "given_chars": ["嘉", "明", "晓"],
      "roads": ["中山路", "人民路", "解放路"], "org_names": ["恒通", "粤华", "嘉信"],
      "org_trades": ["科技", "贸易", "物流"], "org_forms": ["有限公司", "有限公司", "股份有限公司"],
      "area_codes": {"440100": "020", "441900": "0769"}, "plate_chars": "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"}"#;
    const DIVISIONS: &str = r#"{"code":"440000","name":"广东省","short_name":"广东","level":"province","parent_code":""}
{"code":"440100","name":"广州市","short_name":"广州","level":"city","parent_code":"440000"}
{"code":"440106","name":"天河区","short_name":"天河","level":"county","parent_code":"440100"}
{"code":"441900","name":"东莞市","short_name":"东莞","level":"city","parent_code":"440000"}"#;
    const TOWNS: &str = r#"{"code":"441900003","name":"东城街道","short_name":"东城","level":"town","parent_code":"441900"}"#;

    fn words() -> DevWords {
        DevWords::parse(WORDS, DIVISIONS, TOWNS).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn cities_come_from_the_gazetteer() {
        let w = words();
        assert_eq!(w.cities.len(), 2);
        assert_eq!(w.city_of("440106").map(|c| c.name.as_str()), Some("广州市"));
        assert_eq!(w.city_of("440000"), None);
        let dongguan = w.city_of("441900");
        assert_eq!(
            dongguan.map(|c| c.districts.clone()),
            Some(vec!["东城街道".to_owned()])
        );
        assert_eq!(w.home_city("440104", "s").name, "广州市");
        let bad = WORDS.replace("\"441900\": \"0769\"", "\"441900\": \"769\"");
        assert!(DevWords::parse(&bad, DIVISIONS, TOWNS).is_err());
        let extra = WORDS.replace("\"format\": 1", "\"format\": 1, \"cities\": []");
        assert!(DevWords::parse(&extra, DIVISIONS, TOWNS).is_err());
    }

    #[test]
    fn templates_fill_every_placeholder_in_one_city() {
        let w = words();
        let Some(gz) = w.city_of("440100") else {
            panic!("no 广州")
        };
        let place = Place {
            city: gz,
            department: "广州住房公积金管理中心",
            theme: "公积金",
            item: "住房公积金缴存明细",
            year: 2026,
        };
        let mut rng = Rng::new(&["t"]);
        for _ in 0..200 {
            let text = w.render("{city}|{district}|{phone}|{org}|{plate}|{masked_name}|{num}|{n2}|{n4}|{year}|{department}{theme}{item}", &mut rng, &place);
            let parts: Vec<&str> = text.split('|').collect();
            assert_eq!(parts[0], "广州市");
            assert_eq!(parts[1], "天河区");
            assert!(
                parts[2].starts_with("020-") && parts[2].len() == 12,
                "{text}"
            );
            assert!(parts[3].starts_with("广州"));
            let letters = parts[4].chars().filter(char::is_ascii_uppercase).count();
            assert!(parts[4].chars().count() == 5 && letters <= 2, "{text}");
            assert!(parts[5].ends_with("**"));
            assert!(parts[6].parse::<u32>().is_ok_and(|n| (1..=99).contains(&n)));
            assert_eq!(parts[7].len(), 2);
            assert!(
                parts[8]
                    .parse::<u32>()
                    .is_ok_and(|n| (1000..=9999).contains(&n))
            );
            assert!(
                parts[9]
                    .parse::<i32>()
                    .is_ok_and(|y| (2000..=2026).contains(&y))
            );
            assert_eq!(parts[10], "广州住房公积金管理中心公积金住房公积金缴存明细");
        }
    }

    #[test]
    fn item_names_lose_one_ending() {
        assert_eq!(item_name("出入境证件办理进度查询"), "出入境证件");
        assert_eq!(item_name("普通高考成绩查询"), "普通高考");
        assert_eq!(item_name("律师查询"), "律师");
        assert_eq!(item_name("本地天气"), "本地天气");
        assert_eq!(item_name("查询"), "查询");
    }

    #[test]
    fn masking() {
        assert_eq!(mask("44010419880520123X", 4, 4), "4401**********123X");
        assert_eq!(mask("粤B12345", 2, 2), "粤B***45");
        assert_eq!(mask("12", 2, 2), "12");
    }
}
