#!/usr/bin/env bash
# Times `ctr run --rm IMAGE ID true` through a private containerd with each runtime binary given
# (default: runc) and prints min/p50/p90/max. Needs root, containerd and a built test classpath.
# Usage: sudo scripts/bench-containerd.sh [RUNS] [RUNTIME_BINARY...]
#   e.g. sudo scripts/bench-containerd.sh 30 /usr/sbin/runc "$PWD/bin/berth-runtime"
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "scripts/bench-containerd.sh: starts containers and needs root: sudo $0 $*" >&2; exit 1; }
cp_file=core-runtime/target/bench.classpath
mvn -B -q -o -pl core-runtime -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >&2
exec java -cp "core-runtime/target/test-classes:core-runtime/target/classes:testkit/target/classes:$(cat "$cp_file")" \
  io.berth.runtime.containerd.ContainerdRunBenchmark "$@"
