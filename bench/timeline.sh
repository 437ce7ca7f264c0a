#!/usr/bin/env bash
# The timeline benchmark of issue #16 ("A million photos that browse like a hundred"): for each
# library size, a fresh data directory (embedded storage) with an account seeded with that many
# photos (`gaillery seed-library`), the release server on it, `/api/timeline` timed with curl,
# and the browser measured by end2end/bench/timeline.bench.ts (Debian's chromium at 1440x900).
# Prints a markdown table, a row per size as it finishes.
#
#   bench/timeline.sh [SIZES...]          default: 10000 100000
#
# Builds nothing; needs the release server and site:
#   cargo build --release -p gaillery
#   cargo leptos build --release --precompress --frontend-only
# (GAILLERY_BIN may name another server binary.) Environment:
#   PORT                  the server's port (default: the first free of 4957-4960)
#   SCROLL_LIMIT_S        how long the scroll of a year may take (default 60)
#   REPETITIONS           first screens and scrubber jumps per size (default 3; medians reported)
#   KEEP_GOING=1          go on with the next size when one fails
#   PROFILE=1             profile and trace the last scrubber jump and the scroll, and print where
#                         their time went; the site is then served with a WASM module that keeps
#                         its function names (target/front's, through wasm-bindgen, without
#                         wasm-opt), so the figures of such a run are not the release's
#
# Targets (issue #16): first screen < 1 s, scrubber jump < 300 ms, DOM < 3,000 elements, JS heap
# < 150 MB at every size; no long task (> 50 ms) while scrolling; figures at 1,000,000 within
# 1.5x of those at 10,000; /api/timeline p50 < 10 ms at 1,000,000 photos.
# Seeding costs about 1 ms and 20 KB of disk a photo (a million: ~20 GB, ~25 min).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 100000)
for size in "${sizes[@]}"; do
  [[ $size =~ ^[1-9][0-9]*$ ]] || { echo "not a library size: $size" >&2; exit 2; }
done

bin=${GAILLERY_BIN:-$root/target/release/gaillery}
missing=0
if [[ ! -x $bin ]]; then
  echo "no server binary at $bin: cargo build --release -p gaillery" >&2
  missing=1
fi
if [[ ! -f target/site/pkg/gaillery.wasm ]]; then
  echo "no site in target/site: cargo leptos build --release --precompress --frontend-only" >&2
  missing=1
fi
if [[ ! -d end2end/node_modules/@playwright/test ]]; then
  echo "no Playwright in end2end/node_modules: (cd end2end && npm ci)" >&2
  missing=1
fi
if [[ ! -x /usr/bin/chromium ]]; then
  echo "no /usr/bin/chromium: apt-get install chromium" >&2
  missing=1
fi
((missing == 0)) || exit 1
for tool in curl node timeout; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [[ -z ${PORT:-} ]]; then
  for candidate in 4957 4958 4959 4960; do
    if port_free "$candidate"; then PORT=$candidate; break; fi
  done
  [[ -n ${PORT:-} ]] || { echo "ports 4957-4960 are all taken" >&2; exit 1; }
elif ! port_free "$PORT"; then
  echo "port $PORT is taken" >&2
  exit 1
fi
base="http://127.0.0.1:$PORT"

user=bench
password='correct horse battery bench'
data=""
server=""
site="$root/target/site"
named_site=""
cleanup() {
  if [[ -n $server ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
  if [[ -n $data ]]; then
    rm -rf "$data"
    data=""
  fi
}
finish() {
  cleanup
  [[ -z $named_site ]] || rm -rf "$named_site"
}
trap finish EXIT
trap 'exit 130' INT TERM

say() { echo "[timeline.sh] $*" >&2; }

if [[ ${PROFILE:-0} == 1 ]]; then
  # The same site with function names in the WASM module, for the profiles.
  unoptimized=target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm
  if [[ ! -f $unoptimized ]] || ! command -v wasm-bindgen >/dev/null; then
    echo "PROFILE=1 needs wasm-bindgen and $unoptimized (cargo leptos build --release --frontend-only)" >&2
    exit 1
  fi
  named_site=$(mktemp -d "${TMPDIR:-/tmp}/gaillery-bench-site-XXXXXX")
  cp -r target/site/. "$named_site/"
  wasm-bindgen --target web --out-dir "$named_site/bindgen" --out-name gaillery "$unoptimized"
  # The glue's import names carry hashes of the code: the same names, the same build.
  node -e '
    const fs = require("node:fs");
    const names = (file) => WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(file))).map((i) => i.name).sort().join();
    if (names(process.argv[1]) !== names(process.argv[2])) process.exit(1);
  ' "$named_site/bindgen/gaillery_bg.wasm" target/site/pkg/gaillery.wasm ||
    say "warning: $unoptimized is not the build of target/site: the profile shows another build"
  rm -f "$named_site"/pkg/gaillery.{js,wasm}{,.br,.gz}
  mv "$named_site/bindgen/gaillery.js" "$named_site/pkg/gaillery.js"
  mv "$named_site/bindgen/gaillery_bg.wasm" "$named_site/pkg/gaillery.wasm"
  site=$named_site
fi

# p50 and p95 in milliseconds of `curl` times in seconds, one a line.
percentiles() {
  sort -g | awk '{ t[NR] = $1 * 1000 } END { printf "%.2f %.2f", t[int((NR + 1) / 2)], t[int(NR * 0.95 + 0.5)] }'
}

header='| photos | seeded in | /api/timeline p50 (p95) | first row / first screen | hydrated | scrubber jump | scroll a year | dropped frames | long tasks while scrolling | DOM end (most) | JS heap | WASM memory |'
rule='|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|'
rows=()
echo "$header"
echo "$rule"

# One size: seed, serve, measure, print a row. Runs in the main shell so the trap sees it all.
run_size() {
  local count=$1
  data=$(mktemp -d "${TMPDIR:-/tmp}/gaillery-bench-timeline-XXXXXX")
  say "$count photos: seeding into $data"
  # (errexit is off in a function called by `if`: every step checks its own failure.)
  printf '%s\n' "$password" | "$bin" user add "$user" --admin --data-dir "$data" >"$data/seed.log" 2>&1 ||
    { say "gaillery user add failed:"; cat "$data/seed.log" >&2; return 1; }
  # About 1.5 ms a photo on two busy cores, with room to spare.
  local seed_limit=$((300 + count / 200))
  local seed_started=$SECONDS
  if ! timeout "$seed_limit" "$bin" seed-library --count "$count" --user "$user" --data-dir "$data" \
    >"$data/seed.log" 2>&1; then
    say "seeding failed or took over ${seed_limit} s:"; tail -5 "$data/seed.log" >&2
    return 1
  fi
  local seeded=$((SECONDS - seed_started))
  say "$(tail -1 "$data/seed.log"); $(du -sh "$data" | cut -f1) on disk"

  # As end2end/playwright.config.ts serves, without models: the timeline needs none.
  "$bin" serve --addr "127.0.0.1:$PORT" --data-dir "$data" --site-root "$site" \
    --leptos-config "$root/Leptos.toml" --model none >"$data/server.log" 2>&1 &
  server=$!
  local up=0
  for _ in $(seq 600); do
    if curl -sf "$base/healthz" >/dev/null; then up=1; break; fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  if ((up == 0)); then
    say "the server did not start:"; tail -20 "$data/server.log" >&2
    return 1
  fi
  # The sweep `serve` starts with reads every image file: measured after it, not beside it.
  local sweep_started=$SECONDS
  for _ in $(seq 1800); do
    grep -qE 'swept|the sweep stopped' "$data/server.log" && break
    sleep 0.5
  done
  say "the server's first sweep took $((SECONDS - sweep_started)) s after it answered"

  # /api/timeline with the owner's session cookie: 5 to warm up, then 50 timed.
  local jar="$data/cookies"
  curl -sf -c "$jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$password\"}" "$base/api/session" >/dev/null ||
    { say "signing in with curl failed"; return 1; }
  local sections
  sections=$(curl -sf -b "$jar" "$base/api/timeline" | node -e \
    'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).sections.length))') ||
    { say "GET /api/timeline failed"; return 1; }
  for _ in 1 2 3 4 5; do curl -sf -b "$jar" -o /dev/null "$base/api/timeline"; done
  local api
  api=$(for _ in $(seq 50); do curl -sf -b "$jar" -o /dev/null -w '%{time_total}\n' "$base/api/timeline"; done | percentiles)
  say "/api/timeline: $sections months; p50 p95 ${api// / ms, } ms"

  # The browser. A year of scrolling grows with the library: bounded by SCROLL_LIMIT_S.
  local result="$data/result.json"
  local limit_s=$((${SCROLL_LIMIT_S:-60} + ${REPETITIONS:-3} * 70 + 60))
  say "$count photos: measuring in chromium (at most ${limit_s} s)"
  if ! (cd end2end && GAILLERY_BENCH_URL="$base" GAILLERY_BENCH_USER="$user" GAILLERY_BENCH_PASSWORD="$password" \
    GAILLERY_BENCH_RESULT="$result" GAILLERY_BENCH_REPETITIONS="${REPETITIONS:-3}" \
    GAILLERY_BENCH_SCROLL_LIMIT_S="${SCROLL_LIMIT_S:-60}" GAILLERY_BENCH_PROFILE="${PROFILE:-0}" GAILLERY_BENCH_TIMEOUT_MS=$((limit_s * 1000)) \
    timeout $((limit_s + 30)) npx playwright test -c bench/playwright.config.ts >&2); then
    say "the browser measurement failed; the server said:"; tail -20 "$data/server.log" >&2
    return 1
  fi

  local row
  row=$(node - "$result" "$count" "$seeded" "$api" <<'EOF'
const [file, count, seeded, api] = process.argv.slice(2);
const r = JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
const ms = (v) => `${Math.round(v)} ms`;
const mb = (v) => (v === null ? '?' : `${(v / 1048576).toFixed(1)} MB`);
const [p50, p95] = api.split(' ');
const scroll = r.scrollReached
  ? `${r.scrollTarget} reached in ${(r.reachedMs / 1000).toFixed(1)} s (${r.scrolledPx} px)`
  : `${r.scrollTarget} not reached: ${r.scrolledPx} px in ${(r.scrollWallMs / 1000).toFixed(0)} s`;
const cells = [
  Number(count).toLocaleString('en'),
  `${seeded} s`,
  `${p50} ms (${p95})`,
  `${ms(r.firstRowMedianMs)} / ${ms(r.firstScreenMedianMs)}`,
  ms(r.hydratedMedianMs),
  `${ms(r.jumpMedianMs)} (${r.jumpMonth})`,
  `${scroll}, ${r.scrollPxPerS} px/s`,
  `${r.dropped} of ${r.frames} (longest ${Math.round(r.longestFrameMs)} ms)`,
  r.longTasks === 0 ? 'none' : `${r.longTasks}, longest ${Math.round(r.longestTaskMs)} ms`,
  `${r.elements} (${r.mostElements})`,
  mb(r.jsHeapUsedBytes),
  mb(r.wasmBytes),
];
console.log(`| ${cells.join(' | ')} |`);
const runs = (name, values) => `${name} ${values.map(Math.round).join(', ')} ms`;
console.error(`[timeline.sh] ${count}: ${runs('first screen', r.firstScreenMs)}; ${runs('jump', r.jumpMs)} to ${r.jumpMonth} (landed on ${r.jumpLandedOn}); ${r.months} months; the same scroll over plain blocks dropped ${r.baselineDropped} of ${r.baselineFrames} frames (the machine's share)`);
if (r.errors.length > 0) console.error(`[timeline.sh] ${count}: errors in the page or from the server: ${r.errors.join('; ')}`);
EOF
  ) || { say "reading $result failed"; return 1; }
  echo "$row"
  rows+=("$row")
  cleanup
}

failed=0
for size in "${sizes[@]}"; do
  if ! run_size "$size"; then
    failed=1
    cleanup
    [[ ${KEEP_GOING:-0} == 1 ]] || break
  fi
done

if ((${#rows[@]} > 1)); then
  echo
  echo "$header"
  echo "$rule"
  printf '%s\n' "${rows[@]}"
fi
echo
echo "Medians of ${REPETITIONS:-3} first visits (cold cache) for first screen, hydration and jump; scroll: wheel steps of 100 px every 16 ms until the section of the month 12 months older than the newest reaches the top (at most ${SCROLL_LIMIT_S:-60} s); a dropped frame is one over 25 ms; long tasks: over 50 ms (Long Tasks API)."
exit "$failed"
