#!/usr/bin/env bash
# Folds every top-level integration test file (tests/NAME.rs) into the one test binary
# tests/it/ (module tests/it/NAME.rs), with one `support` module (tests/support/, found from
# tests/it/main.rs by #[path]). Idempotent: run it again after someone adds a tests/*.rs file,
# then commit what it moved. It only moves and rewrites; it never edits a test's logic.
#
# What it does, with git mv so history follows:
# - tests/common/mod.rs -> tests/support/wizard.rs, tests/bundle_support/mod.rs ->
#   tests/support/sample.rs (the helpers the tests used to copy or include on their own);
# - tests/NAME.rs -> tests/it/NAME.rs, and tests/NAME.proptest-regressions with it;
# - insta snapshots tests/snapshots/NAME__*.snap -> tests/it/snapshots/it__NAME__*.snap (the
#   module path is now it::NAME), their `source:` line updated, their content unchanged;
# - in each moved file: `mod support;` -> `use crate::support;`, `mod common;` ->
#   `use crate::support::wizard;`, `mod bundle_support;` -> `use crate::support::sample;`,
#   `#[path = "support/X.rs"] mod X;` -> `use crate::support::X;`, relative include_str!/
#   include_bytes! paths one directory deeper;
# - declares every tests/support/*.rs in tests/support/mod.rs and writes tests/it/main.rs;
# - in README.md, ARCHITECTURE.md, docs/, src/, benches/, examples/, scripts/:
#   `tests/NAME.rs` -> `tests/it/NAME.rs`, `--test NAME` -> `--test it NAME::`.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p tests/it/snapshots
if [ -f tests/common/mod.rs ]; then
    git mv tests/common/mod.rs tests/support/wizard.rs
fi
if [ -f tests/bundle_support/mod.rs ]; then
    git mv tests/bundle_support/mod.rs tests/support/sample.rs
fi

shopt -s nullglob
moved=()
for f in tests/*.rs; do
    name=$(basename "$f" .rs)
    moved+=("$name")
    git mv "$f" "tests/it/$name.rs"
    if [ -f "tests/$name.proptest-regressions" ]; then
        git mv "tests/$name.proptest-regressions" "tests/it/$name.proptest-regressions"
    fi
    for snap in tests/snapshots/"$name"__*.snap; do
        to="tests/it/snapshots/it__$(basename "$snap")"
        git mv "$snap" "$to"
        perl -pi -e "s#^source: tests/$name\\.rs\$#source: tests/it/$name.rs#" "$to"
    done
    perl -0pi -e '
        s/^#\[path = "support\/(\w+)\.rs"\]\nmod \1;\n/use crate::support::$1;\n/mg;
        s/^mod support;$/use crate::support;/mg;
        s/^mod common;$/use crate::support::wizard;/mg;
        s/\bcommon::/wizard::/g;
        s/^mod bundle_support;$/use crate::support::sample;/mg;
        s/\bbundle_support::/sample::/g;
        s/(include_(?:str|bytes)!\(")(?!\/)/$1..\//g;
    ' "tests/it/$name.rs"
done
rmdir tests/snapshots tests/common tests/bundle_support 2>/dev/null || true

# One binary uses every helper, so the support files need no dead-code allowance.
for f in tests/support/mod.rs tests/support/wizard.rs tests/support/sample.rs; do
    perl -0pi -e 's/^#!\[allow\(dead_code\)\]\n//m' "$f"
done

# Every helper file is a submodule of support.
for f in tests/support/*.rs; do
    m=$(basename "$f" .rs)
    [ "$m" = mod ] && continue
    grep -q "^pub mod $m;" tests/support/mod.rs || printf 'pub mod %s;\n' "$m" >> tests/support/mod.rs
done

{
    cat <<'EOF'
//! The integration tests: one binary, so the library and its dependencies are linked once
//! rather than once per test file. Each area is a module (tests/it/NAME.rs; run one with
//! `cargo test --test it NAME::`); the shared helpers are `support` (tests/support/).
//! scripts/fold-tests.sh writes this file: run it after adding a tests/*.rs file.

#[path = "../support/mod.rs"]
mod support;

EOF
    for f in tests/it/*.rs; do
        m=$(basename "$f" .rs)
        [ "$m" = main ] && continue
        echo "mod $m;"
    done
} > tests/it/main.rs
# Docs and comments that name a moved file or run one test binary.
mapfile -t texts < <(git ls-files README.md ARCHITECTURE.md 'docs/*.md' 'src/*.rs' 'benches/*.rs' \
    'examples/*.rs' 'scripts/*.sh' 'tests/*.rs' | grep -v '^scripts/fold-tests.sh$')
for name in "${moved[@]}"; do
    perl -pi -e "s#\\btests/$name\\.rs\\b#tests/it/$name.rs#g; s#--test $name\\b(?!::)#--test it $name::#g" \
        "${texts[@]}"
done

git add tests/it/main.rs tests/support/*.rs
cargo fmt --all
git add -u tests "${texts[@]}"
