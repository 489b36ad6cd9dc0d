//! The Exchange access plan: how SmartCloud Connect reaches mailboxes, and the texts and
//! checklists that tell the admin what to set up. The texts live in
//! `assets/exchange/guide.toml` with their sources; this module only selects and fills them.

use super::catalogue::Catalogue;
use super::choices::{ChoiceEdit, Choices, CHECKLIST_PREFIX};
use super::facts::RosterFacts;
use super::value::Value;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// The guide shipped in the binary.
pub const EMBEDDED_GUIDE: &str = include_str!("../../assets/exchange/guide.toml");

/// How mailboxes are reached (catalogue setting `mailbox_access`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Every user authorizes their own mailbox (either deployment).
    PerUser,
    /// Exchange Online only: an Entra app reaches the roster's mailboxes with an app-only
    /// token, granted and scoped by RBAC for Applications (ApplicationImpersonation's
    /// replacement there).
    AppOnly,
    /// Exchange Server on-premises only: one account holding ApplicationImpersonation.
    Impersonation,
}

/// Which API the sync uses (catalogue setting `exchange_api`, Exchange Online only;
/// on-premises is always EWS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Api {
    /// Microsoft Graph: the API that remains in Exchange Online.
    Graph,
    /// Exchange Web Services: blocked by default in Exchange Online from 1 October 2026
    /// unless allow-listed, removed there on 1 April 2027; Exchange Server keeps it.
    Ews,
}

impl Api {
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Graph => "graph",
            Api::Ews => "ews",
        }
    }
}

/// Where the mailboxes live (catalogue setting `exchange_deployment`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deployment {
    ExchangeOnline,
    OnPremises,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::PerUser => "per_user",
            Mode::AppOnly => "app_only",
            Mode::Impersonation => "impersonation",
        }
    }
}

impl Deployment {
    pub fn as_str(self) -> &'static str {
        match self {
            Deployment::ExchangeOnline => "exchange_online",
            Deployment::OnPremises => "on_premises",
        }
    }
}

/// Where a text comes from.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub url: String,
}

/// A paragraph shown when its mode and deployment match.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub id: String,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub deployment: Option<Deployment>,
    pub title: String,
    pub body: String,
    pub sources: Vec<String>,
}

/// One step the admin ticks; `command` is shown ready to copy.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub command: Option<String>,
}

/// A list of steps shown when its mode and deployment match.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub id: String,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub deployment: Option<Deployment>,
    pub title: String,
    pub sources: Vec<String>,
    #[serde(rename = "item")]
    pub items: Vec<Item>,
}

/// The whole guide file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    pub version: u32,
    /// When the texts were last compared with their sources.
    pub checked: String,
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
    #[serde(rename = "notice", default)]
    pub notices: Vec<Notice>,
    #[serde(rename = "checklist", default)]
    pub checklists: Vec<Checklist>,
}

impl Guide {
    /// The guide shipped in the binary (parsed once).
    pub fn embedded() -> Arc<Guide> {
        static CELL: OnceLock<Arc<Guide>> = OnceLock::new();
        CELL.get_or_init(|| {
            Arc::new(
                Guide::parse(EMBEDDED_GUIDE, "assets/exchange/guide.toml")
                    .expect("the embedded guide is checked by the test suite"),
            )
        })
        .clone()
    }

    /// Parses a guide and checks that every source it cites exists.
    pub fn parse(text: &str, origin: &str) -> Result<Guide, String> {
        let g: Guide = toml::from_str(text)
            .map_err(|e| format!("{origin}: {}", e.to_string().trim_end().replace('\n', " ")))?;
        let cited = g
            .notices
            .iter()
            .flat_map(|n| n.sources.iter())
            .chain(g.checklists.iter().flat_map(|c| c.sources.iter()));
        for s in cited {
            if !g.sources.iter().any(|src| &src.id == s) {
                return Err(format!("{origin}: cites unknown source `{s}`"));
            }
        }
        Ok(g)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// The values the guide's placeholders are filled with; `None` shows the `<...>` hint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placeholders {
    pub account: Option<String>,
    pub app_id: Option<String>,
    pub object_id: Option<String>,
    pub tenant: Option<String>,
    pub sample_user: Option<String>,
}

impl Placeholders {
    /// The values the choices and the roster give (the account only with impersonation).
    pub fn from_choices(cat: &Catalogue, choices: &Choices, facts: &RosterFacts) -> Self {
        let non_empty = |k: &str| Some(choices.text(cat, k)).filter(|t| !t.is_empty());
        let impersonation = choices.text(cat, "mailbox_access") == "impersonation";
        Placeholders {
            account: non_empty("impersonation_account").filter(|_| impersonation),
            app_id: non_empty("entra_client_id"),
            object_id: non_empty("entra_object_id"),
            tenant: non_empty("m365_tenant"),
            sample_user: facts.upns.iter().next().cloned(),
        }
    }

    /// (placeholder, value, hint shown when unset, setting that fills it; None: the roster).
    fn table(
        &self,
    ) -> [(
        &'static str,
        &Option<String>,
        &'static str,
        Option<&'static str>,
    ); 5] {
        [
            (
                "{account}",
                &self.account,
                "<impersonating account>",
                Some("impersonation_account"),
            ),
            (
                "{app_id}",
                &self.app_id,
                "<Application (client) ID>",
                Some("entra_client_id"),
            ),
            (
                "{object_id}",
                &self.object_id,
                "<Enterprise application Object ID>",
                Some("entra_object_id"),
            ),
            ("{tenant}", &self.tenant, "<tenant>", Some("m365_tenant")),
            (
                "{sample_user}",
                &self.sample_user,
                "<a user's mailbox>",
                None,
            ),
        ]
    }

    /// Fills `{account}`, `{app_id}`, `{object_id}`, `{tenant}` and `{sample_user}`.
    pub fn fill(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (pat, val, hint, _) in self.table() {
            out = out.replace(pat, val.as_deref().unwrap_or(hint));
        }
        out
    }

    /// What must be filled before `text` reads without a `<...>` hint: the settings behind
    /// its unset placeholders (by catalogue key), and whether it needs a roster user.
    fn unfilled(&self, text: &str) -> (Vec<&'static str>, bool) {
        let mut keys = Vec::new();
        let mut roster = false;
        for (pat, val, _, key) in self.table() {
            if val.is_none() && text.contains(pat) {
                match key {
                    Some(k) => keys.push(k),
                    None => roster = true,
                }
            }
        }
        (keys, roster)
    }
}

/// One checklist item as shown: filled text, command, and whether it is ticked.
///
/// A tick is stored as the exact text it was given for ([`PlanItem::record`]), so it holds
/// only while the item reads the same: once the account, an ID or the tenant in it changes,
/// the item shows unticked with a [`PlanItem::note`]. `true` (a hand-written choices file,
/// an export's `checklist_ticked`, or an older session) stands for the text as it reads when
/// the choices are loaded, and is pinned to it then ([`pin_ticks`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanItem {
    /// `checklist.<list>.<item>`: the key of its tick in [`Choices`].
    pub tick_key: String,
    pub text: String,
    pub command: Option<String>,
    pub ticked: bool,
    /// Why the item is not ticked although a tick is stored, or why it cannot be ticked yet.
    pub note: Option<String>,
    /// Set while the text or command still shows a `<...>` hint: what to fill first. Such an
    /// item cannot be ticked, since nobody can have run a command with a hint in it.
    pub blocked: Option<String>,
}

/// The note of an item whose stored tick was given for another command or text.
pub const STALE_COMMAND: &str = "unticked: the command changed";
/// The note of an item (without a command) whose stored tick was given for another text.
pub const STALE_TEXT: &str = "unticked: the text changed";

impl PlanItem {
    /// The exact text a tick is given for: the item's text, and its command on the next line.
    pub fn record(&self) -> String {
        match &self.command {
            Some(c) => format!("{}\n{c}", self.text),
            None => self.text.clone(),
        }
    }

    /// The edit that ticks the item (recording its text) or unticks it, or why it cannot be
    /// ticked.
    pub fn toggle(&self, choices: &Choices) -> Result<ChoiceEdit, String> {
        let old = choices
            .get(&self.tick_key)
            .cloned()
            .unwrap_or(Value::Bool(false));
        let new = if self.ticked {
            Value::Bool(false)
        } else if let Some(why) = &self.blocked {
            return Err(format!("Cannot tick this step yet: {why}"));
        } else {
            Value::Text(self.record())
        };
        Ok(ChoiceEdit {
            key: self.tick_key.clone(),
            old,
            new,
        })
    }
}

/// Builds one item as shown, deciding whether its stored tick holds.
fn plan_item(
    list: &str,
    item: &Item,
    ph: &Placeholders,
    cat: &Catalogue,
    choices: &Choices,
) -> PlanItem {
    let tick_key = format!("{CHECKLIST_PREFIX}{list}.{}", item.id);
    let raw = format!("{}\n{}", item.text, item.command.as_deref().unwrap_or(""));
    let (keys, roster) = ph.unfilled(&raw);
    let mut need: Vec<String> = keys
        .iter()
        .map(|k| match cat.get(k) {
            Some(s) => format!("\"{}\" ({})", s.title, s.group),
            None => format!("`{k}`"),
        })
        .collect();
    if roster {
        need.push("a user in the roster".into());
    }
    let blocked = (!need.is_empty()).then(|| format!("fill in {} first", need.join(" and ")));
    let mut p = PlanItem {
        tick_key,
        text: ph.fill(&item.text),
        command: item.command.as_deref().map(|c| ph.fill(c)),
        ticked: false,
        note: None,
        blocked,
    };
    let stored = choices.get(&p.tick_key);
    let given = matches!(stored, Some(Value::Bool(true)) | Some(Value::Text(_)));
    if p.blocked.is_some() {
        p.note = given.then(|| format!("unticked: {}", p.blocked.clone().unwrap_or_default()));
    } else {
        match stored {
            Some(Value::Bool(true)) => p.ticked = true,
            Some(Value::Text(t)) if *t == p.record() => p.ticked = true,
            Some(Value::Text(_)) => {
                p.note = Some(
                    if p.command.is_some() {
                        STALE_COMMAND
                    } else {
                        STALE_TEXT
                    }
                    .to_string(),
                )
            }
            _ => {}
        }
    }
    p
}

/// Pins every `true` tick to the text its item reads now (see [`PlanItem`]), so a later
/// change of the account or an ID unticks it. Items of every checklist are pinned, shown or
/// not. Ticks already holding a text are left as they are.
pub fn pin_ticks(guide: &Guide, cat: &Catalogue, choices: &mut Choices, facts: &RosterFacts) {
    let ph = Placeholders::from_choices(cat, choices, facts);
    for c in &guide.checklists {
        for i in &c.items {
            let item = plan_item(&c.id, i, &ph, cat, choices);
            if matches!(choices.get(&item.tick_key), Some(Value::Bool(true))) {
                choices.set(item.tick_key.clone(), Value::Text(item.record()));
            }
        }
    }
}

/// A checklist as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanChecklist {
    pub id: String,
    pub title: String,
    pub items: Vec<PlanItem>,
    pub sources: Vec<String>,
}

/// A notice as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanNotice {
    pub id: String,
    pub title: String,
    pub body: String,
    pub sources: Vec<String>,
}

/// The mode, deployment and API the choices name (unknown values fall back to the
/// defaults; on-premises is always EWS).
pub fn plan_kind(cat: &Catalogue, choices: &Choices) -> (Mode, Deployment, Api) {
    let mode = match choices.text(cat, "mailbox_access").as_str() {
        "impersonation" => Mode::Impersonation,
        "app_only" => Mode::AppOnly,
        _ => Mode::PerUser,
    };
    let deployment = match choices.text(cat, "exchange_deployment").as_str() {
        "on_premises" => Deployment::OnPremises,
        _ => Deployment::ExchangeOnline,
    };
    let api = match (deployment, choices.text(cat, "exchange_api").as_str()) {
        (Deployment::OnPremises, _) | (_, "ews") => Api::Ews,
        _ => Api::Graph,
    };
    (mode, deployment, api)
}

/// Everything the Exchange access step and the report show, derived from the choices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangePlan {
    pub mode: Mode,
    pub deployment: Deployment,
    /// The API the sync uses: the `exchange_api` choice in Exchange Online, always EWS
    /// on-premises.
    pub api: Api,
    /// The EWS endpoint (on-premises impersonation only; `None` until given).
    pub ews_url: Option<String>,
    /// The impersonating account (impersonation only; `None` until given).
    pub impersonation_account: Option<String>,
    pub notices: Vec<PlanNotice>,
    pub checklists: Vec<PlanChecklist>,
}

impl ExchangePlan {
    /// Derives the plan from the choices (unknown values fall back to the defaults).
    pub fn new(guide: &Guide, cat: &Catalogue, choices: &Choices, facts: &RosterFacts) -> Self {
        let (mode, deployment, api) = plan_kind(cat, choices);
        let ews_url = Some(choices.text(cat, "ews_url").trim().to_string())
            .filter(|u| !u.is_empty() && mode == Mode::Impersonation);
        let ph = Placeholders::from_choices(cat, choices, facts);
        let account = ph.account.clone();
        let applies = |m: Option<Mode>, d: Option<Deployment>| {
            m.is_none_or(|m| m == mode) && d.is_none_or(|d| d == deployment)
        };
        let notices = guide
            .notices
            .iter()
            .filter(|n| applies(n.mode, n.deployment))
            .map(|n| PlanNotice {
                id: n.id.clone(),
                title: ph.fill(&n.title),
                body: ph.fill(n.body.trim()),
                sources: n.sources.clone(),
            })
            .collect();
        let checklists = guide
            .checklists
            .iter()
            .filter(|c| applies(c.mode, c.deployment))
            .map(|c| PlanChecklist {
                id: c.id.clone(),
                title: ph.fill(&c.title),
                sources: c.sources.clone(),
                items: c
                    .items
                    .iter()
                    .map(|i| plan_item(&c.id, i, &ph, cat, choices))
                    .collect(),
            })
            .collect();
        ExchangePlan {
            mode,
            deployment,
            api,
            ews_url,
            impersonation_account: account,
            notices,
            checklists,
        }
    }

    /// (ticked, total) over every checklist item.
    pub fn progress(&self) -> (usize, usize) {
        let items = self.checklists.iter().flat_map(|c| c.items.iter());
        let total = items.clone().count();
        (items.filter(|i| i.ticked).count(), total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::Value;

    fn plan(mode: &str, dep: &str) -> ExchangePlan {
        let cat = Catalogue::embedded();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let mut c = Choices::defaults(&cat, &facts);
        c.set("mailbox_access", Value::Text(mode.into()));
        c.set("exchange_deployment", Value::Text(dep.into()));
        c.set(
            "impersonation_account",
            Value::Text("svc@contoso.com".into()),
        );
        c.set(
            "entra_client_id",
            Value::Text("6233fba6-0198-4277-892f-9275bf728bcc".into()),
        );
        c.set("checklist.impersonation.save", Value::Bool(true));
        ExchangePlan::new(&Guide::embedded(), &cat, &c, &facts)
    }

    #[test]
    fn embedded_guide_parses() {
        let g = Guide::embedded();
        assert!(!g.sources.is_empty());
    }

    #[test]
    fn on_premises_impersonation_shows_the_role_checklist_with_the_account() {
        let p = plan("impersonation", "on_premises");
        assert_eq!(p.checklists.len(), 1);
        let cmd = p.checklists[0]
            .items
            .iter()
            .find_map(|i| i.command.clone())
            .unwrap();
        assert_eq!(
            cmd,
            "New-ManagementRoleAssignment -Name \"SmartCloud Connect impersonation\" -Role ApplicationImpersonation -User \"svc@contoso.com\""
        );
        assert_eq!(p.progress(), (1, 7));
        assert!(p.notices.iter().all(|n| n.id != "ews_retirement"));
    }

    #[test]
    fn exchange_online_impersonation_shows_removal_ews_dates_and_rbac_commands() {
        let p = plan("impersonation", "exchange_online");
        let ids: Vec<&str> = p.notices.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["impersonation_removed", "ews_retirement"]);
        assert!(p.notices[1].body.contains("1 October 2026"));
        assert!(p.notices[1].body.contains("1 April 2027"));
        assert!(p.notices[0].body.contains("February 2025"));
        let cmds: Vec<String> = p.checklists[0]
            .items
            .iter()
            .filter_map(|i| i.command.clone())
            .collect();
        assert!(cmds.iter().any(|c| c.starts_with(
            "New-ServicePrincipal -AppId 6233fba6-0198-4277-892f-9275bf728bcc -ObjectId <Enterprise application Object ID>"
        )));
        assert!(cmds.iter().any(|c| c.starts_with("New-ManagementScope ")));
        assert!(cmds
            .iter()
            .any(|c| c.starts_with("New-ManagementRoleAssignment -App 6233fba6")));
        assert!(cmds.iter().any(|c| c.ends_with("-Resource a@contoso.com")));
    }

    #[test]
    fn a_true_tick_is_pinned_to_the_text_it_reads_when_loaded() {
        let cat = Catalogue::embedded();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let guide = Guide::embedded();
        let mut c = Choices::defaults(&cat, &facts);
        c.set("mailbox_access", Value::Text("impersonation".into()));
        c.set("exchange_deployment", Value::Text("on_premises".into()));
        c.set(
            "impersonation_account",
            Value::Text("svc@contoso.com".into()),
        );
        let key = "checklist.impersonation.shell_alternative";
        c.set(key, Value::Bool(true));
        // Not shown (another deployment) yet pinned all the same.
        c.set("checklist.rbac_apps.connect", Value::Bool(true));
        pin_ticks(&guide, &cat, &mut c, &facts);
        let item = |c: &Choices| {
            ExchangePlan::new(&guide, &cat, c, &facts).checklists[0]
                .items
                .iter()
                .find(|i| i.tick_key == key)
                .cloned()
                .unwrap()
        };
        let pinned = item(&c);
        assert!(pinned.ticked);
        assert_eq!(c.get(key), Some(&Value::Text(pinned.record())));
        assert!(pinned.record().ends_with("-User \"svc@contoso.com\""));
        assert_eq!(
            c.get("checklist.rbac_apps.connect"),
            Some(&Value::Text(
                "Connect to Exchange Online PowerShell as an Exchange administrator (member of Organization Management):\nConnect-ExchangeOnline".into()
            ))
        );
        c.set(
            "impersonation_account",
            Value::Text("other@contoso.com".into()),
        );
        let lapsed = item(&c);
        assert!(!lapsed.ticked);
        assert_eq!(lapsed.note.as_deref(), Some(STALE_COMMAND));
        // Ticking again records the new command; unticking stores false; both revert exactly.
        let tick = lapsed.toggle(&c).unwrap();
        c.apply(&tick);
        assert!(item(&c).ticked);
        let untick = item(&c).toggle(&c).unwrap();
        assert_eq!(untick.new, Value::Bool(false));
        c.apply(&untick);
        c.revert(&untick);
        c.revert(&tick);
        assert_eq!(item(&c).note.as_deref(), Some(STALE_COMMAND));
    }

    #[test]
    fn per_user_has_no_checklist() {
        let p = plan("per_user", "on_premises");
        assert!(p.checklists.is_empty());
        assert_eq!(p.impersonation_account, None);
        assert_eq!(p.notices[0].id, "per_user");
    }
}
