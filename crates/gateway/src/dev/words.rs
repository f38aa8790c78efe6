//! Plausible Chinese words for development data (data/dev-words.json in
//! this crate): cities, districts, names, organisations, plates.

use std::sync::OnceLock;

use serde::Deserialize;

use super::rng::Rng;

/// A prefecture-level city of Guangdong.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct City {
    /// First four digits of its division code.
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) short: String,
    /// Plate prefix, e.g. 粤A.
    pub(crate) plate: String,
    pub(crate) districts: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Words {
    #[allow(dead_code)]
    format: u32,
    #[allow(dead_code)]
    note: String,
    pub(crate) cities: Vec<City>,
    surnames: Vec<String>,
    given: Vec<String>,
    org_names: Vec<String>,
    org_suffixes: Vec<String>,
    plate_letters: String,
}

const WORDS_JSON: &str = include_str!("../../data/dev-words.json");

impl Words {
    /// The built-in words (checked by this module's tests).
    pub(crate) fn builtin() -> &'static Words {
        static WORDS: OnceLock<Words> = OnceLock::new();
        WORDS.get_or_init(|| {
            serde_json::from_str(WORDS_JSON).unwrap_or_else(|e| panic!("data/dev-words.json: {e}"))
        })
    }

    /// The home city of a subject: by the ID number's division prefix when
    /// it is in Guangdong, otherwise one chosen by the seed.
    pub(crate) fn home_city(&self, id_prefix: &str, seed: &str) -> &City {
        let prefix = id_prefix.get(..4).unwrap_or("");
        self.cities
            .iter()
            .find(|c| c.code == prefix)
            .or_else(|| Rng::new(&["home", seed]).pick(&self.cities))
            .unwrap_or(&self.cities[0])
    }

    pub(crate) fn name(&self, rng: &mut Rng) -> String {
        let mut name = rng.pick(&self.surnames).cloned().unwrap_or_default();
        let given = if rng.chance(0.7) { 2 } else { 1 };
        for _ in 0..given {
            name.push_str(rng.pick(&self.given).map_or("", String::as_str));
        }
        name
    }

    pub(crate) fn org(&self, rng: &mut Rng, city: &City) -> String {
        format!(
            "{}{}{}",
            city.short,
            rng.pick(&self.org_names).map_or("", String::as_str),
            rng.pick(&self.org_suffixes).map_or("", String::as_str)
        )
    }

    /// A plate of the city: five characters, at most two letters, or a new
    /// energy plate (D or F and five digits).
    pub(crate) fn plate(&self, rng: &mut Rng, city: &City) -> String {
        let letters: Vec<char> = self.plate_letters.chars().collect();
        let mut plate = city.plate.clone();
        if rng.chance(0.15) {
            plate.push(if rng.chance(0.8) { 'D' } else { 'F' });
            plate.push_str(&rng.digits(5));
            return plate;
        }
        let mut letters_used = 0;
        for _ in 0..5 {
            if letters_used < 2 && rng.chance(0.25) {
                plate.push(*rng.pick(&letters).unwrap_or(&'A'));
                letters_used += 1;
            } else {
                plate.push_str(&rng.digits(1));
            }
        }
        plate
    }

    /// Fills a template's placeholders. `{city}` is the home city most of
    /// the time; `{district}` is in the same city as `{city}`.
    pub(crate) fn render(
        &self,
        template: &str,
        rng: &mut Rng,
        home: &City,
        plate: Option<&str>,
    ) -> String {
        let city = if rng.chance(0.75) {
            home
        } else {
            rng.pick(&self.cities).unwrap_or(home)
        };
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
                "short" => out.push_str(&city.short),
                "district" => out.push_str(rng.pick(&city.districts).map_or("", String::as_str)),
                "n4" => out.push_str(&rng.digits(4)),
                "name" => out.push_str(&self.name(rng)),
                "org" => out.push_str(&self.org(rng, city)),
                "plate" => match plate {
                    Some(p) => out.push_str(p),
                    None => out.push_str(&self.plate(rng, city)),
                },
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

    #[test]
    fn builtin_words_load() {
        let w = Words::builtin();
        assert_eq!(w.cities.len(), 21);
        let gz = w.home_city("440104", "s");
        assert_eq!(gz.name, "广州市");
        let mut rng = Rng::new(&["t"]);
        for _ in 0..50 {
            let plate = w.plate(&mut rng, gz);
            assert!(plate.starts_with("粤A"));
            assert!(
                plate.chars().count() == 7 || plate.chars().count() == 8,
                "{plate}"
            );
        }
        let text = w.render(
            "{city}{district}{n4}号 {name} {org} {plate} {x}",
            &mut rng,
            gz,
            Some("粤A12345"),
        );
        assert!(text.contains("粤A12345") && text.contains("{x}"), "{text}");
    }

    #[test]
    fn masking() {
        assert_eq!(mask("44010419880520123X", 4, 4), "4401**********123X");
        assert_eq!(mask("粤B12345", 2, 2), "粤B***45");
        assert_eq!(mask("12", 2, 2), "12");
    }
}
