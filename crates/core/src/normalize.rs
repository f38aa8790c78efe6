//! Stage 1 of the query pipeline: text normalisation.
//!
//! Every text the engine compares — queries, titles, dictionary entries — goes
//! through the same [`Normalizer`], so that full-width and half-width forms,
//! upper and lower case, and traditional and simplified characters meet.
//!
//! ```
//! let n = yuesou_core::Normalizer::new();
//! assert_eq!(n.normalize("戶籍遷移 ＡＢＣ１２３"), "户籍迁移 abc123");
//! ```

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use unicode_normalization::UnicodeNormalization;

/// Full-width → half-width (NFKC), case folding, traditional → simplified
/// Chinese, control characters removed and whitespace collapsed. A space
/// between two Chinese characters is dropped: Chinese does not separate
/// words with spaces, so `社保 查询` means `社保查询`. A-not-A questions
/// (正反问) keep the verb once: `停不停电` → `停电`, `可不可以` → `可以`.
pub struct Normalizer {
    t2s: Option<OpenCC>,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normalizer")
            .field("t2s", &self.t2s.is_some())
            .finish()
    }
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Normalizer {
    /// Builds a normaliser with the built-in traditional → simplified tables
    /// (OpenCC `t2s`, character and phrase level, without the regional
    /// vocabulary rewrites of `tw2sp`).
    pub fn new() -> Self {
        Normalizer {
            t2s: OpenCC::from_config(BuiltinConfig::T2s).ok(),
        }
    }

    /// Normalises one text.
    pub fn normalize(&self, text: &str) -> String {
        let mut folded = String::with_capacity(text.len());
        let mut last_space = true;
        for ch in text.nfkc() {
            if ch.is_whitespace() || ch.is_control() {
                if !last_space {
                    folded.push(' ');
                    last_space = true;
                }
                continue;
            }
            last_space = false;
            folded.extend(ch.to_lowercase());
        }
        if folded.ends_with(' ') {
            folded.pop();
        }
        let converted = match &self.t2s {
            Some(t2s) if folded.chars().any(is_han) => t2s.convert(&folded),
            _ => folded,
        };
        collapse_a_not_a(&join_han(&converted))
    }
}

/// Rewrites the A-not-A question form (A不A, A没A, and A不AB for two-character
/// verbs) to its verb: 停不停电 → 停电, 有没有 → 有, 知不知道 → 知道. The
/// question asks whether; the search is for the thing itself.
fn collapse_a_not_a(text: &str) -> String {
    if !text.contains(['不', '没']) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        out.push(chars[i]);
        let a_not_a = matches!(chars.get(i + 1), Some('不' | '没'))
            && chars.get(i + 2) == Some(&chars[i])
            && is_han(chars[i]);
        i += if a_not_a { 3 } else { 1 };
    }
    out
}

/// Drops every space that has a Chinese character on both sides.
pub(crate) fn join_han(text: &str) -> String {
    if !text.contains(' ') {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_han = c == ' '
            && i > 0
            && chars.get(i + 1).is_some_and(|n| is_han(*n))
            && is_han(chars[i - 1]);
        if !between_han {
            out.push(c);
        }
    }
    out
}

/// Whether a character is a CJK unified ideograph (the Chinese characters of
/// queries and titles).
pub fn is_han(ch: char) -> bool {
    matches!(ch as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_script() {
        let n = Normalizer::new();
        assert_eq!(n.normalize("ＳＨＥＢＡＯ"), "shebao");
        assert_eq!(n.normalize("戶籍遷移"), "户籍迁移");
        assert_eq!(n.normalize("社會保障卡補換"), "社会保障卡补换");
        assert_eq!(n.normalize("  驾驶证\t\n记分  "), "驾驶证记分");
        assert_eq!(n.normalize("hu kou 迁移"), "hu kou 迁移");
        assert_eq!(n.normalize("社保 ka 补换"), "社保 ka 补换");
        assert_eq!(n.normalize("查詢"), "查询");
    }

    #[test]
    fn a_not_a_questions_keep_the_verb_once() {
        let n = Normalizer::new();
        assert_eq!(n.normalize("明天停不停电"), "明天停电");
        assert_eq!(n.normalize("医院是不是正规的"), "医院是正规的");
        assert_eq!(n.normalize("有没有补贴"), "有补贴");
        assert_eq!(n.normalize("可不可以异地办"), "可以异地办");
        assert_eq!(n.normalize("不动产不予登记"), "不动产不予登记");
        assert_eq!(n.normalize("不不"), "不不");
    }

    #[test]
    fn drops_control_characters() {
        let n = Normalizer::new();
        assert_eq!(n.normalize("社保\u{0}\u{7}查询"), "社保查询");
        assert_eq!(n.normalize("a\u{0}b"), "a b");
    }

    #[test]
    fn recognises_han() {
        assert!(is_han('社'));
        assert!(!is_han('a'));
        assert!(!is_han('，'));
    }
}
