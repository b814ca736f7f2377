//! Property test: for arbitrary valid specs, the `.reg` files and the Registry.pol files
//! (stand-alone and inside the GPO backup) read back through policyc's own readers to
//! exactly the plan: every value present with its type and data, no stale list entry.
//! (The real consumers, Wine, hivex and Samba, check the examples in the interop tests.)

use policyc::catalog::Catalog;
use policyc::plan::Action;
use policyc::reg::Hive;
use policyc::verify::{model::Registry, verify, Status};
use proptest::prelude::*;

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,8}"
}

fn labels(max: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set(label(), 1..max).prop_map(|s| s.into_iter().collect())
}

/// YAML for one spec built from the chosen parts; every value is valid for its setting.
#[allow(clippy::too_many_arguments)]
fn spec_yaml(
    products: &[&str],
    bools: &[(usize, bool, &str, &str)],
    lna: &[String],
    auth: &[String],
    cookies: &[String],
    zones: &[(String, u8)],
    zone_form: &str,
    issuers: &[String],
) -> String {
    let ids = [
        "intranet-auto-detect",
        "intranet-include-local-sites",
        "intranet-include-proxy-bypass",
        "intranet-include-unc-paths",
    ];
    let mut s = format!(
        "policyc: 1\nbundle: {{name: prop, display_name: Prop, version: '1.2.3', publisher: P}}\nproducts: [{}]\nclients: {{smartcard-connect: '3.13'}}\nsettings:\n",
        products.join(", ")
    );
    let mut seen = std::collections::BTreeSet::new();
    for (i, v, scope, form) in bools {
        if seen.insert((ids[*i % 4], *scope)) {
            s.push_str(&format!(
                "  - {{id: {}, value: {v}, scope: {scope}, form: {form}}}\n",
                ids[*i % 4]
            ));
        }
    }
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("'{i}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    s.push_str(&format!(
        "  - {{id: lna-allowed-origins, value: [{}]}}\n",
        list(
            &lna.iter()
                .map(|l| format!("https://{l}.nhs.uk"))
                .collect::<Vec<_>>()
        )
    ));
    s.push_str(&format!(
        "  - {{id: auth-server-allowlist, value: [{}], scope: user}}\n",
        list(
            &auth
                .iter()
                .map(|l| format!("{l}.nhs.uk"))
                .collect::<Vec<_>>()
        )
    ));
    s.push_str(&format!(
        "  - {{id: cookies-allowed-for-urls, value: [{}]}}\n",
        list(
            &cookies
                .iter()
                .map(|l| format!("http://{l}"))
                .collect::<Vec<_>>()
        )
    ));
    let zone_map: Vec<String> = zones
        .iter()
        .map(|(h, z)| format!("'http://{h}': {z}"))
        .collect();
    s.push_str(&format!(
        "  - {{id: intranet-zone-sites, form: {zone_form}, value: {{{}}}}}\n",
        zone_map.join(", ")
    ));
    s.push_str(&format!(
        "  - {{id: smartcard-connect-trusted-certificate-issuers, form: both, value: [{}]}}\n",
        list(
            &issuers
                .iter()
                .map(|l| format!("CN=NHS {l}, OU=CA, O=nhs"))
                .collect::<Vec<_>>()
        )
    ));
    s.push_str("  - {id: oberthur-enable-nhs-enrollment, value: 0}\n");
    s
}

fn spec_strategy() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just(vec!["chrome"]),
            Just(vec!["edge"]),
            Just(vec!["chrome", "edge"])
        ],
        proptest::collection::vec(
            (
                0usize..4,
                any::<bool>(),
                prop_oneof![Just("machine"), Just("user")],
                prop_oneof![Just("policy"), Just("preference"), Just("both")],
            ),
            0..6,
        ),
        labels(12),
        labels(6),
        labels(6),
        proptest::collection::btree_map(label(), 1u8..=4, 1..8),
        prop_oneof![Just("policy"), Just("preference"), Just("both")],
        labels(5),
    )
        .prop_map(
            |(products, bools, lna, auth, cookies, zones, zone_form, issuers)| {
                let zones: Vec<(String, u8)> = zones.into_iter().collect();
                spec_yaml(
                    &products, &bools, &lna, &auth, &cookies, &zones, zone_form, &issuers,
                )
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn reg_and_pol_read_back_to_the_plan(spec in spec_strategy()) {
        let catalog = Catalog::builtin().unwrap();
        let out = policyc::compile("prop.yaml", spec.as_bytes(), &catalog);
        let plan = out.plan.unwrap_or_else(|| panic!("generated spec is invalid: {:#?}\n{spec}", out.diagnostics));
        let files = policyc::bundle_files(&plan).unwrap();
        let sets = plan.ops.iter().filter(|o| matches!(o.action, Action::Set { .. })).count();

        // Each reading: the .reg files; pol/; the GPO backup's registry.pol files.
        let mut readings: Vec<(&str, Registry)> = Vec::new();
        let mut from_reg = Registry::default();
        for (p, bytes) in files.iter().filter(|(p, _)| p.ends_with(".reg")) {
            from_reg.add_reg(bytes).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
        // Our .reg files are not `reg export`s of one key: they stand for their whole hive.
        from_reg.roots = vec!["hkey_local_machine".into(), "hkey_current_user".into()];
        readings.push(("reg", from_reg));
        for (label, machine_suffix, user_suffix) in [
            ("pol", "pol/Machine/Registry.pol", "pol/User/Registry.pol"),
            ("gpo-backup", "/DomainSysvol/GPO/Machine/registry.pol", "/DomainSysvol/GPO/User/registry.pol"),
        ] {
            let mut r = Registry::default();
            for (p, bytes) in &files {
                let hive = if p.ends_with(machine_suffix) {
                    Hive::Hklm
                } else if p.ends_with(user_suffix) {
                    Hive::Hkcu
                } else {
                    continue;
                };
                r.add_pol(hive, bytes).unwrap_or_else(|e| panic!("{p}: {e}"));
            }
            readings.push((label, r));
        }
        for (label, reg) in &readings {
            let report = verify(&plan, reg, &catalog);
            let bad: Vec<_> = report.checks.iter().filter(|c| c.status != Status::Ok).collect();
            prop_assert!(bad.is_empty(), "{label}: {bad:#?}\n{spec}");
            prop_assert_eq!(report.checks.len(), sets, "{}: every planned value is checked once", label);
        }
    }
}
