#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's own inputs: the example and
# fixture specs, the .reg exports under tests/fixtures, and the .reg, Registry.pol
# ADMX/ADML, LGPO text and PowerShell files of a bundle built from each example. Run from the repository
# root: `sh fuzz/seed.sh`. The corpus is not committed (fuzz/.gitignore).
set -eu
root=$(pwd)
c="$root/fuzz/corpus"
mkdir -p "$c/spec" "$c/reg" "$c/pol" "$c/admx" "$c/lgpo" "$c/powershell" "$c/convert"
n=0
for f in examples/*.yaml tests/fixtures/*.yaml tests/fixtures/bad/*.yaml tests/fixtures/hostile/*.yaml; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  cp "$f" "$c/spec/seed-$n-$(basename "$f")"
done
for f in tests/fixtures/exports/*.reg; do
  [ -f "$f" ] && cp "$f" "$c/reg/seed-$(basename "$f")" && cp "$f" "$c/convert/seed-$(basename "$f")"
done
cargo build --quiet --bin policyc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for spec in examples/*.yaml; do
  name=$(basename "$spec" .yaml)
  ./target/debug/policyc build "$spec" --out "$tmp/$name" >/dev/null 2>&1
  find "$tmp/$name" -type f | while read -r f; do
    flat=$(echo "${f#"$tmp"/}" | tr '/' '_')
    case "$f" in
      *.reg) cp "$f" "$c/reg/$flat"; cp "$f" "$c/convert/$flat" ;;
      *.txt) cp "$f" "$c/reg/$flat"; cp "$f" "$c/lgpo/$flat" ;;
      *.ps1) cp "$f" "$c/powershell/$flat" ;;
      *.pol) cp "$f" "$c/pol/$flat" ;;
      *.admx | *.adml | *.xml) cp "$f" "$c/admx/$flat" ;;
    esac
  done
done
for f in tests/fixtures/admx/* tests/fixtures/vendor-admx/*; do
  [ -f "$f" ] && cp "$f" "$c/admx/seed-$(basename "$f")"
done
for t in spec reg pol admx lgpo powershell; do
  echo "$t: $(ls "$c/$t" | wc -l) seed files"
done
