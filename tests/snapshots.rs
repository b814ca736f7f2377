//! Snapshots of the registry plan and the `.reg` text for the NHS examples.
//! A snapshot only shows that output did not change; the interop tests show it is right.

use policyc::catalog::Catalog;

fn compile(path: &str) -> policyc::plan::Plan {
    let bytes = std::fs::read(path).unwrap();
    let out = policyc::compile(path, &bytes, Catalog::builtin().unwrap());
    // Notes (left-out settings, Intune routes) are information; nothing else is expected.
    assert!(
        out.diagnostics
            .iter()
            .all(|d| d.severity == policyc::diag::Severity::Note),
        "{:?}",
        out.diagnostics
    );
    out.plan.unwrap()
}

fn reg_texts(plan: &policyc::plan::Plan) -> Vec<(String, String)> {
    policyc::bundle_files(plan)
        .unwrap()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".reg"))
        .map(|(p, bytes)| {
            (
                p,
                policyc::reg::text::decode(&bytes)
                    .unwrap()
                    .replace("\r\n", "\n"),
            )
        })
        .collect()
}

#[test]
fn nhs_live_plan() {
    let plan = compile("examples/nhs-credential-management.yaml");
    insta::assert_snapshot!(policyc::cli::render_plan(&plan));
}

#[test]
fn nhs_live_reg() {
    let plan = compile("examples/nhs-credential-management.yaml");
    for (name, text) in reg_texts(&plan) {
        insta::assert_snapshot!(format!("nhs_live_{name}"), text);
    }
}

#[test]
fn nhs_int_reg() {
    let plan = compile("examples/nhs-credential-management-int.yaml");
    let texts = reg_texts(&plan);
    let machine = &texts.iter().find(|(n, _)| n == "machine.reg").unwrap().1;
    insta::assert_snapshot!("nhs_int_machine.reg", machine);
}
