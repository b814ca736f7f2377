#!/bin/sh
# Whole-process time and peak memory of `policyc build` for the NHS example and
# the synthetic specs (benches/synthetic.rs), best of 5 runs each, with GNU time
# (`apt-get install time`). Run from the repository root: `sh benches/measure.sh`.
set -eu
cargo build --release --quiet
cargo bench --bench pipeline --no-run --quiet 2>/dev/null
bench=$(ls -t target/release/deps/pipeline-* | grep -v '\.d$' | head -1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp examples/nhs-credential-management.yaml "$tmp/nhs.yaml"
for n in 10 100 1000 10000; do "$bench" --emit-spec "$n" > "$tmp/s$n.yaml"; done
echo "| spec | spec bytes | registry ops | bundle bytes | time (best of 5) | peak RSS |"
echo "|---|---|---|---|---|---|"
for s in nhs s10 s100 s1000 s10000; do
  f="$tmp/$s.yaml"
  best=""; rss=""
  for _ in 1 2 3 4 5; do
    rm -rf "$tmp/out"
    /usr/bin/time -f "%e %M" -o "$tmp/t" ./target/release/policyc build "$f" --out "$tmp/out" >/dev/null 2>&1
    read -r t m < "$tmp/t"
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    rss=$m
  done
  ops=$(./target/release/policyc check "$f" 2>/dev/null | sed -n 's/.*: \([0-9]*\) registry operations.*/\1/p')
  echo "| $s | $(wc -c < "$f") | $ops | $(du -sb "$tmp/out" | cut -f1) | ${best} s | $((rss / 1024)) MB |"
done
