#!/usr/bin/env bash
# HTTP/1.1 server benchmark, by the method of shared/DESIGN.md: each server
# in turn pinned to core 0 with GOMAXPROCS=1, wrk pinned to core 1, and the
# server's CPU time (utime+stime from /proc) divided by the requests served:
# CPU µs per request, lower is better. Then memory per idle keep-alive
# connection: the server's RSS growth while a separate client process
# (cmd/idleconns) holds IDLE_CONNS idle connections.
#
# Needs wrk and curl (Debian's packages): apt-get install -y wrk curl — this
# script installs nothing.
#
#   bench/h1server.sh                       # all four servers, 10 s each
#   DURATION=30 CONNS=64 bench/h1server.sh turbohttp nethttp
#   ROUNDS=5 DURATION=5 bench/h1server.sh   # medians of 5 rounds, order rotated
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-1}
IDLE_CONNS=${IDLE_CONNS:-10000}
PORT=${PORT:-18080}
IMPLS=("$@")
[ ${#IMPLS[@]} -gt 0 ] || IMPLS=(turbohttp adapter nethttp fasthttp)
for tool in wrk curl; do
  command -v $tool >/dev/null || { echo "$tool is missing: apt-get install -y wrk curl" >&2; exit 1; }
done

dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$dir"' EXIT
go build -o "$dir/benchserver" ./cmd/benchserver
go build -o "$dir/idleconns" ./cmd/idleconns
clk=$(getconf CLK_TCK)
ulimit -n 30000 2>/dev/null || true
url=http://127.0.0.1:$PORT/

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# start_server IMPL: starts it pinned to core 0 and sets pid.
start_server() {
  GOMAXPROCS=1 taskset -c 0 "$dir/benchserver" -impl "$1" -addr "127.0.0.1:$PORT" 2>/dev/null &
  pid=$!
  for _ in $(seq 50); do
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.1
  done
  echo "server $1 did not start" >&2
  exit 1
}

stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# Each round runs every server once, the order rotated from round to round
# so that no server always comes first; the table gives medians.
declare -A rps us p99 idle
n=${#IMPLS[@]}
for ((r = 0; r < ROUNDS; r++)); do
  for ((i = 0; i < n; i++)); do
    impl=${IMPLS[$(((i + r) % n))]}
    start_server "$impl"
    taskset -c 1 wrk -t1 -c"$CONNS" -d2s "$url" >/dev/null # warm-up
    t0=$(cpu_ticks $pid)
    out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$url")
    t1=$(cpu_ticks $pid)
    stop_server
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    rps[$impl]+="$(echo "$out" | awk '/Requests\/sec/ {print $2}') "
    p99[$impl]+="$(echo "$out" | awk '$1 == "99%" {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+/, "", v); print v * (u == "ms" ? 1000 : u == "s" ? 1e6 : 1)}') "
    us[$impl]+="$(awk -v d=$((t1 - t0)) -v c="$clk" -v n="$reqs" 'BEGIN {printf "%.3f", d * 1e6 / c / n}') "
  done
done

# Idle memory, once per server: a fresh server, then IDLE_CONNS idle
# connections from another process, and the RSS growth 10 s later.
for impl in "${IMPLS[@]}"; do
  start_server "$impl"
  sleep 1
  r0=$(rss_kib $pid)
  "$dir/idleconns" -addr "127.0.0.1:$PORT" -n "$IDLE_CONNS" -hold 60s > "$dir/idle.out" &
  ipid=$!
  until grep -q ready "$dir/idle.out" 2>/dev/null; do sleep 0.2; done
  sleep 10 # let connections go quiet and the runtime return freed memory
  r1=$(rss_kib $pid)
  idle[$impl]=$(awk -v a="$r0" -v b="$r1" -v n="$IDLE_CONNS" 'BEGIN {printf "%.1f", (b - a) / n}')
  kill $ipid
  wait $ipid 2>/dev/null || true
  stop_server
done

# median FORMAT: the median of the numbers on stdin, printed with FORMAT.
median() {
  tr ' ' '\n' | grep . | sort -g |
    awk -v f="$1" '{v[NR] = $1} END {printf f, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
printf '%-10s %12s %11s %10s %14s %10s %12s\n' server requests/s "cpu µs/req" "× nethttp" "idle KiB/conn" "× nethttp" "p99 µs"
base_us=$(echo "${us[nethttp]:-}" | median %.3f 2>/dev/null || true)
for impl in "${IMPLS[@]}"; do
  u=$(echo "${us[$impl]}" | median %.2f)
  ratio=- mratio=-
  if [ -n "${us[nethttp]:-}" ]; then
    ratio=$(awk -v a="$u" -v b="$base_us" 'BEGIN {printf "%.2f", a / b}')
    mratio=$(awk -v a="${idle[$impl]}" -v b="${idle[nethttp]}" 'BEGIN {printf "%.2f", a / b}')
  fi
  printf '%-10s %12s %11s %10s %14s %10s %12s\n' "$impl" "$(echo "${rps[$impl]}" | median %.0f)" "$u" "$ratio" \
    "${idle[$impl]}" "$mratio" "$(echo "${p99[$impl]}" | median %.0f)"
done
echo "(machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk -t1 -c$CONNS -d${DURATION}s, $ROUNDS round(s); load average $(cut -d' ' -f1-3 /proc/loadavg))"
