//! Customization: the settings catalogue, the admin's choices, their validation, and the
//! Exchange access plan. Pure data and logic; the wizard and the CLI are shells over it.

pub mod catalogue;
pub(crate) mod choices;
pub mod exchange;
mod facts;
pub(crate) mod file;
pub mod syntax;
pub mod validate;
mod value;

pub use catalogue::{Catalogue, Kind, Page, Setting};
pub use choices::{ChoiceEdit, Choices};
pub use exchange::{Api, Deployment, ExchangePlan, Guide, Mode};
pub use facts::{RosterFacts, RosterUsers};
pub use validate::{differences, validate, Issue};
pub use value::Value;
