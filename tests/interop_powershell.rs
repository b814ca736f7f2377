//! Interop check of the PowerShell scripts against a real third-party PowerShell parser:
//! the tree-sitter PowerShell grammar (Airbus CERT), run by `tests/ps_check.py`. `pwsh`
//! itself cannot be installed from the registries here (shared research, validators.md
//! section 2), so this is a grammar check: it catches syntax errors (ERROR/MISSING nodes)
//! and shows how each literal is tokenised; it knows nothing of cmdlets.
//!
//! The grammar treats only `'` as a single quote, while PowerShell also ends verbatim
//! strings at U+2018/U+2019/U+201A/U+201B (PowerShell/PowerShell `CharTraits.cs`
//! `IsSingleQuote`). So every literal is also re-scanned here with PowerShell's own
//! rule ([`ps_verbatim_len`]), and must end exactly where tree-sitter says it ends.
//!
//! Python: `$POLICYC_PYTHON`, else `.venv-validators/bin/python` in the checkout (what
//! `.ci/run` creates), else `python3`; it needs `pip install 'tree-sitter==0.26.1'
//! 'tree-sitter-powershell==0.26.4'`. Without it the tests print SKIPPED and pass, unless
//! `POLICYC_REQUIRE_INTEROP=1`.

use policyc::catalog::Catalog;
use policyc::plan::{Action, Plan};
use policyc::powershell::emit::{self as powershell, ps_literal, ps_literal_parts, Script};
use policyc::powershell::PsValue;
use policyc::reg::RegData;
use serde_json::Value as Json;
use std::path::Path;

mod common;

/// The two examples, then two specs of vendor template policies (their DeleteValue steps
/// and Disabled policies); those read the central store beside the repository.
const EXAMPLES: [&str; 4] = [
    "examples/nhs-credential-management.yaml",
    "examples/nhs-credential-management-int.yaml",
    "tests/fixtures/vendor-spec/every-kind.yaml",
    "tests/fixtures/vendor-spec/disabled.yaml",
];

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ps_check.py");

/// True when the grammar can be imported; otherwise a loud skip, or a panic when required.
fn require_grammar() -> bool {
    common::require_python(
        "tree_sitter, tree_sitter_powershell",
        "'tree-sitter==0.26.1' 'tree-sitter-powershell==0.26.4'",
    )
}

#[derive(Debug)]
struct Parsed {
    errors: Vec<Json>,
    /// (1-based row, 1-based column in characters, raw source text) of every string literal.
    strings: Vec<(usize, usize, String, String)>,
}

/// Writes each (name, bytes) to a temporary folder and parses them all in one run.
fn parse(files: &[(String, Vec<u8>)]) -> Vec<Parsed> {
    let stdout = common::run_python_checker(CHECKER, files);
    let doc: Json = serde_json::from_slice(&stdout).expect("checker JSON");
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Parsed {
            errors: f["errors"].as_array().unwrap().clone(),
            strings: f["strings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["row"].as_u64().unwrap() as usize,
                        s["column"].as_u64().unwrap() as usize,
                        s["kind"].as_str().unwrap().to_string(),
                        s["raw"].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
        })
        .collect()
}

fn scripts(plan: &Plan) -> Vec<(String, Vec<u8>)> {
    policyc::bundle_files(plan)
        .unwrap()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".ps1"))
        .collect()
}

/// A script's text. The scripts have no BOM and hold only ASCII (Intune's "Enforce script
/// signature check" requires UTF-8 without BOM; Windows PowerShell 5.1 reads BOM-less
/// scripts as ANSI, which agrees with UTF-8 on ASCII).
fn text_of(bytes: &[u8]) -> String {
    assert!(
        !bytes.starts_with(b"\xEF\xBB\xBF"),
        "PowerShell scripts start without a BOM"
    );
    if let Some(i) = bytes.iter().position(|b| !b.is_ascii()) {
        panic!("a non-ASCII byte 0x{:02X} at offset {i}", bytes[i]);
    }
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// PowerShell's verbatim-literal rule, from the library's data-section reader
/// (`policyc::powershell`), which the property tests use too.
fn ps_verbatim_len(raw: &[char]) -> Option<usize> {
    policyc::powershell::verbatim_len(raw)
}

/// The value PowerShell gives a verbatim literal (the whole of `raw`).
fn ps_verbatim_value(raw: &str) -> String {
    policyc::powershell::verbatim_value(raw)
        .unwrap_or_else(|| panic!("PowerShell would not read {raw:?} as one literal"))
}

/// Every verbatim literal tree-sitter found ends where PowerShell's own rule ends it.
fn assert_literals_agree_with_powershell(name: &str, p: &Parsed) {
    for (row, col, kind, raw) in &p.strings {
        if kind != "verbatim_string_characters" {
            continue;
        }
        let chars: Vec<char> = raw.chars().collect();
        assert_eq!(
            ps_verbatim_len(&chars),
            Some(chars.len()),
            "{name}:{row}:{col}: PowerShell ends the literal {raw} elsewhere than tree-sitter"
        );
    }
}

#[test]
fn every_script_parses_without_error_nodes() {
    if !require_grammar() {
        return;
    }
    for example in EXAMPLES {
        if !common::vendor_fixture_ready(example) {
            continue;
        }
        let plan = common::plan_of(example);
        let files = scripts(&plan);
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "powershell/apply.ps1",
                "powershell/detect.ps1",
                "powershell/diagnose.ps1",
                "powershell/remediate.ps1",
                "powershell/remove.ps1"
            ]
        );
        for (name, bytes) in &files {
            let text = text_of(bytes);
            assert!(
                !text.replace("\r\n", "").contains('\n')
                    && !text.replace("\r\n", "").contains('\r'),
                "{name}: every line ends with CRLF"
            );
            // Windows PowerShell 5.1 compatibility: no PowerShell 7-only operators.
            for pat in [" ?? ", " ??= ", "-Parallel", "?."] {
                assert!(!text.contains(pat), "{name} uses {pat}");
            }
        }
        let parsed = parse(&files);
        for ((name, _), p) in files.iter().zip(&parsed) {
            assert!(
                p.errors.is_empty(),
                "{example} {name}: syntax errors {:#?}",
                p.errors
            );
            assert!(p.strings.len() > 20, "{name}: the parser saw the literals");
            assert_literals_agree_with_powershell(name, p);
        }
        // The manifest names the four kinds.
        let files = policyc::bundle_files(&plan).unwrap();
        let manifest: Json =
            serde_json::from_slice(&files.iter().find(|(p, _)| p == "manifest.json").unwrap().1)
                .unwrap();
        let kinds: Vec<(&str, &str)> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(".ps1"))
            .map(|f| (f["path"].as_str().unwrap(), f["kind"].as_str().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("powershell/apply.ps1", "ps1-apply"),
                ("powershell/detect.ps1", "ps1-detect"),
                ("powershell/diagnose.ps1", "ps1-diagnose"),
                ("powershell/remediate.ps1", "ps1-remediate"),
                ("powershell/remove.ps1", "ps1-remove")
            ]
        );
    }
}

/// The same checks fail on broken scripts: a missing brace, an unclosed `@(`, and a
/// data section whose quotes were not doubled (what a missing escape would produce).
#[test]
fn a_broken_script_is_caught() {
    if !require_grammar() {
        return;
    }
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nhs-credential-management.yaml"),
    )
    .unwrap()
    .replace(
        "publisher: Example NHS Trust",
        "publisher: \"St John's NHS Trust\"",
    );
    let plan = common::plan_from("quote.yaml", spec.as_bytes());
    let apply = text_of(&scripts(&plan)[0].1);
    assert!(apply.contains("Publisher = 'St John''s NHS Trust'"));

    let missing_brace = apply.replacen("\r\n}\r\n", "\r\n", 1);
    let unclosed = apply.replacen("\r\n)\r\n", "\r\n", 1);
    let unescaped = apply.replace("'St John''s NHS Trust'", "'St John's NHS Trust'");
    let bytes = |t: &str| t.as_bytes().to_vec();
    let cases = [
        ("good.ps1".to_string(), bytes(&apply)),
        ("missing-brace.ps1".to_string(), bytes(&missing_brace)),
        ("unclosed-array.ps1".to_string(), bytes(&unclosed)),
        ("unescaped-quote.ps1".to_string(), bytes(&unescaped)),
    ];
    let parsed = parse(&cases);
    assert!(parsed[0].errors.is_empty(), "{:#?}", parsed[0].errors);
    for (i, (name, _)) in cases.iter().enumerate().skip(1) {
        assert!(
            !parsed[i].errors.is_empty(),
            "{name}: the parser did not notice the break"
        );
    }

    // An undoubled typographic quote: tree-sitter does not see it as a quote (a gap in the
    // grammar), but PowerShell does; the PowerShell-rule re-scan catches it.
    let smart = "$x = 'St John\u{2019}s'\r\n";
    let p = parse(&[("smart.ps1".into(), smart.as_bytes().to_vec())]);
    assert!(p[0].errors.is_empty(), "tree-sitter accepts it: {:?}", p[0]);
    let raw = &p[0].strings[0].3;
    assert_eq!(raw, "'St John\u{2019}s'");
    assert_eq!(
        ps_verbatim_len(&raw.chars().collect::<Vec<_>>()),
        Some(9),
        "PowerShell ends the string at the U+2019"
    );
    let r = std::panic::catch_unwind(|| {
        assert_literals_agree_with_powershell("smart.ps1", &p[0]);
    });
    assert!(
        r.is_err(),
        "the PowerShell-rule re-scan flags the undoubled U+2019"
    );
}

const NASTY: [&str; 4] = [
    "'; Remove-Item C:\\ -Recurse; '",
    "$(calc) `whoami` \"${env:TEMP}\" @(1) #> <#",
    "\u{2018}; Start-Process calc; \u{2019} \u{201A}x\u{201B} '' ' $null",
    "O'Brien $(calc) \u{2019}`n\u{2018}",
];

/// Injection strings through the spec end up as single verbatim literals whose value
/// (by PowerShell's rules) is exactly the spec text.
#[test]
fn injection_strings_are_inert_literals() {
    if !require_grammar() {
        return;
    }
    let yaml_str = |s: &str| serde_json::to_string(s).unwrap(); // JSON strings are YAML
    let issuer = format!("CN={}, OU=CA, O=nhs", NASTY[3]);
    let spec = format!(
        "policyc: 1\nbundle:\n  name: injection-test\n  display_name: {}\n  version: 1.0.0\n  publisher: {}\n  description: {}\nclients:\n  smartcard-connect: \"3.13\"\nsettings:\n  - id: smartcard-connect-trusted-certificate-issuers\n    value:\n      - {}\n",
        yaml_str(NASTY[0]),
        yaml_str(NASTY[1]),
        yaml_str(NASTY[2]),
        yaml_str(&issuer),
    );
    let plan = common::plan_from("injection.yaml", spec.as_bytes());
    assert_eq!(plan.bundle.display_name, NASTY[0]);
    let files = scripts(&plan);
    let parsed = parse(&files);
    let expected = [
        ("DisplayName = ", NASTY[0].to_string()),
        ("Publisher = ", NASTY[1].to_string()),
        ("Description = ", NASTY[2].to_string()),
        ("Data = ", issuer.clone()),
    ];
    for ((name, bytes), p) in files.iter().zip(&parsed) {
        assert!(p.errors.is_empty(), "{name}: {:#?}", p.errors);
        assert_literals_agree_with_powershell(name, p);
        let text = text_of(bytes);
        let lines: Vec<&str> = text.split("\r\n").collect();
        for (prefix, value) in &expected {
            let expr = ps_literal(value);
            let rows: Vec<usize> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.contains(&format!("{prefix}{expr}")))
                .map(|(i, _)| i + 1)
                .collect();
            assert!(!rows.is_empty(), "{name}: no `{prefix}{expr}`");
            for row in rows {
                // Each verbatim piece of the expression is one literal node on that row,
                // whose value by PowerShell's rules is the piece's text.
                let mut col_from = 1;
                for piece in ps_literal_parts(value) {
                    if !piece.starts_with('\'') {
                        continue;
                    }
                    let hit = p
                        .strings
                        .iter()
                        .find(|s| s.0 == row && s.1 >= col_from && s.3 == piece)
                        .unwrap_or_else(|| panic!("{name}:{row}: {piece} is not a literal node"));
                    assert_eq!(hit.2, "verbatim_string_characters", "{name}: {piece}");
                    ps_verbatim_value(&piece);
                    col_from = hit.1 + piece.len();
                }
                // The library reader gives the whole value back from the entry.
                let line = lines[row - 1];
                let at = line.find(prefix).unwrap();
                let key = prefix.trim_end_matches([' ', '=']);
                let fields = if line.trim_start().starts_with("@{") {
                    policyc::powershell::read_fields(line).unwrap()
                } else {
                    let field = format!("@{{ {} }}", &line[at..]);
                    policyc::powershell::read_fields(&field).unwrap()
                };
                let got = fields.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                assert_eq!(got, Some(&PsValue::Str(value.clone())), "{name}:{row}");
            }
        }
    }
}

/// Newlines cannot reach a script through a spec (validation rejects control characters);
/// written into a plan directly, they become `[char]` codes between literals, and the
/// script still parses with each piece an exact literal.
#[test]
fn control_characters_never_reach_a_literal() {
    if !require_grammar() {
        return;
    }
    let spec = "policyc: 1\nbundle:\n  name: nl\n  display_name: \"a\\nb\"\n  version: 1.0.0\n  publisher: p\nsettings:\n  - id: auth-server-allowlist\n    value: [http://localhost]\n    acknowledge: [auth-allowlist-loopback-only]\n";
    let out = policyc::compile("nl.yaml", spec.as_bytes(), Catalog::builtin().unwrap());
    assert!(out.plan.is_none());
    assert!(out
        .diagnostics
        .iter()
        .any(|d| d.code == "control-character"));

    let mut plan = common::plan_of("examples/nhs-credential-management.yaml");
    plan.bundle.description = Some("line1\n'; Remove-Item C:\\ -Recurse; '\r\nline3".into());
    let op = plan
        .ops
        .iter_mut()
        .find(|o| matches!(o.action, Action::Set { .. }))
        .unwrap();
    if let Action::Set { data, .. } = &mut op.action {
        *data = RegData::Sz("x\ny".into());
    }
    let text = powershell::render(&plan, Script::Apply).unwrap();
    assert!(text.contains(
        "Description = ('' + 'line1' + [char]0x000A + '''; Remove-Item C:\\ -Recurse; ''' + [char]0x000D + [char]0x000A + 'line3')"
    ));
    assert!(text.contains("Data = ('' + 'x' + [char]0x000A + 'y')"));
    let bytes = policyc::emit::encoding::encode(
        &text,
        policyc::emit::encoding::for_kind(Script::Apply.kind()),
    );
    let p = &parse(&[("apply.ps1".into(), bytes)])[0];
    assert!(p.errors.is_empty(), "{:#?}", p.errors);
    assert!(p
        .strings
        .iter()
        .any(|s| ps_verbatim_value(&s.3) == "'; Remove-Item C:\\ -Recurse; '"));
}

// ---- the data section, read back -------------------------------------------------------

/// The values the scripts write equal the plan, operation by operation, as read by the
/// library's data-section reader (`policyc::powershell::read`, the one the property tests
/// run on generated specs); and that reader agrees with the real parser on every literal.
#[test]
fn apply_data_section_equals_the_plan() {
    let with_grammar = require_grammar();
    for example in EXAMPLES {
        if !common::vendor_fixture_ready(example) {
            continue;
        }
        let plan = common::plan_of(example);
        let files = scripts(&plan);
        let want: Vec<policyc::powershell::Entry> = plan
            .ops
            .iter()
            .map(policyc::powershell::Entry::of)
            .collect();
        let (mine, _) = powershell::remediation_split(&plan);
        let want_remediation: Vec<policyc::powershell::Entry> =
            mine.iter().map(policyc::powershell::Entry::of).collect();
        for (name, bytes) in &files {
            let d =
                policyc::powershell::read_bytes(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            // detect.ps1 and remediate.ps1 carry only what no other route delivers.
            let want = if name.ends_with("detect.ps1") || name.ends_with("remediate.ps1") {
                &want_remediation
            } else {
                &want
            };
            assert_eq!(&d.plan, want, "{example} {name}");
        }
        // Tie this reader to the real parser: every literal it read is a string node
        // tree-sitter found on the same line with the same text.
        if with_grammar {
            let p = &parse(&[("apply.ps1".into(), files[0].1.clone())])[0];
            assert_reader_strings_seen_by_grammar(example, &text_of(&files[0].1), p);
        }
    }
}

/// Ties the library's data-section reader to the real parser: the plan is not empty, and
/// every string the reader read is a literal node tree-sitter saw on the same line with
/// the same text.
fn assert_reader_strings_seen_by_grammar(name: &str, script: &str, p: &Parsed) {
    let lines = policyc::powershell::plan_lines(script).unwrap();
    assert!(!lines.is_empty(), "{name}: an empty plan");
    for (row, line) in lines {
        for (_, v) in policyc::powershell::read_fields(line).unwrap() {
            if let PsValue::Str(value) = v {
                for lit in ps_literal_parts(&value) {
                    if !lit.starts_with('\'') {
                        continue;
                    }
                    assert!(
                        p.strings
                            .iter()
                            .any(|(r, _, _, raw)| *r == row && *raw == lit),
                        "{name}: tree-sitter did not see {lit} on line {row}"
                    );
                }
            }
        }
    }
}

/// Generated specs, as the property tests make them (`tests/common/specs.rs`: every
/// setting, both scopes, quotes of every kind, `$()` and backticks in the bundle and issuer
/// text), through the real parser: every script parses without error nodes, every literal
/// ends where PowerShell ends it, and every string the library's data-section reader read
/// is a literal node tree-sitter saw on the same line.
#[test]
fn generated_specs_parse_and_their_data_sections_read_back() {
    if !require_grammar() {
        return;
    }
    let mut files = Vec::new();
    for (gen, plan) in common::specs::sample_plans(8) {
        files.extend(
            scripts(&plan)
                .into_iter()
                .map(|(n, b)| (format!("{gen}/{n}"), b)),
        );
    }
    let parsed = parse(&files);
    for ((name, bytes), p) in files.iter().zip(&parsed) {
        assert!(p.errors.is_empty(), "{name}: syntax errors {:#?}", p.errors);
        assert_literals_agree_with_powershell(name, p);
        assert_reader_strings_seen_by_grammar(name, &text_of(bytes), p);
    }
}

#[test]
fn data_section_snapshot() {
    let plan = common::plan_of("examples/nhs-credential-management.yaml");
    insta::assert_snapshot!(powershell::data_section(&plan));
}

#[test]
fn scripts_are_deterministic() {
    let plan = common::plan_of("examples/nhs-credential-management.yaml");
    assert_eq!(scripts(&plan), scripts(&plan));
    for (name, bytes) in scripts(&plan) {
        let text = text_of(&bytes);
        assert!(
            !text.contains("{{") && !text.contains("{%"),
            "{name}: template residue"
        );
    }
}

/// The byte checks every script goes through refuse a BOM and a non-ASCII byte.
#[test]
fn a_bom_or_non_ascii_byte_is_refused() {
    let plan = common::plan_of("examples/nhs-credential-management.yaml");
    let apply = scripts(&plan).swap_remove(0).1;
    assert!(std::panic::catch_unwind(|| text_of(&apply)).is_ok());
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), &apply].concat();
    assert!(std::panic::catch_unwind(|| text_of(&with_bom)).is_err());
    let with_e_acute = [&apply[..], "# caf\u{e9}\r\n".as_bytes()].concat();
    assert!(std::panic::catch_unwind(|| text_of(&with_e_acute)).is_err());
}

/// Non-ASCII spec text (Welsh, typographic quotes, an emoji) reaches the scripts as
/// `[char]` codes and reads back exactly.
#[test]
fn non_ascii_spec_text_reads_back_from_ascii_scripts() {
    let spec = "policyc: 1\nbundle:\n  name: cymraeg\n  display_name: \"Ysbyty Gwynedd \u{175} \u{2019}n \u{1F600}\"\n  version: 1.0.0\n  publisher: \"Caf\u{e9} NHS\"\nproducts: [chrome]\nsettings:\n  - id: auth-server-allowlist\n    value: [http://localhost]\n    acknowledge: [auth-allowlist-loopback-only]\n";
    let plan = common::plan_from("cy.yaml", spec.as_bytes());
    for (name, bytes) in scripts(&plan) {
        text_of(&bytes);
        let d = policyc::powershell::read_bytes(&bytes).unwrap();
        assert_eq!(
            d.bundle[1],
            (
                "DisplayName".to_string(),
                PsValue::Str(plan.bundle.display_name.clone())
            ),
            "{name}"
        );
    }
    if require_grammar() {
        let files = scripts(&plan);
        for ((name, _), p) in files.iter().zip(&parse(&files)) {
            assert!(p.errors.is_empty(), "{name}: {:#?}", p.errors);
        }
    }
}

/// Which profiles each script reaches (item: cheap, stable detection). detect.ps1 checks
/// the loaded user hives and the Default profile only; apply.ps1 and remediate.ps1 load
/// every profile; a profile that fails to load is recorded as skipped, not as an error
/// (so detection does not turn it into permanent non-compliance). Read from the text and
/// checked by the grammar above; the scripts were not run (no PowerShell here).
#[test]
fn detection_loads_only_the_default_profile() {
    let plan = common::plan_of("examples/nhs-credential-management.yaml");
    let files = scripts(&plan);
    let text = |name: &str| {
        text_of(
            &files
                .iter()
                .find(|(p, _)| p == &format!("powershell/{name}"))
                .unwrap()
                .1,
        )
    };
    let calls = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains("= Invoke-PolicycPlan "))
            .map(|l| l.trim().to_string())
            .collect()
    };
    let detect = text("detect.ps1");
    assert_eq!(
        calls(&detect),
        ["$result = Invoke-PolicycPlan -Mode Test -Scope $Scope -Profiles LoadedAndDefault"]
    );
    assert!(detect.contains("foreach ($s in $result.Skipped) { Write-Output ('skipped: ' + $s) }"));
    // Skipped profiles are not in the non-compliance condition.
    assert!(detect.contains("if ($result.Drift.Count -gt 0 -or $result.Errors.Count -gt 0) {\r\n"));
    assert_eq!(
        calls(&text("remediate.ps1")),
        [
            "$applied = Invoke-PolicycPlan -Mode Apply -Scope $Scope -Profiles All",
            "$check = Invoke-PolicycPlan -Mode Test -Scope $Scope -Profiles All"
        ]
    );
    assert_eq!(
        calls(&text("apply.ps1")),
        ["$result = Invoke-PolicycPlan -Mode Apply -Scope $Scope -Profiles All"]
    );
    // The engine: -DefaultOnly lists no other profile, and a failed load is skipped.
    assert!(detect.contains("            if ($DefaultOnly) { break }\r\n"));
    assert!(detect.contains("-DefaultOnly:($Profiles -eq 'LoadedAndDefault')"));
    let mount = detect
        .find("$mount = Mount-PolicycHive -File $p.File")
        .unwrap();
    let after = &detect[mount..mount + 400];
    assert!(
        after.contains("$result.Skipped.Add(") && after.contains("continue"),
        "{after}"
    );
    assert!(!after[..after.find("continue").unwrap()].contains("Errors.Add"));
}

/// remove.ps1 (rollback) removes what the plan writes on every target: it runs the engine
/// in Remove mode over every profile, supports -WhatIf, and the engine deletes owned list
/// keys whole and other values by name. Read from the text (the grammar check above
/// parses it); not run.
#[test]
fn remove_script_removes_the_plan_everywhere() {
    let plan = common::plan_of("examples/nhs-credential-management.yaml");
    let files = scripts(&plan);
    let remove = text_of(
        &files
            .iter()
            .find(|(p, _)| p == "powershell/remove.ps1")
            .unwrap()
            .1,
    );
    // No prompt by default: PowerShell prompts when ConfirmImpact reaches $ConfirmPreference
    // (High by default), and an Intune platform script runs non-interactively.
    assert!(remove.contains("[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]"));
    assert!(remove
        .contains("$result = Invoke-PolicycPlan -Mode Remove -Scope $Scope -Profiles All\r\n"));
    assert!(remove.contains("$script:PolicycWhatIf = [bool]$WhatIfPreference"));
    assert!(remove.contains(
        "                    Remove-PolicycKey -Target $Target -Op $op -Result $Result\r\n"
    ));
    assert!(remove.contains("                } elseif ($op.Op -ne 'DeleteValue' -and $owned -notcontains $op.Key) {\r\n                    Remove-PolicycValue"));
    // A shared switch (ListBox_Support_ZoneMapKey) is kept, and the data section says
    // which: exactly the plan's shared operations.
    assert!(remove.contains("                } elseif ($op.Shared) {\r\n"));
    let marked: Vec<&str> = remove
        .lines()
        .filter(|l| l.contains("; Shared = $true }"))
        .collect();
    assert_eq!(marked.len(), 1, "{marked:?}");
    assert!(
        marked[0].contains("Name = 'ListBox_Support_ZoneMapKey'"),
        "{marked:?}"
    );
    // The same data section as apply.ps1: it removes exactly what apply writes.
    let d = policyc::powershell::read(&remove).unwrap();
    let want: Vec<policyc::powershell::Entry> = plan
        .ops
        .iter()
        .map(policyc::powershell::Entry::of)
        .collect();
    assert_eq!(d.plan, want);
}

/// One writer per value: the operations remediate.ps1 and detect.ps1 carry are exactly
/// the plan's operations that the Intune profiles (`intune/*.json`, decoded from their
/// OMA-URIs and payloads alone by `tests/common/intune.rs`) do not write; `-FullPlan`
/// adds the rest, which the scripts carry as `$PolicycPlanElsewhere`.
#[test]
fn remediation_carries_only_what_intune_does_not_deliver() {
    let catalog = Catalog::builtin().unwrap();
    // The examples: the profile decoder knows catalog routes only. The vendor specs' split
    // is checked in tests/vendor_spec.rs (intune_carries_vendor_policies_...).
    for example in &EXAMPLES[..2] {
        let plan = common::plan_of(example);
        let files = policyc::bundle_files(&plan).unwrap();
        let profiles: Vec<(String, Vec<u8>)> = files
            .iter()
            .filter(|(p, _)| p.starts_with("intune/"))
            .cloned()
            .collect();
        let by_intune: std::collections::BTreeSet<common::intune::Write> =
            common::intune::read_profiles(&profiles, catalog)
                .unwrap()
                .into_values()
                .flatten()
                .map(|(h, k, n, d)| (h, k.to_lowercase(), n, d))
                .collect();
        assert!(
            !by_intune.is_empty(),
            "{example}: the profile writes nothing"
        );
        let write = |e: &policyc::powershell::Entry| -> common::intune::Write {
            match &e.action {
                Action::ResetKey => (e.hive, e.key.to_lowercase(), None, None),
                Action::Delete { name } => (e.hive, e.key.to_lowercase(), Some(name.clone()), None),
                Action::Set { name, data } => (
                    e.hive,
                    e.key.to_lowercase(),
                    Some(name.clone()),
                    Some(data.clone()),
                ),
            }
        };
        for script in ["powershell/remediate.ps1", "powershell/detect.ps1"] {
            let text = text_of(&files.iter().find(|(p, _)| p == script).unwrap().1);
            let carried: Vec<common::intune::Write> = policyc::powershell::read(&text)
                .unwrap()
                .plan
                .iter()
                .map(write)
                .collect();
            let all: Vec<common::intune::Write> = plan
                .ops
                .iter()
                .map(|o| write(&policyc::powershell::Entry::of(o)))
                .collect();
            let not_by_intune: Vec<&common::intune::Write> =
                all.iter().filter(|w| !by_intune.contains(*w)).collect();
            assert_eq!(
                carried.iter().collect::<Vec<_>>(),
                not_by_intune,
                "{example} {script}"
            );
            assert!(
                carried.len() < all.len(),
                "{example}: nothing left to Intune"
            );
            assert!(text.contains(
                "if ($FullPlan) { $PolicycPlan = @($PolicycPlan) + @($PolicycPlanElsewhere) }"
            ));
            let elsewhere = text.matches("\r\n    @{ Op = ").count() - carried.len();
            assert_eq!(elsewhere, all.len() - carried.len(), "{example} {script}");
        }
    }
}
