# Shared by load/run.sh and load/server-only.sh (sourced, not run): a fresh GAiLLERY server on a
# free 127.0.0.1 port with a temporary data directory, optional S3/DynamoDB test servers, seeding,
# CPU sampling, and cleanup. The caller sets ROOT, LOAD_DIR, STORAGE and KEEP first.

die() { echo "load: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }

BIN=${GAILLERY_BIN:-$ROOT/target/release/gaillery}
[[ -x $BIN ]] || die "$BIN is missing: build the release first (scripts/run.sh or cargo leptos build --release)"
[[ -f $ROOT/models/testdata/chelsea.png ]] || die "models/testdata is missing: run scripts/fetch-models.sh"
command -v node >/dev/null || die "node is missing"
command -v curl >/dev/null || die "curl is missing"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gaillery-load.XXXXXX")
SERVER_PID="" S3_PID="" DDB_PID="" SAMPLER_PID="" CLIENT_PID=""
CLK_TCK=$(getconf CLK_TCK)

stop_pid() { # pid name: TERM, up to 10 s, then KILL. Only ever our own children.
  local pid=$1 name=$2 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "load: $name ($pid) ignored SIGTERM for 10 s: killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null || true
  # A load generator or helper still running (the script was interrupted): it and its children.
  if [[ -n $CLIENT_PID ]] && kill -0 "$CLIENT_PID" 2>/dev/null; then
    local p tree
    tree=$(tree_of "$CLIENT_PID")
    for p in $tree; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $tree; do stop_pid "$p" "load generator"; done
  fi
  stop_pid "$SERVER_PID" gaillery
  stop_pid "$S3_PID" s3s-fs
  stop_pid "$DDB_PID" moto_server
  if [[ $KEEP == 1 ]]; then
    echo "load: data and logs kept in $WORK" >&2
  elif [[ $rc -ne 0 ]]; then
    # Logs matter most when something failed; the photos (100+ MB) go.
    rm -rf "$WORK/data" "$WORK/s3"
    echo "load: logs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_http() { # url seconds pid name
  local url=$1 secs=$2 pid=$3 name=$4 i
  for i in $(seq 1 $((secs * 5))); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (log: $WORK/$name.log)"
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.2
  done
  die "$name did not answer $url within $secs s (log: $WORK/$name.log)"
}

# S3 (s3s-fs) and DynamoDB (moto) test servers on 127.0.0.1, for --storage aws.
SERVER_ARGS=()
start_backends() {
  [[ $STORAGE == aws ]] || return 0
  local s3s=${S3S_FS:-$HOME/.cargo/bin/s3s-fs}
  local moto=${MOTO_SERVER:-$HOME/.cache/gaillery/moto-5.2.5/bin/moto_server}
  [[ -x $s3s ]] || die "s3s-fs not found at $s3s (set S3S_FS)"
  [[ -x $moto ]] || die "moto_server not found at $moto (set MOTO_SERVER)"
  local s3_port ddb_port
  s3_port=$(free_port); ddb_port=$(free_port)
  mkdir -p "$WORK/s3"
  # Throwaway keys of the local test servers, never real credentials; no profile, no metadata
  # service: the AWS SDK in the server must only ever talk to 127.0.0.1.
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
  export AWS_ACCESS_KEY_ID=gaillery-load AWS_SECRET_ACCESS_KEY=gaillery-load-secret AWS_REGION=us-east-1
  export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$s3_port"
  export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port"
  say "starting s3s-fs on 127.0.0.1:$s3_port and moto_server (DynamoDB) on 127.0.0.1:$ddb_port"
  "$s3s" --host 127.0.0.1 --port "$s3_port" --access-key "$AWS_ACCESS_KEY_ID" \
    --secret-key "$AWS_SECRET_ACCESS_KEY" "$WORK/s3" >"$WORK/s3s-fs.log" 2>&1 &
  S3_PID=$!
  # moto is not atomic under concurrent requests (a conditional write can race another write
  # to the same item; under load it also fails with 500s), so it serves one request at a time
  # here, as the Rust tests make it do with testkit's SerialProxy. Same app as `moto_server`,
  # with Werkzeug's single-threaded server instead of its threaded one, and TCP_NODELAY (else
  # each answer, written in pieces, waits about 40 ms for the client's delayed ACK).
  "$(dirname "$moto")/python" -c '
import sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
class Handler(MotoRequestHandler):
    disable_nagle_algorithm = True
run_simple(sys.argv[1], int(sys.argv[2]), DomainDispatcherApplication(create_backend_app),
           threaded=False, request_handler=Handler)
' 127.0.0.1 "$ddb_port" >"$WORK/moto_server.log" 2>&1 &
  DDB_PID=$!
  wait_http "http://127.0.0.1:$s3_port/" 60 "$S3_PID" s3s-fs
  wait_http "http://127.0.0.1:$ddb_port/" 60 "$DDB_PID" moto_server
  SERVER_ARGS+=(--storage aws --s3-bucket gaillery-load --dynamodb-table gaillery-load --create-resources)
}

# Sets URL and SERVER_PID.
start_server() {
  start_backends
  local port
  port=$(free_port)
  URL="http://127.0.0.1:$port"
  say "starting $BIN on $URL (data in $WORK/data, storage $STORAGE)"
  RUST_LOG=${RUST_LOG:-info} NO_COLOR=1 "$BIN" serve --addr "127.0.0.1:$port" --data-dir "$WORK/data" \
    --model efficientnet-lite0 --model-dir "$ROOT/models" --site-root "$ROOT/target/site" \
    --leptos-config "$ROOT/Leptos.toml" "${SERVER_ARGS[@]}" >"$WORK/gaillery.log" 2>&1 &
  SERVER_PID=$!
  wait_http "$URL/healthz" 120 "$SERVER_PID" gaillery
  sign_in_visitors "${LOAD_SESSION_COUNT:-100}"
}

# The first run makes the account; each visitor then carries one of `count` sessions
# (LOAD_SESSIONS, a cookie a line), and the seeding tools use the first (GAILLERY_LOAD_COOKIE).
sign_in_visitors() { # count
  say "making the account and $1 sessions (one Argon2id verification each)"
  LOAD_SESSIONS="$WORK/sessions.txt"
  run_child node "$LOAD_DIR/gallery-tool.js" sessions "$URL" "$1" "$LOAD_SESSIONS" >/dev/null \
    || die "signing in failed (log: $WORK/gaillery.log)"
  GAILLERY_LOAD_COOKIE=$(head -n 1 "$LOAD_SESSIONS")
  export LOAD_SESSIONS GAILLERY_LOAD_COOKIE
}

# Runs a command in the background and waits for it, so that a signal to this script is handled
# at once (bash defers traps until a foreground command ends) and cleanup can stop the command.
run_child() {
  local rc=0
  "$@" &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || rc=$?
  CLIENT_PID=""
  return $rc
}

seed_gallery() { # count
  local count=$1
  [[ $count -gt 0 ]] || return 0
  say "seeding the gallery with $count photos and waiting until all are classified"
  run_child node "$LOAD_DIR/gallery-tool.js" seed "$URL" "$count" 10 600 >"$WORK/seed.json" \
    || { cat "$WORK/seed.json" >&2; die "seeding failed (log: $WORK/gaillery.log)"; }
  node -e 'const r=require(process.argv[1]);console.error(`   ${r.uploaded} photos uploaded in ${r.upload_seconds.toFixed(1)} s, all ${r.done} classified ${r.seconds.toFixed(1)} s later`)' "$WORK/seed.json"
}

# --- CPU and memory, sampled once a second --------------------------------------------------------
ticks_of() { # total CPU ticks (user+system) of the processes given (their comm has no spaces)
  local p t=0 v
  for p in "$@"; do
    v=$(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null) || v=0
    t=$((t + ${v:-0}))
  done
  echo $t
}
tree_of() { # a pid and all its descendants
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1]=$2; pids[NR]=$1 }
    END { inset[root]=1; changed=1
      while (changed) { changed=0
        for (i in pids) { p=pids[i]; if (!(p in inset) && (parent[p] in inset)) { inset[p]=1; changed=1 } } }
      for (p in inset) print p }'
}
# Lines "ms server_ticks client_ticks s3_ticks dynamodb_ticks server_rss_kb machine_busy
# machine_total server_threads" until killed; the client is a pid and its descendants.
sampler() {
  local client=$1 u n s idle iow irq sirq steal total busy
  while true; do
    read -r _ u n s idle iow irq sirq steal _ </proc/stat
    total=$((u + n + s + idle + iow + irq + sirq + steal)); busy=$((total - idle - iow))
    echo "$(date +%s%3N) $(ticks_of "$SERVER_PID") $(ticks_of $(tree_of "$client")) $(ticks_of $S3_PID) $(ticks_of $DDB_PID)" \
      "$(awk '/VmRSS/{print $2}' /proc/"$SERVER_PID"/status 2>/dev/null || echo 0) $busy $total" \
      "$(awk '/Threads/{print $2}' /proc/"$SERVER_PID"/status 2>/dev/null || echo 0)"
    sleep 1
  done
}
server_hwm_kb() { awk '/VmHWM/{print $2}' /proc/"$SERVER_PID"/status 2>/dev/null || echo 0; }
server_log_problems() { # count of WARN/ERROR lines; the 10 most frequent into $WORK/log-errors.txt
  grep -E ' (ERROR|WARN) ' "$WORK/gaillery.log" | sed -E 's/^[^ ]+ +//' | cut -c1-200 | sort | uniq -c \
    | sort -rn | head -n 10 >"$WORK/log-errors.txt" || true
  grep -c -E ' (ERROR|WARN) ' "$WORK/gaillery.log" || true
}
