#!/usr/bin/env bash
# Prints the pod network's figures: a sandbox with its network ready (p50) against the same CNI
# chain driven by hand on a fresh netns, and pod-to-pod iperf3 throughput against a plain veth pair.
# Everything runs in a network namespace of its own (nothing touches the machine's network).
# Needs root, containernetworking-plugins and iperf3 (scripts/install-deps.sh).
# Usage: sudo bash scripts/bench-net.sh [rounds] [iperf seconds] [iperf runs]   (docs/benchmarks.md records the output)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-40}
seconds=${2:-3}
runs=${3:-3}
mvn -B -q -ntp -pl orchestrator -am -DskipTests -Dberth.cds.skip=true test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
cp="orchestrator/target/test-classes:orchestrator/target/classes:$(cat orchestrator/target/classpath.txt)"
echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
java ${BENCH_JAVA_OPTS:-} -cp "$cp" io.berth.orchestrator.bench.NetworkBenchmark "$rounds" "$seconds" "$runs"
