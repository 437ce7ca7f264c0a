#!/usr/bin/env bash
# Load tests of GAiLLERY with Artillery, against a fresh server on 127.0.0.1 (see load/README.md).
#
#   load/run.sh task1|task2 [--storage embedded|aws] [--quick] [options]
#
#   task1          a visitor opens the gallery (200 photos, seeded first) and loads every
#                  thumbnail and the tags; 0->50 visitors/s over 30 s, 50/s for 60 s, 50->0 in 30 s
#   task2          a visitor uploads 1 to 5 real photos; 0->20/s over 30 s, 20/s for 60 s,
#                  20->0 in 30 s; then waits until every photo is classified
#   --storage aws  S3 (s3s-fs) and DynamoDB (moto) test servers on 127.0.0.1, started here
#   --quick        phases of 5 s, 10 s, 5 s at the same rates (a smoke run, not a measurement)
#   --phases RU,S,RD   phase durations in seconds (default 30,60,30)
#   --rate N       visitors per second at the steady phase (default 50 for task1, 20 for task2)
#   --seed N       photos in Task 1's gallery (default 200)
#   --keep         keep the temporary data directory and logs
#
# Environment: GAILLERY_BIN (default target/release/gaillery), S3S_FS, MOTO_SERVER.
# Exits non-zero when an Artillery `ensure` check fails, a photo is not classified, or a wait
# times out. Every wait is bounded; the servers started here are stopped on exit.
set -euo pipefail

LOAD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$LOAD_DIR")
cd "$ROOT"

die() { echo "run.sh: $*" >&2; exit 2; }

[[ $# -ge 1 ]] || die "usage: load/run.sh task1|task2 [--storage embedded|aws] [--quick] [--phases RU,S,RD] [--rate N] [--seed N] [--keep]"
TASK=$1; shift
case "$TASK" in task1|task2) ;; *) die "unknown task $TASK (task1 or task2)";; esac

STORAGE=embedded QUICK=0 KEEP=0 PHASES="" RATE="" SEED=200
while [[ $# -gt 0 ]]; do
  case "$1" in
    --storage) STORAGE=${2:?}; shift 2;;
    --storage=*) STORAGE=${1#*=}; shift;;
    --quick) QUICK=1; shift;;
    --phases) PHASES=${2:?}; shift 2;;
    --rate) RATE=${2:?}; shift 2;;
    --seed) SEED=${2:?}; shift 2;;
    --keep) KEEP=1; shift;;
    *) die "unknown option $1";;
  esac
done
case "$STORAGE" in embedded|aws) ;; *) die "--storage is embedded or aws";; esac
if [[ -z $PHASES ]]; then
  if [[ $QUICK == 1 ]]; then PHASES=5,10,5; else PHASES=30,60,30; fi
fi
IFS=, read -r RU STEADY RD <<<"$PHASES"
[[ $RU =~ ^[0-9]+$ && $STEADY =~ ^[0-9]+$ && $RD =~ ^[0-9]+$ ]] || die "--phases is RU,S,RD in seconds"
if [[ -z $RATE ]]; then
  if [[ $TASK == task1 ]]; then RATE=50; else RATE=20; fi
fi
[[ $RATE =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ ]] || die "--rate and --seed are whole numbers"
LOAD_SECONDS=$((RU + STEADY + RD))
(( LOAD_SECONDS <= 1800 && RATE <= 500 && SEED <= 5000 )) || die "refusing a run that long or that heavy"

# --- Artillery, pinned in load/package-lock.json ---------------------------------------------
if [[ ! -x $LOAD_DIR/node_modules/.bin/artillery ]]; then
  echo "== installing Artillery (npm ci in load/)" >&2
  (cd "$LOAD_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 900 npm ci --include=dev --no-audit --no-fund) \
    || die "npm ci failed"
fi
ARTILLERY="$LOAD_DIR/node_modules/artillery/bin/run"
# Artillery reports usage to its makers by default: nothing leaves this machine.
export ARTILLERY_DISABLE_TELEMETRY=true

# shellcheck source=lib/common.sh
source "$LOAD_DIR/lib/common.sh"
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS="$LOAD_DIR/results"
mkdir -p "$RESULTS"
NAME="$STAMP-$TASK-$STORAGE$([[ $QUICK == 1 ]] && echo -quick || true)"

start_server
if [[ $TASK == task1 ]]; then seed_gallery "$SEED"; fi

# --- the load ---------------------------------------------------------------------------------
OVERRIDES=$(node -e '
  const [ru, s, rd, rate] = process.argv.slice(1).map(Number);
  const phases = [
    { name: "ramp-up", duration: ru, arrivalRate: 0, rampTo: rate },
    { name: "steady", duration: s, arrivalRate: rate },
    { name: "ramp-down", duration: rd, arrivalRate: rate, rampTo: 0 },
  ].filter((p) => p.duration > 0);
  console.log(JSON.stringify({ config: { phases } }));' "$RU" "$STEADY" "$RD" "$RATE")
# Bounded: the phases, plus the slowest visitor (30 s per request), plus a margin.
HARD_LIMIT=$((LOAD_SECONDS + 300))
say "Artillery: $TASK, phases ${RU}s ramp-up / ${STEADY}s at ${RATE}/s / ${RD}s ramp-down (hard limit ${HARD_LIMIT} s)"
OUT="$RESULTS/$NAME.json"
SERVER_TICKS0=$(ticks_of "$SERVER_PID")
LOAD_T0=$(date +%s%3N)
set +e
/usr/bin/time -f '%U %S %e %M' -o "$WORK/client-time.txt" \
  timeout --signal=INT --kill-after=30 "$HARD_LIMIT" \
  node "$ARTILLERY" run --target "$URL" --overrides "$OVERRIDES" --output "$OUT" \
  "$LOAD_DIR/$TASK.yml" >"$WORK/artillery.log" 2>&1 &
CLIENT_PID=$!
sampler "$CLIENT_PID" >"$WORK/samples.txt" &
SAMPLER_PID=$!
wait "$CLIENT_PID"
ARTILLERY_RC=$?
CLIENT_PID=""
set -e
LOAD_T1=$(date +%s%3N)
kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
SERVER_TICKS1=$(ticks_of "$SERVER_PID")
cp "$WORK/artillery.log" "$RESULTS/$NAME.artillery.log"
kill -0 "$SERVER_PID" 2>/dev/null || { ARTILLERY_RC=3; echo "run.sh: the server died during the load" >&2; }

# --- Task 2: wait until every photo is classified ---------------------------------------------
DRAIN_FILE=""
DRAIN_RC=0
if [[ $TASK == task2 ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
  DRAIN_LIMIT=$(( QUICK == 1 ? 600 : 3600 ))
  say "waiting until the classification queue is empty (at most $DRAIN_LIMIT s)"
  DRAIN_FILE="$WORK/drain.json"
  set +e
  run_child timeout $((DRAIN_LIMIT + 60)) node "$LOAD_DIR/gallery-tool.js" drain "$URL" "$DRAIN_LIMIT" >"$DRAIN_FILE"
  DRAIN_RC=$?
  set -e
  [[ -s $DRAIN_FILE ]] || echo '{"drained":false,"seconds":null}' >"$DRAIN_FILE"
fi
SERVER_TICKS2=$(ticks_of "$SERVER_PID")
SERVER_HWM=$(server_hwm_kb)

# --- summary ----------------------------------------------------------------------------------
SUMMARY_RC=0
read -r CLIENT_U CLIENT_S CLIENT_WALL CLIENT_MAXRSS < <(tail -n 1 "$WORK/client-time.txt" 2>/dev/null || echo "0 0 0 0")
LOG_ERRORS=$(server_log_problems)
node "$LOAD_DIR/summarize.js" "$OUT" \
  --task "$TASK" --storage "$STORAGE" --quick "$QUICK" --phases "$PHASES" --rate "$RATE" --seed "$SEED" \
  --load-ms "$((LOAD_T1 - LOAD_T0))" --clk-tck "$CLK_TCK" \
  --server-ticks-load "$((SERVER_TICKS1 - SERVER_TICKS0))" \
  --server-ticks-drain "$((SERVER_TICKS2 - SERVER_TICKS1))" \
  --server-hwm-kb "${SERVER_HWM:-0}" \
  --client-cpu-s "$(echo "$CLIENT_U $CLIENT_S" | awk '{print $1+$2}')" --client-maxrss-kb "${CLIENT_MAXRSS:-0}" \
  --samples "$WORK/samples.txt" ${DRAIN_FILE:+--drain "$DRAIN_FILE"} \
  --log-errors "$LOG_ERRORS" --log-errors-file "$WORK/log-errors.txt" \
  --artillery-rc "$ARTILLERY_RC" --summary-out "$RESULTS/$NAME.summary.json" \
  || SUMMARY_RC=$?

if [[ $ARTILLERY_RC -ne 0 ]]; then
  echo "run.sh: Artillery exited with $ARTILLERY_RC (an ensure check failed, or it was stopped); its log: $RESULTS/$NAME.artillery.log" >&2
  exit 1
fi
if [[ $DRAIN_RC -ne 0 ]]; then
  echo "run.sh: not every photo was classified (see the summary above)" >&2
  exit 1
fi
exit $SUMMARY_RC
