//! The Exchange access check's result as the bundle records it: `customization.json`'s
//! `exchange_check` (the plan and the time of the check, or null when none ran) and
//! `report.md`'s table of the mailboxes not reachable and why. Built by
//! `usecase::exchange_check::CheckReport::summary`; kept small and serializable so the wizard
//! can hold it until export.

use super::markdown::{code_span, escape};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// At most this many unreachable mailboxes are listed in report.md; the rest are counted.
pub(crate) const MAX_LISTED: usize = 1000;

/// What one check found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    /// `per_user`, `app_only` or `impersonation`.
    pub plan: String,
    /// `graph` or `ews`.
    pub api: String,
    /// RFC 3339 UTC.
    pub checked_at: String,
    /// Mailboxes checked (0 under `per_user`).
    pub mailboxes: usize,
    pub reachable: usize,
    /// Every mailbox not reachable, in roster order.
    pub not_reachable: Vec<Unreachable>,
    /// The checks made besides the mailboxes (per_user's tenant, app, allow-list).
    pub prerequisites: Vec<PrerequisiteLine>,
    /// What the check could not prove (per_user: the users' own sign-ins do).
    pub note: Option<String>,
}

/// One mailbox not reachable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreachable {
    pub upn: String,
    pub line: u64,
    /// `denied`, `no-mailbox`, `not-found`, `throttled` or `unreachable`.
    pub status: String,
    pub why: String,
}

/// One prerequisite checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrerequisiteLine {
    pub check: String,
    pub ok: bool,
    pub detail: String,
}

impl CheckSummary {
    /// Every mailbox reachable and every prerequisite held.
    pub fn all_ok(&self) -> bool {
        self.not_reachable.is_empty() && self.prerequisites.iter().all(|p| p.ok)
    }
}

/// Reads what `exchange check --json` printed (for `export --exchange-check FILE`).
pub(crate) fn from_check_json(bytes: &[u8]) -> Result<CheckSummary, String> {
    let v: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("not the JSON `exchange check --json` prints: {e}"))?;
    let text = |v: &serde_json::Value, k: &str| -> Result<String, String> {
        v[k].as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("`{k}` is missing: give the output of `exchange check --json`"))
    };
    let plan = text(&v, "plan")?;
    if !["per_user", "app_only", "impersonation"].contains(&plan.as_str()) {
        return Err(format!("unknown plan {plan:?}"));
    }
    let mailboxes = v["mailboxes"].as_array().cloned().unwrap_or_default();
    let mut not_reachable = Vec::new();
    for m in &mailboxes {
        let status = text(m, "status")?;
        if status != "ok" {
            not_reachable.push(Unreachable {
                upn: text(m, "upn")?,
                line: m["line"].as_u64().unwrap_or(0),
                why: m["message"].as_str().unwrap_or(&status).to_string(),
                status,
            });
        }
    }
    let prerequisites = v["prerequisites"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| PrerequisiteLine {
                    check: p["check"].as_str().unwrap_or("").to_string(),
                    ok: p["ok"].as_bool().unwrap_or(false),
                    detail: p["detail"].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(CheckSummary {
        api: text(&v, "api")?,
        checked_at: text(&v, "checked_at")?,
        reachable: mailboxes.len() - not_reachable.len(),
        mailboxes: mailboxes.len(),
        not_reachable,
        prerequisites,
        note: v["note"].as_str().map(str::to_string),
        plan,
    })
}

/// `customization.json`'s `exchange_check`: null when no check ran.
pub(crate) fn json(check: Option<&CheckSummary>) -> serde_json::Value {
    match check {
        None => serde_json::Value::Null,
        Some(c) => serde_json::json!({
            "plan": c.plan,
            "api": c.api,
            "checked_at": c.checked_at,
            "mailboxes": c.mailboxes,
            "reachable": c.reachable,
            "not_reachable": c.not_reachable.len(),
            "prerequisites_ok": c.prerequisites.iter().all(|p| p.ok),
        }),
    }
}

/// report.md's "Exchange access check" section; `plan`/`api` are the bundle's own, so a check
/// of another plan is called out.
pub(crate) fn section(check: Option<&CheckSummary>, plan: &str, api: &str) -> String {
    let mut md = String::from("\n## Exchange access check\n\n");
    let Some(c) = check else {
        md.push_str(
            "No check ran before this export: run `scc-onboard exchange check` (or `v` on the wizard's Exchange access step) before users are told to start.\n",
        );
        return md;
    };
    let _ = writeln!(
        md,
        "Checked at {} with plan {} over {}.",
        escape(&c.checked_at),
        code_span(&c.plan),
        if c.api == "ews" {
            "EWS"
        } else {
            "Microsoft Graph"
        }
    );
    if c.plan != plan || c.api != api {
        let _ = writeln!(
            md,
            "\n**The plan has changed since** (now {} over {}): this result is for the earlier plan; run the check again.",
            code_span(plan),
            if api == "ews" { "EWS" } else { "Microsoft Graph" }
        );
    }
    if !c.prerequisites.is_empty() {
        let _ = writeln!(md, "\n| Check | Result | Detail |\n|---|---|---|");
        for p in &c.prerequisites {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                escape(&p.check),
                if p.ok { "ok" } else { "not ok" },
                cell(&p.detail)
            );
        }
    }
    if let Some(note) = &c.note {
        let mut chars = note.chars();
        let note: String = chars
            .next()
            .map(|f| f.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let _ = writeln!(md, "\n{}.", escape(&note));
    }
    if c.mailboxes > 0 {
        let _ = writeln!(
            md,
            "\n{} of {} mailboxes reachable.",
            c.reachable, c.mailboxes
        );
    }
    if !c.not_reachable.is_empty() {
        let _ = writeln!(
            md,
            "\n### Mailboxes not reachable\n\n| Mailbox | Line | Status | Why |\n|---|---:|---|---|"
        );
        for u in c.not_reachable.iter().take(MAX_LISTED) {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                cell(&u.upn),
                u.line,
                escape(&u.status),
                cell(&u.why)
            );
        }
        if c.not_reachable.len() > MAX_LISTED {
            let _ = writeln!(md, "\n…and {} more.", c.not_reachable.len() - MAX_LISTED);
        }
    }
    md
}

/// A table cell: escaped, with `|` and line breaks that would end the row neutralised.
fn cell(s: &str) -> String {
    // escape() already escapes `|`.
    escape(&s.replace(['\n', '\r'], " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> CheckSummary {
        CheckSummary {
            plan: "app_only".into(),
            api: "graph".into(),
            checked_at: "2026-12-01T23:00:00Z".into(),
            mailboxes: 3,
            reachable: 2,
            not_reachable: vec![Unreachable {
                upn: "a|b@contoso.com".into(),
                line: 4,
                status: "denied".into(),
                why: "access denied to mail: assign Application Mail.ReadWrite".into(),
            }],
            prerequisites: Vec::new(),
            note: None,
        }
    }

    #[test]
    fn the_report_lists_each_mailbox_not_reachable_and_why() {
        let md = section(Some(&summary()), "app_only", "graph");
        assert!(md.contains("2 of 3 mailboxes reachable"), "{md}");
        // A code span shows its text as it is: no backslash before the underscore.
        assert!(md.contains("with plan `app_only` over"), "{md}");
        assert!(md.contains("| Mailbox | Line | Status | Why |"), "{md}");
        assert!(md.contains("| 4 | denied | access denied to mail"), "{md}");
        assert!(md.contains("a\\|b@contoso.com"), "{md}");
        assert!(!md.contains("has changed"), "{md}");
        let md = section(Some(&summary()), "app_only", "ews");
        assert!(md.contains("The plan has changed since"), "{md}");
        assert!(section(None, "per_user", "graph").contains("No check ran"));
    }

    #[test]
    fn the_json_says_the_plan_and_time_or_null() {
        assert!(json(None).is_null());
        let j = json(Some(&summary()));
        assert_eq!(j["plan"], "app_only");
        assert_eq!(j["checked_at"], "2026-12-01T23:00:00Z");
        assert_eq!(j["not_reachable"], 1);
    }
}
