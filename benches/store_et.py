"""Python's ElementTree on the same central store, for comparison with
`policyc catalog --templates` (benches/store_compare.sh): parses every ADMX and ADML
it can and counts the <policy> elements. Files ElementTree refuses are counted."""
import pathlib
import sys
import xml.etree.ElementTree as ET

root = pathlib.Path(sys.argv[1])
ok = refused = policies = 0
for p in sorted(root.rglob("*")):
    if p.suffix.lower() not in (".admx", ".adml"):
        continue
    try:
        tree = ET.parse(p)
    except Exception:
        refused += 1
        continue
    ok += 1
    policies += sum(1 for e in tree.iter() if e.tag.rsplit("}", 1)[-1] == "policy")
print(f"{ok} files parsed, {refused} refused, {policies} policies")
