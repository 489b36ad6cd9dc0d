//! The invitations `scc-onboard export` writes, read back as a mail client and a mail merge
//! would: every `.eml` parses (mail-parser) with its `.toml` attached, and invitations.csv
//! has one row per included user.

use mail_parser::{MessageParser, MimeHeaders};
use std::fs;
use std::path::Path;
use std::process::Output;

const ROSTER: &str =
    "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\r\n\
Zoë Łukasz-O'Brien,zoe.lukasz@acme.com.au,005Dn0y9Pf34qY6III,zoe.lukasz@acme.com,zoe@acme.com\r\n\
Liam Carter,lcarter@acme.com.au,005Dn0b3wWD25RQIQZ,liam.carter@acme.com,liam.carter@acme.com\r\n\
Broken Row,broken@acme.com.au,005Hs0F5ZR3qa7yI0A,broken@acme.com,not an address\r\n\
Noah Fischer,nfischer@acme.com.au,0058c0eeby3abP3,noah.fischer@acme.com,noah.fischer@acme.com\r\n";

/// The org's app IDs every plan requires (there is no vendor app).
const IDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/app-ids.toml");

/// Exports the roster; without `--customization` in `extra`, with the app IDs alone.
fn export(dir: &Path, extra: &[&str]) -> Output {
    fs::write(dir.join("roster.csv"), ROSTER).unwrap();
    let ids: &[&str] = if extra.contains(&"--customization") {
        &[]
    } else {
        &["--customization", IDS]
    };
    let out = crate::support::cli::bin()
        .args(["export", "roster.csv", "--exclude-invalid", "-o", "bundle"])
        .args(ids)
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn every_eml_parses_as_a_message_with_its_toml_attached() {
    let tmp = tempfile::tempdir().unwrap();
    let out = export(tmp.path(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("  invitations.csv (for mail merge)\n  invitations/ (3 users"),
        "{stdout}"
    );
    let inv = tmp.path().join("bundle/invitations");
    let mut names: Vec<String> = fs::read_dir(&inv)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "liam.carter@acme.com.eml",
            "liam.carter@acme.com.toml",
            "noah.fischer@acme.com.eml",
            "noah.fischer@acme.com.toml",
            "zoe.lukasz@acme.com.eml",
            "zoe.lukasz@acme.com.toml",
        ]
    );

    let raw = fs::read(inv.join("zoe.lukasz@acme.com.eml")).unwrap();
    // RFC 5322: CRLF line ends only, no line over 78 characters.
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
    assert!(text.split("\r\n").all(|l| l.len() <= 78), "{text}");
    assert!(text.is_ascii(), "non-ASCII is encoded");

    let msg = MessageParser::default().parse(&raw).expect("parses");
    let to = msg.to().and_then(|a| a.first()).expect("a To: address");
    assert_eq!(to.address(), Some("zoe@acme.com"));
    assert_eq!(to.name(), Some("Zoë Łukasz-O'Brien"), "RFC 2047 name");
    assert_eq!(
        msg.subject(),
        Some("Authorize SmartCloud Connect for your mailbox")
    );
    assert!(msg.from().is_none(), "no From: unless the admin gives one");
    // The message's CRLF line ends, back to LF.
    let body = msg.body_text(0).expect("a text body").replace("\r\n", "\n");
    assert!(body.starts_with("Hello Zoë Łukasz-O'Brien,"), "{body}");
    assert!(
        body.contains("  Salesforce: zoe.lukasz@acme.com.au\n"),
        "{body}"
    );
    assert!(
        body.contains("  Microsoft 365 (Exchange): zoe.lukasz@acme.com\n"),
        "{body}"
    );
    for line in [
        "scc-onboard authorize --config \"$HOME\\Downloads\\zoe.lukasz@acme.com.toml\"",
        "scc-onboard authorize --config ~/Downloads/zoe.lukasz@acme.com.toml",
        "scc-onboard authorize salesforce --config ~/Downloads/zoe.lukasz@acme.com.toml",
        "scc-onboard authorize exchange --config \"$HOME\\Downloads\\zoe.lukasz@acme.com.toml\"",
    ] {
        assert!(body.contains(line), "{line} in {body}");
    }
    assert_eq!(msg.attachment_count(), 1);
    let att = msg.attachment(0).unwrap();
    assert_eq!(att.attachment_name(), Some("zoe.lukasz@acme.com.toml"));
    let on_disk = fs::read(inv.join("zoe.lukasz@acme.com.toml")).unwrap();
    assert_eq!(
        att.contents(),
        on_disk.as_slice(),
        "the attachment is the file"
    );

    // The .toml: the user config (a valid --config once [expect] is read) plus who to expect.
    let doc: toml::Table = toml::from_str(std::str::from_utf8(&on_disk).unwrap()).unwrap();
    let e = doc["expect"].as_table().unwrap();
    assert_eq!(e["full_name"].as_str(), Some("Zoë Łukasz-O'Brien"));
    assert_eq!(
        e["salesforce_login"].as_str(),
        Some("zoe.lukasz@acme.com.au")
    );
    assert_eq!(e["salesforce_user_id"].as_str(), Some("005Dn0y9Pf34qY6III"));
    assert_eq!(e["office365_login"].as_str(), Some("zoe.lukasz@acme.com"));
    assert!(!e.contains_key("salesforce_org_id"));
    assert!(
        !e.contains_key("microsoft_tenant_id"),
        "the tenant is a domain"
    );
    let mut without = doc.clone();
    without.remove("expect");
    let user_config = fs::read_to_string(tmp.path().join("bundle/user-config.toml")).unwrap();
    assert_eq!(
        without,
        toml::from_str::<toml::Table>(&user_config).unwrap(),
        "the same settings as user-config.toml"
    );
    // A 15-character ID is expected in its 18-character form.
    let noah: toml::Table =
        toml::from_str(&fs::read_to_string(inv.join("noah.fischer@acme.com.toml")).unwrap())
            .unwrap();
    assert_eq!(
        noah["expect"]["salesforce_user_id"].as_str(),
        Some("0058c0eeby3abP3AAI")
    );
}

#[test]
fn invitations_csv_has_one_row_per_included_user() {
    let tmp = tempfile::tempdir().unwrap();
    export(tmp.path(), &["--no-bom"]);
    let bundle = tmp.path().join("bundle");
    let bytes = fs::read(bundle.join("invitations.csv")).unwrap();
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        r.headers().unwrap(),
        vec!["name", "email", "subject", "body", "file"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let emails: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    // The row with errors was excluded, so it gets no invitation.
    assert_eq!(
        emails,
        [
            "zoe@acme.com",
            "liam.carter@acme.com",
            "noah.fischer@acme.com"
        ]
    );
    let users_csv = fs::read_to_string(bundle.join("users.csv")).unwrap();
    assert_eq!(
        rows.len(),
        users_csv.lines().count() - 1,
        "as many as users.csv"
    );
    for row in &rows {
        assert!(bundle.join(&row[4]).is_file(), "{}", &row[4]);
        assert!(
            row[3].contains(&row[4]["invitations/".len()..]),
            "the body names the file"
        );
        assert!(row[3].contains(&format!("Hello {},", &row[0])));
    }
    // The manifest covers the invitations too.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&"invitations.csv"));
    assert!(listed.contains(&"invitations/liam.carter@acme.com.eml"));
    assert!(listed.contains(&"invitations/liam.carter@acme.com.toml"));
}

#[test]
fn with_an_impersonating_account_users_only_authorize_salesforce() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("choices.toml"),
        format!(
            "mailbox_access = \"impersonation\"\nimpersonation_account = \"scc@acme.com\"\n\
             exchange_deployment = \"on_premises\"\n\
             ews_url = \"https://mail.acme.com/EWS/Exchange.asmx\"\n\
             m365_tenant = \"72F988BF-86F1-41AF-91AB-2D7CD011DB47\"\n{}",
            fs::read_to_string(IDS).unwrap()
        ),
    )
    .unwrap();
    export(tmp.path(), &["--customization", "choices.toml"]);
    let inv = tmp.path().join("bundle/invitations");
    let raw = fs::read(inv.join("liam.carter@acme.com.eml")).unwrap();
    let msg = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some("Authorize SmartCloud Connect for your Salesforce account")
    );
    let body = msg.body_text(0).unwrap();
    assert!(body.contains("authorize salesforce --config"), "{body}");
    assert!(!body.contains("authorize exchange"), "{body}");
    assert!(!body.contains("Microsoft 365 (Exchange):"), "{body}");
    let doc: toml::Table =
        toml::from_str(&fs::read_to_string(inv.join("liam.carter@acme.com.toml")).unwrap())
            .unwrap();
    assert_eq!(
        doc["expect"]["microsoft_tenant_id"].as_str(),
        Some("72f988bf-86f1-41af-91ab-2d7cd011db47"),
        "a tenant ID (GUID) is known"
    );
}
