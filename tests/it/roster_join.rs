//! `scc-onboard roster join` and the join under it, checked against generated export pairs
//! whose truth is known: no wrong match, every match the evidence supports, on several seeds.

use crate::support::cli::{run, text};
use scc_onboard::directory::synth::{self, Expected, PairOptions};
use scc_onboard::directory::{self, JoinOptions};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn no_wrong_match_and_every_supported_match_on_several_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let mut scenarios = BTreeSet::new();
    for seed in 1..=8 {
        let pair = synth::generate(&PairOptions {
            salesforce: 3000,
            microsoft: 9000,
            seed,
        });
        // Through the files, as an admin's exports would arrive.
        let sf_path = write(
            dir.path(),
            "sf.csv",
            &synth::salesforce_csv(&pair.salesforce),
        );
        let ms_path = write(dir.path(), "ms.csv", &synth::microsoft_csv(&pair.microsoft));
        let (sf, sf_notes) = directory::read_salesforce(&sf_path).unwrap();
        let (ms, ms_notes) = directory::read_microsoft(&ms_path).unwrap();
        assert!(sf_notes.is_empty(), "{sf_notes:?}");
        assert_eq!(ms_notes.len(), 1, "the #TYPE line only: {ms_notes:?}");
        assert_eq!((sf.len(), ms.len()), (3000, 9000));
        assert!(ms.len() >= 3 * sf.len());

        let out = directory::join(&sf, &ms, &JoinOptions::default());
        let mut said = vec![None; sf.len()];
        for m in &out.matched {
            // No wrong match: only the person's own account, and only where evidence shows it.
            assert_eq!(
                pair.person[m.salesforce],
                Some(m.microsoft),
                "seed {seed}: {} ({}) matched to {} by {:?}",
                sf[m.salesforce].username,
                pair.scenario[m.salesforce],
                ms[m.microsoft].upn,
                m.by
            );
            said[m.salesforce] = Some(Expected::Match(m.microsoft));
        }
        for a in &out.ambiguous {
            said[a.salesforce] = Some(Expected::Ambiguous);
        }
        for &s in &out.only_salesforce {
            said[s] = Some(Expected::OnlySalesforce);
        }
        for s in out
            .skipped
            .iter()
            .filter(|s| s.side == directory::Side::Salesforce)
        {
            said[s.index] = Some(Expected::Skipped);
        }
        for (s, want) in pair.expected.iter().enumerate() {
            assert_eq!(
                said[s],
                Some(*want),
                "seed {seed}, user {s} ({}, {}): {:?}",
                pair.scenario[s],
                sf[s].username,
                sf[s]
            );
            scenarios.insert(pair.scenario[s]);
        }
        // Every account is accounted for exactly once on the Microsoft side too.
        let claimed: usize = ms.len()
            - out.only_microsoft.len()
            - out
                .skipped
                .iter()
                .filter(|s| s.side == directory::Side::Microsoft)
                .count();
        assert!(claimed >= out.matched.len());
    }
    let all = [
        "plain",
        "upn-not-mail",
        "alias-only",
        "federation-id",
        "inactive",
        "disabled-account",
        "shared-email",
        "contested",
        "keys-disagree",
        "namesake",
        "guest",
        "portal",
        "no-account",
    ];
    assert_eq!(
        scenarios,
        all.into_iter().collect(),
        "every scenario was exercised"
    );
}

#[test]
fn the_truth_file_names_every_user_once() {
    let pair = synth::generate(&PairOptions {
        salesforce: 200,
        microsoft: 600,
        seed: 3,
    });
    let truth = synth::truth_csv(&pair);
    let lines: Vec<&str> = truth.lines().collect();
    assert_eq!(
        lines[0],
        "salesforce_id,scenario,expected,matched_upn,person_upn"
    );
    assert_eq!(lines.len(), 201);
    let matched = lines.iter().filter(|l| l.contains(",matched,")).count();
    assert_eq!(
        matched,
        pair.expected
            .iter()
            .filter(|e| matches!(e, Expected::Match(_)))
            .count()
    );
    assert!(matched > 100, "most people are matched: {matched}");
}

const SF: &str = concat!(
    "\"Id\",\"Name\",\"Username\",\"Email\",\"IsActive\",\"UserType\",\"FederationIdentifier\"\n",
    "\"005Hs00000AbCdEIAV\",\"Jane Doe\",\"jane@acme.com.sandbox\",\"jane@acme.com\",\"true\",\"Standard\",\"jane@acme.com\"\n",
    "\"005Hs00000AbCdFIAV\",\"Bob Smith\",\"bob@acme.com\",\"bob@acme.com\",\"true\",\"Standard\",\"\"\n",
    "\"005Hs00000AbCdGIAV\",\"Old Timer\",\"old@acme.com\",\"old@acme.com\",\"false\",\"Standard\",\"\"\n",
    "\"005Hs00000AbCdHIAV\",\"Ann One\",\"ann1@acme.com.au\",\"team@acme.com\",\"true\",\"Standard\",\"\"\n",
    "\"005Hs00000AbCdIIAV\",\"Ann Two\",\"ann2@acme.com.au\",\"team@acme.com\",\"true\",\"Standard\",\"\"\n",
    "\"005Hs00000AbCdJIAV\",\"Pat Lee\",\"pat@acme.com\",\"pat@home.example\",\"true\",\"Standard\",\"\"\n",
);

const MS: &str = concat!(
    "#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\n",
    "\"Id\",\"DisplayName\",\"UserPrincipalName\",\"Mail\",\"AccountEnabled\",\"UserType\",\"ProxyAddresses\"\n",
    "\"a1\",\"Jane Doe\",\"jane@acme.com\",\"jane.doe@acme.com\",\"True\",\"Member\",\"SMTP:jane.doe@acme.com;smtp:jane@acme.com\"\n",
    "\"a2\",\"Bob Smith\",\"bsmith@acme.onmicrosoft.com\",\"\",\"True\",\"Member\",\"SMTP:bsmith@acme.com smtp:Bob@acme.com\"\n",
    "\"a3\",\"Team\",\"team@acme.com\",\"team@acme.com\",\"True\",\"Member\",\"\"\n",
    "\"a4\",\"Pat Lee\",\"pat.lee@acme.com\",\"pat.lee@acme.com\",\"True\",\"Member\",\"\"\n",
    "\"a5\",\"Ex\",\"old@acme.com\",\"\",\"False\",\"Member\",\"\"\n",
    "\"a6\",\"Guest\",\"g#EXT#@acme.onmicrosoft.com\",\"g@x.com\",\"True\",\"Guest\",\"\"\n",
);

#[test]
fn join_writes_the_matched_roster_reports_the_rest_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let sf = write(dir.path(), "sf.csv", SF);
    let ms = write(dir.path(), "ms.csv", MS);
    let roster = dir.path().join("roster.csv");
    let (sf_s, ms_s, out_s) = (
        sf.to_str().unwrap(),
        ms.to_str().unwrap(),
        roster.to_str().unwrap(),
    );

    let out = run(&["roster", "join", sf_s, ms_s, "-o", out_s]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains(
            "2 matched, 2 ambiguous, 1 only in Salesforce, 1 only in Microsoft 365, 3 skipped"
        ),
        "{report}"
    );
    assert!(
        report.contains("by Email = mail (team@acme.com)"),
        "{report}"
    );
    assert!(
        report.contains("line 7  Pat Lee <pat@acme.com>"),
        "{report}"
    );
    assert!(
        report.contains("line 4  Old Timer <old@acme.com>  old@acme.com: inactive in Salesforce"),
        "{report}"
    );
    assert!(report.contains("header on line 2"), "{report}");
    let csv = std::fs::read_to_string(&roster).unwrap();
    assert_eq!(
        csv,
        "\u{feff}Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\r\n\
         Jane Doe,jane@acme.com.sandbox,005Hs00000AbCdEIAV,jane@acme.com,jane.doe@acme.com\r\n\
         Bob Smith,bob@acme.com,005Hs00000AbCdFIAV,bsmith@acme.onmicrosoft.com,bsmith@acme.com\r\n"
    );
    // Nothing special about it: it validates like any roster.
    let v = run(&["validate", out_s]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stdout));

    let out = run(&["roster", "join", sf_s, ms_s, "-o", out_s, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["all_matched"], false);
    assert_eq!(doc["counts"]["matched"], 2);
    let m = &doc["matched"][0];
    assert_eq!(m["full_name"], "Jane Doe");
    assert_eq!(m["salesforce_user_id"], "005Hs00000AbCdEIAV");
    assert_eq!(m["office365_email"], "jane.doe@acme.com");
    assert_eq!(m["salesforce_line"], 2);
    assert_eq!(m["microsoft_line"], 3);
    assert_eq!(m["matched_by"]["salesforce"], "federation_id");
    assert_eq!(m["matched_by"]["microsoft"], "upn");
    assert_eq!(
        doc["matched"][1]["matched_by"]["microsoft"],
        "proxy_address"
    );
    let amb = &doc["ambiguous"][0];
    assert_eq!(amb["salesforce"]["name"], "Ann One");
    assert_eq!(amb["candidates"][0]["microsoft"]["upn"], "team@acme.com");
    assert_eq!(amb["candidates"][0]["matched_by"]["salesforce"], "email");
    assert_eq!(amb["contested_by"][0]["name"], "Ann Two");
    assert_eq!(doc["only_salesforce"][0]["username"], "pat@acme.com");
    assert_eq!(doc["only_microsoft"][0]["upn"], "pat.lee@acme.com");
    let reasons: Vec<(&str, &str)> = doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["side"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("salesforce", "inactive"),
            ("microsoft", "disabled"),
            ("microsoft", "guest")
        ]
    );
    assert_eq!(doc["notices"]["microsoft"][0]["code"], "header-moved");
}

#[test]
fn join_exits_0_when_everyone_is_matched_and_include_inactive_joins_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let sf = write(
        dir.path(),
        "sf.csv",
        "Id,Name,Username,Email,IsActive\n005Hs00000AbCdEIAV,Jane Doe,jane@acme.com,jane@acme.com,true\n005Hs00000AbCdFIAV,Old,old@acme.com,old@acme.com,false\n",
    );
    let ms = write(
        dir.path(),
        "ms.csv",
        "userPrincipalName,displayName,mail,accountEnabled\njane@acme.com,Jane,jane@acme.com,True\nold@acme.com,Old,,False\n",
    );
    let roster = dir.path().join("r.csv");
    let args = [
        sf.to_str().unwrap(),
        ms.to_str().unwrap(),
        "-o",
        roster.to_str().unwrap(),
    ];
    let out = run(&[&["roster", "join"][..], &args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("✓ every Salesforce user taking part was matched"));
    let out = run(&[
        &["roster", "join", "--include-inactive", "--no-bom"][..],
        &args,
    ]
    .concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let csv = std::fs::read_to_string(&roster).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("Full name,"));
    assert!(
        csv.contains("Old,old@acme.com,005Hs00000AbCdFIAV,old@acme.com,\r\n"),
        "no address is invented: {csv}"
    );
}

#[test]
fn unusable_input_exits_2_naming_the_file_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let sf = write(dir.path(), "sf.csv", SF);
    let ms = write(dir.path(), "ms.csv", MS);
    let out_p = dir.path().join("r.csv");
    let (sf_s, ms_s, out_s) = (
        sf.to_str().unwrap(),
        ms.to_str().unwrap(),
        out_p.to_str().unwrap(),
    );

    // Swapped.
    let out = run(&["roster", "join", ms_s, sf_s, "-o", out_s]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "scc-onboard: {ms_s}: no column for Username, Email, Name"
        )),
        "{err}"
    );
    assert!(
        err.contains("pass the Salesforce users export first"),
        "{err}"
    );
    assert!(!out_p.exists(), "nothing written");

    // A cell that is not a checkbox.
    let bad = write(
        dir.path(),
        "bad.csv",
        &SF.replace("\"false\"", "\"inactive\""),
    );
    let out = run(&["roster", "join", bad.to_str().unwrap(), ms_s, "-o", out_s]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim_end(),
        format!("scc-onboard: {}: line 4, column 5 (IsActive): \"inactive\" is not TRUE or FALSE; fix the cell, or export the column again unformatted", bad.display())
    );

    // The output may not be an input.
    let out = run(&["roster", "join", sf_s, ms_s, "-o", ms_s]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is the Microsoft 365 users export"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&ms).unwrap(),
        MS,
        "the input is untouched"
    );

    // A missing file.
    let out = run(&["roster", "join", "/nonexistent/sf.csv", ms_s, "-o", out_s]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/sf.csv"));
}

#[test]
fn system_string_array_is_a_notice_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let sf = write(dir.path(), "sf.csv", SF);
    let ms = write(
        dir.path(),
        "ms.csv",
        &MS.replace(
            "\"SMTP:bsmith@acme.com smtp:Bob@acme.com\"",
            "\"System.String[]\"",
        ),
    );
    let out_p = dir.path().join("r.csv");
    let out = run(&[
        "roster",
        "join",
        sf.to_str().unwrap(),
        ms.to_str().unwrap(),
        "-o",
        out_p.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = doc["notices"]["microsoft"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["header-moved", "proxy-addresses-unusable"]);
    // Bob was found only through his alias; without the column he is only in Salesforce.
    let only: Vec<&str> = doc["only_salesforce"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(only, vec!["Bob Smith", "Pat Lee"]);
}

#[test]
fn cli_json_agrees_with_the_truth_file() {
    let dir = tempfile::tempdir().unwrap();
    let pair = synth::generate(&PairOptions {
        salesforce: 500,
        microsoft: 2000,
        seed: 11,
    });
    let sf = write(
        dir.path(),
        "sf.csv",
        &synth::salesforce_csv(&pair.salesforce),
    );
    let ms = write(dir.path(), "ms.csv", &synth::microsoft_csv(&pair.microsoft));
    let out_p = dir.path().join("r.csv");
    let out = run(&[
        "roster",
        "join",
        sf.to_str().unwrap(),
        ms.to_str().unwrap(),
        "-o",
        out_p.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "the pair has ambiguous users");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let truth = synth::truth_csv(&pair);
    let want: HashMap<&str, &str> = truth
        .lines()
        .skip(1)
        .filter(|l| l.contains(",matched,"))
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0], c[3])
        })
        .collect();
    let got: HashMap<&str, &str> = doc["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["salesforce_user_id"].as_str().unwrap(),
                m["office365_login"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    let csv = std::fs::read_to_string(&out_p).unwrap();
    assert_eq!(csv.lines().count(), want.len() + 1);
}
