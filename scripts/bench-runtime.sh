#!/usr/bin/env bash
# Prints start-to-exit figures of /bin/true: Berth's library (full lifecycle and launch alone),
# berth-runtime run, and runc run, all in one run on the same busybox bundle. Needs root and runc.
# Usage: sudo bash scripts/bench-runtime.sh [runs]   (docs/benchmarks.md records the output)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
command -v runc >/dev/null || { echo "bench-runtime: runc is not installed (apt-get install runc)" >&2; exit 1; }
mvn -B -q -ntp -o -pl core-runtime -am -DskipTests package test-compile 2>/dev/null \
  || mvn -B -q -ntp -pl core-runtime -am -DskipTests package test-compile
cp="core-runtime/target/test-classes:core-runtime/target/berth-core-runtime.jar:testkit/target/classes:$(ls core-runtime/target/lib/*.jar | tr '\n' ':')"
echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$cp" io.berth.runtime.bench.RuntimeBenchmark "$runs" bin/berth-runtime
echo "== launch alone (no cgroups, no state): io.berth.runtime.linux.LaunchBenchmark"
java -cp "$cp" io.berth.runtime.linux.LaunchBenchmark "$runs"
