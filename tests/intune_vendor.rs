//! Intune custom OMA-URI routes of vendor ADMX policies (`policyc::intune::vendor`) on a real
//! central store, `../shared/vendor-admx/PolicyDefinitions` (or `POLICYC_VENDOR_ADMX`):
//!
//! - every curated catalog location with a `vendor:` record and a vendor-admx Intune route
//!   derives the same OMA-URI and data id from the vendor's own file; the records with a
//!   Policy CSP route (inetres.admx, a Windows template) derive none;
//! - the products' `intune_admx:` records name the store's file, namespace and `using` files;
//! - every policy of chrome.admx and msedge.admx has a route, no Microsoft.Policies.*
//!   template outside them has one, and every route's segments are letters, digits and `_`;
//! - every chrome.admx and msedge.admx policy, with a value for each element, gives a payload
//!   that an XML parser reads back to the registry writes the Group Policy engine makes for
//!   the same state (`admx::state`), as Microsoft's page says the Policy CSP applies them;
//! - the ingestion settings and payloads, as a `windows10CustomConfiguration`, pass
//!   Microsoft's Graph models (`tests/graph_check.py`), with a control.

mod common;

use policyc::admx::reader::{Element, Policy, Value, Write};
use policyc::admx::state::{ElementValue, PolicyState};
use policyc::admx::store::Store;
use policyc::catalog::Catalog;
use policyc::intune::route::{uri_segment_ok, RouteKind};
use policyc::intune::vendor::{self, payload};
use policyc::intune::{OmaSetting, OmaValue, Profile, PROFILE_TYPE};
use policyc::reg::{Hive, RegData};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

fn store_dir() -> Option<PathBuf> {
    common::require_shared(
        "POLICYC_VENDOR_ADMX",
        "vendor-admx/PolicyDefinitions",
        "chrome.admx",
    )
}

fn store() -> Option<(&'static Store, PathBuf)> {
    static STORE: OnceLock<Store> = OnceLock::new();
    let dir = store_dir()?;
    Some((
        STORE.get_or_init(|| Store::load(&dir, "en-US").unwrap()),
        dir,
    ))
}

fn hive_of(scope: &policyc::catalog::Scope) -> Hive {
    match scope {
        policyc::catalog::Scope::Machine => Hive::Hklm,
        policyc::catalog::Scope::User => Hive::Hkcu,
    }
}

#[test]
fn derived_routes_equal_the_curated_ones() {
    let Some((store, _)) = store() else { return };
    let c = Catalog::builtin().unwrap();
    let (mut vendor_routes, mut csp) = (0, 0);
    for e in &c.entries {
        for l in &e.registry {
            for vp in &l.vendor {
                let p = store
                    .get(&vp.policy)
                    .unwrap_or_else(|| panic!("{} not in the store", vp.policy));
                for product in &vp.products {
                    let r = l
                        .intune
                        .iter()
                        .find(|r| r.products.contains(product))
                        .unwrap_or_else(|| panic!("{} {}: no route for {product}", e.id, l.name));
                    for scope in &e.scopes {
                        let hive = hive_of(scope);
                        let got = vendor::route(store, p, hive, c);
                        match r.route {
                            RouteKind::VendorAdmx => {
                                vendor_routes += 1;
                                let got = got.unwrap_or_else(|m| panic!("{}: {m}", vp.policy));
                                let want = format!(
                                    "./{}/Vendor/MSFT/Policy/Config/{}~Policy~{}/{}",
                                    policyc::intune::uri_scope(hive),
                                    r.vendor_app.as_deref().unwrap(),
                                    r.vendor_area.as_deref().unwrap(),
                                    r.vendor_policy.as_deref().unwrap()
                                );
                                assert_eq!(got.uri, want, "{} {}", e.id, l.name);
                                assert_eq!(Some(&got.ingest.app), r.vendor_app.as_ref());
                                // The value rides on the policy's one element, the route's data id.
                                let ids: Vec<&str> =
                                    got.data_ids.iter().map(String::as_str).collect();
                                assert_eq!(ids, [r.data_id.as_deref().unwrap()], "{}", vp.policy);
                                assert_eq!(got.category, vp.category);
                                assert_eq!(got.ingest.file, vp.file);
                                assert_eq!(got.ingest.requires, vp.requires);
                            }
                            _ => {
                                csp += 1;
                                let m = got.unwrap_err();
                                assert!(m.contains("Microsoft template"), "{}: {m}", vp.policy);
                            }
                        }
                    }
                }
            }
        }
    }
    // Chrome and Edge: LNA x2, AuthServerAllowlist, CookiesAllowedForUrls, machine and user.
    assert_eq!(vendor_routes, 16);
    // inetres.admx: five Policy CSP locations, machine and user.
    assert_eq!(csp, 10);
}

#[test]
fn product_records_match_the_store() {
    let Some((store, _)) = store() else { return };
    let c = Catalog::builtin().unwrap();
    let mut seen = 0;
    for p in c.products.values() {
        let Some(a) = &p.intune_admx else { continue };
        seen += 1;
        let f = store
            .files
            .iter()
            .find(|f| f.name == a.file)
            .unwrap_or_else(|| panic!("{}: no {} in the store", p.id, a.file));
        assert_eq!(f.admx.target.namespace, a.namespace, "{}", p.id);
        let (ingest, _) = vendor::ingest_for(store, c, &a.file).unwrap();
        assert_eq!(ingest.requires, a.requires, "{}", p.id);
        assert_eq!(
            (ingest.app.as_str(), ingest.file_uid.as_str()),
            (a.app.as_str(), a.file_uid.as_str())
        );
    }
    assert_eq!(seen, 2);
}

#[test]
fn every_chrome_and_edge_policy_routes_and_microsoft_templates_do_not() {
    let Some((store, _)) = store() else { return };
    let c = Catalog::builtin().unwrap();
    let mut per_file: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for p in store.policies() {
        let hive = if p.policy.allows(Hive::Hklm) {
            Hive::Hklm
        } else {
            Hive::Hkcu
        };
        let counts = per_file.entry(p.file.name.as_str()).or_default();
        match vendor::route(store, p, hive, c) {
            Ok(r) => {
                counts.0 += 1;
                let rest = r
                    .uri
                    .strip_prefix("./Device/Vendor/MSFT/Policy/Config/")
                    .or_else(|| r.uri.strip_prefix("./User/Vendor/MSFT/Policy/Config/"))
                    .unwrap();
                let (area, policy) = rest.split_once('/').unwrap();
                assert!(uri_segment_ok(policy), "{}", r.uri);
                assert!(area.split('~').all(uri_segment_ok), "{}", r.uri);
                assert!(uri_segment_ok(&r.ingest.file_uid), "{}", r.uri);
                assert!(
                    !p.file
                        .admx
                        .target
                        .namespace
                        .starts_with("Microsoft.Policies.")
                        || r.ingest.documented_by.is_some(),
                    "{}: {}",
                    p.id(),
                    r.uri
                );
            }
            Err(m) => {
                counts.1 += 1;
                assert!(!m.is_empty());
            }
        }
    }
    assert_eq!(per_file["chrome.admx"], (733, 0));
    assert_eq!(per_file["msedge.admx"], (848, 0));
    assert_eq!(per_file["inetres.admx"].0, 0);
    assert!(
        !per_file.contains_key("google.admx"),
        "google.admx has no policies"
    );
    // A third-party template outside Software\Policies\Microsoft gets a derived App.
    // msedge.admx writes within Software\Policies\Microsoft: its documented route stays,
    // with the disagreement of Microsoft's two pages as a caveat; chrome.admx has none.
    let edge = store
        .get("Microsoft.Policies.Edge:AuthServerAllowlist")
        .unwrap();
    let r = vendor::route(store, edge, Hive::Hklm, c).unwrap();
    assert_eq!(r.caveats.len(), 1, "{:?}", r.caveats);
    assert!(
        r.caveats[0].contains("within `Software\\Policies\\Microsoft`"),
        "{:?}",
        r.caveats
    );
    assert!(
        r.describe().contains("ADMXInstall/Edge/Policy/EdgeAdmx"),
        "{}",
        r.describe()
    );
    let chrome = store
        .get("Google.Policies.Chrome:AuthServerAllowlist")
        .unwrap();
    assert!(vendor::route(store, chrome, Hive::Hkcu, c)
        .unwrap()
        .caveats
        .is_empty());
    // A Windows template: no route, and the reason says why.
    let ie = store
        .get("Microsoft.Policies.InternetExplorer:IZ_ProxyByPass")
        .unwrap();
    let m = vendor::route(store, ie, Hive::Hklm, c).unwrap_err();
    assert!(m.contains("inetres.admx is a Microsoft template"), "{m}");
    // A class Machine policy has no ./User route.
    let machine = store
        .policies()
        .find(|p| p.policy.class == "Machine" && vendor::route(store, *p, Hive::Hklm, c).is_ok())
        .unwrap();
    assert!(vendor::route(store, machine, Hive::Hkcu, c)
        .unwrap_err()
        .contains("no User OMA-URI"));
    let p = store
        .get("Mozilla.Policies.Firefox:DisableTelemetry")
        .unwrap();
    let r = vendor::route(store, p, Hive::Hklm, c).unwrap();
    assert_eq!(r.ingest.app, "firefox");
    assert_eq!(r.ingest.file_uid, "firefoxAdmx");
    assert_eq!(r.ingest.requires, ["mozilla.admx"]);
    assert!(r.ingest.documented_by.is_none());
}

/// A value for every element of `p` (XML-special characters in every string).
fn every_value(p: &Policy) -> BTreeMap<String, ElementValue> {
    let mut out = BTreeMap::new();
    for e in &p.elements {
        let v = match e.kind.as_str() {
            "boolean" => ElementValue::Bool(true),
            "decimal" => ElementValue::Number(
                e.attr("minValue")
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(0)
                    .max(1),
            ),
            "longDecimal" => ElementValue::Number(1 << 33),
            "text" => ElementValue::Text("a&b <c> \"q\" 'x'\ttab\r\nline ]]>".into()),
            "multiText" => ElementValue::Strings(vec!["one".into(), "two & <three>".into()]),
            "enum" => match e.enum_items.iter().rposition(|i| {
                matches!(
                    i.value,
                    Some(Value::Decimal(_) | Value::LongDecimal(_) | Value::String(_))
                )
            }) {
                Some(i) => ElementValue::Enum(i),
                None => continue,
            },
            "list" => ElementValue::List(vec![
                ("n1".into(), "https://a.example/?x=1&y=<2>".into()),
                ("n2".into(), "b\"c".into()),
            ]),
            other => panic!("{}: element kind {other}", p.name),
        };
        out.insert(e.id.clone(), v);
    }
    out
}

/// The `<data>` elements of a payload, read with an XML parser (the values as the device
/// would read them: entities and character references resolved).
fn read_payload(s: &str) -> (String, Vec<(String, String)>) {
    let doc = format!("<r>{s}</r>");
    let mut r = quick_xml::Reader::from_str(&doc);
    let mut state = String::new();
    let mut data = Vec::new();
    loop {
        match r.read_event().unwrap() {
            quick_xml::events::Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                if name == "data" {
                    let mut id = None;
                    let mut value = None;
                    for a in e.attributes() {
                        let a = a.unwrap();
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned();
                        match a.key.as_ref() {
                            "id" => id = Some(v),
                            "value" => value = Some(v),
                            k => panic!("attribute {k:?}"),
                        }
                    }
                    data.push((id.unwrap(), value.unwrap()));
                } else {
                    assert!(state.is_empty() && data.is_empty(), "{s}");
                    state = name;
                }
            }
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "r" => {}
            quick_xml::events::Event::End(e) if e.name().as_ref() == "r" => {}
            other => panic!("unexpected {other:?} in {s}"),
        }
    }
    (state, data)
}

/// What the Group Policy engine writes for element `e` alone with value `v` (from
/// `admx::state`), in the form the payload carries it: list entries as name/value pairs
/// and multiText strings joined by U+F000, numbers in decimal, an enum as its item's value.
fn engine_value(p: &Policy, e: &Element, v: &ElementValue, hive: Hive) -> String {
    let mut alone = p.clone();
    alone.value_name = None;
    alone.enabled_list = None;
    alone.elements = vec![e.clone()];
    let state = PolicyState::Enabled([(e.id.clone(), v.clone())].into());
    let sets: Vec<(String, RegData)> = alone
        .writes(hive, &state)
        .unwrap()
        .into_iter()
        .filter_map(|w| match w {
            Write::Set { name, data, .. } => Some((name, data)),
            _ => None,
        })
        .collect();
    let text = |d: &RegData| match d {
        RegData::Sz(s) | RegData::ExpandSz(s) => s.clone(),
        RegData::Dword(n) => n.to_string(),
        RegData::Qword(n) => n.to_string(),
        other => panic!("{}: {other:?}", e.id),
    };
    match (e.kind.as_str(), v) {
        ("list", _) => sets
            .iter()
            .flat_map(|(n, d)| [n.clone(), text(d)])
            .collect::<Vec<_>>()
            .join("\u{F000}"),
        ("multiText", _) => match &sets[..] {
            [(_, RegData::MultiSz(l))] => l.join("\u{F000}"),
            other => panic!("{other:?}"),
        },
        ("decimal" | "longDecimal" | "text", _) => match &sets[..] {
            [(_, d)] => text(d),
            other => panic!("{}: {other:?}", e.id),
        },
        // The device maps the check box state to trueValue/falseValue itself.
        ("boolean", ElementValue::Bool(b)) => b.to_string(),
        ("enum", ElementValue::Enum(i)) => match &e.enum_items[*i].value {
            Some(Value::Decimal(d)) => d.to_string(),
            Some(Value::LongDecimal(d)) => d.to_string(),
            Some(Value::String(s)) => s.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn payloads_read_back_to_the_engine_writes() {
    // Every policy of the store (the payload does not depend on the route): Chrome and Edge
    // use text, decimal, enum and list elements; Windows' and other templates add boolean
    // and multiText.
    let Some((store, _)) = store() else { return };
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    let mut checked = 0;
    for p in store.policies() {
        let policy = p.policy;
        let hive = if policy.allows(Hive::Hklm) {
            Hive::Hklm
        } else {
            Hive::Hkcu
        };
        let values = every_value(policy);
        let state = PolicyState::Enabled(values.clone());
        let s = match payload(policy, &state) {
            Ok(s) => s,
            Err(m) => {
                // Only an enum whose items share a value may refuse this state.
                assert!(m.contains("has the same value"), "{}: {m}", p.id());
                *refused.entry(p.file.name.clone()).or_default() += 1;
                continue;
            }
        };
        let (st, data) = read_payload(&s);
        assert_eq!(st, "enabled", "{s}");
        let want: Vec<(String, String)> = policy
            .elements
            .iter()
            .filter_map(|e| {
                let v = values.get(&e.id)?;
                Some((e.id.clone(), engine_value(policy, e, v, hive)))
            })
            .collect();
        assert_eq!(data, want, "{}", p.id());
        for e in policy
            .elements
            .iter()
            .filter(|e| values.contains_key(&e.id))
        {
            *kinds.entry(e.kind.clone()).or_default() += 1;
        }
        let (st, data) = read_payload(&payload(policy, &PolicyState::Disabled).unwrap());
        assert_eq!((st.as_str(), data.len()), ("disabled", 0));
        if matches!(p.file.name.as_str(), "chrome.admx" | "msedge.admx") {
            checked += 1;
        }
    }
    assert_eq!(checked, 733 + 848, "refused: {refused:?}");
    let names: Vec<&str> = kinds.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        // No template of the store has a longDecimal element (the unit tests cover it).
        ["boolean", "decimal", "enum", "list", "multiText", "text"],
        "{kinds:?}"
    );
    eprintln!("element values read back: {kinds:?}; refused: {refused:?}");
}

#[test]
fn a_changed_payload_is_caught_by_the_read_back() {
    // Control for the test above: a list payload whose names are the entries' own names
    // instead of the engine's 1, 2 (what an explicitValue reading would send) differs.
    let Some((store, _)) = store() else { return };
    let p = store
        .get("Microsoft.Policies.Edge:LocalNetworkAccessAllowedForUrls")
        .unwrap();
    let entries = vec![("n1".to_string(), "https://a".to_string())];
    let state = PolicyState::Enabled(
        [(
            "LocalNetworkAccessAllowedForUrlsDesc".to_string(),
            ElementValue::List(entries),
        )]
        .into(),
    );
    let s = payload(p.policy, &state).unwrap();
    assert_eq!(
        s,
        r#"<enabled/><data id="LocalNetworkAccessAllowedForUrlsDesc" value="1&#xF000;https://a"/>"#
    );
    let e = &p.policy.elements[0];
    let want = engine_value(
        p.policy,
        e,
        &ElementValue::List(vec![("n1".into(), "https://a".into())]),
        Hive::Hklm,
    );
    let forged = s.replace("value=\"1", "value=\"n1");
    assert_ne!(read_payload(&forged).1[0].1, want);
    assert_eq!(read_payload(&s).1[0].1, want);
}

#[test]
fn ingestion_and_payloads_pass_the_graph_models() {
    let Some((store, dir)) = store() else { return };
    if !common::require_python(
        "msgraph.generated.models.windows10_custom_configuration",
        "'msgraph-sdk==1.65.0'",
    ) {
        return;
    }
    let c = Catalog::builtin().unwrap();
    let mut settings: Vec<OmaSetting> = Vec::new();
    for file in ["chrome.admx", "msedge.admx"] {
        let (ingest, _) = vendor::ingest_for(store, c, file).unwrap();
        let s = vendor::ingest_setting(&dir, &ingest).unwrap();
        // The value is the vendor's file, unchanged (both are ASCII with CRLF line ends).
        let OmaValue::String(text) = &s.value else {
            panic!()
        };
        assert_eq!(text.as_bytes(), std::fs::read(dir.join(file)).unwrap());
        settings.push(s);
    }
    assert_eq!(
        settings[0].oma_uri,
        "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/Chrome/Policy/ChromeAdmx"
    );
    assert_eq!(
        settings[1].oma_uri,
        "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/Edge/Policy/EdgeAdmx"
    );
    for id in [
        "Microsoft.Policies.Edge:LocalNetworkAccessAllowedForUrls",
        "Microsoft.Policies.Edge:ProxyMode",
        "Google.Policies.Chrome:RestoreOnStartup",
        "Google.Policies.Chrome:AuthServerAllowlist",
    ] {
        let p = store.get(id).unwrap();
        let r = vendor::route(store, p, Hive::Hklm, c).unwrap();
        let state = PolicyState::Enabled(every_value(p.policy));
        let s = vendor::setting(p, &r, &state, "settings[0]").unwrap();
        assert_eq!(s.oma_uri, r.uri);
        settings.push(s);
        settings.push(vendor::setting(p, &r, &PolicyState::Disabled, "settings[1]").unwrap());
    }
    let profile = Profile {
        odata_type: PROFILE_TYPE,
        display_name: "vendor routes".into(),
        description: String::new(),
        oma_settings: settings,
    };
    let good = serde_json::to_vec_pretty(&profile).unwrap();
    // Control: an ingestion value that is not a string.
    let mut bad: serde_json::Value = serde_json::from_slice(&good).unwrap();
    bad["omaSettings"][0]["value"] = serde_json::json!(1);
    let out = common::run_python_checker(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/graph_check.py"),
        &[
            ("good.json".into(), good),
            ("bad.json".into(), serde_json::to_vec(&bad).unwrap()),
        ],
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["errors"], serde_json::json!([]), "{}", lines[0]);
    assert_ne!(lines[1]["errors"], serde_json::json!([]), "{}", lines[1]);
}

#[test]
fn a_moved_category_changes_the_derived_route() {
    // Control for the curated comparison: the path comes from the file, so a template that
    // moves the policy to another category (as pre-release msedge.admx builds did for LNA,
    // `LocalNetworkAccessSettings` instead of `Network`) no longer matches the catalog.
    let Some((store, _)) = store() else { return };
    let p = store
        .get("Microsoft.Policies.Edge:LocalNetworkAccessAllowedForUrls")
        .unwrap();
    let mut admx = p.file.admx.clone();
    assert_eq!(
        vendor::category_path(&admx, p.policy).unwrap(),
        "microsoft_edge~Network"
    );
    let mut policy = p.policy.clone();
    policy.parent_category = Some("Proxy".into());
    assert_eq!(
        vendor::category_path(&admx, &policy).unwrap(),
        "microsoft_edge~Proxy"
    );
    // A parent in another namespace ends the path (Chrome's googlechrome -> Google:Cat_Google).
    let root = admx
        .categories
        .iter_mut()
        .find(|c| c.name == "microsoft_edge")
        .unwrap();
    root.parent = Some("Vendor:Cat_Vendor".into());
    assert_eq!(
        vendor::category_path(&admx, p.policy).unwrap(),
        "microsoft_edge~Network"
    );
}
