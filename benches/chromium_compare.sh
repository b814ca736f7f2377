#!/bin/sh
# Side by side: `policyc build` against Chromium's policy template writers
# (Python, components/policy/tools/template_writers/) on the same number of
# setting values: 10, 100, 1,000 and 10,000. Whole-process wall time (best of
# RUNS, default 5) and peak RSS (GNU time, `apt-get install time`). Prints two
# Markdown tables. Not part of CI or `cargo test`.
#
#   sh benches/chromium_compare.sh DIR
#
# DIR is your copy of Chromium's template_writers folder (the one holding
# template_formatter.py and writers/), or a Chromium checkout root. Their code is
# BSD-licensed and is not shipped with policyc; fetch it yourself, for example:
#
#   # only that folder, as a tarball from Gitiles:
#   mkdir template_writers && curl -fsSL \
#     https://chromium.googlesource.com/chromium/src/+archive/refs/heads/main/components/policy/tools/template_writers.tar.gz \
#     | tar -xz -C template_writers
#   sh benches/chromium_compare.sh template_writers
#
#   # or a sparse, blobless checkout (GitHub mirror or chromium.googlesource.com/chromium/src):
#   git clone --depth 1 --filter=blob:none --sparse https://github.com/chromium/chromium chromium-src
#   git -C chromium-src sparse-checkout set components/policy/tools/template_writers
#   sh benches/chromium_compare.sh chromium-src
#
# (Neither recipe could be tried where this script was written: that machine had
# no network. The README's figures used the same files read from the public
# mirror jason5122/chromium at 208cfbedd7d5264f205d38abd764f7c4aafcf107.)
#
# What runs on each side (see benches/chromium_compare.py for the inputs):
# - policyc, on the synthetic spec of N values (benches/synthetic.rs, via the
#   bench binary's --emit-spec N; Chrome and Edge), twice: the bench binary's
#   `--emit-subset SPEC OUT reg admx` (compile, then only the .reg and ADMX/ADML
#   emitters, plain writes: the files Chromium's run writes), and
#   `policyc build SPEC --out DIR` (the whole bundle of 23 files: also
#   Registry.pol, GPO backup, LGPO, PowerShell, Intune, docs, manifest; fsynced).
# - Chromium: their unmodified CLI, `template_formatter.py --admx --adml --reg
#   -D _chromium` (en-US only), on a policy_templates JSON with the same N values
#   in two shapes: `values` (ten policies shaped like the synthetic spec) and
#   `policies` (N policies, alternately string and one-entry list).
# Python runs with -S (no site module): the formatter needs only the standard
# library, and site-packages .pth hooks of the local Python stay out of the
# figures. Bytecode goes to a temporary PYTHONPYCACHEPREFIX, so DIR is not
# written to.
#
# Environment: RUNS (default 5), SIZES (default "10 100 1000 10000"), PYTHON
# (default python3), CARGO_TARGET_DIR (default target).
set -eu

usage() {
  echo "usage: sh benches/chromium_compare.sh DIR   (DIR: Chromium's template_writers folder or checkout root)" >&2
  exit 2
}
[ "$#" -eq 1 ] || usage
if [ ! -d "$1" ]; then
  echo "error: $1 is not a directory (give the folder holding Chromium's template_formatter.py)" >&2
  exit 2
fi
if [ -f "$1/template_formatter.py" ]; then
  tw=$(cd "$1" && pwd)
elif [ -f "$1/components/policy/tools/template_writers/template_formatter.py" ]; then
  tw=$(cd "$1/components/policy/tools/template_writers" && pwd)
else
  echo "error: no template_formatter.py in $1 or $1/components/policy/tools/template_writers" >&2
  echo "       (fetch Chromium's template_writers folder first; see the header of this script)" >&2
  exit 2
fi
for w in admx adml reg; do
  [ -f "$tw/writers/${w}_writer.py" ] || { echo "error: $tw/writers/${w}_writer.py is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time (GNU time) is missing: apt-get install time" >&2; exit 2; }
py=${PYTHON:-python3}
command -v "$py" >/dev/null || { echo "error: $py not found (set PYTHON)" >&2; exit 2; }
# The interpreter itself, not a wrapper such as a pyenv shim (which adds its own start-up).
py=$("$py" -c 'import sys; print(sys.executable)')
runs=${RUNS:-5}
sizes=${SIZES:-"10 100 1000 10000"}
here=$(cd "$(dirname "$0")" && pwd)
target=${CARGO_TARGET_DIR:-target}

cd "$here/.."
cargo build --release --quiet
cargo bench --bench pipeline --no-run --quiet 2>/dev/null
bench=$(ls -t "$target"/release/deps/pipeline-* | grep -v '\.d$' | head -1)
policyc="$target/release/policyc"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'MAJOR=140\nMINOR=0\nBUILD=0\nPATCH=0\n' > "$tmp/VERSION"
export PYTHONPYCACHEPREFIX="$tmp/pycache"
# Compiled bytecode is cached as in a normal environment (the first of the
# runs fills the cache), even where the caller's environment turns it off.
unset PYTHONDONTWRITEBYTECODE

# measure CMD...: runs CMD $runs times (each into a fresh $tmp/out); sets
# best (ms, best wall time) and rss (MB, highest peak RSS).
measure() {
  best_us=""; rss_kb=0
  i=0
  while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    rm -rf "$tmp/out"
    t0=$(date +%s%N)
    if ! /usr/bin/time -f %M -o "$tmp/rss" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; then
      echo "error: this command failed: $*" >&2
      cat "$tmp/stderr" >&2
      exit 1
    fi
    t1=$(date +%s%N)
    us=$(((t1 - t0) / 1000))
    if [ -z "$best_us" ] || [ "$us" -lt "$best_us" ]; then best_us=$us; fi
    m=$(tail -1 "$tmp/rss")
    if [ "$m" -gt "$rss_kb" ]; then rss_kb=$m; fi
  done
  best=$(awk -v u="$best_us" 'BEGIN { v = u / 1000; printf(v < 100 ? "%.1f" : "%.0f", v) }')
  rss=$(awk -v k="$rss_kb" 'BEGIN { printf("%.0f", k / 1024) }')
}

bytes() { # total size of the given files, all of which must exist
  for f in "$@"; do
    [ -f "$f" ] || { echo "error: expected output $f is missing" >&2; exit 1; }
  done
  cat "$@" | wc -c | tr -d ' '
}

chromium() { # chromium SHAPE N: runs their formatter; sets c_best c_rss c_vals c_bytes
  expected=$("$py" "$here/chromium_compare.py" "$1" "$2" "$tmp/pt_en-US.json")
  measure "$py" -S "$tw/template_formatter.py" --translations "$tmp/pt_\${lang}.json" \
    --languages en-US --version_path "$tmp/VERSION" \
    --admx "$tmp/out/chromium.admx" --adml "$tmp/out/\${lang}/chromium.adml" \
    --reg "$tmp/out/chromium.reg" -D _chromium
  c_best=$best; c_rss=$rss
  c_vals=$("$py" "$here/chromium_compare.py" reg-values "$tmp/out/chromium.reg")
  if [ "$c_vals" != "$expected" ]; then
    echo "error: Chromium's .reg for $1 $2 has $c_vals values, the input holds $expected" >&2
    exit 1
  fi
  c_bytes=$(bytes "$tmp/out/chromium.admx" "$tmp/out/en-US/chromium.adml" "$tmp/out/chromium.reg")
}

measure "$py" -S -c pass
py_start=$best
times="$tmp/times.md"
outputs="$tmp/outputs.md"
for n in $sizes; do
  spec="$tmp/s$n.yaml"
  "$bench" --emit-spec "$n" > "$spec"
  measure "$bench" --emit-subset "$spec" "$tmp/out" reg admx
  s_best=$best; s_rss=$rss
  p_three=$(bytes "$tmp"/out/admx/*.admx "$tmp"/out/admx/en-US/*.adml "$tmp"/out/*.reg)
  measure "$policyc" build "$spec" --out "$tmp/out"
  p_best=$best; p_rss=$rss
  p_ops=$("$policyc" check "$spec" 2>/dev/null | sed -n 's/.*: \([0-9]*\) registry operations.*/\1/p')
  p_all=$(du -sb "$tmp/out" | cut -f1)
  chromium values "$n"
  v_best=$c_best; v_rss=$c_rss; v_vals=$c_vals; v_bytes=$c_bytes
  chromium policies "$n"
  echo "| $n | $s_best ms, $s_rss MB | $p_best ms, $p_rss MB | $v_best ms, $v_rss MB | $c_best ms, $c_rss MB |" >> "$times"
  echo "| $n | $p_ops | $p_three | $p_all | $v_vals | $v_bytes | $c_vals | $c_bytes |" >> "$outputs"
done

if git -C "$tw" rev-parse HEAD >/dev/null 2>&1; then
  rev="git $(git -C "$tw" rev-parse HEAD)"
else
  rev="not a git checkout"
fi
echo "Chromium template_writers: $tw ($rev); $("$py" --version 2>&1) (\`$py -S -c pass\`: $py_start ms); policyc $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores; best of $runs"
echo
echo "Time (best of $runs) and peak RSS:"
echo
echo "| values N | policyc, ADMX+ADML+.reg only | policyc \`build\`, whole bundle | Chromium, N values in 10 policies | Chromium, N policies |"
echo "|---|---|---|---|---|"
cat "$times"
echo
echo "Output (bytes of ADMX + en-US ADML + .reg; policyc writes ADMX/ADML in UTF-8 and .reg in UTF-16, Chromium all three in UTF-16):"
echo
echo "| values N | policyc registry ops | policyc bytes | policyc whole bundle bytes | Chromium (10 policies) .reg values | bytes | Chromium (N policies) .reg values | bytes |"
echo "|---|---|---|---|---|---|---|---|"
cat "$outputs"
