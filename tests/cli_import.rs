//! `policyc import`: a bundle's own files (the `.reg` files, `pol/`, the GPO backup
//! folder, the LGPO text) read back into a spec that compiles to the same plan; values
//! no catalog setting writes are listed as comments; unreadable inputs exit 2.

use assert_cmd::Command;
use policyc::plan::{Action, Plan};
use std::path::Path;

mod common;

const EXAMPLES: [&str; 2] = [
    "examples/nhs-credential-management.yaml",
    "examples/nhs-credential-management-int.yaml",
];

/// The plan's operations without spec paths (an imported spec lists settings in catalog
/// order, not the original's), sorted.
fn effect(plan: &Plan) -> Vec<String> {
    let mut v: Vec<String> = plan
        .ops
        .iter()
        .map(|o| {
            let p = &o.provenance;
            let what = match &o.action {
                Action::ResetKey => "reset".to_string(),
                Action::Delete { name } => format!("{name:?} deleted"),
                Action::Set { name, data } => format!("{name:?} = {data:?}"),
            };
            format!(
                "{:?}\\{} {what} [{} {} {}]",
                o.hive, o.key, p.setting, p.product, p.location
            )
        })
        .collect();
    v.sort();
    v
}

fn import(args: &[String]) -> (i32, String, String) {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .arg("import")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn write_bundle(plan: &Plan, dir: &Path) {
    for (rel, bytes) in policyc::bundle_files(plan).unwrap() {
        let p = dir.join(&rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

#[test]
fn each_route_of_each_example_imports_to_the_same_plan() {
    for example in EXAMPLES {
        let plan = common::plan_of(example);
        let dir = tempfile::tempdir().unwrap();
        write_bundle(&plan, dir.path());
        let d = |rel: &str| dir.path().join(rel).to_string_lossy().into_owned();
        let routes: Vec<(&str, Vec<String>)> = vec![
            (".reg", vec![d("machine.reg"), d("user.reg")]),
            (
                "Registry.pol",
                vec![d("pol/Machine/Registry.pol"), d("pol/User/Registry.pol")],
            ),
            ("GPO backup", vec![d("gpo-backup")]),
            ("LGPO text", vec![d("lgpo/machine.txt"), d("lgpo/user.txt")]),
        ];
        for (route, files) in routes {
            // Only the files the bundle has (a hive without values has none).
            let files: Vec<String> = files
                .into_iter()
                .filter(|f| Path::new(f).exists())
                .collect();
            let (code, spec, stderr) = import(&files);
            assert_eq!(code, 0, "{example} {route}: {stderr}");
            assert!(
                stderr.contains("; 0 value(s) not placed"),
                "{example} {route}: {stderr}\n{spec}"
            );
            let back = common::plan_from("imported.yaml", spec.as_bytes());
            assert_eq!(
                effect(&back),
                effect(&plan),
                "{example} via {route}:\n{spec}"
            );
        }
    }
}

/// Controls: a value the catalog does not know is kept as a comment (and the rest still
/// imports); a changed list entry changes the plan, so the comparison above can fail.
#[test]
fn unknown_values_become_comments_and_a_change_is_seen() {
    let example = EXAMPLES[0];
    let plan = common::plan_of(example);
    let dir = tempfile::tempdir().unwrap();
    write_bundle(&plan, dir.path());
    let extra = dir.path().join("extra.reg");
    std::fs::write(
        &extra,
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome]\r\n\"HomepageLocation\"=\"https://intranet.example.nhs.uk\"\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome\\CookiesAllowedForUrls]\r\n\"2\"=\"https://[*.]example.nhs.uk\"\r\n",
    )
    .unwrap();
    let machine = dir
        .path()
        .join("machine.reg")
        .to_string_lossy()
        .into_owned();
    let user = dir.path().join("user.reg").to_string_lossy().into_owned();
    let (code, spec, stderr) = import(&[
        machine.clone(),
        user.clone(),
        extra.to_string_lossy().into_owned(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        spec.contains(
            "#   HKLM\\Software\\Policies\\Google\\Chrome \"HomepageLocation\" = REG_SZ \"https://intranet.example.nhs.uk\""
        ),
        "{spec}"
    );
    // The second Chrome cookie entry is imported, so Chrome's list now differs from
    // Edge's: the Chrome value is placed (first of a tie), Edge's entry stays in the
    // comments, as does HomepageLocation.
    assert!(stderr.contains("; 2 value(s) not placed"), "{stderr}");
    assert!(
        spec.contains("#   HKLM\\Software\\Policies\\Microsoft\\Edge\\CookiesAllowedForUrls \"1\" = REG_SZ \"http://localhost\""),
        "{spec}"
    );
    assert!(spec.contains("    products: [chrome]\n"), "{spec}");
    let back = common::plan_from("imported.yaml", spec.as_bytes());
    assert_ne!(effect(&back), effect(&plan), "{spec}");

    // An unreadable input and a folder without Registry.pol are usage errors.
    let (code, _, stderr) = import(&[dir.path().join("nope.reg").to_string_lossy().into_owned()]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = import(&[dir.path().join("docs").to_string_lossy().into_owned()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no Machine/registry.pol"), "{stderr}");
}

/// `--out` writes the spec and never overwrites.
#[test]
fn out_writes_once() {
    let plan = common::plan_of(EXAMPLES[0]);
    let dir = tempfile::tempdir().unwrap();
    write_bundle(&plan, dir.path());
    let spec = dir.path().join("spec.yaml");
    let args = |out: &Path| {
        vec![
            dir.path().join("gpo-backup").to_string_lossy().into_owned(),
            "--out".into(),
            out.to_string_lossy().into_owned(),
        ]
    };
    assert_eq!(import(&args(&spec)).0, 0);
    assert!(std::fs::read_to_string(&spec)
        .unwrap()
        .contains("policyc: 1"));
    assert_eq!(import(&args(&spec)).0, 2);
}

fn policyc(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
    )
}

/// `check` and `build` name every list the bundle replaces wholesale; with `--against` a
/// machine export whose list holds an entry the spec does not list gives a warning naming
/// it (exit 0: a warning), and an export holding only the spec's entries gives none.
#[test]
fn replaced_lists_are_named_and_losses_warned() {
    let spec = "tests/fixtures/verify-spec.yaml";
    let plan = common::plan_of(spec);
    let resets = plan
        .ops
        .iter()
        .filter(|o| matches!(o.action, Action::ResetKey))
        .count();
    assert!(resets >= 4);
    let (code, out) = policyc(&["check", spec, "--notes"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("note[list-replaced]").count(), resets, "{out}");
    assert!(out.contains("note[list-replaced]: `HKLM\\Software\\Policies\\Google\\Chrome\\CookiesAllowedForUrls` (chrome CookiesAllowedForUrls) is replaced wholesale"), "{out}");

    let (code, out) = policyc(&[
        "check",
        spec,
        "--against",
        "tests/fixtures/exports/drift.reg",
    ]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.matches("warning[list-loses-entries]").count(),
        1,
        "{out}"
    );
    assert!(out.contains("warning[list-loses-entries]: `HKLM\\Software\\Policies\\Google\\Chrome\\LocalNetworkAccessAllowedForUrls` (chrome LocalNetworkAccessAllowedForUrls) would lose 1 entry the machine has today: \"2\" = \"https://stale.example.nhs.uk\""), "{out}");
    // At the setting's line and column, as every other diagnostic of the spec.
    assert!(
        out.contains("  --> tests/fixtures/verify-spec.yaml:10:7 (settings[0])"),
        "{out}"
    );
    // Control: the clean export holds only the spec's entries.
    let (code, out) = policyc(&[
        "check",
        spec,
        "--against",
        "tests/fixtures/exports/clean.reg",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("list-loses-entries"), "{out}");

    // build names the lists too, and takes --against.
    let dir = tempfile::tempdir().unwrap();
    let outdir = dir.path().join("b");
    let (code, out) = policyc(&[
        "build",
        spec,
        "--out",
        outdir.to_str().unwrap(),
        "--against",
        "tests/fixtures/exports/drift.reg",
    ]);
    assert_eq!(code, 0, "{out}");
    // Without --notes the lists are counted in one line.
    assert!(
        out.contains(&format!(
            "{resets} lists replaced wholesale (list-replaced)"
        )),
        "{out}"
    );
    assert!(out.contains("warning[list-loses-entries]"), "{out}");
    // Against that bundle, a spec with one LNA origin fewer: the entry is one the
    // previous bundle writes, not one "the machine has today".
    let fewer = dir.path().join("fewer.yaml");
    std::fs::write(
        &fewer,
        std::fs::read_to_string(spec).unwrap().replace(
            "      - https://manage-care-identities.care-identity-service2.nhs.uk\n",
            "      - https://other.example.nhs.uk\n",
        ),
    )
    .unwrap();
    let (code, out) = policyc(&[
        "check",
        fewer.to_str().unwrap(),
        "--against",
        outdir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("would lose 1 entry the previous bundle writes: \"1\" = \"https://manage-care-identities.care-identity-service2.nhs.uk\""),
        "{out}"
    );
    // The same bundle's Registry.pol alone: policy files, not a machine.
    let pol = outdir.join("pol").join("Machine").join("Registry.pol");
    let (code, out) = policyc(&[
        "check",
        fewer.to_str().unwrap(),
        "--against",
        pol.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("would lose 1 entry the given policy files hold"),
        "{out}"
    );
    // An unreadable export is a usage error.
    let (code, _) = policyc(&["check", spec, "--against", "tests/fixtures/nope.reg"]);
    assert_eq!(code, 2);
}

/// `--name` becomes `bundle.name`: a name `check` refuses is refused before anything is
/// written (exit 2), as `init --name` does; a file-safe one is the control.
#[test]
fn a_name_check_would_refuse_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("p.reg");
    std::fs::write(
        &reg,
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome]\r\n\"AuthServerAllowlist\"=\"http://localhost\"\r\n",
    )
    .unwrap();
    let out = dir.path().join("spec.yaml");
    let run = |name: &str| {
        policyc(&[
            "import",
            reg.to_str().unwrap(),
            "--name",
            name,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let (code, text) = run("Bad Name");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("error[invalid-name]: `--name` `Bad Name`"),
        "{text}"
    );
    assert!(!out.exists());
    let (code, text) = run("trust-smartcards");
    assert_eq!(code, 0, "{text}");
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("name: \"trust-smartcards\""));
}
