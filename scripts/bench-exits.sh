#!/usr/bin/env bash
# Prints the JVM's threads and RSS while N sleeping containers are watched for their exits by
# Berth's one exit watcher, and how long SIGKILL takes to reach each onExit() future. Needs root.
# Usage: sudo bash scripts/bench-exits.sh [containers]   (docs/benchmarks.md records the output)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-500}
mvn -B -q -ntp -o -pl core-runtime -am -DskipTests package test-compile 2>/dev/null \
  || mvn -B -q -ntp -pl core-runtime -am -DskipTests package test-compile
cp="core-runtime/target/test-classes:core-runtime/target/berth-core-runtime.jar:testkit/target/classes:$(ls core-runtime/target/lib/*.jar | tr '\n' ':')"
echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$cp" io.berth.runtime.bench.ExitWatcherBenchmark "$n"
