//! `policyc build`: the bundle, its manifest, determinism, and that a failed
//! build writes nothing and leaves the previous bundle intact.

use assert_cmd::Command;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

mod common;

const EXAMPLE: &str = "examples/nhs-credential-management.yaml";

fn build(spec: &str, out: &Path) -> std::process::Output {
    Command::cargo_bin("policyc")
        .unwrap()
        .args(["build", spec, "--out"])
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn writes_reg_files_and_a_matching_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let o = build(EXAMPLE, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let tree = common::read_tree(&out);
    assert!(
        tree.contains_key("machine.reg") && tree.contains_key("user.reg"),
        "{:?}",
        tree.keys()
    );
    let m: serde_json::Value = serde_json::from_slice(&tree["manifest.json"]).unwrap();
    assert_eq!(m["policyc"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["spec"], "nhs-credential-management");
    let files = m["files"].as_array().unwrap();
    // The manifest lists every file of the bundle but itself, sorted, each with its hash.
    let listed: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "manifest paths are not sorted");
    let on_disk: Vec<&str> = tree
        .keys()
        .map(String::as_str)
        .filter(|p| *p != "manifest.json")
        .collect();
    assert_eq!(listed, on_disk);
    for f in files {
        let path = f["path"].as_str().unwrap();
        let kind = f["kind"].as_str().unwrap();
        assert!(
            [
                "reg",
                "pol",
                "gpo-backup",
                "lgpo-txt",
                "admx",
                "adml",
                "intune-json",
                "intune-settings-catalog",
                "ps1-apply",
                "ps1-detect",
                "ps1-remediate",
                "ps1-diagnose",
                "ps1-remove",
                "reg-undo",
                "docs"
            ]
            .contains(&kind),
            "{path}: kind {kind} is not in the documented vocabulary"
        );
        if path.ends_with(".reg") {
            let want = if path.starts_with("undo/") {
                "reg-undo"
            } else {
                "reg"
            };
            assert_eq!(kind, want, "{path}");
        }
        let want: String = Sha256::digest(&tree[path])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"].as_str().unwrap(), want, "{path}");
    }
    // .reg files: UTF-16LE with BOM, CRLF only, the version 5 header.
    for name in ["machine.reg", "user.reg"] {
        let bytes = &tree[name];
        assert_eq!(&bytes[..2], &[0xFF, 0xFE], "{name} BOM");
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let text = String::from_utf16(&units).unwrap();
        assert!(
            text.starts_with("Windows Registry Editor Version 5.00\r\n\r\n"),
            "{name}"
        );
        assert_eq!(
            text.matches('\n').count(),
            text.matches("\r\n").count(),
            "{name}: bare LF"
        );
    }
    // Manifest: UTF-8 without BOM.
    assert_eq!(tree["manifest.json"][0], b'{');
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    for ex in [EXAMPLE, "examples/nhs-credential-management-int.yaml"] {
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        assert!(build(ex, &a).status.success());
        assert!(build(ex, &b).status.success());
        assert_eq!(common::read_tree(&a), common::read_tree(&b), "{ex}");
        fs::remove_dir_all(&a).unwrap();
        fs::remove_dir_all(&b).unwrap();
    }
}

/// `--no-sync` skips only the fsyncs: the same files, byte for byte. It cannot be
/// combined with `--check`, which writes nothing.
#[test]
fn no_sync_writes_the_same_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert!(build(EXAMPLE, &a).status.success());
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(["build", EXAMPLE, "--no-sync", "--out"])
        .arg(&b)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(common::read_tree(&a), common::read_tree(&b));
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(["build", EXAMPLE, "--no-sync", "--check", "--out"])
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("--no-sync"));
}

#[test]
fn failed_build_leaves_previous_bundle_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    assert!(build(EXAMPLE, &out).status.success());
    let before = common::read_tree(&out);
    for bad in [
        "tests/fixtures/bad/non-origin.yaml",
        "tests/fixtures/bad/bad-yaml.yaml",
        "tests/fixtures/bad/bare-wildcard.yaml",
    ] {
        let o = build(bad, &out);
        assert_eq!(o.status.code(), Some(1), "{bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("nothing was written"));
        assert_eq!(common::read_tree(&out), before, "{bad} changed the bundle");
    }
    // No temporary folders are left beside it.
    let siblings: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, ["bundle"]);
}

#[test]
fn failed_build_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new");
    assert_eq!(
        build("tests/fixtures/bad/unknown-key.yaml", &out)
            .status
            .code(),
        Some(1)
    );
    assert!(!out.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn rebuild_names_what_it_removes_and_refuses_files_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    // The INT bundle, then the live one over it: the INT-named files go, and build
    // names them.
    assert!(build("examples/nhs-credential-management-int.yaml", &out)
        .status
        .success());
    let r = build(EXAMPLE, &out);
    assert!(r.status.success());
    let stdout = String::from_utf8(r.stdout).unwrap();
    assert!(
        stdout.contains("removed 7 files of the previous bundle that the spec no longer writes: admx/en-GB/nhs-credential-management-int.adml, admx/en-US/nhs-credential-management-int.adml, admx/nhs-credential-management-int.admx, gpo-backup/{"),
        "{stdout}"
    );
    assert!(!out.join("admx/nhs-credential-management-int.admx").exists());
    // A file the bundle's manifest does not list: refused, named, nothing touched.
    fs::write(out.join("my-notes.txt"), b"mine").unwrap();
    fs::write(out.join("admx/extra.admx"), b"mine").unwrap();
    let before = common::read_tree(&out);
    let r = build("examples/nhs-credential-management-int.yaml", &out);
    assert_eq!(r.status.code(), Some(2));
    let stderr = String::from_utf8(r.stderr).unwrap();
    assert!(
        stderr.contains("holds 2 files that its manifest.json does not list (admx/extra.admx, my-notes.txt); a build replaces the whole folder and would delete them, so nothing was written"),
        "{stderr}"
    );
    assert!(
        stderr.contains("move those files out of the bundle folder"),
        "{stderr}"
    );
    assert!(
        common::read_tree(&out) == before,
        "the refused build changed the folder"
    );
    // Once they are moved out, the build goes ahead.
    fs::remove_file(out.join("my-notes.txt")).unwrap();
    fs::remove_file(out.join("admx/extra.admx")).unwrap();
    assert!(build(EXAMPLE, &out).status.success());
}

#[test]
fn refuses_unusable_output_paths() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.txt");
    fs::write(&file, b"keep me").unwrap();
    let o = build(EXAMPLE, &file);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[output-path]"));
    assert_eq!(fs::read(&file).unwrap(), b"keep me");

    let foreign = dir.path().join("documents");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("letter.txt"), b"keep me").unwrap();
    let o = build(EXAMPLE, &foreign);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("policyc did not write (no manifest.json; it holds letter.txt)"),
        "{err}"
    );
    assert_eq!(common::read_tree(&foreign).len(), 1);
}

/// `build` writes each file to a temporary folder as soon as it is emitted, before the
/// delivery checks' verdict is in (the ADMX pre-flight refuses this spec's version after
/// the plan is built, while the emitters have already written files). The failed build
/// must still write nothing: the previous bundle is unchanged, no temporary folder is
/// left, and folders created above a new `--out` are removed again.
#[test]
fn bundle_failing_the_delivery_checks_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("late.yaml");
    fs::write(
        &spec,
        "policyc: 1\nbundle: {name: t, display_name: T, version: '10000.1', publisher: P}\nproducts: [edge]\nsettings:\n  - id: auth-server-allowlist\n    value: [http://localhost]\n    acknowledge: [auth-allowlist-loopback-only]\n",
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    let entries = common::entries;
    let out = dir.path().join("bundle");
    assert!(build(EXAMPLE, &out).status.success());
    let before = common::read_tree(&out);
    let o = build(spec, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[admx-unrepresentable]"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(common::read_tree(&out), before);
    assert_eq!(entries(dir.path()), ["bundle", "late.yaml"]);

    let nested = dir.path().join("new/deeper/bundle");
    let o = build(spec, &nested);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(entries(dir.path()), ["bundle", "late.yaml"]);
}

/// When the previous bundle cannot be wholly deleted after the new one is in place (here:
/// `build` runs as `nobody` and the old bundle holds a root-owned folder), the build
/// succeeds with an `old-bundle-left` warning naming the folder moved aside, rather than
/// an error claiming the previous bundle is unchanged. Needs root (to make the folder
/// nobody cannot delete) and util-linux's setpriv; elsewhere it says so and returns.
#[cfg(target_os = "linux")]
#[test]
fn old_bundle_that_cannot_be_deleted_is_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid has no preconditions and touches no memory of ours.
    let root = unsafe { libc::geteuid() } == 0;
    if !root || !common::on_path("setpriv") {
        eprintln!(
            "old_bundle_that_cannot_be_deleted_is_a_warning: needs root and setpriv; not run"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let open =
        |p: &Path, mode: u32| fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
    open(dir.path(), 0o777);
    // The binary and the spec where `nobody` can reach them.
    let exe = dir.path().join("policyc");
    fs::copy(assert_cmd::cargo::cargo_bin("policyc"), &exe).unwrap();
    open(&exe, 0o755);
    let spec = dir.path().join("spec.yaml");
    fs::copy(EXAMPLE, &spec).unwrap();
    open(&spec, 0o644);
    let as_nobody = |out: &Path| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&exe)
            .arg("build")
            .arg(&spec)
            .arg("--out")
            .arg(out)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = dir.path().join("bundle");
    let o = as_nobody(&out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A folder of the old bundle that only root may empty.
    std::os::unix::fs::chown(out.join("docs"), Some(0), Some(0)).unwrap();
    open(&out.join("docs"), 0o755);
    // A second spec version, so the new bundle differs from the old.
    let text = fs::read_to_string(&spec).unwrap();
    let bumped = text.replacen("  version: 1.0.0", "  version: 1.0.1", 1);
    assert_ne!(
        bumped, text,
        "the example's bundle version is no longer 1.0.0"
    );
    fs::write(&spec, bumped).unwrap();
    let o = as_nobody(&out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("warning[old-bundle-left]"), "{err}");
    assert!(err.contains(".policyc-old-"), "{err}");
    assert!(!err.contains("error["), "{err}");
    // The new bundle is in place, and the folder moved aside still holds the old docs.
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        fs::read_to_string(out.join("docs/README.md"))
            .unwrap()
            .contains("1.0.1"),
        "{manifest}"
    );
    let aside: Vec<String> = common::entries(dir.path())
        .into_iter()
        .filter(|n| n.starts_with(".policyc-old-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(err.contains(&aside[0]), "{err}");
}
