#!/usr/bin/env bash
# Runs the SDK benchmarks and their hand-written net/http baselines in the
# same run and prints each SDK/baseline ratio (medians over -count runs).
# Ratios, not absolute times: the machines are shared and noisy.
#
#   bash bench/compare.sh            # count 6, benchtime 1s
#   COUNT=10 BENCHTIME=2s bash bench/compare.sh
#   MODULE=otelmodelarts bash bench/compare.sh   # the OpenTelemetry adapter's cost
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
out=$PWD/bench/out
mkdir -p "$out"
# One test binary, run COUNT times: each round runs every SDK benchmark next
# to its baseline, so a slow spell of the machine hits both alike.
(cd "${MODULE:-.}" && go test -c -o "$out/bench.test" .)
: > "$out/raw.txt"
for i in $(seq "$COUNT"); do
  "$out/bench.test" -test.run '^$' -test.bench "${BENCH:-.}" -test.benchmem -test.benchtime "$BENCHTIME" >> "$out/raw.txt"
done

# The header first: the rows below are sorted by name.
printf "%-26s %12s %12s %7s %10s %10s %7s %6s %6s %7s\n" benchmark ns/op "base ns/op" ratio allocs/op base ratio conns base closed
awk '
/^Benchmark/ {
  name = $1; sub(/-[0-9]+$/, "", name)
  for (i = 3; i < NF; i++) {
    unit = $(i + 1)
    if (unit == "ns/op" || unit == "B/op" || unit == "allocs/op" || unit == "conns" || unit == "closed" || unit == "json-B/op") {
      key = name SUBSEP unit
      n[key]++; v[key, n[key]] = $i
      names[name] = 1
    }
  }
}
function median(key,   m, i, j, t, a) {
  m = n[key]; if (m == 0) return ""
  for (i = 1; i <= m; i++) a[i] = v[key, i]
  for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
  for (name in names) {
    if (name ~ /Baseline$/) continue
    base = name "Baseline"; sub(/^Benchmark/, "", base); base = "Benchmark" base
    ns = median(name SUBSEP "ns/op"); al = median(name SUBSEP "allocs/op")
    bns = median(base SUBSEP "ns/op"); bal = median(base SUBSEP "allocs/op")
    c = median(name SUBSEP "conns"); bc = median(base SUBSEP "conns"); cl = median(name SUBSEP "closed")
    r1 = (bns > 0) ? sprintf("%.2f", ns / bns) : "-"
    r2 = (bal > 0) ? sprintf("%.2f", al / bal) : "-"
    printf "%-26s %12.0f %12s %7s %10.0f %10s %7s %6s %6s %7s\n", substr(name, 10), ns, (bns > 0 ? sprintf("%.0f", bns) : "-"), r1, al, (bal > 0 ? sprintf("%.0f", bal) : "-"), r2, (c == "" ? "-" : c), (bc == "" ? "-" : bc), (cl == "" ? "-" : cl)
    if (name == "BenchmarkListImages10k") {
      printf "  ListImages10k: %.0f B allocated per op for %.0f B of JSON received: %.2fx\n", median(name SUBSEP "B/op"), median(name SUBSEP "json-B/op"), median(name SUBSEP "B/op") / median(name SUBSEP "json-B/op")
    }
  }
}' "$out/raw.txt" | sort
echo "raw results: $out/raw.txt"
