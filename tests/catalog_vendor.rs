//! The curated catalog's vendor facts (`vendor:` on a registry location) checked against
//! a real central store, `../shared/vendor-admx/PolicyDefinitions` (or
//! `POLICYC_VENDOR_ADMX`), read with policyc's own ADMX reader: namespace, policy, class,
//! key and value name spelt exactly, registry type, list layout, category path, element
//! id and the template version. Negative controls change one fact each and expect the
//! check to say so.

mod common;

use policyc::admx::reader::{decode, read_admx, Admx};
use policyc::catalog::{Catalog, Entry, Location, Product, VendorPolicy};
use std::path::PathBuf;

fn store() -> Option<PathBuf> {
    common::require_shared(
        "POLICYC_VENDOR_ADMX",
        "vendor-admx/PolicyDefinitions",
        "chrome.admx",
    )
}

fn read(dir: &std::path::Path, file: &str) -> (Admx, String) {
    let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let text = decode(&bytes).unwrap();
    (
        read_admx(&text).unwrap_or_else(|e| panic!("{file}: {e}")),
        text,
    )
}

/// The version a template names: Chrome's and Edge's `<!--... version: X-->` comment,
/// else the root's `revision`.
fn version(admx: &Admx, text: &str) -> String {
    let head = &text[..text.len().min(400)];
    head.split_once(" version: ")
        .and_then(|(_, rest)| rest.split_once("-->"))
        .map_or_else(|| admx.revision.clone(), |(v, _)| v.trim().to_string())
}

type Fact<'a> = (&'a Entry, &'a Location, &'a VendorPolicy, &'a Product);

fn facts(c: &Catalog) -> Vec<Fact<'_>> {
    let mut v = Vec::new();
    for e in &c.entries {
        for l in &e.registry {
            for vp in &l.vendor {
                for p in &vp.products {
                    v.push((e, l, vp, &c.products[p]));
                }
            }
        }
    }
    v
}

#[test]
fn every_vendor_fact_matches_the_vendor_template() {
    let Some(dir) = store() else { return };
    let c = Catalog::builtin().unwrap();
    let facts = facts(c);
    // Chrome and Edge: LNA x2, AuthServerAllowlist, CookiesAllowedForUrls; inetres: 5.
    assert_eq!(facts.len(), 13, "{}", facts.len());
    for (e, l, vp, prod) in facts {
        let (admx, text) = read(&dir, &vp.file);
        let errs = vp.check_against(e, l, prod, &admx);
        assert!(
            errs.is_empty(),
            "{} {} ({}): {errs:#?}",
            e.id,
            l.name,
            prod.id
        );
        // Every `using` namespace other than Windows' own resolves to a listed file.
        for u in &admx.using {
            if u.namespace.starts_with("Microsoft.Policies.Windows")
                || u.namespace == "Microsoft.Policies.Products"
            {
                continue;
            }
            let listed = vp
                .requires
                .iter()
                .any(|f| read(&dir, f).0.target.namespace == u.namespace);
            assert!(
                listed,
                "{}: uses {} but requires {:?}",
                vp.file, u.namespace, vp.requires
            );
        }
        let v = version(&admx, &text);
        assert!(
            vp.versions_seen.contains(&v),
            "{} {}: the store's {} is version {v}, not in versions_seen {:?}",
            e.id,
            l.name,
            vp.file,
            vp.versions_seen
        );
    }
}

#[test]
fn a_changed_fact_is_reported() {
    let Some(dir) = store() else { return };
    let c = Catalog::builtin().unwrap();
    let (chrome, _) = read(&dir, "chrome.admx");
    let (inetres, _) = read(&dir, "inetres.admx");
    let find = |id: &str, loc: &str, prod: &str| {
        let e = c.get(id).unwrap();
        let l = e.registry.iter().find(|l| l.name == loc).unwrap();
        let v = l
            .vendor
            .iter()
            .find(|v| v.products.iter().any(|p| p == prod))
            .unwrap();
        (e.clone(), l.clone(), v.clone(), c.products[prod].clone())
    };
    let expect = |what: &str, errs: Vec<String>, needle: &str| {
        assert!(
            errs.iter().any(|m| m.contains(needle)),
            "{what}: expected a message containing {needle:?}, got {errs:#?}"
        );
    };
    // The upper-case key the catalog used to write.
    let (e, l, v, mut p) = find(
        "lna-allowed-origins",
        "LoopbackNetworkAllowedForUrls",
        "chrome",
    );
    assert!(v.check_against(&e, &l, &p, &chrome).is_empty());
    p.policy_key = Some(r"SOFTWARE\Policies\Google\Chrome".into());
    expect("key case", v.check_against(&e, &l, &p, &chrome), "list key");
    // A wrong category path, element id, policy name and namespace.
    let (e, l, mut v, p) = find(
        "cookies-allowed-for-urls",
        "CookiesAllowedForUrls",
        "chrome",
    );
    v.category = "googlechrome~LocalNetworkAccessSettings".into();
    expect(
        "category",
        v.check_against(&e, &l, &p, &chrome),
        "category path is googlechrome~ContentSettings",
    );
    let (_, _, mut v, _) = find(
        "cookies-allowed-for-urls",
        "CookiesAllowedForUrls",
        "chrome",
    );
    v.element = Some("CookiesAllowedForUrls".into());
    expect(
        "element",
        v.check_against(&e, &l, &p, &chrome),
        "no element",
    );
    let (_, _, mut v, _) = find(
        "cookies-allowed-for-urls",
        "CookiesAllowedForUrls",
        "chrome",
    );
    v.policy = "Google.Policies.Chrome:CookiesAllowedForUrl".into();
    expect(
        "policy",
        v.check_against(&e, &l, &p, &chrome),
        "no policy named",
    );
    let (_, _, mut v, _) = find(
        "cookies-allowed-for-urls",
        "CookiesAllowedForUrls",
        "chrome",
    );
    v.policy = "Microsoft.Policies.Edge:CookiesAllowedForUrls".into();
    expect(
        "namespace",
        v.check_against(&e, &l, &p, &chrome),
        "target namespace",
    );
    // A list the vendor resets, described as additive; a joined string as a list.
    let (e, mut l, v, p) = find(
        "lna-allowed-origins",
        "LocalNetworkAccessAllowedForUrls",
        "chrome",
    );
    l.layout = policyc::catalog::Layout::ZoneAssignments;
    expect(
        "layout",
        v.check_against(&e, &l, &p, &chrome),
        "not explicitValue and additive",
    );
    let (e, mut l, v, p) = find("auth-server-allowlist", "AuthServerAllowlist", "chrome");
    l.value = Some("AuthServerWhitelist".into());
    expect(
        "value name",
        v.check_against(&e, &l, &p, &chrome),
        "element AuthServerAllowlist writes",
    );
    // A DWORD where Windows writes 1 for Enabled, and the zone list's switch.
    let (e, mut l, v, p) = find("intranet-auto-detect", "SecurityPage_AutoDetect", "windows");
    assert!(v.check_against(&e, &l, &p, &inetres).is_empty());
    l.key = r"SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap".into();
    expect(
        "policy key case",
        v.check_against(&e, &l, &p, &inetres),
        "writes Software",
    );
    let (e, mut l, v, p) = find("intranet-zone-sites", "IZ_Zonemaps", "windows");
    assert!(v.check_against(&e, &l, &p, &inetres).is_empty());
    l.also[0].data = 0;
    expect(
        "also",
        v.check_against(&e, &l, &p, &inetres),
        "is not the policy's enabled value",
    );
    // Class versus scopes: a Machine-only vendor policy cannot serve a user-scope entry.
    let mut only_machine = inetres.clone();
    let (e, l, v, p) = find("intranet-auto-detect", "SecurityPage_AutoDetect", "windows");
    for pol in &mut only_machine.policies {
        if pol.name == "SecurityPage_AutoDetect" {
            pol.class = "Machine".into();
        }
    }
    expect(
        "class",
        v.check_against(&e, &l, &p, &only_machine),
        "class Machine",
    );
}

/// No curated location writes a value that some vendor template in the store defines
/// without naming that template's policy (`vendor:`). Compares key (case-insensitively,
/// as Windows does) and value name of every policy and element in every ADMX file.
#[test]
fn every_vendor_defined_location_names_its_vendor_policy() {
    let Some(dir) = store() else { return };
    let c = Catalog::builtin().unwrap();
    let mut defined: Vec<(String, String, String)> = Vec::new(); // (key, value name, policy)
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("admx"))
        })
        .collect();
    files.sort();
    let mut unread = Vec::new();
    for f in &files {
        let read = decode(&std::fs::read(f).unwrap())
            .map_err(|e| e.to_string())
            .and_then(|t| read_admx(&t).map_err(|e| e.to_string()));
        let admx = match read {
            Ok(a) => a,
            Err(m) => {
                unread.push(format!("{}: {m}", f.display()));
                continue;
            }
        };
        for p in &admx.policies {
            let who = format!("{}:{}", admx.target.namespace, p.name);
            if let Some(v) = &p.value_name {
                defined.push((p.key.to_lowercase(), v.to_lowercase(), who.clone()));
            }
            for e in &p.elements {
                let key = e.attr("key").unwrap_or(&p.key).to_lowercase();
                let name = if e.kind == "list" {
                    "*".to_string()
                } else {
                    e.attr("valueName").unwrap_or("").to_lowercase()
                };
                defined.push((key, name, who.clone()));
            }
        }
    }
    assert!(unread.is_empty(), "{unread:#?}");
    for e in &c.entries {
        for l in &e.registry {
            for prod in &l.products {
                if l.vendor.iter().any(|v| v.products.contains(prod)) {
                    continue;
                }
                let pk = c.products[prod].policy_key.as_deref().unwrap_or("");
                let key = l.key.replace("{policy_key}", pk).to_lowercase();
                let name = l
                    .value
                    .as_deref()
                    .map_or("*".to_string(), str::to_lowercase);
                let hit = defined
                    .iter()
                    .find(|(k, n, _)| *k == key && (*n == name || n == "*" || name == "*"));
                assert!(
                    hit.is_none(),
                    "{} {} ({prod}) is defined by {:?} but names no vendor policy",
                    e.id,
                    l.name,
                    hit
                );
            }
        }
    }
}

/// What GPMC would show: for the NHS examples, each group of plan operations the
/// catalog leaves to a vendor template (Chrome, Edge, inetres.admx) is exactly what
/// that vendor policy writes in the state and with the element values the spec's value
/// gives (a bool `false` is the policy Disabled, as inetres.admx's
/// `SecurityPage_AutoDetect` writes `AutoDetect = 0` when Disabled). So the GPO's
/// Registry.pol, read through the vendor's own ADMX, shows the spec's setting.
#[test]
fn vendor_groups_are_what_the_vendor_policy_writes() {
    use policyc::admx::reader::{Inputs, Write};
    use policyc::plan::Action;
    use policyc::reg::RegData;
    use policyc::validate::Value;
    use std::collections::{BTreeMap, BTreeSet};
    let Some(dir) = store() else { return };
    let c = Catalog::builtin().unwrap();
    type W = (policyc::reg::Hive, String, Option<String>, Option<RegData>);
    let norm = |w: &Write| -> W {
        match w {
            Write::ClearKey { hive, key } => (*hive, key.to_lowercase(), None, None),
            Write::Set {
                hive,
                key,
                name,
                data,
            } => (
                *hive,
                key.to_lowercase(),
                Some(name.clone()),
                Some(data.clone()),
            ),
            Write::Delete { hive, key, name } => panic!("unexpected delete {hive:?} {key} {name}"),
        }
    };
    let mut files: BTreeMap<String, Admx> = BTreeMap::new();
    let mut checked = 0;
    for spec in [
        "examples/nhs-credential-management.yaml",
        "examples/nhs-credential-management-int.yaml",
    ] {
        let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(spec)).unwrap();
        let out = policyc::compile(spec, &bytes, c);
        let plan = out.plan.unwrap_or_else(|| panic!("{:#?}", out.diagnostics));
        let loaded = policyc::spec::load_bytes(spec, &bytes).unwrap();
        let validated = policyc::validate::validate(&loaded, c).0.unwrap();
        let mut groups: BTreeMap<(String, String, String, policyc::reg::Hive), BTreeSet<W>> =
            BTreeMap::new();
        for op in &plan.ops {
            let p = &op.provenance;
            let w = match &op.action {
                Action::ResetKey => (op.hive, op.key.to_lowercase(), None, None),
                Action::Delete { name } => {
                    (op.hive, op.key.to_lowercase(), Some(name.clone()), None)
                }
                Action::Set { name, data } => (
                    op.hive,
                    op.key.to_lowercase(),
                    Some(name.clone()),
                    Some(data.clone()),
                ),
            };
            groups
                .entry((
                    p.spec_path.clone(),
                    p.setting.clone(),
                    p.location.clone(),
                    op.hive,
                ))
                .or_default()
                .insert(w);
        }
        for op in &plan.ops {
            let p = &op.provenance;
            let (_, loc) = c.location(&p.setting, &p.location, &p.product).unwrap();
            let Some(vp) = loc.vendor.iter().find(|v| v.products.contains(&p.product)) else {
                continue;
            };
            let admx = files
                .entry(vp.file.clone())
                .or_insert_with(|| read(&dir, &vp.file).0);
            let name = vp.split().unwrap().1;
            let pol = admx.policies.iter().find(|x| x.name == name).unwrap();
            let setting = validated
                .settings
                .iter()
                .find(|s| s.spec_path() == p.spec_path)
                .unwrap();
            let mut inputs = Inputs::default();
            let writes = match &setting.value {
                Value::Bool(false) => pol.disabled_writes_in(op.hive).unwrap(),
                Value::Bool(true) => pol.enabled_writes_in(op.hive, None, &inputs).unwrap(),
                Value::List(items) => {
                    let id = vp.element.clone().unwrap();
                    match loc.separator.as_deref() {
                        Some(sep) => {
                            inputs.texts.insert(id, items.join(sep));
                        }
                        None => {
                            inputs.lists.insert(
                                id,
                                items.iter().map(|i| (String::new(), i.clone())).collect(),
                            );
                        }
                    }
                    pol.enabled_writes_in(op.hive, None, &inputs).unwrap()
                }
                Value::ZoneMap(sites) => {
                    inputs.lists.insert(
                        vp.element.clone().unwrap(),
                        sites
                            .iter()
                            .map(|(s, z)| (s.clone(), (*z as u32).to_string()))
                            .collect(),
                    );
                    pol.enabled_writes_in(op.hive, None, &inputs).unwrap()
                }
                other => panic!("{}: no vendor state for {other:?}", p.spec_path),
            };
            let got: BTreeSet<W> = writes.iter().map(norm).collect();
            let want = &groups[&(
                p.spec_path.clone(),
                p.setting.clone(),
                p.location.clone(),
                op.hive,
            )];
            // A group holds both products' operations; this product's are those under its key.
            let pk = c.products[&p.product]
                .policy_key
                .as_deref()
                .unwrap_or("")
                .to_lowercase();
            let want: BTreeSet<W> = want
                .iter()
                .filter(|w| pk.is_empty() || w.1.starts_with(&pk))
                .cloned()
                .collect();
            assert_eq!(
                got, want,
                "{spec} {} {} ({})",
                p.spec_path, p.location, p.product
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked}");
}

/// The Intune ingestion pre-flight still sees refused keys: no bundle policy of the NHS
/// example writes one any more (vendor-defined values are left to the vendors), so it is
/// run on msedge.admx itself, every policy of which writes `Software\Policies\Microsoft\Edge`,
/// and on chrome.admx, none of which does.
#[test]
fn ingestion_preflight_flags_refused_keys_in_a_real_template() {
    let Some(dir) = store() else { return };
    let origins = std::collections::BTreeMap::new();
    let (edge, _) = read(&dir, "msedge.admx");
    let d = policyc::admx::check_documents(&edge, &[], &origins);
    let blocked = d
        .iter()
        .filter(|d| d.code == "intune-ingestion-blocked-path")
        .count();
    assert_eq!(blocked, edge.policies.len());
    let (chrome, _) = read(&dir, "chrome.admx");
    let d = policyc::admx::check_documents(&chrome, &[], &origins);
    assert!(
        !d.iter().any(|d| d.code == "intune-ingestion-blocked-path"),
        "{d:#?}"
    );
}

/// A shared switch (`also:` with `shared: true`, which the rollback leaves in place) is the
/// `valueName` of the vendor policy behind its location, and that policy's list element is
/// additive (other GPOs' entries stand beside the bundle's), as the store's ADMX says.
#[test]
fn shared_switches_are_the_vendor_policys_own_value_of_an_additive_list() {
    let Some(dir) = store() else { return };
    let c = Catalog::builtin().unwrap();
    let mut checked = 0;
    for (e, l, vp, _) in facts(c) {
        for f in l.also.iter().filter(|f| f.shared) {
            let (admx, _) = read(&dir, &vp.file);
            let name = vp.policy.split_once(':').unwrap().1;
            let p = admx
                .policies
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("{}: no policy {name} in {}", e.id, vp.file));
            assert!(
                p.key.eq_ignore_ascii_case(&f.key),
                "{}: key {} vs {}",
                e.id,
                p.key,
                f.key
            );
            assert_eq!(p.value_name.as_deref(), Some(f.value.as_str()), "{}", e.id);
            let additive = p.elements.iter().any(|el| {
                el.kind == "list" && el.attrs.get("additive").map(String::as_str) == Some("true")
            });
            assert!(additive, "{}: {name}'s list is not additive", e.id);
            checked += 1;
        }
    }
    // inetres.admx IZ_Zonemaps: ListBox_Support_ZoneMapKey.
    assert_eq!(checked, 1);
}

/// A `superseded.how` that speaks of precedence is what the vendor's explain text says:
/// in each product's ADML the superseding policy comes before the superseded one in the
/// listed order of precedence (chrome.adml and msedge.adml, LoopbackNetworkAllowedForUrls).
#[test]
fn superseded_precedence_is_the_vendors_order() {
    let Some(dir) = store() else { return };
    let c = Catalog::builtin().unwrap();
    let mut checked = 0;
    for (e, l, vp, prod) in facts(c) {
        let Some(sup) = &l.superseded else { continue };
        if !sup.how.as_deref().is_some_and(|h| h.contains("precedence"))
            || !sup.from.contains_key(&prod.id)
        {
            continue;
        }
        let stem = vp.file.trim_end_matches(".admx");
        let path = dir.join("en-us").join(format!("{stem}.adml"));
        let path = if path.exists() {
            path
        } else {
            dir.join("en-US").join(format!("{stem}.adml"))
        };
        let adml =
            policyc::admx::reader::read_adml(&decode(&std::fs::read(&path).unwrap()).unwrap())
                .unwrap();
        let explain = adml
            .strings
            .iter()
            .find(|(id, _)| *id == format!("{}_Explain", sup.by))
            .map(|(_, t)| t.as_str())
            .unwrap_or_else(|| panic!("{}: no {}_Explain in {}", e.id, sup.by, path.display()));
        // The order of precedence is the list of `- Name` lines after the sentence.
        let order: Vec<&str> = explain
            .split_once("precedence")
            .unwrap_or_else(|| panic!("{}: {} names no precedence", e.id, sup.by))
            .1
            .lines()
            .filter_map(|line| line.trim().strip_prefix("- "))
            .collect();
        let at = |n: &str| order.iter().position(|x| *x == n);
        assert!(
            matches!((at(&sup.by), at(&l.name)), (Some(a), Some(b)) if a < b),
            "{} {} ({}): {:?}",
            e.id,
            l.name,
            prod.id,
            order
        );
        checked += 1;
    }
    // LocalNetworkAccessAllowedForUrls for Chrome and Edge.
    assert_eq!(checked, 2);
}
