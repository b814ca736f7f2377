//! The JSON of a Settings Catalog policy (`#microsoft.graph.deviceManagementConfigurationPolicy`,
//! Graph beta `deviceManagement/configurationPolicies`), in the shapes real exports show
//! (../shared/research/intune-settings-catalog-2026-11-29.md section 2): the ADMX policy
//! is a choice instance `<id>_1`/`<id>_0`; a `text` element a simple instance holding a
//! String value; a `decimal` an Integer value; a `list` a simple collection instance, one
//! String value per entry; an `explicitValue` list a group collection whose values each
//! hold `<child>_key` and `<child>_value` simple instances.
//!
//! Fields the model reads as null (`settingInstanceTemplateReference`,
//! `settingValueTemplateReference`, `templateDisplayName`...) are left out, as Microsoft's
//! Graph SDK writes a policy it POSTs (Kiota omits null values); exports' annotations
//! (`children@odata.type`, `@odata.id`) are not written.

use serde::Serialize;

pub const POLICY_TYPE: &str = "#microsoft.graph.deviceManagementConfigurationPolicy";
pub const SETTING_TYPE: &str = "#microsoft.graph.deviceManagementConfigurationSetting";
pub const CHOICE_VALUE_TYPE: &str =
    "#microsoft.graph.deviceManagementConfigurationChoiceSettingValue";
pub const STRING_VALUE_TYPE: &str =
    "#microsoft.graph.deviceManagementConfigurationStringSettingValue";
pub const INTEGER_VALUE_TYPE: &str =
    "#microsoft.graph.deviceManagementConfigurationIntegerSettingValue";
pub const GROUP_VALUE_TYPE: &str =
    "#microsoft.graph.deviceManagementConfigurationGroupSettingValue";

#[derive(Debug, Clone, Serialize)]
pub struct TemplateReference {
    #[serde(rename = "templateId")]
    pub template_id: &'static str,
    #[serde(rename = "templateFamily")]
    pub template_family: &'static str,
}

/// One Settings Catalog policy (profile).
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    pub name: String,
    pub description: String,
    pub platforms: &'static str,
    pub technologies: &'static str,
    #[serde(rename = "templateReference")]
    pub template_reference: TemplateReference,
    pub settings: Vec<Setting>,
}

impl Policy {
    pub fn new(name: String, description: String, instances: Vec<Instance>) -> Policy {
        Policy {
            odata_type: POLICY_TYPE,
            name,
            description,
            platforms: "windows10",
            technologies: "mdm",
            template_reference: TemplateReference {
                template_id: "",
                template_family: "none",
            },
            settings: instances
                .into_iter()
                .enumerate()
                .map(|(i, setting_instance)| Setting {
                    odata_type: SETTING_TYPE,
                    id: i.to_string(),
                    setting_instance,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    pub id: String,
    #[serde(rename = "settingInstance")]
    pub setting_instance: Instance,
}

/// A setting instance; `@odata.type` is the instance type of its definition's kind.
#[derive(Debug, Clone, Serialize)]
pub struct Instance {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    #[serde(rename = "settingDefinitionId")]
    pub setting_definition_id: String,
    #[serde(flatten)]
    pub value: InstanceValue,
}

#[derive(Debug, Clone, Serialize)]
pub enum InstanceValue {
    #[serde(rename = "choiceSettingValue")]
    Choice(ChoiceValue),
    #[serde(rename = "simpleSettingValue")]
    Simple(SimpleValue),
    #[serde(rename = "simpleSettingCollectionValue")]
    SimpleCollection(Vec<SimpleValue>),
    #[serde(rename = "groupSettingCollectionValue")]
    GroupCollection(Vec<GroupValue>),
}

#[derive(Debug, Clone, Serialize)]
pub struct ChoiceValue {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    pub value: String,
    pub children: Vec<Instance>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    String(String),
    Integer(i64),
}

#[derive(Debug, Clone, Serialize)]
pub struct SimpleValue {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    pub value: Scalar,
}

impl SimpleValue {
    pub fn new(value: Scalar) -> SimpleValue {
        let odata_type = match value {
            Scalar::String(_) => STRING_VALUE_TYPE,
            Scalar::Integer(_) => INTEGER_VALUE_TYPE,
        };
        SimpleValue { odata_type, value }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupValue {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    pub children: Vec<Instance>,
}
