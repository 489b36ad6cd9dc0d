//! The Exchange access plan: how SmartCloud Connect reaches mailboxes, and the texts and
//! checklists that tell the admin what to set up. The texts live in
//! `assets/exchange/guide.toml` with their sources; this module only selects and fills them.

use super::catalogue::Catalogue;
use super::choices::{ChoiceEdit, Choices, CHECKLIST_PREFIX};
use super::facts::RosterFacts;
use super::value::Value;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// The delegated scope of a user's sign-in when the sync uses Microsoft Graph.
pub const GRAPH_USER_SCOPE: &str = "https://graph.microsoft.com/Mail.ReadWrite https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/Contacts.ReadWrite openid profile offline_access";
/// The delegated scope of a user's sign-in when the sync uses EWS in Exchange Online.
pub const EWS_USER_SCOPE: &str =
    "https://outlook.office365.com/EWS.AccessAsUser.All openid profile offline_access";

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
    #[serde(default)]
    pub api: Option<Api>,
    pub title: String,
    pub body: String,
    pub sources: Vec<String>,
}

/// One step the admin ticks; `command` is shown ready to copy.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    /// Shown only for this API (e.g. the Graph roles vs the EWS role); absent: any.
    #[serde(default)]
    pub api: Option<Api>,
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
    #[serde(default)]
    pub api: Option<Api>,
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
    pub ews_url: Option<String>,
    /// A `RecipientRestrictionFilter` naming the roster's users (see [`scope_filter`]).
    pub scope_filter: Option<String>,
    /// How that filter picks the users, in words.
    pub scope_note: Option<String>,
}

/// Above this many users the management scope uses a group rather than a filter naming each
/// user: a filter of thousands of clauses is unwieldy to paste and to review.
pub const SCOPE_FILTER_MAX_USERS: usize = 100;

/// The `RecipientRestrictionFilter` (and how it picks users, in words) that scopes the app's
/// access to the roster's included users: by UPN up to [`SCOPE_FILTER_MAX_USERS`], else by
/// membership of the mail-enabled group "SmartCloud Connect users" that the admin fills.
pub fn scope_filter(users: &super::RosterUsers) -> Option<(String, String)> {
    if users.is_empty() {
        return None;
    }
    let Some(upns) = users.named() else {
        return Some((
            "MemberOfGroup -eq '$((Get-DistributionGroup 'SmartCloud Connect users').DistinguishedName)'".into(),
            format!(
                "{} users: too many to name in a filter, so first put them in a mail-enabled security group named \"SmartCloud Connect users\"",
                users.len()
            ),
        ));
    };
    // Inside PowerShell's double quotes: ' doubles within the single-quoted value, and ` and $
    // are escaped so nothing in an address is interpolated.
    let quote = |u: &str| u.replace('\'', "''").replace('`', "``").replace('$', "`$");
    let filter = upns
        .iter()
        .map(|u| format!("UserPrincipalName -eq '{}'", quote(u)))
        .collect::<Vec<_>>()
        .join(" -or ");
    let n = upns.len();
    Some((
        filter,
        format!(
            "the roster's {n} included user{} by name",
            if n == 1 { "" } else { "s" }
        ),
    ))
}

impl Placeholders {
    /// The values the choices and the roster give (the account only with impersonation).
    pub fn from_choices(cat: &Catalogue, choices: &Choices, facts: &RosterFacts) -> Self {
        let non_empty = |k: &str| Some(choices.text(cat, k)).filter(|t| !t.is_empty());
        let impersonation = choices.text(cat, "mailbox_access") == "impersonation";
        let scope = scope_filter(&facts.users);
        Placeholders {
            account: non_empty("impersonation_account").filter(|_| impersonation),
            app_id: non_empty("entra_client_id"),
            object_id: non_empty("entra_object_id"),
            tenant: non_empty("m365_tenant"),
            sample_user: facts.users.first().map(str::to_string),
            ews_url: non_empty("ews_url").filter(|_| impersonation),
            scope_filter: scope.as_ref().map(|s| s.0.clone()),
            scope_note: scope.map(|s| s.1),
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
    ); 8] {
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
            ("{ews_url}", &self.ews_url, "<EWS URL>", Some("ews_url")),
            (
                "{scope_filter}",
                &self.scope_filter,
                "<the roster's users>",
                None,
            ),
            (
                "{scope_note}",
                &self.scope_note,
                "<the roster's users>",
                None,
            ),
        ]
    }

    /// Fills every placeholder of the guide (see the head of `assets/exchange/guide.toml`).
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
        let applies = |m: Option<Mode>, d: Option<Deployment>, a: Option<Api>| {
            m.is_none_or(|m| m == mode)
                && d.is_none_or(|d| d == deployment)
                && a.is_none_or(|a| a == api)
        };
        let notices = guide
            .notices
            .iter()
            .filter(|n| applies(n.mode, n.deployment, n.api))
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
            .filter(|c| applies(c.mode, c.deployment, c.api))
            .map(|c| PlanChecklist {
                id: c.id.clone(),
                title: ph.fill(&c.title),
                sources: c.sources.clone(),
                items: c
                    .items
                    .iter()
                    .filter(|i| i.api.is_none_or(|a| a == api))
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

    /// The plan in one line, the same on every face (Review, Authorize, customization.md).
    pub fn summary(&self) -> String {
        let api = match self.api {
            Api::Graph => "Microsoft Graph",
            Api::Ews => "EWS",
        };
        match (self.mode, self.deployment) {
            (Mode::PerUser, Deployment::ExchangeOnline) => {
                format!("Each user authorizes their own mailbox (Exchange Online, {api})")
            }
            (Mode::PerUser, Deployment::OnPremises) => {
                "Each user connects their own mailbox in SmartCloud Connect (Exchange Server on-premises, EWS)".into()
            }
            (Mode::AppOnly, _) => format!(
                "An Entra app with app-only access to the roster's mailboxes, scoped by RBAC for Applications (Exchange Online, {api})"
            ),
            (Mode::Impersonation, Deployment::OnPremises) => format!(
                "One impersonating account, {}, at {} (Exchange Server on-premises, EWS)",
                self.impersonation_account.as_deref().unwrap_or("not named yet"),
                self.ews_url.as_deref().unwrap_or("an EWS URL not given yet"),
            ),
            (Mode::Impersonation, Deployment::ExchangeOnline) => {
                "Not possible: ApplicationImpersonation no longer exists in Exchange Online; choose app-only access".into()
            }
        }
    }

    /// What a user's Exchange sign-in grants, when users sign in to Exchange at all: the
    /// delegated scope of the chosen API (see `auth::config_from_choices`).
    pub fn user_exchange_scope(&self) -> Option<&'static str> {
        match (self.mode, self.deployment, self.api) {
            (Mode::PerUser, Deployment::ExchangeOnline, Api::Graph) => Some(GRAPH_USER_SCOPE),
            (Mode::PerUser, Deployment::ExchangeOnline, Api::Ews) => Some(EWS_USER_SCOPE),
            _ => None,
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

    /// Exchange access puts the checklists before the notices on a small screen and after
    /// them on a large one, so a notice that says where a checklist is ("below") is wrong at
    /// one size: notices name the checklist instead.
    #[test]
    fn notices_say_no_position_the_layout_can_change() {
        for n in &Guide::embedded().notices {
            for word in ["below", "above"] {
                assert!(
                    !n.body.split_whitespace().any(|w| w.starts_with(word)),
                    "notice {} says {word:?}",
                    n.id
                );
            }
        }
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
        assert_eq!(p.api, Api::Ews, "on-premises is always EWS");
    }

    fn commands(p: &ExchangePlan) -> Vec<String> {
        p.checklists
            .iter()
            .flat_map(|c| c.items.iter())
            .filter_map(|i| i.command.clone())
            .collect()
    }

    #[test]
    fn app_only_over_graph_grants_the_three_graph_roles_scoped_to_the_roster() {
        let p = plan("app_only", "exchange_online");
        assert_eq!((p.mode, p.api), (Mode::AppOnly, Api::Graph));
        assert_eq!(p.impersonation_account, None);
        let ids: Vec<&str> = p.notices.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["app_only"]);
        assert!(p.notices[0].body.contains("Do not also grant"));
        let cmds = commands(&p);
        assert!(cmds.iter().any(|c| c.starts_with(
            "New-ServicePrincipal -AppId 6233fba6-0198-4277-892f-9275bf728bcc -ObjectId <Enterprise application Object ID>"
        )));
        assert!(cmds.contains(
            &"New-ManagementScope -Name \"SmartCloud Connect mailboxes\" -RecipientRestrictionFilter \"UserPrincipalName -eq 'a@contoso.com'\"".to_string()
        ));
        let roles: Vec<&str> = cmds
            .iter()
            .filter_map(|c| c.split("-Role \"").nth(1))
            .filter_map(|r| r.split('"').next())
            .collect();
        assert_eq!(
            roles,
            [
                "Application Mail.ReadWrite",
                "Application Calendars.ReadWrite",
                "Application Contacts.ReadWrite"
            ]
        );
        assert!(cmds.iter().any(|c| c.ends_with("-Resource a@contoso.com")));
    }

    #[test]
    fn app_only_over_ews_grants_ews_access_and_needs_the_allow_list() {
        let cat = Catalogue::embedded();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let mut c = Choices::defaults(&cat, &facts);
        c.set("mailbox_access", Value::Text("app_only".into()));
        c.set("exchange_api", Value::Text("ews".into()));
        let p = ExchangePlan::new(&Guide::embedded(), &cat, &c, &facts);
        let lists: Vec<&str> = p.checklists.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(lists, ["ews_allow_list", "rbac_apps"]);
        let cmds = commands(&p);
        assert!(cmds
            .iter()
            .any(|c| c.contains("-Role \"Application EWS.AccessAsApp\"")));
        assert!(!cmds.iter().any(|c| c.contains("Mail.ReadWrite")));
        assert!(p.notices.iter().any(|n| n.id == "ews_retirement"));
    }

    #[test]
    fn per_user_over_ews_in_exchange_online_lists_the_allow_list_with_the_dates() {
        let cat = Catalogue::embedded();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let mut c = Choices::defaults(&cat, &facts);
        c.set(
            "entra_client_id",
            Value::Text("6233fba6-0198-4277-892f-9275bf728bcc".into()),
        );
        let graph = ExchangePlan::new(&Guide::embedded(), &cat, &c, &facts);
        assert!(graph.checklists.is_empty());
        let ids: Vec<&str> = graph.notices.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["per_user", "per_user_graph"]);
        c.set("exchange_api", Value::Text("ews".into()));
        let ews = ExchangePlan::new(&Guide::embedded(), &cat, &c, &facts);
        let retire = ews
            .notices
            .iter()
            .find(|n| n.id == "ews_retirement")
            .unwrap();
        assert!(retire.body.contains("1 October\n2026") || retire.body.contains("1 October 2026"));
        assert!(retire.body.contains("1 April 2027"));
        let cmds = commands(&ews);
        assert_eq!(
            cmds,
            [
                "Connect-ExchangeOnline",
                "Set-OrganizationConfig -EwsEnabled $true",
                "Set-OrganizationConfig -EwsAllowedAppIDs @{Add=\"6233fba6-0198-4277-892f-9275bf728bcc\"}",
                "Get-OrganizationConfig | Format-List EwsEnabled,EwsAllowedAppIDs",
            ]
        );
    }

    #[test]
    fn the_scope_filter_names_each_user_or_falls_back_to_a_group() {
        use crate::customize::RosterUsers;
        let few = RosterUsers::from_logins(["o'brien@x.com", "a$b@x.com"].into_iter());
        let (filter, note) = scope_filter(&few).unwrap();
        assert_eq!(
            filter,
            "UserPrincipalName -eq 'a`$b@x.com' -or UserPrincipalName -eq 'o''brien@x.com'"
        );
        assert_eq!(note, "the roster's 2 included users by name");
        let many: Vec<String> = (0..=SCOPE_FILTER_MAX_USERS)
            .map(|i| format!("u{i}@x.com"))
            .collect();
        let many = RosterUsers::from_logins(many.iter().map(String::as_str));
        let (filter, note) = scope_filter(&many).unwrap();
        assert!(filter.starts_with("MemberOfGroup -eq "), "{filter}");
        assert!(note.starts_with("101 users"), "{note}");
        assert_eq!(scope_filter(&Default::default()), None);
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
    fn per_user_on_premises_has_no_checklist_and_no_microsoft_365_sign_in() {
        let p = plan("per_user", "on_premises");
        assert!(p.checklists.is_empty());
        assert_eq!((p.impersonation_account, p.api), (None, Api::Ews));
        assert_eq!(p.notices[0].id, "per_user_on_premises");
        assert!(p.notices[0]
            .body
            .contains("does not use the Microsoft 365 sign-in"));
    }
}
