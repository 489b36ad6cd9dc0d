//! The shipped catalogue and Exchange guide: complete, documented, sourced.

use scc_onboard::customize::{Catalogue, Guide, Kind};

#[test]
fn every_setting_of_the_issue_is_in_the_catalogue_with_its_type() {
    let cat = Catalogue::embedded();
    let expect = [
        ("sync_contacts", Kind::Bool, "Sync"),
        ("sync_events", Kind::Bool, "Sync"),
        ("sync_tasks", Kind::Bool, "Sync"),
        ("contacts_scope", Kind::Choice, "Sync"),
        ("contacts_list_view", Kind::Text, "Sync"),
        ("email_auto_sharing", Kind::Bool, "Email sharing"),
        ("auto_save_thread", Kind::Bool, "Email sharing"),
        ("link_emails_to_opportunities", Kind::Bool, "Email sharing"),
        ("blocked_addresses", Kind::DomainList, "Privacy"),
        ("internal_domains", Kind::DomainList, "Privacy"),
        ("allow_duplicate_emails", Kind::Bool, "Salesforce"),
        ("attachment_storage", Kind::Choice, "Salesforce"),
        ("salesforce_environment", Kind::Choice, "Salesforce"),
        ("salesforce_my_domain_url", Kind::Url, "Salesforce"),
        ("salesforce_client_id", Kind::Text, "Salesforce"),
        ("m365_tenant", Kind::Text, "Microsoft 365"),
        ("entra_client_id", Kind::Text, "Microsoft 365"),
        ("users_open_customization", Kind::Bool, "Access"),
        ("mailbox_access", Kind::Choice, "Access"),
        ("impersonation_account", Kind::Email, "Access"),
        ("exchange_deployment", Kind::Choice, "Access"),
    ];
    for (key, kind, group) in expect {
        let s = cat.get(key).unwrap_or_else(|| panic!("{key} missing"));
        assert_eq!((s.kind, s.group.as_str()), (kind, group), "{key}");
    }
    assert_eq!(
        cat.groups,
        [
            "Sync",
            "Email sharing",
            "Privacy",
            "Salesforce",
            "Microsoft 365",
            "Access"
        ]
    );
}

#[test]
fn docs_list_every_setting() {
    let docs = include_str!("../../docs/customize.md");
    for s in &Catalogue::embedded().settings {
        assert!(
            docs.contains(&format!("| `{}` |", s.key)),
            "docs/customize.md lacks {}",
            s.key
        );
    }
}

#[test]
fn every_guide_text_cites_a_source_with_an_https_url() {
    let g = Guide::embedded();
    for s in &g.sources {
        assert!(s.url.starts_with("https://"), "{}", s.id);
    }
    for n in &g.notices {
        // The per-user notices state our own plan, not Microsoft's rules.
        if !n.id.starts_with("per_user") && n.id != "impersonation_password" {
            assert!(!n.sources.is_empty(), "notice {} has no source", n.id);
        }
    }
    for c in &g.checklists {
        assert!(!c.sources.is_empty(), "checklist {} has no source", c.id);
    }
    assert!(Guide::parse("version = 1\nchecked = \"x\"\nsource = []\n[[notice]]\nid = \"a\"\ntitle = \"t\"\nbody = \"b\"\nsources = [\"nope\"]\n", "g.toml")
        .unwrap_err()
        .contains("cites unknown source `nope`"));
}
