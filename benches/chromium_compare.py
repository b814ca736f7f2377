#!/usr/bin/env python3
"""Inputs for benches/chromium_compare.sh: a translated policy_templates JSON
(the file Chromium's template_formatter.py reads with --translations) holding
`n` setting values, in one of two shapes.

  values    Mirrors benches/synthetic.rs value for value: ten policies, five
            single values (four booleans, one integer) and n - 5 values spread
            over five list-like settings exactly as synthetic.rs spreads them.
            The three policyc list settings become Chromium `list` policies (one
            example entry per value); the two comma/semicolon-joined ones become
            `string` policies whose example value is the joined text.
  policies  How Chromium's own input grows: n policies, alternately `string`
            (one value) and `list` (one entry), so n values in n policies.

Usage: chromium_compare.py values|policies N OUT.json
         writes OUT.json and prints how many registry values its .reg must hold
       chromium_compare.py reg-values FILE.reg   (counts "name"=value lines)

Only the JSON format is Chromium's (messages, policy_definitions,
policy_atomic_group_definitions, as policy_template_generator.py reads it);
nothing here is taken from their code.
"""

import json
import sys

# The messages the ADMX, ADML and .reg writers look up.
MESSAGES = {
    "doc_recommended": "Default Settings (users can override)",
    "win_supported_all": "Microsoft Windows 7 or later",
    "win_supported_win7": "Microsoft Windows 7",
    "deprecated_policy_group_caption": "Deprecated policies",
    "deprecated_policy_group_desc": "These policies are deprecated.",
    "deprecated_policy_desc": "This policy is deprecated.",
    "removed_policy_group_caption": "Removed policies",
    "removed_policy_group_desc": "These policies are removed.",
    "removed_policy_desc": "This policy is removed.",
    "doc_example_value": "Example value:",
    "doc_schema_description_link": "See $6 for the schema.",
    "doc_legacy_single_line_label": "$6 (single line)",
}


def policy(pid, name, ptype, example, caption):
    schema = {
        "string": {"type": "string"},
        "list": {"type": "array", "items": {"type": "string"}},
        "main": {"type": "boolean"},
        "int": {"type": "integer"},
    }[ptype]
    return {
        "id": pid,
        "name": name,
        "type": ptype,
        "schema": schema,
        "supported_on": ["chrome.win:80-"],
        "features": {"dynamic_refresh": True, "per_profile": False},
        "example_value": example,
        "caption": caption,
        "desc": caption + ". Generated for the policyc benchmark.",
    }


def reg_values_of(defs):
    """Registry values Chromium's .reg writer writes for these policies: one per
    single value, one per list entry."""
    return sum(len(p["example_value"]) if p["type"] == "list" else 1
               for p in defs)


def values_shape(n):
    """Ten policies holding n values, split as benches/synthetic.rs splits them."""
    if n < 10:
        raise SystemExit("values: n must be at least 10, as in synthetic.rs")
    lists = n - 5
    per = lists // 5
    counts = [per + lists % 5, per, per, per, per]
    out = [
        policy(1, "IntranetAutoDetect", "main", False, "Intranet auto-detect"),
        policy(2, "IntranetIncludeLocalSites", "main", True, "Include local sites"),
        policy(3, "IntranetIncludeProxyBypass", "main", True, "Include proxy bypass"),
        policy(4, "IntranetIncludeUncPaths", "main", True, "Include UNC paths"),
        policy(5, "OberthurEnableNhsEnrollment", "int", 0, "Oberthur enrollment"),
        policy(6, "LocalNetworkAccessAllowedForUrls", "list",
               ["https://app%d.example.nhs.uk" % i for i in range(counts[0])],
               "Local Network Access origins"),
        policy(7, "CookiesAllowedForUrls", "list",
               ["https://c%d.example.nhs.uk" % i for i in range(counts[1])],
               "Cookies allowed for URLs"),
        policy(8, "AuthServerAllowlist", "string",
               ",".join("a%d.example.nhs.uk" % i for i in range(counts[2])),
               "Authentication server allowlist"),
        policy(9, "TrustedCertificateIssuers", "string",
               ";".join("CN=Issuer %d, OU=CA, O=nhs" % i
                        for i in range(counts[3])),
               "Trusted certificate issuers"),
        policy(10, "IntranetZoneSites", "list",
               ["https://z%d.example.nhs.uk" % i for i in range(counts[4])],
               "Local intranet zone sites"),
    ]
    return out


def policies_shape(n):
    """n policies, alternately a string and a one-entry list."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(policy(i + 1, "StringPolicy%d" % i, "string",
                              "https://s%d.example.nhs.uk" % i,
                              "String policy %d" % i))
        else:
            out.append(policy(i + 1, "ListPolicy%d" % i, "list",
                              ["https://l%d.example.nhs.uk" % i],
                              "List policy %d" % i))
    return out


def reg_values(path):
    """Number of value lines ("name"=...) in a .reg file, UTF-16 or UTF-8."""
    data = open(path, "rb").read()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
    else:
        text = data.decode("utf-8-sig")
    return sum(1 for line in text.splitlines() if line.startswith('"'))


def main(argv):
    if len(argv) == 3 and argv[1] == "reg-values":
        print(reg_values(argv[2]))
        return 0
    if len(argv) != 4 or argv[1] not in ("values", "policies"):
        sys.stderr.write(__doc__)
        return 2
    n = int(argv[2])
    defs = values_shape(n) if argv[1] == "values" else policies_shape(n)
    data = {
        "messages": {k: {"text": v} for k, v in MESSAGES.items()},
        "policy_definitions": defs,
        "policy_atomic_group_definitions": [],
    }
    with open(argv[3], "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    print(reg_values_of(defs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
