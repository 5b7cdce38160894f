#!/usr/bin/env bash
# Daemon start to API ready: wall time from `bin/berth daemon` to the first 200 from
# /actuator/health/readiness over HTTPS (the API answers from then on), on a fresh state root
# (first start: database, CA, certificates, token) and again on the same root (a restart).
# Prints each run and the median of each kind. Needs a built checkout (mvn -DskipTests package).
#   scripts/bench-daemon-start.sh [runs] [checkout...]   BERTH_BENCH_PORT (default 16443) picks the port
# With several checkouts (e.g. a copy of an older build's bin/ and */target/, then this one), their
# runs alternate, so a before and an after see the same load.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
shift || true
checkouts=("$@")
[ ${#checkouts[@]} -gt 0 ] || checkouts=("$here")
port=${BERTH_BENCH_PORT:-16443}
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_once() { # checkout state-dir -> prints milliseconds to ready and JVM CPU milliseconds
  local co=$1 state=$2 t0 t1
  t0=$(date +%s%N)
  "$co/bin/berth" daemon --state "$state" --port "$port" >"$work/log" 2>&1 &
  pid=$!
  until [ -f "$state/pki/ca.crt" ] && curl -sf -o /dev/null --cacert "$state/pki/ca.crt" \
      "https://127.0.0.1:$port/actuator/health/readiness" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then cat "$work/log" >&2; echo "daemon exited" >&2; exit 1; fi
    sleep 0.01
  done
  t1=$(date +%s%N)
  # CPU the JVM (berth-subreaper's child) spent until then: what the start costs, whatever the load.
  local jvm ticks
  jvm=$(pgrep -P "$pid" | head -1)
  ticks=$(awk '{print $14 + $15}' "/proc/$jvm/stat")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
  echo "$(( (t1 - t0) / 1000000 )) $(( ticks * 1000 / $(getconf CLK_TCK) ))"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }

declare -A results
for i in $(seq 1 "$runs"); do
  for c in "${!checkouts[@]}"; do
    co=${checkouts[$c]}
    state="$work/state$c.$i"
    read -r fw fc < <(start_once "$co" "$state")
    read -r aw ac < <(start_once "$co" "$state")
    results[$c]+="$fw $fc $aw $ac"$'\n'
    echo "$co run $i: first start ${fw} ms (JVM CPU ${fc} ms), restart ${aw} ms (JVM CPU ${ac} ms) (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
for c in "${!checkouts[@]}"; do
  col() { printf '%s' "${results[$c]}" | awk -v k="$1" 'NF {print $k}' | median; }
  echo "${checkouts[$c]}: median over $runs runs: first start $(col 1) ms (CPU $(col 2) ms), restart $(col 3) ms (CPU $(col 4) ms)"
done
echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs)"
