//! `scc-onboard roster join SALESFORCE_USERS MICROSOFT_USERS -o ROSTER.csv`: renders
//! `usecase::roster_join` (reading the exports, the join and the write are decided there;
//! this file prints).
//!
//! Exit codes: 0 every Salesforce user taking part was matched; 1 some were not (ambiguous or
//! only in Salesforce; the roster of the matched people is still written); 2 unusable input.

use super::Exit;
use crate::directory::{
    self, Ambiguous, JoinOptions, JoinOutcome, MatchedBy, MicrosoftUser, Notice, SalesforceUser,
    Side, SkipReason,
};
use crate::usecase::roster_join as usecase;
use clap::Args;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Arguments of `roster join`.
#[derive(Args, Debug)]
pub(crate) struct JoinArgs {
    /// The Salesforce users export (Data Loader on User, or a users report).
    pub salesforce_users: PathBuf,
    /// The Microsoft 365 users export (Entra "Download users", or Get-MgUser | Export-Csv).
    pub microsoft_users: PathBuf,
    /// The roster to write: the matched people, in the five vendor columns.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Print one JSON document instead of the text report.
    #[arg(long)]
    pub json: bool,
    /// Also join inactive and non-standard Salesforce users and disabled or guest Microsoft
    /// 365 accounts (skipped by default).
    #[arg(long)]
    pub include_inactive: bool,
    /// Write the roster without a UTF-8 byte-order mark (for tools rather than Excel).
    #[arg(long)]
    pub no_bom: bool,
}

/// Entries listed per section of the text report; `--json` lists every one.
const LISTED: usize = 50;

pub(super) fn run(args: JoinArgs) -> Exit {
    let lists =
        match usecase::read_exports(&args.salesforce_users, &args.microsoft_users, &args.output) {
            Ok(x) => x,
            Err(e) => return fail(&e.to_string()),
        };
    let sources = Sources {
        salesforce_users: &args.salesforce_users,
        microsoft_users: &args.microsoft_users,
        output: &args.output,
    };
    let opts = JoinOptions {
        include_inactive: args.include_inactive,
    };
    finish(
        &sources,
        (&lists.salesforce, &lists.salesforce_notices),
        (&lists.microsoft, &lists.microsoft_notices),
        &opts,
        !args.no_bom,
        args.json,
    )
}

/// Where the two user lists came from and where the roster goes (`roster pull` names the
/// two services' URLs as its sources).
pub(super) struct Sources<'a> {
    pub salesforce_users: &'a Path,
    pub microsoft_users: &'a Path,
    pub output: &'a Path,
}

/// Joins the two lists, writes the roster and the report, and returns the exit code: the
/// part `roster join` and `roster pull` share.
pub(super) fn finish(
    sources: &Sources<'_>,
    (sf, sf_notices): (&[SalesforceUser], &[Notice]),
    (ms, ms_notices): (&[MicrosoftUser], &[Notice]),
    opts: &JoinOptions,
    bom: bool,
    json: bool,
) -> Exit {
    let joined = match usecase::join_and_write(sf, ms, opts, sources.output, bom) {
        Ok(j) => j,
        Err(e) => return fail(&e.to_string()),
    };
    let r = Report {
        sources,
        sf,
        ms,
        sf_notices,
        ms_notices,
        outcome: &joined.outcome,
        rows: &joined.rows,
        written: joined.written,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let res = if json {
        serde_json::to_writer_pretty(&mut out, &r.json())
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        r.text(&mut out)
    };
    if let Err(e) = res.and_then(|()| out.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            return fail(&format!("cannot write the report: {e}"));
        }
    }
    if joined.outcome.all_matched() {
        Exit::Success
    } else {
        Exit::Problems
    }
}

fn fail(msg: &str) -> Exit {
    eprintln!("scc-onboard: {msg}");
    Exit::Usage
}

struct Report<'a> {
    sources: &'a Sources<'a>,
    sf: &'a [SalesforceUser],
    ms: &'a [MicrosoftUser],
    sf_notices: &'a [Notice],
    ms_notices: &'a [Notice],
    outcome: &'a JoinOutcome,
    rows: &'a [[String; 5]],
    written: usize,
}

/// `line N` in the Salesforce export, or `-` when the user was pulled.
fn at(line: Option<u64>) -> String {
    line.map_or_else(|| "-".into(), |l| format!("line {l}"))
}

fn sf_label(u: &SalesforceUser) -> String {
    format!("{}  {} <{}>  {}", at(u.line), u.name, u.username, u.email)
}

fn ms_label(u: &MicrosoftUser) -> String {
    let mail = u
        .mail
        .as_deref()
        .map(|m| format!("  {m}"))
        .unwrap_or_default();
    let at = u.line.map_or_else(
        || "Microsoft 365".into(),
        |l| format!("Microsoft 365 line {l}"),
    );
    format!("{at}  {} <{}>{mail}", u.display_name, u.upn)
}

fn key_text(by: &MatchedBy) -> String {
    let sf = match by.salesforce {
        directory::SfKey::FederationId => "FederationIdentifier",
        directory::SfKey::Username => "Username",
        directory::SfKey::Email => "Email",
    };
    let ms = match by.microsoft {
        directory::MsKey::Upn => "userPrincipalName",
        directory::MsKey::Mail => "mail",
        directory::MsKey::ProxyAddress => "proxyAddresses",
    };
    format!("{sf} = {ms} ({})", by.value)
}

fn more(out: &mut impl Write, total: usize) -> io::Result<()> {
    if total > LISTED {
        writeln!(
            out,
            "  … and {} more (--json lists every one)",
            total - LISTED
        )?;
    }
    Ok(())
}

impl Report<'_> {
    fn text(&self, out: &mut impl Write) -> io::Result<()> {
        let (o, a) = (self.outcome, self.sources);
        for (file, notices) in [
            (&a.salesforce_users, self.sf_notices),
            (&a.microsoft_users, self.ms_notices),
        ] {
            for n in notices {
                writeln!(out, "{}: {}", file.display(), n.message)?;
            }
        }
        writeln!(
            out,
            "{} ({} users) and {} ({} accounts): {} matched, {} ambiguous, {} only in \
             Salesforce, {} only in Microsoft 365, {} skipped",
            a.salesforce_users.display(),
            self.sf.len(),
            a.microsoft_users.display(),
            self.ms.len(),
            o.matched.len(),
            o.ambiguous.len(),
            o.only_salesforce.len(),
            o.only_microsoft.len(),
            o.skipped.len(),
        )?;
        if !o.ambiguous.is_empty() {
            writeln!(out, "\nAmbiguous: more than one candidate, not guessed (choose in the wizard's Match review, or correct the source data):")?;
            for amb in o.ambiguous.iter().take(LISTED) {
                self.ambiguous_text(out, amb)?;
            }
            more(out, o.ambiguous.len())?;
        }
        if !o.only_salesforce.is_empty() {
            writeln!(out, "\nOnly in Salesforce: no Microsoft 365 account has their e-mail, username or federation ID:")?;
            for &s in o.only_salesforce.iter().take(LISTED) {
                writeln!(out, "  {}", sf_label(&self.sf[s]))?;
            }
            more(out, o.only_salesforce.len())?;
        }
        let sf_skipped: Vec<_> = o
            .skipped
            .iter()
            .filter(|s| s.side == Side::Salesforce)
            .collect();
        if !sf_skipped.is_empty() {
            writeln!(
                out,
                "\nSkipped in Salesforce (--include-inactive joins them too):"
            )?;
            for s in sf_skipped.iter().take(LISTED) {
                writeln!(
                    out,
                    "  {}: {}",
                    sf_label(&self.sf[s.index]),
                    s.reason.text()
                )?;
            }
            more(out, sf_skipped.len())?;
        }
        let ms_skipped = o.skipped.len() - sf_skipped.len();
        if ms_skipped > 0 || !o.only_microsoft.is_empty() {
            let count = |r: SkipReason| {
                o.skipped
                    .iter()
                    .filter(|s| s.side == Side::Microsoft && s.reason == r)
                    .count()
            };
            writeln!(
                out,
                "\nMicrosoft 365: {} accounts no Salesforce user points at, {} disabled and {} guest accounts skipped (--json lists them)",
                o.only_microsoft.len(),
                count(SkipReason::Disabled),
                count(SkipReason::Guest),
            )?;
        }
        writeln!(
            out,
            "\nWrote {} people to {}; check it with: scc-onboard validate {}",
            self.written,
            a.output.display(),
            a.output.display()
        )?;
        if o.all_matched() {
            writeln!(out, "✓ every Salesforce user taking part was matched")
        } else {
            writeln!(
                out,
                "✗ {} Salesforce users not matched ({} ambiguous, {} only in Salesforce); the roster holds the {} who were",
                o.ambiguous.len() + o.only_salesforce.len(),
                o.ambiguous.len(),
                o.only_salesforce.len(),
                o.matched.len()
            )
        }
    }

    fn ambiguous_text(&self, out: &mut impl Write, amb: &Ambiguous) -> io::Result<()> {
        writeln!(out, "  {}", sf_label(&self.sf[amb.salesforce]))?;
        for (m, by) in &amb.candidates {
            writeln!(
                out,
                "      candidate {}  by {}",
                ms_label(&self.ms[*m]),
                key_text(by)
            )?;
        }
        for &r in &amb.contested_by {
            writeln!(out, "      also pointed at by {}", sf_label(&self.sf[r]))?;
        }
        Ok(())
    }

    fn json(&self) -> JsonReport<'_> {
        let o = self.outcome;
        JsonReport {
            salesforce_users: self.sources.salesforce_users,
            microsoft_users: self.sources.microsoft_users,
            output: self.sources.output,
            rows_written: self.written,
            all_matched: o.all_matched(),
            counts: Counts {
                salesforce_users: self.sf.len(),
                microsoft_accounts: self.ms.len(),
                matched: o.matched.len(),
                ambiguous: o.ambiguous.len(),
                only_salesforce: o.only_salesforce.len(),
                only_microsoft: o.only_microsoft.len(),
                skipped: o.skipped.len(),
            },
            notices: JsonNotices {
                salesforce: self.sf_notices,
                microsoft: self.ms_notices,
            },
            matched: o
                .matched
                .iter()
                .zip(self.rows)
                .map(|(m, row)| JsonMatch {
                    full_name: &row[0],
                    salesforce_login: &row[1],
                    salesforce_user_id: &row[2],
                    office365_login: &row[3],
                    office365_email: &row[4],
                    salesforce_line: self.sf[m.salesforce].line,
                    microsoft_line: self.ms[m.microsoft].line,
                    microsoft_id: &self.ms[m.microsoft].id,
                    matched_by: &m.by,
                })
                .collect(),
            ambiguous: o
                .ambiguous
                .iter()
                .map(|a| JsonAmbiguous {
                    salesforce: &self.sf[a.salesforce],
                    candidates: a
                        .candidates
                        .iter()
                        .map(|(m, by)| JsonCandidate {
                            microsoft: &self.ms[*m],
                            matched_by: by,
                        })
                        .collect(),
                    contested_by: a.contested_by.iter().map(|&s| &self.sf[s]).collect(),
                })
                .collect(),
            only_salesforce: o.only_salesforce.iter().map(|&s| &self.sf[s]).collect(),
            only_microsoft: o.only_microsoft.iter().map(|&m| &self.ms[m]).collect(),
            skipped: o
                .skipped
                .iter()
                .map(|s| JsonSkipped {
                    side: s.side,
                    reason: s.reason,
                    salesforce: (s.side == Side::Salesforce).then(|| &self.sf[s.index]),
                    microsoft: (s.side == Side::Microsoft).then(|| &self.ms[s.index]),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    salesforce_users: &'a Path,
    microsoft_users: &'a Path,
    output: &'a Path,
    rows_written: usize,
    all_matched: bool,
    counts: Counts,
    notices: JsonNotices<'a>,
    matched: Vec<JsonMatch<'a>>,
    ambiguous: Vec<JsonAmbiguous<'a>>,
    only_salesforce: Vec<&'a SalesforceUser>,
    only_microsoft: Vec<&'a MicrosoftUser>,
    skipped: Vec<JsonSkipped<'a>>,
}

#[derive(Serialize)]
struct Counts {
    salesforce_users: usize,
    microsoft_accounts: usize,
    matched: usize,
    ambiguous: usize,
    only_salesforce: usize,
    only_microsoft: usize,
    skipped: usize,
}

#[derive(Serialize)]
struct JsonNotices<'a> {
    salesforce: &'a [Notice],
    microsoft: &'a [Notice],
}

/// A matched person: the roster row's fields (the `validate --json` keys) and the evidence.
#[derive(Serialize)]
struct JsonMatch<'a> {
    full_name: &'a str,
    salesforce_login: &'a str,
    salesforce_user_id: &'a str,
    office365_login: &'a str,
    office365_email: &'a str,
    salesforce_line: Option<u64>,
    microsoft_line: Option<u64>,
    microsoft_id: &'a str,
    matched_by: &'a MatchedBy,
}

#[derive(Serialize)]
struct JsonAmbiguous<'a> {
    salesforce: &'a SalesforceUser,
    candidates: Vec<JsonCandidate<'a>>,
    contested_by: Vec<&'a SalesforceUser>,
}

#[derive(Serialize)]
struct JsonCandidate<'a> {
    microsoft: &'a MicrosoftUser,
    matched_by: &'a MatchedBy,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    side: Side,
    reason: SkipReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    salesforce: Option<&'a SalesforceUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    microsoft: Option<&'a MicrosoftUser>,
}
