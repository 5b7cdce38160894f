#!/usr/bin/env bash
# Port-forward throughput and per-connection latency: direct inside the pod's network namespace,
# through `kubectl port-forward` (SPDY over WebSocket) and through `berth port-forward` (fabric8).
# Needs a running daemon for BERTH_HOME with the busybox image, kubectl, curl, nsenter; run as root.
# Usage: BERTH_HOME=... scripts/bench-portforward.sh [MiB] [connections]
set -euo pipefail
MIB=${1:-64}
N=${2:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
berth="$here/bin/berth"
: "${BERTH_HOME:?set BERTH_HOME to the state root of a running daemon}"
export KUBECONFIG=$BERTH_HOME/kubeconfig
work=$(mktemp -d)
export KUBECACHEDIR=$work/kubecache
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    "$berth" delete pod pfbench --now >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"$berth" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: pfbench}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/small && head -c $((MIB << 20)) /dev/urandom > /www/big.tmp && mv /www/big.tmp /www/big && exec httpd -f -p 127.0.0.1:18080 -h /www"]
YAML
for _ in $(seq 120); do pid=$(pgrep -f 'httpd -f -p 127.0.0.1:18080' | head -1 || true); [ -n "$pid" ] && break; sleep 1; done
netns=/proc/$pid/ns/net

kubectl port-forward pod/pfbench 18081:18080 >"$work/k.out" 2>&1 & pids+=($!)
"$berth" port-forward pfbench 18082:18080 >"$work/b.out" 2>&1 & pids+=($!)
for _ in $(seq 120); do grep -q Forwarding "$work/k.out" && grep -q Forwarding "$work/b.out" && break; sleep 1; done

# best of 3 downloads, MB/s; p50 and p90 of N connections, each a new TCP connection (httpd closes)
measure() { # name, command prefix..., port
    local name=$1 port=$2; shift 2
    local best=0
    for _ in 1 2 3; do
        t=$("$@" curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/big")
        best=$(awk -v b="$best" -v m="$MIB" -v t="$t" 'BEGIN { r = m * 1.048576 / t; print (r > b ? r : b) }')
    done
    urls=(); for _ in $(seq "$N"); do urls+=("http://127.0.0.1:$port/small"); done
    lat=$("$@" curl -s -o /dev/null -w '%{time_total}\n' "${urls[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f %.2f", a[int(NR*0.5)+1]*1000, a[int(NR*0.9)+1]*1000 }')
    printf '%-26s %8.1f MB/s   connection p50 %s ms  p90 %s ms\n' "$name" "$best" ${lat% *} ${lat#* }
}
echo "$MIB MiB download, $N connections; load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
measure "direct (in the pod netns)" 18080 nsenter --net="$netns"
measure "kubectl port-forward" 18081 env
measure "berth port-forward" 18082 env
