#!/usr/bin/env bash
# Prints image-store figures with ratios measured in the same run: unpacking one large layer
# (LayerUnpacker vs GNU tar vs umoci unpack) and pulling from a local docker-registry (Berth's
# RegistryClient vs skopeo copy). Needs root, tar, umoci, skopeo, docker-registry.
# Usage: sudo bash scripts/bench-images.sh [unpack-MB] [runs]   (docs/benchmarks.md records the output)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-300}
runs=${2:-3}
mvn -B -q -ntp -o -pl image-store -am test-compile 2>/dev/null || mvn -B -q -ntp -pl image-store -am test-compile
mvn -B -q -ntp -o -pl image-store dependency:build-classpath -Dmdep.outputFile=target/bench.cp >/dev/null
cp="$(cat image-store/target/bench.cp):image-store/target/classes:image-store/target/test-classes:testkit/target/classes"
work=$(mktemp -d /var/tmp/berth-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== unpack: io.berth.image.layer.UnpackBenchmark $work $mb $runs"
java -cp "$cp" io.berth.image.layer.UnpackBenchmark "$work" "$mb" "$runs"
echo "== pull: io.berth.image.registry.PullBenchmark 5 6 8 4 (runs, layers, MiB per layer, parallel)"
java -cp "$cp" io.berth.image.registry.PullBenchmark 5 6 8 4
