#!/usr/bin/env bash
# Installs berth-runtime and the Berth daemon from a built Berth checkout onto this machine:
#   /usr/local/lib/berth/releases/ID/  the launchers, the runtime's and the daemon's jars and their
#                                      dependencies, the systemd unit and Prometheus/Grafana files
#   /usr/local/lib/berth/current       a link to the release in use
#   /usr/local/bin/berth-runtime       a link to current/bin/berth-runtime (containerd's BinaryName)
#   /etc/systemd/system/berth.service  the daemon's unit (only where systemd runs, BERTH_PREFIX unset)
# The daemon is installed when the checkout's orchestrator module is built; start it with
# `systemctl daemon-reload && systemctl enable --now berth`, or run current/bin/berth daemon.
# Idempotent: running it again installs the checkout's current build as a new release and keeps
# only it and the one before. A release is complete before `current` is switched to it with one
# rename(2), so a containerd shim calling berth-runtime during an upgrade runs the old or the new
# build, never half of one.
#
# Usage: sudo deploy/install.sh [--uninstall]
# BERTH_PREFIX (default /usr/local) moves both locations, e.g. for a test install.
# BERTH_SYSTEMD_DIR names where the unit goes (empty: nowhere; the release keeps a copy).
set -euo pipefail

prog=deploy/install.sh
die() { echo "$prog: $*" >&2; exit 1; }

action=install
case "${1:-}" in
  "") ;;
  --uninstall) action=uninstall ;;
  -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument '$1': use --uninstall, --help or no argument" ;;
esac
[ $# -le 1 ] || die "too many arguments: use --uninstall, --help or no argument"

[ "$(id -u)" = 0 ] || die "must run as root (it writes under ${BERTH_PREFIX:-/usr/local}): sudo $0"

checkout=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
prefix=${BERTH_PREFIX:-/usr/local}
case "$prefix" in /*) ;; *) die "BERTH_PREFIX must be an absolute path, not '$prefix'" ;; esac
libdir="$prefix/lib/berth"
link="$prefix/bin/berth-runtime"
target="$libdir/current/bin/berth-runtime"
# The unit goes to systemd's directory only for a real install on a machine that runs systemd.
if [ -z "${BERTH_PREFIX:-}" ] && [ -d /run/systemd/system ]; then
  unitdir=${BERTH_SYSTEMD_DIR-/etc/systemd/system}
else
  unitdir=${BERTH_SYSTEMD_DIR:-}
fi
unit_marker="# Installed by deploy/install.sh"

# Refuses to replace a berth-runtime that this script did not install (a file, or a link elsewhere).
check_link_is_ours() {
  if [ -L "$link" ]; then
    [ "$(readlink "$link")" = "$target" ] || die "$link links to $(readlink "$link"), not to $target: remove it first if it should be replaced"
  elif [ -e "$link" ]; then
    die "$link exists and is not a link made by this script: remove it first if it should be replaced"
  fi
}

# Refuses to replace a berth.service that this script did not write.
check_unit_is_ours() {
  [ -n "$unitdir" ] && [ -e "$unitdir/berth.service" ] || return 0
  grep -qxF "$unit_marker" "$unitdir/berth.service" \
    || die "$unitdir/berth.service was not written by this script: remove it first if it should be replaced"
}

if [ "$action" = uninstall ]; then
  check_link_is_ours
  check_unit_is_ours
  rm -f "$link"
  if [ -n "$unitdir" ] && [ -e "$unitdir/berth.service" ]; then
    rm -f "$unitdir/berth.service"
    echo "$prog: removed $unitdir/berth.service (stop the daemon first: systemctl disable --now berth)"
  fi
  rm -rf "$libdir"
  echo "$prog: removed $link and $libdir"
  exit 0
fi

jar="$checkout/core-runtime/target/berth-core-runtime.jar"
deps="$checkout/core-runtime/target/lib"
[ -f "$jar" ] && [ -d "$deps" ] || die "$checkout is not built ($jar or $deps is missing): run 'mvn -DskipTests package' there first"
[ -x "$checkout/bin/berth-runtime" ] || die "$checkout/bin/berth-runtime is missing or not executable: is $checkout a Berth checkout?"
check_link_is_ours
check_unit_is_ours

mkdir -p "$libdir/releases" "$prefix/bin"
release=$(mktemp -d "$libdir/releases/$(date -u +%Y%m%dT%H%M%SZ).XXXXXX")
newcurrent="$libdir/.current.new.$$"
newlink="$prefix/bin/.berth-runtime.new.$$"
done=
# On any failure the half-copied release and temporary links go; the installed one is untouched.
cleanup() { [ -n "$done" ] || rm -rf "$release"; rm -f "$newcurrent" "$newlink"; }
trap cleanup EXIT

# The launcher finds its jar at ../core-runtime/target relative to itself; keep that layout.
mkdir -p "$release/bin" "$release/core-runtime/target"
cp "$checkout/bin/berth-runtime" "$release/bin/berth-runtime"
cp "$jar" "$release/core-runtime/target/"
cp -r "$deps" "$release/core-runtime/target/lib"
# jffi's JNI library, loaded in place rather than copied to /tmp on every start.
if [ -d "$checkout/core-runtime/target/jffi" ]; then
  cp -r "$checkout/core-runtime/target/jffi" "$release/core-runtime/target/jffi"
fi
# The daemon, when built: bin/berth finds its jar, lib/ and berth-subreaper under orchestrator/target.
daemon=
otarget="$checkout/orchestrator/target"
if [ -f "$otarget/berth-orchestrator.jar" ] && [ -d "$otarget/lib" ] && [ -x "$checkout/bin/berth" ]; then
  daemon=yes
  mkdir -p "$release/orchestrator/target/classes/io/berth/orchestrator"
  cp "$checkout/bin/berth" "$release/bin/berth"
  cp "$otarget/berth-orchestrator.jar" "$release/orchestrator/target/"
  cp -r "$otarget/lib" "$release/orchestrator/target/lib"
  cp -r "$otarget/classes/io/berth/orchestrator/native" "$release/orchestrator/target/classes/io/berth/orchestrator/native"
  mkdir -p "$release/docs"
  cp "$checkout/docs/operator-guide.md" "$release/docs/"
fi
# The deploy files, with the paths of this install, for the operator to use or copy.
mkdir -p "$release/deploy"
cp -r "$checkout/deploy/prometheus" "$checkout/deploy/grafana" "$checkout/deploy/systemd" "$release/deploy/"
sed -i "s|/usr/local/lib/berth|$libdir|g" "$release/deploy/systemd/berth.service"
chmod -R a+rX,go-w "$release"
chmod 0755 "$release/bin/berth-runtime"
# The class-data-sharing archive names each jar by path, size and time, so the checkout's does not
# fit these copies: write the release's own (a training run; berth-runtime works without it).
"$release/bin/berth-runtime" --build-cds-archive >/dev/null || true

previous=$(readlink "$libdir/current" 2>/dev/null || true)
ln -s "releases/$(basename "$release")" "$newcurrent"
mv -T "$newcurrent" "$libdir/current"
ln -s "$target" "$newlink"
mv -T "$newlink" "$link"
done=yes

if [ -n "$daemon" ] && [ -n "$unitdir" ]; then
  mkdir -p "$unitdir"
  { echo "$unit_marker"; cat "$release/deploy/systemd/berth.service"; } >"$unitdir/.berth.service.new.$$"
  mv -f "$unitdir/.berth.service.new.$$" "$unitdir/berth.service"
  echo "$prog: wrote $unitdir/berth.service; start the daemon with: systemctl daemon-reload && systemctl enable --now berth"
fi
# Keep the new release and the one it replaced (a shim may be starting it right now).
for r in "$libdir"/releases/*; do
  case "releases/$(basename "$r")" in
    "releases/$(basename "$release")"|"$previous") ;;
    *) rm -rf "$r" ;;
  esac
done

if ! command -v java >/dev/null 2>&1; then
  echo "$prog: warning: no 'java' on PATH; berth-runtime needs a Java 17 runtime (apt-get install openjdk-17-jre-headless)" >&2
fi
if [ -z "$daemon" ]; then
  echo "$prog: note: the daemon is not built ($otarget/berth-orchestrator.jar), so only berth-runtime was installed" >&2
fi
echo "$prog: installed $checkout as $release; $link -> $target"
