#!/usr/bin/env bash
# Runs the OCI runtime-tools validation suite (opencontainers/runtime-tools, validation/) against a
# runc-compatible runtime binary and prints
#   runtime-tools: N passed, M failed, K skipped
# counted from the suite's TAP output (top-level "ok" / "not ok" lines; "# SKIP" counts as skipped;
# a test program that dies without a TAP plan counts as one failure).
#
# Usage: sudo scripts/runtime-tools-validate.sh RUNTIME_BINARY
#   RUNTIME_TOOLS_SRC  a runtime-tools source tree (default: Debian's, under /usr/share/gocode)
#   KEEP_LOGS=DIR      keep each test's TAP output in DIR
#
# Offline only: Go from golang-go, dependencies from the source tree's vendor/ (-mod=vendor) or,
# without one, from Debian's packaged Go sources (GOPATH mode). Nothing is downloaded.
# Exit status: 0 all passed, 1 some failed, 2 could not build or run the suite.
set -euo pipefail

prog=scripts/runtime-tools-validate.sh
die() { echo "$prog: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: $prog RUNTIME_BINARY (e.g. /usr/sbin/runc or bin/berth-runtime)"
case "$1" in
  */*) runtime=$(readlink -f "$1" 2>/dev/null || true) ;;
  *) runtime=$(command -v "$1" || true) ;;
esac
[ -n "$runtime" ] && [ -x "$runtime" ] && [ -f "$runtime" ] || die "'$1' is not an executable runtime binary: give a path or a command on PATH"
[ "$(id -u)" = 0 ] || die "the suite starts real containers and needs root: sudo $prog $1"
command -v go >/dev/null 2>&1 || die "go is not installed (apt-get install golang-go)"

debian_src=/usr/share/gocode/src/github.com/opencontainers/runtime-tools
src=${RUNTIME_TOOLS_SRC:-$debian_src}
[ -d "$src" ] || die "no runtime-tools source at $src: set RUNTIME_TOOLS_SRC to a runtime-tools source tree with its vendor/ directory (Debian packages only the libraries, not the suite)"
src=$(cd "$src" && pwd)
if [ ! -d "$src/validation" ] || [ ! -d "$src/cmd/runtimetest" ]; then
  if [ "$src" = "$debian_src" ]; then
    die "Debian's golang-github-opencontainers-runtime-tools-dev installs only the library packages (api, cgroups, error, filepath, generate, specerror, validate), not validation/ or cmd/runtimetest, so the suite cannot be built from it: set RUNTIME_TOOLS_SRC to a runtime-tools source tree with its vendor/ directory (e.g. a git checkout of github.com/opencontainers/runtime-tools)"
  fi
  die "$src has no validation/ and cmd/runtimetest: set RUNTIME_TOOLS_SRC to a runtime-tools source tree"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/runtime-tools.XXXXXX")
state="$work/state"
cleanup() {
  # Every step runs even if one fails (set -e must not cut the cleanup short). Containers a failed
  # test left behind live in our private runtime root: remove them, then any mount left in a
  # bundle, then everything.
  set +e
  if [ -d "$state" ]; then
    for id in $(ls "$state" 2>/dev/null); do
      "$runtime" --root "$state" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  grep -o " $work/[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

export GOPROXY=off GOFLAGS="-buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=1
if [ -f "$src/vendor/modules.txt" ] || { [ -f "$src/go.mod" ] && ! grep -q '^require' "$src/go.mod"; }; then
  export GO111MODULE=on GOFLAGS="$GOFLAGS -mod=vendor"
  build_dir="$src"
  mode="module mode, -mod=vendor"
else
  # No vendor/: the dependencies must come from Debian's golang-*-dev packages.
  export GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode"
  mkdir -p "$work/gopath/src/github.com/opencontainers"
  ln -s "$src" "$work/gopath/src/github.com/opencontainers/runtime-tools"
  build_dir="$work/gopath/src/github.com/opencontainers/runtime-tools"
  mode="GOPATH mode with /usr/share/gocode"
fi

echo "$prog: building runtime-tools from $src ($mode)"
mkdir -p "$work/run" "$work/tests" "$work/tmp"
(cd "$build_dir" && go build -o "$work/run/runtimetest" ./cmd/runtimetest) >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; die "cannot build cmd/runtimetest offline (output above)"; }
# One program per file under validation/ (validation/NAME/NAME.go or validation/NAME.go); util/ is
# their shared library.
built=0
while IFS= read -r file; do
  name=$(basename "$file" .go)
  if ! (cd "$build_dir" && go build -o "$work/tests/$name.t" "./$file") >>"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    die "cannot build $file offline (output above)"
  fi
  built=$((built + 1))
done < <(cd "$build_dir" && find validation -name '*.go' ! -name '*_test.go' ! -path 'validation/util/*' | sort)
[ "$built" -gt 0 ] || die "no validation programs found under $src/validation"

# The tests unpack rootfs-GOARCH.tar.gz and copy ./runtimetest from their working directory.
arch=$(go env GOARCH)
if [ -f "$src/rootfs-$arch.tar.gz" ]; then
  cp "$src/rootfs-$arch.tar.gz" "$work/run/"
else
  busybox=$(command -v busybox || true)
  [ -n "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || die "no $src/rootfs-$arch.tar.gz and no static busybox to make one (apt-get install busybox-static)"
  r="$work/rootfs"
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
  cp "$busybox" "$r/bin/busybox"
  # Relative links: `busybox --install -s` would point them at this host path, absent in the container.
  for applet in $("$busybox" --list); do
    [ -e "$r/bin/$applet" ] || ln -s busybox "$r/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
  printf 'root:x:0:\n' >"$r/etc/group"
  tar -C "$work" -czf "$work/run/rootfs-$arch.tar.gz" rootfs
  rm -rf "$r"
fi

# The suite calls $RUNTIME without --root; a wrapper gives it a private one, so leftovers from a
# failed test can be found and removed, and the host's runc state is never touched.
cat >"$work/runtime" <<WRAP
#!/bin/sh
exec "$runtime" --root "$state" "\$@"
WRAP
chmod +x "$work/runtime"

passed=0 failed=0 skipped=0
echo "$prog: running $built validation programs against $runtime"
for t in "$work"/tests/*.t; do
  name=$(basename "$t" .t)
  log="$work/$name.tap"
  set +e
  (cd "$work/run" && RUNTIME="$work/runtime" TMPDIR="$work/tmp" timeout 300 "$t") >"$log" 2>&1
  rc=$?
  set -e
  p=$(grep -cE '^ok [0-9]+' "$log" || true)
  s=$(grep -cE '^ok [0-9]+.*# *(SKIP|skip)' "$log" || true)
  f=$(grep -cE '^not ok [0-9]+' "$log" || true)
  p=$((p - s))
  if ! grep -qE '^1\.\.[0-9]+' "$log" && [ "$rc" -ne 0 ]; then
    f=$((f + 1))
    echo "  $name: died with status $rc before finishing its TAP plan"
  fi
  printf '  %-40s %3d passed, %3d failed, %3d skipped\n' "$name" "$p" "$f" "$s"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [ -n "${KEEP_LOGS:-}" ]; then
    mkdir -p "$KEEP_LOGS" && cp "$log" "$KEEP_LOGS/"
  fi
done

echo "runtime-tools: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
