//! Every bundle carries its rollback: an undo `.reg` per `.reg` file and
//! `powershell/remove.ps1`, listed in the manifest. (Wine imports the undo files in
//! `tests/interop_wine.rs`.)

mod common;

#[test]
fn every_bundle_lists_its_rollback_files() {
    let mut plans: Vec<(String, policyc::plan::Plan)> = [
        "examples/nhs-credential-management.yaml",
        "examples/nhs-credential-management-int.yaml",
        "tests/fixtures/verify-spec.yaml",
        "tests/fixtures/verify-precedence-spec.yaml",
    ]
    .iter()
    .map(|p| (p.to_string(), common::plan_of(p)))
    .collect();
    plans.extend(common::specs::sample_plans(4));
    for (name, plan) in plans {
        let files = policyc::bundle_files(&plan).unwrap();
        let manifest: serde_json::Value =
            serde_json::from_slice(&files.iter().find(|(p, _)| p == "manifest.json").unwrap().1)
                .unwrap();
        let listed: Vec<(String, String)> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let has = |path: &str, kind: &str| listed.contains(&(path.to_string(), kind.to_string()));
        assert!(
            has("powershell/remove.ps1", "ps1-remove"),
            "{name}: {listed:?}"
        );
        for (reg, undo) in [
            ("machine.reg", "undo/machine-undo.reg"),
            ("user.reg", "undo/user-undo.reg"),
        ] {
            assert_eq!(
                has(reg, "reg"),
                has(undo, "reg-undo"),
                "{name}: {reg} and {undo} come together: {listed:?}"
            );
        }
        // The undo files only delete: no value is set by them.
        for (p, bytes) in files.iter().filter(|(p, _)| p.starts_with("undo/")) {
            let file =
                policyc::reg::text::read(&policyc::reg::text::decode(bytes).unwrap()).unwrap();
            for b in &file.blocks {
                if let policyc::reg::text::Block::Key { values, .. } = b {
                    assert!(values.iter().all(|v| v.data.is_none()), "{name} {p}");
                }
            }
        }
    }
}
