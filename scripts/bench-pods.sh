#!/usr/bin/env bash
# Prints the daemon's figures through its API (docs/benchmarks.md, "Pods through the daemon"):
# pod start (POST to Running on a watch) against `runc run` and `ctr run` through a private
# containerd in the same run, then density (PODS sleep pods: daemon RSS, memory outside the
# containers per pod, idle CPU) and adoption of those pods after a SIGKILL of the daemon's JVM.
# Runs the daemon as bin/berth does (berth-subreaper + JVM) on a temporary state root. Needs root.
# Usage: sudo scripts/bench-pods.sh [STARTS] [PODS]     (PODS=0 skips density and adoption)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "scripts/bench-pods.sh: starts containers and needs root: sudo $0 $*" >&2; exit 1; }
starts=${1:-30}
pods=${2:-500}
mvn -B -q -ntp -pl orchestrator -am -DskipTests -Dberth.cds.skip=true package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >&2
# As an operator runs it: the daemon starts from the AOT cache trained on this build.
bin/berth --build-aot-cache >&2
cp="orchestrator/target/test-classes:orchestrator/target/classes:testkit/target/classes:$(cat orchestrator/target/classpath.txt)"
echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
java ${BENCH_JAVA_OPTS:-} -cp "$cp" io.berth.orchestrator.bench.PodApiBenchmark "$PWD" "$starts" "$pods" | tee "$out"
if [ "$starts" -gt 0 ] && command -v containerd >/dev/null; then
  # ctr run --rm IMAGE ID true through a private containerd on loopback, with runc (core-runtime's benchmark).
  scripts/bench-containerd.sh "$starts" /usr/sbin/runc | tee -a "$out"
  api=$(sed -n 's/^RESULT api_p50_ms=\([0-9.]*\).*/\1/p' "$out")
  ctr=$(awk '$1 == "/usr/sbin/runc" {print $3}' "$out" | tail -1)
  [ -n "$api" ] && [ -n "$ctr" ] && awk -v a="$api" -v c="$ctr" 'BEGIN {printf "ratio p50 berth/ctr-run: %.2f\n", a / c}'
fi
