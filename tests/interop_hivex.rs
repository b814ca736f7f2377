//! Strict syntax check of the generated `.reg` files with hivex's `hivexregedit --merge`,
//! which (unlike Wine and Windows' regedit) stops with a non-zero exit code on any
//! malformed line. Each file is converted to what hivexregedit reads (UTF-8, LF, no BOM),
//! its ancestor keys are declared first (hivexregedit does not create parents), and it is
//! merged into a copy of `tests/fixtures/minimal.hive` (see `tests/fixtures/README-hive.md`).
//! The hive is then exported and every value the plan writes is compared with what is there.
//! A negative control proves a malformed line does fail the merge.
//!
//! Needs `hivexregedit` (Debian: `libhivex-bin libwin-hivex-perl`). Without it the test
//! prints a loud SKIPPED line and passes, unless `POLICYC_REQUIRE_INTEROP=1` (as in `.ci/run`).

use policyc::plan::Action;
use policyc::reg::text::{self, Block};
use policyc::reg::{Hive, RegData};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

const EXAMPLES: [&str; 2] = [
    "examples/nhs-credential-management.yaml",
    "examples/nhs-credential-management-int.yaml",
];

const HEADER: &str = "Windows Registry Editor Version 5.00";

/// The value seeded into every key the plan resets; the merge must remove it.
const STALE_NAME: &str = "9";

/// The hive root a merge works under: hivex holds one hive file per root, so HKLM keys
/// are merged into a stand-in for the SOFTWARE hive and HKCU keys into a user hive.
fn prefix(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => r"HKEY_LOCAL_MACHINE\SOFTWARE",
        Hive::Hkcu => r"HKEY_CURRENT_USER",
    }
}

/// UTF-8 text with LF line ends and no BOM, as hivexregedit reads it.
fn to_unix_text(bytes: &[u8]) -> String {
    text::decode(bytes)
        .expect("decodable .reg")
        .replace('\r', "")
}

/// The paths of the `[KEY]` and `[-KEY]` lines of a `.reg` text, in order.
fn key_lines(reg: &str) -> Vec<String> {
    reg.lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
        .map(|p| p.strip_prefix('-').unwrap_or(p).to_string())
        .collect()
}

/// The hive of a `.reg` file, from the root of its key lines (all must agree).
fn hive_of(name: &str, reg: &str) -> Hive {
    let mut hives = key_lines(reg)
        .iter()
        .map(|p| {
            let root = p.split('\\').next().unwrap_or_default();
            Hive::parse(root).unwrap_or_else(|| panic!("{name}: unknown root in [{p}]"))
        })
        .collect::<Vec<_>>();
    hives.dedup();
    assert_eq!(hives.len(), 1, "{name}: expected keys of exactly one hive");
    hives[0]
}

/// `[KEY]` lines for every strict ancestor of the given keys below `prefix`, parents
/// first, each once (case-insensitively).
fn ancestor_lines(prefix: &str, keys: &[String]) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut out = String::new();
    for key in keys {
        let below = key
            .get(prefix.len()..)
            .filter(|_| key[..prefix.len()].eq_ignore_ascii_case(prefix))
            .and_then(|rest| rest.strip_prefix('\\'))
            .unwrap_or_else(|| panic!("[{key}] is not below {prefix}; hivex cannot merge it"));
        let parts: Vec<&str> = below.split('\\').collect();
        for depth in 1..parts.len() {
            let ancestor = format!("{prefix}\\{}", parts[..depth].join("\\"));
            if !seen.iter().any(|s| s.eq_ignore_ascii_case(&ancestor)) {
                out.push_str(&format!("[{ancestor}]\n\n"));
                seen.push(ancestor);
            }
        }
    }
    out
}

/// The `.reg` text with its ancestors declared right after the header.
fn with_ancestors(prefix: &str, reg: &str) -> String {
    let (header, body) = reg.split_once('\n').expect("header line");
    assert_eq!(header, HEADER, "unexpected .reg header");
    let ancestors = ancestor_lines(prefix, &key_lines(reg));
    format!("{header}\n\n{ancestors}{body}")
}

fn hivexregedit(args: &[&str]) -> Output {
    Command::new("hivexregedit")
        .args(args)
        .env("PERL_UNICODE", "SDA")
        .output()
        .expect("running hivexregedit")
}

fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "$ hivexregedit {}\nexit: {}\n{}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A writable copy of the seed hive (written afresh, so the fixture's mode is not copied).
fn fresh_hive(dir: &Path, name: &str) -> PathBuf {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal.hive");
    let bytes = fs::read(&seed).unwrap_or_else(|e| panic!("reading {}: {e}", seed.display()));
    let hive = dir.join(name);
    fs::write(&hive, bytes).expect("write hive copy");
    hive
}

fn merge(prefix: &str, hive: &Path, reg: &Path) -> Result<(), String> {
    let args = [
        "--merge",
        "--prefix",
        prefix,
        hive.to_str().expect("utf-8 temp path"),
        reg.to_str().expect("utf-8 temp path"),
    ];
    let out = hivexregedit(&args);
    if out.status.success() {
        Ok(())
    } else {
        Err(describe(&args, &out))
    }
}

/// Every key of the hive (full path, lowercased) with its values.
fn export(prefix: &str, hive: &Path) -> BTreeMap<String, BTreeMap<String, RegData>> {
    let args = [
        "--export",
        "--prefix",
        prefix,
        hive.to_str().expect("utf-8 temp path"),
        "\\",
    ];
    let out = hivexregedit(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
    let text = String::from_utf8(out.stdout).expect("UTF-8 export");
    let file = text::read(&text).unwrap_or_else(|e| panic!("parsing the export: {e}\n{text}"));
    let mut keys = BTreeMap::new();
    for block in file.blocks {
        if let Block::Key { path, values, .. } = block {
            let map: &mut BTreeMap<String, RegData> = keys.entry(path.to_lowercase()).or_default();
            for v in values {
                let data = v.data.expect("an export holds no deletions");
                map.insert(v.name.unwrap_or_default(), data);
            }
        }
    }
    keys
}

/// Merges one example's `.reg` files and compares the hive with the plan.
fn check_example(example: &str, dir: &Path) -> Vec<String> {
    let (plan, regs) = common::compile_reg(example);
    let mut problems = Vec::new();
    for (name, bytes) in &regs {
        let reg = to_unix_text(bytes);
        let hive = hive_of(name, &reg);
        let prefix = prefix(hive);
        let ops: Vec<_> = plan.ops.iter().filter(|o| o.hive == hive).collect();
        let long = |key: &str| format!("{}\\{key}", hive.long_name());
        let stem = format!("{}-{name}", example.replace(['/', '.'], "_"));
        let hive_file = fresh_hive(dir, &format!("{stem}.hive"));

        // Seed a stale entry in every key the plan resets.
        let reset: Vec<String> = ops
            .iter()
            .filter(|o| o.action == Action::ResetKey)
            .map(|o| long(&o.key))
            .collect();
        assert!(
            !ops.iter().any(|o| matches!(&o.action, Action::Set { name, .. } if name == STALE_NAME)
                && reset.iter().any(|k| k.eq_ignore_ascii_case(&long(&o.key)))),
            "{example}: the plan itself writes {STALE_NAME:?} in a key it resets; pick another stale name"
        );
        if !reset.is_empty() {
            let mut seed = format!("{HEADER}\n\n{}", ancestor_lines(prefix, &reset));
            for key in &reset {
                seed.push_str(&format!("[{key}]\n\"{STALE_NAME}\"=\"stale\"\n\n"));
            }
            let seed_file = dir.join(format!("{stem}.seed.reg"));
            fs::write(&seed_file, seed).expect("write seed");
            merge(prefix, &hive_file, &seed_file).unwrap_or_else(|e| panic!("seeding: {e}"));
        }

        let merged = dir.join(format!("{stem}.utf8.reg"));
        fs::write(&merged, with_ancestors(prefix, &reg)).expect("write .reg");
        if let Err(e) = merge(prefix, &hive_file, &merged) {
            problems.push(format!("{example}: {name} was rejected:\n{e}"));
            continue;
        }

        let keys = export(prefix, &hive_file);
        // Lowercased full key path -> (key as the plan spells it, reset?, values set).
        type Want<'a> = (String, bool, BTreeMap<&'a str, &'a RegData>);
        let mut deleted: Vec<(String, String, &str)> = Vec::new();
        let mut expected: BTreeMap<String, Want> = BTreeMap::new();
        for op in &ops {
            let key = long(&op.key);
            let e = expected
                .entry(key.to_lowercase())
                .or_insert_with(|| (key.clone(), false, BTreeMap::new()));
            match &op.action {
                Action::ResetKey => e.1 = true,
                Action::Set { name, data } => {
                    e.2.insert(name, data);
                }
                Action::Delete { name } => deleted.push((key.to_lowercase(), key.clone(), name)),
            }
        }
        for (lower, key, value) in &deleted {
            if let Some(v) = keys.get(lower).and_then(|k| k.get(*value)) {
                problems.push(format!(
                    "{example}: {name}: [{key}] {value:?} holds {v}, the plan deletes it"
                ));
            }
        }
        for (lower, (key, was_reset, values)) in &expected {
            let Some(got) = keys.get(lower) else {
                problems.push(format!(
                    "{example}: {name}: key [{key}] missing after merge"
                ));
                continue;
            };
            for (value, want) in values {
                match got.get(*value) {
                    Some(have) if have == *want => {}
                    Some(have) => problems.push(format!(
                        "{example}: {name}: [{key}] {value:?}: hive holds {} {have}, plan wrote {} {want}",
                        have.reg_type().name(),
                        want.reg_type().name()
                    )),
                    None => problems.push(format!(
                        "{example}: {name}: [{key}] {value:?} missing (plan wrote {} {want})",
                        want.reg_type().name()
                    )),
                }
            }
            if *was_reset {
                for (value, have) in got {
                    if !values.contains_key(value.as_str()) {
                        problems.push(format!(
                            "{example}: {name}: [{key}] was reset but holds {value:?} = {have}"
                        ));
                    }
                }
            }
        }
    }
    problems
}

#[test]
fn examples_merge_strictly_with_hivexregedit() {
    if !common::require("hivexregedit", "libhivex-bin libwin-hivex-perl") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut problems = Vec::new();
    for example in EXAMPLES {
        problems.extend(check_example(example, dir.path()));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) with hivexregedit:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// The check can fail: one malformed line in an otherwise good file stops the merge.
#[test]
fn hivexregedit_rejects_malformed_lines() {
    if !common::require("hivexregedit", "libhivex-bin libwin-hivex-perl") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, regs) = common::compile_reg(EXAMPLES[0]);
    let (name, bytes) = &regs[0];
    let reg = to_unix_text(bytes);
    let hive = hive_of(name, &reg);
    let prefix = prefix(hive);
    let good = with_ancestors(prefix, &reg);
    let last_key = key_lines(&reg).pop().expect("a key");

    // Control: the untouched file merges.
    let good_file = dir.path().join("good.reg");
    fs::write(&good_file, &good).expect("write");
    let hive_file = fresh_hive(dir.path(), "good.hive");
    merge(prefix, &hive_file, &good_file).unwrap_or_else(|e| panic!("control failed: {e}"));

    for (i, bad_line) in [
        "\"x\"=dword:xyz",
        "\"x\"=\"unterminated",
        &format!("[{last_key}\\unclosed"),
    ]
    .iter()
    .enumerate()
    {
        let bad_file = dir.path().join(format!("bad-{i}.reg"));
        fs::write(&bad_file, format!("{good}[{last_key}]\n{bad_line}\n")).expect("write");
        let hive_file = fresh_hive(dir.path(), &format!("bad-{i}.hive"));
        match merge(prefix, &hive_file, &bad_file) {
            Ok(()) => panic!("hivexregedit accepted the malformed line {bad_line:?}"),
            Err(msg) => assert!(
                msg.contains("parse error") && msg.contains(*bad_line),
                "unexpected failure for {bad_line:?}: {msg}"
            ),
        }
    }
}
