//! Intune custom configuration profiles: one Microsoft Graph
//! `#microsoft.graph.windows10CustomConfiguration` per scope (device, user), built from
//! the registry plan, the catalog's Intune routes ([`route`]) and the ADMX template's ids
//! (`admx::ids` through `admx::template`), so a `<data id>` can never differ from the ADMX.
//!
//! Graph shapes (Microsoft Graph v1.0 resources `windows10CustomConfiguration` and
//! `omaSetting*`, https://learn.microsoft.com/en-us/graph/api/resources/intune-deviceconfig-windows10customconfiguration):
//! `omaSettings` holds at most 1000 settings; each has `displayName`, `description`,
//! `omaUri` and a typed `value`. ADMX-backed nodes take strings ("The OMA-URI data type is
//! always String", configure-edge-with-mdm); only a native integer node takes
//! `omaSettingInteger`.

pub mod emit;
pub mod ingestion;
pub mod route;
pub mod settings_catalog;
pub mod vendor;

use crate::admx::{ids, template};
use crate::catalog::{Catalog, Entry, Layout, Location, ValueKind};
use crate::diag::{self, Diagnostic};
use crate::plan::{Action, Plan};
use crate::reg::{Hive, RegData};
use route::{CspFormat, IntuneRoute, RouteKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// Graph's `omaSettings` limit (windows10CustomConfiguration: "This collection can contain
/// a maximum of 1000 elements").
pub const MAX_OMA_SETTINGS: usize = 1000;

/// U+F000, the separator of `list` element payloads, written as the character reference
/// the payload XML resolves ("Each string is separated by F000", policy-csp-internetexplorer
/// AllowSiteToZoneAssignmentList; `value="1&#xF000;http://www.bing.com&#xF000;2&#xF000;..."`,
/// configure-edge-with-mdm). Microsoft's examples end without a trailing separator, so
/// none is written.
pub const LIST_SEPARATOR: &str = "&#xF000;";

/// The ADMXInstall node (win32-and-centennial-app-policy-configuration; device only).
pub const ADMX_INSTALL: &str = "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum OmaValue {
    String(String),
    Integer(i32),
}

#[derive(Debug, Clone, Serialize)]
pub struct OmaSetting {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    #[serde(rename = "displayName")]
    pub display_name: String,
    pub description: String,
    #[serde(rename = "omaUri")]
    pub oma_uri: String,
    pub value: OmaValue,
}

impl OmaSetting {
    fn new(display_name: String, description: String, oma_uri: String, value: OmaValue) -> Self {
        let odata_type = match value {
            OmaValue::String(_) => "#microsoft.graph.omaSettingString",
            OmaValue::Integer(_) => "#microsoft.graph.omaSettingInteger",
        };
        OmaSetting {
            odata_type,
            display_name,
            description,
            oma_uri,
            value,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    #[serde(rename = "displayName")]
    pub display_name: String,
    pub description: String,
    #[serde(rename = "omaSettings")]
    pub oma_settings: Vec<OmaSetting>,
}

pub const PROFILE_TYPE: &str = "#microsoft.graph.windows10CustomConfiguration";

/// `device` or `user`, the profile's file stem and the word in its name.
pub fn scope_word(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => "device",
        Hive::Hkcu => "user",
    }
}

/// The OMA-URI scope segment: `Machine` policies under `./Device`, `User` under `./User`
/// (win32-and-centennial-app-policy-configuration, "User or device policy").
pub fn uri_scope(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => "Device",
        Hive::Hkcu => "User",
    }
}

/// The `{AppName}` the bundle's ADMX is ingested under: the ADMX target namespace
/// without its dot (`PolicycNhsCredentialManagement`), letters and digits only.
pub fn app_name(bundle_name: &str) -> String {
    ids::target_namespace(bundle_name).replace('.', "")
}

/// `{AppName}~Policy~{category path}` for the bundle's ADMX (categories root first).
pub fn admx_area(bundle_name: &str, publisher: &str) -> String {
    let cats = ids::category_path(publisher, bundle_name);
    format!("{}~Policy~{}", app_name(bundle_name), cats.join("~"))
}

/// The ingestion `{FileUid}`: uuid v5 of the bundle name, version and the ingested ADMX
/// text, so any change to the file gives a new id (the device keeps the first file it saw
/// under one App and file id: Micke-K/IntuneManagement ADMXImport.md). Simple form
/// (hex digits only) to stay within the letters-digits-underscore LocURI subset.
pub fn file_uid(bundle_name: &str, version: &str, admx: &str) -> String {
    let ns = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:policyc:intune-admx");
    let name = format!("{bundle_name}\n{version}\n{admx}");
    uuid::Uuid::new_v5(&ns, name.as_bytes())
        .simple()
        .to_string()
}

/// Escapes a string for an XML attribute value inside the payload (`<data value="...">`).
/// The payload is itself XML the device parses, so `&`, `<`, `>`, `"` and `'` become
/// entities and a spec string cannot close the attribute or add elements. Characters
/// XML 1.0 cannot carry are refused.
pub fn xml_attr(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if template::xml_forbidden(c) => {
                return Err(format!(
                    "U+{:04X} cannot be carried in an OMA-URI payload (XML 1.0)",
                    c as u32
                ))
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A `list` element payload value: name/value pairs joined by U+F000. A name or value
/// holding U+F000 itself would shift every pair after it, so it is refused.
pub fn list_value(entries: &[(String, String)]) -> Result<String, String> {
    let mut parts = Vec::with_capacity(entries.len() * 2);
    for (n, v) in entries {
        for s in [n, v] {
            if s.contains('\u{F000}') {
                return Err(format!(
                    "`{s}` holds U+F000, the separator of OMA-URI list payloads"
                ));
            }
            parts.push(xml_attr(s)?);
        }
    }
    Ok(parts.join(LIST_SEPARATOR))
}

/// The value of one `<data>` element, as the spec gives it; [`enabled`] escapes it.
pub enum DataValue {
    Text(String),
    /// A `list` element's (name, value) entries.
    List(Vec<(String, String)>),
}

/// `<enabled/>` followed by one `<data id=".." value=".."/>` per element. Every id and
/// value is escaped here, so no caller can pass a spec string through unescaped.
pub fn enabled(data: &[(String, DataValue)]) -> Result<String, String> {
    let mut s = String::from("<enabled/>");
    for (id, v) in data {
        let v = match v {
            DataValue::Text(t) => xml_attr(t)?,
            DataValue::List(entries) => list_value(entries)?,
        };
        s.push_str(&format!("<data id=\"{}\" value=\"{v}\"/>", xml_attr(id)?));
    }
    Ok(s)
}

/// One provenance group of the plan: the operations one ADMX policy stands for.
pub struct Group<'a> {
    /// Which spec setting, product, location and hive, and their ops.
    pub at: crate::plan::LocationOps<'a>,
    pub entry: &'a Entry,
    pub loc: &'a Location,
}

impl<'a> std::ops::Deref for Group<'a> {
    type Target = crate::plan::LocationOps<'a>;
    fn deref(&self) -> &Self::Target {
        &self.at
    }
}

impl Group<'_> {
    pub fn route(&self) -> Option<&IntuneRoute> {
        self.loc
            .intune
            .iter()
            .find(|r| r.products.contains(&self.product))
    }
    pub fn kind(&self) -> RouteKind {
        self.route().map_or(RouteKind::None, |r| r.route)
    }
    pub fn reason(&self) -> String {
        match self.route() {
            Some(r) => r.reason.clone().unwrap_or_default(),
            None => "the catalog names no Intune route for this location".to_string(),
        }
    }
    /// The ADMX policy name of this group (`admx::ids`).
    pub fn policy_name(&self) -> String {
        ids::policy_name(&self.setting, &self.product, &self.location, self.hive)
    }
    /// `settings[9] (oberthur-enable-nhs-enrollment, oberthur: EnableNHSEnrollment, user)`.
    pub fn label(&self) -> String {
        format!(
            "{} ({}, {}: {}, {})",
            self.spec_path,
            self.setting,
            self.product,
            self.location,
            scope_word(self.hive)
        )
    }
}

/// The plan's provenance groups of catalog settings in spec order (the same groups
/// `admx::template` makes). `policy:` settings are not among them: their route comes
/// from their own ADMX (`policyc::validate::vendor`).
pub fn groups<'a>(plan: &'a Plan, catalog: &'a Catalog) -> Result<Vec<Group<'a>>, String> {
    crate::plan::by_location(plan)
        .into_iter()
        .filter(|g| plan.vendor_at(&g.spec_path).is_none())
        .map(|g| {
            let (entry, loc) = catalog
                .location(&g.setting, &g.location, &g.product)
                .map_err(|m| format!("{}: {m}", g.spec_path))?;
            Ok(Group { at: g, entry, loc })
        })
        .collect()
}

/// The registry key of the location's own value or list (the `also` companions excluded).
fn main_key(g: &Group, catalog: &Catalog) -> String {
    let pk = catalog
        .products
        .get(&g.product)
        .and_then(|p| p.policy_key.as_deref())
        .unwrap_or("");
    g.loc.key.replace("{policy_key}", pk)
}

/// The payload of a csp or vendor-admx route, from the plan's operations. The `also`
/// companions (e.g. `ListBox_Support_ZoneMapKey`) are written by the ADMX policy behind
/// the node itself, so only the location's own value or list travels.
fn node_value(g: &Group, r: &IntuneRoute, catalog: &Catalog) -> Result<OmaValue, String> {
    let key = main_key(g, catalog);
    let own: Vec<(&str, &RegData)> = g
        .ops
        .iter()
        .filter(|o| o.key.eq_ignore_ascii_case(&key))
        .filter_map(|o| match &o.action {
            Action::Set { name, data } => Some((name.as_str(), data)),
            Action::ResetKey | Action::Delete { .. } => None,
        })
        .collect();
    let fail = |m: &str| format!("{}: {m}", g.label());
    match g.loc.layout {
        Layout::NumberedList | Layout::ZoneAssignments => {
            let mut entries = Vec::new();
            for (n, d) in &own {
                let RegData::Sz(v) = d else {
                    return Err(fail("a list entry is not REG_SZ"));
                };
                entries.push((n.to_string(), v.clone()));
            }
            let id = r.data_id.clone().ok_or_else(|| fail("no data_id"))?;
            Ok(OmaValue::String(enabled(&[(
                id,
                DataValue::List(entries),
            )])?))
        }
        Layout::Value | Layout::JoinedList => {
            let want = g.loc.value.as_deref().unwrap_or_default();
            let (_, data) = own
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(want))
                .ok_or_else(|| fail("the plan holds no value for it"))?;
            match (data, r.format, &r.data_id) {
                (RegData::Dword(n), Some(CspFormat::Int), _) => {
                    Ok(OmaValue::Integer(i32::try_from(*n).map_err(|_| {
                        fail("the DWORD does not fit Graph's Int32")
                    })?))
                }
                (RegData::Dword(n), _, None) if g.entry.value.kind == ValueKind::Bool => {
                    // A policy with no elements: enabled writes 1, disabled 0 (inetres.admx
                    // enabledValue/disabledValue; Chromium booleans the same).
                    Ok(OmaValue::String(
                        if *n == 1 { "<enabled/>" } else { "<disabled/>" }.to_string(),
                    ))
                }
                (RegData::Dword(n), _, Some(id)) => Ok(OmaValue::String(enabled(&[(
                    id.clone(),
                    DataValue::Text(n.to_string()),
                )])?)),
                (RegData::Sz(s), _, Some(id)) => Ok(OmaValue::String(enabled(&[(
                    id.clone(),
                    DataValue::Text(s.clone()),
                )])?)),
                _ => Err(fail("the catalog route does not fit the value")),
            }
        }
        Layout::ZoneDomains => Err(fail("the per-site ZoneMap layout has no MDM node")),
    }
}

/// The `<enabled/><data .../>` payload of a policy of the bundle's own ADMX: one `<data>`
/// per element, ids from the template (`admx::ids::element_id`).
fn admx_value(p: &template::Policy) -> Result<OmaValue, String> {
    let mut data = Vec::new();
    for e in &p.elements {
        match e {
            template::Element::List { id, entries, .. } => {
                data.push((id.clone(), DataValue::List(entries.clone())))
            }
            template::Element::Text { id, default, .. } => {
                data.push((id.clone(), DataValue::Text(default.clone())))
            }
        }
    }
    Ok(OmaValue::String(enabled(&data)?))
}

/// First source URL of a route, for the omaSetting description.
fn first_source(r: Option<&IntuneRoute>) -> String {
    r.and_then(|r| r.sources.first())
        .map(|s| s.url.clone())
        .unwrap_or_default()
}

/// Everything the Intune emitter writes, and what it leaves to the remediation.
pub struct Profiles {
    /// One profile per scope that has at least one OMA-URI setting.
    pub profiles: Vec<(Hive, Profile)>,
    /// The ADMX text ingested (only policies whose route is admx-ingest), if any.
    pub ingested_admx: Option<String>,
    /// Groups with no MDM route: (label, reason).
    pub no_route: Vec<(String, String)>,
    /// Vendor ADMX Apps the profiles rely on (must be ingested or built in).
    pub vendor_apps: Vec<String>,
}

/// Builds the profiles of a plan.
pub fn build(plan: &Plan, catalog: &Catalog) -> Result<Profiles, String> {
    let sc = settings_catalog::Routes::new(plan, catalog)?;
    build_from(plan, catalog, &template::build(plan, catalog)?, &sc)
}

/// [`build`] with the plan's ADMX template already built.
pub fn build_from(
    plan: &Plan,
    catalog: &Catalog,
    t: &template::Template,
    sc: &settings_catalog::Routes,
) -> Result<Profiles, String> {
    let b = &plan.bundle;
    // One route per value: what the Settings Catalog profile delivers stays out of this one.
    let mut in_catalog = Vec::new();
    let mut gs = groups(plan, catalog)?;
    gs.retain(|g| {
        let keep = !sc.in_settings_catalog(g);
        if !keep {
            in_catalog.push((g.hive, g.label()));
        }
        keep
    });
    let by_name: BTreeMap<&str, &template::Policy> =
        t.policies.iter().map(|p| (p.name.as_str(), p)).collect();

    // The ingested ADMX holds only the policies Intune accepts: a file with a refused
    // policy is refused as a whole (debay.blog, "Deep Dive - ADMX Ingestion", on
    // Office16.admx), and the others reach Intune by their own routes.
    let ingest: Vec<String> = gs
        .iter()
        .filter(|g| g.kind() == RouteKind::AdmxIngest)
        .map(|g| g.policy_name())
        .collect();
    let ingested_admx = if ingest.is_empty() {
        None
    } else {
        let mut it = t.clone();
        it.policies.retain(|p| ingest.contains(&p.name));
        Some(crate::emit::admx::render(&it)?)
    };
    let install = ingested_admx.as_ref().map(|x| {
        let app = app_name(&b.name);
        OmaSetting::new(
            format!("{}: ADMX ingestion ({app})", b.display_name),
            format!(
                "Ingests the administrative template of {} {} (only the policies Intune can ingest) as App {app}. Needed before the {app}~Policy~... settings.",
                b.name, b.version
            ),
            format!(
                "{ADMX_INSTALL}/{app}/Policy/{}",
                file_uid(&b.name, &b.version, x)
            ),
            OmaValue::String(x.clone()),
        )
    });

    let mut no_route = Vec::new();
    // The hive of each `no_route` entry: a profile's description names its own scope's.
    let mut no_route_hive: Vec<Hive> = Vec::new();
    let mut vendor_apps: Vec<String> = Vec::new();
    let mut per_hive: BTreeMap<Hive, Vec<OmaSetting>> = BTreeMap::new();
    let mut needs_install: BTreeMap<Hive, bool> = BTreeMap::new();
    for g in &gs {
        let r = g.route();
        let scope = uri_scope(g.hive);
        let product = catalog
            .products
            .get(&g.product)
            .map_or(g.product.clone(), |p| p.name.clone());
        let (uri, value, how) = match g.kind() {
            RouteKind::None => {
                no_route.push((g.label(), g.reason()));
                no_route_hive.push(g.hive);
                continue;
            }
            RouteKind::AdmxIngest => {
                let name = g.policy_name();
                let p = by_name
                    .get(name.as_str())
                    .ok_or_else(|| format!("{}: no ADMX policy {name}", g.label()))?;
                needs_install.insert(g.hive, true);
                (
                    format!(
                        "./{scope}/Vendor/MSFT/Policy/Config/{}/{name}",
                        admx_area(&b.name, &b.publisher)
                    ),
                    admx_value(p)?,
                    format!("policy {name} of the ingested bundle ADMX"),
                )
            }
            RouteKind::VendorAdmx => {
                let r = r.expect("vendor route");
                let app = r.vendor_app.clone().unwrap_or_default();
                if !vendor_apps.contains(&app) {
                    vendor_apps.push(app.clone());
                }
                (
                    format!(
                        "./{scope}/Vendor/MSFT/Policy/Config/{app}~Policy~{}/{}",
                        r.vendor_area.as_deref().unwrap_or_default(),
                        r.vendor_policy.as_deref().unwrap_or_default()
                    ),
                    node_value(g, r, catalog)?,
                    format!(
                        "{product}'s own ADMX, which must be ingested as App {app} (or be built in) first"
                    ),
                )
            }
            RouteKind::Csp => {
                let r = r.expect("csp route");
                let node = r.csp_uri.clone().unwrap_or_default();
                (
                    format!("./{scope}/Vendor/MSFT/Policy/Config/{node}"),
                    node_value(g, r, catalog)?,
                    format!("built-in Policy CSP {node}"),
                )
            }
        };
        let setting = OmaSetting::new(
            format!("{}: {} ({product})", g.entry.title, g.location),
            format!(
                "{}, {}: {}. Route: {how}. Source: {}",
                b.name,
                g.label(),
                g.location,
                first_source(r)
            ),
            uri,
            value,
        );
        per_hive.entry(g.hive).or_default().push(setting);
    }
    // `policy:` settings: the custom OMA-URI of the vendor's own ADMX (`vendor::route`),
    // or no route (the reason was found when the spec was checked).
    let mut apps_per_hive: BTreeMap<Hive, Vec<String>> = BTreeMap::new();
    for v in &plan.vendor {
        let label = format!("{} ({})", v.spec_path(), v.id);
        if sc.vendor_in_settings_catalog(&v.spec_path()) {
            in_catalog.push((v.hive, label));
            continue;
        }
        match &v.intune {
            Ok(i) => {
                if !vendor_apps.contains(&i.route.ingest.app) {
                    vendor_apps.push(i.route.ingest.app.clone());
                }
                let apps = apps_per_hive.entry(v.hive).or_default();
                if !apps.contains(&i.route.ingest.app) {
                    apps.push(i.route.ingest.app.clone());
                }
                per_hive.entry(v.hive).or_default().push(i.setting.clone());
            }
            Err(reason) => {
                no_route.push((label, reason.clone()));
                no_route_hive.push(v.hive);
            }
        }
    }
    // The spec's `intune_ingest_templates: true`: each vendor ADMX a profile relies on is
    // ingested by that profile first (read from the central store when the spec compiled).
    for (hive, settings) in per_hive.iter_mut() {
        let mut apps: Vec<String> = apps_per_hive.get(hive).cloned().unwrap_or_default();
        for g in gs
            .iter()
            .filter(|g| g.hive == *hive && g.kind() == RouteKind::VendorAdmx)
        {
            if let Some(app) = g.route().and_then(|r| r.vendor_app.clone()) {
                if !apps.contains(&app) {
                    apps.push(app);
                }
            }
        }
        let ingest: Vec<OmaSetting> = plan
            .vendor_ingest
            .iter()
            .filter(|(app, _)| apps.contains(app))
            .map(|(_, s)| s.clone())
            .collect();
        settings.splice(0..0, ingest);
    }

    let mut description = b.description.clone().unwrap_or_default();
    if !description.is_empty() {
        description.push(' ');
    }
    description.push_str(&format!(
        "Generated by policyc from {} {}.",
        b.name, b.version
    ));
    // Apps whose ADMX this bundle ingests itself (`intune_ingest_templates: true`) are no
    // prerequisite.
    let outside: Vec<&String> = vendor_apps
        .iter()
        .filter(|a| !plan.vendor_ingest.iter().any(|(app, _)| app == *a))
        .collect();
    if !outside.is_empty() {
        description.push_str(&format!(
            " Prerequisite: the vendor ADMX ingested as App {} (or built in).",
            outside
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if outside.len() < vendor_apps.len() {
        description
            .push_str(" The profiles ingest the vendor ADMX they rely on first (ADMXInstall).");
    }
    // What this scope's profile leaves to other routes, in the profile's description; the
    // first profile (device) also names a scope that has no profile of its own.
    let with_profile: Vec<Hive> = per_hive.keys().copied().collect();
    let names = move |hive: Hive, h: Hive| {
        h == hive || (!with_profile.contains(&h) && with_profile.first() == Some(&hive))
    };
    let elsewhere = |hive: Hive| {
        // " Not in this profile (WHERE): a; b." for the labels of this profile's scope.
        let list = |where_: &str, labels: Vec<&String>| {
            if labels.is_empty() {
                return String::new();
            }
            let names: Vec<&str> = labels.iter().map(|l| l.as_str()).collect();
            format!(" Not in this profile ({where_}): {}.", names.join("; "))
        };
        list(
            "delivered by the Settings Catalog profiles intune/settings-catalog/",
            in_catalog
                .iter()
                .filter(|(h, _)| names(hive, *h))
                .map(|(_, l)| l)
                .collect(),
        ) + &list(
            "no MDM route; delivered by the PowerShell remediation powershell/remediate.ps1",
            no_route
                .iter()
                .zip(&no_route_hive)
                .filter(|(_, h)| names(hive, **h))
                .map(|((l, _), _)| l)
                .collect(),
        )
    };

    let mut profiles = Vec::new();
    for (hive, mut settings) in per_hive {
        if needs_install.get(&hive).copied().unwrap_or(false) {
            // Ingestion is a device node; a user profile carries the same node and value
            // so its ./User policies never depend on another profile's assignment.
            settings.insert(0, install.clone().expect("ingested ADMX"));
        }
        if settings.len() > MAX_OMA_SETTINGS {
            return Err(format!(
                "the {} profile needs {} OMA-URI settings; Graph allows at most {MAX_OMA_SETTINGS} per profile",
                scope_word(hive),
                settings.len()
            ));
        }
        profiles.push((
            hive,
            Profile {
                odata_type: PROFILE_TYPE,
                display_name: format!("{} ({})", b.display_name, scope_word(hive)),
                description: format!("{description}{}", elsewhere(hive)),
                oma_settings: settings,
            },
        ));
    }
    Ok(Profiles {
        profiles,
        ingested_admx,
        no_route,
        vendor_apps,
    })
}

/// The build's notes about Intune: each setting the profiles leave to the PowerShell
/// remediation (`intune-no-route`), and each vendor ADMX the profiles rely on
/// (`intune-vendor-admx`). For `policyc::compile` to add after the plan; `file` is the
/// spec's file name.
pub fn notes(plan: &crate::emit::Input, catalog: &Catalog, file: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Ok(mut gs) = groups(plan, catalog) else {
        return out;
    };
    // Values the Settings Catalog profile delivers have their own note
    // (`settings_catalog::notes`), and no OMA-URI payload.
    let sc = plan.routes().ok();
    if let Some(sc) = sc {
        gs.retain(|g| !sc.in_settings_catalog(g));
    }
    // What no OMA-URI payload can carry (U+F000 in a list entry) fails the build here,
    // with the spec path, rather than later in the emitter. XML-forbidden characters are
    // reported once, by the ADMX pre-flight.
    for g in &gs {
        let bad = g.ops.iter().find_map(|o| match &o.action {
            Action::Set {
                name,
                data: RegData::Sz(v),
            } if o.key.eq_ignore_ascii_case(&main_key(g, catalog)) => [name, v]
                .into_iter()
                .find(|s| s.contains('\u{F000}'))
                .cloned(),
            _ => None,
        });
        let is_list = matches!(g.loc.layout, Layout::NumberedList | Layout::ZoneAssignments);
        if let (Some(s), true, false) = (bad, is_list, g.kind() == RouteKind::None) {
            out.push(
                Diagnostic::new(
                    diag::INTUNE_UNREPRESENTABLE,
                    format!(
                        "{}: `{s}` holds U+F000, the separator of OMA-URI list payloads, so Intune would split it",
                        g.label()
                    ),
                )
                .file(file)
                .path(&g.spec_path)
                .hint("remove the U+F000 character (a private-use character no site or origin needs)"),
            );
        }
    }
    // `policy:` settings: their custom OMA-URI route, or why there is none (those the
    // Settings Catalog profile delivers are noted by `settings_catalog::notes`).
    for v in &plan.vendor {
        if sc
            .as_ref()
            .is_some_and(|r| r.vendor_in_settings_catalog(&v.spec_path()))
        {
            continue;
        }
        let d = match &v.intune {
            Ok(i) => Diagnostic::new(
                diag::INTUNE_CUSTOM_PROFILE,
                format!(
                    "{} ({}) goes by the custom profile intune/{}.json{}: {}",
                    v.spec_path(),
                    v.id,
                    scope_word(v.hive),
                    match plan.intune.profile {
                        settings_catalog::ProfileChoice::Custom =>
                            " (the spec chose `intune_profile: custom`)",
                        settings_catalog::ProfileChoice::SettingsCatalog =>
                            " (its policy has no Settings Catalog definition in the definitions in use)",
                    },
                    i.route.describe()
                ),
            )
            .hint(if plan.vendor_ingest.iter().any(|(a, _)| *a == i.route.ingest.app) {
                "the profile ingests the template first (intune_ingest_templates: true)".to_string()
            } else {
                format!(
                    "ingest {} as App {} first, or set `intune_ingest_templates: true` with `templates:` so the profile does",
                    i.route.ingest.file, i.route.ingest.app
                )
            }),
            Err(reason) => Diagnostic::new(
                diag::INTUNE_NO_ROUTE,
                format!(
                    "{} ({}) has no Intune MDM route ({reason}); the Intune profile leaves it out and powershell/remediate.ps1 delivers it",
                    v.spec_path(),
                    v.id
                ),
            )
            .hint("deploy powershell/detect.ps1 and remediate.ps1 as an Intune Remediation alongside the intune/*.json profiles"),
        };
        out.push(d.file(file).path(v.spec_path()));
    }
    let mut vendor_seen: Vec<String> = Vec::new();
    for g in &gs {
        match g.kind() {
            RouteKind::None => out.push(
                Diagnostic::new(
                    diag::INTUNE_NO_ROUTE,
                    format!(
                        "{} has no Intune MDM route ({}); the Intune profile leaves it out and powershell/remediate.ps1 delivers it",
                        g.label(),
                        g.reason()
                    ),
                )
                .file(file)
                .path(&g.spec_path)
                .hint("deploy powershell/detect.ps1 and remediate.ps1 as an Intune Remediation alongside the intune/*.json profiles"),
            ),
            RouteKind::VendorAdmx => {
                let r = g.route().expect("vendor route");
                let app = r.vendor_app.clone().unwrap_or_default();
                if vendor_seen.contains(&app) {
                    continue;
                }
                vendor_seen.push(app.clone());
                out.push(
                    Diagnostic::new(
                        diag::INTUNE_VENDOR_ADMX,
                        format!(
                            "the Intune profile sets {} policies through the vendor's ADMX ingested as App `{app}` (first: {})",
                            g.product,
                            g.label()
                        ),
                    )
                    .file(file)
                    .path(&g.spec_path)
                    .hint(format!(
                        "ingest the vendor's ADMX first with the OMA-URI {ADMX_INSTALL}/{app}/Policy/<id> ({})",
                        first_source(Some(r))
                    )),
                );
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_escaping_and_lists() {
        assert_eq!(
            xml_attr(r#"a&b<c>"d'"#).unwrap(),
            "a&amp;b&lt;c&gt;&quot;d&apos;"
        );
        assert!(xml_attr("\u{FFFE}").is_err());
        let entries = vec![
            ("1".to_string(), "https://a".to_string()),
            ("2".to_string(), "x\"/><data id=\"y".to_string()),
        ];
        let v = list_value(&entries).unwrap();
        assert_eq!(
            v,
            "1&#xF000;https://a&#xF000;2&#xF000;x&quot;/&gt;&lt;data id=&quot;y"
        );
        assert!(list_value(&[("1".into(), "a\u{F000}b".into())]).is_err());
        assert_eq!(
            enabled(&[("L".into(), DataValue::List(entries))]).unwrap(),
            format!("<enabled/><data id=\"L\" value=\"{v}\"/>")
        );
        assert_eq!(
            enabled(&[("T".into(), DataValue::Text("a\"/><x".into()))]).unwrap(),
            "<enabled/><data id=\"T\" value=\"a&quot;/&gt;&lt;x\"/>"
        );
    }

    #[test]
    fn ids_are_uri_segments() {
        assert_eq!(
            app_name("nhs-credential-management"),
            "PolicycNhsCredentialManagement"
        );
        assert_eq!(
            admx_area("nhs-credential-management", "Example NHS Trust"),
            "PolicycNhsCredentialManagement~Policy~Cat_ExampleNHSTrust~Cat_NhsCredentialManagement"
        );
        let a = file_uid("n", "1.0.0", "<x/>");
        assert_eq!(a, file_uid("n", "1.0.0", "<x/>"));
        assert_ne!(a, file_uid("n", "1.0.1", "<x/>"));
        assert_ne!(a, file_uid("n", "1.0.0", "<y/>"));
        assert!(route::uri_segment_ok(&a) && a.len() == 32);
    }
}
