//! Everything `exchange check` decides before a secret is read: the roster (file or
//! session), the choices, the plan with its settings checked, and the mailboxes to check.

use super::{mailboxes, plan_from_choices, CheckError, CheckPlan, Mailbox, Needs};
use crate::auth::config::MicrosoftConfig;
use crate::customize::{Catalogue, RosterFacts};
use crate::usecase::roster_source::{self, RosterSource};
use std::path::Path;

/// A check ready to run once the plan's secret is at hand.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub plan: CheckPlan,
    /// The included rows' mailboxes.
    pub mailboxes: Vec<Mailbox>,
}

/// Why the check cannot start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PrepareError {
    /// The roster, session or choices could not be used (the message names the file).
    #[error("{0}")]
    Input(String),
    /// The plan or configuration cannot work: reported like a check's own failure.
    #[error(transparent)]
    Check(CheckError),
    /// The plan needs mailboxes and no included row has one.
    #[error("no included row has an Office 365 login: nothing to check")]
    NoMailboxes,
}

/// Loads the roster from `source`, the choices from `customization` (else the session's,
/// else the defaults) and builds the checked plan and its mailboxes.
pub(crate) fn prepare(
    source: RosterSource<'_>,
    customization: Option<&Path>,
    config: &MicrosoftConfig,
) -> Result<Prepared, PrepareError> {
    let session_path = match source {
        RosterSource::Session(p) => Some(p),
        RosterSource::File(..) => None,
    };
    let loaded = roster_source::load(source).map_err(|e| PrepareError::Input(e.to_string()))?;
    let catalogue = Catalogue::embedded();
    let facts = RosterFacts::from_roster(&loaded.roster);
    let session = session_path.zip(loaded.session.map(|s| s.customization));
    let choices = roster_source::choices(customization, session, &catalogue, &facts)
        .map_err(PrepareError::Input)?;
    let plan =
        plan_from_choices(&catalogue, &choices, &facts, config).map_err(PrepareError::Check)?;
    let mailboxes = mailboxes(&loaded.roster);
    if mailboxes.is_empty() && plan.needs() != Needs::Nothing {
        return Err(PrepareError::NoMailboxes);
    }
    Ok(Prepared { plan, mailboxes })
}
