#!/usr/bin/env bash
# Runs every test of every module, for real: containers, cgroups, a registry, containerd.
# Needs root. -Dberth.requireAll=true turns a missing requirement into a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "scripts/test.sh: the tests start real containers and need root: run it with sudo" >&2
  exit 1
fi
bash scripts/install-deps.sh
exec mvn -B -ntp verify -Dberth.requireAll=true "$@"
