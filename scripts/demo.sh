#!/usr/bin/env bash
# Builds Berth and runs one container from the default image (a busybox root filesystem made from
# Debian's busybox-static) with berth-runtime, showing that it is isolated from the host.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "scripts/demo.sh: containers need root: run it with sudo" >&2
  exit 1
fi
bash scripts/install-deps.sh
mvn -B -q -ntp -DskipTests package

work=$(mktemp -d /tmp/berth-demo.XXXXXX)
trap 'bin/berth-runtime --root "$work/state" delete --force demo >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The default image: busybox and a link per applet, plus the files a shell expects.
rootfs="$work/bundle/rootfs"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
cp /bin/busybox "$rootfs/bin/busybox"
# Relative links: "busybox --install -s" would point them at this host path, absent inside.
for applet in $(/bin/busybox --list); do
  [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"

echo "host:      hostname=$(hostname) pid=$$ processes=$(ls /proc | grep -c '^[0-9]')"
bin/berth-runtime spec --bundle "$work/bundle" --hostname demo -- \
  sh -c 'echo "container: hostname=$(hostname) pid=$$ processes=$(ls /proc | grep -c "^[0-9]")"; echo "root: $(ls / | tr "\n" " ")"; ps'
bin/berth-runtime --root "$work/state" run --bundle "$work/bundle" demo
