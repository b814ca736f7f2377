//! The inverse of [`Policy::writes`]: what the Group Policy editor shows for a policy,
//! given what a GPO holds for one hive. `None` is Not Configured.
//!
//! How the editor decides, as PolicyPlus (`Fleex255/PolicyPlus`, `PolicyProcessing.vb`,
//! `GetPolicyState` / `GetPolicyOptionStates` / `PolFile.WillDeleteValue`), the public
//! reimplementation of the editor, records it (facts carried over, not its code):
//!
//! - **Evidence for Enabled**: the policy's `enabledValue` at `key`/`valueName` (a
//!   `valueName` without `enabledValue` means REG_DWORD 1), each `enabledList` item
//!   present, and each element whose value is present (a `list` element: its key holds
//!   any value; a `boolean`: its true value or true list).
//! - **Evidence for Disabled**: the `disabledValue` (a `valueName` without
//!   `disabledValue`: the value is deleted, `**del.NAME`), each `disabledList` item
//!   present, and, only when no element is present, each element whose value is deleted
//!   (a `list`: its key cleared by `**delvals.` with nothing after; a `boolean` in its
//!   false state counts a tenth per box: "unchecked" and "disabled" look alike).
//! - More evidence for one side decides; none is Not Configured; a tie of non-zero
//!   evidence is contradictory (PolicyPlus: Unknown) and reads here as `None` too.
//! - A value matches a fixed ADMX value by type and data: `decimal` a REG_DWORD,
//!   `longDecimal` a REG_QWORD, `string` a REG_SZ (or REG_EXPAND_SZ), `delete` a deleted
//!   value. A value is deleted by `**del.NAME`, by `**deletevalues` naming it, or by a
//!   `**delvals.` of its key that no later record sets it again after.
//! - **Element values** of an Enabled policy: `decimal` the REG_DWORD (or, `storeAsText`,
//!   the REG_SZ number); `longDecimal` the REG_QWORD (or REG_SZ); `text` the REG_SZ or
//!   REG_EXPAND_SZ; `multiText` the REG_MULTI_SZ; `enum` the first item whose value and
//!   `valueList` are all present; `list` with `explicitValue` every value name of the key
//!   with its data, with `valuePrefix` the values PREFIX1, PREFIX2, ... up to the first
//!   gap, else every value name of the key (the entry is the name); `boolean` checked
//!   when its true value (or every item of its true list) is present.
//!
//! Where this reader goes beyond PolicyPlus, so that it is the exact inverse of
//! [`Policy::writes`]: a `boolean` without `trueValue`/`trueList` is checked by REG_DWORD 1
//! at its value and unchecked by REG_DWORD 0 (the implicit values `writes` records, which
//! PolicyPlus does not count as evidence); unchecked boxes (a `falseValue`/`falseList`
//! both states write) decide only when nothing else does, and then read as Disabled
//! unless the policy has a `disabledList` that is not there (PolicyPlus adds a tenth per
//! box to the rest, so twenty unchecked boxes outweigh the policy's own `enabledValue`);
//! a boolean with neither state's values present
//! has no value (it wrote nothing); an empty `list` reads as an empty list only when its
//! key was cleared; and a `list` element that shares its key with other values the same
//! policy names (its `valueName`, another element's value, a list item) does not count
//! those as entries.
//!
//! Two sources are read: the records of one hive's Registry.pol ([`PolSource`], which
//! keeps deletions), and the registry model `import`/`verify` replay inputs into
//! ([`RegistrySource`]). The model keeps the deletions its inputs record
//! (`**del.`/`**delvals.` of a Registry.pol or LGPO text, `"NAME"=-` and `[-KEY]` of a
//! `.reg` file), but a `reg export` of a machine holds no deletions: there a Disabled
//! policy that only deletes (no `disabledValue`, no `disabledList`, no `falseValue`)
//! cannot be told from Not Configured, and an `enum` item whose value is `<delete/>`
//! cannot be read.

use super::reader::{Element, Policy, Value, ValueList, Write};
use super::state::{ElementValue, PolicyState};
use crate::pol::Entry;
use crate::reg::{Hive, RegData};
use crate::verify::model::{full_path, normalise, Registry};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a GPO (or a registry) holds for one hive, as the editor asks it.
pub trait Source {
    /// The data `key\name` holds, if set.
    fn get(&self, key: &str, name: &str) -> Option<RegData>;
    /// Whether `key\name` is deleted (and not set again after).
    fn deletes(&self, key: &str, name: &str) -> bool;
    /// Whether every value of `key` is deleted (`**delvals.`) before any it holds now.
    fn clears(&self, key: &str) -> bool;
    /// The names of the values `key` holds, in the source's order.
    fn names(&self, key: &str) -> Vec<String>;
}

#[derive(Debug, Default, PartialEq, Eq)]
struct PolKey {
    cleared: bool,
    /// Lower-case names deleted and not set since.
    deleted: BTreeSet<String>,
    /// (name as written, data), in the order first set.
    values: Vec<(String, RegData)>,
}

impl PolKey {
    /// The index of the value named `lower` (lower case).
    fn find(&self, lower: &str) -> Option<usize> {
        self.values
            .iter()
            .position(|(n, _)| n.to_lowercase() == lower)
    }
    fn remove(&mut self, name: &str) {
        let lower = name.to_lowercase();
        self.values.retain(|(n, _)| n.to_lowercase() != lower);
        self.deleted.insert(lower);
    }
}

/// The records of one hive's Registry.pol, applied in file order as the Group Policy
/// engine applies them (MS-GPREG 2.2.1; Microsoft's Registry Policy File Format page):
/// `**delvals.` deletes every value of the key, `**del.NAME` one value, `**deletevalues`
/// a `;`-list of values, `**deletekeys` a `;`-list of subkeys, `**soft.NAME` sets NAME
/// only if it is absent, `**securekey` changes nothing here. Keys and names match
/// case-insensitively, as in the registry.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PolSource {
    keys: HashMap<String, PolKey>,
}

impl PolSource {
    pub fn new(entries: &[Entry]) -> PolSource {
        let mut s = PolSource::default();
        for e in entries {
            s.apply(e);
        }
        s
    }

    fn apply(&mut self, e: &Entry) {
        let lower = e.value.to_lowercase();
        let text = || match e.reg_data() {
            Some(RegData::Sz(s)) | Some(RegData::ExpandSz(s)) => s,
            _ => String::new(),
        };
        if lower.starts_with("**deletekeys") {
            for sub in text().split(';').filter(|n| !n.is_empty()) {
                let gone = format!("{}\\{}", e.key, sub).to_lowercase();
                let prefix = format!("{gone}\\");
                for (k, v) in self.keys.iter_mut() {
                    if *k == gone || k.starts_with(&prefix) {
                        *v = PolKey {
                            cleared: true,
                            ..PolKey::default()
                        };
                    }
                }
                self.keys.entry(gone).or_default().cleared = true;
            }
            return;
        }
        let key = self.keys.entry(e.key.to_lowercase()).or_default();
        if lower.starts_with("**delvals") {
            key.values.clear();
            key.deleted.clear();
            key.cleared = true;
        } else if let Some(name) = e.value.get(6..).filter(|_| lower.starts_with("**del.")) {
            key.remove(name);
        } else if lower == "**deletevalues" {
            for name in text().split(';').filter(|n| !n.is_empty()) {
                key.remove(name);
            }
        } else if lower.starts_with("**securekey") {
        } else {
            let (soft, name) = match e.value.get(..7) {
                Some(p) if p.eq_ignore_ascii_case("**soft.") => (true, &e.value[7..]),
                _ => (false, e.value.as_str()),
            };
            if name.starts_with("**") {
                return;
            }
            let data = RegData::from_stored(e.reg_type, &e.data);
            let lname = name.to_lowercase();
            match key.find(&lname) {
                Some(_) if soft => {}
                Some(i) => key.values[i].1 = data,
                None => key.values.push((name.to_string(), data)),
            }
            key.deleted.remove(&lname);
        }
    }

    fn key(&self, key: &str) -> Option<&PolKey> {
        self.keys.get(&key.to_lowercase())
    }

    /// What the records leave, in no particular order: by lower-case key, whether it
    /// was cleared, the names deleted, and the values by lower-case name. Two files
    /// with the same effect apply the same changes.
    pub fn effect(&self) -> Effect {
        self.keys
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    (
                        v.cleared,
                        v.deleted.clone(),
                        v.values
                            .iter()
                            .map(|(n, d)| (n.to_lowercase(), d.clone()))
                            .collect(),
                    ),
                )
            })
            .collect()
    }
}

/// [`PolSource::effect`]: key -> (cleared, deleted names, name -> data).
pub type Effect = BTreeMap<String, (bool, BTreeSet<String>, BTreeMap<String, RegData>)>;

impl Source for PolSource {
    fn get(&self, key: &str, name: &str) -> Option<RegData> {
        let k = self.key(key)?;
        k.find(&name.to_lowercase()).map(|i| k.values[i].1.clone())
    }
    fn deletes(&self, key: &str, name: &str) -> bool {
        self.key(key).is_some_and(|k| {
            let lower = name.to_lowercase();
            k.deleted.contains(&lower) || (k.cleared && k.find(&lower).is_none())
        })
    }
    fn clears(&self, key: &str) -> bool {
        self.key(key).is_some_and(|k| k.cleared)
    }
    fn names(&self, key: &str) -> Vec<String> {
        self.key(key)
            .map(|k| k.values.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default()
    }
}

/// One hive of the registry model `import` and `verify` build. Value names come in the
/// model's order (by lower-case name), not the inputs' order: an `explicitValue` or
/// value-as-name list reads back sorted; a `valuePrefix` list keeps its numbering.
#[derive(Debug, Clone, Copy)]
pub struct RegistrySource<'a> {
    pub reg: &'a Registry,
    pub hive: Hive,
}

impl RegistrySource<'_> {
    fn full(&self, key: &str) -> String {
        normalise(&full_path(self.hive, key))
    }
}

impl Source for RegistrySource<'_> {
    fn get(&self, key: &str, name: &str) -> Option<RegData> {
        self.reg
            .keys
            .get(&self.full(key))?
            .values
            .get(&name.to_lowercase())
            .map(|(_, d)| d.clone())
    }
    fn deletes(&self, key: &str, name: &str) -> bool {
        let full = self.full(key);
        let lower = name.to_lowercase();
        let present = self
            .reg
            .keys
            .get(&full)
            .is_some_and(|k| k.values.contains_key(&lower));
        !present
            && (self.reg.deleted.contains(&(full.clone(), lower))
                || self.reg.cleared.contains(&full))
    }
    fn clears(&self, key: &str) -> bool {
        self.reg.cleared.contains(&self.full(key))
    }
    fn names(&self, key: &str) -> Vec<String> {
        self.reg
            .keys
            .get(&self.full(key))
            .map(|k| k.values.values().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default()
    }
}

/// Whether `key\name` holds the fixed value `v`.
fn present(src: &dyn Source, key: &str, name: &str, v: &Value) -> bool {
    match v {
        Value::Delete => src.deletes(key, name),
        Value::Decimal(d) => matches!(src.get(key, name), Some(RegData::Dword(x)) if x == *d),
        Value::LongDecimal(q) => matches!(src.get(key, name), Some(RegData::Qword(x)) if x == *q),
        Value::String(s) => matches!(
            src.get(key, name),
            Some(RegData::Sz(x)) | Some(RegData::ExpandSz(x)) if x == *s
        ),
    }
}

/// The (key, value name, value) items of a value list.
fn items<'a>(
    key: &'a str,
    l: &'a ValueList,
) -> impl Iterator<Item = (&'a str, &'a str, &'a Value)> {
    let default = l.default_key.as_deref().unwrap_or(key);
    l.items.iter().map(move |i| {
        (
            i.key.as_deref().unwrap_or(default),
            i.value_name.as_str(),
            &i.value,
        )
    })
}

/// The fixed values one state of a `boolean` element writes, as [`Policy::writes`]
/// records them: its value (`trueValue`/`falseValue`, else REG_DWORD 1/0 when it has
/// neither a value nor a list) and its list.
fn boolean_side<'a>(key: &'a str, e: &'a Element, on: bool) -> Vec<(&'a str, &'a str, Value)> {
    let (value, list, implicit) = if on {
        (&e.true_value, &e.true_list, 1)
    } else {
        (&e.false_value, &e.false_list, 0)
    };
    let mut out = Vec::new();
    if let Some(name) = e.attr("valueName") {
        match value {
            Some(v) => out.push((key, name, v.clone())),
            None if list.is_none() => out.push((key, name, Value::Decimal(implicit))),
            None => {}
        }
    }
    if let Some(l) = list {
        out.extend(items(key, l).map(|(k, n, v)| (k, n, v.clone())));
    }
    out
}

fn all_present(src: &dyn Source, vals: &[(&str, &str, Value)]) -> bool {
    vals.iter().all(|(k, n, v)| present(src, k, n, v))
}

impl Policy {
    fn element_key<'a>(&'a self, e: &'a Element) -> &'a str {
        e.attr("key").unwrap_or(&self.key)
    }

    /// The state the Group Policy editor shows for this policy, given what `src` holds
    /// for one hive; `None` is Not Configured (or evidence for both states in equal
    /// measure, which the editor cannot show either). See the module documentation.
    pub fn read_state(&self, src: &dyn Source) -> Option<PolicyState> {
        // Evidence in tenths of a value: a value, list item or element counts 10; an
        // unchecked box is counted apart (`unchecked`), 1 each.
        let mut enabled = 0i64;
        let mut disabled = 0i64;
        if let Some(vn) = &self.value_name {
            let on = self.enabled_value.clone().unwrap_or(Value::Decimal(1));
            let off = self.disabled_value.clone().unwrap_or(Value::Delete);
            if present(src, &self.key, vn, &on) {
                enabled += 10;
            }
            if present(src, &self.key, vn, &off) {
                disabled += 10;
            }
        }
        for (l, side) in [
            (&self.enabled_list, &mut enabled),
            (&self.disabled_list, &mut disabled),
        ] {
            if let Some(l) = l {
                *side += 10
                    * items(&self.key, l)
                        .filter(|(k, n, v)| present(src, k, n, v))
                        .count() as i64;
            }
        }
        let (mut shown, mut deleted, mut unchecked) = (0i64, 0i64, 0i64);
        for e in &self.elements {
            let key = self.element_key(e);
            let name = e.attr("valueName");
            match e.kind.as_str() {
                "list" => {
                    if !self.list_entries_present(src, e).is_empty() {
                        shown += 10;
                    } else if src.clears(key) {
                        deleted += 10;
                    }
                }
                "boolean" => {
                    if name.is_some_and(|n| src.deletes(key, n)) {
                        deleted += 10;
                    } else {
                        let on = boolean_side(key, e, true);
                        let off = boolean_side(key, e, false);
                        let implicit_off = e.false_value.is_none() && e.false_list.is_none();
                        if !on.is_empty() && all_present(src, &on) {
                            shown += 10;
                        } else if !off.is_empty() && all_present(src, &off) {
                            // Disabled deletes an implicit value: its REG_DWORD 0 is
                            // the Enabled state's; a falseValue or falseList both
                            // states write is weak evidence, as the editor counts it.
                            if implicit_off {
                                shown += 10;
                            } else {
                                unchecked += 1;
                            }
                        }
                    }
                }
                "enum" if name.is_none() => {
                    if self.enum_item(src, e).is_some() {
                        shown += 10;
                    }
                }
                _ => match name {
                    Some(n) if src.deletes(key, n) => deleted += 10,
                    Some(n) if src.get(key, n).is_some() => shown += 10,
                    _ => {}
                },
            }
        }
        if shown > 0 {
            enabled += shown;
        } else {
            disabled += deleted;
        }
        if enabled == 0 && disabled == 0 {
            // Only unchecked boxes speak. A policy whose Disabled state writes its own
            // values (a `disabledList`) that are not there is Enabled with its boxes
            // unchecked; otherwise unchecked reads as Disabled, as in the editor.
            if self.disabled_list.is_some() {
                enabled += unchecked;
            } else {
                disabled += unchecked;
            }
        }
        if disabled > enabled {
            return Some(PolicyState::Disabled);
        }
        if enabled == 0 || enabled == disabled {
            return None;
        }
        let mut values = BTreeMap::new();
        for e in &self.elements {
            if let Some(v) = self.read_element(src, e) {
                values.insert(e.id.clone(), v);
            }
        }
        Some(PolicyState::Enabled(values))
    }

    /// The first enum item whose value and value list are all present.
    fn enum_item(&self, src: &dyn Source, e: &Element) -> Option<usize> {
        let key = self.element_key(e);
        let name = e.attr("valueName").unwrap_or_default();
        e.enum_items.iter().position(|i| {
            (i.value.is_some() || i.value_list.is_some())
                && i.value.as_ref().is_none_or(|v| present(src, key, name, v))
                && i.value_list
                    .as_ref()
                    .is_none_or(|l| items(key, l).all(|(k, n, v)| present(src, k, n, v)))
        })
    }

    /// The value names this policy's definition names in `key`, other than `except`'s
    /// (lower case): they are not entries of a list element sharing the key.
    fn named_in(&self, key: &str, except: &Element) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut add = |k: &str, n: &str| {
            if k.eq_ignore_ascii_case(key) {
                out.insert(n.to_lowercase());
            }
        };
        if let Some(vn) = &self.value_name {
            add(&self.key, vn);
        }
        for l in [&self.enabled_list, &self.disabled_list]
            .into_iter()
            .flatten()
        {
            items(&self.key, l).for_each(|(k, n, _)| add(k, n));
        }
        for e in self.elements.iter().filter(|e| e.id != except.id) {
            let ek = self.element_key(e);
            if e.kind != "list" {
                if let Some(n) = e.attr("valueName") {
                    add(ek, n);
                }
            }
            for l in [&e.true_list, &e.false_list]
                .into_iter()
                .flatten()
                .chain(e.enum_items.iter().filter_map(|i| i.value_list.as_ref()))
            {
                items(ek, l).for_each(|(k, n, _)| add(k, n));
            }
        }
        out
    }

    /// A list element's entries as the editor lists them: (name, value) for
    /// `explicitValue`, else ("", value).
    fn list_entries_present(&self, src: &dyn Source, e: &Element) -> Vec<(String, String)> {
        let key = self.element_key(e);
        let text = |name: &str| match src.get(key, name) {
            Some(RegData::Sz(s)) | Some(RegData::ExpandSz(s)) => Some(s),
            _ => None,
        };
        if let (false, Some(prefix)) = (e.flag("explicitValue"), e.attr("valuePrefix")) {
            return (1..)
                .map_while(|i| text(&format!("{prefix}{i}")))
                .map(|v| (String::new(), v))
                .collect();
        }
        let others = self.named_in(key, e);
        let names = src
            .names(key)
            .into_iter()
            .filter(|n| !others.contains(&n.to_lowercase()));
        if e.flag("explicitValue") {
            names.filter_map(|n| text(&n).map(|v| (n, v))).collect()
        } else {
            names.map(|n| (String::new(), n)).collect()
        }
    }

    fn read_element(&self, src: &dyn Source, e: &Element) -> Option<ElementValue> {
        let key = self.element_key(e);
        let get = || e.attr("valueName").and_then(|n| src.get(key, n));
        match e.kind.as_str() {
            "decimal" => match get()? {
                RegData::Dword(d) => Some(ElementValue::Number(d.into())),
                RegData::Sz(s) => s
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .map(|d| ElementValue::Number(d.into())),
                _ => None,
            },
            "longDecimal" => match get()? {
                RegData::Qword(q) => Some(ElementValue::Number(q)),
                RegData::Dword(d) => Some(ElementValue::Number(d.into())),
                RegData::Sz(s) => s.trim().parse().ok().map(ElementValue::Number),
                _ => None,
            },
            "text" => match get()? {
                RegData::Sz(s) | RegData::ExpandSz(s) => Some(ElementValue::Text(s)),
                _ => None,
            },
            "multiText" => match get()? {
                RegData::MultiSz(v) => Some(ElementValue::Strings(v)),
                _ => None,
            },
            "enum" => self.enum_item(src, e).map(ElementValue::Enum),
            "boolean" => {
                let on = boolean_side(key, e, true);
                let off = boolean_side(key, e, false);
                if !on.is_empty() && all_present(src, &on) {
                    Some(ElementValue::Bool(true))
                } else if all_present(src, &off) {
                    Some(ElementValue::Bool(false))
                } else {
                    None
                }
            }
            "list" => {
                let entries = self.list_entries_present(src, e);
                (!entries.is_empty() || src.clears(key)).then_some(ElementValue::List(entries))
            }
            _ => None,
        }
    }
}

/// Registry.pol records for `writes` of one hive, in order: a value set, a `**del.NAME`
/// (REG_SZ " ", as for `**delvals.`), a `**delvals.` of the key.
pub fn pol_entries(writes: &[Write]) -> Vec<Entry> {
    writes
        .iter()
        .map(|w| match w {
            Write::Set {
                key, name, data, ..
            } => Entry::set(key, name, data),
            Write::Delete { key, name, .. } => {
                Entry::set(key, &format!("**del.{name}"), &RegData::Sz(" ".into()))
            }
            Write::ClearKey { key, .. } => Entry::delete_values(key),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admx::reader::read_admx;

    const ADMX: &str = r#"<policyDefinitions revision="1.0" schemaVersion="1.0"><policyNamespaces><target prefix="t" namespace="T.N"/></policyNamespaces><resources minRequiredRevision="1.0"/>
<policies>
  <policy name="Every" class="Both" displayName="$(string.E)" key="Software\Policies\T" valueName="On">
    <enabledValue><decimal value="7"/></enabledValue>
    <elements>
      <boolean id="B" valueName="Flag"><trueValue><string>yes</string></trueValue><falseList><item key="Software\Policies\T\F" valueName="Off"><value><decimal value="1"/></value></item></falseList></boolean>
      <boolean id="I" valueName="Implicit"/>
      <decimal id="D" valueName="Count" minValue="1" maxValue="10"/>
      <decimal id="DT" valueName="CountText" storeAsText="true"/>
      <longDecimal id="Q" valueName="Big"/>
      <longDecimal id="QT" valueName="BigText" storeAsText="true"/>
      <text id="T" valueName="Path" expandable="true"/>
      <text id="S" valueName="Name"/>
      <multiText id="M" valueName="Lines"/>
      <enum id="E" valueName="Mode"><item displayName="$(string.A)"><value><decimal value="0"/></value></item><item displayName="$(string.B)"><value><string>b</string></value><valueList><item valueName="Extra"><value><decimal value="9"/></value></item></valueList></item></enum>
      <list id="L" key="Software\Policies\T\L" valuePrefix=""/>
      <list id="P" key="Software\Policies\T\P" valuePrefix="Site"/>
      <list id="X" key="Software\Policies\T\X" explicitValue="true" additive="true"/>
      <list id="N" key="Software\Policies\T\N"/>
    </elements>
  </policy>
  <policy name="Switch" class="Machine" displayName="$(string.S)" key="Software\Policies\T" valueName="Switch">
    <enabledValue><decimal value="1"/></enabledValue><disabledValue><decimal value="0"/></disabledValue>
  </policy>
  <policy name="Plain" class="User" displayName="$(string.P)" key="Software\Policies\T" valueName="Plain"/>
  <policy name="Boxes" class="User" displayName="$(string.X)" key="Software\Policies\T\Boxes">
    <elements><boolean id="One" valueName="One"><trueValue><decimal value="1"/></trueValue><falseValue><decimal value="0"/></falseValue></boolean></elements>
  </policy>
</policies></policyDefinitions>"#;

    fn policies() -> Vec<Policy> {
        read_admx(ADMX).unwrap().policies
    }

    fn values(pairs: &[(&str, ElementValue)]) -> BTreeMap<String, ElementValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn every_value(flag: bool, item: usize) -> PolicyState {
        PolicyState::Enabled(values(&[
            ("B", ElementValue::Bool(flag)),
            ("I", ElementValue::Bool(flag)),
            ("D", ElementValue::Number(3)),
            ("DT", ElementValue::Number(4)),
            ("Q", ElementValue::Number(1 << 40)),
            ("QT", ElementValue::Number(5)),
            ("T", ElementValue::Text("%TEMP%".into())),
            ("S", ElementValue::Text("x".into())),
            ("M", ElementValue::Strings(vec!["a".into(), "b".into()])),
            ("E", ElementValue::Enum(item)),
            (
                "L",
                ElementValue::List(vec![
                    (String::new(), "x".into()),
                    (String::new(), "y".into()),
                ]),
            ),
            (
                "P",
                ElementValue::List(vec![
                    (String::new(), "p".into()),
                    (String::new(), "q".into()),
                ]),
            ),
            (
                "X",
                ElementValue::List(vec![("n1".into(), "v1".into()), ("n2".into(), "v2".into())]),
            ),
            (
                "N",
                ElementValue::List(vec![
                    (String::new(), "b.example".into()),
                    (String::new(), "a.example".into()),
                ]),
            ),
        ]))
    }

    fn pol(p: &Policy, hive: Hive, state: &PolicyState) -> PolSource {
        PolSource::new(&pol_entries(&p.writes(hive, state).unwrap()))
    }

    #[test]
    fn every_element_kind_reads_back() {
        let p = &policies()[0];
        for state in [
            every_value(true, 0),
            every_value(false, 1),
            PolicyState::Disabled,
        ] {
            for hive in [Hive::Hklm, Hive::Hkcu] {
                assert_eq!(p.read_state(&pol(p, hive, &state)), Some(state.clone()));
            }
        }
    }

    #[test]
    fn values_are_read_by_kind() {
        let p = &policies()[0];
        let k = "Software\\Policies\\T";
        let set = |n: &str, d: RegData| Entry::set(k, n, &d);
        // A decimal written as text, a text element written as REG_EXPAND_SZ, a
        // longDecimal as a REG_DWORD: the editor reads each.
        let src = PolSource::new(&[
            set("On", RegData::Dword(7)),
            set("Count", RegData::Sz("8".into())),
            set("Name", RegData::ExpandSz("y".into())),
            set("Big", RegData::Dword(2)),
            // The wrong type for a multiText: no value.
            set("Lines", RegData::Sz("a".into())),
            // An enum value no item has: no value.
            set("Mode", RegData::Dword(5)),
        ]);
        assert_eq!(
            p.read_state(&src),
            Some(PolicyState::Enabled(values(&[
                ("D", ElementValue::Number(8)),
                ("S", ElementValue::Text("y".into())),
                ("Q", ElementValue::Number(2)),
            ])))
        );
        // A valuePrefix list stops at the first gap; the enabled value alone is Enabled.
        let src = PolSource::new(&[
            set("On", RegData::Dword(7)),
            Entry::set(&format!("{k}\\P"), "Site1", &RegData::Sz("a".into())),
            Entry::set(&format!("{k}\\P"), "Site3", &RegData::Sz("c".into())),
        ]);
        assert_eq!(
            p.read_state(&src),
            Some(PolicyState::Enabled(values(&[(
                "P",
                ElementValue::List(vec![(String::new(), "a".into())])
            )])))
        );
    }

    #[test]
    fn disabled_and_not_configured() {
        let ps = policies();
        let (switch, plain, boxes) = (&ps[1], &ps[2], &ps[3]);
        let k = "Software\\Policies\\T";
        // disabledValue present: Disabled; enabledValue: Enabled; neither: Not Configured.
        let read = |p: &Policy, e: &[Entry]| p.read_state(&PolSource::new(e));
        assert_eq!(
            read(switch, &[Entry::set(k, "Switch", &RegData::Dword(0))]),
            Some(PolicyState::Disabled)
        );
        assert_eq!(
            read(switch, &[Entry::set(k, "Switch", &RegData::Dword(1))]),
            Some(PolicyState::Enabled(BTreeMap::new()))
        );
        assert_eq!(
            read(switch, &[Entry::set(k, "Switch", &RegData::Dword(2))]),
            None
        );
        assert_eq!(read(switch, &[]), None);
        // No disabledValue: a `**del.` of the value is Disabled, REG_DWORD 1 Enabled.
        let del = pol_entries(&plain.writes(Hive::Hkcu, &PolicyState::Disabled).unwrap());
        assert_eq!(del[0].value, "**del.Plain");
        assert_eq!(read(plain, &del), Some(PolicyState::Disabled));
        assert_eq!(
            read(plain, &[Entry::set(k, "Plain", &RegData::Dword(1))]),
            Some(PolicyState::Enabled(BTreeMap::new()))
        );
        // A value set after its delete is not deleted.
        let mut again = del.clone();
        again.push(Entry::set(k, "Plain", &RegData::Dword(1)));
        assert_eq!(
            read(plain, &again),
            Some(PolicyState::Enabled(BTreeMap::new()))
        );
        // A policy of one checkbox: unchecked writes what Disabled writes, and reads as
        // Disabled (the editor's reading); checked is Enabled.
        let off = PolicyState::Enabled(values(&[("One", ElementValue::Bool(false))]));
        let on = PolicyState::Enabled(values(&[("One", ElementValue::Bool(true))]));
        assert_eq!(
            boxes.read_state(&pol(boxes, Hive::Hkcu, &off)),
            Some(PolicyState::Disabled)
        );
        assert_eq!(boxes.read_state(&pol(boxes, Hive::Hkcu, &on)), Some(on));
    }

    #[test]
    fn pol_directives_apply_in_order() {
        let k = "Software\\Policies\\T\\L";
        let s = |n: &str, v: &str| Entry::set(k, n, &RegData::Sz(v.into()));
        let src = PolSource::new(&[
            s("1", "old"),
            s("2", "old"),
            s("3", "old"),
            Entry::delete_values(k),
            s("1", "new"),
            s("**soft.1", "soft"),
            s("**soft.2", "soft"),
            Entry::set(k, "**deletevalues", &RegData::Sz("2;x".into())),
            s("4", "four"),
            Entry::set(
                "Software\\Policies\\T",
                "**deletekeys",
                &RegData::Sz("Gone".into()),
            ),
        ]);
        assert_eq!(src.get(k, "1"), Some(RegData::Sz("new".into())));
        assert_eq!(
            src.get("SOFTWARE\\policies\\t\\l", "1"),
            Some(RegData::Sz("new".into()))
        );
        assert!(src.deletes(k, "2") && src.deletes(k, "3") && !src.deletes(k, "1"));
        assert!(src.clears(k) && src.clears("Software\\Policies\\T\\Gone"));
        assert_eq!(src.names(k), ["1", "4"]);
    }

    #[test]
    fn the_registry_model_reads_the_same_and_keeps_deletions() {
        let p = &policies()[0];
        for state in [every_value(true, 1), PolicyState::Disabled] {
            let bytes =
                crate::pol::write(&pol_entries(&p.writes(Hive::Hklm, &state).unwrap())).unwrap();
            let mut reg = Registry::default();
            reg.add_pol(Hive::Hklm, &bytes).unwrap();
            let src = RegistrySource {
                reg: &reg,
                hive: Hive::Hklm,
            };
            let back = p.read_state(&src);
            // The model orders value names by name: the value-as-name list comes back sorted.
            let want = match &state {
                PolicyState::Enabled(v) => {
                    let mut v = v.clone();
                    v.insert(
                        "N".into(),
                        ElementValue::List(vec![
                            (String::new(), "a.example".into()),
                            (String::new(), "b.example".into()),
                        ]),
                    );
                    PolicyState::Enabled(v)
                }
                s => s.clone(),
            };
            assert_eq!(back, Some(want));
            // The other hive holds nothing.
            assert_eq!(
                p.read_state(&RegistrySource {
                    reg: &reg,
                    hive: Hive::Hkcu
                }),
                None
            );
        }
        // A `.reg` deletion (`"Plain"=-`) is a deletion too; a machine export without it
        // cannot tell Disabled from Not Configured.
        let plain = &policies()[2];
        let mut reg = Registry::default();
        reg.add_reg(b"REGEDIT4\n\n[HKEY_CURRENT_USER\\Software\\Policies\\T]\n\"Plain\"=-\n")
            .unwrap();
        let src = RegistrySource {
            reg: &reg,
            hive: Hive::Hkcu,
        };
        assert_eq!(plain.read_state(&src), Some(PolicyState::Disabled));
        let mut reg = Registry::default();
        reg.add_reg(
            b"REGEDIT4\n\n[HKEY_CURRENT_USER\\Software\\Policies\\T]\n\"Other\"=dword:00000001\n",
        )
        .unwrap();
        assert_eq!(
            plain.read_state(&RegistrySource {
                reg: &reg,
                hive: Hive::Hkcu
            }),
            None
        );
    }
}
