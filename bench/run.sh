#!/usr/bin/env bash
# Guardian's benchmark, with Quarkus' built-in checks as the baseline in the same run.
#   bench/run.sh           full run (about 45 minutes): writes bench/results.md and bench/results.json, then the
#                          edge benchmark: bench/edge-results.md
#   bench/run.sh --quick   smoke run (a few minutes): checks that every measurement works, writes
#                          bench/work/results-quick.* and bench/work/edge-results-quick.md
#   bench/run.sh --binary path/to/guardian-runner   also measures that native executable (startup and memory
#                          rows beside the jar's); combines with --quick
#   bench/run.sh --edge [--quick] [--idle=N,M] [--binary PATH]   the edge benchmark only (direct, through Guardian's
#                          edge, through nginx: about 8 minutes; --quick about 2)
# Needs hey and wrk (Debian packages), Postgres and Redis like the tests; installs what is missing when root.
set -euo pipefail
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary)
      [ $# -ge 2 ] && [ -x "$2" ] || { echo "--binary needs an executable file, got: ${2:-nothing}" >&2; exit 2; }
      args+=(--binary "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")")
      shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
cd "$(dirname "$0")/.."
edge_only=false
if [ "${args[0]:-}" = "--edge" ]; then
  edge_only=true
  args=("${args[@]:1}")
fi
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
if ! $edge_only; then
  command -v hey >/dev/null || need+=(hey)
  command -v wrk >/dev/null || need+=(wrk)
  command -v redis-server >/dev/null || need+=(redis-server)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
  command -v psql >/dev/null || need+=(postgresql-client)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]} (Debian package names)" >&2
    exit 2
  fi
fi
./mvnw -B -q package -DskipTests
$edge_only || ./mvnw -B -q -f bench/baseline/pom.xml package -DskipTests
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
classpath="target/test-classes:$(cat target/bench-classpath.txt)"
if ! $edge_only; then
  rm -f bench/work/guardian.jsa
  java -cp "$classpath" dev.guardian.bench.Benchmark "${args[@]}"
fi
# 10,000 idle connections need over 20,000 descriptors in a proxy: raise the limit as far as allowed.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
java -cp "$classpath" dev.guardian.bench.EdgeBenchmark "${args[@]}"
