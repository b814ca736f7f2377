//! Intune's setting definitions: what a tenant returns for
//! `GET https://graph.microsoft.com/beta/deviceManagement/configurationSettings`
//! (`{"value": [definition, ...]}`, every page merged), or the reduced copy policyc ships in
//! `products/intune/settings-catalog.yaml` (same field names). Only the fields policyc
//! reads are modelled; Graph's other fields are ignored.
//!
//! Graph resource types (beta): `deviceManagementConfigurationChoiceSettingDefinition`
//! (`options[].itemId`, `optionValue`), `...SimpleSettingDefinition` and
//! `...SimpleSettingCollectionDefinition` (`valueDefinition`: String with
//! `maximumLength`/`minimumLength`, Integer with `minimumValue`/`maximumValue`;
//! collections `minimumCount`/`maximumCount`), `...SettingGroupCollectionDefinition`
//! (`childIds`, counts).

use serde::Deserialize;
use std::collections::BTreeMap;

/// The kind of a definition, from its `@odata.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    Choice,
    Simple,
    SimpleCollection,
    GroupCollection,
    /// Any other definition type (redirects, ...): indexed, never instantiated.
    Other,
}

impl DefKind {
    pub fn of(odata_type: &str) -> DefKind {
        match odata_type.trim_start_matches('#') {
            "microsoft.graph.deviceManagementConfigurationChoiceSettingDefinition" => {
                DefKind::Choice
            }
            "microsoft.graph.deviceManagementConfigurationSimpleSettingDefinition" => {
                DefKind::Simple
            }
            "microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionDefinition" => {
                DefKind::SimpleCollection
            }
            "microsoft.graph.deviceManagementConfigurationSettingGroupCollectionDefinition" => {
                DefKind::GroupCollection
            }
            _ => DefKind::Other,
        }
    }

    /// The `@odata.type` of the setting instance this kind of definition takes.
    pub fn instance_type(self) -> Option<&'static str> {
        Some(match self {
            DefKind::Choice => {
                "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance"
            }
            DefKind::Simple => {
                "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance"
            }
            DefKind::SimpleCollection => {
                "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance"
            }
            DefKind::GroupCollection => {
                "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance"
            }
            DefKind::Other => return None,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionValue {
    #[serde(default)]
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependedOnBy {
    pub depended_on_by: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceOption {
    pub item_id: String,
    #[serde(default)]
    pub option_value: Option<OptionValue>,
    #[serde(default)]
    pub depended_on_by: Vec<DependedOnBy>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueDefinition {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: String,
    #[serde(default)]
    pub maximum_length: Option<u64>,
    #[serde(default)]
    pub minimum_length: Option<u64>,
    #[serde(default)]
    pub minimum_value: Option<i64>,
    #[serde(default)]
    pub maximum_value: Option<i64>,
}

/// The value type of a simple definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Integer,
    Other,
}

impl ValueDefinition {
    pub fn value_type(&self) -> ValueType {
        match self.odata_type.trim_start_matches('#') {
            "microsoft.graph.deviceManagementConfigurationStringSettingValueDefinition" => {
                ValueType::String
            }
            "microsoft.graph.deviceManagementConfigurationIntegerSettingValueDefinition" => {
                ValueType::Integer
            }
            _ => ValueType::Other,
        }
    }
}

/// One setting definition (the fields policyc reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub base_uri: String,
    #[serde(default)]
    pub offset_uri: String,
    #[serde(default)]
    pub root_definition_id: String,
    #[serde(default)]
    pub options: Vec<ChoiceOption>,
    #[serde(default)]
    pub value_definition: Option<ValueDefinition>,
    #[serde(default)]
    pub minimum_count: Option<u64>,
    #[serde(default)]
    pub maximum_count: Option<u64>,
    #[serde(default)]
    pub child_ids: Vec<String>,
}

impl Definition {
    pub fn kind(&self) -> DefKind {
        DefKind::of(&self.odata_type)
    }

    /// `device` or `user`, from `baseUri` (`./Device/Vendor/MSFT/Policy`).
    pub fn scope(&self) -> Option<&'static str> {
        let b = self.base_uri.to_ascii_lowercase();
        if b.starts_with("./device/") {
            Some("device")
        } else if b.starts_with("./user/") {
            Some("user")
        } else {
            None
        }
    }

    /// "(obsolete)" in the display name: Intune keeps a newer definition beside it.
    pub fn obsolete(&self) -> bool {
        self.display_name
            .to_ascii_lowercase()
            .contains("(obsolete)")
    }

    /// The option whose `optionValue` is the integer `n` (ADMX Enabled = 1, Disabled = 0).
    pub fn option_with_value(&self, n: i64) -> Option<&ChoiceOption> {
        self.options.iter().find(|o| {
            o.option_value
                .as_ref()
                .and_then(|v| v.value.as_i64())
                .is_some_and(|v| v == n)
        })
    }
}

/// The top level of the file: Graph's list shape (a bare array is read too).
#[derive(Deserialize)]
struct Page {
    value: Vec<Definition>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

/// A set of definitions, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    /// Where they came from (`the built-in snapshot` or the file name), for messages.
    pub origin: String,
    defs: Vec<Definition>,
    by_id: BTreeMap<String, usize>,
    /// Root choice definitions by (scope, `name`), in file order.
    roots: BTreeMap<(&'static str, String), Vec<usize>>,
}

impl Definitions {
    /// Indexes parsed definitions; a repeated id is an error (paging merged twice).
    pub fn new(origin: &str, defs: Vec<Definition>) -> Result<Definitions, String> {
        let mut by_id = BTreeMap::new();
        let mut roots: BTreeMap<(&'static str, String), Vec<usize>> = BTreeMap::new();
        for (i, d) in defs.iter().enumerate() {
            if by_id.insert(d.id.clone(), i).is_some() {
                return Err(format!(
                    "setting definition `{}` appears twice (a page merged twice?)",
                    d.id
                ));
            }
            if let (DefKind::Choice, true, Some(scope)) =
                (d.kind(), d.id == d.root_definition_id, d.scope())
            {
                roots.entry((scope, d.name.clone())).or_default().push(i);
            }
        }
        Ok(Definitions {
            origin: origin.to_string(),
            defs,
            by_id,
            roots,
        })
    }

    /// Reads the JSON of `GET /beta/deviceManagement/configurationSettings` (UTF-8 with
    /// or without BOM, or UTF-16 with BOM, as PowerShell 5.1 writes it). Errors say what
    /// is wrong, with the JSON line and column; the caller adds the file name.
    pub fn from_graph_json(origin: &str, bytes: &[u8]) -> Result<Definitions, String> {
        let text = decode(bytes)?;
        let bad = |e: serde_json::Error| {
            format!(
                "line {}, column {}: not a Graph list of setting definitions ({e}); expected {{\"value\": [{{\"@odata.type\", \"id\", ...}}]}}",
                e.line(),
                e.column()
            )
        };
        let defs = if text.trim_start().starts_with('[') {
            serde_json::from_str::<Vec<Definition>>(&text).map_err(bad)?
        } else {
            match serde_json::from_str::<Page>(&text).map_err(bad)? {
                Page {
                    next_link: Some(link),
                    ..
                } => {
                    return Err(format!(
                        "holds `@odata.nextLink` ({link}): it is one page of the list; save every page into one `value` array (README: Intune Settings Catalog)"
                    ))
                }
                Page { value, .. } => value,
            }
        };
        if defs.is_empty() {
            return Err("holds no setting definitions (the `value` array is empty)".into());
        }
        if !defs.iter().any(|d| d.kind() != DefKind::Other) {
            return Err(
                "holds no choice, simple or collection setting definitions: not the output of GET /beta/deviceManagement/configurationSettings"
                    .into(),
            );
        }
        Definitions::new(origin, defs)
    }

    pub fn get(&self, id: &str) -> Option<&Definition> {
        self.by_id.get(id).map(|&i| &self.defs[i])
    }

    /// The root choice definitions of `scope` (`device`, `user`) named `name`.
    pub fn roots_named<'a>(
        &'a self,
        scope: &str,
        name: &str,
    ) -> impl Iterator<Item = &'a Definition> {
        self.roots
            .get(&(
                if scope == "user" { "user" } else { "device" },
                name.to_string(),
            ))
            .into_iter()
            .flatten()
            .map(|&i| &self.defs[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Definition> {
        self.defs.iter()
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// The children of a definition: `childIds` (group collections) and the settings
    /// that depend on its Enabled option (`options[].dependedOnBy`, ADMX elements).
    pub fn children_of<'a>(
        &'a self,
        d: &'a Definition,
        option: Option<&str>,
    ) -> Vec<&'a Definition> {
        let mut ids: Vec<&str> = d.child_ids.iter().map(String::as_str).collect();
        for o in &d.options {
            if option.is_none_or(|want| want == o.item_id) {
                ids.extend(o.depended_on_by.iter().map(|x| x.depended_on_by.as_str()));
            }
        }
        ids.iter().filter_map(|id| self.get(id)).collect()
    }
}

/// UTF-8 (BOM optional) or UTF-16LE/BE with BOM.
fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |be: bool| -> Result<String, String> {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], *c.get(1).unwrap_or(&0)];
                if be {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| "is not valid UTF-16".to_string())
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            String::from_utf8(rest.to_vec()).map_err(|_| "is not valid UTF-8".to_string())
        }
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => String::from_utf8(bytes.to_vec())
            .map_err(|_| "is not UTF-8 text (save it as UTF-8)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r##"{"value": [{"@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingDefinition", "id": "a", "baseUri": "./Device/Vendor/MSFT/Policy", "options": [{"itemId": "a_1", "optionValue": {"value": 1}}], "unknownField": {"x": [1]}}]}"##;

    #[test]
    fn reads_graph_lists_and_names_what_is_wrong() {
        let d = Definitions::from_graph_json("f", ONE.as_bytes()).unwrap();
        assert_eq!(d.len(), 1);
        let a = d.get("a").unwrap();
        assert_eq!((a.kind(), a.scope()), (DefKind::Choice, Some("device")));
        assert_eq!(a.option_with_value(1).unwrap().item_id, "a_1");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(ONE.as_bytes());
        assert!(Definitions::from_graph_json("f", &bom).is_ok());
        let mut u16 = vec![0xFF, 0xFE];
        u16.extend(ONE.encode_utf16().flat_map(u16::to_le_bytes));
        assert!(Definitions::from_graph_json("f", &u16).is_ok());
        let paged = ONE.replacen(
            "{\"value\"",
            "{\"@odata.nextLink\": \"https://next\", \"value\"",
            1,
        );
        let e = Definitions::from_graph_json("f", paged.as_bytes()).unwrap_err();
        assert!(e.contains("@odata.nextLink"), "{e}");
        let e = Definitions::from_graph_json("f", b"{\"value\": []}").unwrap_err();
        assert!(e.contains("empty"), "{e}");
        let e = Definitions::from_graph_json("f", b"{\"value\": [1]}").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        let twice = ONE.replacen("}]}", "}, {\"@odata.type\": \"x\", \"id\": \"a\"}]}", 1);
        let e = Definitions::from_graph_json("f", twice.as_bytes()).unwrap_err();
        assert!(e.contains("twice"), "{e}");
        let e = Definitions::from_graph_json("f", &[0xC0, 0x80]).unwrap_err();
        assert!(e.contains("UTF-8"), "{e}");
    }
}
