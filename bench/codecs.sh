#!/usr/bin/env bash
# Side-by-side codec benchmarks: each round runs every benchmark once, our
# implementation and the reference (x/net's hpack and HTTP/2 Framer,
# net/http's parser) back
# to back in one process pinned to one core, and takes the ratio of their
# CPU time per operation (cpu-ns/op, which the benchmarks report). Rounds
# repeat this; the table gives the medians, so that a noisy neighbour in
# one round does not decide the result.
#
#   bench/codecs.sh                        # 15 rounds of every benchmark
#   ROUNDS=31 bench/codecs.sh DecodeIndexed
#   CORE=1 bench/codecs.sh 'Encode$' ParseGET
#
# Arguments are regular expressions over benchmark names (default: all
# side-by-side benchmarks of hpack, h2 and h1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-15}
CORE=${CORE:-0}
PATTERNS=("$@")
[ ${#PATTERNS[@]} -gt 0 ] || PATTERNS=('^BenchmarkEncode$' '^BenchmarkDecode$' '^BenchmarkDecodeIndexed$' '^BenchmarkDecodeCorpus$' '^BenchmarkEncodeCorpus$' '^BenchmarkReadFrame$' '^BenchmarkWriteFrame$' '^BenchmarkParseGET$' '^BenchmarkChunkedPOST$')

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/hpack.test" ./hpack
go test -c -o "$dir/h1.test" ./h1
go test -c -o "$dir/h2.test" ./h2

for ((r = 1; r <= ROUNDS; r++)); do
	for pat in "${PATTERNS[@]}"; do
		for pkg in hpack h2 h1; do
			# Only the package that has the benchmark prints a result.
			GOMAXPROCS=1 taskset -c "$CORE" "$dir/$pkg.test" -test.run '^$' \
				-test.bench "$pat" -test.benchmem -test.count 1 |
				awk '/cpu-ns\/op/ { name = $1; sub(/-[0-9]+$/, "", name); for (i = 3; i < NF; i++) if ($(i+1) == "cpu-ns/op") print name, $i }'
		done
	done
done >"$dir/results"

awk -v rounds="$ROUNDS" '
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	split($1, part, "/"); bench = part[1]; impl = part[2]
	sub(/^Benchmark/, "", bench)
	if (!(bench in seen)) { seen[bench] = 1; order[++nb] = bench }
	if (impl == "turbohttp") { ours[bench] = ours[bench] " " $2; last[bench] = $2 }
	else { theirs[bench] = theirs[bench] " " $2; refname[bench] = impl; if (last[bench] != "") ratio[bench] = ratio[bench] " " $2 / last[bench] }
}
END {
	printf "%-16s %14s %10s %14s %12s\n", "benchmark", "turbohttp", "reference", "ref cpu-ns/op", "median ratio"
	for (i = 1; i <= nb; i++) {
		b = order[i]
		printf "%-16s %14.1f %10s %14.1f %11.2f×\n", b, median(ours[b]), refname[b], median(theirs[b]), median(ratio[b])
	}
	printf "(cpu-ns/op medians over %d rounds; ratio = reference ÷ turbohttp, per round)\n", rounds
}' "$dir/results"
printf '(machine: %s cores, %s; load average %s)\n' "$(nproc)" \
	"$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"
