//! `policyc import --templates DIR`: registry values a vendor policy of the central store
//! explains become `policy:` settings, read as the Group Policy editor reads them
//! ([`crate::admx::readback`]).
//!
//! A policy is placed when the state the editor shows, with the defaults the spec gives
//! the elements it leaves out ([`Policy::presentation_defaults`]), writes exactly what the
//! inputs hold: every value it sets is there with the same type and data, every value it
//! deletes is absent, and a key it clears holds only the values it sets. So the imported
//! spec compiles to what is deployed. Values the catalog already placed are not offered
//! again, and each value goes to one policy: where several policies explain a value (two
//! templates defining one registry value), the reading that explains the most values
//! wins, then the first in store order (files by name, policies in file order).
//!
//! What cannot be told from a machine's `reg export`: a Disabled policy that only deletes
//! (no `disabledValue`, `disabledList` or `falseValue`) leaves nothing to read; from a
//! Registry.pol, LGPO text or a `.reg` with deletions it is read.

use crate::admx::readback::RegistrySource;
use crate::admx::reader::{Policy, Write};
use crate::admx::state::{ElementValue, PolicyState};
use crate::admx::store::{PolicyRef, Store};
use crate::reg::Hive;
use crate::verify::model::{full_path, normalise, Registry};
use std::collections::{BTreeMap, BTreeSet};

/// (lower-case full key, lower-case value name); `""` names a cleared key.
pub type Used = (String, String);

/// A vendor policy read from the inputs.
#[derive(Debug, Clone)]
pub struct VendorPlaced {
    /// `NAMESPACE:NAME`.
    pub id: String,
    pub display_name: String,
    /// The policy's class is `Both`: the spec names the scope.
    pub both: bool,
    pub hive: Hive,
    pub state: PolicyState,
    /// The policy definition, for rendering element values.
    pub policy: Policy,
    /// The registry values it explains.
    pub took: Vec<Used>,
    /// How the spec names each chosen enum item, by element id.
    pub enum_names: BTreeMap<String, String>,
}

/// How a spec names item `i` of enum `e`: its string id, else its display text, else
/// its registry value, the first that names that item (a spec finds an item by string
/// id, then display text, then value, each the first match). `None` when no name
/// reaches it (an earlier item has the same id, text and value).
fn enum_name(
    file: &crate::admx::store::File,
    e: &crate::admx::reader::Element,
    i: usize,
) -> Option<String> {
    let items = crate::admx::store::enum_item_names(file, e);
    let lookup = |w: &str| crate::admx::store::find_enum_item(&items, w);
    let (a, b, c) = items.get(i)?;
    let found = [Some(a), Some(b), c.as_ref()]
        .into_iter()
        .flatten()
        .find(|w| lookup(w) == Some(i))
        .cloned();
    found
}

/// Every registry key the policy's definition can write in (its key, list items,
/// element keys, boolean lists, enum value lists), lower case.
fn keys(p: &Policy) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = crate::admx::policy_keys(p)
        .into_iter()
        .map(|k| k.to_lowercase())
        .collect();
    if let Some(l) = &p.disabled_list {
        let d = l.default_key.as_deref().unwrap_or(&p.key);
        out.extend(
            l.items
                .iter()
                .map(|i| i.key.as_deref().unwrap_or(d).to_lowercase()),
        );
    }
    for e in &p.elements {
        let ek = e.attr("key").unwrap_or(&p.key);
        for l in [&e.true_list, &e.false_list]
            .into_iter()
            .flatten()
            .chain(e.enum_items.iter().filter_map(|i| i.value_list.as_ref()))
        {
            let d = l.default_key.as_deref().unwrap_or(ek);
            out.extend(
                l.items
                    .iter()
                    .map(|i| i.key.as_deref().unwrap_or(d).to_lowercase()),
            );
        }
    }
    out
}

/// Whether the inputs touch any key the policy writes in `hive`.
fn touched(reg: &Registry, hive: Hive, p: &Policy) -> bool {
    keys(p).iter().any(|k| {
        let full = normalise(&full_path(hive, k));
        reg.keys.get(&full).is_some_and(|k| !k.values.is_empty())
            || reg.cleared.contains(&full)
            || reg
                .deleted
                .range((full.clone(), String::new())..)
                .next()
                .is_some_and(|(k, _)| *k == full)
    })
}

/// The values `writes` explain, when the registry holds exactly what they leave, applied
/// in order (a later write of a value supersedes an earlier one; a clear deletes the
/// key's values written before it).
fn explains(reg: &Registry, writes: &[Write]) -> Option<Vec<Used>> {
    // (full key, name) -> the data left, or None for deleted; and the cleared keys.
    let mut left: BTreeMap<Used, Option<&crate::reg::RegData>> = BTreeMap::new();
    let mut cleared: BTreeSet<String> = BTreeSet::new();
    for w in writes {
        match w {
            Write::Set {
                hive,
                key,
                name,
                data,
            } => {
                left.insert(
                    (normalise(&full_path(*hive, key)), name.to_lowercase()),
                    Some(data),
                );
            }
            Write::Delete { hive, key, name } => {
                left.insert(
                    (normalise(&full_path(*hive, key)), name.to_lowercase()),
                    None,
                );
            }
            Write::ClearKey { hive, key } => {
                let full = normalise(&full_path(*hive, key));
                for ((k, _), v) in left.iter_mut() {
                    if *k == full {
                        *v = None;
                    }
                }
                cleared.insert(full);
            }
        }
    }
    for ((full, name), data) in &left {
        let have = reg
            .keys
            .get(full)
            .and_then(|k| k.values.get(name))
            .map(|(_, d)| d);
        if have != *data {
            return None;
        }
    }
    for full in &cleared {
        if let Some(k) = reg.keys.get(full) {
            if k.values
                .keys()
                .any(|n| !matches!(left.get(&(full.clone(), n.clone())), Some(Some(_))))
            {
                return None;
            }
        }
    }
    Some(
        left.into_keys()
            .chain(cleared.into_iter().map(|k| (k, String::new())))
            .collect(),
    )
}

/// The state of `r` in `hive`, when the inputs hold exactly what it writes.
fn read(reg: &Registry, hive: Hive, r: PolicyRef<'_>) -> Option<VendorPlaced> {
    let p = r.policy;
    let state = p.read_state(&RegistrySource { reg, hive })?;
    // What the spec compiles to: elements it leaves out take the editor's defaults.
    let full = match &state {
        PolicyState::Enabled(values) => {
            let mut v = p.presentation_defaults(r.file.adml.as_ref());
            v.extend(values.clone());
            PolicyState::Enabled(v)
        }
        PolicyState::Disabled => PolicyState::Disabled,
    };
    let writes = p.writes(hive, &full).ok()?;
    let took = explains(reg, &writes)?;
    let mut enum_names = BTreeMap::new();
    if let PolicyState::Enabled(values) = &state {
        for e in &p.elements {
            if let Some(ElementValue::Enum(i)) = values.get(&e.id) {
                enum_names.insert(e.id.clone(), enum_name(r.file, e, *i)?);
            }
        }
    }
    Some(VendorPlaced {
        id: r.id(),
        display_name: r.display_name(),
        both: p.class == "Both",
        hive,
        state,
        policy: p.clone(),
        took,
        enum_names,
    })
}

/// The vendor policies that explain the inputs' values, none of them a value in `taken`
/// (the catalog's), in store order; adds what they explain to `taken`.
pub fn place(reg: &Registry, store: &Store, taken: &mut BTreeSet<Used>) -> Vec<VendorPlaced> {
    let mut found: Vec<(usize, VendorPlaced)> = Vec::new();
    for (order, r) in store.policies().enumerate() {
        for hive in [Hive::Hklm, Hive::Hkcu] {
            if !r.policy.allows(hive) || !touched(reg, hive, r.policy) {
                continue;
            }
            if let Some(v) = read(reg, hive, r) {
                // A reading that explains no value the inputs set (a Disabled policy
                // read from deletions) still counts: its deletions are its values.
                found.push((order * 2 + usize::from(hive == Hive::Hkcu), v));
            }
        }
    }
    // The reading that explains the most values first, then store order.
    let mut ranked: Vec<usize> = (0..found.len()).collect();
    ranked.sort_by_key(|&i| (std::cmp::Reverse(found[i].1.took.len()), found[i].0));
    let mut chosen = vec![false; found.len()];
    for i in ranked {
        let took = &found[i].1.took;
        if took.is_empty() || took.iter().any(|u| taken.contains(u)) {
            continue;
        }
        taken.extend(took.iter().cloned());
        chosen[i] = true;
    }
    found
        .into_iter()
        .zip(chosen)
        .filter(|(_, c)| *c)
        .map(|((_, v), _)| v)
        .collect()
}

/// A YAML scalar for any string: a JSON string is a valid YAML double-quoted scalar.
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// An id (a policy `NAMESPACE:NAME`, an element id, an enum item's string id) as a plain
/// YAML scalar when it is one that reads back as the same string, else quoted.
fn yaml_id(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'))
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
        );
    if plain {
        s.to_string()
    } else {
        q(s)
    }
}

/// The text the spec uses for one element value, as block YAML lines after `lead`
/// (`value:` or `ID:`), indented by `indent`.
fn value_lines(v0: &VendorPlaced, id: &str, v: &ElementValue, lead: &str, indent: usize) -> String {
    let p = &v0.policy;
    let pad = " ".repeat(indent);
    let seq = |items: Vec<String>| {
        let mut s = format!("{pad}{lead}\n");
        for i in items {
            s.push_str(&format!("{pad}  - {i}\n"));
        }
        s
    };
    match v {
        ElementValue::Bool(b) => format!("{pad}{lead} {b}\n"),
        ElementValue::Number(n) => format!("{pad}{lead} {n}\n"),
        ElementValue::Text(t) => format!("{pad}{lead} {}\n", q(t)),
        ElementValue::Strings(lines) => seq(lines.iter().map(|l| q(l)).collect()),
        ElementValue::Enum(_) => {
            let name = v0.enum_names.get(id).map_or("", String::as_str);
            format!("{pad}{lead} {}\n", yaml_id(name))
        }
        ElementValue::List(entries) => {
            let explicit = p
                .elements
                .iter()
                .find(|e| e.id == id)
                .is_some_and(|e| e.flag("explicitValue"));
            if explicit {
                let mut s = format!("{pad}{lead}\n");
                for (n, val) in entries {
                    s.push_str(&format!("{pad}  {}: {}\n", q(n), q(val)));
                }
                s
            } else {
                seq(entries.iter().map(|(_, val)| q(val)).collect())
            }
        }
    }
}

/// The spec lines of one vendor setting (`  - policy: ...`).
pub fn render(v: &VendorPlaced, comment_safe: fn(&str) -> String) -> String {
    let mut s = format!(
        "  - policy: {}   # {}\n",
        yaml_id(&v.id),
        comment_safe(&v.display_name)
    );
    if v.both {
        s.push_str(&format!(
            "    scope: {}\n",
            crate::catalog::Scope::of(v.hive).as_str()
        ));
    }
    match &v.state {
        PolicyState::Disabled => s.push_str("    state: disabled\n"),
        PolicyState::Enabled(values) => {
            s.push_str("    state: enabled\n");
            if v.policy.elements.len() == 1 {
                if let Some((id, val)) = values.iter().next() {
                    s.push_str(&value_lines(v, id, val, "value:", 4));
                }
            } else if !values.is_empty() {
                s.push_str("    value:\n");
                // Elements in ADMX order.
                for e in &v.policy.elements {
                    if let Some(val) = values.get(&e.id) {
                        s.push_str(&value_lines(
                            v,
                            &e.id,
                            val,
                            &format!("{}:", yaml_id(&e.id)),
                            6,
                        ));
                    }
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admx::readback::pol_entries;
    use std::collections::BTreeMap;

    const ADMX: &str = r#"<policyDefinitions revision="1.0" schemaVersion="1.0"><policyNamespaces><target prefix="t" namespace="T.N"/></policyNamespaces><resources minRequiredRevision="1.0"/>
<policies>
  <policy name="Lists" class="User" displayName="$(string.Lists)" key="Software\Policies\T">
    <elements>
      <list id="Named" key="Software\Policies\T\Named" explicitValue="true"/>
      <multiText id="true" valueName="Lines"/>
      <text id="Quote" valueName="Quote"/>
    </elements>
  </policy>
  <policy name="Short" class="User" displayName="$(string.Short)" key="Software\Policies\T" valueName="Quote">
    <enabledValue><string>a "quoted"
line</string></enabledValue>
  </policy>
  <policy name="Pick" class="User" displayName="$(string.Pick)" key="Software\Policies\T\Pick">
    <elements><enum id="E" valueName="E"><item displayName="$(string.Same)"><value><decimal value="1"/></value></item><item displayName="$(string.Same)"><value><decimal value="2"/></value></item><item displayName="$(string.Other)"><value><string>o</string></value></item></enum></elements>
  </policy>
  <policy name="Cleared" class="User" displayName="$(string.Cleared)" key="Software\Policies\T">
    <elements><list id="L" key="Software\Policies\T\L" valuePrefix=""/></elements>
  </policy>
</policies></policyDefinitions>"#;

    const ADML: &str = r#"<policyDefinitionResources revision="1.0" schemaVersion="1.0"><displayName/><description/><resources><stringTable><string id="Same">Same</string><string id="Other">Other</string><string id="Lists">Lists
# and: "odd" names</string></stringTable></resources></policyDefinitionResources>"#;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.admx"), ADMX).unwrap();
        std::fs::create_dir(dir.path().join("en-US")).unwrap();
        std::fs::write(dir.path().join("en-US/t.adml"), ADML).unwrap();
        let s = Store::load(dir.path(), "en-US").unwrap();
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        (dir, s)
    }

    fn registry(
        store: &Store,
        states: &[(&str, PolicyState)],
        extra: &[crate::pol::Entry],
    ) -> Registry {
        let mut entries = Vec::new();
        for (id, st) in states {
            let p = store.get(id).unwrap().policy;
            entries.extend(pol_entries(&p.writes(Hive::Hkcu, st).unwrap()));
        }
        entries.extend(extra.iter().cloned());
        let mut reg = Registry::default();
        reg.add_pol_entries(Hive::Hkcu, entries);
        reg
    }

    fn hostile() -> PolicyState {
        PolicyState::Enabled(
            [
                (
                    "Named".to_string(),
                    // In name order: the registry model lists a key's values by name.
                    ElementValue::List(vec![
                        ("#c".into(), "\"q\" \\ '".into()),
                        ("a: b".into(), "x\ny".into()),
                    ]),
                ),
                (
                    "true".to_string(),
                    ElementValue::Strings(vec!["- dash".into(), "null".into()]),
                ),
                (
                    "Quote".to_string(),
                    ElementValue::Text("a \"quoted\"\nline".into()),
                ),
            ]
            .into(),
        )
    }

    #[test]
    fn every_string_is_escaped_and_reads_back() {
        let (_d, store) = store();
        let reg = registry(&store, &[("T.N:Lists", hostile())], &[]);
        let mut taken = BTreeSet::new();
        let placed = place(&reg, &store, &mut taken);
        // `Short` explains one of the values `Lists` explains; the reading that explains
        // more wins and each value goes to one policy.
        assert_eq!(placed.len(), 1, "{placed:?}");
        assert_eq!(placed[0].state, hostile());
        let text = format!(
            "settings:\n{}",
            render(&placed[0], |s| s.replace(['\n', '\r'], "?"))
        );
        let y: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let s = &y["settings"][0];
        assert_eq!(s["policy"].as_str(), Some("T.N:Lists"));
        assert!(s.get("scope").is_none(), "class User names no scope");
        let v = &s["value"];
        assert_eq!(v["Named"]["a: b"].as_str(), Some("x\ny"));
        assert_eq!(v["Named"]["#c"].as_str(), Some("\"q\" \\ '"));
        assert_eq!(v["true"][0].as_str(), Some("- dash"));
        assert_eq!(v["true"][1].as_str(), Some("null"));
        assert_eq!(v["Quote"].as_str(), Some("a \"quoted\"\nline"));
        assert!(text.contains("# Lists?# and: \"odd\" names\n"), "{text}");
    }

    #[test]
    fn enum_items_are_named_so_the_spec_finds_the_same_item() {
        let (_d, store) = store();
        let r = store.get("T.N:Pick").unwrap();
        let e = &r.policy.elements[0];
        let names: Vec<_> = (0..3).map(|i| enum_name(r.file, e, i)).collect();
        // Item 1 shares its string id and text with item 0: its value names it.
        assert_eq!(
            names,
            [
                Some("Same".to_string()),
                Some("2".into()),
                Some("Other".into())
            ]
        );
        let st = |i| PolicyState::Enabled([("E".to_string(), ElementValue::Enum(i))].into());
        let reg = registry(&store, &[("T.N:Pick", st(1))], &[]);
        let placed = place(&reg, &store, &mut BTreeSet::new());
        assert_eq!(placed.len(), 1);
        assert!(render(&placed[0], str::to_string).contains("    value: \"2\"\n"));
    }

    #[test]
    fn catalog_values_and_partial_matches_are_left_alone() {
        let (_d, store) = store();
        let reg = registry(&store, &[("T.N:Lists", hostile())], &[]);
        // A value the catalog took: the policy is not placed at all.
        let mut taken: BTreeSet<Used> = [(
            normalise(&full_path(Hive::Hkcu, "Software\\Policies\\T")),
            "lines".to_string(),
        )]
        .into();
        let placed = place(&reg, &store, &mut taken);
        // `Lists` is not placed; `Short`, whose enabledValue is the data of `Quote`,
        // explains that value and takes it.
        assert_eq!(placed.len(), 1, "{placed:?}");
        assert_eq!(placed[0].id, "T.N:Short");
        assert_eq!(placed[0].state, PolicyState::Enabled(BTreeMap::new()));

        // A cleared list key holding a value the list does not write: reading it would
        // replace that value, so the policy is not placed (the values stay comments).
        let list = PolicyState::Enabled(
            [(
                "L".to_string(),
                ElementValue::List(vec![(String::new(), "a".into())]),
            )]
            .into(),
        );
        let stray = crate::pol::Entry::set(
            "Software\\Policies\\T\\L",
            "extra",
            &crate::reg::RegData::Sz("b".into()),
        );
        let reg = registry(&store, &[("T.N:Cleared", list.clone())], &[stray]);
        assert!(place(&reg, &store, &mut BTreeSet::new()).is_empty());
        let reg = registry(&store, &[("T.N:Cleared", list.clone())], &[]);
        let placed = place(&reg, &store, &mut BTreeSet::new());
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].state, list);
        // Disabled from its `**delvals.` alone.
        let reg = registry(&store, &[("T.N:Cleared", PolicyState::Disabled)], &[]);
        let placed = place(&reg, &store, &mut BTreeSet::new());
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].state, PolicyState::Disabled);
    }
}
