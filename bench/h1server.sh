#!/usr/bin/env bash
# HTTP/1.1 server benchmark, by the method of shared/DESIGN.md: each server
# in turn pinned to core 0 with GOMAXPROCS=1, wrk pinned to core 1, and the
# server's CPU time (utime+stime from /proc) divided by the requests served.
# Then memory per idle keep-alive connection: the server's RSS growth while a
# separate client process holds IDLE_CONNS idle connections.
#
#   bench/h1server.sh                 # all servers, 10 s each
#   DURATION=30 CONNS=64 bench/h1server.sh turbohttp nethttp
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
IDLE_CONNS=${IDLE_CONNS:-10000}
IMPLS=("$@")
[ ${#IMPLS[@]} -gt 0 ] || IMPLS=(turbohttp adapter nethttp fasthttp)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

bin=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -o "$bin/benchserver" ./cmd/benchserver
go build -o "$bin/idleconns" ./cmd/idleconns
clk=$(getconf CLK_TCK)
ulimit -n 30000 2>/dev/null || true

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

start_server() {
  GOMAXPROCS=1 taskset -c 0 "$bin/benchserver" -impl "$1" -addr 127.0.0.1:18080 2>/dev/null &
  pid=$!
  for _ in $(seq 50); do
    curl -sf -o /dev/null http://127.0.0.1:18080/ && return 0
    sleep 0.1
  done
  echo "server $1 did not start" >&2; exit 1
}

printf '%-10s %12s %12s %14s %14s\n' server requests/s "cpu µs/req" "idle KiB/conn" "p99 latency"
for impl in "${IMPLS[@]}"; do
  start_server "$impl"
  taskset -c 1 wrk -t1 -c"$CONNS" -d2s http://127.0.0.1:18080/ >/dev/null # warm up
  t0=$(cpu_ticks $pid)
  out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency http://127.0.0.1:18080/)
  t1=$(cpu_ticks $pid)
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  us=$(awk -v d=$((t1 - t0)) -v c="$clk" -v n="$reqs" 'BEGIN {printf "%.2f", d * 1e6 / c / n}')
  kill $pid; wait $pid 2>/dev/null || true

  # Idle memory: a fresh server, then IDLE_CONNS idle connections.
  start_server "$impl"
  sleep 1
  r0=$(rss_kib $pid)
  "$bin/idleconns" -addr 127.0.0.1:18080 -n "$IDLE_CONNS" -hold 60s > "$bin/idle.out" &
  ipid=$!
  until grep -q ready "$bin/idle.out" 2>/dev/null; do sleep 0.2; done
  sleep 10 # let connections go quiet and the runtime return freed memory
  r1=$(rss_kib $pid)
  kib=$(awk -v a="$r0" -v b="$r1" -v n="$IDLE_CONNS" 'BEGIN {printf "%.1f", (b - a) / n}')
  kill $ipid $pid; wait $ipid $pid 2>/dev/null || true

  printf '%-10s %12s %12s %14s %14s\n' "$impl" "$rps" "$us" "$kib" "$p99"
done
echo "(machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk -t1 -c$CONNS -d${DURATION}s)"
