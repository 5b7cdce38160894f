#!/usr/bin/env bash
# Installs berth-runtime from a built Berth checkout onto this machine:
#   /usr/local/lib/berth/releases/ID/  the launcher script, the runtime's jar and its dependencies
#   /usr/local/lib/berth/current       a link to the release in use
#   /usr/local/bin/berth-runtime       a link to current/bin/berth-runtime (containerd's BinaryName)
# Idempotent: running it again installs the checkout's current build as a new release and keeps
# only it and the one before. A release is complete before `current` is switched to it with one
# rename(2), so a containerd shim calling berth-runtime during an upgrade runs the old or the new
# build, never half of one.
#
# Usage: sudo deploy/install.sh [--uninstall]
# BERTH_PREFIX (default /usr/local) moves both locations, e.g. for a test install.
set -euo pipefail

prog=deploy/install.sh
die() { echo "$prog: $*" >&2; exit 1; }

action=install
case "${1:-}" in
  "") ;;
  --uninstall) action=uninstall ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# Refuses to replace a berth-runtime that this script did not install (a file, or a link elsewhere).
check_link_is_ours() {
  if [ -L "$link" ]; then
    [ "$(readlink "$link")" = "$target" ] || die "$link links to $(readlink "$link"), not to $target: remove it first if it should be replaced"
  elif [ -e "$link" ]; then
    die "$link exists and is not a link made by this script: remove it first if it should be replaced"
  fi
}

if [ "$action" = uninstall ]; then
  check_link_is_ours
  rm -f "$link"
  rm -rf "$libdir"
  echo "$prog: removed $link and $libdir"
  exit 0
fi

jar="$checkout/core-runtime/target/berth-core-runtime.jar"
deps="$checkout/core-runtime/target/lib"
[ -f "$jar" ] && [ -d "$deps" ] || die "$checkout is not built ($jar or $deps is missing): run 'mvn -DskipTests package' there first"
[ -x "$checkout/bin/berth-runtime" ] || die "$checkout/bin/berth-runtime is missing or not executable: is $checkout a Berth checkout?"
check_link_is_ours

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
echo "$prog: installed $checkout as $release; $link -> $target"
