//! Query frames (语义框架): who a request is for and what about them
//! matters — the relative it names (爸妈, 孩子, 老婆 …), which way a
//! household registration moves (父母投靠子女 is not 子女投靠父母), whom a
//! service is done for (给爸妈), an age or age band (八十五岁, 满60周岁,
//! 3岁以下, 九旬), driving-licence points (12分) and amounts (两千块).
//!
//! The words come from `dictionaries/frames.tsv` ([`FrameLexicon`]); a
//! frame is read from the normalised query ([`FrameLexicon::read`]) and
//! matched against the structured eligibility of catalogue items
//! ([`Eligibility`], 适用对象) by the rank stage: a frame boosts and
//! explains, it never hides a literal match (see docs/RANKING.md).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use serde::{Deserialize, Serialize};

/// A relative (or the searcher) a query names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Relation {
    /// 父母, 爸妈.
    Parent,
    /// 子女, 孩子.
    Child,
    /// 配偶, 老婆, 老公.
    Spouse,
    /// 祖父母, 爷爷奶奶, 外公外婆.
    Grandparent,
    /// 孙子女.
    Grandchild,
    /// An old person of the family (老人, 长辈).
    Elder,
    /// A baby (婴儿, 宝宝, 新生儿).
    Infant,
    /// The searcher (我, 本人).
    #[serde(rename = "self")]
    Myself,
}

impl Relation {
    /// The relation named in `frames.tsv`.
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "parent" => Relation::Parent,
            "child" => Relation::Child,
            "spouse" => Relation::Spouse,
            "grandparent" => Relation::Grandparent,
            "grandchild" => Relation::Grandchild,
            "elder" => Relation::Elder,
            "infant" => Relation::Infant,
            "self" => Relation::Myself,
            _ => return None,
        })
    }

    /// The relation the searcher has to this one's relative: the child of
    /// a parent one moves to (投靠父母: the child moves).
    fn inverse(self) -> Self {
        match self {
            Relation::Parent | Relation::Elder => Relation::Child,
            Relation::Child | Relation::Infant => Relation::Parent,
            Relation::Grandparent => Relation::Grandchild,
            Relation::Grandchild => Relation::Grandparent,
            Relation::Spouse => Relation::Spouse,
            Relation::Myself => Relation::Myself,
        }
    }

    /// The relation an item's eligibility names for this one (an elder of
    /// the family is a parent to move or support; a baby is a child).
    fn broad(self) -> Self {
        match self {
            Relation::Elder => Relation::Parent,
            Relation::Infant => Relation::Child,
            other => other,
        }
    }

    /// The ages a relative of this relation has, when the query says none.
    fn implied_ages(self) -> Option<AgeBand> {
        match self {
            Relation::Grandparent | Relation::Elder => Some(AgeBand {
                min: 60,
                max: MAX_AGE,
            }),
            Relation::Infant => Some(AgeBand { min: 0, max: 3 }),
            _ => None,
        }
    }

    /// Its name in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Parent => "parent",
            Relation::Child => "child",
            Relation::Spouse => "spouse",
            Relation::Grandparent => "grandparent",
            Relation::Grandchild => "grandchild",
            Relation::Elder => "elder",
            Relation::Infant => "infant",
            Relation::Myself => "self",
        }
    }
}

/// The oldest age a band may reach (an open band ends here).
pub const MAX_AGE: u16 = 150;

/// An age band, inclusive at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgeBand {
    /// Youngest age in the band.
    pub min: u16,
    /// Oldest age in the band ([`MAX_AGE`] when open).
    pub max: u16,
}

impl AgeBand {
    fn overlaps(self, min: Option<u16>, max: Option<u16>) -> bool {
        let (lo, hi) = (min.unwrap_or(0), max.unwrap_or(MAX_AGE));
        self.min <= hi && lo <= self.max
    }
}

/// What a query says about who it is for (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Frame {
    /// The relatives named, in query order (the searcher left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Whose household registration moves (户口迁移, 投靠).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mover: Option<Relation>,
    /// Whom a service is done for (给爸妈, 帮孩子).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub for_whom: Option<Relation>,
    /// The age or age band named (岁, 周岁, 旬).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<AgeBand>,
    /// Driving-licence points named (12分).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// An amount of money named (两千块), in yuan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub money: Option<u32>,
    /// Byte spans of the words the frame was read from (relation words,
    /// move words, numbers with their units and bands) in the normalised
    /// query, with the facet each belongs to.
    #[serde(skip)]
    pub spans: Vec<(usize, usize, Facet)>,
}

/// What a facet matched with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// A relation (who moves, or whom the service is for).
    Relation(Relation),
    /// An age band.
    Age(AgeBand),
    /// Points.
    Points(u32),
}

/// A facet of an item's eligibility a frame can match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    /// Whose 户口 moves.
    Mover,
    /// A relative the service is for.
    Relation,
    /// An age band.
    Age,
    /// Driving-licence points.
    Points,
    /// An amount of money (read, never matched).
    Money,
}

/// The facets of an item's eligibility a frame matched (see
/// [`Frame::matches`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameMatch {
    /// Each facet matched with what matched (its `facet=value` label for
    /// `explain` is written only when asked for, [`FrameMatch::labels`]).
    pub facets: Vec<(Facet, Matched)>,
    /// The age band matched was implied by a relation word (奶奶: 60 and
    /// over), not said.
    pub implied_age: bool,
}

impl FrameMatch {
    /// Whether no facet matched.
    pub fn is_empty(&self) -> bool {
        self.facets.is_empty()
    }

    /// Whether a facet specific enough to bring an item into the
    /// candidates matched: whose 户口 moves, an age said, points, or whom the
    /// service is done for (给爸妈).
    pub fn specific(&self, frame: &Frame) -> bool {
        self.facets.iter().any(|(f, _)| match f {
            Facet::Mover | Facet::Points => true,
            Facet::Age => !self.implied_age,
            Facet::Relation => frame.for_whom.is_some(),
            Facet::Money => false,
        })
    }

    /// The labels, for `explain`.
    pub fn labels(&self) -> Vec<String> {
        self.facets
            .iter()
            .map(|&(facet, matched)| {
                let name = match facet {
                    Facet::Mover => "mover",
                    Facet::Relation => "relation",
                    Facet::Age => "age",
                    Facet::Points => "points",
                    Facet::Money => "money",
                };
                match matched {
                    Matched::Relation(r) => format!("{name}={}", r.as_str()),
                    Matched::Age(band) if band.max == MAX_AGE => format!("{name}={}+", band.min),
                    Matched::Age(band) => format!("{name}={}-{}", band.min, band.max),
                    Matched::Points(p) => format!("{name}={p}"),
                }
            })
            .collect()
    }

    /// Whether the word of the frame at a span of this facet is accounted
    /// for by the facets matched (a move accounts for the relation moving
    /// and the words of the move; an implied age for the relation word).
    fn accounts_for(&self, facet: Facet) -> bool {
        self.facets.iter().any(|&(f, _)| {
            f == facet
                || (f == Facet::Mover && facet == Facet::Relation)
                || (f == Facet::Age && self.implied_age && facet == Facet::Relation)
        })
    }
}

impl Frame {
    /// Whether the frame says anything at all.
    pub fn is_empty(&self) -> bool {
        self.relations.is_empty()
            && self.mover.is_none()
            && self.for_whom.is_none()
            && self.age.is_none()
            && self.points.is_none()
            && self.money.is_none()
    }

    /// The facets of an item's eligibility this frame matches (empty when
    /// none does). A query about a move matches by who moves only.
    pub fn matches(&self, e: &Eligibility) -> FrameMatch {
        let mut m = FrameMatch::default();
        let facets = &mut m.facets;
        if let (Some(mover), Some(wanted)) = (self.mover, e.mover)
            && mover.broad() == wanted.broad()
        {
            facets.push((Facet::Mover, Matched::Relation(wanted)));
        }
        if self.mover.is_none()
            && e.mover.is_none()
            && let Some(r) = self
                .for_whom
                .into_iter()
                .chain(self.relations.iter().copied())
                .find(|r| e.relations.iter().any(|w| w.broad() == r.broad()))
        {
            facets.push((Facet::Relation, Matched::Relation(r)));
        }
        if self.mover.is_none() && (e.min_age.is_some() || e.max_age.is_some()) {
            let implied = self.relations.iter().find_map(|r| r.implied_ages());
            if let Some(band) = self.age.or(implied)
                && band.overlaps(e.min_age, e.max_age)
            {
                m.implied_age = self.age.is_none();
                facets.push((Facet::Age, Matched::Age(band)));
            }
        }
        if let (Some(points), Some([lo, hi])) = (self.points, e.points)
            && (lo..=hi).contains(&points)
        {
            facets.push((Facet::Points, Matched::Points(points)));
        }
        m
    }

    /// Whether the frame may bring items into the candidates that no word
    /// of the query finds: it says who moves, an age, points, or whom a
    /// service is for.
    pub fn specific(&self) -> bool {
        self.mover.is_some()
            || self.for_whom.is_some()
            || self.age.is_some()
            || self.points.is_some()
    }

    /// Whether `text` (a concept of the query) lies inside a word the frame
    /// was read from whose facet `matched` accounts for, so the item
    /// matched accounts for the concept.
    pub fn covers(&self, normalized: &str, text: &str, matched: &FrameMatch) -> bool {
        !text.is_empty()
            && self.spans.iter().any(|&(s, e, facet)| {
                matched.accounts_for(facet)
                    && normalized.get(s..e).is_some_and(|span| span.contains(text))
            })
    }
}

/// Who a catalogue item is for (适用对象), as stated by its authoring data:
/// matched against a query's [`Frame`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Eligibility {
    /// Youngest age the service is for (周岁).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u16>,
    /// Oldest age the service is for (周岁).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u16>,
    /// The relatives the service may be done for or on behalf of (家庭共济:
    /// spouse, parents, children).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Whose household registration the service moves (父母投靠子女入户:
    /// the parent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mover: Option<Relation>,
    /// Driving-licence points the service is for, inclusive (满分学习: 12–12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<[u32; 2]>,
}

/// What a word of `frames.tsv` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Relation(Relation),
    Move,
    /// A move word after which the relation named is moved to.
    Host,
    /// A move word that is also a host word (投靠).
    MoveOrHost,
    /// A word of a move that does not decide who moves (户口, 这边).
    Moved,
    For,
    Age {
        decade: bool,
    },
    Above {
        before: bool,
    },
    Below {
        before: bool,
    },
    Points,
    Money,
}

/// The words of `dictionaries/frames.tsv`, ready to read frames.
#[derive(Debug, Clone, Default)]
pub struct FrameLexicon {
    cues: Vec<Cue>,
    finder: Option<AhoCorasick>,
    numerals: Vec<(char, u32)>,
}

/// A malformed line of `frames.tsv`: its (1-based) number and why.
pub type FrameRowError = (usize, String);

impl FrameLexicon {
    /// The lexicon of `frames.tsv` lines (`kind<TAB>word<TAB>value`,
    /// already normalised and stripped of comments), or every malformed
    /// line.
    pub fn parse(lines: &[(usize, String)]) -> Result<Self, Vec<FrameRowError>> {
        let mut words: Vec<(String, Cue)> = Vec::new();
        let mut numerals = Vec::new();
        let mut errors = Vec::new();
        for (line, text) in lines {
            let fields: Vec<&str> = text.split('\t').map(str::trim).collect();
            let (kind, word, value) = match fields[..] {
                [k, w] => (k, w, ""),
                [k, w, v] => (k, w, v),
                _ => {
                    errors.push((*line, "expected `kind<TAB>word[<TAB>value]`".to_string()));
                    continue;
                }
            };
            let side = |v: &str| match v {
                "before" => Some(true),
                "after" => Some(false),
                _ => None,
            };
            let cue = match kind {
                "relation" => Relation::parse(value).map(Cue::Relation),
                "move" => Some(Cue::Move),
                "host" => Some(Cue::Host),
                "moved" => Some(Cue::Moved),
                "for" => Some(Cue::For),
                "age" => match value {
                    "year" => Some(Cue::Age { decade: false }),
                    "decade" => Some(Cue::Age { decade: true }),
                    _ => None,
                },
                "above" => side(value).map(|before| Cue::Above { before }),
                "below" => side(value).map(|before| Cue::Below { before }),
                "points" => Some(Cue::Points),
                "money" => Some(Cue::Money),
                "numeral" => {
                    let mut chars = word.chars();
                    match (chars.next(), chars.next(), value.parse::<u32>()) {
                        (Some(c), None, Ok(n)) => numerals.push((c, n)),
                        _ => errors.push((*line, "a numeral is one character and a number".into())),
                    }
                    continue;
                }
                _ => None,
            };
            match cue {
                Some(_) if word.is_empty() => errors.push((*line, "empty word".into())),
                Some(cue) => match words.iter_mut().find(|(w, _)| w == word) {
                    // 投靠 moves the relation before it and is moved to by the one after.
                    Some((_, c @ (Cue::Move | Cue::Host))) if *c != cue => *c = Cue::MoveOrHost,
                    Some(_) => errors.push((*line, format!("{word} is listed twice"))),
                    None => words.push((word.to_string(), cue)),
                },
                None => errors.push((*line, format!("unknown kind or value `{kind}` / `{value}`"))),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let finder = if words.is_empty() {
            None
        } else {
            let built = AhoCorasickBuilder::new()
                .match_kind(AcMatchKind::LeftmostLongest)
                .build(words.iter().map(|(w, _)| w.as_str()));
            match built {
                Ok(finder) => Some(finder),
                Err(e) => return Err(vec![(0, e.to_string())]),
            }
        };
        Ok(FrameLexicon {
            cues: words.into_iter().map(|(_, c)| c).collect(),
            finder,
            numerals,
        })
    }

    /// The value of a Chinese numeral character, if it is one.
    fn numeral(&self, c: char) -> Option<u32> {
        self.numerals.iter().find(|(n, _)| *n == c).map(|(_, v)| *v)
    }

    /// The frame of a normalised query (empty when it says nothing about
    /// whom it is for).
    pub fn read(&self, normalized: &str) -> Frame {
        let mut frame = Frame::default();
        let Some(finder) = &self.finder else {
            return frame;
        };
        // Cues in query order: (start, end, cue), numbers included.
        let mut cues: Vec<(usize, usize, Cue)> = finder
            .find_iter(normalized)
            .map(|m| (m.start(), m.end(), self.cues[m.pattern().as_usize()]))
            .collect();
        let numbers = self.numbers(normalized);
        if cues.is_empty() && numbers.is_empty() {
            return frame;
        }
        // Numbers with a unit after them (and a band word before or after).
        for &(start, end, value) in &numbers {
            let next = cues.iter().position(|&(s, _, _)| s == end);
            let mut band_end = end;
            let mut more = false;
            let mut unit = next.map(|i| cues[i]);
            // 七十多岁: 多 between the number and its unit.
            if let Some((_, e, Cue::Above { before: false })) = unit
                && let Some(&(_, e2, c)) = cues.iter().find(|&&(s, _, _)| s == e)
                && matches!(c, Cue::Age { .. })
            {
                more = true;
                band_end = e;
                unit = Some((e, e2, c));
            }
            let Some((_, unit_end, kind)) = unit else {
                continue;
            };
            let before = cues
                .iter()
                .find(|&&(_, e, _)| e == start)
                .map(|&(s, _, c)| (s, c));
            let after = cues
                .iter()
                .find(|&&(s, _, _)| s == unit_end)
                .map(|&(_, e, c)| (e, c));
            match kind {
                Cue::Age { decade } => {
                    let (mut min, mut max) = if decade {
                        (value * 10, value * 10 + 9)
                    } else if more {
                        (value, value + 9)
                    } else {
                        (value, value)
                    };
                    let mut span = (start, unit_end.max(band_end));
                    match (before, after) {
                        (Some((s, Cue::Above { before: true })), _) => {
                            max = u32::from(MAX_AGE);
                            span.0 = s;
                        }
                        (Some((s, Cue::Below { before: true })), _) => {
                            (min, max) = (0, value.saturating_sub(1));
                            span.0 = s;
                        }
                        (_, Some((e, Cue::Above { before: false }))) => {
                            max = u32::from(MAX_AGE);
                            span.1 = e;
                        }
                        (_, Some((e, Cue::Below { before: false }))) => {
                            min = 0;
                            span.1 = e;
                        }
                        _ => {}
                    }
                    if min <= u32::from(MAX_AGE) {
                        frame.age = Some(AgeBand {
                            min: min as u16,
                            max: max.min(u32::from(MAX_AGE)) as u16,
                        });
                        frame.spans.push((span.0, span.1, Facet::Age));
                    }
                }
                // 十分钟 is no points; licence points run to 12.
                Cue::Points if value <= 12 && !normalized[unit_end..].starts_with('钟') => {
                    frame.points = Some(value);
                    frame.spans.push((start, unit_end, Facet::Points));
                }
                Cue::Money => {
                    frame.money = Some(value);
                    frame.spans.push((start, unit_end, Facet::Money));
                }
                _ => {}
            }
        }
        cues.retain(|&(s, e, _)| !frame.spans.iter().any(|&(a, b, _)| s >= a && e <= b));
        self.roles(&cues, &mut frame);
        if frame.mover.is_some() {
            // The words of the move belong to the frame once it says who moves.
            frame.spans.extend(cues.iter().filter_map(|&(s, e, c)| {
                matches!(c, Cue::Move | Cue::Host | Cue::MoveOrHost | Cue::Moved).then_some((
                    s,
                    e,
                    Facet::Mover,
                ))
            }));
        }
        frame
    }

    /// Relations and who moves or is served, from the cues in order.
    fn roles(&self, cues: &[(usize, usize, Cue)], frame: &mut Frame) {
        let mut last_relation: Option<Relation> = None;
        let mut after_for = false;
        let mut after_host = false;
        for &(start, end, cue) in cues {
            match cue {
                Cue::Relation(r) => {
                    if r != Relation::Myself {
                        frame.relations.push(r);
                        frame.spans.push((start, end, Facet::Relation));
                        if after_for && frame.for_whom.is_none() {
                            frame.for_whom = Some(r);
                        }
                        if after_host && frame.mover.is_none() {
                            frame.mover = Some(r.inverse());
                        }
                    }
                    last_relation = Some(r);
                }
                Cue::Move | Cue::Host | Cue::MoveOrHost => {
                    if frame.mover.is_none()
                        && let Some(r) = last_relation.filter(|r| *r != Relation::Myself)
                    {
                        frame.mover = Some(r);
                    }
                    after_host |= cue != Cue::Move;
                }
                _ => {}
            }
            after_for = cue == Cue::For;
        }
    }

    /// Numbers in the query: runs of digits or of Chinese numerals, as
    /// (start, end, value).
    fn numbers(&self, text: &str) -> Vec<(usize, usize, u32)> {
        let mut out = Vec::new();
        let mut iter = text.char_indices().peekable();
        while let Some((start, c)) = iter.next() {
            if c.is_ascii_digit() {
                let mut value = c.to_digit(10).unwrap_or(0);
                let mut end = start + 1;
                while let Some(&(at, d)) = iter.peek() {
                    let Some(digit) = d.to_digit(10).filter(|_| d.is_ascii_digit()) else {
                        break;
                    };
                    value = value.saturating_mul(10).saturating_add(digit);
                    end = at + 1;
                    iter.next();
                }
                out.push((start, end, value));
            } else if self.numeral(c).is_some() {
                let mut chars = vec![c];
                let mut end = start + c.len_utf8();
                while let Some(&(at, d)) = iter.peek() {
                    if self.numeral(d).is_none() {
                        break;
                    }
                    chars.push(d);
                    end = at + d.len_utf8();
                    iter.next();
                }
                if let Some(value) = self.chinese_value(&chars) {
                    out.push((start, end, value));
                }
            }
        }
        out
    }

    /// The value of a run of Chinese numerals (八十五, 两千, 一百零五, 十二).
    fn chinese_value(&self, chars: &[char]) -> Option<u32> {
        let mut total: u32 = 0;
        let mut section: u32 = 0;
        let mut digit: Option<u32> = None;
        for &c in chars {
            let v = self.numeral(c)?;
            match v {
                0..=9 => digit = Some(v),
                10 | 100 | 1000 => {
                    section = section.saturating_add(digit.unwrap_or(1).saturating_mul(v));
                    digit = None;
                }
                10000 => {
                    total = total
                        .saturating_add(section.saturating_add(digit.unwrap_or(0)))
                        .saturating_mul(10000);
                    section = 0;
                    digit = None;
                }
                _ => return None,
            }
        }
        Some(
            total
                .saturating_add(section)
                .saturating_add(digit.unwrap_or(0)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> FrameLexicon {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dictionaries/frames.tsv"),
        )
        .expect("dictionaries/frames.tsv");
        let lines: Vec<(usize, String)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect();
        FrameLexicon::parse(&lines).expect("frames.tsv parses")
    }

    fn band(min: u16, max: u16) -> Option<AgeBand> {
        Some(AgeBand { min, max })
    }

    #[test]
    fn ages_in_digits_and_chinese_numerals() {
        let l = lexicon();
        assert_eq!(l.read("奶奶八十五岁了").age, band(85, 85));
        assert_eq!(l.read("满60周岁领养老金").age, band(60, MAX_AGE));
        assert_eq!(l.read("3岁以下婴幼儿").age, band(0, 3));
        assert_eq!(l.read("九旬老人").age, band(90, 99));
        assert_eq!(l.read("八十岁以上老人补贴").age, band(80, MAX_AGE));
        assert_eq!(l.read("七十多岁").age, band(70, 79));
        assert_eq!(l.read("未满十六周岁").age, band(0, 15));
        assert_eq!(l.read("一百零五岁").age, band(105, 105));
        assert_eq!(l.read("二手房过户").age, None);
    }

    #[test]
    fn points_and_money() {
        let l = lexicon();
        assert_eq!(l.read("驾照扣了12分").points, Some(12));
        assert_eq!(l.read("十分钟").points, None);
        assert_eq!(l.read("罚款两千块").money, Some(2000));
        assert_eq!(l.read("积分入户").points, None);
    }

    #[test]
    fn who_moves_follows_the_words_order() {
        let l = lexicon();
        assert_eq!(l.read("父母投靠子女").mover, Some(Relation::Parent));
        assert_eq!(l.read("子女投靠父母").mover, Some(Relation::Child));
        assert_eq!(l.read("把爸妈户口迁到深圳").mover, Some(Relation::Parent));
        assert_eq!(l.read("我想投靠父母落户").mover, Some(Relation::Child));
        assert_eq!(l.read("老婆户口迁过来").mover, Some(Relation::Spouse));
        assert_eq!(l.read("孩子随我落户").mover, Some(Relation::Child));
        assert_eq!(l.read("社保卡").mover, None);
    }

    #[test]
    fn whom_a_service_is_for() {
        let l = lexicon();
        let f = l.read("用我的医保给爸妈买药");
        assert_eq!(f.for_whom, Some(Relation::Parent));
        assert_eq!(f.relations, vec![Relation::Parent]);
        assert!(l.read("社保卡补办").is_empty());
    }

    #[test]
    fn a_frame_matches_eligibility_by_facet() {
        let l = lexicon();
        let elderly = Eligibility {
            min_age: Some(80),
            ..Eligibility::default()
        };
        assert_eq!(
            l.read("奶奶八十五岁").matches(&elderly).labels(),
            vec!["age=85-85"]
        );
        assert!(l.read("奶奶七十岁").matches(&elderly).is_empty());
        let parents_move = Eligibility {
            mover: Some(Relation::Parent),
            ..Eligibility::default()
        };
        let moved = l.read("爸妈户口迁过来");
        let m = moved.matches(&parents_move);
        assert_eq!(m.labels(), vec!["mover=parent"]);
        assert!(m.specific(&moved));
        // The move accounts for the relation and the move's words.
        assert!(moved.covers("爸妈户口迁过来", "户口", &m));
        assert!(moved.covers("爸妈户口迁过来", "爸妈", &m));
        assert!(l.read("孩子户口迁过来").matches(&parents_move).is_empty());
        let family = Eligibility {
            relations: vec![Relation::Spouse, Relation::Parent, Relation::Child],
            ..Eligibility::default()
        };
        let served = l.read("给老人看病用我的医保");
        let m = served.matches(&family);
        assert_eq!(m.labels(), vec!["relation=elder"]);
        assert!(m.specific(&served));
        assert!(served.covers("给老人看病用我的医保", "老人", &m));
        // A relative named without 给 never brings an item in by itself.
        let named = l.read("老人看病");
        assert!(!named.matches(&family).specific(&named));
        // A move query is about who moves, not whom a service is for.
        assert!(moved.matches(&family).is_empty());
    }

    #[test]
    fn malformed_lines_are_reported() {
        let lines = vec![
            (1, "relation\t爸妈\tcousin".to_string()),
            (2, "numeral\t十一\t11".to_string()),
            (3, "nonsense".to_string()),
        ];
        let errors = FrameLexicon::parse(&lines).expect_err("three bad lines");
        assert_eq!(
            errors.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }
}
