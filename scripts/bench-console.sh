#!/usr/bin/env bash
# Console start-up and command latency against a real daemon holding PODS pods, with kubectl's own
# time for the same `get pods` beside it. Prints the figures; docs/benchmarks.md records them.
#   sudo scripts/bench-console.sh [PODS=100] [RUNS=20] [STARTS=5]
# - first prompt: starting the interactive console (bin/berth) in a pseudo-terminal until it shows
#   its prompt, median of STARTS starts;
# - `get pods` typed into the open console until the next prompt, median of RUNS;
# - one-shot `bin/berth get pods` and `kubectl get pods`, whole processes (hyperfine -N).
# The daemon runs on its own state root, port and pod cgroup parent, and is stopped and removed at
# the end. Its pods name an image that is not in its store with pull policy Never: they exist (what
# `get pods` lists and formats) without running 100 containers on the machine being measured.
# BENCH_ALT_AOT=FILE adds one-shot runs with that AOT cache instead of the built one (A/B of two
# trainings, alternating in one hyperfine run).
# Needs a built checkout (mvn -DskipTests package), root, hyperfine, kubectl and python3.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
pods=${1:-100}
runs=${2:-20}
starts=${3:-5}
for tool in hyperfine kubectl python3; do
  command -v "$tool" >/dev/null || { echo "bench-console: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench-console: the daemon runs pods as root: run with sudo" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-bench-console.XXXXXX)
export BERTH_HOME="$work/state" NO_COLOR=1
cgroup_parent=/berth-bench-console-$$
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ]; then
    # shellcheck disable=SC2046
    bin/berth delete pod --now --wait=false $(bin/berth get pods -o name 2>/dev/null | sed 's|^pod/||') >/dev/null 2>&1 || true
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  for d in /sys/fs/cgroup/*"$cgroup_parent" /sys/fs/cgroup/*/*"$cgroup_parent"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# pods get only lo: nothing on the machine's network (a CNI bridge outlives its pods)
BERTH_NETWORK_MODE=none BERTH_NODE_CGROUPPARENT=$cgroup_parent bin/berth daemon --port 0 >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 1800); do
  [ -f "$BERTH_HOME/kubeconfig" ] && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.1
done
[ -f "$BERTH_HOME/kubeconfig" ] || { echo "bench-console: the daemon did not start; see $work/daemon.log" >&2; exit 1; }

for i in $(seq 1 "$pods"); do
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: bench-%03d, labels: {app: bench}}\nspec:\n  containers:\n  - {name: main, image: "bench-placeholder:1", imagePullPolicy: Never}\n---\n' "$i"
done >"$work/pods.yaml"
bin/berth create -f "$work/pods.yaml" >/dev/null
listed=$(bin/berth get pods -o name | wc -l)
echo "bench-console: $listed pods; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"

firsts=()
for _ in $(seq 1 "$starts"); do
  out=$(python3 scripts/console-pty-bench.py "$runs" "get pods" bin/berth)
  firsts+=("$(sed -n 's/^first prompt: \([0-9]*\) ms$/\1/p' <<<"$out")")
  typed=$(sed -n 2p <<<"$out")
done
sorted=$(printf '%s\n' "${firsts[@]}" | sort -n)
echo "console to its first prompt: median $(sed -n "$(((starts + 1) / 2))p" <<<"$sorted") ms (all: $(echo $sorted))"
echo "$typed"

export KUBECONFIG="$BERTH_HOME/kubeconfig" HOME="$work/home" KUBECACHEDIR="$work/kubecache"
alt=()
if [ -n "${BENCH_ALT_AOT:-}" ]; then
  alt=(-n "berth get pods (one-shot, cache $BENCH_ALT_AOT)" "env BERTH_CONSOLE_AOT=$BENCH_ALT_AOT bin/berth get pods")
fi
hyperfine -N --style basic --warmup 3 --runs "$runs" \
  -n "berth get pods (one-shot)" "bin/berth get pods" "${alt[@]}" \
  -n "kubectl get pods" "kubectl get pods"
