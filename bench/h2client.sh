#!/usr/bin/env bash
# HTTP/2 client benchmark, by the method of shared/DESIGN.md: h2o (a
# neutral server written in C) serves a small static file with one thread
# pinned to core 1, over h2c (prior knowledge, cleartext port) and over TLS
# (ALPN h2); each client in turn (cmd/benchclient -proto h2) runs pinned to
# core 0 with GOMAXPROCS=1, CONNS workers sharing ONE connection as
# concurrent streams, and reports its own CPU time (getrusage, user +
# system, after a warm-up) divided by the requests it completed: the
# client's CPU µs per request, lower is better. Clients: native
# (turbohttp's Transport.Do), roundtripper (net/http's Client over it
# through nethttp.RoundTripper) and nethttp (net/http's own Transport over
# HTTP/2). Targets (issue 12): native ≤ 0.2× nethttp, roundtripper ≤ 0.5×.
#
# Needs h2o (Debian's package) and openssl (for a self-signed certificate):
# apt-get install -y h2o openssl — this script installs nothing.
#
#   bench/h2client.sh                        # h2c and TLS, three clients, 10 s each
#   MODES=h2c DURATION=30 bench/h2client.sh native nethttp
#   ROUNDS=3 DURATION=5 bench/h2client.sh   # median of 3 rounds, order rotated
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
PORT=${PORT:-18082}
TLSPORT=${TLSPORT:-18443}
ROUNDS=${ROUNDS:-1}
MODES=${MODES:-"h2c tls"}
IMPLS=("$@")
[ ${#IMPLS[@]} -gt 0 ] || IMPLS=(native roundtripper nethttp)
H2O=$(command -v h2o || true)
[ -n "$H2O" ] || { echo "h2o is missing: apt-get install -y h2o" >&2; exit 1; }
command -v openssl > /dev/null || { echo "openssl is missing: apt-get install -y openssl" >&2; exit 1; }

dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$dir"' EXIT
chmod 755 "$dir" # h2o started as root serves as nobody
go build -o "$dir/benchclient" ./cmd/benchclient
mkdir "$dir/www"
printf 'Hello, World!' > "$dir/www/hello.txt"
chmod -R a+rX "$dir/www"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=127.0.0.1 -keyout "$dir/key.pem" -out "$dir/cert.pem" 2> /dev/null
chmod a+r "$dir/key.pem" "$dir/cert.pem"
cat > "$dir/h2o.conf" <<CONF
num-threads: 1
listen:
  host: 127.0.0.1
  port: $PORT
listen:
  host: 127.0.0.1
  port: $TLSPORT
  ssl:
    certificate-file: $dir/cert.pem
    key-file: $dir/key.pem
hosts:
  default:
    paths:
      /:
        file.dir: $dir/www
CONF
taskset -c 1 "$H2O" -c "$dir/h2o.conf" > "$dir/h2o.log" 2>&1 &
for _ in $(seq 50); do
  curl -sfk -o /dev/null "https://127.0.0.1:$TLSPORT/hello.txt" 2>/dev/null && break
  sleep 0.1
done
curl -sfk -o /dev/null "https://127.0.0.1:$TLSPORT/hello.txt" ||
  { echo "h2o did not start:" >&2; cat "$dir/h2o.log" >&2; exit 1; }

# median FORMAT: the median of the numbers on stdin, printed with FORMAT.
median() {
  tr ' ' '\n' | grep . | sort -g |
    awk -v f="$1" '{v[NR] = $1} END {printf f, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
printf '%-5s %-13s %12s %12s %12s %8s\n' mode client requests/s "cpu µs/req" "× nethttp" errors
for mode in $MODES; do
  url=http://127.0.0.1:$PORT/hello.txt
  [ "$mode" = tls ] && url=https://127.0.0.1:$TLSPORT/hello.txt
  # Each round runs every client once, the order rotated from round to
  # round so that no client always comes first; the table gives each
  # client's median over the rounds.
  declare -A rps=() us=() errs=()
  n=${#IMPLS[@]}
  for ((r = 0; r < ROUNDS; r++)); do
    for ((i = 0; i < n; i++)); do
      impl=${IMPLS[$(((i + r) % n))]}
      out=$(GOMAXPROCS=1 taskset -c 0 "$dir/benchclient" -proto h2 -impl "$impl" -url "$url" \
        -c "$CONNS" -d "${DURATION}s" -warmup 2s)
      get() { echo "$out" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
      rps[$impl]+="$(get rps) " us[$impl]+="$(get cpu_us_per_req) " errs[$impl]=$((${errs[$impl]:-0} + $(get errors)))
    done
  done
  for impl in "${IMPLS[@]}"; do
    rps[$impl]=$(echo "${rps[$impl]}" | median %.0f) us[$impl]=$(echo "${us[$impl]}" | median %.2f)
  done
  for impl in "${IMPLS[@]}"; do
    ratio=-
    [ -n "${us[nethttp]:-}" ] && ratio=$(awk -v a="${us[$impl]}" -v b="${us[nethttp]}" 'BEGIN {printf "%.2f", a / b}')
    printf '%-5s %-13s %12s %12s %12s %8s\n' "$mode" "$impl" "${rps[$impl]}" "${us[$impl]}" "$ratio" "${errs[$impl]}"
  done
done
echo "(machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); h2o $("$H2O" --version | awk 'NR==1 {print $3}') num-threads 1 on core 1; clients on core 0, GOMAXPROCS=1, $CONNS workers on one HTTP/2 connection, ${DURATION}s × $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg))"
