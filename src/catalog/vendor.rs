//! The vendor template policy behind a curated registry location (`vendor:` on a
//! location in `policies/*.yaml`): which ADMX policy of which vendor file defines the
//! same registry value, with its category path and element id. The curated catalog
//! keeps working with no central store; these records say which vendor policy GPMC
//! shows the value under, and [`VendorPolicy::check_against`] checks each fact against
//! the vendor's own file (`tests/catalog_vendor.rs` runs it on a real central store).

use super::{Entry, Layout, Location, Product, Scope, Source};
use crate::admx::reader::{Admx, Element, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorPolicy {
    /// The location's products this vendor policy is for (Chrome and Edge share a
    /// location but not a template).
    pub products: Vec<String>,
    /// `<target namespace>:<policy name>`, e.g. `Google.Policies.Chrome:AuthServerAllowlist`.
    pub policy: String,
    /// The ADMX file that defines it in a central store, e.g. `chrome.admx`.
    pub file: String,
    /// The category path inside that file from its root category, `~`-joined, as
    /// Intune's ADMX-backed OMA-URIs spell it (`microsoft_edge~Network`).
    pub category: String,
    /// The id of the element that carries the value (a `list` or `text` element); absent
    /// when the policy's own `valueName` with `enabledValue`/`disabledValue` carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// Template versions in which these facts were read (the Chrome/Edge version the
    /// file names, or the file's `revision` for Windows templates).
    pub versions_seen: Vec<String>,
    pub sources: Vec<Source>,
}

impl VendorPolicy {
    /// `(namespace, name)`.
    pub fn split(&self) -> Option<(&str, &str)> {
        self.policy
            .split_once(':')
            .filter(|(n, p)| !n.is_empty() && !p.is_empty())
    }

    /// Catalog consistency (run when the catalog loads): the reference is well formed,
    /// covers only the location's products, and any vendor-admx Intune route for the
    /// same product names the same policy, category path and element.
    pub fn check(&self, loc: &Location) -> Result<(), String> {
        let (_, name) = self
            .split()
            .ok_or_else(|| format!("vendor policy `{}` is not NAMESPACE:NAME", self.policy))?;
        if self.products.is_empty() || self.products.iter().any(|p| !loc.products.contains(p)) {
            return Err(format!(
                "vendor policy {}: products must be some of the location's",
                self.policy
            ));
        }
        if self.versions_seen.is_empty() || self.sources.is_empty() || self.category.is_empty() {
            return Err(format!(
                "vendor policy {}: needs category, versions_seen and sources",
                self.policy
            ));
        }
        for r in &loc.intune {
            if r.route != crate::intune::route::RouteKind::VendorAdmx
                || !r.products.iter().any(|p| self.products.contains(p))
            {
                continue;
            }
            let same = r.vendor_policy.as_deref() == Some(name)
                && r.vendor_area.as_deref() == Some(self.category.as_str())
                && r.data_id == self.element;
            if !same {
                return Err(format!(
                    "the vendor-admx route disagrees with vendor policy {} (category {}, element {:?})",
                    self.policy, self.category, self.element
                ));
            }
        }
        Ok(())
    }

    /// Compares every fact of this record, and of the location it belongs to, with the
    /// vendor's ADMX file: namespace, policy, class versus the entry's scopes, key and
    /// value name (spelt exactly: vendors' keys are compared case-sensitively by some
    /// clients), registry type, list layout, category path and element id. Returns
    /// one message per disagreement.
    pub fn check_against(
        &self,
        entry: &Entry,
        loc: &Location,
        product: &Product,
        admx: &Admx,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let Some((ns, name)) = self.split() else {
            return vec![format!("`{}` is not NAMESPACE:NAME", self.policy)];
        };
        if admx.target.namespace != ns {
            out.push(format!(
                "{}: the file's target namespace is {}",
                self.file, admx.target.namespace
            ));
        }
        let Some(p) = admx.policies.iter().find(|p| p.name == name) else {
            out.push(format!("{}: no policy named {name}", self.file));
            return out;
        };
        let class_ok = match p.class.as_str() {
            "Both" => true,
            "Machine" => entry.scopes == [Scope::Machine],
            "User" => entry.scopes == [Scope::User],
            _ => false,
        };
        if !class_ok {
            out.push(format!(
                "{name}: class {} does not cover scopes {:?}",
                p.class, entry.scopes
            ));
        }
        let key = loc
            .key
            .replace("{policy_key}", product.policy_key.as_deref().unwrap_or(""));
        let path = category_path(admx, p.parent_category.as_deref());
        if path != self.category {
            out.push(format!(
                "{name}: category path is {path}, the catalog says {}",
                self.category
            ));
        }
        let element = self
            .element
            .as_deref()
            .map(|id| p.elements.iter().find(|e| e.id == id));
        if let Some(None) = element {
            out.push(format!(
                "{name}: no element {:?}",
                self.element.as_deref().unwrap_or_default()
            ));
        }
        let element: Option<&Element> = element.flatten();
        let sz = |e: &Element| !e.flag("expandable") && loc.reg_type == crate::reg::RegType::Sz;
        match loc.layout {
            Layout::NumberedList => match element {
                Some(e) if e.kind == "list" => {
                    if e.attr("key") != Some(key.as_str()) {
                        out.push(format!(
                            "{name}: list key is {:?}, the catalog writes {key}",
                            e.attr("key")
                        ));
                    }
                    if e.attr("valuePrefix") != Some("") || e.flag("explicitValue") {
                        out.push(format!(
                            "{name}: the list is not numbered 1, 2, ... (valuePrefix=\"\")"
                        ));
                    }
                    if e.flag("additive") {
                        out.push(format!(
                            "{name}: the list is additive; the catalog resets it"
                        ));
                    }
                    if !sz(e) {
                        out.push(format!("{name}: list values are not REG_SZ"));
                    }
                }
                _ => out.push(format!("{name}: a numbered list needs a <list> element")),
            },
            Layout::ZoneAssignments => match element {
                Some(e) if e.kind == "list" => {
                    if e.attr("key") != Some(key.as_str()) {
                        out.push(format!(
                            "{name}: list key is {:?}, the catalog writes {key}",
                            e.attr("key")
                        ));
                    }
                    if !e.flag("explicitValue") || !e.flag("additive") {
                        out.push(format!(
                            "{name}: the list is not explicitValue and additive"
                        ));
                    }
                    if loc.client_extension.as_deref() != e.attr("clientExtension") {
                        out.push(format!(
                            "{name}: clientExtension is {:?}",
                            e.attr("clientExtension")
                        ));
                    }
                    if !sz(e) {
                        out.push(format!("{name}: list values are not REG_SZ"));
                    }
                }
                _ => out.push(format!("{name}: a zone list needs a <list> element")),
            },
            Layout::JoinedList | Layout::Value => match element {
                Some(e) => {
                    let ekey = e.attr("key").unwrap_or(&p.key);
                    if ekey != key || e.attr("valueName") != loc.value.as_deref() {
                        out.push(format!(
                            "{name}: element {} writes {ekey} {:?}, the catalog writes {key} {:?}",
                            e.id,
                            e.attr("valueName"),
                            loc.value
                        ));
                    }
                    let kind_ok = match loc.reg_type {
                        crate::reg::RegType::Sz => e.kind == "text" && sz(e),
                        crate::reg::RegType::Dword => e.kind == "decimal" && !e.flag("storeAsText"),
                        _ => false,
                    };
                    if !kind_ok {
                        out.push(format!(
                            "{name}: element <{}> does not write {:?}",
                            e.kind, loc.reg_type
                        ));
                    }
                }
                None => {
                    if p.key != key || p.value_name.as_deref() != loc.value.as_deref() {
                        out.push(format!(
                            "{name}: writes {} {:?}, the catalog writes {key} {:?}",
                            p.key, p.value_name, loc.value
                        ));
                    }
                    let bool_dword = entry.value.kind == super::ValueKind::Bool
                        && loc.reg_type == crate::reg::RegType::Dword;
                    let states = p.enabled_value == Some(Value::Decimal(1))
                        && p.disabled_value == Some(Value::Decimal(0));
                    if !(bool_dword && states) {
                        out.push(format!(
                            "{name}: enabled/disabled values are {:?}/{:?}, not the DWORD 1/0 of a bool",
                            p.enabled_value, p.disabled_value
                        ));
                    }
                }
            },
            Layout::ZoneDomains => out.push(format!(
                "{name}: the per-site ZoneMap preference is no policy"
            )),
        }
        // Values the location writes beside its own must be the policy's own value.
        for f in &loc.also {
            let ok = p.key == f.key
                && p.value_name.as_deref() == Some(f.value.as_str())
                && p.enabled_value == Some(Value::Decimal(f.data));
            if !ok {
                out.push(format!(
                    "{name}: `also` {} {} = {} is not the policy's enabled value ({} {:?} {:?})",
                    f.key, f.value, f.data, p.key, p.value_name, p.enabled_value
                ));
            }
        }
        out
    }
}

/// The `~`-joined category path from the file's root category down to `leaf`,
/// stopping at a parent in another file (a `prefix:` reference or one not defined here).
pub fn category_path(admx: &Admx, leaf: Option<&str>) -> String {
    let by_name: BTreeMap<&str, Option<&str>> = admx
        .categories
        .iter()
        .map(|c| (c.name.as_str(), c.parent.as_deref()))
        .collect();
    let mut path = Vec::new();
    let mut cur = leaf;
    while let Some(c) = cur {
        if c.contains(':') || path.len() > 64 {
            break;
        }
        let Some(parent) = by_name.get(c) else { break };
        path.push(c);
        cur = *parent;
    }
    path.reverse();
    path.join("~")
}
