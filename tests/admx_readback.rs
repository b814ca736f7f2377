//! Every policy of a real central store (`../shared/vendor-admx/PolicyDefinitions`, or
//! `POLICYC_VENDOR_ADMX`), in each hive its class allows, in three states: Enabled with a
//! value for every element (two samples: booleans checked and the first enum item, then
//! booleans unchecked and the last item) and Disabled. Each state's writes go through the
//! project's Registry.pol writer and reader, and the editor's reading of the records
//! (`Policy::read_state`) must give the state back. The policies that cannot round-trip
//! are listed with the reason in `tests/fixtures/readback-exceptions.txt`, and the test
//! fails when the list changes either way.

mod common;

use policyc::admx::readback::{pol_entries, PolSource, RegistrySource};
use policyc::admx::reader::{Element, Policy, Write};
use policyc::admx::state::{ElementValue, PolicyState};
use policyc::admx::store::Store;
use policyc::reg::Hive;
use policyc::verify::model::Registry;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn store_dir() -> Option<PathBuf> {
    common::require_shared(
        "POLICYC_VENDOR_ADMX",
        "vendor-admx/PolicyDefinitions",
        "chrome.admx",
    )
}

fn num(e: &Element, attr: &str, default: u64) -> u64 {
    e.attr(attr)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A value for `e` valid for its constraints; `second` picks the other sample.
fn sample(e: &Element, second: bool) -> Option<ElementValue> {
    Some(match e.kind.as_str() {
        "boolean" => ElementValue::Bool(!second),
        "decimal" | "longDecimal" => {
            let (lo, hi) = (num(e, "minValue", 0), num(e, "maxValue", 9999));
            // Inside the range, and off its ends (ends often equal a fixed value).
            ElementValue::Number(if second { hi } else { lo + (hi - lo) / 2 })
        }
        "text" => {
            let max = num(e, "maxLength", 1023) as usize;
            ElementValue::Text(
                if second {
                    "C:\\Sample Path"
                } else {
                    "sample text"
                }
                .chars()
                .take(max.max(1))
                .collect(),
            )
        }
        "multiText" => ElementValue::Strings(vec!["line one".into(), "line two".into()]),
        "enum" => {
            if e.enum_items.is_empty() {
                return None;
            }
            ElementValue::Enum(if second { e.enum_items.len() - 1 } else { 0 })
        }
        "list" => {
            let entries = if e.flag("explicitValue") {
                vec![
                    ("name1".to_string(), "value1".to_string()),
                    ("name2".to_string(), "value2".to_string()),
                ]
            } else {
                vec![
                    (String::new(), "entry1".to_string()),
                    (String::new(), "entry2".to_string()),
                ]
            };
            ElementValue::List(entries)
        }
        _ => return None,
    })
}

fn enabled(p: &Policy, second: bool) -> PolicyState {
    PolicyState::Enabled(
        p.elements
            .iter()
            .filter_map(|e| sample(e, second).map(|v| (e.id.clone(), v)))
            .collect(),
    )
}

/// The state read back from the Registry.pol bytes of `state`'s writes: from the
/// records themselves, and from the registry model `import` replays them into.
fn round_trip(
    p: &Policy,
    hive: Hive,
    state: &PolicyState,
) -> (Option<PolicyState>, Option<PolicyState>) {
    let writes = p.writes(hive, state).unwrap_or_else(|e| panic!("{e}"));
    let bytes = policyc::pol::write(&pol_entries(&writes)).unwrap();
    let entries = policyc::pol::read(&bytes).unwrap();
    let mut reg = Registry::default();
    reg.add_pol(hive, &bytes).unwrap();
    (
        p.read_state(&PolSource::new(&entries)),
        p.read_state(&RegistrySource { reg: &reg, hive }),
    )
}

/// Why a state cannot round-trip, from its definition and writes alone; `None` when no
/// known reason applies (a reader bug, or a new kind of ambiguity to look at).
fn reason(
    p: &Policy,
    hive: Hive,
    state: &PolicyState,
    others: &[PolicyState],
) -> Option<&'static str> {
    let writes = p.writes(hive, state).ok()?;
    if matches!(state, PolicyState::Disabled) && writes.is_empty() {
        return Some("disabled-writes-nothing");
    }
    // The records, applied, leave what another state's leave.
    let applied = |w: &[Write]| PolSource::new(&pol_entries(w));
    let mine = applied(&writes);
    if others
        .iter()
        .filter(|o| *o != state)
        .any(|o| p.writes(hive, o).is_ok_and(|w| applied(&w) == mine))
    {
        return Some("same-result-as-another-state");
    }
    if let PolicyState::Enabled(values) = state {
        for e in &p.elements {
            if let Some(ElementValue::Enum(i)) = values.get(&e.id) {
                let item = &e.enum_items[*i];
                if e.enum_items[..*i]
                    .iter()
                    .any(|o| o.value == item.value && o.value_list == item.value_list)
                {
                    return Some("enum-item-writes-what-an-earlier-item-writes");
                }
            }
        }
    }
    for e in p.elements.iter().filter(|e| e.kind == "boolean") {
        if e.true_value.is_some() && e.true_value == e.false_value && e.true_list == e.false_list {
            return Some("boolean-true-and-false-write-the-same");
        }
    }
    // Two writes of one value in one state: the later undoes the earlier.
    let mut seen = std::collections::BTreeSet::new();
    for w in &writes {
        if let Write::Set { key, name, .. } | Write::Delete { key, name, .. } = w {
            if !seen.insert((key.to_lowercase(), name.to_lowercase())) {
                return Some("one-state-writes-a-value-twice");
            }
        }
    }
    if shared_value(p) {
        return Some("two-parts-of-the-policy-write-one-value");
    }
    // A value set in a key, then a `**delvals.` of that key: the clear erases it.
    for (i, w) in writes.iter().enumerate() {
        if let Write::Set { key, .. } | Write::Delete { key, .. } = w {
            if writes[i + 1..]
                .iter()
                .any(|l| matches!(l, Write::ClearKey { key: k, .. } if k.eq_ignore_ascii_case(key)))
            {
                return Some("value-before-clear-of-its-key");
            }
        }
    }
    None
}

/// Whether two parts of the definition (the policy's value, its enabled/disabled lists,
/// each element with its lists and enum items) name one registry value.
fn shared_value(p: &Policy) -> bool {
    let mut owner: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut clash = false;
    let mut add = |part: usize, key: &str, name: &str| {
        let k = (key.to_lowercase(), name.to_lowercase());
        if *owner.entry(k).or_insert(part) != part {
            clash = true;
        }
    };
    let list = |l: &policyc::admx::reader::ValueList, key: &str| {
        let d = l.default_key.clone().unwrap_or_else(|| key.to_string());
        l.items
            .iter()
            .map(|i| {
                (
                    i.key.clone().unwrap_or_else(|| d.clone()),
                    i.value_name.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    if let Some(vn) = &p.value_name {
        add(0, &p.key, vn);
    }
    for l in [&p.enabled_list, &p.disabled_list].into_iter().flatten() {
        for (k, n) in list(l, &p.key) {
            add(0, &k, &n);
        }
    }
    for (i, e) in p.elements.iter().enumerate() {
        let key = e.attr("key").unwrap_or(&p.key).to_string();
        if let (false, Some(n)) = (e.kind == "list", e.attr("valueName")) {
            add(i + 1, &key, n);
        }
        let lists = [&e.true_list, &e.false_list]
            .into_iter()
            .flatten()
            .chain(e.enum_items.iter().filter_map(|i| i.value_list.as_ref()));
        for l in lists {
            for (k, n) in list(l, &key) {
                add(i + 1, &k, &n);
            }
        }
    }
    clash
}

fn hives(p: &Policy) -> Vec<Hive> {
    [Hive::Hklm, Hive::Hkcu]
        .into_iter()
        .filter(|h| p.allows(*h))
        .collect()
}

#[test]
fn every_vendor_policy_reads_back_as_written() {
    let Some(dir) = store_dir() else { return };
    let store = Store::load(&dir, "en-US").unwrap();
    assert!(store.problems.is_empty(), "{:#?}", store.problems);
    let mut ok = 0usize;
    let mut policies = 0usize;
    let mut failures = Vec::new();
    for r in store.policies() {
        let p = r.policy;
        policies += 1;
        let mut all = true;
        for hive in hives(p) {
            let states = [enabled(p, false), enabled(p, true), PolicyState::Disabled];
            for (label, state) in ["enabled-a", "enabled-b", "disabled"].iter().zip(&states) {
                let (back, model) = round_trip(p, hive, state);
                // The registry model keeps what the records say: it reads the same.
                assert_eq!(
                    back, model,
                    "{} {} {label}: the model reads otherwise",
                    r.file.name, p.name
                );
                if back.as_ref() != Some(state) {
                    all = false;
                    let why = reason(p, hive, state, &states).unwrap_or("UNEXPLAINED");
                    if why == "UNEXPLAINED" {
                        eprintln!("{} {}: wrote {state:?}, read {back:?}", r.file.name, p.name);
                    }
                    failures.push(format!(
                        "{} {} {} {label} {why}",
                        r.file.name,
                        p.name,
                        hive.short_name()
                    ));
                }
            }
        }
        ok += usize::from(all);
    }
    eprintln!("{ok} of {policies} policies round-trip in every state and hive");
    let expected_file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readback-exceptions.txt");
    let text = std::fs::read_to_string(&expected_file).unwrap();
    let expected: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let got: Vec<&str> = failures.iter().map(String::as_str).collect();
    if std::env::var_os("POLICYC_WRITE_EXCEPTIONS").is_some() {
        let head: String = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&expected_file, head + &got.join("\n") + "\n").unwrap();
    }
    let missing: Vec<_> = expected.iter().filter(|l| !got.contains(l)).collect();
    let new: Vec<_> = got.iter().filter(|l| !expected.contains(l)).collect();
    assert!(
        missing.is_empty() && new.is_empty(),
        "exceptions no longer seen: {missing:#?}\nnew failures: {new:#?}"
    );
    // The store as shipped: 12625 policies, of which these many round-trip everywhere.
    assert_eq!((ok, policies), (12_458, 12_625));
}

/// Negative control: a record changed after writing reads back as a different state.
#[test]
fn a_changed_record_reads_back_different() {
    use policyc::pol::Entry;
    use policyc::reg::RegData;
    let Some(dir) = store_dir() else { return };
    let store = Store::load(&dir, "en-US").unwrap();
    let get = |id: &str| store.get(id).unwrap_or_else(|| panic!("{id}")).policy;
    let read = |p: &Policy, e: &[Entry]| p.read_state(&PolSource::new(e));
    let written = |p: &Policy, s: &PolicyState| pol_entries(&p.writes(Hive::Hklm, s).unwrap());

    // A Chrome list: the second entry changed.
    let cookies = get("Google.Policies.Chrome:CookiesAllowedForUrls");
    let list = |a: &str, b: &str| {
        PolicyState::Enabled(
            [(
                "CookiesAllowedForUrlsDesc".to_string(),
                ElementValue::List(vec![(String::new(), a.into()), (String::new(), b.into())]),
            )]
            .into(),
        )
    };
    let state = list("https://a.example", "https://b.example");
    let mut e = written(cookies, &state);
    assert_eq!(read(cookies, &e), Some(state.clone()));
    let last = e.len() - 1;
    e[last] = Entry::set(
        &e[last].key,
        &e[last].value,
        &RegData::Sz("https://c.example".into()),
    );
    assert_eq!(
        read(cookies, &e),
        Some(list("https://a.example", "https://c.example"))
    );

    // A Chrome enum: another item's value is another item.
    let restore = get("Google.Policies.Chrome:RestoreOnStartup");
    let item =
        |i| PolicyState::Enabled([("RestoreOnStartup".to_string(), ElementValue::Enum(i))].into());
    let mut e = written(restore, &item(0));
    assert_eq!(read(restore, &e), Some(item(0)));
    e[0] = Entry::set(&e[0].key, &e[0].value, &RegData::Dword(1));
    let one = restore.elements[0]
        .enum_items
        .iter()
        .position(|i| i.value == Some(policyc::admx::reader::Value::Decimal(1)))
        .unwrap();
    assert_ne!(one, 0);
    assert_eq!(read(restore, &e), Some(item(one)));

    // A Chrome switch: Disabled's 0 turned into 1 is Enabled; removed, Not Configured.
    let autoplay = get("Google.Policies.Chrome:AutoplayAllowed");
    let mut e = written(autoplay, &PolicyState::Disabled);
    assert_eq!(read(autoplay, &e), Some(PolicyState::Disabled));
    e[0] = Entry::set(&e[0].key, &e[0].value, &RegData::Dword(1));
    assert_eq!(
        read(autoplay, &e),
        Some(PolicyState::Enabled(BTreeMap::new()))
    );
    // The same value name under another key is another value.
    e[0] = Entry::set(
        "Software\\Policies\\Google\\Chromium",
        &e[0].value,
        &RegData::Dword(0),
    );
    assert_eq!(read(autoplay, &e), None);
}

/// Issue 15's check: a spec with vendor policies of every element kind (the vendor-spec
/// fixture and `tests/fixtures/readback-spec.yaml`) compiles, and its bundle's
/// Registry.pol files, read back through the vendor ADMX as the editor reads them, give
/// each policy the state and values the spec set (with the editor's defaults for
/// elements the spec leaves out). Control: a bundle of the spec with one list entry
/// changed reads back a different state for that policy.
#[test]
fn a_built_spec_reads_back_through_the_vendor_admx() {
    let Some(dir) = store_dir() else { return };
    let catalog = policyc::catalog::Catalog::builtin().unwrap();
    let opts = policyc::CompileOptions {
        templates: Some(dir.clone()),
        ..Default::default()
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let read_back = |file: &str, text: &str| {
        let out = policyc::compile_with(file, text.as_bytes(), catalog, &opts, |_| ()).0;
        let plan = out
            .plan
            .unwrap_or_else(|| panic!("{file} does not compile: {:#?}", out.diagnostics));
        let files: BTreeMap<String, Vec<u8>> =
            policyc::bundle_files(&plan).unwrap().into_iter().collect();
        let source = |hive: Hive| {
            let name = policyc::pol::emit::file_name(hive);
            files
                .get(&name)
                .map(|b| PolSource::new(&policyc::pol::read(b).unwrap()))
                .unwrap_or_default()
        };
        let (machine, user) = (source(Hive::Hklm), source(Hive::Hkcu));
        assert!(!plan.vendor.is_empty(), "{file}");
        plan.vendor
            .iter()
            .map(|v| {
                let src = if v.hive == Hive::Hklm {
                    &machine
                } else {
                    &user
                };
                (v.id.clone(), v.policy.read_state(src), v.state.clone())
            })
            .collect::<Vec<_>>()
    };
    let mut n = 0;
    for rel in [
        "tests/fixtures/vendor-spec/every-kind.yaml",
        "tests/fixtures/readback-spec.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        for (id, back, want) in read_back(rel, &text) {
            assert_eq!(back, Some(want), "{rel}: {id}");
            n += 1;
        }
    }
    assert_eq!(n, 13);
    // Control.
    let rel = "tests/fixtures/vendor-spec/every-kind.yaml";
    let text = std::fs::read_to_string(root.join(rel))
        .unwrap()
        .replace("https://example.org", "https://changed.example.org");
    let back = read_back(rel, &text);
    let (id, got, want) = &back[0];
    assert_eq!(
        id,
        "Google.Policies.Chrome:LocalNetworkAccessBlockedForUrls"
    );
    assert_eq!(got, &Some(want.clone()));
    let original = read_back(rel, &std::fs::read_to_string(root.join(rel)).unwrap());
    assert_ne!(got, &original[0].1);
}
