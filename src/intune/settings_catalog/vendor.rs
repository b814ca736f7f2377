//! `policy:` settings (vendor template policies) in the Settings Catalog profile: the root
//! definition of the policy among Intune's definitions, and its instance tree built from
//! the policy's ADMX elements and the spec's state.
//!
//! Which definitions: root choice definitions of the setting's scope whose `name` is the
//! ADMX policy name and whose offsetUri is `/Config/<app>~Policy~<category chain>/<policy>`
//! with the chain starting at the policy's own root category (`googlechrome`,
//! `microsoft_edge`; [`VendorSetting::category_names`]). The app segment (`chromeIntuneV1`,
//! `microsoft_edgev140`, `microsoft_edgeUpdates.2`) is Intune's label and is never
//! derived. Matching on the root category rather than the whole chain finds the
//! definitions Intune files under another chain (Edge SleepingTabsTimeout,
//! ../shared/research/intune-settings-catalog-2026-11-29.md section 4, R8 note); of
//! several, the ones that take the value are kept, then one not "(obsolete)", then one
//! whose chain is the ADMX's, then the first by id. Windows' own templates
//! (`Microsoft.Policies.*`, Policy CSP areas such as `InternetExplorer`, whose ids use CSP
//! names) are not matched: they keep their custom route or the remediation.
//!
//! Instances per ADMX element kind (research note sections 2 and 4, R4-R7): the policy is
//! a choice `<id>_1`/`<id>_0` (the options whose `optionValue` is 1 and 0); its Enabled
//! option's children are the element settings, found by `name` = element id (or id
//! `<root>_<lower(element id)>`); `text` a String simple instance, `decimal` an Integer
//! one, `enum` a child choice `<child>_<lower(item value)>`, `list` a simple collection of
//! the entries' values, `list explicitValue` a group collection of `_key`/`_value`;
//! `boolean` a child choice whose option value is 1/0 (or "true"/"false"), `multiText` a
//! simple collection. Chrome's and Edge's templates have no `boolean`, `multiText` or
//! `explicitValue` element, so those three shapes follow the definition's own types and
//! were not checked against a real export.

use super::definitions::{DefKind, Definition, Definitions};
use super::instance::{self, ChoiceValue, GroupValue, Instance, InstanceValue, Scalar};
use super::{check_count, simple_instance, simple_value};
use crate::admx::reader::{Element, Value};
use crate::admx::state::{ElementValue, PolicyState};
use crate::intune::scope_word;
use crate::validate::vendor::VendorSetting;

/// `settings[3] (Google.Policies.Chrome:DefaultCookiesSetting, user)`.
pub fn label(v: &VendorSetting) -> String {
    format!("{} ({}, {})", v.spec_path(), v.id, scope_word(v.hive))
}

/// `/Config/<app>~Policy~<chain>/<policy>` -> (chain categories, policy).
fn admx_app_uri(d: &Definition) -> Option<(Vec<&str>, &str)> {
    let rest = d.offset_uri.strip_prefix("/Config/")?;
    let (area, policy) = rest.rsplit_once('/')?;
    let (_, chain) = area.split_once("~Policy~")?;
    Some((chain.split('~').collect(), policy))
}

/// The root definition and instance of a vendor policy; `None` when the definitions hold
/// no root definition of it; an error when they do but none takes the value.
pub fn resolve(
    v: &VendorSetting,
    defs: &Definitions,
) -> Result<Option<(String, Instance)>, String> {
    let Some(root_cat) = v.category_names.first() else {
        return Ok(None);
    };
    let scope = scope_word(v.hive);
    let same_chain = |d: &Definition| {
        admx_app_uri(d).is_some_and(|(chain, _)| {
            chain.len() == v.category_names.len()
                && chain
                    .iter()
                    .zip(&v.category_names)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
    };
    let mut candidates: Vec<&Definition> = defs
        .roots_named(scope, &v.policy.name)
        .filter(|d| d.scope() == Some(scope))
        .filter(|d| {
            admx_app_uri(d).is_some_and(|(chain, policy)| {
                policy.eq_ignore_ascii_case(&v.policy.name)
                    && chain
                        .first()
                        .is_some_and(|c| c.eq_ignore_ascii_case(root_cat))
            })
        })
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    candidates.sort_by_key(|d| (d.obsolete(), !same_chain(d), d.id.clone()));
    let mut why = Vec::new();
    for d in candidates {
        match build(v, d, defs) {
            Ok(i) => return Ok(Some((d.id.clone(), i))),
            Err(m) => why.push(format!("{}: {m}", d.id)),
        }
    }
    Err(format!(
        "{}: no Intune Settings Catalog definition in {} takes the value ({})",
        label(v),
        defs.origin,
        why.join("; ")
    ))
}

fn choice(def: &Definition, option: &str, children: Vec<Instance>) -> Instance {
    Instance {
        odata_type: DefKind::Choice.instance_type().expect("choice"),
        setting_definition_id: def.id.clone(),
        value: InstanceValue::Choice(ChoiceValue {
            odata_type: instance::CHOICE_VALUE_TYPE,
            value: option.to_string(),
            children,
        }),
    }
}

/// The instance tree of the vendor policy under the root definition `root`.
fn build(v: &VendorSetting, root: &Definition, defs: &Definitions) -> Result<Instance, String> {
    let values = match &v.state {
        PolicyState::Disabled => {
            let opt = root
                .option_with_value(0)
                .ok_or("it has no Disabled option (optionValue 0)")?;
            return Ok(choice(root, &opt.item_id, Vec::new()));
        }
        PolicyState::Enabled(values) => values,
    };
    let enabled = root
        .option_with_value(1)
        .ok_or("it has no Enabled option (optionValue 1)")?
        .item_id
        .clone();
    let kids = defs.children_of(root, Some(&enabled));
    let mut children = Vec::new();
    for e in &v.policy.elements {
        let Some(value) = values.get(&e.id) else {
            continue;
        };
        let want_id = format!("{}_{}", root.id, e.id.to_ascii_lowercase());
        let kid = kids
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(&e.id) || k.id == want_id)
            .copied()
            .ok_or_else(|| {
                format!(
                    "its Enabled option has no element setting for the ADMX element {} ({})",
                    e.id, e.kind
                )
            })?;
        children.push(element(e, value, kid, defs)?);
    }
    Ok(choice(root, &enabled, children))
}

fn want_kind(def: &Definition, want: DefKind, e: &Element) -> Result<(), String> {
    if def.kind() == want {
        Ok(())
    } else {
        Err(format!(
            "{} is a {:?} setting; the ADMX element {} ({}) needs {want:?}",
            def.id,
            def.kind(),
            e.id,
            e.kind
        ))
    }
}

/// The option of a choice definition whose `optionValue` is one of `values` (integer or
/// string, case-insensitive).
fn option_valued<'d>(def: &'d Definition, values: &[&str]) -> Option<&'d str> {
    def.options.iter().find_map(|o| {
        let v = o.option_value.as_ref()?;
        let s = match &v.value {
            serde_json::Value::String(s) => s.to_ascii_lowercase(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        values.contains(&s.as_str()).then_some(o.item_id.as_str())
    })
}

/// The instance of one ADMX element's value under its definition `def`.
fn element(
    e: &Element,
    value: &ElementValue,
    def: &Definition,
    defs: &Definitions,
) -> Result<Instance, String> {
    match (e.kind.as_str(), value) {
        ("text", ElementValue::Text(t)) => {
            want_kind(def, DefKind::Simple, e)?;
            simple_instance(def, Scalar::String(t.clone()))
        }
        ("decimal" | "longDecimal", ElementValue::Number(n)) => {
            want_kind(def, DefKind::Simple, e)?;
            let n = i64::try_from(*n).map_err(|_| format!("{n} does not fit an Integer"))?;
            simple_instance(def, Scalar::Integer(n))
        }
        ("enum", ElementValue::Enum(i)) => {
            want_kind(def, DefKind::Choice, e)?;
            let item = e
                .enum_items
                .get(*i)
                .ok_or_else(|| format!("element {} has no item {i}", e.id))?;
            let item_value = match &item.value {
                Some(Value::Decimal(d)) => d.to_string(),
                Some(Value::LongDecimal(d)) => d.to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Delete) | None => {
                    return Err(format!(
                        "the chosen item of {} has no value to name an option by",
                        e.id
                    ))
                }
            };
            // R7: the option's itemId is `<child>_<lower(item value)>`.
            let want = format!("{}_{}", def.id, item_value.to_ascii_lowercase());
            let opt = def
                .options
                .iter()
                .find(|o| o.item_id == want)
                .ok_or_else(|| {
                    let have: Vec<&str> = def
                        .options
                        .iter()
                        .filter_map(|o| o.item_id.strip_prefix(&format!("{}_", def.id)))
                        .collect();
                    format!(
                        "the ADMX item value `{item_value}` of {} is not among its options ({})",
                        e.id,
                        have.join(", ")
                    )
                })?;
            Ok(choice(def, &opt.item_id, Vec::new()))
        }
        ("boolean", ElementValue::Bool(b)) => {
            want_kind(def, DefKind::Choice, e)?;
            let wanted: &[&str] = if *b { &["1", "true"] } else { &["0", "false"] };
            let opt = option_valued(def, wanted)
                .ok_or_else(|| format!("{} has no option for {b}", def.id))?;
            Ok(choice(def, opt, Vec::new()))
        }
        ("multiText", ElementValue::Strings(lines)) => {
            want_kind(def, DefKind::SimpleCollection, e)?;
            collection(def, lines.iter().cloned())
        }
        ("list", ElementValue::List(entries)) if e.flag("explicitValue") => {
            want_kind(def, DefKind::GroupCollection, e)?;
            check_count(def, entries.len())?;
            let kids = defs.children_of(def, None);
            let part = |suffix: &str| {
                kids.iter()
                    .find(|k| k.id == format!("{}_{suffix}", def.id) && k.kind() == DefKind::Simple)
                    .copied()
                    .ok_or_else(|| format!("{} has no simple child {}_{suffix}", def.id, def.id))
            };
            let (k, val) = (part("key")?, part("value")?);
            if kids.len() != 2 {
                return Err(format!(
                    "{} has {} children, not key and value",
                    def.id,
                    kids.len()
                ));
            }
            let mut out = Vec::new();
            for (name, v) in entries {
                out.push(GroupValue {
                    odata_type: instance::GROUP_VALUE_TYPE,
                    children: vec![
                        simple_instance(k, Scalar::String(name.clone()))?,
                        simple_instance(val, Scalar::String(v.clone()))?,
                    ],
                });
            }
            Ok(Instance {
                odata_type: DefKind::GroupCollection.instance_type().expect("group"),
                setting_definition_id: def.id.clone(),
                value: InstanceValue::GroupCollection(out),
            })
        }
        ("list", ElementValue::List(entries)) => {
            want_kind(def, DefKind::SimpleCollection, e)?;
            collection(def, entries.iter().map(|(_, v)| v.clone()))
        }
        (kind, v) => Err(format!("the ADMX element {} ({kind}) holds {v:?}", e.id)),
    }
}

/// A simple collection instance: one String value per entry, counts and lengths checked.
fn collection(
    def: &Definition,
    items: impl ExactSizeIterator<Item = String>,
) -> Result<Instance, String> {
    check_count(def, items.len())?;
    let values = items
        .map(|s| simple_value(def, Scalar::String(s)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Instance {
        odata_type: DefKind::SimpleCollection
            .instance_type()
            .expect("collection"),
        setting_definition_id: def.id.clone(),
        value: InstanceValue::SimpleCollection(values),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn el(kind: &str, id: &str, attrs: &[(&str, &str)]) -> Element {
        Element {
            kind: kind.into(),
            id: id.into(),
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            enum_items: Vec::new(),
            true_value: None,
            false_value: None,
            true_list: None,
            false_list: None,
        }
    }

    const CHOICE: &str = "#microsoft.graph.deviceManagementConfigurationChoiceSettingDefinition";
    const SIMPLE: &str = "#microsoft.graph.deviceManagementConfigurationSimpleSettingDefinition";
    const COLL: &str =
        "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionDefinition";
    const GROUP: &str =
        "#microsoft.graph.deviceManagementConfigurationSettingGroupCollectionDefinition";
    const STRING: &str =
        "#microsoft.graph.deviceManagementConfigurationStringSettingValueDefinition";

    /// Synthetic definitions in Graph's shape: a boolean child with options valued 0/1, a
    /// multiText collection (maxLength 5), an explicitValue group with `_key`/`_value`.
    fn defs() -> Definitions {
        let j = serde_json::json!({"value": [
            {"@odata.type": CHOICE, "id": "r_b", "name": "B", "options": [
                {"itemId": "r_b_0", "optionValue": {"value": 0}},
                {"itemId": "r_b_1", "optionValue": {"value": 1}}]},
            {"@odata.type": COLL, "id": "r_m", "name": "M", "maximumCount": 2,
             "valueDefinition": {"@odata.type": STRING, "maximumLength": 5}},
            {"@odata.type": GROUP, "id": "r_l", "name": "L", "childIds": ["r_l_key", "r_l_value"]},
            {"@odata.type": SIMPLE, "id": "r_l_key", "valueDefinition": {"@odata.type": STRING}},
            {"@odata.type": SIMPLE, "id": "r_l_value", "valueDefinition": {"@odata.type": STRING}}
        ]});
        Definitions::from_graph_json("t", j.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn boolean_multitext_and_explicit_lists_take_the_definitions_shapes() {
        let d = defs();
        let get = |id: &str| d.get(id).unwrap();
        let b = element(
            &el("boolean", "B", &[]),
            &ElementValue::Bool(true),
            get("r_b"),
            &d,
        )
        .unwrap();
        let j = serde_json::to_value(&b).unwrap();
        assert_eq!(j["choiceSettingValue"]["value"], "r_b_1");
        let m = ElementValue::Strings(vec!["a".into(), "bb".into()]);
        let j =
            serde_json::to_value(element(&el("multiText", "M", &[]), &m, get("r_m"), &d).unwrap())
                .unwrap();
        assert_eq!(j["simpleSettingCollectionValue"][1]["value"], "bb");
        let l = ElementValue::List(vec![("https://a".into(), "2".into())]);
        let list = el("list", "L", &[("explicitValue", "true")]);
        let j = serde_json::to_value(element(&list, &l, get("r_l"), &d).unwrap()).unwrap();
        assert_eq!(
            j["@odata.type"],
            "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance"
        );
        let kids = &j["groupSettingCollectionValue"][0]["children"];
        assert_eq!(
            (
                &kids[0]["settingDefinitionId"],
                &kids[0]["simpleSettingValue"]["value"]
            ),
            (
                &serde_json::json!("r_l_key"),
                &serde_json::json!("https://a")
            )
        );
        assert_eq!(kids[1]["simpleSettingValue"]["value"], "2");
        // Controls: a line over maxLength, too many lines, a list without explicitValue
        // against a group definition, a text against a choice.
        let long = ElementValue::Strings(vec!["abcdef".into()]);
        assert!(element(&el("multiText", "M", &[]), &long, get("r_m"), &d)
            .unwrap_err()
            .contains("at most 5"));
        let three = ElementValue::Strings(vec!["a".into(), "b".into(), "c".into()]);
        assert!(element(&el("multiText", "M", &[]), &three, get("r_m"), &d)
            .unwrap_err()
            .contains("at most 2"));
        assert!(element(&el("list", "L", &[]), &l, get("r_l"), &d)
            .unwrap_err()
            .contains("needs SimpleCollection"));
        assert!(element(
            &el("text", "B", &[]),
            &ElementValue::Text("x".into()),
            get("r_b"),
            &d
        )
        .is_err());
    }
}
