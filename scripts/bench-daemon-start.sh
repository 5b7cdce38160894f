#!/usr/bin/env bash
# Daemon start to API ready: wall time from `bin/berth daemon` to the first 200 from
# /actuator/health/readiness over HTTPS (the API answers from then on), on a fresh state root
# (first start: database, CA, certificates, token) and again on the same root (a restart).
# Prints each run and the median of each kind. Needs a built checkout (mvn -DskipTests package).
#   scripts/bench-daemon-start.sh [runs]        BERTH_BENCH_PORT (default 16443) picks the port
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
port=${BERTH_BENCH_PORT:-16443}
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_once() { # state-dir -> prints milliseconds to ready
  local state=$1 t0 t1
  t0=$(date +%s%N)
  "$here/bin/berth" daemon --state "$state" --port "$port" >"$work/log" 2>&1 &
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

first=()
again=()
firstcpu=()
againcpu=()
for i in $(seq 1 "$runs"); do
  state="$work/state$i"
  read -r fw fc < <(start_once "$state")
  read -r aw ac < <(start_once "$state")
  first+=("$fw"); firstcpu+=("$fc"); again+=("$aw"); againcpu+=("$ac")
  echo "run $i: first start ${fw} ms (JVM CPU ${fc} ms), restart ${aw} ms (JVM CPU ${ac} ms)"
done
echo "median over $runs runs: first start $(printf '%s\n' "${first[@]}" | median) ms (CPU $(printf '%s\n' "${firstcpu[@]}" | median) ms)," \
  "restart $(printf '%s\n' "${again[@]}" | median) ms (CPU $(printf '%s\n' "${againcpu[@]}" | median) ms)"
echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs)"
