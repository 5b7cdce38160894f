#!/usr/bin/env bash
# Prints what a pod costs outside its containers, process by process: RSS and PSS of the pods'
# pause, of each interactive container's berth-monitor (stdin + tty pods) and of each plain
# container's monitors (the running run's and the one made ahead for its next run), with N pods of
# each kind running on a real daemon (bin/berth daemon on a temporary state root, busybox
# imported). Needs root and a build.
# Usage: sudo bash scripts/bench-monitor.sh [pods]   (docs/benchmarks.md records the output)
set -euo pipefail
cd "$(dirname "$0")/.."
pods=${1:-20}
work=$(mktemp -d /tmp/berth-bench-monitor.XXXXXX)
export BERTH_HOME="$work/state" KUBECONFIG="$work/state/kubeconfig" HOME="$work/home" KUBECACHEDIR="$work/kubecache"
cgroups="berth-bench-monitor-$$"
export BERTH_NODE_CGROUPPARENT="/$cgroups"
# Memory figures, not the network's: pods get only lo, and nothing is put on the machine's network (a CNI bridge outlives its pods).
export BERTH_NETWORK_MODE=none
daemon=
cleanup() {
  set +e
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    kubectl delete pods --all --grace-period=0 >/dev/null 2>&1
    kill "$daemon"
    wait "$daemon" 2>/dev/null
  fi
  find /sys/fs/cgroup -depth -type d -path "*/$cgroups*" -exec rmdir {} + 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"; done
tar -C "$rootfs" -cf "$work/busybox.tar" .

bin/berth daemon --state "$BERTH_HOME" --port 0 >"$work/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 1 180); do [ -s "$KUBECONFIG" ] && break; sleep 0.5; done
bin/berth image import "$work/busybox.tar" --name busybox >/dev/null

for i in $(seq 1 "$pods"); do
  cat <<YAML
---
apiVersion: v1
kind: Pod
metadata: {name: sh$i}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: tty, image: busybox, imagePullPolicy: IfNotPresent, command: [sh], stdin: true, tty: true}
---
apiVersion: v1
kind: Pod
metadata: {name: sleep$i}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: plain, image: busybox, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}
YAML
done | kubectl apply -f - >/dev/null
for _ in $(seq 1 240); do
  [ "$(kubectl get pods --no-headers 2>/dev/null | grep -c ' Running ')" = "$((2 * pods))" ] && break
  sleep 0.5
done
sleep 5 # the monitors made ahead for the plain containers' next runs

echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $pods pods with stdin+tty, $pods with sleep"
report() { # name pattern: pids of processes whose command line matches
  local name=$1 pids=$2 n=0 rss=0 pss=0
  for p in $pids; do
    n=$((n + 1))
    rss=$((rss + $(awk '/^VmRSS/ {print $2}' /proc/$p/status)))
    pss=$((pss + $(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup)))
  done
  if [ "$n" -gt 0 ]; then
    printf '%-16s %3d processes  RSS %4d KiB each  PSS %4d KiB each\n' "$name" "$n" $((rss / n)) $((pss / n))
  fi
}
report "monitor, tty" "$(pgrep -f "berth-monitor $BERTH_HOME/.*_tty_" || true)"
report "monitor, plain" "$(pgrep -f "berth-monitor $BERTH_HOME/.*_plain_" || true)"
report pause "$(for p in $(pgrep -x pause); do grep -q "$cgroups" /proc/$p/cgroup 2>/dev/null && echo $p; done)"
report berth-subreaper "$(pgrep -f "berth-subreaper" | while read -r p; do tr '\0' ' ' </proc/$p/cmdline | grep -q -- "$BERTH_HOME" && echo $p; done)"
for p in $(pgrep -f "BerthDaemon.*$BERTH_HOME" || true); do
  [ "$(cat /proc/$p/comm 2>/dev/null)" = java ] || continue
  printf 'daemon JVM: %d threads, %d of them "process reaper", RSS %d KiB\n' "$(ls /proc/$p/task | wc -l)" \
    "$(cat /proc/$p/task/*/comm 2>/dev/null | grep -c 'process reaper' || true)" "$(awk '/^VmRSS/ {print $2}' /proc/$p/status)"
done
echo "monitors of plain containers per pod: $(pgrep -fc "berth-monitor $BERTH_HOME/.*_plain_" || true) for $pods pods"

