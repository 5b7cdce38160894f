#!/usr/bin/env bash
# Prints the node's figures: exit -> restarted process running (beyond the backoff delay), and the
# memory a pod costs outside its containers (pause per pod, berth-subreaper per node). Needs root.
# Usage: sudo bash scripts/bench-node.sh [restarts] [pods]   (docs/benchmarks.md records the output)
set -euo pipefail
cd "$(dirname "$0")/.."
restarts=${1:-100}
pods=${2:-20}
mvn -B -q -ntp -pl orchestrator -am -DskipTests -Dberth.cds.skip=true test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
cp="orchestrator/target/test-classes:orchestrator/target/classes:$(cat orchestrator/target/classpath.txt)"
echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# The node runs in the daemon's JVM, which bin/berth starts C1-only with the serial collector: measured
# the same way (the default tiered JVM's C2 compilations added 8-17 ms to the restart p50 on 2 cores,
# docs/benchmarks.md). BENCH_JAVA_OPTS come last, e.g. -XX:TieredStopAtLevel=4 for C2.
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC ${BENCH_JAVA_OPTS:-} -cp "$cp" io.berth.orchestrator.bench.NodeBenchmark "$restarts" "$pods"
