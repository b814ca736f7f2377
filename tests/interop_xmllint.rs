//! Validates the generated ADMX and both ADMLs with libxml2's `xmllint --schema` against
//! Microsoft's ADMX schema (`tests/fixtures/admx-schema/PolicyDefinitionFiles.xsd`; see the
//! README there for its origin and the one libxml2 fix). The NHS examples, and a spec full
//! of strings XML must escape, must validate. Controls prove the setup can fail: a real
//! vendor pair validates, and our ADMX with one attribute broken is rejected.
//!
//! Needs `xmllint` (Debian: `libxml2-utils`). Without it the test prints a loud SKIPPED line
//! and passes, unless `POLICYC_REQUIRE_INTEROP=1` (as in `.ci/run`), which makes it fail.

use policyc::catalog::Catalog;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const SPECS: [&str; 3] = [
    "examples/nhs-credential-management.yaml",
    "examples/nhs-credential-management-int.yaml",
    "tests/fixtures/admx/hostile.yaml",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> PathBuf {
    root().join("tests/fixtures/admx-schema/PolicyDefinitionFiles.xsd")
}

/// Compiles a spec and writes its ADMX/ADML files into `dir`, keeping bundle paths.
fn write_templates(spec: &str, dir: &Path) -> Vec<PathBuf> {
    let bytes = fs::read(root().join(spec)).unwrap();
    let out = policyc::compile(spec, &bytes, Catalog::builtin().unwrap());
    let plan = out
        .plan
        .unwrap_or_else(|| panic!("{spec}: {:#?}", out.diagnostics));
    let mut paths = Vec::new();
    for (p, b) in policyc::bundle_files(&plan).unwrap() {
        if p.ends_with(".admx") || p.ends_with(".adml") {
            let path = dir.join(&p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, b).unwrap();
            paths.push(path);
        }
    }
    paths.sort();
    paths
}

/// (exit code, stderr) of `xmllint --noout --schema XSD files...`.
fn xmllint(files: &[PathBuf]) -> (i32, String) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema())
        .args(files)
        .output()
        .expect("running xmllint");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn generated_admx_and_adml_validate_against_microsofts_schema() {
    if !common::require("xmllint", "libxml2-utils") {
        return;
    }
    for spec in SPECS {
        let dir = tempfile::tempdir().unwrap();
        let files = write_templates(spec, dir.path());
        let names: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names.len(), 3, "{spec}: {names:?}");
        assert!(
            names.iter().any(|n| n.starts_with("admx/en-US/")),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n.starts_with("admx/en-GB/")),
            "{names:?}"
        );
        let (code, stderr) = xmllint(&files);
        assert_eq!(code, 0, "{spec}: xmllint rejected the templates:\n{stderr}");
        for f in &files {
            assert!(
                stderr.contains(&format!("{} validates", f.display())),
                "{spec}: no `validates` line for {}:\n{stderr}",
                f.display()
            );
        }
    }
}

#[test]
fn control_a_vendor_pair_validates_and_a_broken_admx_does_not() {
    if !common::require("xmllint", "libxml2-utils") {
        return;
    }
    // A real vendor pair (see tests/fixtures/vendor-admx/README.md) passes: the schema setup works.
    let vendor = root().join("tests/fixtures/vendor-admx");
    let (code, stderr) = xmllint(&[
        vendor.join("YubiKeyMinidriver.admx"),
        vendor.join("en-US/YubiKeyMinidriver.adml"),
    ]);
    assert_eq!(code, 0, "{stderr}");

    // Our ADMX with a class the schema does not allow, or without the schema namespace, fails
    // with exit code 3 (schema-invalid): xmllint really checks what we give it.
    let dir = tempfile::tempdir().unwrap();
    let files = write_templates(SPECS[0], dir.path());
    let admx = files
        .iter()
        .find(|f| f.extension().unwrap() == "admx")
        .unwrap();
    let good = fs::read_to_string(admx).unwrap();
    for (what, broken) in [
        (
            "class=Computer",
            good.replacen("class=\"Machine\"", "class=\"Computer\"", 1),
        ),
        (
            "no namespace",
            good.replacen(
                " xmlns=\"http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions\"",
                "",
                1,
            ),
        ),
        (
            "a fixed string over 255 characters",
            good.replacen("<string>", &format!("<string>{}", "a".repeat(260)), 1),
        ),
    ] {
        assert!(broken != good, "{what}: the mutation did not apply");
        fs::write(admx, &broken).unwrap();
        let (code, stderr) = xmllint(std::slice::from_ref(admx));
        assert_eq!(
            code, 3,
            "{what}: expected schema-invalid, got {code}:\n{stderr}"
        );
    }
}
