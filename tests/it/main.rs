//! The integration tests: one binary, so the library and its dependencies are linked once
//! rather than once per test file. Each area is a module (tests/it/NAME.rs; run one with
//! `cargo test --test it NAME::`); the shared helpers are `support` (tests/support/).
//! scripts/fold-tests.sh writes this file: run it after adding a tests/*.rs file.

#[path = "../support/mod.rs"]
mod support;

mod architecture;
mod audit_cli;
mod auth_cli;
mod auth_invitation;
mod auth_keyring;
mod auth_tui_e2e;
mod bundle_atomic;
mod bundle_cli;
mod bundle_invitations;
mod bundle_markdown;
mod bundle_schema;
mod cli_validate;
mod customize_catalogue;
mod customize_cli;
mod customize_exchange_step;
mod customize_props;
mod customize_scratch_catalogue;
mod customize_step;
mod damaged_input;
mod exchange_check;
mod fuzz_regressions;
mod import_step;
mod match_review;
mod roster_join;
mod roster_live;
mod roundtrip;
mod runtime_load;
mod session;
mod tui_snapshots;
mod tui_state;
mod wizard_choices;
mod wizard_e2e;
mod wizard_ticks;
