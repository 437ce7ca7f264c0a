#!/usr/bin/env bash
# Page weight of a first visit: the compressed bytes of every JS, WASM and CSS file the page
# loads, as the release server sends them to a browser that accepts brotli.
# Needs a release build (`cargo leptos build --release --precompress`; the site is what counts, so
# GAILLERY_BIN may name another build of the server). Target: under 300 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-3950}
data=$(mktemp -d)
"${GAILLERY_BIN:-target/release/gaillery}" serve --addr "127.0.0.1:$port" --data-dir "$data" \
  --site-root target/site --leptos-config Leptos.toml >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# `/` sends a first visit on to the first-run or sign-in page, which loads the same files.
html=$(curl -sfL "http://127.0.0.1:$port/")
# Every script, module preload, stylesheet and WASM the page names.
mapfile -t assets < <(grep -oE '(href|src)="/pkg/[^"]+\.(js|wasm|css)"' <<<"$html" | sed -E 's/^(href|src)="//; s/"$//' | sort -u)
# The WASM is fetched by the JS glue, not named in the HTML.
[[ " ${assets[*]} " == *".wasm "* ]] || assets+=("/pkg/gaillery.wasm")

total=0
printf '%-28s %12s %12s\n' file raw brotli
for asset in "${assets[@]}"; do
  raw=$(curl -sf "http://127.0.0.1:$port$asset" -H 'Accept-Encoding: identity' -o /dev/null -w '%{size_download}')
  sent=$(curl -sf "http://127.0.0.1:$port$asset" -H 'Accept-Encoding: br' -o /dev/null -w '%{size_download}')
  printf '%-28s %12d %12d\n' "$asset" "$raw" "$sent"
  total=$((total + sent))
done
printf '%-28s %12s %12d  (%.1f KB; target < 300 KB)\n' total "" "$total" "$(awk -v t="$total" 'BEGIN { print t / 1000 }')"
