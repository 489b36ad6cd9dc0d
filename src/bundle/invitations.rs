//! Invitations: for every included user, `invitations/<Office 365 login>.toml` (the user
//! config plus an `[expect]` table saying who this user is), `invitations/<login>.eml` (a
//! ready-to-send message with the `.toml` attached) and one `invitations.csv` for mail merge.
//!
//! Pure: bytes from the rows, the user config text and the plan. What a user authorizes is
//! decided once, in [`user_providers`]; every text here follows from it.

use super::OutFile;
use crate::auth::Provider;
use crate::customize::{syntax::is_guid, Catalogue, Choices, Deployment, ExchangePlan, Mode};
use crate::roster::export::{neutralize, CsvOptions};
use crate::roster::rules::sfid;
use base64::Engine as _;
use serde::Serialize;
use std::collections::HashSet;

/// The folder of the per-user files, inside the bundle.
pub(crate) const FOLDER: &str = "invitations";
/// The mail-merge list, at the bundle's top level.
pub(crate) const CSV_NAME: &str = "invitations.csv";

/// What the users of this plan authorize, in card order. Salesforce always; their Exchange
/// Online mailbox only under per-user access (app-only and impersonation reach every mailbox
/// without them; Exchange Server has no Microsoft 365 sign-in, so its users connect their
/// mailbox in SmartCloud Connect itself). The one place that decides it.
pub(crate) fn user_providers(plan: &ExchangePlan) -> Vec<Provider> {
    providers_for(plan.mode, plan.deployment)
}

/// [`user_providers`]' decision from the mode and deployment alone.
pub(crate) fn providers_for(mode: Mode, deployment: Deployment) -> Vec<Provider> {
    match (mode, deployment) {
        (Mode::PerUser, Deployment::ExchangeOnline) => {
            vec![Provider::Salesforce, Provider::Exchange]
        }
        _ => vec![Provider::Salesforce],
    }
}

/// The same decision read back from a user config's `[plan]` (the end-user authorize
/// screen's cards). No `[plan]` (a config written before it existed) or a value this
/// version does not know: every provider, as before, rather than hide a card a user needs.
pub(crate) fn config_providers(plan: Option<&crate::auth::config::PlanConfig>) -> Vec<Provider> {
    let Some(plan) = plan else {
        return Provider::ALL.to_vec();
    };
    let mode = [Mode::PerUser, Mode::AppOnly, Mode::Impersonation]
        .into_iter()
        .find(|m| m.as_str() == plan.mailbox_access);
    let deployment = [Deployment::ExchangeOnline, Deployment::OnPremises]
        .into_iter()
        .find(|d| d.as_str() == plan.exchange_deployment);
    match (mode, deployment) {
        (Some(m), Some(d)) => providers_for(m, d),
        _ => Provider::ALL.to_vec(),
    }
}

/// What every invitation shares: the user config, what users authorize, and the org facts
/// known from the choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// What each user authorizes ([`user_providers`]).
    pub providers: Vec<Provider>,
    /// The user config TOML (the bundle's `user-config.toml`).
    pub user_config: String,
    /// The Salesforce org ID, when the choices name it (no setting does yet).
    pub salesforce_org_id: Option<String>,
    /// The Microsoft 365 tenant ID, when the tenant setting is one (a GUID, not a domain).
    pub microsoft_tenant_id: Option<String>,
}

impl Plan {
    /// The plan that follows from the admin's choices.
    pub(crate) fn new(cat: &Catalogue, choices: &Choices, exchange: &ExchangePlan) -> Plan {
        let config =
            crate::auth::config_from_choices(&crate::auth::Config::default(), cat, choices);
        let tenant = choices.text(cat, "m365_tenant").trim().to_ascii_lowercase();
        Plan {
            providers: user_providers(exchange),
            user_config: crate::auth::user_config_toml(&config),
            salesforce_org_id: None,
            microsoft_tenant_id: is_guid(&tenant).then_some(tenant),
        }
    }

    fn exchange(&self) -> bool {
        self.providers.contains(&Provider::Exchange)
    }

    /// The message's subject line.
    pub(crate) fn subject(&self) -> &'static str {
        if self.exchange() {
            "Authorize SmartCloud Connect for your mailbox"
        } else {
            "Authorize SmartCloud Connect for your Salesforce account"
        }
    }
}

/// One user, from their roster row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Invitee<'a> {
    pub full_name: &'a str,
    pub salesforce_login: &'a str,
    pub salesforce_user_id: &'a str,
    pub office365_login: &'a str,
    pub email: &'a str,
}

impl<'a> Invitee<'a> {
    /// From a row's five cells in [`crate::roster::Field::ALL`] order.
    pub(crate) fn from_cells(cells: [&'a str; 5]) -> Self {
        let [full_name, salesforce_login, salesforce_user_id, office365_login, email] =
            cells.map(str::trim);
        Invitee {
            full_name,
            salesforce_login,
            salesforce_user_id,
            office365_login,
            email,
        }
    }
}

/// The `[expect]` table (h6's `authorize` enforces it); a key is left out when unknown.
#[derive(Serialize)]
struct Expect {
    #[serde(skip_serializing_if = "Option::is_none")]
    full_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    salesforce_login: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    salesforce_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    office365_login: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    salesforce_org_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    microsoft_tenant_id: Option<String>,
}

#[derive(Serialize)]
struct ExpectDoc {
    expect: Expect,
}

fn known(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The user's `.toml`: the user config plus `[expect]`.
pub(crate) fn user_toml(plan: &Plan, user: &Invitee, file: &str) -> String {
    // A valid 15-character ID is written in its 18-character form, as users.csv suggests.
    let id = user.salesforce_user_id;
    let id = if id.len() == 15 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        sfid::to_18(id)
    } else {
        id.to_string()
    };
    let expect = ExpectDoc {
        expect: Expect {
            full_name: known(user.full_name),
            salesforce_login: known(user.salesforce_login),
            salesforce_user_id: known(&id),
            office365_login: known(user.office365_login),
            salesforce_org_id: plan.salesforce_org_id.clone(),
            microsoft_tenant_id: plan.microsoft_tenant_id.clone(),
        },
    };
    // The user config's own header names user-config.toml; this file has its own.
    let body = plan
        .user_config
        .lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "# scc-onboard invitation for {who}, written by the admin wizard.\n\
         # Use it with: scc-onboard authorize --config {file}\n\
         # [expect] says who should sign in: nothing is stored for anyone else.\n\n\
         {body}\n\n{expect}",
        who = one_line(if user.full_name.is_empty() {
            user.office365_login
        } else {
            user.full_name
        }),
        expect = toml::to_string(&expect).unwrap_or_default(),
    )
}

/// The shells an invitation gives its commands for, one line each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // PowerShell is the product's name
pub(crate) enum Shell {
    /// Windows PowerShell / PowerShell 7.
    PowerShell,
    /// macOS's default shell.
    Zsh,
    /// Linux's usual shell.
    Bash,
}

impl Shell {
    /// In the order the message lists them.
    pub(crate) const ALL: [Shell; 3] = [Shell::PowerShell, Shell::Zsh, Shell::Bash];

    /// The heading above the shell's commands.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Shell::PowerShell => "Windows (PowerShell)",
            Shell::Zsh => "macOS (Terminal)",
            Shell::Bash => "Linux (bash)",
        }
    }

    /// `arg` as one word of this shell: as it is when nothing in it is special, else quoted.
    pub(crate) fn quote(self, arg: &str) -> String {
        let plain = |extra: &str| {
            !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c) || extra.contains(c))
        };
        match self {
            // `@` only starts a splat or array at the start of a word.
            Shell::PowerShell if plain("@:\\") && !arg.starts_with('@') => arg.to_string(),
            Shell::PowerShell => format!("'{}'", arg.replace('\'', "''")),
            // No `=` (zsh expands a leading one) and no `~` (expanded).
            Shell::Zsh | Shell::Bash if plain("@+,:%") => arg.to_string(),
            Shell::Zsh | Shell::Bash => format!("'{}'", arg.replace('\'', "'\\''")),
        }
    }

    /// The path of `file` (a safe file name, see [`file_stem`]) in the user's Downloads
    /// folder, as this shell writes it (the home folder may hold spaces).
    pub(crate) fn downloads(self, file: &str) -> String {
        match self {
            Shell::PowerShell => format!("\"$HOME\\Downloads\\{file}\""),
            Shell::Zsh | Shell::Bash => format!("~/Downloads/{file}"),
        }
    }

    /// `words` as one command line of this shell, each word quoted as needed.
    pub(crate) fn command(self, words: &[&str]) -> String {
        words
            .iter()
            .map(|w| self.quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A file name stem for `login` that is safe on Windows, macOS and Linux and in every shell
/// the message names: letters, digits and `@._+-`; anything else becomes `_`.
pub(crate) fn file_stem(login: &str) -> String {
    let mut s: String = login
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Windows drops trailing dots; a leading `-` or `.` reads as an option or a hidden file.
    s = s
        .trim_end_matches('.')
        .trim_start_matches(['-', '.'])
        .to_string();
    if s.is_empty() {
        s = "user".into();
    }
    s
}

/// Unique, case-insensitively distinct stems, one per login, in order (`-2`, `-3`… on a
/// clash, which only odd rosters have: duplicate logins are roster errors).
fn unique_stems<'a>(logins: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    logins
        .map(|login| {
            let base = file_stem(login);
            let mut stem = base.clone();
            let mut n = 1;
            while !seen.insert(stem.to_ascii_lowercase()) {
                n += 1;
                stem = format!("{base}-{n}");
            }
            stem
        })
        .collect()
}

/// The plain-text body (LF line ends) of one user's message.
pub(crate) fn body(plan: &Plan, user: &Invitee, file: &str) -> String {
    let mut b = String::new();
    let name = one_line(user.full_name);
    b.push_str(&format!(
        "Hello{},\n\n",
        if name.is_empty() {
            String::new()
        } else {
            format!(" {name}")
        }
    ));
    if plan.exchange() {
        b.push_str(
            "SmartCloud Connect links Salesforce with your Exchange mailbox. To switch it on\n\
             for you, sign in once to Salesforce and to Microsoft 365 from your own computer.\n",
        );
    } else {
        b.push_str(
            "SmartCloud Connect links Salesforce with your Exchange mailbox. Your admin has\n\
             set up mailbox access for everyone; you only sign in once to Salesforce from\n\
             your own computer.\n",
        );
    }
    b.push_str("It takes a few minutes.\n\nSign in as:\n");
    for p in &plan.providers {
        let login = match p {
            Provider::Salesforce => user.salesforce_login,
            Provider::Exchange => user.office365_login,
        };
        b.push_str(&format!("  {}: {}\n", account_title(*p), one_line(login)));
    }
    b.push_str(&format!(
        "\n1. Get scc-onboard: the scc-onboard installer your admin sent, or\n   \
         `cargo install scc-onboard`.\n\
         2. Save the attached file {file} in your Downloads folder.\n\
         3. Open a terminal (Windows: PowerShell; macOS: Terminal) and run the line for\n   \
         your system:\n\n"
    ));
    commands(&mut b, &[&[]], file);
    let cards = plan
        .providers
        .iter()
        .map(|p| p.title())
        .collect::<Vec<_>>()
        .join(" and ");
    b.push_str(&format!(
        "4. On the screen that opens, press a on {} and sign in\n   \
         in the browser as shown above. q quits.\n\n",
        if plan.providers.len() == 1 {
            format!("the {cards} card")
        } else {
            format!("each card ({cards})")
        }
    ));
    b.push_str(
        "Without that screen (for example over SSH), authorize one service at a time;\n\
         each line says whether it worked:\n\n",
    );
    let each: Vec<[&str; 1]> = plan.providers.iter().map(|p| [p.key()]).collect();
    let each: Vec<&[&str]> = each.iter().map(|a| a.as_slice()).collect();
    commands(&mut b, &each, file);
    b.push_str(
        "scc-onboard checks that you signed in as the accounts above, and keeps your\n\
         authorization only in your system's keyring (Windows Credential Manager, macOS\n\
         Keychain, the Secret Service on Linux), never in a file.\n\n\
         Questions? Reply to this message.\n",
    );
    b
}

/// Per shell: its heading, then `scc-onboard authorize <extra> --config <file>` for each of
/// `extras`, one line each.
fn commands(b: &mut String, extras: &[&[&str]], file: &str) {
    for shell in Shell::ALL {
        b.push_str(&format!("   {}:\n", shell.title()));
        for extra in extras {
            let mut words = vec!["scc-onboard", "authorize"];
            words.extend_from_slice(extra);
            words.push("--config");
            b.push_str(&format!(
                "     {} {}\n",
                shell.command(&words),
                shell.downloads(file)
            ));
        }
    }
    b.push('\n');
}

fn account_title(p: Provider) -> &'static str {
    match p {
        Provider::Salesforce => "Salesforce",
        Provider::Exchange => "Microsoft 365 (Exchange)",
    }
}

/// Control characters (line breaks included) become spaces: roster values go into headers
/// and one-line texts.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The RFC 5322 / MIME message: To the user's address, the subject, the body as UTF-8
/// quoted-printable and the `.toml` as a base64 attachment; CRLF line ends. No `From:` (the
/// admin's mail client fills it: `X-Unsent: 1` opens the file as a draft in Outlook).
pub(crate) fn eml(
    to_name: &str,
    to_addr: &str,
    subject: &str,
    body: &str,
    file: &str,
    toml: &str,
) -> Vec<u8> {
    const BOUNDARY: &str = "=_scc-onboard_invitation";
    let mut m = String::new();
    let name = one_line(to_name);
    let addr = one_line(to_addr);
    let to = if name.is_empty() {
        addr
    } else {
        format!("{} <{addr}>", display_name(&name))
    };
    m.push_str(&format!("To: {to}\r\n"));
    m.push_str(&format!(
        "Subject: {}\r\n",
        encode_words(&one_line(subject))
    ));
    m.push_str("X-Unsent: 1\r\nMIME-Version: 1.0\r\n");
    m.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{BOUNDARY}\"\r\n\r\n"
    ));
    m.push_str("This is a message in MIME format.\r\n\r\n");
    m.push_str(&format!("--{BOUNDARY}\r\n"));
    m.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    m.push_str("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    m.push_str(&quoted_printable(body));
    m.push_str(&format!("\r\n--{BOUNDARY}\r\n"));
    m.push_str(&format!(
        "Content-Type: application/toml; name=\"{file}\"\r\n"
    ));
    m.push_str(&format!(
        "Content-Disposition: attachment; filename=\"{file}\"\r\n"
    ));
    m.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
    let b64 = base64::engine::general_purpose::STANDARD.encode(toml.as_bytes());
    for chunk in b64.as_bytes().chunks(76) {
        m.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        m.push_str("\r\n");
    }
    m.push_str(&format!("--{BOUNDARY}--\r\n"));
    m.into_bytes()
}

/// A display name: a quoted string when ASCII, else RFC 2047 encoded words.
fn display_name(name: &str) -> String {
    if name.is_ascii() {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        encode_words(name)
    }
}

/// `text` as is when printable ASCII, else RFC 2047 `=?UTF-8?B?…?=` words of at most 75
/// characters (whole characters in each), folded onto continuation lines.
fn encode_words(text: &str) -> String {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.to_string();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        // 45 bytes → 60 base64 characters → 72 with `=?UTF-8?B?` and `?=`.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| {
            format!(
                "=?UTF-8?B?{}?=",
                base64::engine::general_purpose::STANDARD.encode(w.as_bytes())
            )
        })
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// RFC 2045 quoted-printable of UTF-8 text: LF becomes a CRLF hard break, lines are at most
/// 76 characters (soft breaks `=`), trailing white space and every non-ASCII byte encoded.
fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let bytes = line.as_bytes();
        let mut width = 0;
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            let literal =
                (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let piece = if literal {
                (b as char).to_string()
            } else {
                format!("={b:02X}")
            };
            // Room for the piece plus a soft break's `=` (none needed after the last one).
            let room = if last { 76 } else { 75 };
            if width + piece.len() > room {
                out.push_str("=\r\n");
                width = 0;
            }
            width += piece.len();
            out.push_str(&piece);
        }
    }
    out
}

/// Every invitation file for `users` (the included rows, in order): `invitations.csv`, then
/// per user the `.toml` and the `.eml`.
pub(crate) fn render<'a>(
    plan: &Plan,
    users: impl Iterator<Item = [&'a str; 5]>,
    csv_opts: &CsvOptions,
) -> Vec<OutFile> {
    let users: Vec<Invitee> = users.map(Invitee::from_cells).collect();
    let stems = unique_stems(users.iter().map(|u| u.office365_login));
    let subject = plan.subject();
    let mut files = Vec::with_capacity(users.len() * 2 + 1);
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(if csv_opts.bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        });
    let mut rows: Vec<[String; 5]> =
        vec![["name", "email", "subject", "body", "file"].map(String::from)];
    for (user, stem) in users.iter().zip(&stems) {
        let file = format!("{stem}.toml");
        let text = body(plan, user, &file);
        let toml = user_toml(plan, user, &file);
        files.push(OutFile {
            name: format!("{FOLDER}/{stem}.eml"),
            bytes: eml(user.full_name, user.email, subject, &text, &file, &toml),
        });
        files.push(OutFile {
            name: format!("{FOLDER}/{file}"),
            bytes: toml.into_bytes(),
        });
        rows.push([
            neutralize(&one_line(user.full_name)).into_owned(),
            neutralize(&one_line(user.email)).into_owned(),
            subject.to_string(),
            text,
            format!("{FOLDER}/{file}"),
        ]);
    }
    for r in &rows {
        // Writing to memory cannot fail.
        let _ = csv.write_record(r);
    }
    let bytes = csv.into_inner().unwrap_or_default();
    files.insert(
        0,
        OutFile {
            name: CSV_NAME.into(),
            bytes,
        },
    );
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(providers: Vec<Provider>) -> Plan {
        Plan {
            providers,
            user_config: "# scc-onboard user configuration\n# Use it with: x\n\n[salesforce]\nlogin_url = \"https://login.salesforce.com\"\n".into(),
            salesforce_org_id: None,
            microsoft_tenant_id: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
        }
    }

    const JANE: [&str; 5] = [
        "Zoë O'Brien-Łukasz",
        "zoe@acme.com.au",
        "005Hs00000AbCdE",
        "Zoe.OBrien@acme.com",
        "zoe@acme.com",
    ];

    #[test]
    fn file_stems_are_safe_and_distinct_case_insensitively() {
        assert_eq!(file_stem("jane.doe@acme.com"), "jane.doe@acme.com");
        assert_eq!(
            file_stem("a\\b/c:d*e?f\"g<h>i|j\u{1}k@x.com."),
            "a_b_c_d_e_f_g_h_i_j_k@x.com"
        );
        assert_eq!(file_stem("-x@y"), "x@y");
        assert_eq!(file_stem("..."), "user");
        assert_eq!(
            unique_stems(["A@x.com", "a@X.com", "a@x.com"].into_iter()),
            ["A@x.com", "a@X.com-2", "a@x.com-3"]
        );
    }

    #[test]
    fn shells_quote_their_own_way() {
        assert_eq!(Shell::Bash.quote("o'neil x"), "'o'\\''neil x'");
        assert_eq!(Shell::Zsh.quote("=cmd"), "'=cmd'");
        assert_eq!(Shell::Bash.quote("jane@x.com"), "jane@x.com");
        assert_eq!(
            Shell::PowerShell.quote("C:\\My Files\\a.toml"),
            "'C:\\My Files\\a.toml'"
        );
        assert_eq!(Shell::PowerShell.quote("o'neil"), "'o''neil'");
        assert_eq!(Shell::PowerShell.quote("@x"), "'@x'");
        assert_eq!(Shell::PowerShell.quote("svc@x.com"), "svc@x.com");
        assert_eq!(
            Shell::PowerShell.downloads("a@b.toml"),
            "\"$HOME\\Downloads\\a@b.toml\""
        );
    }

    #[test]
    fn the_toml_is_the_user_config_plus_who_to_expect() {
        let p = plan(vec![Provider::Salesforce, Provider::Exchange]);
        let t = user_toml(&p, &Invitee::from_cells(JANE), "Zoe.OBrien@acme.com.toml");
        let doc: toml::Table = toml::from_str(&t).unwrap();
        let e = doc["expect"].as_table().unwrap();
        assert_eq!(e["full_name"].as_str(), Some("Zoë O'Brien-Łukasz"));
        assert_eq!(e["salesforce_login"].as_str(), Some("zoe@acme.com.au"));
        assert_eq!(e["salesforce_user_id"].as_str(), Some("005Hs00000AbCdEIAV"));
        assert_eq!(e["office365_login"].as_str(), Some("Zoe.OBrien@acme.com"));
        assert_eq!(
            e["microsoft_tenant_id"].as_str(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        assert!(
            !e.contains_key("salesforce_org_id"),
            "unknown keys are left out"
        );
        assert!(doc["salesforce"].is_table());
        assert!(t.contains("--config Zoe.OBrien@acme.com.toml"));
        assert!(!t.contains("user-config.toml"));
    }

    #[test]
    fn the_body_asks_only_for_what_the_plan_needs_one_line_per_shell() {
        let both = body(
            &plan(vec![Provider::Salesforce, Provider::Exchange]),
            &Invitee::from_cells(JANE),
            "z.toml",
        );
        assert!(both.contains("  Salesforce: zoe@acme.com.au\n"));
        assert!(both.contains("  Microsoft 365 (Exchange): Zoe.OBrien@acme.com\n"));
        assert!(both.contains("     scc-onboard authorize --config \"$HOME\\Downloads\\z.toml\"\n"));
        assert!(both.contains("     scc-onboard authorize exchange --config ~/Downloads/z.toml\n"));
        assert!(!both.lines().any(|l| l.trim_end().ends_with('\\')));
        let sf = body(
            &plan(vec![Provider::Salesforce]),
            &Invitee::from_cells(JANE),
            "z.toml",
        );
        assert!(!sf.contains("Microsoft 365 (Exchange):"));
        assert!(!sf.contains("authorize exchange"));
        assert!(sf.contains("authorize salesforce --config"));
        assert!(sf.contains("the Salesforce card"));
    }

    #[test]
    fn encodings_keep_lines_short_and_names_readable() {
        let qp = quoted_printable(&format!("{}é =\nend ", "x".repeat(100)));
        assert!(qp.split("\r\n").all(|l| l.len() <= 76), "{qp}");
        assert!(qp.contains("=C3=A9 =3D\r\nend=20"), "{qp}");
        let w = encode_words(&"Zoë ".repeat(30));
        assert!(w
            .split("\r\n ")
            .all(|l| l.len() <= 75 && l.starts_with("=?UTF-8?B?")));
        assert_eq!(encode_words("Plain"), "Plain");
        assert_eq!(display_name("A \"B\""), "\"A \\\"B\\\"\"");
    }

    #[test]
    fn render_writes_one_row_and_two_files_per_user() {
        let p = plan(vec![Provider::Salesforce, Provider::Exchange]);
        let other = ["=cmd", "b@x.com", "", "B@x.com", "b@x.com"];
        let files = render(&p, [JANE, other].into_iter(), &CsvOptions { bom: false });
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "invitations.csv",
                "invitations/Zoe.OBrien@acme.com.eml",
                "invitations/Zoe.OBrien@acme.com.toml",
                "invitations/B@x.com.eml",
                "invitations/B@x.com.toml"
            ]
        );
        let mut r = csv::Reader::from_reader(files[0].bytes.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[1][0], "'=cmd", "formulas are made inert");
        assert_eq!(&rows[0][4], "invitations/Zoe.OBrien@acme.com.toml");
        assert!(rows[0][3].contains("Zoe.OBrien@acme.com.toml"));
        let toml: toml::Table =
            toml::from_str(std::str::from_utf8(&files[4].bytes).unwrap()).unwrap();
        assert!(!toml["expect"]
            .as_table()
            .unwrap()
            .contains_key("salesforce_user_id"));
    }
}
