//! Snapshots of the NHS example's ADMX and en-US ADML (read and accepted by hand; a
//! snapshot only shows the output did not change; `interop_xmllint.rs` and
//! `admx_roundtrip.rs` show it is right). The en-GB ADML differs from en-US only in
//! the culture its header comment names, which is asserted rather than snapshotted.

use policyc::catalog::Catalog;

fn templates(spec: &str) -> Vec<(String, String)> {
    let bytes = std::fs::read(spec).unwrap();
    let out = policyc::compile(spec, &bytes, Catalog::builtin().unwrap());
    let plan = out.plan.unwrap();
    policyc::bundle_files(&plan)
        .unwrap()
        .into_iter()
        .filter(|(p, _)| p.starts_with("admx/"))
        .map(|(p, b)| {
            let text = String::from_utf8(b).unwrap().replace("\r\n", "\n");
            (p, text)
        })
        .collect()
}

#[test]
fn nhs_live_admx_and_adml() {
    let t = templates("examples/nhs-credential-management.yaml");
    let get = |p: &str| t.iter().find(|(x, _)| x == p).unwrap().1.clone();
    insta::assert_snapshot!("nhs_live_admx", get("admx/nhs-credential-management.admx"));
    let us = get("admx/en-US/nhs-credential-management.adml");
    insta::assert_snapshot!("nhs_live_adml_en_us", us);
    let gb = get("admx/en-GB/nhs-credential-management.adml");
    assert_eq!(
        gb,
        us.replacen("<!-- en-US strings", "<!-- en-GB strings", 1)
    );
}
