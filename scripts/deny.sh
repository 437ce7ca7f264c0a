#!/usr/bin/env bash
# `cargo deny check` (deny.toml): licences, bans and duplicate versions, sources, and RustSec
# advisories from a local snapshot of the database, offline: $GAILLERY_ADVISORY_DB, else
# ../shared/advisory-db or /work/shared/advisory-db. With network, `cargo deny check` alone
# uses the live database.
set -euo pipefail
cd "$(dirname "$0")/.."
# cargo-deny reads the metadata of every platform's dependencies offline (windows-sys and the
# like), which a build on Linux never downloads: fetch them all first (quick once cached).
cargo fetch --locked --quiet

snapshot=""
for candidate in "${GAILLERY_ADVISORY_DB:-}" ../shared/advisory-db /work/shared/advisory-db; do
  [[ -n "$candidate" && -d "$candidate/crates" ]] && { snapshot="$candidate"; break; }
done
if [[ -z "$snapshot" ]]; then
  echo "WARNING: advisories NOT checked: no RustSec snapshot (set GAILLERY_ADVISORY_DB, or run" \
    "\`cargo deny check\` with network); checking licences, bans and sources only" >&2
  exec cargo deny --offline check licenses bans sources
fi
# cargo-deny reads a database from a git checkout in db-path, named after its URL (the one in
# deny.toml). The snapshot is a plain folder: commit it once, dated as the snapshot.
dbs="$PWD/target/advisory-db"
db="$dbs/advisory-db-3157b0e258782691"
stamp="$db/.git/gaillery-snapshot"
if [[ ! -f "$stamp" ]] || ! cmp -s "$snapshot/SNAPSHOT.txt" "$stamp"; then
  rm -rf "$db"
  mkdir -p "$db"
  cp -r "$snapshot/." "$db/"
  date=$(sed -n 's/.* of \([0-9-]*\),.*/\1/p' "$snapshot/SNAPSHOT.txt")
  (
    cd "$db"
    git init -q
    git add -A
    GIT_AUTHOR_DATE="${date:-1970-01-01}T00:00:00Z" GIT_COMMITTER_DATE="${date:-1970-01-01}T00:00:00Z" \
      git -c user.name=snapshot -c user.email=snapshot@localhost commit -qm "RustSec snapshot"
  )
  cp "$snapshot/SNAPSHOT.txt" "$stamp"
fi
config="$dbs/deny.toml"
sed "s|^\[advisories\]$|[advisories]\ndb-path = \"$dbs\"|" deny.toml > "$config"
exec cargo deny --offline --config "$config" check
