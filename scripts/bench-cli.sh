#!/usr/bin/env bash
# Wall time of whole berth-runtime processes (JVM start included), next to runc on the same bundle:
# list, state, spec, run of /bin/true, and create+start+delete, each through hyperfine.
# Prints the median of each and its ratio to `runc run` (issue 4 asks for <= 3x on run and on
# create+start+delete).
#
# Usage: sudo bash scripts/bench-cli.sh [runs] [launcher...]
#   launchers default to bin/berth-runtime; pass two (e.g. a copy of an older build's
#   bin/berth-runtime, then bin/berth-runtime) to print before/after side by side.
#   BERTH_BENCH_PLAIN=1 adds "plain": the same jars run by a bare `java -cp` (no launcher flags,
#   no CDS archive), which shows what the launcher's JVM flags and archive are worth.
# Needs root (containers), runc, hyperfine, jq and a built core-runtime (mvn -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
shift || true
launchers=("$@")
[ ${#launchers[@]} -gt 0 ] || launchers=("$PWD/bin/berth-runtime")
for c in runc hyperfine jq; do
  command -v $c >/dev/null || { echo "bench-cli: $c is not installed (apt-get install $c)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench-cli: run as root (it starts containers)" >&2; exit 1; }
[ -f core-runtime/target/berth-core-runtime.jar ] || { echo "bench-cli: build first: mvn -B -DskipTests -pl core-runtime -am package" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-bench-cli.XXXXXX)
first=${launchers[0]}
cleanup() {
  # Also after a failed measurement: whatever container it left, then the cgroups, deepest first.
  for id in st r cs; do
    for l in "${launchers[@]}"; do "$l" --root "$work/state" delete --force $id >/dev/null 2>&1 || true; done
    runc --root "$work/runc" delete --force $id >/dev/null 2>&1 || true
  done
  rm -rf "$work"
  if [ -n "${cg:-}" ]; then
    for d in /sys/fs/cgroup/*"$cg" /sys/fs/cgroup/*/*"$cg"; do
      [ -d "$d" ] || continue
      rmdir "$d"/c 2>/dev/null || true  # (set -e would end the cleanup here)
      rmdir "$d" 2>/dev/null || echo "bench-cli: could not remove cgroup $d" >&2
    done
  fi
  return 0
}
trap cleanup EXIT

# The bundle: the testkit's busybox fixture when it was built (mvn test does), else the same layout
# made here from busybox-static.
rootfs=/var/tmp/berth-fixtures/busybox-rootfs-v2
if [ ! -x "$rootfs/bin/busybox" ]; then
  [ -x /bin/busybox ] || { echo "bench-cli: busybox-static is not installed (apt-get install busybox-static)" >&2; exit 1; }
  rootfs=$work/rootfs
  mkdir -p "$rootfs"/{bin,proc,dev,sys,tmp,etc}
  cp /bin/busybox "$rootfs/bin/busybox"
  ln -s busybox "$rootfs/bin/true"
  ln -s busybox "$rootfs/bin/sh"
fi
mkdir -p "$work/bundle"
"$first" spec --bundle "$work/bundle" --rootfs "$rootfs" /bin/true
# One cgroup path of our own for every run: runs are sequential and each deletes its container.
cg=/berth-bench-cli-$$
jq --arg cg "$cg/c" '.root.readonly = true | .linux.cgroupsPath = $cg' "$work/bundle/config.json" >"$work/c.json"
mv "$work/c.json" "$work/bundle/config.json"

declare -A median
measure() { # name command...
  local name=$1; shift
  hyperfine -N --style none -w 2 -r "$runs" --export-json "$work/h.json" "$*" >/dev/null 2>"$work/h.err" \
    || { echo "bench-cli: '$*' failed:" >&2; cat "$work/h.err" >&2; exit 1; }
  median[$name]=$(jq '.results[0].median * 1000' "$work/h.json")
}
seq_cmd() { # runtime-argv... : create+start+delete of one container as one shell command
  # delete --force: /bin/true may still be running when start returns, and a plain delete of a
  # running container fails (in runc as in Berth); --force then only has to reap it.
  echo "sh -c '$* create --bundle $work/bundle cs >/dev/null && $* start cs && $* delete --force cs'"
}
measure_all() { # label runtime-argv...
  local label=$1; shift
  local rt="$* --root $work/state"
  [ "$label" = runc ] && rt="$* --root $work/runc"
  if [ "$label" != runc ]; then
    "$@" --root "$work/state" create --bundle "$work/bundle" st >/dev/null
    measure "$label/list" "$rt list"
    measure "$label/state" "$rt state st"
    "$@" --root "$work/state" delete --force st
    measure "$label/spec" "$* spec --bundle $work/specdir --rootfs rootfs"
  fi
  measure "$label/run" "$rt run --bundle $work/bundle r"
  measure "$label/create+start+delete" "$(seq_cmd "$rt")"
}

echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each, medians in ms"
labels=()
i=0
for l in "${launchers[@]}"; do
  i=$((i + 1)); label="L$i"
  [ ${#launchers[@]} -eq 1 ] && label=berth
  echo "$label = $l"
  labels+=("$label")
done
for idx in "${!launchers[@]}"; do
  l=${launchers[$idx]}
  wrap=$work/wrap$idx
  cat >"$wrap" <<EOF
#!/bin/sh
# Each 'spec' gets a fresh bundle directory (it refuses to overwrite config.json).
if [ "\$1" = spec ]; then rm -rf "$work/specdir"; mkdir -p "$work/specdir"; fi
exec "$l" "\$@"
EOF
  chmod +x "$wrap"
  measure_all "${labels[$idx]}" "$wrap"
done
if [ "${BERTH_BENCH_PLAIN:-0}" = 1 ]; then
  plain=$work/plain
  lib=$PWD/core-runtime/target
  cat >"$plain" <<EOF
#!/bin/sh
if [ "\$1" = spec ]; then rm -rf "$work/specdir"; mkdir -p "$work/specdir"; fi
exec java -cp "$lib/berth-core-runtime.jar:$lib/lib/*" io.berth.runtime.cli.BerthRuntime "\$@"
EOF
  chmod +x "$plain"
  labels+=(plain)
  measure_all plain "$plain"
fi
measure_all runc runc
echo "(the wrapper scripts add ~1 ms of /bin/sh to berth's figures; create+start+delete adds one sh to both)"

printf '%-22s' command; for lb in "${labels[@]}" runc; do printf '%14s' "$lb"; done; printf '%s\n' "   (ratio = median / runc's run or create+start+delete)"
for cmd in list state spec run create+start+delete; do
  printf '%-22s' "$cmd"
  for lb in "${labels[@]}" runc; do
    v=${median[$lb/$cmd]:-}
    if [ -z "$v" ]; then printf '%14s' -; continue; fi
    ref=${median[runc/run]}
    [ "$cmd" = create+start+delete ] && ref=${median[runc/create+start+delete]}
    printf '%14s' "$(LC_ALL=C awk -v v="$v" -v r="$ref" 'BEGIN { printf "%.1f %.1fx", v, v / r }')"
  done
  echo
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
