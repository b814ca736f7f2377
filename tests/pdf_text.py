#!/usr/bin/env python3
"""Extracts the text of PDF files with pypdf (PyPI `pypdf`), for tests/docs_report.rs.

Usage: pdf_text.py FILE...

Prints one JSON document: {"files": [{"pages": N, "sizes": [[w, h], ...], "text": "..."}]}.
The text is NFKC-normalised (the fi ligature of the PDF font becomes "fi"). Exit 2 when
pypdf is not installed.
"""

import json
import sys
import unicodedata

try:
    import pypdf
except ImportError as e:
    print(f"pypdf not importable: {e}", file=sys.stderr)
    sys.exit(2)


def main(paths):
    out = []
    for path in paths:
        reader = pypdf.PdfReader(path)
        text = "\n".join(page.extract_text() for page in reader.pages)
        out.append(
            {
                "pages": len(reader.pages),
                "sizes": [[float(p.mediabox.width), float(p.mediabox.height)] for p in reader.pages],
                "text": unicodedata.normalize("NFKC", text),
            }
        )
    print(json.dumps({"files": out}))


if __name__ == "__main__":
    main(sys.argv[1:])
