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
    let dir = std::env::var_os("POLICYC_VENDOR_ADMX").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/vendor-admx/PolicyDefinitions")
        },
        PathBuf::from,
    );
    if dir.join("chrome.admx").is_file() {
        Some(dir)
    } else {
        common::skip(&format!(
            "no central store at {} (set POLICYC_VENDOR_ADMX)",
            dir.display()
        ));
        None
    }
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
