//! Hostile input through `policyc build` (the real binary): each input gives a
//! clear diagnostic with a stable code and a position, or a bundle whose every
//! file carries the hostile strings exactly; none panics, none writes a partial
//! bundle, and a failed build leaves the previous bundle byte-for-byte intact.
//!
//! Fixtures that are text live in `tests/fixtures/hostile/` (each says what it
//! tries); binary variants (invalid UTF-8, UTF-16, BOM, CRLF, raw NUL) and the
//! big ones (50 MB, 100,000-character strings) are made here from the example.

use assert_cmd::Command;
use policyc::admx::reader;
use policyc::plan::Action;
use policyc::pol;
use policyc::powershell::PsValue;
use policyc::reg::text::{self, Block};
use policyc::reg::RegData;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod common;

const EXAMPLE: &str = "examples/nhs-credential-management.yaml";

fn example() -> String {
    fs::read_to_string(EXAMPLE).unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn build(spec: &Path, out: &Path) -> Run {
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .arg("build")
        .arg(spec)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let run = Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    // A panic exits 101 and prints "panicked"; neither is acceptable for any input.
    assert!(
        run.code != 101 && !run.stderr.contains("panicked"),
        "{}: policyc panicked:\n{}",
        spec.display(),
        run.stderr
    );
    run
}

/// Names in `dir` other than `keep`: a staged `.policyc-new-*` or `.policyc-old-*`
/// folder left behind would be a partial write.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

/// Asserts a failed build: exit 1, `error[code]` with `file:line:col`, the
/// "nothing was written" line, and no output folder or staging leftovers.
fn assert_rejected(spec: &Path, code: &str, line: Option<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let r = build(spec, &out);
    let name = spec.display().to_string();
    assert_eq!(r.code, 1, "{name}: exit code\n{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("error[{code}]")),
        "{name}: expected error[{code}], got:\n{}",
        r.stderr
    );
    if let Some(l) = line {
        assert!(
            r.stderr.contains(&format!("{name}:{l}:")),
            "{name}: expected a position on line {l}:\n{}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{name}: stdout {}", r.stdout);
    assert!(!out.exists(), "{name}: a failed build created {out:?}");
    assert!(leftovers(dir.path(), &[]).is_empty(), "{name}: leftovers");
    // The human output never carries a raw control character from the spec (no
    // faked diagnostic lines, no terminal escapes); only its own line breaks.
    assert!(
        !r.stderr.chars().any(|c| c.is_control() && c != '\n'),
        "{name}: raw control character in the diagnostics: {:?}",
        r.stderr
    );
}

fn fixture(name: &str) -> PathBuf {
    Path::new("tests/fixtures/hostile").join(name)
}

#[test]
fn text_fixtures_give_their_diagnostic() {
    // (fixture, code, line of the first diagnostic)
    let cases = [
        ("alias-bomb.yaml", "yaml-limit", Some(14)),
        ("deep-nesting.yaml", "yaml-limit", Some(7)),
        ("deep-nesting-block.yaml", "yaml-limit", Some(133)),
        ("tab-indent.yaml", "yaml-syntax", Some(6)),
        ("tab-in-string.yaml", "control-character", Some(3)),
        ("nul-escape.yaml", "control-character", Some(8)),
        ("newline-in-note.yaml", "control-character", Some(7)),
        ("zone-inject.yaml", "control-character", Some(8)),
        ("zone-backslash.yaml", "invalid-zone-site", Some(9)),
        ("zone-bracket.yaml", "invalid-zone-site", Some(8)),
        ("name-traversal.yaml", "invalid-name", Some(3)),
        ("id-inject.yaml", "unknown-setting", Some(6)),
        ("product-inject.yaml", "unknown-product", Some(4)),
        ("client-inject.yaml", "unknown-client", Some(6)),
        ("version-inject.yaml", "invalid-version", Some(3)),
        ("noncharacter.yaml", "control-character", Some(3)),
    ];
    for (f, code, line) in cases {
        assert_rejected(&fixture(f), code, line);
    }
}

/// Writes `bytes` as a spec file in `dir`.
fn spec_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn encodings_and_raw_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let ex = example();
    let utf16le: Vec<u8> = ex.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = ex.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let with = |from: &str, to: &[u8]| {
        let i = ex.find(from).unwrap();
        let mut b = ex.as_bytes()[..i].to_vec();
        b.extend_from_slice(to);
        b.extend_from_slice(&ex.as_bytes()[i + from.len()..]);
        b
    };
    // The publisher is on line 17 of the example.
    let line = ex[..ex.find("Example NHS Trust").unwrap()].lines().count();
    let cases: Vec<(&str, Vec<u8>, &str, Option<usize>)> = vec![
        (
            "invalid-utf8.yaml",
            with("Example NHS Trust", b"Example \xff\xfe\xc3 NHS Trust"),
            "invalid-encoding",
            Some(line),
        ),
        (
            "utf16le-bom.yaml",
            [&[0xFF, 0xFE][..], &utf16le].concat(),
            "invalid-encoding",
            None,
        ),
        (
            "utf16be-bom.yaml",
            [&[0xFE, 0xFF][..], &utf16be].concat(),
            "invalid-encoding",
            None,
        ),
        ("utf16le-no-bom.yaml", utf16le, "invalid-encoding", None),
        ("utf16be-no-bom.yaml", utf16be, "invalid-encoding", None),
        (
            "nul.yaml",
            with("Example NHS Trust", b"Example \0 NHS Trust"),
            "control-character",
            Some(line),
        ),
        (
            "escape-sequence.yaml",
            with("Example NHS Trust", b"Example \x1b[2J\x1b[31m NHS Trust"),
            "control-character",
            Some(line),
        ),
        (
            "del.yaml",
            with("Example NHS Trust", b"Example \x7f NHS Trust"),
            "control-character",
            Some(line),
        ),
        (
            "empty.yaml",
            Vec::new(),
            // An empty document has none of the required keys.
            "missing-key",
            None,
        ),
    ];
    for (name, bytes, code, line) in cases {
        let p = spec_file(dir.path(), name, &bytes);
        assert_rejected(&p, code, line);
    }
}

/// A BOM, CRLF line endings and a 50 MB spec (the bulk a never-emitted note)
/// build the same bundle, byte for byte, as the plain example.
#[test]
fn bom_crlf_and_a_50_mb_spec_build_the_same_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    let r = build(Path::new(EXAMPLE), &reference);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let want = common::read_tree(&reference);
    let ex = example();
    let big_note = format!(
        "  - id: oberthur-enable-nhs-enrollment\n    note: {}\n",
        "n".repeat(50 * 1024 * 1024)
    );
    let variants: Vec<(&str, Vec<u8>)> = vec![
        (
            "bom.yaml",
            [b"\xEF\xBB\xBF".as_slice(), ex.as_bytes()].concat(),
        ),
        ("crlf.yaml", ex.replace('\n', "\r\n").into_bytes()),
        (
            "bom-crlf.yaml",
            [
                b"\xEF\xBB\xBF".as_slice(),
                ex.replace('\n', "\r\n").as_bytes(),
            ]
            .concat(),
        ),
        (
            "fifty-mb.yaml",
            ex.replace("  - id: oberthur-enable-nhs-enrollment\n", &big_note)
                .into_bytes(),
        ),
    ];
    for (name, bytes) in variants {
        if name == "fifty-mb.yaml" {
            assert!(bytes.len() > 50 * 1024 * 1024);
        }
        let p = spec_file(dir.path(), name, &bytes);
        drop(bytes);
        let out = dir.path().join(format!("out-{name}"));
        let r = build(&p, &out);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(
            common::read_tree(&out) == want,
            "{name}: the bundle differs from the example's"
        );
        fs::remove_file(&p).unwrap();
    }
}

/// Every failing input leaves an existing bundle exactly as it was.
#[test]
fn a_failed_build_leaves_the_previous_bundle_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    assert_eq!(build(Path::new(EXAMPLE), &out).code, 0);
    let before = common::read_tree(&out);
    for f in [
        "alias-bomb.yaml",
        "deep-nesting.yaml",
        "zone-inject.yaml",
        "noncharacter.yaml",
    ] {
        let r = build(&fixture(f), &out);
        assert_eq!(r.code, 1, "{f}: {}", r.stderr);
        assert!(
            common::read_tree(&out) == before,
            "{f}: the previous bundle changed"
        );
        assert!(leftovers(dir.path(), &["bundle"]).is_empty(), "{f}");
    }
}

/// The bundle's files, read back with policyc's readers and as text.
struct Bundle(BTreeMap<String, Vec<u8>>);

impl Bundle {
    /// Every REG_SZ/REG_DWORD `(key, name, data)` in the bundle's `.reg` files.
    fn reg_values(&self) -> Vec<(String, String, RegData)> {
        let mut out = Vec::new();
        for (p, b) in &self.0 {
            // The rollback files under undo/ only delete.
            if !p.ends_with(".reg") || p.starts_with("undo/") {
                continue;
            }
            let f = text::read(&text::decode(b).unwrap()).unwrap();
            for block in f.blocks {
                if let Block::Key { path, values, .. } = block {
                    for v in values {
                        out.push((
                            path.clone(),
                            v.name.unwrap_or_default(),
                            v.data.expect("no deletions"),
                        ));
                    }
                }
            }
        }
        out
    }
    /// Every `(key, name, data)` of every Registry.pol (`pol/` and the GPO backup).
    fn pol_values(&self) -> Vec<(String, String, String, Option<RegData>)> {
        let mut out = Vec::new();
        for (p, b) in &self.0 {
            if p.to_ascii_lowercase().ends_with("registry.pol") {
                for e in pol::read(b).unwrap() {
                    out.push((p.clone(), e.key.clone(), e.value.clone(), e.reg_data()));
                }
            }
        }
        out
    }
    fn text(&self, path: &str) -> String {
        let b = &self.0[path];
        if b.starts_with(&[0xFF, 0xFE]) {
            text::decode(b).unwrap()
        } else {
            String::from_utf8(b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b).to_vec()).unwrap()
        }
    }
}

/// Quotes, backslashes, `]`, `$()`, backticks, XML markup, `%VAR%` and non-ASCII
/// text in every free-text field and in a list value: the build succeeds and each
/// format carries the strings exactly, as its own reader (or PowerShell's quoting
/// rules) gives them back.
#[test]
fn special_characters_are_escaped_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let spec = fixture("injection.yaml");
    let r = build(&spec, &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b = Bundle(common::read_tree(&out));
    let loaded = policyc::spec::load_bytes("x", &fs::read(&spec).unwrap()).unwrap();
    let display = loaded.raw.bundle.display_name.clone();
    let publisher = loaded.raw.bundle.publisher.clone();
    let issuers: Vec<String> = loaded.raw.settings[0]
        .value
        .as_ref()
        .unwrap()
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let joined = issuers.join(";");
    assert!(joined.contains("$(Invoke-Evil)") && joined.contains('`') && joined.contains("\\\\"));

    // .reg: the value reads back exactly, under the intended keys only.
    let reg = b.reg_values();
    let hits: Vec<&String> = reg
        .iter()
        .filter(|(_, n, _)| n == "TrustedCertificateIssuers")
        .map(|(k, _, d)| {
            assert_eq!(d, &RegData::Sz(joined.clone()), "{k}");
            k
        })
        .collect();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(
        reg.iter()
            .all(|(k, _, _)| !k.contains("Evil") && !k.contains("HKEY_CURRENT_USER")),
        "a spec string became a key: {reg:?}"
    );
    // The display name is a .reg comment line, kept on one line.
    assert!(b.text("machine.reg").contains(&format!("; {display}\r\n")));

    // Registry.pol (pol/ and the GPO backup): the same data.
    let pols = b.pol_values();
    let pol_hits = pols
        .iter()
        .filter(|(_, _, n, _)| n == "TrustedCertificateIssuers")
        .inspect(|(p, _, _, d)| assert_eq!(d, &Some(RegData::Sz(joined.clone())), "{p}"))
        .count();
    // Both keys (Group Policy and all-users) in pol/ and in the GPO backup.
    assert_eq!(pol_hits, 4, "{pols:?}");

    // ADMX/ADML: the value and the names come back through the XML reader.
    let admx_path = b.0.keys().find(|p| p.ends_with(".admx")).unwrap().clone();
    let admx = reader::read_admx(&reader::decode(&b.0[&admx_path]).unwrap()).unwrap();
    let admx_text = b.text(&admx_path);
    assert!(admx_text.contains("&lt;x&gt;") && !admx_text.contains("<x>"));
    assert!(
        admx.policies
            .iter()
            .any(|p| p.enabled_value == Some(reader::Value::String(joined.clone()))),
        "no ADMX policy enables the issuers value"
    );
    for (p, bytes) in &b.0 {
        if p.ends_with(".adml") {
            let adml = reader::read_adml(&reader::decode(bytes).unwrap()).unwrap();
            assert_eq!(adml.display_name, display, "{p}");
            assert!(adml.strings.iter().any(|(_, s)| s == &publisher), "{p}");
        }
    }

    // PowerShell: the script is ASCII only, and the strings come back exactly through the
    // data-section reader (verbatim literals, non-ASCII spliced as `[char]` codes).
    let ps = b.text("powershell/apply.ps1");
    assert!(ps.is_ascii());
    let d = policyc::powershell::read(&ps).unwrap();
    let field = |k: &str| d.bundle.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(field("DisplayName"), PsValue::Str(display.clone()));
    assert_eq!(field("Publisher"), PsValue::Str(publisher.clone()));
    let data: Vec<&RegData> = d
        .plan
        .iter()
        .filter_map(|e| match &e.action {
            Action::Set { name, data } if name == "TrustedCertificateIssuers" => Some(data),
            _ => None,
        })
        .collect();
    assert_eq!(
        data,
        [&RegData::Sz(joined.clone()), &RegData::Sz(joined.clone())]
    );
    assert!(
        !ps.contains(&format!("\"{display}")),
        "a double-quoted spec string"
    );

    // LGPO text, GPO backup XML and the Intune JSON parse and hold the strings.
    assert!(b
        .text("lgpo/machine.txt")
        .contains(&format!("; {display}\r\n")));
    for (p, bytes) in &b.0 {
        if p.ends_with(".json") {
            let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            assert!(v.is_object(), "{p}");
        }
        if p.ends_with(".xml") {
            let t = String::from_utf8(bytes.clone()).unwrap();
            let mut r = quick_xml::Reader::from_str(&t);
            loop {
                match r.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{p}: {e}"),
                }
            }
        }
    }
}

/// 100,000-character strings: a display name and a list value build (the list
/// value is carried as a pre-filled ADMX text box, with a note); an origin that
/// long is not an origin.
#[test]
fn very_long_strings() {
    let dir = tempfile::tempdir().unwrap();
    let ex = example();
    let long = "L".repeat(100_000);
    let p = spec_file(
        dir.path(),
        "long-display.yaml",
        ex.replace("NHS Credential Management (Live)", &long)
            .as_bytes(),
    );
    let out = dir.path().join("a");
    let r = build(&p, &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b = Bundle(common::read_tree(&out));
    assert!(b.text("machine.reg").contains(&format!("; {long}\r\n")));

    let issuer = format!("CN={}", "a".repeat(100_000));
    let p = spec_file(
        dir.path(),
        "long-issuer.yaml",
        ex.replace("CN=NHS Signing G2, OU=CA, O=nhs, C=GB", &issuer)
            .as_bytes(),
    );
    let out = dir.path().join("b");
    let r = build(&p, &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // `build` counts the delivery notes; `check --notes` lists them.
    assert!(r.stderr.contains("delivery notes"), "{}", r.stderr);
    let check = Command::cargo_bin("policyc")
        .unwrap()
        .arg("check")
        .arg("--notes")
        .arg(&p)
        .output()
        .unwrap();
    let check_err = String::from_utf8_lossy(&check.stderr);
    assert!(check_err.contains("note[admx-long-string]"), "{check_err}");
    let b = Bundle(common::read_tree(&out));
    assert!(b.reg_values().iter().any(|(_, _, d)| match d {
        RegData::Sz(s) => s.ends_with(&issuer),
        _ => false,
    }));

    let p = spec_file(
        dir.path(),
        "long-origin.yaml",
        ex.replace(
            "https://api.service.nhs.uk\n",
            &format!("https://{}.nhs.uk\n", "a".repeat(100_000)),
        )
        .as_bytes(),
    );
    assert_rejected(&p, "invalid-origin", None);
}

/// The built-in catalog plus a copy of `lna-allowed-origins` under another id, so
/// two settings write the same keys: the only way to reach a conflict, as the
/// built-in settings write disjoint values.
fn catalog_with_a_copy() -> policyc::catalog::Catalog {
    let read_dir = |d: &str| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = fs::read_dir(d)
            .unwrap()
            // Files only: products/intune/ holds the Settings Catalog snapshot.
            .filter(|e| e.as_ref().unwrap().path().is_file())
            .map(|e| {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, fs::read_to_string(&p).unwrap())
            })
            .filter(|(n, _)| n.ends_with(".yaml"))
            .collect();
        v.sort();
        v
    };
    let mut policies = read_dir("policies");
    let lna = policies
        .iter()
        .find(|(n, _)| n == "lna-allowed-origins.yaml")
        .unwrap()
        .1
        .replacen("id: lna-allowed-origins", "id: lna-allowed-origins-copy", 1);
    policies.push(("lna-allowed-origins-copy.yaml".into(), lna));
    let products = read_dir("products");
    let as_refs = |v: &[(String, String)]| -> Vec<(String, String)> { v.to_vec() };
    let (pol, prod) = (as_refs(&policies), as_refs(&products));
    let pol: Vec<(&str, &str)> = pol.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let prod: Vec<(&str, &str)> = prod.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    policyc::catalog::Catalog::from_files(&pol, &prod).unwrap()
}

/// Two settings writing different numbered lists of 5,000 entries to the same two
/// keys: the conflict is found, once per pair of settings, as the all-pairs
/// check found it (which compared ~10^8 op pairs here). Identical writes (the
/// two key resets) are one write, not a conflict.
#[test]
fn conflicting_settings_on_big_lists() {
    let catalog = catalog_with_a_copy();
    let items = |host: &str| -> String {
        (0..5000)
            .map(|i| format!("      - https://{host}{i}.nhs.uk\n"))
            .collect()
    };
    let spec = format!(
        "policyc: 1\nbundle: {{name: conflict, display_name: Conflict, version: '1', publisher: Test}}\n\
         products: [chrome]\nsettings:\n  - id: lna-allowed-origins\n    value:\n{}\
         \n  - id: lna-allowed-origins-copy\n    value:\n{}",
        items("a"),
        items("b")
    );
    let out = policyc::compile("c.yaml", spec.as_bytes(), &catalog);
    assert!(out.plan.is_none(), "{:#?}", out.diagnostics);
    let msgs: Vec<String> = out
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    let key = |k: &str| format!("HKEY_LOCAL_MACHINE\\Software\\Policies\\Google\\Chrome\\{k}");
    // One diagnostic for the pair, at the first clash (both keys clash).
    assert_eq!(
        msgs,
        [format!(
            "conflicting-settings: settings[0] (`lna-allowed-origins`) and settings[1] \
             (`lna-allowed-origins-copy`) both write value `1` of {}",
            key("LocalNetworkAccessAllowedForUrls")
        )]
    );
    // The diagnostics point into the spec.
    assert!(out.diagnostics.iter().all(|d| d.line.is_some()));
}
