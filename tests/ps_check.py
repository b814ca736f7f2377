#!/usr/bin/env python3
"""Parses PowerShell scripts with the tree-sitter PowerShell grammar (Airbus CERT,
github.com/airbus-cert/tree-sitter-powershell, PyPI `tree-sitter-powershell`), a real
third-party PowerShell parser (pwsh itself cannot be installed from the registries here:
/work/shared/research/validators.md section 2).

Usage: ps_check.py FILE...

Prints one JSON document on stdout:
  {"files": [{"path", "errors": [{"kind", "row", "column", "text"}],
              "strings": [{"row", "column", "kind", "raw"}],
`errors` lists every ERROR and MISSING node (the test requires none). `strings` lists
every string literal node with its exact source text, so the Rust test can check that a
spec string is one inert verbatim literal. Exit code 0 when it ran (whatever it found),
2 when the grammar is not installed.
"""

import json
import sys

try:
    from tree_sitter import Language, Parser
    import tree_sitter_powershell as tsps
except ImportError as e:  # the Rust test turns this into SKIPPED or a failure
    print(f"tree-sitter-powershell not importable: {e}", file=sys.stderr)
    sys.exit(2)

BOM = b"\xef\xbb\xbf"


def walk(node, errors, strings):
    if node.is_error or node.is_missing:
        errors.append(
            {
                "kind": "MISSING" if node.is_missing else "ERROR",
                "row": node.start_point[0] + 1,
                "column": node.start_point[1] + 1,
                "text": node.text.decode("utf-8", "replace")[:120],
            }
        )
    if node.type in ("string_literal",):
        child = node.children[0] if node.children else None
        strings.append(
            {
                "row": node.start_point[0] + 1,
                "column": node.start_point[1] + 1,
                "kind": child.type if child is not None else node.type,
                "raw": node.text.decode("utf-8"),
            }
        )
    for c in node.children:
        walk(c, errors, strings)


def main(paths):
    parser = Parser(Language(tsps.language()))
    out = []
    for path in paths:
        data = open(path, "rb").read()
        has_bom = data.startswith(BOM)
        tree = parser.parse(data[len(BOM):] if has_bom else data)
        errors, strings = [], []
        walk(tree.root_node, errors, strings)
        out.append({"path": path, "bom": has_bom, "errors": errors, "strings": strings})
    json.dump({"files": out}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
