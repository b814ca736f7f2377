//! The spec as written (format v1), before it is checked against the catalog.
//! Unknown keys are errors everywhere (`deny_unknown_fields`).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    /// Spec format version; only `1` exists.
    pub policyc: u32,
    pub bundle: RawBundle,
    /// Browsers the browser settings are written for (`chrome`, `edge`).
    #[serde(default)]
    pub products: Vec<String>,
    /// The oldest browser major version the bundle must support; policies that a
    /// newer one replaces are left out when every supported browser has the newer one.
    #[serde(default)]
    pub min_browser_version: Option<u32>,
    /// NHS clients the endpoints run, with versions (e.g. `smartcard-connect: "3.13"`).
    #[serde(default)]
    pub clients: std::collections::BTreeMap<String, String>,
    pub settings: Vec<RawSetting>,
    /// Which Intune profile carries values that have a Settings Catalog definition:
    /// `settings-catalog` (default) or `custom` (OMA-URI only).
    #[serde(default)]
    pub intune_profile: Option<crate::intune::settings_catalog::ProfileChoice>,
    /// Intune's setting definitions (`GET /beta/deviceManagement/configurationSettings`,
    /// every page merged), relative to the spec's folder.
    #[serde(default)]
    pub intune_definitions: Option<String>,
    /// A central store (a PolicyDefinitions folder: `*.admx` and `<culture>/*.adml`),
    /// relative to the spec's folder; `policy:` settings are checked against it.
    /// `--templates` overrides it.
    #[serde(default)]
    pub templates: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBundle {
    pub name: String,
    pub display_name: String,
    pub version: String,
    pub publisher: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSetting {
    /// A catalog setting id; a setting has `id` or `policy`, not both.
    #[serde(default)]
    pub id: Option<String>,
    /// A vendor template policy, `NAMESPACE:NAME` (the ADMX target namespace and the
    /// policy's name), read from the central store (`templates:`).
    #[serde(default)]
    pub policy: Option<String>,
    /// `policy:` only: `enabled` or `disabled`.
    #[serde(default)]
    pub state: Option<String>,
    /// Typed later, against the catalog entry's value type or the policy's elements.
    /// Required for `id:`; for `policy:`, the element values of an Enabled policy.
    #[serde(default)]
    pub value: Option<serde_yaml::Value>,
    #[serde(default)]
    pub scope: Option<String>,
    /// Windows settings only: `policy`, `preference` or `both`.
    #[serde(default)]
    pub form: Option<String>,
    /// Narrows the spec-wide `products` for this setting.
    #[serde(default)]
    pub products: Option<Vec<String>>,
    /// Diagnostic codes the author has read and accepts for this setting.
    #[serde(default)]
    pub acknowledge: Vec<String>,
    /// Free text kept for the reader of the spec; not emitted.
    #[serde(default)]
    pub note: Option<String>,
}

/// The keys each mapping accepts, for did-you-mean hints.
pub const TOP_KEYS: &[&str] = &[
    "policyc",
    "bundle",
    "products",
    "min_browser_version",
    "clients",
    "settings",
    "intune_profile",
    "intune_definitions",
    "templates",
];
pub const BUNDLE_KEYS: &[&str] = &[
    "name",
    "display_name",
    "version",
    "publisher",
    "description",
];
pub const SETTING_KEYS: &[&str] = &[
    "id",
    "policy",
    "state",
    "value",
    "scope",
    "form",
    "products",
    "acknowledge",
    "note",
];
