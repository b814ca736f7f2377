//! Intune Settings Catalog profiles (`intune/settings-catalog/<scope>.json`): one Graph
//! `#microsoft.graph.deviceManagementConfigurationPolicy` per scope for every plan value
//! whose policy has a Settings Catalog definition, built from Intune's own definitions
//! (`GET /beta/deviceManagement/configurationSettings`): a tenant's file
//! (`--intune-definitions`, `intune_definitions:`) or the snapshot of the catalog's
//! settings in `products/intune/settings-catalog.yaml`.
//!
//! One route per value on the Intune path ([`Routes`], [`delivery`]): with
//! `intune_profile: settings-catalog` (the default) a value whose policy has a definition
//! goes to the Settings Catalog profile and the custom OMA-URI profile leaves it out; the
//! rest keep their catalog route (custom profile, or the PowerShell remediation). With
//! `intune_profile: custom` no Settings Catalog profile is written.
//!
//! Which definition: the root choice definitions of the value's scope that the snapshot's
//! lookup rule matches ([`Lookup`]). The app segment of the id (`microsoft_edgev140`,
//! `chromeintunev141`) is Intune's label, so it always comes from the definitions. When
//! several match (`microsoft_edge` and `microsoft_edgev80diff`...), the ones whose
//! options and limits take the value are kept; of those, one not marked "(obsolete)",
//! then the one in the built-in snapshot, then the first by id.

pub mod definitions;
pub mod emitter;
pub mod instance;
pub mod vendor;

pub use definitions::{DefKind, Definition, Definitions, ValueType};

use crate::catalog::{Catalog, Layout, ValueKind};
use crate::diag::{self, Diagnostic};
use crate::intune::route::RouteKind;
use crate::intune::{scope_word, Group};
use crate::plan::{Action, Op, Plan};
use crate::reg::{Hive, RegData};
use instance::{ChoiceValue, GroupValue, Instance, InstanceValue, Scalar, SimpleValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The spec's `intune_profile`: which Intune profile carries a value that has a Settings
/// Catalog definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileChoice {
    /// `intune/settings-catalog/<scope>.json` (the default).
    #[default]
    SettingsCatalog,
    /// The custom OMA-URI profile `intune/<scope>.json` only.
    Custom,
}

/// How the plan reaches Intune: the spec's profile choice and the definitions in use.
#[derive(Debug, Clone, Default)]
pub struct IntuneOptions {
    pub profile: ProfileChoice,
    /// A definitions file that was read; `None`: the built-in snapshot.
    pub definitions: Option<Arc<Definitions>>,
}

impl IntuneOptions {
    /// The definitions in use.
    pub fn definitions(&self) -> Result<&Definitions, String> {
        match &self.definitions {
            Some(d) => Ok(d),
            None => Ok(&builtin()?.1),
        }
    }
}

/// Where one catalog location is found among Intune's definitions
/// (`products/intune/settings-catalog.yaml`, `policies:`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    /// The catalog setting, registry location name and product.
    pub setting: String,
    pub location: String,
    pub product: String,
    /// The definition's `name`: the ADMX policy name Intune keeps.
    pub policy: String,
    /// ADMX-backed apps: Intune's app label starts with this (`microsoft_edge`).
    #[serde(default)]
    pub app_prefix: Option<String>,
    /// ADMX-backed apps: the first category of the policy's chain (`microsoft_edge`;
    /// `microsoft_edge_recommended` is another policy).
    #[serde(default)]
    pub category: Option<String>,
    /// Policy CSP areas: `/Config/<area>/<CSP policy>` (`InternetExplorer`).
    #[serde(default)]
    pub area: Option<String>,
}

impl Lookup {
    /// Whether `d` is the root definition of this location's policy (either scope).
    pub fn matches(&self, d: &Definition) -> bool {
        if d.kind() != DefKind::Choice || d.id != d.root_definition_id || d.name != self.policy {
            return false;
        }
        let Some(rest) = d.offset_uri.strip_prefix("/Config/") else {
            return false;
        };
        let Some((area, _)) = rest.rsplit_once('/') else {
            return false;
        };
        match (&self.area, &self.app_prefix, &self.category) {
            (Some(want), None, None) => area.eq_ignore_ascii_case(want),
            (None, Some(prefix), Some(cat)) => {
                area.split_once("~Policy~").is_some_and(|(app, cats)| {
                    app.to_ascii_lowercase()
                        .starts_with(&prefix.to_ascii_lowercase())
                        && cats
                            .split('~')
                            .next()
                            .is_some_and(|c| c.eq_ignore_ascii_case(cat))
                })
            }
            _ => false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    policies: Vec<Lookup>,
    value: Vec<Definition>,
}

/// The text of `products/intune/settings-catalog.yaml`, built into the binary.
pub const SNAPSHOT_YAML: &str = include_str!("../../../products/intune/settings-catalog.yaml");

/// The same data as JSON, converted by build.rs: serde_json reads it several times faster
/// than serde_yaml reads the YAML (that parse was a tenth of the NHS build's CPU time).
/// `tests::snapshot_json_is_the_yaml` checks that both give the same snapshot.
const SNAPSHOT_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/settings-catalog.json"));

/// The built-in lookups and definitions, parsed once per process.
pub fn builtin() -> Result<&'static (Vec<Lookup>, Definitions), String> {
    static B: std::sync::OnceLock<Result<(Vec<Lookup>, Definitions), String>> =
        std::sync::OnceLock::new();
    B.get_or_init(|| {
        let s: Snapshot = serde_json::from_str(SNAPSHOT_JSON)
            .map_err(|e| format!("products/intune/settings-catalog.yaml: {e}"))?;
        for l in &s.policies {
            let ok = matches!(
                (&l.area, &l.app_prefix, &l.category),
                (Some(_), None, None) | (None, Some(_), Some(_))
            );
            if !ok {
                return Err(format!(
                    "products/intune/settings-catalog.yaml: {} {} ({}): give `area`, or `app_prefix` and `category`",
                    l.setting, l.location, l.product
                ));
            }
        }
        let defs = Definitions::new("the built-in snapshot", s.value)
            .map_err(|e| format!("products/intune/settings-catalog.yaml: {e}"))?;
        Ok((s.policies, defs))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// How Intune delivers a plan value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The Settings Catalog profile `intune/settings-catalog/<scope>.json`, by this root
    /// definition.
    SettingsCatalog { definition_id: String },
    /// The custom OMA-URI profile `intune/<scope>.json`, by this catalog route
    /// (admx-ingest, vendor-admx or csp).
    CustomProfile(RouteKind),
    /// No Intune profile: the PowerShell remediation (`powershell/remediate.ps1`).
    Remediation,
}

impl Delivery {
    /// True when an Intune profile (either kind) carries the value.
    pub fn by_profile(&self) -> bool {
        !matches!(self, Delivery::Remediation)
    }

    /// The bundle file that delivers the value on the Intune path.
    pub fn file(&self, hive: Hive) -> String {
        match self {
            Delivery::SettingsCatalog { .. } => profile_path(hive),
            Delivery::CustomProfile(_) => format!("intune/{}.json", scope_word(hive)),
            Delivery::Remediation => "powershell/remediate.ps1".to_string(),
        }
    }

    /// In words, for `check` and the docs.
    pub fn describe(&self, hive: Hive) -> String {
        match self {
            Delivery::SettingsCatalog { definition_id } => format!(
                "the Settings Catalog profile {} (setting definition {definition_id})",
                self.file(hive)
            ),
            Delivery::CustomProfile(k) => {
                let how = match k {
                    RouteKind::AdmxIngest => "the ingested bundle ADMX",
                    RouteKind::VendorAdmx => "the vendor's ingested ADMX",
                    RouteKind::Csp => "a built-in Policy CSP node",
                    RouteKind::None => "no node",
                };
                format!("the custom OMA-URI profile {} ({how})", self.file(hive))
            }
            Delivery::Remediation => format!(
                "no Intune profile: {} (Intune Remediations)",
                self.file(hive)
            ),
        }
    }
}

/// `intune/settings-catalog/device.json` or `.../user.json`.
pub fn profile_path(hive: Hive) -> String {
    format!("intune/settings-catalog/{}.json", scope_word(hive))
}

/// A plan group's identity: spec path, product, location and hive.
type GroupKey = (String, String, String, Hive);

fn key_of_op(op: &Op) -> GroupKey {
    let p = &op.provenance;
    (
        p.spec_path.clone(),
        p.product.clone(),
        p.location.clone(),
        op.hive,
    )
}

/// What one group resolved to.
enum Resolved {
    Catalog {
        root: String,
        instance: Instance,
    },
    /// The definitions hold the policy, but no definition takes the value.
    Mismatch(String),
    Other(Delivery),
}

/// The Intune route of every plan group, resolved once. [`Routes::of`] answers per value.
pub struct Routes<'a> {
    groups: Vec<(Group<'a>, Resolved)>,
    index: BTreeMap<GroupKey, usize>,
    /// `policy:` settings by spec path: the Settings Catalog profile (a definition of
    /// their policy takes the value), the custom profile (their vendor ADMX route) or the
    /// remediation.
    vendor: BTreeMap<String, (&'a crate::validate::vendor::VendorSetting, Resolved)>,
}

impl<'a> Routes<'a> {
    /// Resolves every group of the plan against the plan's Intune options.
    pub fn new(plan: &'a Plan, catalog: &'a Catalog) -> Result<Routes<'a>, String> {
        let defs = plan.intune.definitions()?;
        let lookups = &builtin()?.0;
        let mut groups = Vec::new();
        let mut index = BTreeMap::new();
        for g in crate::intune::groups(plan, catalog)? {
            let custom = match g.kind() {
                RouteKind::None => Delivery::Remediation,
                k => Delivery::CustomProfile(k),
            };
            let r = match plan.intune.profile {
                ProfileChoice::Custom => Resolved::Other(custom),
                ProfileChoice::SettingsCatalog => match resolve(&g, catalog, defs, lookups) {
                    Ok(Some((root, instance))) => Resolved::Catalog { root, instance },
                    Ok(None) => Resolved::Other(custom),
                    Err(m) => Resolved::Mismatch(m),
                },
            };
            index.insert(
                (
                    g.spec_path.clone(),
                    g.product.clone(),
                    g.location.clone(),
                    g.hive,
                ),
                groups.len(),
            );
            groups.push((g, r));
        }
        let mut vendor = BTreeMap::new();
        for v in &plan.vendor {
            let custom = match &v.intune {
                Ok(_) => Delivery::CustomProfile(RouteKind::VendorAdmx),
                Err(_) => Delivery::Remediation,
            };
            let r = match plan.intune.profile {
                ProfileChoice::Custom => Resolved::Other(custom),
                ProfileChoice::SettingsCatalog => match vendor::resolve(v, defs) {
                    Ok(Some((root, instance))) => Resolved::Catalog { root, instance },
                    Ok(None) => Resolved::Other(custom),
                    Err(m) => Resolved::Mismatch(m),
                },
            };
            vendor.insert(v.spec_path(), (v, r));
        }
        Ok(Routes {
            groups,
            index,
            vendor,
        })
    }

    /// The route of a `policy:` setting's values; the custom profile's vendor ADMX route
    /// (or the remediation) when a mismatch was reported.
    fn vendor_delivery(v: &crate::validate::vendor::VendorSetting, r: &Resolved) -> Delivery {
        match r {
            Resolved::Catalog { root, .. } => Delivery::SettingsCatalog {
                definition_id: root.clone(),
            },
            Resolved::Other(d) => d.clone(),
            Resolved::Mismatch(_) => match &v.intune {
                Ok(_) => Delivery::CustomProfile(RouteKind::VendorAdmx),
                Err(_) => Delivery::Remediation,
            },
        }
    }

    /// Whether the Settings Catalog profile delivers the `policy:` setting at `spec_path`
    /// (the custom profile then leaves it out and its template needs no ingestion).
    pub fn vendor_in_settings_catalog(&self, spec_path: &str) -> bool {
        self.vendor
            .get(spec_path)
            .is_some_and(|(_, r)| matches!(r, Resolved::Catalog { .. }))
    }

    fn delivery_of(&self, i: usize) -> Delivery {
        let (g, r) = &self.groups[i];
        match r {
            Resolved::Catalog { root, .. } => Delivery::SettingsCatalog {
                definition_id: root.clone(),
            },
            Resolved::Other(d) => d.clone(),
            // The compile reports the mismatch as an error; were it emitted anyway, the
            // value keeps its catalog route.
            Resolved::Mismatch(_) => match g.kind() {
                RouteKind::None => Delivery::Remediation,
                k => Delivery::CustomProfile(k),
            },
        }
    }

    /// Which Intune route delivers a plan value (an op of this plan).
    pub fn of(&self, op: &Op) -> Delivery {
        match self.index.get(&key_of_op(op)) {
            Some(&i) => self.delivery_of(i),
            None => match self.vendor.get(&op.provenance.spec_path) {
                Some((v, r)) => Self::vendor_delivery(v, r),
                None => Delivery::Remediation,
            },
        }
    }

    /// Whether the Settings Catalog profile delivers this group (the custom profile then
    /// leaves it out).
    pub fn in_settings_catalog(&self, g: &Group) -> bool {
        self.index
            .get(&(
                g.spec_path.clone(),
                g.product.clone(),
                g.location.clone(),
                g.hive,
            ))
            .is_some_and(|&i| matches!(self.groups[i].1, Resolved::Catalog { .. }))
    }

    /// Whether the Settings Catalog profile delivers the group (spec path, product,
    /// location, hive).
    pub fn delivers(&self, spec_path: &str, product: &str, location: &str, hive: Hive) -> bool {
        self.index
            .get(&(
                spec_path.to_string(),
                product.to_string(),
                location.to_string(),
                hive,
            ))
            .is_some_and(|&i| matches!(self.groups[i].1, Resolved::Catalog { .. }))
    }

    /// The Settings Catalog profiles: one per scope with at least one value.
    pub fn profiles(&self, plan: &Plan) -> Vec<(Hive, instance::Policy)> {
        let b = &plan.bundle;
        // Catalog settings and `policy:` settings in spec order: (spec index, hive, the
        // instance, or where the value goes instead).
        let mut all: Vec<(usize, Hive, Result<&Instance, String>)> = Vec::new();
        for (i, (g, r)) in self.groups.iter().enumerate() {
            all.push((
                crate::plan::spec_index(&g.spec_path),
                g.hive,
                match r {
                    Resolved::Catalog { instance, .. } => Ok(instance),
                    _ => Err(format!(
                        "{} by {}",
                        g.label(),
                        self.delivery_of(i).file(g.hive)
                    )),
                },
            ));
        }
        for (v, r) in self.vendor.values() {
            all.push((
                v.index,
                v.hive,
                match r {
                    Resolved::Catalog { instance, .. } => Ok(instance),
                    _ => Err(format!(
                        "{} by {}",
                        vendor::label(v),
                        Self::vendor_delivery(v, r).file(v.hive)
                    )),
                },
            ));
        }
        all.sort_by_key(|(i, _, _)| *i);
        let mut per_hive: BTreeMap<Hive, Vec<Instance>> = BTreeMap::new();
        let mut elsewhere: BTreeMap<Hive, Vec<String>> = BTreeMap::new();
        for (_, hive, x) in all {
            match x {
                Ok(instance) => per_hive.entry(hive).or_default().push(instance.clone()),
                Err(label) => elsewhere.entry(hive).or_default().push(label),
            }
        }
        per_hive
            .into_iter()
            .map(|(hive, instances)| {
                let mut description = b.description.clone().unwrap_or_default();
                if !description.is_empty() {
                    description.push(' ');
                }
                description.push_str(&format!(
                    "Generated by policyc from {} {}: the values that have an Intune Settings Catalog definition.",
                    b.name, b.version
                ));
                if let Some(rest) = elsewhere.get(&hive) {
                    description.push_str(" Delivered elsewhere:");
                    for r in rest {
                        description.push_str(&format!(" {r};"));
                    }
                    description.pop();
                    description.push('.');
                }
                (
                    hive,
                    instance::Policy::new(
                        format!(
                            "{} ({}, Settings Catalog)",
                            b.display_name,
                            scope_word(hive)
                        ),
                        description,
                        instances,
                    ),
                )
            })
            .collect()
    }
}

/// Which Intune route delivers a plan value: the Settings Catalog profile, the custom
/// OMA-URI profile, or only the PowerShell remediation. Resolves the whole plan; for many
/// values build [`Routes`] once and ask [`Routes::of`].
pub fn delivery(plan: &Plan, catalog: &Catalog, op: &Op) -> Result<Delivery, String> {
    Ok(Routes::new(plan, catalog)?.of(op))
}

/// The registry key of the location's own value or list (not its `also` companions).
fn main_key(g: &Group, catalog: &Catalog) -> String {
    let pk = catalog
        .products
        .get(&g.product)
        .and_then(|p| p.policy_key.as_deref())
        .unwrap_or("");
    g.loc.key.replace("{policy_key}", pk)
}

/// The group's own (value name, data) pairs, in plan order.
fn own_values<'g>(g: &'g Group, catalog: &Catalog) -> Vec<(&'g str, &'g RegData)> {
    let key = main_key(g, catalog);
    g.ops
        .iter()
        .filter(|o| o.key.eq_ignore_ascii_case(&key))
        .filter_map(|o| match &o.action {
            Action::Set { name, data } => Some((name.as_str(), data)),
            Action::ResetKey | Action::Delete { .. } => None,
        })
        .collect()
}

/// The root definition and instance for a group, `None` when no definition matches.
fn resolve(
    g: &Group,
    catalog: &Catalog,
    defs: &Definitions,
    lookups: &[Lookup],
) -> Result<Option<(String, Instance)>, String> {
    let Some(lookup) = lookups
        .iter()
        .find(|l| l.setting == g.setting && l.location == g.location && l.product == g.product)
    else {
        return Ok(None);
    };
    let scope = scope_word(g.hive);
    let mut candidates: Vec<&Definition> = defs
        .roots_named(scope, &lookup.policy)
        .filter(|d| d.scope() == Some(scope) && lookup.matches(d))
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    let snapshot = builtin().map(|b| &b.1).ok();
    candidates.sort_by_key(|d| {
        (
            d.obsolete(),
            snapshot.is_none_or(|s| s.get(&d.id).is_none()),
            d.id.clone(),
        )
    });
    let values = own_values(g, catalog);
    let mut why = Vec::new();
    for d in candidates {
        match build_instance(g, d, defs, &values) {
            Ok(i) => return Ok(Some((d.id.clone(), i))),
            Err(m) => why.push(format!("{}: {m}", d.id)),
        }
    }
    Err(format!(
        "{}: no Intune Settings Catalog definition in {} takes the value ({})",
        g.label(),
        defs.origin,
        why.join("; ")
    ))
}

/// The one child definition of the Enabled option, of the kind the layout needs.
fn only_child<'d>(
    root: &'d Definition,
    enabled: &str,
    defs: &'d Definitions,
    want: DefKind,
) -> Result<&'d Definition, String> {
    let kids = defs.children_of(root, Some(enabled));
    match kids.as_slice() {
        [c] if c.kind() == want => Ok(c),
        [c] => Err(format!(
            "its element {} is a {:?} setting, the value needs {want:?}",
            c.id,
            c.kind()
        )),
        _ => Err(format!(
            "its Enabled option has {} element settings in these definitions, the value fills one",
            kids.len()
        )),
    }
}

/// A simple value checked against a simple definition's value type and limits.
fn simple_value(def: &Definition, v: Scalar) -> Result<SimpleValue, String> {
    let vd = def
        .value_definition
        .as_ref()
        .ok_or_else(|| format!("{} has no valueDefinition", def.id))?;
    match (&v, vd.value_type()) {
        (Scalar::String(s), ValueType::String) => {
            let n = s.encode_utf16().count() as u64;
            if let Some(max) = vd.maximum_length.filter(|m| n > *m) {
                return Err(format!(
                    "`{s}` is {n} characters; {} takes at most {max}",
                    def.id
                ));
            }
            if let Some(min) = vd.minimum_length.filter(|m| n < *m) {
                return Err(format!(
                    "`{s}` is {n} characters; {} takes at least {min}",
                    def.id
                ));
            }
        }
        (Scalar::Integer(i), ValueType::Integer) => {
            if vd.minimum_value.is_some_and(|m| *i < m) || vd.maximum_value.is_some_and(|m| *i > m)
            {
                return Err(format!(
                    "{i} is outside {}..{} ({})",
                    vd.minimum_value.unwrap_or(i64::MIN),
                    vd.maximum_value.unwrap_or(i64::MAX),
                    def.id
                ));
            }
        }
        (_, t) => {
            return Err(format!(
                "{} takes {t:?} values, the value is {:?}",
                def.id, v
            ))
        }
    }
    Ok(SimpleValue::new(v))
}

/// The number of entries against a collection definition's occurrence limits.
fn check_count(def: &Definition, n: usize) -> Result<(), String> {
    let n = n as u64;
    if let Some(max) = def.maximum_count.filter(|m| n > *m) {
        return Err(format!("{n} entries; {} takes at most {max}", def.id));
    }
    if let Some(min) = def.minimum_count.filter(|m| n < *m) {
        return Err(format!("{n} entries; {} takes at least {min}", def.id));
    }
    Ok(())
}

fn simple_instance(def: &Definition, v: Scalar) -> Result<Instance, String> {
    Ok(Instance {
        odata_type: DefKind::Simple.instance_type().expect("simple"),
        setting_definition_id: def.id.clone(),
        value: InstanceValue::Simple(simple_value(def, v)?),
    })
}

/// The instance tree of a group's value under the root definition `root`.
fn build_instance<'d>(
    g: &Group,
    root: &'d Definition,
    defs: &'d Definitions,
    values: &[(&str, &RegData)],
) -> Result<Instance, String> {
    let choice = |option: &str, children: Vec<Instance>| Instance {
        odata_type: DefKind::Choice.instance_type().expect("choice"),
        setting_definition_id: root.id.clone(),
        value: InstanceValue::Choice(ChoiceValue {
            odata_type: instance::CHOICE_VALUE_TYPE,
            value: option.to_string(),
            children,
        }),
    };
    let enabled = root
        .option_with_value(1)
        .ok_or("it has no Enabled option (optionValue 1)")?
        .item_id
        .clone();
    let one = |want: &str| -> Result<&RegData, String> {
        values
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(want))
            .map(|(_, d)| *d)
            .ok_or_else(|| format!("the plan holds no value {want}"))
    };
    match g.loc.layout {
        Layout::Value if g.entry.value.kind == ValueKind::Bool => {
            // A policy with no elements: Enabled writes 1, Disabled 0 (inetres.admx
            // enabledValue/disabledValue of every catalog bool), options `_1`/`_0`.
            let RegData::Dword(n) = one(g.loc.value.as_deref().unwrap_or_default())? else {
                return Err("a bool that is not a DWORD".into());
            };
            let opt = root
                .option_with_value(i64::from(*n))
                .ok_or_else(|| format!("it has no option with value {n}"))?;
            let kids = defs.children_of(root, Some(&opt.item_id));
            if !kids.is_empty() {
                return Err(format!(
                    "its option {} has element settings; a bool fills none",
                    opt.item_id
                ));
            }
            Ok(choice(&opt.item_id, Vec::new()))
        }
        Layout::Value | Layout::JoinedList => {
            let v = match one(g.loc.value.as_deref().unwrap_or_default())? {
                RegData::Dword(n) => Scalar::Integer(i64::from(*n)),
                RegData::Sz(s) => Scalar::String(s.clone()),
                other => return Err(format!("a {other:?} value has no Settings Catalog form")),
            };
            let c = only_child(root, &enabled, defs, DefKind::Simple)?;
            Ok(choice(&enabled, vec![simple_instance(c, v)?]))
        }
        Layout::NumberedList => {
            let c = only_child(root, &enabled, defs, DefKind::SimpleCollection)?;
            check_count(c, values.len())?;
            let mut items = Vec::new();
            for (_, d) in values {
                let RegData::Sz(s) = d else {
                    return Err("a list entry that is not REG_SZ".into());
                };
                items.push(simple_value(c, Scalar::String(s.clone()))?);
            }
            Ok(choice(
                &enabled,
                vec![Instance {
                    odata_type: DefKind::SimpleCollection.instance_type().expect("coll"),
                    setting_definition_id: c.id.clone(),
                    value: InstanceValue::SimpleCollection(items),
                }],
            ))
        }
        Layout::ZoneAssignments => {
            let c = only_child(root, &enabled, defs, DefKind::GroupCollection)?;
            check_count(c, values.len())?;
            let kids = defs.children_of(c, None);
            let part = |suffix: &str| {
                kids.iter()
                    .find(|k| k.id == format!("{}_{suffix}", c.id) && k.kind() == DefKind::Simple)
                    .copied()
                    .ok_or_else(|| format!("{} has no simple child {}_{suffix}", c.id, c.id))
            };
            let (k, v) = (part("key")?, part("value")?);
            if kids.len() != 2 {
                return Err(format!(
                    "{} has {} children, not key and value",
                    c.id,
                    kids.len()
                ));
            }
            let mut entries = Vec::new();
            for (name, d) in values {
                let RegData::Sz(s) = d else {
                    return Err("a zone assignment that is not REG_SZ".into());
                };
                entries.push(GroupValue {
                    odata_type: instance::GROUP_VALUE_TYPE,
                    children: vec![
                        simple_instance(k, Scalar::String(name.to_string()))?,
                        simple_instance(v, Scalar::String(s.clone()))?,
                    ],
                });
            }
            Ok(choice(
                &enabled,
                vec![Instance {
                    odata_type: DefKind::GroupCollection.instance_type().expect("group"),
                    setting_definition_id: c.id.clone(),
                    value: InstanceValue::GroupCollection(entries),
                }],
            ))
        }
        Layout::ZoneDomains => {
            Err("the per-site ZoneMap layout has no Settings Catalog form".into())
        }
    }
}

/// The largest definitions file read (1 GiB; Graph's whole list is tens of megabytes).
pub const MAX_DEFINITIONS_BYTES: u64 = 1 << 30;

/// Reads the definitions a compile uses: the command line's file (`cli`), else the spec's
/// `intune_definitions:` (relative to the spec's folder), else none (the built-in
/// snapshot). `spec_file` is the spec's path as given. An unreadable or malformed file is
/// an `intune-definitions` error naming the file and what is wrong.
pub fn options(
    loaded: &crate::spec::Loaded,
    spec_file: &str,
    cli: Option<&std::path::Path>,
) -> Result<IntuneOptions, Diagnostic> {
    let profile = loaded.raw.intune_profile.unwrap_or_default();
    let (path, from_spec) = match (cli, loaded.raw.intune_definitions.as_deref()) {
        (Some(p), _) => (p.to_path_buf(), false),
        (None, Some(rel)) => {
            let base = std::path::Path::new(spec_file)
                .parent()
                .unwrap_or(std::path::Path::new(""));
            (base.join(rel), true)
        }
        (None, None) => {
            return Ok(IntuneOptions {
                profile,
                definitions: None,
            })
        }
    };
    let shown = path.display().to_string();
    let fail = |what: String| {
        let d = Diagnostic::new(diag::INTUNE_DEFINITIONS, format!("{shown}: {what}")).hint(
            "save GET https://graph.microsoft.com/beta/deviceManagement/configurationSettings with every page merged (README: Intune Settings Catalog), or leave the option out to use the built-in snapshot",
        );
        if from_spec {
            d.file(spec_file).path("intune_definitions")
        } else {
            d.file(&shown)
        }
    };
    // A regular file of sane size only: a spec must not make policyc read a device or a
    // pipe (`/dev/zero`) forever. Graph's full list is tens of megabytes.
    let meta = std::fs::metadata(&path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(fail("is not a regular file".into()));
    }
    if meta.len() > MAX_DEFINITIONS_BYTES {
        return Err(fail(format!(
            "is {} bytes; policyc reads at most {MAX_DEFINITIONS_BYTES}",
            meta.len()
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let defs = Definitions::from_graph_json(&shown, &bytes).map_err(fail)?;
    Ok(IntuneOptions {
        profile,
        definitions: Some(Arc::new(defs)),
    })
}

/// `check`'s notes: the route of each value the Settings Catalog profile delivers
/// (`intune-settings-catalog`), and an error for each value its definitions cannot take
/// (`intune-definition-mismatch`). The custom profile's routes are noted by
/// `intune::notes`.
pub fn notes(plan: &crate::emit::Input, file: &str) -> Vec<Diagnostic> {
    let routes = match plan.routes() {
        Ok(r) => r,
        Err(m) => {
            return vec![Diagnostic::new(diag::INTUNE_DEFINITIONS, m).file(file)];
        }
    };
    let mut out = Vec::new();
    for (i, (g, r)) in routes.groups.iter().enumerate() {
        match r {
            Resolved::Catalog { .. } => out.push(
                Diagnostic::new(
                    diag::INTUNE_SETTINGS_CATALOG,
                    format!(
                        "{}: Intune delivers it by {}; the custom profile leaves it out",
                        g.label(),
                        routes.delivery_of(i).describe(g.hive)
                    ),
                )
                .file(file)
                .path(&g.spec_path)
                .hint("import intune/settings-catalog/*.json as Settings Catalog policies (POST /beta/deviceManagement/configurationPolicies); `intune_profile: custom` keeps every value in the custom OMA-URI profile"),
            ),
            Resolved::Mismatch(m) => out.push(
                Diagnostic::new(diag::INTUNE_DEFINITION_MISMATCH, m.clone())
                    .file(file)
                    .path(&g.spec_path)
                    .hint("change the value to fit Intune's definition, or set `intune_profile: custom` to deliver it by the custom OMA-URI profile"),
            ),
            Resolved::Other(d @ Delivery::CustomProfile(_)) => out.push(
                Diagnostic::new(
                    diag::INTUNE_CUSTOM_PROFILE,
                    format!(
                        "{}: Intune delivers it by {}{}",
                        g.label(),
                        d.describe(g.hive),
                        match plan.intune.profile {
                            ProfileChoice::Custom => " (the spec chose `intune_profile: custom`)",
                            ProfileChoice::SettingsCatalog => {
                                "; its policy has no Settings Catalog definition"
                            }
                        }
                    ),
                )
                .file(file)
                .path(&g.spec_path)
                .hint("import intune/<scope>.json as a custom configuration profile (POST /v1.0/deviceManagement/deviceConfigurations)"),
            ),
            // The remediation's values are noted by `intune::notes` (`intune-no-route`).
            Resolved::Other(_) => {}
        }
    }
    // `policy:` settings: the Settings Catalog route, or a value its definitions refuse.
    // Their custom profile and remediation routes are noted by `intune::notes`.
    for (spec_path, (v, r)) in &routes.vendor {
        match r {
            Resolved::Catalog { .. } => out.push(
                Diagnostic::new(
                    diag::INTUNE_SETTINGS_CATALOG,
                    format!(
                        "{}: Intune delivers it by {}; the custom profile leaves it out and its template needs no ingestion",
                        vendor::label(v),
                        Routes::vendor_delivery(v, r).describe(v.hive)
                    ),
                )
                .file(file)
                .path(spec_path)
                .hint("import intune/settings-catalog/*.json as Settings Catalog policies (POST /beta/deviceManagement/configurationPolicies); `intune_profile: custom` delivers it by the custom OMA-URI profile instead"),
            ),
            Resolved::Mismatch(m) => out.push(
                Diagnostic::new(diag::INTUNE_DEFINITION_MISMATCH, m.clone())
                    .file(file)
                    .path(spec_path)
                    .hint("change the value to fit Intune's definition, or set `intune_profile: custom` to deliver it by the custom OMA-URI profile"),
            ),
            Resolved::Other(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;

    /// The JSON build.rs stores is the YAML's data: both parse to the same snapshot,
    /// field by field, and the YAML is not empty.
    #[test]
    fn snapshot_json_is_the_yaml() {
        let yaml: Snapshot = serde_yaml::from_str(SNAPSHOT_YAML).unwrap();
        let json: Snapshot = serde_json::from_str(SNAPSHOT_JSON).unwrap();
        assert!(!yaml.policies.is_empty() && !yaml.value.is_empty());
        assert_eq!(
            format!("{:?}", (&yaml.policies, &yaml.value)),
            format!("{:?}", (&json.policies, &json.value))
        );
    }
}
