//! What the corrector answers: a [`Correction`] and its [`CorrectionKind`]s,
//! and the flag bits a reading collects on the way (one bit per kind).

use serde::Serialize;

/// How a stretch of the query was corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CorrectionKind {
    /// Typed as full pinyin.
    Pinyin,
    /// Typed as pinyin initials.
    Initials,
    /// Fuzzy pinyin (accent confusions) or a pinyin letter typo.
    FuzzyPinyin,
    /// A character that sounds like the intended one (同音/近音字).
    Homophone,
    /// A character that looks like the intended one (形近字).
    Shape,
    /// One character wrong in a longer word (edit distance).
    Edit,
}

/// A query rewritten into vocabulary words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    /// The normalised query as typed.
    pub original: String,
    /// The rewritten query.
    pub corrected: String,
    /// What kinds of rewriting were involved.
    pub kinds: Vec<CorrectionKind>,
    /// Words read from sound (pinyin or homophones) with the other
    /// vocabulary words that sound the same (积分 → 记分): the ranking lets
    /// the catalogue decide between them.
    #[serde(skip)]
    pub homophones: Vec<(String, Vec<String>)>,
}

impl Correction {
    /// Whether the query was typed (at least partly) as pinyin rather than
    /// mistyped.
    pub fn is_pinyin_input(&self) -> bool {
        self.kinds.iter().all(|k| {
            matches!(
                k,
                CorrectionKind::Pinyin | CorrectionKind::Initials | CorrectionKind::FuzzyPinyin
            )
        })
    }
}

/// No correction: the stretch matched as typed.
pub(super) const EXACT: u8 = 0;
/// [`CorrectionKind::Pinyin`].
pub(super) const PINYIN: u8 = 1;
/// [`CorrectionKind::Initials`].
pub(super) const INITIALS: u8 = 2;
/// [`CorrectionKind::FuzzyPinyin`].
pub(super) const FUZZY: u8 = 4;
/// [`CorrectionKind::Homophone`].
pub(super) const HOMOPHONE: u8 = 8;
/// [`CorrectionKind::Shape`].
pub(super) const SHAPE: u8 = 16;
/// [`CorrectionKind::Edit`].
pub(super) const EDIT: u8 = 32;

/// The kinds whose bits are set in `flags`, in [`CorrectionKind`] order.
pub(super) fn kinds(flags: u8) -> Vec<CorrectionKind> {
    [
        (PINYIN, CorrectionKind::Pinyin),
        (INITIALS, CorrectionKind::Initials),
        (FUZZY, CorrectionKind::FuzzyPinyin),
        (HOMOPHONE, CorrectionKind::Homophone),
        (SHAPE, CorrectionKind::Shape),
        (EDIT, CorrectionKind::Edit),
    ]
    .into_iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, k)| k)
    .collect()
}
