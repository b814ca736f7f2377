//! A policy's state as an admin sets it in the Group Policy editor (Enabled with element
//! values, or Disabled), and the registry writes the Group Policy engine records for it in
//! Registry.pol.
//!
//! Sources, per state:
//! - Enabled: `enabledValue` at the policy's `key`/`valueName` (a `valueName` without
//!   `enabledValue` is REG_DWORD 1), every `enabledList` item, then each element:
//!   `boolean` its `trueValue`/`falseValue` (else REG_DWORD 1/0) and `trueList`/`falseList`;
//!   `decimal` REG_DWORD (`storeAsText`: REG_SZ); `longDecimal` REG_QWORD (`storeAsText`:
//!   REG_SZ); `text` REG_SZ (`expandable`: REG_EXPAND_SZ); `multiText` REG_MULTI_SZ; `enum`
//!   the chosen item's `value` and `valueList`; `list` its entries, named by `explicitValue`,
//!   `valuePrefix` + 1, 2, ... or the entry itself, after a `**delvals.` of its key unless
//!   `additive="true"` (Microsoft's ADMX schema reference, "elements" and its children:
//!   <https://learn.microsoft.com/en-us/previous-versions/windows/desktop/policy/element-elements>).
//! - Disabled: `disabledValue` (a `valueName` without one is deleted, `**del.NAME`) and every
//!   `disabledList` item; each element's value is deleted (`**del.NAME`), a `list` element's
//!   key is cleared (`**delvals.`), and a `boolean` with a `falseValue`/`falseList` writes
//!   those instead. Salt's `win_lgpo_reg` documentation ("A Disabled policy will have an entry
//!   ... the value name ... prepended with **del.") and PolicyPlus's Registry.pol writer
//!   (the public reimplementation of the editor) agree; not observed on Windows here.

use super::reader::{Adml, Element, Policy, ReadError, Value, ValueList, Write};
use crate::reg::{Hive, RegData};
use std::collections::BTreeMap;

/// The value an admin gives one element of an Enabled policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementValue {
    /// `boolean` (a check box).
    Bool(bool),
    /// `decimal` (u32 range) or `longDecimal`.
    Number(u64),
    /// `text`.
    Text(String),
    /// `multiText`: one string per line.
    Strings(Vec<String>),
    /// `list`: (value name, value); the name is used only by `explicitValue` lists.
    List(Vec<(String, String)>),
    /// `enum`: the index of the chosen item in [`Element::enum_items`].
    Enum(usize),
}

/// The state of a configured policy (Not Configured writes nothing and is not a state here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyState {
    /// Element id -> value. An element without a value writes nothing.
    Enabled(BTreeMap<String, ElementValue>),
    Disabled,
}

fn err(msg: impl Into<String>) -> ReadError {
    ReadError(msg.into())
}

/// One fixed ADMX value as a write (`<delete/>` deletes the value).
fn fixed(hive: Hive, key: &str, name: &str, v: &Value) -> Write {
    let (key, name) = (key.to_string(), name.to_string());
    let data = match v {
        Value::Decimal(d) => RegData::Dword(*d),
        Value::LongDecimal(q) => RegData::Qword(*q),
        Value::String(s) => RegData::Sz(s.clone()),
        Value::Delete => return Write::Delete { hive, key, name },
    };
    Write::Set {
        hive,
        key,
        name,
        data,
    }
}

/// The items of a value list; an item without `key` uses the list's `defaultKey`, else `key`.
fn list_writes(hive: Hive, key: &str, l: &ValueList, out: &mut Vec<Write>) {
    let default = l.default_key.as_deref().unwrap_or(key);
    for i in &l.items {
        out.push(fixed(
            hive,
            i.key.as_deref().unwrap_or(default),
            &i.value_name,
            &i.value,
        ));
    }
}

impl Policy {
    /// The class allows `hive` (`Both` allows either).
    pub fn allows(&self, hive: Hive) -> bool {
        match self.class.as_str() {
            "Both" => true,
            "Machine" => hive == Hive::Hklm,
            "User" => hive == Hive::Hkcu,
            _ => false,
        }
    }

    /// The registry writes of `state` in `hive`, in the order the editor records them
    /// (policy value, its list, then elements in ADMX order). Errors: a hive the class does
    /// not allow, an element value of the wrong kind, an enum index out of range, a decimal
    /// over u32. Values are not range-checked here; `validate` does that against the ADMX.
    pub fn writes(&self, hive: Hive, state: &PolicyState) -> Result<Vec<Write>, ReadError> {
        if !self.allows(hive) {
            return Err(err(format!(
                "policy {}: class `{}` does not write {}",
                self.name,
                self.class,
                hive.short_name()
            )));
        }
        let mut out = Vec::new();
        match state {
            PolicyState::Enabled(values) => {
                if let Some(vn) = &self.value_name {
                    let v = self.enabled_value.clone().unwrap_or(Value::Decimal(1));
                    out.push(fixed(hive, &self.key, vn, &v));
                }
                if let Some(l) = &self.enabled_list {
                    list_writes(hive, &self.key, l, &mut out);
                }
                for e in &self.elements {
                    if let Some(v) = values.get(&e.id) {
                        self.element_writes(hive, e, v, &mut out)?;
                    }
                }
            }
            PolicyState::Disabled => {
                if let Some(vn) = &self.value_name {
                    let v = self.disabled_value.clone().unwrap_or(Value::Delete);
                    out.push(fixed(hive, &self.key, vn, &v));
                }
                if let Some(l) = &self.disabled_list {
                    list_writes(hive, &self.key, l, &mut out);
                }
                for e in &self.elements {
                    let key = e.attr("key").unwrap_or(&self.key);
                    let name = e.attr("valueName");
                    match (e.kind.as_str(), name) {
                        ("list", _) => out.push(Write::ClearKey {
                            hive,
                            key: key.to_string(),
                        }),
                        ("boolean", _) if e.false_value.is_some() || e.false_list.is_some() => {
                            if let (Some(n), Some(v)) = (name, &e.false_value) {
                                out.push(fixed(hive, key, n, v));
                            }
                            if let Some(l) = &e.false_list {
                                list_writes(hive, key, l, &mut out);
                            }
                        }
                        (_, Some(n)) => out.push(Write::Delete {
                            hive,
                            key: key.to_string(),
                            name: n.to_string(),
                        }),
                        (_, None) => {}
                    }
                }
            }
        }
        // A list's `**delvals.` clears its key before anything is written there: the
        // editor records the clearing first (PolicyPlus sorts `**delvals.` first), so an
        // `enabledList` item or element value in the same key survives it.
        out.sort_by_key(|w| !matches!(w, Write::ClearKey { .. }));
        Ok(out)
    }

    fn element_writes(
        &self,
        hive: Hive,
        e: &Element,
        v: &ElementValue,
        out: &mut Vec<Write>,
    ) -> Result<(), ReadError> {
        let key = e.attr("key").unwrap_or(&self.key).to_string();
        let name = e.attr("valueName").unwrap_or_default().to_string();
        let set = |data: RegData| Write::Set {
            hive,
            key: key.clone(),
            name: name.clone(),
            data,
        };
        let wrong = || {
            err(format!(
                "policy {}: element {} (<{}>) cannot take {v:?}",
                self.name, e.id, e.kind
            ))
        };
        match (e.kind.as_str(), v) {
            ("boolean", ElementValue::Bool(b)) => {
                let (value, list, implicit) = if *b {
                    (&e.true_value, &e.true_list, 1)
                } else {
                    (&e.false_value, &e.false_list, 0)
                };
                let named = e.attr("valueName").is_some();
                match value {
                    Some(fv) if named => out.push(fixed(hive, &key, &name, fv)),
                    None if list.is_none() && named => out.push(set(RegData::Dword(implicit))),
                    _ => {}
                }
                if let Some(l) = list {
                    list_writes(hive, &key, l, out);
                }
            }
            ("decimal", ElementValue::Number(n)) => {
                let n32 = u32::try_from(*n).map_err(|_| {
                    err(format!(
                        "policy {}: element {}: {n} does not fit a REG_DWORD",
                        self.name, e.id
                    ))
                })?;
                out.push(set(if e.flag("storeAsText") {
                    RegData::Sz(n32.to_string())
                } else {
                    RegData::Dword(n32)
                }));
            }
            ("longDecimal", ElementValue::Number(n)) => out.push(set(if e.flag("storeAsText") {
                RegData::Sz(n.to_string())
            } else {
                RegData::Qword(*n)
            })),
            ("text", ElementValue::Text(t)) => out.push(set(if e.flag("expandable") {
                RegData::ExpandSz(t.clone())
            } else {
                RegData::Sz(t.clone())
            })),
            ("multiText", ElementValue::Strings(lines)) => {
                out.push(set(RegData::MultiSz(lines.clone())))
            }
            ("enum", ElementValue::Enum(i)) => {
                let item = e.enum_items.get(*i).ok_or_else(|| {
                    err(format!(
                        "policy {}: element {} has no item {i}",
                        self.name, e.id
                    ))
                })?;
                if let Some(iv) = &item.value {
                    out.push(fixed(hive, &key, &name, iv));
                }
                if let Some(l) = &item.value_list {
                    list_writes(hive, &key, l, out);
                }
            }
            ("list", ElementValue::List(entries)) => {
                if !e.flag("additive") {
                    out.push(Write::ClearKey {
                        hive,
                        key: key.clone(),
                    });
                }
                for (i, (n, value)) in entries.iter().enumerate() {
                    let name = if e.flag("explicitValue") {
                        n.clone()
                    } else if let Some(prefix) = e.attr("valuePrefix") {
                        format!("{prefix}{}", i + 1)
                    } else {
                        // No prefix and no explicit names: the entry is its own name.
                        value.clone()
                    };
                    out.push(Write::Set {
                        hive,
                        key: key.clone(),
                        name,
                        data: if e.flag("expandable") {
                            RegData::ExpandSz(value.clone())
                        } else {
                            RegData::Sz(value.clone())
                        },
                    });
                }
            }
            _ => return Err(wrong()),
        }
        Ok(())
    }

    /// The element values the editor shows before the admin changes anything: the
    /// presentation's `defaultValue` (textBox, decimalTextBox, longDecimalTextBox),
    /// `defaultChecked` (checkBox) and `defaultItem` (dropdownList), by element id.
    /// A default that does not parse as its element's kind is left out.
    pub fn presentation_defaults(&self, adml: Option<&Adml>) -> BTreeMap<String, ElementValue> {
        let mut out = BTreeMap::new();
        let Some(pres) = adml.and_then(|a| {
            a.presentation(
                self.presentation
                    .as_deref()?
                    .strip_prefix("$(presentation.")?
                    .strip_suffix(')')?,
            )
        }) else {
            return out;
        };
        for c in &pres.controls {
            let Some(id) = c.ref_id.as_deref() else {
                continue;
            };
            let Some(e) = self.elements.iter().find(|e| e.id == id) else {
                continue;
            };
            let v = match e.kind.as_str() {
                "text" => c.default_value.clone().map(ElementValue::Text),
                "decimal" | "longDecimal" => c
                    .default_value
                    .as_deref()
                    .and_then(|d| d.trim().parse().ok())
                    .map(ElementValue::Number),
                "boolean" => Some(ElementValue::Bool(c.default_checked)),
                "enum" => c
                    .default_item
                    .filter(|i| *i < e.enum_items.len())
                    .map(ElementValue::Enum),
                _ => None,
            };
            if let Some(v) = v {
                out.insert(id.to_string(), v);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admx::reader::read_admx;

    const ADMX: &str = r#"<policyDefinitions revision="1.0" schemaVersion="1.0"><policyNamespaces><target prefix="t" namespace="T.N"/></policyNamespaces><resources minRequiredRevision="1.0"/>
<policies>
  <policy name="Every" class="Both" displayName="$(string.E)" key="Software\Policies\T" valueName="On" presentation="$(presentation.Every)">
    <enabledValue><decimal value="7"/></enabledValue>
    <elements>
      <boolean id="B" valueName="Flag"><trueValue><string>yes</string></trueValue><falseList><item key="Software\Policies\T\F" valueName="Off"><value><decimal value="1"/></value></item></falseList></boolean>
      <decimal id="D" valueName="Count" minValue="1" maxValue="10"/>
      <decimal id="DT" valueName="CountText" storeAsText="true"/>
      <longDecimal id="Q" valueName="Big"/>
      <text id="T" valueName="Path" expandable="true"/>
      <multiText id="M" valueName="Lines"/>
      <enum id="E" valueName="Mode"><item displayName="$(string.A)"><value><decimal value="0"/></value></item><item displayName="$(string.B)"><value><string>b</string></value><valueList><item valueName="Extra"><value><delete/></value></item></valueList></item></enum>
      <list id="L" key="Software\Policies\T\L" valuePrefix=""/>
      <list id="X" key="Software\Policies\T\X" explicitValue="true" additive="true"/>
    </elements>
  </policy>
  <policy name="Plain" class="Machine" displayName="$(string.P)" key="Software\Policies\T" valueName="Plain"/>
</policies></policyDefinitions>"#;

    fn every() -> Policy {
        read_admx(ADMX).unwrap().policies[0].clone()
    }

    fn set(key: &str, name: &str, data: RegData) -> Write {
        Write::Set {
            hive: Hive::Hkcu,
            key: key.into(),
            name: name.into(),
            data,
        }
    }

    #[test]
    fn enabled_writes_every_element_kind() {
        let p = every();
        let values: BTreeMap<String, ElementValue> = [
            ("B", ElementValue::Bool(true)),
            ("D", ElementValue::Number(3)),
            ("DT", ElementValue::Number(4)),
            ("Q", ElementValue::Number(1 << 40)),
            ("T", ElementValue::Text("%TEMP%".into())),
            ("M", ElementValue::Strings(vec!["a".into(), "b".into()])),
            ("E", ElementValue::Enum(1)),
            (
                "L",
                ElementValue::List(vec![
                    (String::new(), "x".into()),
                    (String::new(), "y".into()),
                ]),
            ),
            (
                "X",
                ElementValue::List(vec![("name".into(), "value".into())]),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let w = p.writes(Hive::Hkcu, &PolicyState::Enabled(values)).unwrap();
        let k = "Software\\Policies\\T";
        assert_eq!(
            w,
            vec![
                // Clearing comes first (see `writes`).
                Write::ClearKey {
                    hive: Hive::Hkcu,
                    key: "Software\\Policies\\T\\L".into()
                },
                set(k, "On", RegData::Dword(7)),
                set(k, "Flag", RegData::Sz("yes".into())),
                set(k, "Count", RegData::Dword(3)),
                set(k, "CountText", RegData::Sz("4".into())),
                set(k, "Big", RegData::Qword(1 << 40)),
                set(k, "Path", RegData::ExpandSz("%TEMP%".into())),
                set(k, "Lines", RegData::MultiSz(vec!["a".into(), "b".into()])),
                set(k, "Mode", RegData::Sz("b".into())),
                Write::Delete {
                    hive: Hive::Hkcu,
                    key: k.into(),
                    name: "Extra".into()
                },
                set("Software\\Policies\\T\\L", "1", RegData::Sz("x".into())),
                set("Software\\Policies\\T\\L", "2", RegData::Sz("y".into())),
                // additive: no clearing; explicitValue: the admin's names.
                set(
                    "Software\\Policies\\T\\X",
                    "name",
                    RegData::Sz("value".into())
                ),
            ]
        );
    }

    #[test]
    fn disabled_deletes_element_values_and_clears_lists() {
        let p = every();
        let w = p.writes(Hive::Hklm, &PolicyState::Disabled).unwrap();
        let del = |name: &str| Write::Delete {
            hive: Hive::Hklm,
            key: "Software\\Policies\\T".into(),
            name: name.into(),
        };
        assert_eq!(
            w,
            vec![
                Write::ClearKey {
                    hive: Hive::Hklm,
                    key: "Software\\Policies\\T\\L".into()
                },
                Write::ClearKey {
                    hive: Hive::Hklm,
                    key: "Software\\Policies\\T\\X".into()
                },
                // No disabledValue: the policy's own value is deleted.
                del("On"),
                // A boolean with a falseList writes it.
                Write::Set {
                    hive: Hive::Hklm,
                    key: "Software\\Policies\\T\\F".into(),
                    name: "Off".into(),
                    data: RegData::Dword(1)
                },
                del("Count"),
                del("CountText"),
                del("Big"),
                del("Path"),
                del("Lines"),
                del("Mode"),
            ]
        );
    }

    #[test]
    fn class_and_kinds_are_enforced() {
        let a = read_admx(ADMX).unwrap();
        let plain = &a.policies[1];
        assert!(plain.writes(Hive::Hkcu, &PolicyState::Disabled).is_err());
        assert_eq!(
            plain
                .writes(Hive::Hklm, &PolicyState::Enabled(BTreeMap::new()))
                .unwrap(),
            vec![Write::Set {
                hive: Hive::Hklm,
                key: "Software\\Policies\\T".into(),
                name: "Plain".into(),
                data: RegData::Dword(1)
            }]
        );
        let p = every();
        let bad = PolicyState::Enabled([("D".to_string(), ElementValue::Text("3".into()))].into());
        assert!(p.writes(Hive::Hklm, &bad).is_err());
        let bad = PolicyState::Enabled([("E".to_string(), ElementValue::Enum(2))].into());
        assert!(p.writes(Hive::Hklm, &bad).is_err());
        let bad = PolicyState::Enabled([("D".to_string(), ElementValue::Number(1 << 33))].into());
        assert!(p.writes(Hive::Hklm, &bad).is_err());
    }

    #[test]
    fn an_enabled_list_item_in_a_list_key_survives_its_clearing() {
        // Office's L_ListOfManagedAddins shape: an enabledList item in the key a
        // non-additive list element clears.
        let admx = r#"<policyDefinitions revision="1.0" schemaVersion="1.0"><policyNamespaces><target prefix="t" namespace="T.N"/></policyNamespaces><resources minRequiredRevision="1.0"/><policies>
  <policy name="P" class="Machine" displayName="$(string.P)" key="Software\Policies\T">
    <enabledList><item key="Software\Policies\T\L" valueName="Switch"><value><decimal value="1"/></value></item></enabledList>
    <elements><list id="L" key="Software\Policies\T\L" explicitValue="true"/></elements>
  </policy></policies></policyDefinitions>"#;
        let p = read_admx(admx).unwrap().policies[0].clone();
        let w = p
            .writes(
                Hive::Hklm,
                &PolicyState::Enabled(
                    [(
                        "L".to_string(),
                        ElementValue::List(vec![("a".into(), "1".into())]),
                    )]
                    .into(),
                ),
            )
            .unwrap();
        assert!(matches!(&w[0], Write::ClearKey { .. }), "{w:?}");
        assert!(
            w[1..]
                .iter()
                .any(|x| matches!(x, Write::Set { name, .. } if name == "Switch")),
            "{w:?}"
        );
    }
}
