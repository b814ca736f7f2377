#!/bin/sh
# Whole-process time and peak memory of `policyc check` and `policyc build` for the NHS
# example and the synthetic specs (benches/synthetic.rs). Times: hyperfine (median of
# 20 runs after 3 warm-ups, each build into a fresh folder); peak RSS: GNU time.
# Needs `apt-get install hyperfine time bc`. Run from the repository root:
#   sh benches/measure.sh
# `build` fsyncs every file before the rename (the default); `build --no-sync` skips that,
# so the two columns differ by what the disk takes to flush the bundle.
set -eu
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "measure.sh: $tool is missing (apt-get install hyperfine time)" >&2; exit 2; }
done
cargo build --release --quiet
cargo bench --bench pipeline --no-run --quiet 2>/dev/null
bench=$(ls -t target/release/deps/pipeline-* | grep -v '\.d$' | head -1)
bin=$PWD/target/release/policyc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp examples/nhs-credential-management.yaml "$tmp/nhs.yaml"
for n in 10 100 1000 10000; do "$bench" --emit-spec "$n" > "$tmp/s$n.yaml"; done
median() { # command... -> median wall time in ms
  hyperfine -N --warmup 3 --runs 20 --prepare "rm -rf $tmp/out" --export-json "$tmp/h.json" "$*" >/dev/null 2>&1
  python3 -c "import json,sys; print('%.1f' % (json.load(open(sys.argv[1]))['results'][0]['median']*1000))" "$tmp/h.json"
}
echo "| spec | spec bytes | registry ops | bundle bytes | check | build --no-sync | build | peak RSS (build) |"
echo "|---|---|---|---|---|---|---|---|"
for s in nhs s10 s100 s1000 s10000; do
  f="$tmp/$s.yaml"
  c=$(median "$bin" check "$f")
  n=$(median "$bin" build --no-sync "$f" --out "$tmp/out")
  b=$(median "$bin" build "$f" --out "$tmp/out")
  rm -rf "$tmp/out"
  /usr/bin/time -f "%M" -o "$tmp/t" "$bin" build "$f" --out "$tmp/out" >/dev/null 2>&1
  rss=$(cat "$tmp/t")
  ops=$("$bin" check "$f" 2>/dev/null | sed -n 's/.*: \([0-9]*\) registry operations.*/\1/p')
  echo "| $s | $(wc -c < "$f") | $ops | $(du -sb "$tmp/out" | cut -f1) | ${c} ms | ${n} ms | ${b} ms | $((rss / 1024)) MB |"
done
