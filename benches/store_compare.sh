#!/bin/sh
# Indexing a whole central store, side by side in one run: `policyc catalog --templates
# DIR --policy ...` (whole process: read every ADMX and its ADML, index, print one
# policy), `policyc catalog --templates DIR` (whole process: index and list every policy
# with its display name) and Python's ElementTree parsing the same files
# (benches/store_et.py), and a build of a spec of vendor policies (tests/fixtures/vendor-spec/
# every-kind.yaml: 7 policies of Chrome, Edge and Windows templates, Intune ingestion of
# chrome.admx and msedge.admx) with the store read. Median of 20 runs after 3 warm-ups (hyperfine), with mean user
# and system CPU; peak RSS from GNU time; the load average before and after.
# Needs hyperfine and GNU time. Run from the repository root:
#   sh benches/store_compare.sh [PolicyDefinitions folder]
set -eu
dir=${1:-../shared/vendor-admx/PolicyDefinitions}
cargo build --release --quiet
bin=$PWD/target/release/policyc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
uptime
hyperfine -N --warmup 3 --runs 20 --export-json "$tmp/h.json" \
  -n "policyc catalog --templates --policy (index)" \
  "$bin catalog --templates $dir --policy Google.Policies.Chrome:AuthServerAllowlist" \
  -n "policyc catalog --templates (list all)" "$bin catalog --templates $dir" \
  -n "python3 benches/store_et.py" "python3 benches/store_et.py $dir" \
  -n "policyc build (vendor spec, store included)" \
  --prepare "rm -rf $tmp/bundle" \
  "$bin build --no-sync tests/fixtures/vendor-spec/every-kind.yaml --templates $dir --out $tmp/bundle" >/dev/null
uptime
python3 -c "
import json,sys
for r in json.load(open(sys.argv[1]))['results']:
    print('%-46s median %6.1f ms  user %6.1f ms  system %5.1f ms' % (
        r['command'], r['median']*1000, r['user']*1000, r['system']*1000))
" "$tmp/h.json"
for cmd in "$bin catalog --templates $dir --policy Google.Policies.Chrome:AuthServerAllowlist" "$bin catalog --templates $dir" "python3 benches/store_et.py $dir" "$bin build --no-sync tests/fixtures/vendor-spec/every-kind.yaml --templates $dir --out $tmp/rss"; do
  /usr/bin/time -f "peak RSS %M KiB: $(echo "$cmd" | awk '{print $2, $3, $5}')" $cmd >/dev/null
done
du -sk "$dir" | awk '{print "store size " $1 " KiB"}'
python3 benches/store_et.py "$dir"
