#!/bin/sh
# Indexing a whole central store, side by side in one run: `policyc catalog --templates
# DIR --policy ...` (whole process: read every ADMX and its ADML, index, print one
# policy) against Python's ElementTree parsing the same files (benches/store_et.py).
# Median of 20 runs after 3 warm-ups (hyperfine); peak RSS from GNU time.
# Needs hyperfine and GNU time. Run from the repository root:
#   sh benches/store_compare.sh [PolicyDefinitions folder]
set -eu
dir=${1:-../shared/vendor-admx/PolicyDefinitions}
cargo build --release --quiet
bin=$PWD/target/release/policyc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hyperfine -N --warmup 3 --runs 20 --export-json "$tmp/h.json" \
  "$bin catalog --templates $dir --policy Google.Policies.Chrome:AuthServerAllowlist" \
  "python3 benches/store_et.py $dir" >/dev/null
python3 -c "
import json,sys
for r in json.load(open(sys.argv[1]))['results']:
    print('%-60s median %.1f ms' % (r['command'].split('/')[-1][:60], r['median']*1000))
" "$tmp/h.json"
for cmd in "$bin catalog --templates $dir --policy Google.Policies.Chrome:AuthServerAllowlist" "python3 benches/store_et.py $dir"; do
  /usr/bin/time -f "peak RSS %M KiB: $(basename "${cmd%% *}")" $cmd >/dev/null
done
du -sk "$dir" | awk '{print "store size " $1 " KiB"}'
python3 benches/store_et.py "$dir"
