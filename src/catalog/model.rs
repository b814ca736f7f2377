//! Catalog data types. Every field is data read from `policies/*.yaml`.

use crate::reg::RegType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Machine,
    User,
}

impl Scope {
    /// The scope that writes `hive` (HKLM machine, HKCU user).
    pub fn of(hive: crate::reg::Hive) -> Scope {
        match hive {
            crate::reg::Hive::Hklm => Scope::Machine,
            crate::reg::Hive::Hkcu => Scope::User,
        }
    }
    pub fn hive(self) -> crate::reg::Hive {
        match self {
            Scope::Machine => crate::reg::Hive::Hklm,
            Scope::User => crate::reg::Hive::Hkcu,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Machine => "machine",
            Scope::User => "user",
        }
    }
}

/// Windows settings exist as a Group Policy value (under `Software\Policies`) and
/// as the preference the control panel writes; they can differ in name and place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    Policy,
    Preference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductKind {
    /// Listed in a spec's `products:`; browser settings are written once per browser.
    Browser,
    /// Windows itself.
    Os,
    /// Other software that reads a registry value (smartcard middleware, NHS clients).
    Software,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub kind: ProductKind,
    /// Registry key (no hive) under which the product reads mandatory policy.
    #[serde(default)]
    pub policy_key: Option<String>,
    /// How the vendor documents ingesting its own ADMX into Intune (App, file id), for
    /// custom OMA-URI routes of any of its policies (`intune::vendor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intune_admx: Option<crate::intune::vendor::AdmxApp>,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub url: String,
    /// What the source says, or which part of it backs the fact.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueKind {
    Bool,
    Dword,
    String,
    StringList,
    /// site -> zone (intranet, trusted, internet, restricted).
    ZoneMap,
}

/// How each item of a list value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// Chromium URL pattern restricted to an origin (no path); http only for loopback.
    LnaOrigin,
    /// Chromium content-settings pattern, or a `first,second` pair of them.
    CookiePattern,
    /// A server name pattern for Chromium's AuthServerAllowlist.
    AuthServer,
    /// A Site to Zone Assignment List entry (host, optional scheme, or IP).
    ZoneSite,
    /// A certificate issuer name such as `CN=NHS Level 1C, OU=CA, O=nhs`.
    CertificateIssuer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    #[serde(rename = "type")]
    pub kind: ValueKind,
    #[serde(default)]
    pub items: Option<ItemKind>,
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
}

/// How a value is laid out in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// One value: bool as DWORD 0/1, dword, or string.
    Value,
    /// A string list joined with `separator` into one REG_SZ.
    JoinedList,
    /// Chromium list policy: the key is reset, then values `1`, `2`, ... (REG_SZ).
    NumberedList,
    /// Site to Zone Assignment List: value name = site, REG_SZ data = zone number.
    /// Additive (the ADMX says `additive="true"`): the key is not reset.
    ZoneAssignments,
    /// Per-site preference: `<key>\<host>` with a DWORD named after the scheme (`*` for any).
    ZoneDomains,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedValue {
    pub key: String,
    pub value: String,
    #[serde(rename = "type")]
    pub reg_type: RegType,
    pub data: u32,
    /// A switch other policy writers rely on too, which the rollback files leave in place
    /// (`shared: true`): the Site to Zone Assignment List's `ListBox_Support_ZoneMapKey`
    /// turns on the whole list, whose entries are additive across GPOs (inetres.admx
    /// `IZ_Zonemaps`), so deleting it would drop sites the bundle never wrote.
    #[serde(default)]
    pub shared: bool,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Superseded {
    /// The location (by `name`) that takes over.
    pub by: String,
    /// What `by` does to this location, as its vendor says, for the `left-out` note
    /// (e.g. "takes precedence over it for requests to the local device"); "replaces it"
    /// when absent.
    #[serde(default)]
    pub how: Option<String>,
    /// Product -> first version where `by` takes over.
    pub from: BTreeMap<String, u32>,
    pub sources: Vec<Source>,
}

/// The client versions an entry is needed for, e.g. Smartcard Connect `-3.13.5.0`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    /// A product id of kind `software`, named in a spec's `clients:`.
    pub client: String,
    /// `A-B`, `A-` or `-B`, dotted versions, both ends included.
    pub versions: String,
    pub sources: Vec<Source>,
}

/// A dotted version compared with missing parts as 0 (`3.13` = `3.13.0.0`).
pub fn parse_version(s: &str) -> Option<[u32; 4]> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut v = [0u32; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        v[i] = p.parse().ok()?;
    }
    Some(v)
}

/// Inclusive version bounds; `None` is open.
pub type VersionRange = (Option<[u32; 4]>, Option<[u32; 4]>);

/// Parses `A-B`, `A-`, `-B` into inclusive bounds.
pub fn parse_range(s: &str) -> Option<VersionRange> {
    let (a, b) = s.split_once('-')?;
    let lo = if a.is_empty() {
        None
    } else {
        Some(parse_version(a)?)
    };
    let hi = if b.is_empty() {
        None
    } else {
        Some(parse_version(b)?)
    };
    (lo.is_some() || hi.is_some()).then_some((lo, hi))
}

/// A catalog range (`-3.13.5.0`, `140-`, `1.0-2.0`) in words: "up to 3.13.5.0",
/// "140 and later", "1.0 to 2.0". A string that is not a range is returned as it is.
pub fn range_words(s: &str) -> String {
    match s.split_once('-') {
        Some(("", hi)) if !hi.is_empty() => format!("up to {hi}"),
        Some((lo, "")) if !lo.is_empty() => format!("{lo} and later"),
        Some((lo, hi)) if !lo.is_empty() && !hi.is_empty() => format!("{lo} to {hi}"),
        _ => s.to_string(),
    }
}

pub fn in_range(v: [u32; 4], range: VersionRange) -> bool {
    range.0.is_none_or(|lo| v >= lo) && range.1.is_none_or(|hi| v <= hi)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Vendor name of this registry form (a Chromium policy name, an ADMX policy name).
    pub name: String,
    pub products: Vec<String>,
    #[serde(default)]
    pub form: Option<Form>,
    /// Key without hive; `{policy_key}` is replaced by the product's policy key.
    pub key: String,
    /// Value name, for `value` and `joined-list` layouts.
    #[serde(default)]
    pub value: Option<String>,
    pub layout: Layout,
    #[serde(rename = "type")]
    pub reg_type: RegType,
    #[serde(default)]
    pub separator: Option<String>,
    /// Product -> supported versions, Chromium style (`139-`, `140-145`).
    #[serde(default)]
    pub versions: BTreeMap<String, String>,
    /// From these product versions another location of the same entry does this
    /// location's job, so a spec whose oldest browser is at least that version
    /// leaves this one out.
    #[serde(default)]
    pub superseded: Option<Superseded>,
    /// Scopes this location exists in (default: all of the entry's scopes); e.g. a
    /// preference key that differs between HKLM and HKCU.
    #[serde(default)]
    pub scopes: Option<Vec<Scope>>,
    /// Group Policy client-side extension GUID that must process this location, beyond
    /// the registry extension (e.g. IE Zonemapping for the Site to Zone Assignment List).
    #[serde(default)]
    pub client_extension: Option<String>,
    /// Values the form needs besides the setting's own (e.g. the switch that turns
    /// the Site to Zone Assignment List on).
    #[serde(default)]
    pub also: Vec<FixedValue>,
    /// How Intune delivers this location, per product (`src/intune/route.rs`: admx-ingest,
    /// vendor-admx, csp or none, with sources). Empty means no MDM route is known.
    #[serde(default)]
    pub intune: Vec<crate::intune::route::IntuneRoute>,
    /// The vendor template policies that define this registry value, per product
    /// (`catalog::vendor`). Empty when no vendor template defines it.
    #[serde(default)]
    pub vendor: Vec<super::VendorPolicy>,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub description: String,
    pub value: ValueSpec,
    pub scopes: Vec<Scope>,
    pub default_scope: Scope,
    #[serde(default)]
    pub default_form: Option<Form>,
    pub registry: Vec<Location>,
    /// Set when the entry is needed only for some versions of a client.
    #[serde(default)]
    pub applies_to: Option<AppliesTo>,
    pub sources: Vec<Source>,
    /// What could not be confirmed from a primary source; shown by `policyc catalog`.
    #[serde(default)]
    pub unconfirmed: Vec<String>,
}

impl Entry {
    /// Consistency rules a catalog file must meet; run when the catalog loads.
    pub fn check(&self, products: &BTreeMap<String, Product>) -> Result<(), String> {
        if !self.scopes.contains(&self.default_scope) {
            return Err("default_scope is not one of scopes".into());
        }
        if self.registry.is_empty() {
            return Err("no registry locations".into());
        }
        let list = matches!(self.value.kind, ValueKind::StringList | ValueKind::ZoneMap);
        if list != self.value.items.is_some() {
            return Err("`items` is required for list values and only for them".into());
        }
        if let Some(a) = &self.applies_to {
            let ok = products
                .get(&a.client)
                .is_some_and(|p| p.kind == ProductKind::Software);
            if !ok || parse_range(&a.versions).is_none() || a.sources.is_empty() {
                return Err(
                    "applies_to needs a software product, a version range and sources".into(),
                );
            }
        }
        let has_forms = self.registry.iter().any(|l| l.form.is_some());
        if has_forms != self.default_form.is_some() {
            return Err("default_form is required exactly when locations have a form".into());
        }
        for l in &self.registry {
            if l.products.is_empty() {
                return Err(format!("location {} lists no products", l.name));
            }
            for p in &l.products {
                let prod = products
                    .get(p)
                    .ok_or_else(|| format!("location {}: unknown product {p}", l.name))?;
                if l.key.contains("{policy_key}") && prod.policy_key.is_none() {
                    return Err(format!(
                        "location {}: product {p} has no policy_key",
                        l.name
                    ));
                }
            }
            let needs_value = matches!(l.layout, Layout::Value | Layout::JoinedList);
            if needs_value != l.value.is_some() {
                return Err(format!(
                    "location {}: `value` is required exactly for value and joined-list layouts",
                    l.name
                ));
            }
            if (l.layout == Layout::JoinedList) != l.separator.is_some() {
                return Err(format!(
                    "location {}: `separator` is required exactly for joined-list",
                    l.name
                ));
            }
            let fits = match l.layout {
                Layout::Value => match self.value.kind {
                    ValueKind::Bool | ValueKind::Dword => l.reg_type == RegType::Dword,
                    ValueKind::String => l.reg_type == RegType::Sz,
                    _ => false,
                },
                Layout::JoinedList | Layout::NumberedList => {
                    self.value.kind == ValueKind::StringList && l.reg_type == RegType::Sz
                }
                Layout::ZoneAssignments => {
                    self.value.kind == ValueKind::ZoneMap && l.reg_type == RegType::Sz
                }
                Layout::ZoneDomains => {
                    self.value.kind == ValueKind::ZoneMap && l.reg_type == RegType::Dword
                }
            };
            if !fits {
                return Err(format!(
                    "location {}: layout/type does not fit value type",
                    l.name
                ));
            }
            for (p, r) in &l.versions {
                if !l.products.contains(p) || parse_range(r).is_none() {
                    return Err(format!("location {}: bad version range {p}: {r}", l.name));
                }
            }
            if let Some(sup) = &l.superseded {
                if !self.registry.iter().any(|o| o.name == sup.by) || sup.sources.is_empty() {
                    return Err(format!(
                        "location {}: superseded by unknown location {} or no source",
                        l.name, sup.by
                    ));
                }
            }
            if let Some(sc) = &l.scopes {
                if sc.is_empty() || sc.iter().any(|s| !self.scopes.contains(s)) {
                    return Err(format!(
                        "location {}: scopes must be a subset of the entry's",
                        l.name
                    ));
                }
            }
            if l.key.starts_with("HKEY") || l.key.starts_with('\\') {
                return Err(format!("location {}: key must not name a hive", l.name));
            }
            for p in &l.products {
                if l.vendor.iter().filter(|v| v.products.contains(p)).count() > 1 {
                    return Err(format!(
                        "location {}: product {p} has two vendor policies",
                        l.name
                    ));
                }
            }
            for v in &l.vendor {
                v.check(l)
                    .map_err(|m| format!("location {}: {m}", l.name))?;
            }
            crate::intune::route::check_location(self, l, products)
                .map_err(|m| format!("location {}: intune: {m}", l.name))?;
        }
        Ok(())
    }

    /// Products this entry can be written for.
    pub fn products(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .registry
            .iter()
            .flat_map(|l| l.products.iter().map(String::as_str))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn forms(&self) -> Vec<Form> {
        let mut v: Vec<Form> = self.registry.iter().filter_map(|l| l.form).collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn ranges_read_as_words() {
        assert_eq!(super::range_words("-3.13.5.0"), "up to 3.13.5.0");
        assert_eq!(super::range_words("140-"), "140 and later");
        assert_eq!(super::range_words("1.0-2.0"), "1.0 to 2.0");
        assert_eq!(super::range_words("3.13"), "3.13");
    }

    use super::*;

    #[test]
    fn versions_and_ranges() {
        assert_eq!(parse_version("3.13"), Some([3, 13, 0, 0]));
        assert_eq!(parse_version("3.13.5.0"), Some([3, 13, 5, 0]));
        for bad in ["", "3.", "a", "1.2.3.4.5", "-1"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
        let r = parse_range("-3.13.5.0").unwrap();
        assert!(in_range([3, 13, 0, 0], r));
        assert!(in_range([3, 13, 5, 0], r));
        assert!(!in_range([3, 13, 5, 1], r));
        assert!(!in_range([4, 1, 0, 0], r));
        let r = parse_range("140-145").unwrap();
        assert!(
            in_range([140, 0, 0, 0], r)
                && in_range([145, 0, 0, 0], r)
                && !in_range([146, 0, 0, 0], r)
        );
        assert!(parse_range("139-").unwrap().1.is_none());
        assert_eq!(parse_range("-"), None);
        assert_eq!(parse_range("139"), None);
    }
}
