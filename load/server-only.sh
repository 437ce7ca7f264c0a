#!/usr/bin/env bash
# The server alone under Task 1's request mix, with wrk (far lighter than Artillery), on a fresh
# seeded server on 127.0.0.1. wrk is closed-loop: N connections each send the next request as
# soon as the last one is answered, so this measures the most the server answers, and its
# latency at that concurrency, not visitors arriving at a rate.
#
#   load/server-only.sh [--connections 8,64,256] [--duration S] [--threads T] [--seed N]
#                       [--storage embedded|aws] [--quick] [--keep]
#
#   --connections  one wrk run per value, one after the other (default 8,64,256)
#   --duration     seconds per run (default 30; --quick: 10)
#   --threads      wrk threads (default 1: on a small machine, leave the cores to the server)
#   --seed         photos in the gallery (default 200, as Task 1)
# One visit is 63 requests (page, listing, 60 thumbnails, tags): visitors/s = req/s / 63.
set -euo pipefail

LOAD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$LOAD_DIR")
cd "$ROOT"

CONNS=8,64,256 DURATION="" THREADS=1 SEED=200 STORAGE=embedded QUICK=0 KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) CONNS=${2:?}; shift 2;;
    --duration) DURATION=${2:?}; shift 2;;
    --threads) THREADS=${2:?}; shift 2;;
    --seed) SEED=${2:?}; shift 2;;
    --storage) STORAGE=${2:?}; shift 2;;
    --quick) QUICK=1; shift;;
    --keep) KEEP=1; shift;;
    *) echo "server-only.sh: unknown option $1" >&2; exit 2;;
  esac
done
[[ -n $DURATION ]] || DURATION=$(( QUICK == 1 ? 10 : 30 ))
[[ $DURATION =~ ^[0-9]+$ && $THREADS =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ && $CONNS =~ ^[0-9]+(,[0-9]+)*$ ]] \
  || { echo "server-only.sh: numbers expected" >&2; exit 2; }
(( DURATION <= 600 && SEED <= 5000 )) || { echo "server-only.sh: refusing a run that long" >&2; exit 2; }
case "$STORAGE" in embedded|aws) ;; *) echo "server-only.sh: --storage is embedded or aws" >&2; exit 2;; esac
command -v wrk >/dev/null || { echo "server-only.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
command -v jq >/dev/null || { echo "server-only.sh: jq is missing (apt-get install -y jq)" >&2; exit 2; }

# shellcheck source=lib/common.sh
source "$LOAD_DIR/lib/common.sh"
RESULTS="$LOAD_DIR/results"
mkdir -p "$RESULTS"
NAME="$(date +%Y%m%d-%H%M%S)-server-only-$STORAGE$([[ $QUICK == 1 ]] && echo -quick || true)"

start_server
seed_gallery "$SEED"

# Task 1's visit, as paths.
{
  echo /
  echo "/api/photos?limit=60"
  curl -sf --max-time 10 -H "Cookie: $GAILLERY_LOAD_COOKIE" "$URL/api/photos?limit=60" | jq -r '.photos[].id | "/api/photos/\(.)/thumbnail"'
  echo /api/tags
} >"$WORK/paths.txt"
say "one visit = $(wc -l <"$WORK/paths.txt") requests"

OUT="$RESULTS/$NAME.jsonl"
: >"$OUT"
IFS=, read -r -a LEVELS <<<"$CONNS"
for c in "${LEVELS[@]}"; do
  say "wrk: $c connections, $THREADS thread(s), $DURATION s"
  S0=$(ticks_of "$SERVER_PID")
  set +e
  /usr/bin/time -f '%U %S' -o "$WORK/wrk-time.txt" \
    timeout --kill-after=10 $((DURATION + 60)) \
    wrk -t "$THREADS" -c "$c" -d "${DURATION}s" --timeout 10s -s "$LOAD_DIR/wrk/visitor.lua" "$URL" \
    -- "$WORK/paths.txt" "$GAILLERY_LOAD_COOKIE" >"$WORK/wrk-$c.txt" 2>&1 &
  CLIENT_PID=$!
  sampler "$CLIENT_PID" >"$WORK/samples-$c.txt" &
  SAMPLER_PID=$!
  wait "$CLIENT_PID"; RC=$?; CLIENT_PID=""
  kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
  set -e
  S1=$(ticks_of "$SERVER_PID")
  [[ $RC -eq 0 ]] || { cat "$WORK/wrk-$c.txt" >&2; die "wrk exited with $RC"; }
  read -r WU WS <"$WORK/wrk-time.txt" || true
  LINE=$(grep '^{' "$WORK/wrk-$c.txt" | tail -n 1)
  # Per-second peaks from the samples (CPU in % of one core).
  # Columns: ms server client s3 dynamodb rss_kb busy total threads (see sampler).
  PEAKS=$(awk -v clk="$CLK_TCK" 'NR>1 { dt=($1-t)/1000; if (dt>0) { s=($2-ps)/clk/dt*100; if (s>ms) ms=s; if ($6>rss) rss=$6; if ($9>th) th=$9 } }
    NR==1 { t0=$1; d0=$5 } { t=$1; ps=$2; d=$5 }
    END { dd = (t>t0) ? (d-d0)/clk/((t-t0)/1000)*100 : 0
          printf "{\"server_cpu_peak_pct\":%.0f,\"server_rss_peak_mb\":%.0f,\"server_threads_peak\":%d,\"dynamodb_cpu_pct\":%.0f}", ms, rss/1024, th, dd }' "$WORK/samples-$c.txt")
  echo "$LINE" | jq -c --argjson c "$c" --argjson t "$THREADS" --argjson peaks "$PEAKS" \
    --arg scpu "$(( (S1 - S0) ))" --arg clk "$CLK_TCK" --arg wu "${WU:-0}" --arg ws "${WS:-0}" '
    . + {connections: $c, threads: $t,
         server_cpu_s: (($scpu|tonumber) / ($clk|tonumber)),
         wrk_cpu_s: (($wu|tonumber) + ($ws|tonumber))} + $peaks
    | . + {visitors_per_s: (.rps / 63), server_cpu_pct: (.server_cpu_s / .seconds * 100),
           wrk_cpu_pct: (.wrk_cpu_s / .seconds * 100)}' >>"$OUT"
done

echo
echo "=== server alone, Task 1's request mix (wrk)$([[ $QUICK == 1 ]] && echo ' — QUICK SMOKE RUN, not a measurement' || true)"
printf '%-6s %9s %10s %9s %9s %9s %9s %8s %14s %9s %8s %9s\n' conns req/s visitors/s p50_ms p95_ms p99_ms max_ms errors server_cpu% wrk_cpu% rss_MB \
  "$([[ $STORAGE == aws ]] && echo moto_cpu% || true)"
jq -r --arg aws "$STORAGE" '[.connections, (.rps|floor), (.visitors_per_s*10|floor/10), .latency_ms.p50, .latency_ms.p95, .latency_ms.p99, .latency_ms.max,
        (.errors.connect+.errors.read+.errors.write+.errors.status+.errors.timeout),
        "\(.server_cpu_pct|floor) (max \(.server_cpu_peak_pct))", (.wrk_cpu_pct|floor), .server_rss_peak_mb,
        (if $aws == "aws" then .dynamodb_cpu_pct else "" end)] | @tsv' "$OUT" \
  | awk -F'\t' '{ printf "%-6s %9s %10s %9s %9s %9s %9s %8s %14s %9s %8s %9s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12 }'
echo "server log: $(server_log_problems) WARN/ERROR lines"; cat "$WORK/log-errors.txt"
echo "results: $OUT"
ERRS=$(jq -s 'map(.errors.connect+.errors.read+.errors.write+.errors.status+.errors.timeout) | add' "$OUT")
[[ $ERRS -eq 0 ]] || { echo "server-only.sh: $ERRS failed requests" >&2; exit 1; }
