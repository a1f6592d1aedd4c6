#!/usr/bin/env bash
# Guardian's local demo: Postgres, Redis, an auth endpoint and a sample WebSocket chat backend on loopback, then
# Guardian in edge mode, and what a kubelet, Cloud Run, an SRE and a chat user see as it goes from STARTING to READY,
# when Postgres freezes, when the backend stops answering, and when Guardian is told to stop.
#   deploy/local/demo.sh           the demo, with pauses to read
#   deploy/local/demo.sh --smoke   the same, fast, failing if an expected state does not come (used by CI)
set -euo pipefail
cd "$(dirname "$0")/../.."
SMOKE=false
[ "${1:-}" = "--smoke" ] && SMOKE=true
START=$(date +%s)
pause() { $SMOKE || sleep "$1"; }
elapsed() { echo "$(( $(date +%s) - START ))s"; }
say() { printf '\n\033[1m== [%s] %s\033[0m\n' "$(elapsed)" "$*"; }
note() { printf '   %s\n' "$*"; }

# What the demo needs; installed when we may, named exactly when we may not.
need=()
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v curl >/dev/null || need+=(curl)
command -v redis-server >/dev/null || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]} (Debian package names); install them and run again" >&2
    exit 2
  fi
fi

work=$(mktemp -d /tmp/guardian-demo.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Maven is quiet, so show that it works: a line every 10 s while it builds (a first run downloads dependencies).
build() {
  local what=$1; shift
  "$@" >"$work/build.log" 2>&1 &
  local pid=$! seconds=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; seconds=$((seconds + 1))
    if [ $((seconds % 10)) = 0 ]; then
      note "still $what ($seconds s; $(grep -c 'Downloaded from' "$work/build.log" || true) artifacts downloaded so far)"
    fi
  done
  wait "$pid" || { tail -n 40 "$work/build.log"; echo "$what failed" >&2; exit 1; }
}
say "building Guardian and the demo services (a first run downloads Maven and the dependencies: minutes)"
build "building Guardian" ./mvnw -B package -DskipTests
build "building the demo services" ./mvnw -B test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/demo-classpath.txt
note "built in $(elapsed)"

say "starting the demo's world on loopback: Postgres, Redis, an auth endpoint, a WebSocket chat backend"
java -cp "target/test-classes:$(cat target/demo-classpath.txt)" dev.guardian.testing.DemoServices "$work/env" \
  > "$work/services.log" 2>&1 &
pids+=($!)
for i in $(seq 1 120); do
  [ -s "$work/env" ] && break
  [ $((i % 10)) = 0 ] && note "still starting them ($((i / 2)) s: Postgres' initdb takes a while on a first start)"
  sleep 0.5
done
[ -s "$work/env" ] || { cat "$work/services.log"; echo "demo services did not start" >&2; exit 1; }
# shellcheck disable=SC1091
source "$work/env"
note "$(tail -n 1 "$work/services.log")"

export GUARDIAN_PORT=18090 GUARDIAN_MANAGEMENT_PORT=19000
export GUARDIAN_POSTGRES_TIMEOUT=1s GUARDIAN_POSTGRES_INTERVAL=500ms GUARDIAN_POSTGRES_FAILURE_THRESHOLD=2
export GUARDIAN_BACKEND_INTERVAL=1s GUARDIAN_BACKEND_FAILURE_THRESHOLD=2 GUARDIAN_BACKEND_STEP_TIMEOUT=1s
export GUARDIAN_HEARTBEAT_INTERVAL=1s GUARDIAN_HEARTBEAT_PONG_TIMEOUT=1s
# Edge mode: chat users connect to Guardian on :18080, which passes their traffic to the backend once READY.
export GUARDIAN_EDGE_ENABLED=true GUARDIAN_EDGE_PORT=18080 GUARDIAN_EDGE_CLIENT_PING_INTERVAL=2s
export GUARDIAN_EDGE_DRAIN_WINDOW=3s
EDGE=127.0.0.1:$GUARDIAN_EDGE_PORT

say "wait mode first, as an init container or a CI step would use it: one verdict, then exit"
note "java -jar target/quarkus-app/quarkus-run.jar wait   (the health JSON goes to stdout; the summary:)"
set +e
java -jar target/quarkus-app/quarkus-run.jar wait >"$work/wait.json" 2>"$work/wait.err"
code=$?
set -e
grep -E '^guardian wait:|^  ' "$work/wait.err" | sed 's/^/   /'
note "exit code $code (0 ready, 3 the startup budget ran out, 1 invalid configuration)"
[ "$code" = 0 ] || { cat "$work/wait.err"; exit 1; }

say "starting Guardian: probes on :$GUARDIAN_PORT, detailed JSON, metrics and status page on 127.0.0.1:$GUARDIAN_MANAGEMENT_PORT"
java -jar target/quarkus-app/quarkus-run.jar > "$work/guardian.log" 2>&1 &
guardian=$!
pids+=("$guardian")

code_of() { # the HTTP status a probe gets on a fresh connection within 1 s, as the kubelet would
  local c; c=$(curl -s -m 1 -o /dev/null -w '%{http_code}' "localhost:$GUARDIAN_PORT/q/health/$1" || true)
  [ "$c" = 000 ] && c="no answer"
  echo "$c"
}
# What the platform would see: HTTP 200-399 is success for both Cloud Run and the kubelet.
probes() {
  note "probes now: startup (Cloud Run's gate) $(code_of started), readiness (Kubernetes' gate) $(code_of ready), liveness $(code_of live)"
}
detail() { curl -s "localhost:$GUARDIAN_MANAGEMENT_PORT/q/health/ready" || true; }
# What a chat user's new connection gets from the edge: passed to the backend, or the gate's 503 and its reason.
edge_answer() { curl -s -w ' (HTTP %{http_code})' "$EDGE/" 2>/dev/null | tr -d '\n' || echo "(no answer)"; }
client_says() { tail -n "${1:-1}" "$work/client.log" | sed 's/^/   chat user: /'; }
await_client() { # text, seconds: waits for a new line containing text in the chat user's log
  local before; before=$(grep -c "$1" "$work/client.log" || true)
  for _ in $(seq 1 $(($2 * 10))); do
    [ "$(grep -c "$1" "$work/client.log" || true)" -gt "$before" ] && return 0
    sleep 0.1
  done
  echo "the chat user did not see '$1' within $2 s:" >&2; cat "$work/client.log" >&2; exit 1
}

summary() { detail | grep -E '"(state|reason)"' | head -2 | sed 's/^ */   /'; }
state_now() { detail | grep -o '"state": "[A-Z_]*"' | head -1 | cut -d'"' -f4; }
await_state() { # state, seconds; says every second what Guardian and its probes answer meanwhile
  local i
  for i in $(seq 1 $(($2 * 10))); do
    detail | grep -q "\"state\": \"$1\"" && return 0
    if [ $((i % 10)) = 0 ]; then
      note "[$(elapsed)] waiting for $1: state $(state_now), startup probe $(code_of started), readiness $(code_of ready)"
    fi
    sleep 0.1
  done
  echo "expected state $1 within $2 s; Guardian's log:" >&2; cat "$work/guardian.log" >&2; exit 1
}

say "STARTING: Guardian checks everything in the background; probes answer at once, from what it knows"
for _ in $(seq 1 50); do curl -s -o /dev/null "localhost:$GUARDIAN_PORT/q/health/live" && break; sleep 0.1; done
probes
summary
note "a chat user connecting through the edge (:$GUARDIAN_EDGE_PORT) now gets: $(edge_answer)"
await_state READY 30
say "READY: every check passed, including the WebSocket upgrade and the agent-event round trip on 3 sessions"
probes
note "status page for people: http://127.0.0.1:$GUARDIAN_MANAGEMENT_PORT/q/status"
note "the public port answers only status and state: $(curl -s "localhost:$GUARDIAN_PORT/q/health/ready")"
$SMOKE || detail
pause 3

say "a chat user connects through the edge and sends a message every 3 s"
: > "$work/client.log"
java -cp "target/test-classes:$(cat target/demo-classpath.txt)" dev.guardian.testing.DemoClient "ws://$EDGE/ws" 3 \
  >> "$work/client.log" 2>&1 &
client=$!
pids+=("$client")
await_client "round trip" 20
await_client "ping from the edge" 10
client_says 3

say "Postgres frozen (SIGSTOP): probes keep answering instantly, the check times out, readiness turns"
curl -s -X POST "$DEMO_CONTROL/postgres/freeze" >/dev/null
await_state NOT_READY 20
probes
summary
note "a new chat user through the edge gets: $(edge_answer)"
await_client "round trip" 10
note "the chat already open carries on (edge mode keeps open connections through a NOT_READY blip):"
client_says
pause 3
say "Postgres resumed (SIGCONT)"
curl -s -X POST "$DEMO_CONTROL/postgres/resume" >/dev/null
await_state READY 20
probes
summary
pause 2

say "the chat backend stops answering (the upgrade still works, no reply ever comes)"
curl -s -X POST "$DEMO_CONTROL/backend/silent" >/dev/null
await_state NOT_READY 20
probes
summary
pause 3
say "the backend answers again"
curl -s -X POST "$DEMO_CONTROL/backend/healthy" >/dev/null
await_state READY 20
probes
summary

say "SIGTERM, as a deploy sends it: DRAINING, the chat user closed with 1001 within the drain window, exit 0"
stopped_at=$(date +%s%N)
kill -TERM "$guardian"
# While it drains: what each probe answers, every change once, timed from SIGTERM.
last=""
while kill -0 "$guardian" 2>/dev/null; do
  now="startup $(code_of started), readiness $(code_of ready), liveness $(code_of live)"
  [ "$now" != "$last" ] && note "+$(( ($(date +%s%N) - stopped_at) / 1000000 )) ms: probes $now"
  last=$now
  sleep 0.2
done
set +e
wait "$guardian"
code=$?
set -e
note "Guardian exited with code $code, $(( ($(date +%s%N) - stopped_at) / 1000000 )) ms after SIGTERM (Cloud Run's SIGKILL comes at 10 s)"
wait "$client" 2>/dev/null || true
client_says
[ "$code" = 0 ] || { echo "Guardian exited with $code" >&2; exit 1; }
grep -q 'closed with 1001' "$work/client.log" || { echo "the chat user was not closed with 1001" >&2; exit 1; }

say "what the logs said (one line per transition)"
grep 'dev.guardian.state' "$work/guardian.log" | sed 's/^/   /'
say "demo done in $(elapsed)"
