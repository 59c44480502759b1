#!/usr/bin/env bash
# HTTP/2 server benchmark, by the method of shared/DESIGN.md: each server in
# turn pinned to core 0 (ours and net/http's with GOMAXPROCS=1, h2o with
# num-threads 1), h2load pinned to core 1, and the server's CPU time
# (utime+stime from /proc) divided by the requests served: CPU µs per
# request, lower is better. Two loads over h2c with prior knowledge —
# h2load -c16 -m32 and -c1 -m100 — then -c16 -m32 over TLS (h2 by ALPN)
# beside them, and few streams on a server with two Ps (-c4 -m1, Go
# servers with GOMAXPROCS=2, still on core 0). Then memory per idle HTTP/2 connection: the server's RSS
# growth while a separate client process (cmd/idleconns -h2) holds
# IDLE_CONNS connections idle after the SETTINGS exchange.
#
# Needs h2load, h2o, curl and openssl (Debian: apt-get install -y
# nghttp2-client h2o curl openssl) — this script installs nothing.
#
#   bench/h2server.sh                         # all four servers, 10 s per load
#   DURATION=30 bench/h2server.sh turbohttp nethttp
#   ROUNDS=3 DURATION=5 bench/h2server.sh     # medians of 3 rounds, order rotated
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-1}
IDLE_CONNS=${IDLE_CONNS:-1000}
PORT=${PORT:-18082}
IMPLS=("$@")
[ ${#IMPLS[@]} -gt 0 ] || IMPLS=(turbohttp adapter nethttp h2o)
for tool in h2load h2o curl openssl; do
  command -v $tool >/dev/null || { echo "$tool is missing: apt-get install -y nghttp2-client h2o curl openssl" >&2; exit 1; }
done

dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$dir"' EXIT
chmod 755 "$dir" # h2o started as root serves as nobody
go build -o "$dir/benchserver" ./cmd/benchserver
go build -o "$dir/idleconns" ./cmd/idleconns
clk=$(getconf CLK_TCK)
ulimit -n 30000 2>/dev/null || true
mkdir "$dir/www"
printf 'Hello, World!' > "$dir/www/index.html"
chmod -R a+rX "$dir/www"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
chmod a+r "$dir/key.pem"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# start_server IMPL TLS [PROCS]: starts it pinned to core 0 (a Go server
# with GOMAXPROCS=PROCS, 1 by default) and sets pid and url.
start_server() {
  local impl=$1 tls=$2 procs=${3:-1} scheme=http
  [ "$tls" = 1 ] && scheme=https
  url=$scheme://127.0.0.1:$PORT/
  if [ "$impl" = h2o ]; then
    local listen="listen: {host: 127.0.0.1, port: $PORT}"
    [ "$tls" = 1 ] && listen="listen: {host: 127.0.0.1, port: $PORT, ssl: {certificate-file: $dir/cert.pem, key-file: $dir/key.pem}}"
    printf '%s\nnum-threads: 1\nhosts:\n  default:\n    paths:\n      /:\n        file.dir: %s/www\n' \
      "$listen" "$dir" > "$dir/h2o.conf"
    taskset -c 0 h2o -c "$dir/h2o.conf" > "$dir/h2o.log" 2>&1 &
  else
    local flags=()
    [ "$tls" = 1 ] && flags=(-tls)
    GOMAXPROCS=$procs taskset -c 0 "$dir/benchserver" -impl "$impl" -addr "127.0.0.1:$PORT" "${flags[@]}" 2>/dev/null &
  fi
  pid=$!
  for _ in $(seq 50); do
    curl -sfk --http2-prior-knowledge -o /dev/null "$url" 2>/dev/null && return 0
    curl -sfk -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server $impl did not start" >&2
  cat "$dir/h2o.log" >&2 2>/dev/null || true
  exit 1
}

stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# measure KEY LOADARGS: one h2load run against the server at $url; records
# requests/s and CPU µs per request under KEY.
declare -A rps us
measure() {
  local key=$1
  shift
  taskset -c 1 h2load "$@" -D 2 "$url" >/dev/null # warm-up
  local t0 t1 out reqs
  t0=$(cpu_ticks $pid)
  out=$(taskset -c 1 h2load "$@" -D "$DURATION" "$url")
  t1=$(cpu_ticks $pid)
  reqs=$(echo "$out" | awk '/^requests:/ {print $8}')
  rps[$key]+="$(echo "$out" | awk '/^finished in/ {sub(/,/, "", $4); print $4}') "
  us[$key]+="$(awk -v d=$((t1 - t0)) -v c="$clk" -v n="$reqs" 'BEGIN {printf "%.3f", n ? d * 1e6 / c / n : 0}') "
}

LOADS=("c16m32" "c1m100" "tls" "few")
n=${#IMPLS[@]}
for ((r = 0; r < ROUNDS; r++)); do
  for ((i = 0; i < n; i++)); do
    impl=${IMPLS[$(((i + r) % n))]}
    start_server "$impl" 0
    measure "$impl c16m32" -c16 -m32 -t1
    measure "$impl c1m100" -c1 -m100 -t1
    stop_server
    start_server "$impl" 1
    measure "$impl tls" -c16 -m32 -t1
    stop_server
    start_server "$impl" 0 2
    measure "$impl few" -c4 -m1 -t1
    stop_server
  done
done

# Idle memory, once per server: a fresh server, then IDLE_CONNS HTTP/2
# connections held idle by another process after the SETTINGS exchange,
# and the RSS growth 10 s later.
declare -A idle
for impl in "${IMPLS[@]}"; do
  start_server "$impl" 0
  sleep 1
  r0=$(rss_kib $pid)
  "$dir/idleconns" -h2 -addr "127.0.0.1:$PORT" -n "$IDLE_CONNS" -hold 60s > "$dir/idle.out" &
  ipid=$!
  until grep -q ready "$dir/idle.out" 2>/dev/null; do sleep 0.2; done
  sleep 10 # let connections go quiet and the runtime return freed memory
  r1=$(rss_kib $pid)
  idle[$impl]=$(awk -v a="$r0" -v b="$r1" -v n="$IDLE_CONNS" 'BEGIN {printf "%.1f", (b - a) / n}')
  kill $ipid
  wait $ipid 2>/dev/null || true
  stop_server
done

median() {
  tr ' ' '\n' | grep . | sort -g |
    awk -v f="$1" '{v[NR] = $1} END {printf f, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
printf '%-10s %-7s %12s %11s %10s %8s\n' server load requests/s "cpu µs/req" "× nethttp" "× h2o"
for load in "${LOADS[@]}"; do
  base= h2o=
  [ -n "${us[nethttp $load]:-}" ] && base=$(echo "${us[nethttp $load]}" | median %.3f)
  [ -n "${us[h2o $load]:-}" ] && h2o=$(echo "${us[h2o $load]}" | median %.3f)
  for impl in "${IMPLS[@]}"; do
    u=$(echo "${us[$impl $load]}" | median %.3f)
    ratio=- hratio=-
    [ -n "$base" ] && ratio=$(awk -v a="$u" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
    [ -n "$h2o" ] && hratio=$(awk -v a="$u" -v b="$h2o" 'BEGIN {printf "%.2f", a / b}')
    printf '%-10s %-7s %12s %11s %10s %8s\n' "$impl" "$load" "$(echo "${rps[$impl $load]}" | median %.0f)" "$u" "$ratio" "$hratio"
  done
done
printf '\n%-10s %14s %10s\n' server "idle KiB/conn" "× nethttp"
for impl in "${IMPLS[@]}"; do
  m=-
  [ -n "${idle[nethttp]:-}" ] && m=$(awk -v a="${idle[$impl]}" -v b="${idle[nethttp]}" 'BEGIN {printf "%.2f", a / b}')
  printf '%-10s %14s %10s\n' "$impl" "${idle[$impl]}" "$m"
done
echo "(machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); h2load -t1 -D ${DURATION}s, $ROUNDS round(s), $IDLE_CONNS idle connections; load average $(cut -d' ' -f1-3 /proc/loadavg))"
