//! The Intune route of a catalog location: catalog data (`intune:` on a registry
//! location in `policies/*.yaml`), never a special case in code. Four routes:
//!
//! - `admx-ingest`: the bundle's own ADMX, ingested through
//!   `./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/{App}/Policy/{FileUid}`, then the
//!   policy set at `./{Device|User}/Vendor/MSFT/Policy/Config/{App}~Policy~{category path}/{policy}`
//!   (https://learn.microsoft.com/en-us/windows/client-management/win32-and-centennial-app-policy-configuration).
//!   Only where ingestion is allowed: not within `System`, `Software\Microsoft` or
//!   `Software\Policies\Microsoft` (same page; `intune::ingestion::blocked_root`).
//! - `vendor-admx`: the vendor's own ADMX (Microsoft Edge's msedge.admx), which must be
//!   ingested under `vendor_app` first, or be built in
//!   (https://learn.microsoft.com/en-us/deployedge/configure-edge-with-mdm).
//! - `csp`: a built-in Policy CSP node, e.g. `InternetExplorer/IncludeAllLocalSites`
//!   (https://learn.microsoft.com/en-us/windows/client-management/mdm/policy-csp-internetexplorer).
//! - `none`: no MDM route; the PowerShell remediation delivers the value and the build
//!   says so (`intune-no-route`).

use crate::catalog::{Entry, Layout, Location, Product, Source, ValueKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteKind {
    AdmxIngest,
    VendorAdmx,
    Csp,
    None,
}

/// The OMA-URI data format of a Policy CSP node: `chr` (a string; every ADMX-backed
/// node, whose payload is `<enabled/>`/`<data .../>` XML) or `int` (a native integer
/// node). Graph: `omaSettingString` vs `omaSettingInteger`; a decimal sent as a string
/// to an `int` node is refused by the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CspFormat {
    Chr,
    Int,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntuneRoute {
    /// The location's products this route is for (Chrome and Edge share a location but
    /// not a route).
    pub products: Vec<String>,
    pub route: RouteKind,
    /// csp: the node below `./{Device|User}/Vendor/MSFT/Policy/Config/`, `Area/Policy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csp_uri: Option<String>,
    /// csp: the node's format (the Learn page's "Format" row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<CspFormat>,
    /// vendor-admx: the `{AppName}` the vendor ADMX is ingested under (`Edge` in Microsoft's doc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_app: Option<String>,
    /// vendor-admx: the category path from the vendor ADMX's root, `~`-joined
    /// (`microsoft_edge~HTTPAuthentication`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_area: Option<String>,
    /// vendor-admx: the policy `name` in the vendor ADMX.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_policy: Option<String>,
    /// csp / vendor-admx: the element id the `<data id="...">` payload names (a `list` or
    /// `text` element of the ADMX behind the node). Absent for a policy with no elements,
    /// whose payload is `<enabled/>` or `<disabled/>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_id: Option<String>,
    /// none: why there is no MDM route (shown in the note, the profile description and the README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub sources: Vec<Source>,
}

impl IntuneRoute {
    /// How Intune delivers the value, in words, for `check`'s notes (`user`: User scope).
    pub fn describe(&self, user: bool) -> String {
        let scope = if user { "User" } else { "Device" };
        match self.route {
            RouteKind::Csp => {
                let node = self.csp_uri.as_deref().unwrap_or_default();
                let data = self.data_id.as_deref().map_or(String::new(), |d| format!(", data id {d}"));
                format!("use the built-in Policy CSP {node} (./{scope}/Vendor/MSFT/Policy/Config/{node}{data})")
            }
            RouteKind::VendorAdmx => format!(
                "use the vendor's template ingested as App `{}` ({}/{}); the intune/ profile does so",
                self.vendor_app.as_deref().unwrap_or_default(),
                self.vendor_area.as_deref().unwrap_or_default(),
                self.vendor_policy.as_deref().unwrap_or_default()
            ),
            RouteKind::AdmxIngest => "ingest the bundle's ADMX; the intune/ profile does so".to_string(),
            RouteKind::None => format!(
                "there is no MDM route ({}); powershell/remediate.ps1 delivers it",
                self.reason.as_deref().unwrap_or("none documented")
            ),
        }
    }
}

/// A name safe as one OMA-URI segment: ASCII letters, digits and `_` (debay.blog's
/// ADMX ingestion write-up advises exactly this set for LocURI segments).
pub fn uri_segment_ok(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A location's routes cover each of its products exactly once (or the list is empty:
/// no route known), and each route is consistent.
pub fn check_location(
    entry: &Entry,
    loc: &Location,
    products: &BTreeMap<String, Product>,
) -> Result<(), String> {
    if loc.intune.is_empty() {
        return Ok(());
    }
    for p in &loc.products {
        let n = loc.intune.iter().filter(|r| r.products.contains(p)).count();
        if n != 1 {
            return Err(format!("product {p} has {n} routes; give it exactly one"));
        }
    }
    for r in &loc.intune {
        if let Some(p) = r.products.iter().find(|p| !loc.products.contains(p)) {
            return Err(format!(
                "a route names product {p}, which the location does not write"
            ));
        }
        r.check(entry, loc, products)?;
    }
    Ok(())
}

impl IntuneRoute {
    /// Catalog consistency rules for a location's route (run by `Entry::check`).
    pub fn check(
        &self,
        entry: &Entry,
        loc: &Location,
        products: &BTreeMap<String, Product>,
    ) -> Result<(), String> {
        if self.sources.is_empty() {
            return Err("a route needs sources".into());
        }
        let csp = self.csp_uri.is_some() || self.format.is_some();
        let vendor =
            self.vendor_app.is_some() || self.vendor_area.is_some() || self.vendor_policy.is_some();
        let is_list = matches!(loc.layout, Layout::NumberedList | Layout::ZoneAssignments);
        match self.route {
            RouteKind::Csp => {
                let uri = self.csp_uri.as_deref().ok_or("csp needs csp_uri")?;
                let parts: Vec<&str> = uri.split('/').collect();
                if parts.len() != 2 || !parts.iter().all(|p| uri_segment_ok(p)) {
                    return Err(format!("csp_uri `{uri}` is not `Area/Policy`"));
                }
                let format = self.format.ok_or("csp needs format (chr or int)")?;
                if vendor || self.reason.is_some() {
                    return Err("csp takes csp_uri, format, data_id and sources only".into());
                }
                if format == CspFormat::Int
                    && (is_list
                        || self.data_id.is_some()
                        || !matches!(entry.value.kind, ValueKind::Bool | ValueKind::Dword))
                {
                    return Err("an int node takes a bool or dword value and no data_id".into());
                }
            }
            RouteKind::VendorAdmx => {
                for (what, v) in [
                    ("vendor_app", &self.vendor_app),
                    ("vendor_policy", &self.vendor_policy),
                ] {
                    if !v.as_deref().is_some_and(uri_segment_ok) {
                        return Err(format!("vendor-admx needs {what} (letters, digits, _)"));
                    }
                }
                let area = self
                    .vendor_area
                    .as_deref()
                    .ok_or("vendor-admx needs vendor_area")?;
                if !area.split('~').all(uri_segment_ok) {
                    return Err(format!(
                        "vendor_area `{area}` is not `~`-joined category names"
                    ));
                }
                if csp || self.reason.is_some() {
                    return Err("vendor-admx takes vendor_*, data_id and sources only".into());
                }
            }
            RouteKind::AdmxIngest => {
                if csp || vendor || self.data_id.is_some() || self.reason.is_some() {
                    return Err("admx-ingest takes sources only (ids come from admx::ids)".into());
                }
                // Every key the location writes, for every product, must be ingestible.
                let mut keys: Vec<String> = Vec::new();
                for p in &self.products {
                    let pk = products
                        .get(p)
                        .and_then(|p| p.policy_key.as_deref())
                        .unwrap_or("");
                    keys.push(loc.key.replace("{policy_key}", pk));
                }
                keys.extend(loc.also.iter().map(|f| f.key.clone()));
                if let Some((k, root)) = keys
                    .iter()
                    .find_map(|k| crate::intune::ingestion::blocked_root(k).map(|r| (k, r)))
                {
                    return Err(format!(
                        "admx-ingest, but `{k}` is within `{root}`, where Intune refuses ingested ADMX policies"
                    ));
                }
                if loc.layout == Layout::ZoneDomains {
                    return Err("admx-ingest cannot carry the per-site ZoneMap layout".into());
                }
            }
            RouteKind::None => {
                if csp || vendor || self.data_id.is_some() {
                    return Err("none takes reason and sources only".into());
                }
                if self.reason.as_deref().is_none_or(str::is_empty) {
                    return Err("none needs a reason".into());
                }
            }
        }
        if matches!(self.route, RouteKind::Csp | RouteKind::VendorAdmx) {
            if loc.layout == Layout::ZoneDomains {
                return Err("the per-site ZoneMap layout has no ADMX-backed node".into());
            }
            let needs_data = is_list
                || loc.layout == Layout::JoinedList
                || matches!(entry.value.kind, ValueKind::String | ValueKind::Dword);
            let int = self.format == Some(CspFormat::Int);
            if !int && needs_data != self.data_id.is_some() {
                return Err(
                    "data_id is required exactly for list, string and dword values (bools are <enabled/>/<disabled/>)"
                        .into(),
                );
            }
            if let Some(id) = &self.data_id {
                if !uri_segment_ok(id) {
                    return Err(format!("data_id `{id}` is not an ADMX element id"));
                }
            }
        }
        Ok(())
    }
}
