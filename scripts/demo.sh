#!/usr/bin/env bash
# Builds Berth, starts the daemon on a temporary state root, imports the default image (a busybox
# root filesystem made from Debian's busybox-static) through the console, runs a pod from it and
# prints its logs, then deletes the pod and stops the daemon. Last, the same root filesystem runs
# once with berth-runtime, the runc-compatible CLI. Nothing is left behind: the state root, the
# daemon and its cgroups go when the script ends, also when it fails.
#   BERTH_DEMO_SKIP_BUILD=1  uses the build already there (the test that runs this script sets it)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "scripts/demo.sh: containers need root: run it with sudo" >&2
  exit 1
fi
if [ -z "${BERTH_DEMO_SKIP_BUILD:-}" ]; then
  bash scripts/install-deps.sh
  mvn -B -q -ntp -DskipTests package
fi

work=$(mktemp -d /tmp/berth-demo.XXXXXX)
# The daemon and the console find each other through $BERTH_HOME/kubeconfig.
export BERTH_HOME="$work/state"
# Pods' cgroups under a parent of the demo's own, removed at the end (Spring's relaxed binding of
# berth.node.cgroup-parent).
cgroups="berth-demo-$$"
export BERTH_NODE_CGROUPPARENT="/$cgroups"
# Pods' network: the default CNI conflist (bridge berth0, host-local) inside a network namespace of
# the demo's own, so the demo adds no bridge, address or iptables rule to this machine's network.
netns="berth-demo-$$"
ip netns add "$netns"
export BERTH_NETWORK_NETNS="/run/netns/$netns"
daemon=
cleanup() {
  local status=$?
  set +e
  if [ "$status" != 0 ] && [ -s "$work/daemon.log" ]; then
    # The state root goes below: what the daemon said is the one clue left to a failed run.
    echo "scripts/demo.sh: failed; the daemon's last words ($work/daemon.log, removed now):" >&2
    tail -n 40 "$work/daemon.log" >&2
  fi
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    # A stopped daemon leaves its pods running (by design), so the pod goes first.
    bin/berth delete pod demo --now >/dev/null 2>&1
    kill "$daemon"
    wait "$daemon" 2>/dev/null
  fi
  bin/berth-runtime --root "$work/runtime" delete --force demo >/dev/null 2>&1
  find /sys/fs/cgroup -depth -type d -path "*/$cgroups*" -exec rmdir {} + 2>/dev/null
  ip netns del "$netns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The default image: busybox and a link per applet, plus the files a shell expects.
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox "$rootfs/bin/busybox"
# Relative links: "busybox --install -s" would point them at this host path, absent inside.
for applet in $(/bin/busybox --list); do
  [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"
tar -C "$rootfs" -cf "$work/busybox.tar" .

step() { printf '\n$ %s\n' "$*"; }

echo "Starting the daemon (state root $BERTH_HOME, log $work/daemon.log)"
bin/berth daemon --state "$BERTH_HOME" --port 0 >"$work/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 1 180); do
  [ -s "$BERTH_HOME/kubeconfig" ] && break
  if ! kill -0 "$daemon" 2>/dev/null; then
    echo "scripts/demo.sh: the daemon exited: $(tail -n 1 "$work/daemon.log")" >&2
    exit 1
  fi
  sleep 0.5
done
[ -s "$BERTH_HOME/kubeconfig" ] || { echo "scripts/demo.sh: the daemon did not start in 90 s (log: $work/daemon.log)" >&2; exit 1; }

step berth image import busybox.tar --name busybox
bin/berth image import "$work/busybox.tar" --name busybox
step berth image ls
bin/berth image ls
echo "host: hostname=$(hostname) pid=$$ processes=$(ls /proc | grep -c '^[0-9]')"
step "berth run demo --image busybox --restart Never -- sh -c '...'"
bin/berth run demo --image busybox --restart Never -- \
  sh -c 'echo "container: hostname=$(hostname) ip=$(hostname -i) pid=$$ processes=$(ls /proc | grep -c "^[0-9]")"; echo "root: $(ls / | tr "\n" " ")"; ps; exit 0'
step berth logs -f demo
bin/berth logs -f demo
step berth get pods -o wide
bin/berth get pods -o wide
step berth delete pod demo
bin/berth delete pod demo
step berth image rm busybox
bin/berth image rm busybox
echo "Stopping the daemon"
kill "$daemon"
wait "$daemon" || true
daemon=

# The same root filesystem as an OCI bundle, run by berth-runtime as runc would run it.
mkdir -p "$work/bundle"
mv "$rootfs" "$work/bundle/rootfs"
step berth-runtime run demo
bin/berth-runtime spec --bundle "$work/bundle" --hostname demo -- \
  sh -c 'echo "container: hostname=$(hostname) pid=$$ processes=$(ls /proc | grep -c "^[0-9]")"; ps'
bin/berth-runtime --root "$work/runtime" run --bundle "$work/bundle" demo
