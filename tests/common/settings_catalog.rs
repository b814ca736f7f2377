//! Reads Intune Settings Catalog policies (`intune/settings-catalog/<scope>.json`) back,
//! with Intune's own setting definitions and the catalog only (not policyc's Settings
//! Catalog code):
//!
//! - [`check_definitions`]: every `settingDefinitionId` is a definition, each instance's
//!   `@odata.type` is the one its definition's type takes, each choice value is one of its
//!   options' `itemId`s, each child is a setting that depends on the chosen option (or a
//!   group's `childIds`), each simple value has the definition's value type and length,
//!   each collection its count limits;
//! - [`read_policy`]: the registry writes a device makes, found from the root
//!   definition's `name` (the ADMX policy name) and app (`chromeIntune*` Chrome,
//!   `microsoft_edge*` Edge, `InternetExplorer` Windows) and the catalog location of that
//!   name.
//!
//! The definitions are `$POLICYC_INTUNE_DEFINITIONS`, else the real Graph dump in
//! `../shared/intune-settings-catalog/` when that folder exists beside the repository,
//! else the snapshot policyc ships (`products/intune/settings-catalog.yaml`, itself
//! checked against the dump by `tests/settings_catalog.rs` where the dump exists).

use super::intune::Write;
use policyc::catalog::{Catalog, Form};
use policyc::reg::{Hive, RegData, RegType};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The real definitions dump, when it is there.
pub fn shared_dump() -> Option<PathBuf> {
    super::shared_path("POLICYC_INTUNE_DEFINITIONS", DUMP, "")
}

/// The dump's place under `../shared/`.
pub const DUMP: &str = "intune-settings-catalog/configurationSettings-browsers-ie.json";

/// Definitions by id, and where they came from.
pub struct Defs {
    pub origin: String,
    pub by_id: BTreeMap<String, Json>,
}

fn index(origin: String, list: &Json) -> Defs {
    let by_id = list["value"]
        .as_array()
        .expect("a `value` array")
        .iter()
        .map(|d| (d["id"].as_str().expect("id").to_string(), d.clone()))
        .collect();
    Defs { origin, by_id }
}

/// The real dump when present, else the shipped snapshot.
pub fn definitions() -> &'static Defs {
    static D: std::sync::OnceLock<Defs> = std::sync::OnceLock::new();
    D.get_or_init(|| match shared_dump() {
        Some(p) => {
            let j: Json = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            index(p.display().to_string(), &j)
        }
        None => snapshot(),
    })
}

/// The shipped snapshot, read as plain data.
pub fn snapshot() -> Defs {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("products/intune/settings-catalog.yaml");
    let j: Json = serde_yaml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    index(p.display().to_string(), &j)
}

/// The instance type a definition type takes.
fn instance_type(def_type: &str) -> Option<&'static str> {
    Some(match def_type {
        "#microsoft.graph.deviceManagementConfigurationChoiceSettingDefinition" => {
            "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance"
        }
        "#microsoft.graph.deviceManagementConfigurationSimpleSettingDefinition" => {
            "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance"
        }
        "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionDefinition" => {
            "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance"
        }
        "#microsoft.graph.deviceManagementConfigurationSettingGroupCollectionDefinition" => {
            "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance"
        }
        _ => return None,
    })
}

fn check_count(def: &Json, n: usize, id: &str) -> Result<(), String> {
    let n = n as u64;
    if def["maximumCount"].as_u64().is_some_and(|m| n > m)
        || def["minimumCount"].as_u64().is_some_and(|m| n < m)
    {
        return Err(format!(
            "{id}: {n} entries outside the definition's count limits"
        ));
    }
    Ok(())
}

fn check_simple_value(def: &Json, v: &Json, id: &str) -> Result<(), String> {
    let vd = &def["valueDefinition"];
    match (
        vd["@odata.type"].as_str(),
        v["@odata.type"].as_str(),
        &v["value"],
    ) {
        (
            Some("#microsoft.graph.deviceManagementConfigurationStringSettingValueDefinition"),
            Some("#microsoft.graph.deviceManagementConfigurationStringSettingValue"),
            Json::String(s),
        ) => {
            let n = s.encode_utf16().count() as u64;
            if vd["maximumLength"].as_u64().is_some_and(|m| n > m)
                || vd["minimumLength"].as_u64().is_some_and(|m| n < m)
            {
                return Err(format!("{id}: `{s}` is outside the length limits"));
            }
            Ok(())
        }
        (
            Some("#microsoft.graph.deviceManagementConfigurationIntegerSettingValueDefinition"),
            Some("#microsoft.graph.deviceManagementConfigurationIntegerSettingValue"),
            Json::Number(_),
        ) => Ok(()),
        (d, t, _) => Err(format!("{id}: a {t:?} value for a {d:?} definition")),
    }
}

/// One instance, recursively; `allowed` are the ids its parent lets it have.
fn check_instance(inst: &Json, defs: &Defs, allowed: Option<&[String]>) -> Result<(), String> {
    let id = inst["settingDefinitionId"]
        .as_str()
        .ok_or("an instance without settingDefinitionId")?;
    let def = defs
        .by_id
        .get(id)
        .ok_or_else(|| format!("{id} is not a setting definition in {}", defs.origin))?;
    if let Some(ok) = allowed {
        if !ok.iter().any(|a| a == id) {
            return Err(format!(
                "{id} is not a child its parent's definition allows ({ok:?})"
            ));
        }
    }
    let def_type = def["@odata.type"].as_str().unwrap_or_default();
    let want = instance_type(def_type)
        .ok_or_else(|| format!("{id}: definition type {def_type} takes no instance"))?;
    if inst["@odata.type"] != want {
        return Err(format!(
            "{id}: instance {}, its definition ({def_type}) takes {want}",
            inst["@odata.type"]
        ));
    }
    match want {
        "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance" => {
            let v = &inst["choiceSettingValue"];
            let chosen = v["value"]
                .as_str()
                .ok_or_else(|| format!("{id}: no choice value"))?;
            let opt = def["options"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|o| o["itemId"] == chosen)
                .ok_or_else(|| format!("{id}: `{chosen}` is not one of its options' itemId"))?;
            let kids: Vec<String> = opt["dependedOnBy"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["dependedOnBy"].as_str().map(str::to_string))
                .collect();
            for c in v["children"]
                .as_array()
                .ok_or_else(|| format!("{id}: no children"))?
            {
                check_instance(c, defs, Some(&kids))?;
            }
        }
        "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance" => {
            check_simple_value(def, &inst["simpleSettingValue"], id)?;
        }
        "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance" => {
            let vals = inst["simpleSettingCollectionValue"]
                .as_array()
                .ok_or_else(|| format!("{id}: no simpleSettingCollectionValue"))?;
            check_count(def, vals.len(), id)?;
            for v in vals {
                check_simple_value(def, v, id)?;
            }
        }
        _ => {
            let vals = inst["groupSettingCollectionValue"]
                .as_array()
                .ok_or_else(|| format!("{id}: no groupSettingCollectionValue"))?;
            check_count(def, vals.len(), id)?;
            let kids: Vec<String> = def["childIds"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
            for g in vals {
                for c in g["children"]
                    .as_array()
                    .ok_or_else(|| format!("{id}: no children"))?
                {
                    check_instance(c, defs, Some(&kids))?;
                }
            }
        }
    }
    Ok(())
}

/// Every instance of a policy against the definitions; root instances must be root
/// definitions of the policy's scope.
pub fn check_definitions(policy: &Json, defs: &Defs, hive: Hive) -> Result<(), String> {
    let scope = match hive {
        Hive::Hklm => "./Device/",
        Hive::Hkcu => "./User/",
    };
    for s in policy["settings"].as_array().ok_or("no settings")? {
        let inst = &s["settingInstance"];
        check_instance(inst, defs, None)?;
        let id = inst["settingDefinitionId"].as_str().unwrap_or_default();
        let def = &defs.by_id[id];
        if def["rootDefinitionId"] != id {
            return Err(format!("{id} is not a root definition"));
        }
        if !def["baseUri"]
            .as_str()
            .unwrap_or_default()
            .starts_with(scope)
        {
            return Err(format!("{id} is not a {scope} definition"));
        }
    }
    Ok(())
}

/// The product of a root definition, from its app segment or area.
fn product_of(offset_uri: &str) -> Option<&'static str> {
    let rest = offset_uri.strip_prefix("/Config/")?.to_ascii_lowercase();
    if rest.starts_with("chromeintune") {
        Some("chrome")
    } else if rest.starts_with("microsoft_edge") {
        Some("edge")
    } else if rest.starts_with("internetexplorer/") {
        Some("windows")
    } else {
        None
    }
}

fn string_of(inst: &Json) -> Result<String, String> {
    inst["simpleSettingValue"]["value"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{}: not a string value", inst["settingDefinitionId"]))
}

/// What a policy makes a device write, by the ADMX policy name of each group
/// (`policyc::admx::ids::policy_name`). Checks the definitions first.
pub fn read_policy(
    policy: &Json,
    hive: Hive,
    catalog: &Catalog,
) -> Result<Vec<(String, Vec<Write>)>, String> {
    let defs = definitions();
    check_definitions(policy, defs, hive)?;
    let mut out = Vec::new();
    for s in policy["settings"].as_array().ok_or("no settings")? {
        let inst = &s["settingInstance"];
        let id = inst["settingDefinitionId"].as_str().unwrap_or_default();
        let def = &defs.by_id[id];
        let name = def["name"].as_str().unwrap_or_default();
        let offset = def["offsetUri"].as_str().unwrap_or_default();
        let product =
            product_of(offset).ok_or_else(|| format!("{id}: {offset} names no catalog product"))?;
        // The catalog location of that ADMX policy name, policy form.
        let found: Vec<_> = catalog
            .entries
            .iter()
            .flat_map(|e| e.registry.iter().map(move |l| (e, l)))
            .filter(|(_, l)| {
                l.name == name
                    && l.products.iter().any(|p| p == product)
                    && l.form != Some(Form::Preference)
            })
            .collect();
        let [(entry, loc)] = found.as_slice() else {
            return Err(format!(
                "{id}: {} catalog locations named {name}",
                found.len()
            ));
        };
        let pk = catalog
            .products
            .get(product)
            .and_then(|p| p.policy_key.as_deref())
            .unwrap_or("");
        let key = loc.key.replace("{policy_key}", pk);
        let set = |n: &str, d: RegData| (hive, key.clone(), Some(n.to_string()), Some(d));
        let value_name = loc.value.as_deref().unwrap_or_default();
        let v = &inst["choiceSettingValue"];
        let chosen = v["value"].as_str().unwrap_or_default();
        let option = def["options"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["itemId"] == chosen)
            .expect("checked above");
        let enabled = option["optionValue"]["value"].as_i64();
        let children = v["children"].as_array().cloned().unwrap_or_default();
        let mut writes = Vec::new();
        match (enabled, children.as_slice()) {
            // A policy with no elements: Enabled writes 1, Disabled 0 (inetres.admx).
            (Some(n @ (0 | 1)), []) => writes.push(set(value_name, RegData::Dword(n as u32))),
            (Some(1), [c]) => match c["@odata.type"].as_str().unwrap_or_default() {
                "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance" => {
                    match &c["simpleSettingValue"]["value"] {
                        Json::Number(n) => writes.push(set(
                            value_name,
                            RegData::Dword(
                                n.as_u64()
                                    .and_then(|n| u32::try_from(n).ok())
                                    .ok_or("not a DWORD")?,
                            ),
                        )),
                        _ => writes.push(set(value_name, RegData::Sz(string_of(c)?))),
                    }
                }
                "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance" => {
                    // A Chromium list: the key is cleared, then 1, 2, ... (the ADMX list
                    // element with valuePrefix="" and additive="false").
                    writes.push((hive, key.clone(), None, None));
                    for (i, x) in c["simpleSettingCollectionValue"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .enumerate()
                    {
                        let s = x["value"].as_str().ok_or("not a string")?;
                        writes.push(set(&(i + 1).to_string(), RegData::Sz(s.to_string())));
                    }
                }
                _ => {
                    // explicitValue list: name = `_key`, data = `_value` (additive).
                    for g in c["groupSettingCollectionValue"].as_array().unwrap() {
                        let kids = g["children"].as_array().unwrap();
                        let part = |suffix: &str| {
                            kids.iter()
                                .find(|k| {
                                    k["settingDefinitionId"]
                                        .as_str()
                                        .is_some_and(|i| i.ends_with(suffix))
                                })
                                .ok_or_else(|| format!("{id}: no {suffix} child"))
                                .and_then(string_of)
                        };
                        writes.push(set(&part("_key")?, RegData::Sz(part("_value")?)));
                    }
                    for f in &loc.also {
                        let d = match f.reg_type {
                            RegType::Dword => RegData::Dword(f.data),
                            _ => RegData::Sz(f.data.to_string()),
                        };
                        writes.push((hive, f.key.clone(), Some(f.value.clone()), Some(d)));
                    }
                }
            },
            _ => {
                return Err(format!(
                    "{id}: option {chosen} with {} children",
                    children.len()
                ))
            }
        }
        let _ = entry;
        out.push((
            policyc::admx::ids::policy_name(&entry.id, product, &loc.name, hive),
            writes,
        ));
    }
    Ok(out)
}
