//! Interop check against Wine's copy of Windows' registry import: every `.reg` file the
//! examples compile to is imported with `wine reg import` into a fresh prefix, read back
//! with `wine reg export`, and compared value by value (name, type, data) with the plan.
//! A stale numbered entry is seeded first into every key the plan resets, to prove
//! `[-KEY]` really clears old list entries.
//!
//!
//! The same prefix then imports each case of `tests/common/reg_cases.rs` (Wine's own
//! `programs/reg/tests/import.c` cases, which record Windows' outcome) and exports the
//! key back: policyc's reader must read each case file as Wine imported it, value for
//! value. A negative control compares one case with a one-line edit of it, which must
//! differ.
//!
//! Needs `wine` (Debian: `wine wine64`). Without it the test prints a loud SKIPPED line
//! and passes, unless `POLICYC_REQUIRE_INTEROP=1` (as in `.ci/run`), when it fails.

use policyc::plan::{Action, Plan};
use policyc::reg::text::{self, Block};
use policyc::reg::{Hive, RegData};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

mod common;

use common::wine::Wine;

/// The two examples, then two specs of vendor template policies (they read the central
/// store beside the repository; see [`common::vendor_fixture_ready`]).
const EXAMPLES: [&str; 4] = [
    "examples/nhs-credential-management.yaml",
    "examples/nhs-credential-management-int.yaml",
    "tests/fixtures/vendor-spec/every-kind.yaml",
    "tests/fixtures/vendor-spec/disabled.yaml",
];

/// The value seeded into every key the plan resets; the import must remove it.
const STALE_NAME: &str = "9";
const STALE_DATA: &str = "stale";

/// Where `wine` runs its programs: the paths this test passes are absolute.
const CWD: &str = "/";

/// `(hive, key)` as the plan names it, grouped case-insensitively, with the values the
/// plan sets there and whether the plan resets the key.
#[derive(Default)]
struct Expected {
    key: String,
    reset: bool,
    values: BTreeMap<String, RegData>,
    /// Values the plan deletes (`"NAME"=-`): absent after the import.
    deleted: Vec<String>,
}

fn expected(plan: &Plan) -> BTreeMap<(Hive, String), Expected> {
    let mut keys: BTreeMap<(Hive, String), Expected> = BTreeMap::new();
    // Per-user policy values are not in user.reg (src/reg/emit.rs `in_reg_file`).
    for op in plan
        .ops
        .iter()
        .filter(|o| policyc::reg::emit::in_reg_file(o))
    {
        let e = keys.entry((op.hive, op.key.to_lowercase())).or_default();
        e.key = op.key.clone();
        match &op.action {
            Action::ResetKey => e.reset = true,
            Action::Delete { name } => e.deleted.push(name.clone()),
            Action::Set { name, data } => {
                let previous = e.values.insert(name.clone(), data.clone());
                assert!(
                    previous.is_none() || previous.as_ref() == Some(data),
                    "plan sets {}\\{}\\{name} twice with different data",
                    op.hive.short_name(),
                    op.key
                );
            }
        }
    }
    keys
}

/// The values of `long_path` itself (not its subkeys) in a `wine reg export` file; an
/// error when the export holds no such block or cannot be read.
fn exported_values(export: &Path, long_path: &str) -> Result<BTreeMap<String, RegData>, String> {
    let bytes = fs::read(export).map_err(|e| format!("reading {}: {e}", export.display()))?;
    let text = text::decode(&bytes).map_err(|e| format!("decoding export: {e}"))?;
    let file = text::read(&text).map_err(|e| format!("parsing export: {e}\n{text}"))?;
    let wanted = long_path.to_lowercase();
    let mut found = None;
    for block in file.blocks {
        if let Block::Key { path, values, .. } = block {
            if path.to_lowercase() == wanted {
                let mut map = BTreeMap::new();
                for v in values {
                    let name = v.name.unwrap_or_default();
                    match v.data {
                        Some(d) => {
                            map.insert(name, d);
                        }
                        None => return Err(format!("export deletes value {name:?}?\n{text}")),
                    }
                }
                found = Some(map);
            }
        }
    }
    found.ok_or_else(|| format!("no [{long_path}] block in the export:\n{text}"))
}

/// Seeds stale entries, imports the example's `.reg` files, exports every key the plan
/// touches and compares. Returns the problems found.
fn check_example(wine: &mut Wine, example: &str) -> Vec<String> {
    let (plan, regs) = common::compile_reg(example);
    let keys = expected(&plan);
    let work = tempfile::tempdir().expect("work dir");
    let mut problems = Vec::new();

    for ((hive, _), e) in keys.iter().filter(|(_, e)| e.reset) {
        assert!(
            !e.values.contains_key(STALE_NAME),
            "{example}: the plan itself writes {STALE_NAME:?} under {}; pick another stale name",
            e.key
        );
        let key = format!("{}\\{}", hive.short_name(), e.key);
        let run = wine.reg(
            Path::new(CWD),
            &[
                "add", &key, "/v", STALE_NAME, "/t", "REG_SZ", "/d", STALE_DATA, "/f",
            ],
        );
        assert!(
            run.ok(),
            "{example}: seeding a stale entry failed:\n{}",
            run.text()
        );
        // Make sure the seed is really there, so its absence later means something.
        let out = work.path().join("seeded.reg");
        let run = wine.reg(
            Path::new(CWD),
            &["export", &key, out.to_str().expect("utf-8 temp path"), "/y"],
        );
        assert!(
            run.ok(),
            "{example}: exporting the seeded {key} failed:\n{}",
            run.text()
        );
        let long = format!("{}\\{}", hive.long_name(), e.key);
        let seeded = exported_values(&out, &long).unwrap_or_else(|m| panic!("{example}: {m}"));
        assert_eq!(
            seeded.get(STALE_NAME),
            Some(&RegData::Sz(STALE_DATA.into())),
            "{example}: the stale seed is not in {key}"
        );
    }

    // A value the plan deletes is seeded first, so its absence after the import means the
    // `"NAME"=-` line took effect.
    for ((hive, _), e) in &keys {
        for name in &e.deleted {
            let key = format!("{}\\{}", hive.short_name(), e.key);
            let run = wine.reg(
                Path::new(CWD),
                &[
                    "add", &key, "/v", name, "/t", "REG_SZ", "/d", STALE_DATA, "/f",
                ],
            );
            assert!(
                run.ok(),
                "{example}: seeding {key}\\{name} failed:\n{}",
                run.text()
            );
        }
    }

    for (name, bytes) in &regs {
        let path = work.path().join(name);
        fs::write(&path, bytes).expect("write .reg");
        let run = wine.reg(
            Path::new(CWD),
            &["import", path.to_str().expect("utf-8 temp path")],
        );
        if !run.ok() {
            problems.push(format!(
                "{example}: {name} was not imported:\n{}",
                run.text()
            ));
        }
    }

    for (i, ((hive, _), e)) in keys.iter().enumerate() {
        let key = format!("{}\\{}", hive.short_name(), e.key);
        let long = format!("{}\\{}", hive.long_name(), e.key);
        let out = work.path().join(format!("export-{i}.reg"));
        let run = wine.reg(
            Path::new(CWD),
            &["export", &key, out.to_str().expect("utf-8 temp path"), "/y"],
        );
        // A reset with nothing written after it (a Disabled list policy): `[-KEY]` took
        // the key, with the stale seed in it, away.
        if e.reset && e.values.is_empty() {
            if run.ok() || !run.text().contains("Unable to find") {
                problems.push(format!(
                    "{example}: {key} was reset with nothing written, yet exports:\n{}",
                    run.text()
                ));
            }
            continue;
        }
        if !run.ok() {
            problems.push(format!(
                "{example}: exporting {key} failed:\n{}",
                run.text()
            ));
            continue;
        }
        let got = match exported_values(&out, &long) {
            Ok(got) => got,
            Err(msg) => {
                problems.push(format!("{example}: {key}: {msg}"));
                continue;
            }
        };
        for (name, want) in &e.values {
            match got.get(name) {
                Some(have) if have == want => {}
                Some(have) => problems.push(format!(
                    "{example}: {key}\\{name}: Wine holds {} {have}, the plan wrote {} {want}",
                    have.reg_type().name(),
                    want.reg_type().name()
                )),
                None => problems.push(format!(
                    "{example}: {key}\\{name}: missing after import (plan wrote {} {want})",
                    want.reg_type().name()
                )),
            }
        }
        for name in &e.deleted {
            if let Some(have) = got.get(name) {
                problems.push(format!(
                    "{example}: {key}\\{name}: still holds {have} after import; the plan deletes it"
                ));
            }
        }
        if e.reset {
            for (name, have) in &got {
                if !e.values.contains_key(name) {
                    problems.push(format!(
                        "{example}: {key} was reset but still holds {name:?} = {have}"
                    ));
                }
            }
        }
    }
    problems
}

/// Control for the vendor specs: the first value the plan deletes, added back to the
/// export of its key, is the one check `verify` reports (`Status::Present`).
fn deleted_value_control(plan: &Plan, exports: &[Vec<u8>], example: &str) -> Vec<String> {
    use policyc::verify::{model::Registry, verify, Status};
    let Some((op, name)) = plan.ops.iter().find_map(|o| match &o.action {
        Action::Delete { name } if policyc::reg::emit::in_reg_file(o) => Some((o, name)),
        _ => None,
    }) else {
        return Vec::new();
    };
    let long = format!("{}\\{}", op.hive.long_name(), op.key);
    let mut r = Registry::default();
    for e in exports {
        r.add_reg(e).expect("Wine's export parses");
    }
    let extra =
        format!("Windows Registry Editor Version 5.00\r\n\r\n[{long}]\r\n\"{name}\"=\"back\"\r\n");
    r.add_reg(extra.as_bytes()).expect("the control parses");
    let report = verify(plan, &r, policyc::catalog::Catalog::builtin().unwrap());
    let bad: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status != Status::Ok)
        .collect();
    match &bad[..] {
        [c] if c.name == *name && matches!(c.status, Status::Present { .. }) => Vec::new(),
        _ => vec![format!(
            "{example}: the deleted value {long}\\{name} put back gives {bad:?}"
        )],
    }
}

/// `policyc verify` on Wine's own exports of what was just imported: clean; and the
/// same exports with one value changed report exactly that value.
fn verify_wine_exports(wine: &mut Wine, example: &str) -> Vec<String> {
    use policyc::verify::{model::Registry, verify, Status};
    let (plan, _) = common::compile_reg(example);
    let catalog = policyc::catalog::Catalog::builtin().unwrap();
    let work = tempfile::tempdir().expect("work dir");
    let mut exports = Vec::new();
    // Keys reset with nothing written after them are gone after the import.
    let emptied: Vec<String> = expected(&plan)
        .into_values()
        .filter(|e| e.reset && e.values.is_empty())
        .map(|e| e.key.to_lowercase())
        .collect();
    let mut keys: Vec<String> = plan
        .ops
        .iter()
        .filter(|o| policyc::reg::emit::in_reg_file(o))
        .filter(|o| !emptied.contains(&o.key.to_lowercase()))
        .map(|o| format!("{}\\{}", o.hive.short_name(), o.key))
        .collect();
    keys.dedup();
    for (i, key) in keys.iter().enumerate() {
        let out = work.path().join(format!("verify-{i}.reg"));
        let run = wine.reg(
            Path::new(CWD),
            &["export", key, out.to_str().expect("utf-8 temp path"), "/y"],
        );
        assert!(
            run.ok(),
            "{example}: exporting {key} failed:\n{}",
            run.text()
        );
        exports.push(fs::read(&out).expect("export"));
    }
    let registry = |exports: &[Vec<u8>]| {
        let mut r = Registry::default();
        for e in exports {
            r.add_reg(e).expect("Wine's export parses");
        }
        r
    };
    let mut problems = Vec::new();
    let clean = verify(&plan, &registry(&exports), catalog);
    // Per-user policy values are not in user.reg, so no export covers them here.
    let user_policy = |k: &str| {
        k.to_ascii_lowercase()
            .starts_with(r"hkey_current_user\software\policies\")
    };
    for c in clean
        .checks
        .iter()
        .filter(|c| c.status != Status::Ok)
        .filter(|c| !(c.status == Status::NotCovered && user_policy(&c.key)))
    {
        problems.push(format!(
            "{example}: verify of Wine's export is not clean: {c:?}"
        ));
    }
    if !clean.findings.is_empty() {
        problems.push(format!(
            "{example}: unexpected findings {:?}",
            clean.findings
        ));
    }
    // Change one value (Chrome's LoopbackNetworkAllowedForUrls "2") wherever Wine's exports
    // hold it, as a drifted machine's export would show it; nothing else changes.
    let Some(target_key) = plan
        .ops
        .iter()
        .find(|o| {
            o.key
                .ends_with(r"Google\Chrome\LoopbackNetworkAllowedForUrls")
        })
        .map(|o| format!("{}\\{}", o.hive.long_name(), o.key))
    else {
        // The vendor specs: a value the plan deletes, put back into Wine's export, is
        // reported present, and nothing else is.
        assert!(example.contains("vendor-spec/"), "{example}: no LNA list");
        problems.extend(deleted_value_control(&plan, &exports, example));
        return problems;
    };
    let drifted_value = RegData::Sz("https://drifted.example".into());
    let mut changed = 0;
    let drifted: Vec<Vec<u8>> = exports
        .iter()
        .map(|e| {
            let mut file =
                text::read(&text::decode(e).expect("utf-16")).expect("Wine's export parses");
            for b in &mut file.blocks {
                if let Block::Key { path, values, .. } = b {
                    if path.eq_ignore_ascii_case(&target_key) {
                        for v in values.iter_mut().filter(|v| v.name.as_deref() == Some("2")) {
                            v.data = Some(drifted_value.clone());
                            changed += 1;
                        }
                    }
                }
            }
            text::write(&file).expect("re-write").into_bytes()
        })
        .collect();
    assert!(
        changed >= 1,
        "{example}: {target_key} \"2\" is not in Wine's exports"
    );
    let report = verify(&plan, &registry(&drifted), catalog);
    let bad: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status != Status::Ok)
        .collect();
    let exactly_that = bad.len() == 1
        && bad[0].key.eq_ignore_ascii_case(&target_key)
        && bad[0].name == "2"
        && bad[0].status
            == Status::WrongValue {
                found: drifted_value.clone(),
            };
    if !exactly_that || !report.findings.is_empty() {
        problems.push(format!(
            "{example}: after changing {target_key} \"2\", verify reported {bad:?} {:?}",
            report.findings
        ));
    }
    problems
}

/// The values of `reg_cases::KEY` in a file, as policyc's reader replays it.
fn case_values(bytes: &[u8]) -> BTreeMap<String, RegData> {
    let parsed = text::read_bytes(bytes).expect("a valid header");
    let mut out = BTreeMap::new();
    for b in parsed.file.blocks {
        match b {
            Block::Key { path, values, .. }
                if path.eq_ignore_ascii_case(common::reg_cases::KEY) =>
            {
                for v in values {
                    let name = v.name.unwrap_or_default();
                    match v.data {
                        Some(d) => out.insert(name, d),
                        None => out.remove(&name),
                    };
                }
            }
            _ => {}
        }
    }
    out
}

/// Imports `file` into a fresh `reg_cases::KEY` and returns what Wine holds there.
fn wine_import(
    wine: &mut Wine,
    work: &Path,
    file: &[u8],
) -> Result<BTreeMap<String, RegData>, String> {
    let key = common::reg_cases::KEY;
    let _ = wine.reg(Path::new(CWD), &["delete", key, "/f"]);
    let input = work.join("case.reg");
    fs::write(&input, file).expect("write case");
    let run = wine.reg(
        Path::new(CWD),
        &["import", input.to_str().expect("utf-8 temp path")],
    );
    if !run.ok() {
        return Err(format!("import failed:\n{}", run.text()));
    }
    let out = work.join("case-export.reg");
    let _ = fs::remove_file(&out);
    let run = wine.reg(
        Path::new(CWD),
        &["export", key, out.to_str().expect("utf-8 temp path"), "/y"],
    );
    if !run.ok() {
        // No value line was valid and the key line was: the key exists. An export
        // failure therefore means something else went wrong.
        return Err(format!("export failed:\n{}", run.text()));
    }
    Ok(case_values(&fs::read(&out).expect("export")))
}

/// Each import case: Wine's registry after `reg import` equals policyc's reading.
fn check_import_cases(wine: &mut Wine) -> Vec<String> {
    use common::reg_cases::CASES;
    let work = tempfile::tempdir().expect("work dir");
    let mut problems = Vec::new();
    let mut values = 0;
    for case in CASES {
        let file = case.file();
        match wine_import(wine, work.path(), &file) {
            Ok(wine_has) => {
                values += wine_has.len();
                let policyc_reads = case_values(&file);
                if wine_has != policyc_reads {
                    problems.push(format!(
                        "import case {}: Wine holds {wine_has:?}, policyc reads {policyc_reads:?}",
                        case.source
                    ));
                }
            }
            Err(m) => problems.push(format!("import case {}: {m}", case.source)),
        }
    }
    // Not vacuous: Wine created at least the values the table says Windows creates.
    let present = CASES
        .iter()
        .flat_map(|c| c.want.iter())
        .filter(|(_, w)| w.data().is_some())
        .count();
    if values < present {
        problems.push(format!(
            "Wine created {values} values over all cases, fewer than the {present} the table records"
        ));
    }
    eprintln!(
        "interop_wine: {} import cases, {values} values compared",
        CASES.len()
    );
    // Negative control: the Wine10 case with its `#comment` removed gives a value Wine
    // did not create, so the comparison above can fail.
    let case = CASES
        .iter()
        .find(|c| c.source.starts_with("Wine10"))
        .expect("the Wine10 case");
    let wine_has = wine_import(wine, work.path(), &case.file()).unwrap_or_default();
    let edited = String::from_utf8(case.file())
        .unwrap()
        .replace("\"Value 1\"#comment", "\"Value 1\"");
    let policyc_reads = case_values(edited.as_bytes());
    if wine_has == policyc_reads || !policyc_reads.contains_key("Wine10") {
        problems.push(format!(
            "negative control: the edited Wine10 file should differ from Wine's import: {wine_has:?} vs {policyc_reads:?}"
        ));
    }
    problems
}

/// Rollback: after the example's `.reg` files were imported (and read back above), its
/// `undo/*.reg` files are imported; then no value the bundle wrote is left, and no list
/// key it owns. The control is the state just before: every value is there (checked by
/// [`check_example`], and counted again here so an empty check cannot pass).
fn check_rollback(wine: &mut Wine, example: &str) -> Vec<String> {
    let plan = common::plan_of(example);
    let keys = expected(&plan);
    let work = tempfile::tempdir().expect("work dir");
    let mut problems = Vec::new();
    let present = |wine: &mut Wine, tag: &str| -> Vec<String> {
        let mut found = Vec::new();
        for (i, ((hive, _), e)) in keys.iter().enumerate() {
            let key = format!("{}\\{}", hive.short_name(), e.key);
            let long = format!("{}\\{}", hive.long_name(), e.key);
            let out = work.path().join(format!("{tag}-{i}.reg"));
            let run = wine.reg(
                Path::new(CWD),
                &["export", &key, out.to_str().expect("utf-8 temp path"), "/y"],
            );
            if !run.ok() {
                continue; // the key is gone
            }
            if let Ok(got) = exported_values(&out, &long) {
                if e.reset {
                    found.push(format!("{key}: the owned list key is still there"));
                }
                for (name, want) in &e.values {
                    if got.get(name) == Some(want) {
                        found.push(format!("{key}\\{name} = {want}"));
                    }
                }
            }
        }
        found
    };
    let before = present(wine, "before");
    let sets = plan
        .ops
        .iter()
        .filter(|o| matches!(o.action, Action::Set { .. }) && policyc::reg::emit::in_reg_file(o))
        .count();
    let values_before = before.iter().filter(|f| f.contains(" = ")).count();
    if values_before != sets {
        problems.push(format!(
            "{example}: control: {values_before} of {sets} values present before the undo:\n{}",
            before.join("\n")
        ));
    }
    let undo: Vec<(String, Vec<u8>)> = policyc::bundle_files(&plan)
        .expect("emit")
        .into_iter()
        .filter(|(p, _)| p.starts_with("undo/") && p.ends_with(".reg"))
        .collect();
    if undo.is_empty() {
        problems.push(format!("{example}: no undo/*.reg in the bundle"));
    }
    for (name, bytes) in &undo {
        let path = work.path().join(name.replace('/', "-"));
        fs::write(&path, bytes).expect("write undo .reg");
        let run = wine.reg(
            Path::new(CWD),
            &["import", path.to_str().expect("utf-8 temp path")],
        );
        if !run.ok() {
            problems.push(format!(
                "{example}: {name} was not imported:\n{}",
                run.text()
            ));
        }
    }
    // Shared switches (the Site to Zone Assignment List's ListBox_Support_ZoneMapKey,
    // which other GPOs' entries rely on) are the only values the undo leaves, and they stay.
    let shared: Vec<String> = plan
        .ops
        .iter()
        .filter(|o| o.provenance.shared && policyc::reg::emit::in_reg_file(o))
        .filter_map(|o| match &o.action {
            Action::Set { name, .. } => {
                Some(format!("{}\\{}\\{name} = ", o.hive.short_name(), o.key))
            }
            _ => None,
        })
        .collect();
    let after = present(wine, "after");
    for left in &after {
        if !shared.iter().any(|s| left.starts_with(s.as_str())) {
            problems.push(format!("{example}: left after the undo: {left}"));
        }
    }
    for s in &shared {
        if !after.iter().any(|left| left.starts_with(s.as_str())) {
            problems.push(format!("{example}: the undo removed the shared switch {s}"));
        }
    }
    problems
}

#[test]
fn examples_import_into_wine_and_read_back_exactly() {
    if !common::require("wine", "wine wine64") {
        return;
    }
    let mut wine = Wine::boot("wine");
    let mut problems = Vec::new();
    let mut checked = 0;
    for example in EXAMPLES {
        if !common::vendor_fixture_ready(example) {
            continue;
        }
        let found = check_example(&mut wine, example);
        checked += 1;
        problems.extend(found);
        problems.extend(verify_wine_exports(&mut wine, example));
        problems.extend(check_rollback(&mut wine, example));
    }
    problems.extend(check_import_cases(&mut wine));
    assert!(
        problems.is_empty(),
        "{} problem(s) with Wine:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
    eprintln!("interop_wine: {checked} examples imported and read back exactly");
}
