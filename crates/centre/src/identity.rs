//! Identity numbers and the providers that check them.
//!
//! - 居民身份号码 (GB 11643): 17 digits and a check character (`0`–`9`,
//!   `X`) from the ISO 7064 MOD 11-2 sum; digits 7–14 are the birth date and
//!   the 17th is odd for men, even for women.
//! - 统一社会信用代码 (GB 32100): 17 characters of `0-9A-HJ-NPQRTUWXY` and a
//!   check character from a weighted MOD 31 sum.
//! - Phone numbers: mainland mobiles, 11 digits starting with 1[3-9].
//!
//! [`IdentityProvider`] matches a name with an ID number (real-name
//! verification, L2) and [`FaceProvider`] checks a face sample (L3). The
//! development providers read fictitious demo identities from a data file
//! and decide deterministically from their input.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use time::Date;

use crate::error::{CentreError, Result};
use yuesou_messages::Text;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";
const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [usize; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A valid resident ID number (居民身份号码), upper-case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", mask_id_number(&self.0))
    }
}

/// 性别 — derived from the ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// 男
    Male,
    /// 女
    Female,
}

impl IdNumber {
    /// Parses and checks an ID number (GB 11643: format, birth date, check
    /// character). The error never repeats the input.
    pub fn parse(text: &str) -> Result<IdNumber> {
        let text = text.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 18
            && bytes[..17].iter().all(u8::is_ascii_digit)
            && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
        if !shape_ok {
            return Err(CentreError::invalid(
                "id_number",
                Text::new("err-id-number-format"),
            ));
        }
        let sum: u32 = bytes[..17]
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if ID_CHECK[(sum % 11) as usize] != bytes[17] {
            return Err(CentreError::invalid(
                "id_number",
                Text::new("err-id-number-check"),
            ));
        }
        let id = IdNumber(text);
        if id.birth_date().is_none() {
            return Err(CentreError::invalid(
                "id_number",
                Text::new("err-id-number-birth-date"),
            ));
        }
        Ok(id)
    }

    /// The number itself (personal data: never log it).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 出生日期 — digits 7–14.
    pub fn birth_date(&self) -> Option<Date> {
        let digits = self.0.get(6..14)?;
        let year: i32 = digits.get(0..4)?.parse().ok()?;
        let month: u8 = digits.get(4..6)?.parse().ok()?;
        let day: u8 = digits.get(6..8)?.parse().ok()?;
        let month = time::Month::try_from(month).ok()?;
        Date::from_calendar_date(year, month, day).ok()
    }

    /// 性别 — the 17th digit is odd for men.
    pub fn gender(&self) -> Gender {
        let digit = self.0.as_bytes().get(16).map(|b| b - b'0').unwrap_or(0);
        if digit % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The region code of registration (first six digits).
    pub fn region_code(&self) -> &str {
        self.0.get(..6).unwrap_or("")
    }

    /// The masked form shown to people (`4401**********123X`).
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

/// Masks an ID number: the first and last four characters stay.
pub fn mask_id_number(text: &str) -> String {
    mask_middle(text, 4, 4)
}

/// Masks a phone number: `138****0001`.
pub fn mask_phone(text: &str) -> String {
    mask_middle(text, 3, 4)
}

/// Masks a name: the first character stays (`陈**`), a two-character name
/// keeps its first (`陈*`).
pub fn mask_name(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

fn mask_middle(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
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

/// A mainland mobile number, 11 digits (`+86` / `86` prefixes and spaces or
/// dashes dropped).
pub fn parse_phone(text: &str) -> Result<String> {
    let digits: String = text
        .trim()
        .trim_start_matches('+')
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let digits = if digits.len() == 13 && digits.starts_with("86") {
        digits[2..].to_string()
    } else {
        digits
    };
    let b = digits.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(digits)
    } else {
        Err(CentreError::invalid("phone", Text::new("err-phone")))
    }
}

/// Checks a unified social credit code (统一社会信用代码, GB 32100) and
/// returns it upper-case.
pub fn parse_uscc(text: &str) -> Result<String> {
    let code = text.trim().to_ascii_uppercase();
    let values: Option<Vec<usize>> = code.chars().map(|c| USCC_CHARS.find(c)).collect();
    let Some(values) = values.filter(|v| v.len() == 18) else {
        return Err(CentreError::invalid("uscc", Text::new("err-uscc-format")));
    };
    let sum: usize = values[..17]
        .iter()
        .zip(USCC_WEIGHTS)
        .map(|(v, w)| v * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Err(CentreError::invalid("uscc", Text::new("err-uscc-check")));
    }
    Ok(code)
}

/// What an identity provider knows of a person once their name and ID
/// number match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    /// 姓名
    pub name: String,
    /// 身份号码
    pub id_number: IdNumber,
    /// 户 — household the person is registered in, if known.
    pub household: Option<String>,
    /// 户籍地址, if known.
    pub address: Option<String>,
}

/// Real-name verification (实名核验): matches a name with an ID number.
pub trait IdentityProvider: Send + Sync + std::fmt::Debug {
    /// The verified identity when the pair matches; `None` when it does not.
    fn verify(&self, name: &str, id_number: &IdNumber) -> Result<Option<VerifiedIdentity>>;

    /// The record of an identity already verified once (household facts,
    /// the demo seed); `None` when the provider does not say.
    fn record(&self, _id_number: &IdNumber) -> Option<VerifiedIdentity> {
        None
    }
}

/// Face verification (人脸核验) of the person holding `id_number`.
pub trait FaceProvider: Send + Sync + std::fmt::Debug {
    /// Whether `sample` shows a live face of that person.
    fn verify(&self, id_number: &IdNumber, sample: &str) -> Result<bool>;
}

#[derive(Deserialize)]
struct IdentityRow {
    id_number: String,
    name: String,
    #[serde(default)]
    household: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

/// The development identity provider: fictitious identities from a JSON
/// Lines file (`data/demo/identities.jsonl`).
#[derive(Debug, Default)]
pub struct DemoIdentities {
    people: HashMap<String, VerifiedIdentity>,
}

impl DemoIdentities {
    /// Reads the identities file; a row with a malformed ID number is an
    /// error naming its line.
    pub fn load(path: &Path) -> Result<DemoIdentities> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CentreError::Provider(format!("cannot read {}: {e}", path.display())))?;
        let mut people = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let row: IdentityRow = serde_json::from_str(line)
                .map_err(|e| CentreError::Provider(format!("{}:{}: {e}", path.display(), n + 1)))?;
            let id_number = IdNumber::parse(&row.id_number).map_err(|_| {
                CentreError::Provider(format!("{}:{}: invalid id_number", path.display(), n + 1))
            })?;
            people.insert(
                id_number.as_str().to_string(),
                VerifiedIdentity {
                    name: row.name,
                    id_number,
                    household: row.household,
                    address: row.address,
                },
            );
        }
        Ok(DemoIdentities { people })
    }

    /// Every identity (for seeding demo accounts).
    pub fn get(&self, id_number: &str) -> Option<&VerifiedIdentity> {
        self.people.get(id_number)
    }
}

impl IdentityProvider for DemoIdentities {
    fn verify(&self, name: &str, id_number: &IdNumber) -> Result<Option<VerifiedIdentity>> {
        Ok(self
            .people
            .get(id_number.as_str())
            .filter(|p| p.name == name.trim())
            .cloned())
    }

    fn record(&self, id_number: &IdNumber) -> Option<VerifiedIdentity> {
        self.people.get(id_number.as_str()).cloned()
    }
}

/// The development face provider: deterministic, so tests and demos can
/// choose the outcome. A sample that starts with `live` passes; anything
/// else (e.g. `spoof`) fails.
#[derive(Debug, Default)]
pub struct DemoFaces;

impl FaceProvider for DemoFaces {
    fn verify(&self, _id_number: &IdNumber, sample: &str) -> Result<bool> {
        Ok(sample.starts_with("live"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_checked_and_described() {
        let id = IdNumber::parse("44010419880520123x").unwrap();
        assert_eq!(id.as_str(), "44010419880520123X");
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(id.birth_date().unwrap().to_string(), "1988-05-20");
        assert_eq!(id.masked(), "4401**********123X");
        assert_eq!(
            IdNumber::parse("440305199208083329").unwrap().gender(),
            Gender::Female
        );
        // One digit off: the check character no longer matches.
        assert!(IdNumber::parse("44010419880520124X").is_err());
        assert!(IdNumber::parse("4401041988052012").is_err());
        // Right check character, impossible date (Feb 30).
        let err = IdNumber::parse(&with_check("44010419880230123")).unwrap_err();
        assert_eq!(err.text().id(), "err-id-number-birth-date", "{err}");
        // Errors never echo the number.
        assert!(
            !IdNumber::parse("44010419880520124X")
                .unwrap_err()
                .to_string()
                .contains("4401")
        );
        assert!(!format!("{id:?}").contains("19880520"));
    }

    fn with_check(b17: &str) -> String {
        let sum: u32 = b17
            .bytes()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        format!("{b17}{}", ID_CHECK[(sum % 11) as usize] as char)
    }

    #[test]
    fn credit_codes_phones_and_masks() {
        assert_eq!(
            parse_uscc("91440101ma5d8y2k35").unwrap(),
            "91440101MA5D8Y2K35"
        );
        assert!(parse_uscc("91440101MA5D8Y2K36").is_err());
        assert!(parse_uscc("91440101MA5D8Y2KI5").is_err());
        assert_eq!(parse_phone("+86 138-0000-0001").unwrap(), "13800000001");
        assert!(parse_phone("12800000001").is_err());
        assert!(parse_phone("1380000000").is_err());
        assert_eq!(mask_phone("13800000001"), "138****0001");
        assert_eq!(mask_name("陈嘉明"), "陈**");
    }

    #[test]
    fn demo_providers_match_name_and_number() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/identities.jsonl");
        let ids = DemoIdentities::load(&path).unwrap();
        let id = IdNumber::parse("44010419880520123X").unwrap();
        assert!(ids.verify("陈嘉明", &id).unwrap().is_some());
        assert!(ids.verify("陈嘉民", &id).unwrap().is_none());
        assert!(DemoFaces.verify(&id, "live-1").unwrap());
        assert!(!DemoFaces.verify(&id, "spoof").unwrap());
    }
}

/// Whether `text` holds something that identifies a person and must not be
/// kept in search history or shown in hot lists: a run of 11 or more digits
/// (phone, ID, bank card or account numbers), or an e-mail address —
/// however it is disguised:
///
/// - digits full-width (`１３８…`) or as Chinese numerals (`一三八…`,
///   `壹叁捌…`, `幺`, `两`, `〇`);
/// - separators between digits (spaces, `-`, `.`, `/`, `\`, `_`, `,`, `，`,
///   `。`, `·`, `、`) do not break a run, nor do invisible characters
///   (zero-width spaces and joiners, bidi marks), which are ignored;
/// - a final `X` of an ID number counts;
/// - `@` written as `(at)`, `[at]`, `{at}`, `（at）`, `＠` or ` at `, and `.`
///   as `(dot)`, `[dot]`, ` dot ` or `。`.
pub fn contains_personal_number(text: &str) -> bool {
    let mut run = 0usize;
    for c in text.chars() {
        if is_invisible(c) {
            continue;
        }
        let c = as_digit(c);
        if c.is_ascii_digit() {
            run += 1;
        } else if run > 0 && is_number_separator(c) {
            // Separators inside a number (138 0000 0001, 138.0000.0001,
            // 6222-0200-…) keep the count; the next character that is
            // neither a separator nor a digit ends the number.
        } else if run == 17 && (c == 'x' || c == 'X') {
            return true;
        } else {
            run = 0;
        }
        if run >= 11 {
            return true;
        }
    }
    looks_like_email(&undisguised_email(text))
}

/// A digit written full-width or as a Chinese numeral, as an ASCII digit;
/// full-width `X` and `-` as ASCII; anything else unchanged.
fn as_digit(c: char) -> char {
    match c {
        '０'..='９' | 'Ｘ' | 'ｘ' | '－' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '〇' | '零' => '0',
        '一' | '壹' | '幺' => '1',
        '二' | '贰' | '两' => '2',
        '三' | '叁' => '3',
        '四' | '肆' => '4',
        '五' | '伍' => '5',
        '六' | '陆' => '6',
        '七' | '柒' => '7',
        '八' | '捌' => '8',
        '九' | '玖' => '9',
        _ => c,
    }
}

/// Characters that may sit between the digits of a number people write.
fn is_number_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '.' | '/' | '\\' | '_' | ',' | '，' | '。' | '·' | '、' | '・' | '．' | '／'
        )
}

/// Characters that show nothing: zero-width spaces and joiners, word
/// joiners, the byte-order mark, bidi marks and controls.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{00AD}'
    )
}

/// `text` with disguised `@` and `.` written plainly and the spaces around
/// them dropped: `name (at) example dot cn` → `name@example.cn`.
fn undisguised_email(text: &str) -> String {
    let mut t: String = text
        .chars()
        .filter(|c| !is_invisible(*c))
        .flat_map(char::to_lowercase)
        .collect();
    for at in ["(at)", "[at]", "{at}", "（at）", "【at】", "＠", " at "] {
        t = t.replace(at, "@");
    }
    for dot in [
        "(dot)",
        "[dot]",
        "{dot}",
        "（dot）",
        "【dot】",
        " dot ",
        "。",
        "．",
    ] {
        t = t.replace(dot, ".");
    }
    let mut out = String::with_capacity(t.len());
    let chars: Vec<char> = t.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let next_is_mark = chars[i + 1..]
            .iter()
            .find(|c| !c.is_whitespace())
            .is_some_and(|c| matches!(c, '@' | '.'));
        let prev_is_mark = chars[..i]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            .is_some_and(|c| matches!(c, '@' | '.'));
        if c.is_whitespace() && (next_is_mark || prev_is_mark) {
            continue;
        }
        out.push(*c);
    }
    out
}

fn looks_like_email(text: &str) -> bool {
    text.split_whitespace().any(|word| {
        word.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
    })
}

#[cfg(test)]
mod personal_number_tests {
    use super::contains_personal_number;

    #[test]
    fn finds_numbers_that_identify_people() {
        for text in [
            "13800000001",
            "查 138 0000 0001 的社保",
            "44010619900307123X 户籍",
            "440106199003071238",
            "银行卡 6222-0200-1234-5678",
            "１３８０００００００１",
            "张三 zhang.san@example.com 投诉",
            "110101199003071",
            // Found by the bodies property test: `parse_phone` accepts these
            // (it drops every space and hyphen), so history must refuse them.
            "1  3000000000",
            "138 - 0000 - 0001",
            "+86 138--0000--0001",
            "44010419880520123 X",
            // Found by the outside test (security round 2).
            "138.0000.0001",
            "138/0000/0001",
            "1\u{200B}3\u{200B}8\u{200D}0000\u{2060}0001 社保",
            "一三八零零零零零零零一",
            "幺三八 〇〇〇〇 〇〇〇一",
            "壹叁捌零零零零零零零壹",
            "name(at)example.cn",
            "name [at] example [dot] cn",
            "name at example dot cn 投诉",
            "张三＠example。cn",
        ] {
            assert!(contains_personal_number(text), "{text}");
        }
    }

    #[test]
    fn leaves_ordinary_queries_alone() {
        for text in [
            "公积金提取",
            "2024年个税汇算",
            "12345热线",
            "粤B12345违章",
            "440100 社保",
            "1 2 3 4 5 6 7 8 9 0",
            "a@b",
            "社保 12345 67890",
            "一二三四五",
            "第三十二期",
            "2026.12.07 社保",
            "where to look at the map",
            "i am at home.",
        ] {
            assert!(!contains_personal_number(text), "{text}");
        }
    }
}
