//! # yuesou-flows — typed 办理 flows
//!
//! A person who opens an application (办件) for a 办理 item walks through a
//! typed flow: form steps with typed fields, a materials step where a
//! licence from 我的证照 can replace an upload (免证办), one confirm step with
//! a 承诺书, and the department's steps with their expected durations. The
//! flows are data (`data/flows/`, format in its README); this crate is pure —
//! no HTTP, no database, no async:
//!
//! - [`Flows::load`] reads the directory strictly into one immutable value
//!   (build a new one on a change and swap it in);
//! - [`Flows::for_item`] gives an item's flow: its family's hand-authored
//!   flow, or the one derived from the catalogue facts ([`ItemFacts`]) by the
//!   README's rule (the same as `scripts/check_flows.py`);
//! - [`Flow::check_step`] checks a step's answers field by field and returns
//!   the cleaned answers or [`FieldError`]s with stable codes and arguments
//!   (the daemon renders the Chinese messages);
//! - [`Flow::step_schema`] states a step's answers as JSON Schema 2020-12;
//! - [`Flow::prefill`] and [`Flow::read_only`] connect the applicant's
//!   [`Identity`] to the form.
//!
//! ```no_run
//! use yuesou_flows::{Flows, ItemFacts};
//!
//! let flows = Flows::load("data/flows").expect("flows load");
//! let item = ItemFacts {
//!     id: "gjj-zftq-440100".into(),
//!     service_type: "办理".into(),
//!     ..ItemFacts::default()
//! };
//! let flow = flows.for_item(&item).expect("a 办理 item has a flow");
//! println!("{}", serde_json::to_string(&*flow).unwrap());
//! ```

#![warn(missing_docs)]

mod check;
mod decimal;
mod derive;
mod identity;
mod load;
mod model;
mod parse;
mod rules;
mod schema;

pub use check::{CheckContext, ErrorCode, FieldChecks, FieldError};
pub use derive::{ItemFacts, audience_of, family_of};
pub use identity::{Address, Identity, Level};
pub use load::{Flows, LoadError, Problem};
pub use model::{
    ADDRESS_DETAIL_MAX, Accept, Audience, DEFAULT_MAX_LENGTH, DEFAULT_MIN_LENGTH, DateBound, Field,
    FieldKind, Flow, FlowResult, MAX_TEXT_LENGTH, MULTILINE_ABOVE, Material, Pattern, Prefill,
    ResultKind, Step, When, WhenValue, format_iso_date, parse_iso_date,
};
pub use schema::{
    DIVISION_PATTERN, ID_NUMBER_PATTERN, PHONE_PATTERN, SCHEMA_DIALECT, USCC_PATTERN,
};
