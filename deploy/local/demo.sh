#!/usr/bin/env bash
# Guardian's local demo: Postgres, Redis, an auth endpoint and a sample WebSocket chat backend on loopback, then
# Guardian, and what an SRE sees as they go from STARTING to READY, when Postgres freezes, and when the backend
# stops answering.
#   deploy/local/demo.sh           the demo, with pauses to read
#   deploy/local/demo.sh --smoke   the same, fast, failing if an expected state does not come (used by CI)
set -euo pipefail
cd "$(dirname "$0")/../.."
SMOKE=false
[ "${1:-}" = "--smoke" ] && SMOKE=true
pause() { $SMOKE || sleep "$1"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

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

say "building Guardian and the demo services"
./mvnw -B -q package -DskipTests
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/demo-classpath.txt >/dev/null

work=$(mktemp -d /tmp/guardian-demo.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

java -cp "target/test-classes:$(cat target/demo-classpath.txt)" dev.guardian.testing.DemoServices "$work/env" \
  > "$work/services.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [ -s "$work/env" ] && break; sleep 0.5; done
[ -s "$work/env" ] || { cat "$work/services.log"; echo "demo services did not start" >&2; exit 1; }
# shellcheck disable=SC1091
source "$work/env"
tail -n 1 "$work/services.log"

export GUARDIAN_PORT=18090
export GUARDIAN_POSTGRES_TIMEOUT=1s GUARDIAN_POSTGRES_INTERVAL=500ms GUARDIAN_POSTGRES_FAILURE_THRESHOLD=2
export GUARDIAN_BACKEND_INTERVAL=1s GUARDIAN_BACKEND_FAILURE_THRESHOLD=2 GUARDIAN_BACKEND_STEP_TIMEOUT=1s
export GUARDIAN_HEARTBEAT_INTERVAL=1s GUARDIAN_HEARTBEAT_PONG_TIMEOUT=1s
say "starting Guardian on :$GUARDIAN_PORT"
java -jar target/quarkus-app/quarkus-run.jar > "$work/guardian.log" 2>&1 &
pids+=($!)

health() { curl -s "localhost:$GUARDIAN_PORT/q/health/ready" || true; }
summary() { health | grep -E '"(state|reason)"' | head -2 | sed 's/^ */  /'; }
await_state() { # state, seconds
  for _ in $(seq 1 $(($2 * 10))); do
    health | grep -q "\"state\": \"$1\"" && return 0
    sleep 0.1
  done
  echo "expected state $1 within $2 s; Guardian's log:" >&2; cat "$work/guardian.log" >&2; exit 1
}

say "STARTING: Guardian checks everything in the background; probes answer at once"
for _ in $(seq 1 50); do curl -s -o /dev/null "localhost:$GUARDIAN_PORT/q/health/live" && break; sleep 0.1; done
summary
await_state READY 30
say "READY: every check passed, including the WebSocket upgrade and the agent-event round trip on 3 sessions"
health
pause 3

say "Postgres frozen (SIGSTOP): probes keep answering instantly, the check times out, readiness turns"
curl -s -X POST "$DEMO_CONTROL/postgres/freeze" >/dev/null
await_state NOT_READY 20
summary
pause 3
say "Postgres resumed (SIGCONT)"
curl -s -X POST "$DEMO_CONTROL/postgres/resume" >/dev/null
await_state READY 20
summary
pause 2

say "the chat backend stops answering (upgrade still works, no reply ever comes)"
curl -s -X POST "$DEMO_CONTROL/backend/silent" >/dev/null
await_state NOT_READY 20
summary
pause 3
say "the backend answers again"
curl -s -X POST "$DEMO_CONTROL/backend/healthy" >/dev/null
await_state READY 20
summary

say "what the logs said (one line per transition)"
grep 'dev.guardian.state' "$work/guardian.log" | sed 's/^/  /'
say "demo done"
