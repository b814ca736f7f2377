//! Arbitrary valid specs for the property tests (`tests/roundtrip_props.rs`) and the
//! interop tests that feed a few of them to the real consumers: every setting of the
//! catalog, machine and user scope, policy and preference forms, one or both browsers,
//! lists of 1 to 11 entries and zone maps of 1 to 7 sites.

use proptest::prelude::*;

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,8}"
}

fn labels(max: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set(label(), 1..max).prop_map(|s| s.into_iter().collect())
}

/// Text that must come through every format unchanged: quotes (PowerShell's typographic
/// ones too), markup, `$()`, backticks, comment markers. Each fits a bundle string and
/// the value of an issuer's CN (no `,` or `;`).
pub const HOSTILE_TEXT: [&str; 7] = [
    "St John's NHS Trust",
    "\u{2018}Trust\u{2019} \u{201A}x\u{201B}",
    "$(calc) `whoami` @(1) ${env:TEMP}",
    "<&> \"quoted\" ]]> </x>",
    "#> <# -- */",
    "100% \\server\\share %TEMP%",
    "Plain",
];

/// The bundle's display name, publisher and description.
#[derive(Debug, Clone)]
pub struct BundleText {
    pub display_name: String,
    pub publisher: String,
    pub description: Option<String>,
}

/// A YAML scalar holding exactly `s` (a JSON string is a YAML double-quoted scalar).
pub fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// YAML for one spec built from the chosen parts; every value is valid for its setting.
#[allow(clippy::too_many_arguments)]
pub fn spec_yaml(
    bundle: &BundleText,
    products: &[&str],
    bools: &[(usize, bool, &str, &str)],
    lna: &[String],
    auth: &[String],
    auth_scope: &str,
    cookies: &[String],
    zones: &[(String, u8)],
    zone_form: &str,
    issuers: &[(String, &str)],
) -> String {
    let ids = [
        "intranet-auto-detect",
        "intranet-include-local-sites",
        "intranet-include-proxy-bypass",
        "intranet-include-unc-paths",
    ];
    let description = bundle
        .description
        .as_deref()
        .map_or(String::new(), |d| format!(", description: {}", yaml_str(d)));
    let mut s = format!(
        "policyc: 1\nbundle: {{name: prop, display_name: {}, version: '1.2.3', publisher: {}{description}}}\nproducts: [{}]\nclients: {{smartcard-connect: '3.13'}}\nsettings:\n",
        yaml_str(&bundle.display_name),
        yaml_str(&bundle.publisher),
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
            .map(|i| yaml_str(i))
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
        "  - {{id: auth-server-allowlist, value: [{}], scope: {auth_scope}}}\n",
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
                .map(|(l, text)| format!("CN=NHS {l} {text}, OU=CA, O=nhs"))
                .collect::<Vec<_>>()
        )
    ));
    s.push_str("  - {id: oberthur-enable-nhs-enrollment, value: 0}\n");
    s
}

fn text() -> impl Strategy<Value = String> {
    proptest::sample::select(HOSTILE_TEXT.to_vec()).prop_map(str::to_string)
}

pub fn spec_strategy() -> impl Strategy<Value = String> {
    let bundle = (text(), text(), proptest::option::of(text())).prop_map(
        |(display_name, publisher, description)| BundleText {
            display_name,
            publisher,
            description,
        },
    );
    (
        (
            bundle,
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
        ),
        labels(12),
        labels(6),
        prop_oneof![Just("machine"), Just("user")],
        labels(6),
        proptest::collection::btree_map(label(), 1u8..=4, 1..8),
        prop_oneof![Just("policy"), Just("preference"), Just("both")],
        proptest::collection::btree_map(
            label(),
            proptest::sample::select(HOSTILE_TEXT.to_vec()),
            1..5,
        ),
    )
        .prop_map(
            |(
                (bundle, products, bools),
                lna,
                auth,
                auth_scope,
                cookies,
                zones,
                zone_form,
                issuers,
            )| {
                let zones: Vec<(String, u8)> = zones.into_iter().collect();
                let issuers: Vec<(String, &str)> = issuers.into_iter().collect();
                spec_yaml(
                    &bundle, &products, &bools, &lna, &auth, auth_scope, &cookies, &zones,
                    zone_form, &issuers,
                )
            },
        )
}

/// The first `n` plans the generator gives from a fixed seed (the same on every run),
/// with their names `gen0` .. `gen{n-1}`: for the interop tests, which feed a few
/// generated specs to a real consumer rather than run a whole property test.
pub fn sample_plans(n: usize) -> Vec<(String, policyc::plan::Plan)> {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..n)
        .map(|i| {
            let spec = spec_strategy().new_tree(&mut runner).unwrap().current();
            let name = format!("gen{i}");
            let plan = super::plan_from(&format!("{name}.yaml"), spec.as_bytes());
            (name, plan)
        })
        .collect()
}
