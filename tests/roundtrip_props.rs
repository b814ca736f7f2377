//! Property test: for arbitrary valid specs, the `.reg` files, the Registry.pol files
//! (stand-alone and inside the GPO backup) and the ADMX (its policies enabled with the
//! spec's list entries) read back through policyc's own readers to exactly the plan:
//! every value present with its type and data, no stale list entry.
//! (The real consumers, Wine, hivex and Samba, check the examples in the interop tests.)

use policyc::admx::{ids, reader};
use policyc::catalog::Catalog;
use policyc::plan::Action;
use policyc::reg::Hive;
use policyc::validate::Value;
use policyc::verify::{model::Registry, verify, Status};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

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
        let out = policyc::compile("prop.yaml", spec.as_bytes(), catalog);
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
        // The ADMX: each policy, enabled with the spec's list entries, writes exactly its
        // plan group's operations.
        let loaded = policyc::spec::load_bytes("prop.yaml", spec.as_bytes()).unwrap();
        let validated = policyc::validate::validate(&loaded, catalog).0.unwrap();
        type W = (Hive, String, Option<String>, Option<policyc::reg::RegData>);
        let mut want: BTreeMap<String, BTreeSet<W>> = BTreeMap::new();
        let mut group_of: BTreeMap<String, String> = BTreeMap::new();
        for op in &plan.ops {
            let p = &op.provenance;
            let w = match &op.action {
                Action::ResetKey => (op.hive, op.key.to_lowercase(), None, None),
                Action::Set { name, data } => (op.hive, op.key.to_lowercase(), Some(name.clone()), Some(data.clone())),
            };
            let policy = ids::policy_name(&p.setting, &p.product, &p.location, op.hive);
            want.entry(policy.clone()).or_default().insert(w);
            group_of.insert(policy, p.spec_path.clone());
        }
        let text = |suffix: &str| {
            let (_, b) = files.iter().find(|(p, _)| p.ends_with(suffix)).unwrap();
            reader::decode(b).unwrap()
        };
        let admx = reader::read_admx(&text("prop.admx")).unwrap();
        let adml = reader::read_adml(&text("en-US/prop.adml")).unwrap();
        prop_assert_eq!(admx.policies.len(), want.len());
        for pol in &admx.policies {
            let path = &group_of[&pol.name];
            let setting = validated.settings.iter().find(|s| &s.spec_path() == path).unwrap();
            let mut inputs = reader::Inputs::default();
            for e in pol.elements.iter().filter(|e| e.kind == "list") {
                let entries = match &setting.value {
                    Value::List(items) => items.iter().map(|i| (String::new(), i.clone())).collect(),
                    Value::ZoneMap(sites) => sites.iter().map(|(s, z)| (s.clone(), (*z as u32).to_string())).collect(),
                    other => panic!("{path}: a list element for {other:?}"),
                };
                inputs.lists.insert(e.id.clone(), entries);
            }
            let got: BTreeSet<W> = pol
                .enabled_writes(Some(&adml), &inputs)
                .unwrap()
                .into_iter()
                .map(|w| match w {
                    reader::Write::ClearKey { hive, key } => (hive, key.to_lowercase(), None, None),
                    reader::Write::Set { hive, key, name, data } => (hive, key.to_lowercase(), Some(name), Some(data)),
                    reader::Write::Delete { .. } => panic!("policyc's ADMX never deletes a value"),
                })
                .collect();
            prop_assert_eq!(&got, &want[&pol.name], "ADMX policy {}\n{}", pol.name, spec);
        }

        for (label, reg) in &readings {
            let report = verify(&plan, reg, catalog);
            let bad: Vec<_> = report.checks.iter().filter(|c| c.status != Status::Ok).collect();
            prop_assert!(bad.is_empty(), "{label}: {bad:#?}\n{spec}");
            prop_assert_eq!(report.checks.len(), sets, "{}: every planned value is checked once", label);
        }
    }
}
