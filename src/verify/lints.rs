//! Known conflicts from the NHS guide, looked for in a machine's exports: policies
//! that block NHS Credential Management even when the spec's own values are right.
//!
//! Facts used (registry layout: products/*.yaml; policy meaning, with sources):
//! - URLBlocklist / URLAllowlist: list policies; a blocked URL does not load
//!   (https://chromeenterprise.google/policies/#URLBlocklist,
//!   https://learn.microsoft.com/en-us/deployedge/microsoft-edge-policies/urlblocklist).
//! - LocalNetworkAccessBlockedForUrls / LoopbackNetworkBlockedForUrls take precedence
//!   over the allow lists (Chromium policy_definitions/LocalNetworkAccessSettings/
//!   LoopbackNetworkAllowedForUrls.yaml, precedence paragraph).
//! - BlockThirdPartyCookies = 1 blocks third-party cookies
//!   (https://chromeenterprise.google/policies/#BlockThirdPartyCookies); DefaultCookiesSetting
//!   = 2 "Do not allow any site to set local data" (Chromium policy_definitions/
//!   ContentSettings/DefaultCookiesSetting.yaml); CookiesAllowedForUrls is the exception list.
//! - AuthServerAllowlist: comma/semicolon-separated server names (net/http/http_auth_filter.cc).
//! - AutoDetect = 1 overrides the three Local intranet options (KB 2028170).
//! - Site to Zone Assignment List (inetres.admx `IZ_Zonemaps`, `ListBox_Support_ZoneMapKey`
//!   = 1 with the `...\Internet Settings\ZoneMapKey` list): InetRes.adml `IZ_ExplainZonemaps`,
//!   "If you disable or do not configure this policy, users may choose their own
//!   site-to-zone assignments"; while it applies, the `ZoneMap\Domains` preferences are not
//!   used, only the sites the policy maps.
//! - `Security_HKLM_only` = 1 under `HKLM\Software\Policies\...\Internet Settings`
//!   ("Security Zones: Use only machine settings", inetres.admx): KB 182569, HKLM zone
//!   settings are read together with HKCU unless it is 1, then HKLM only;
//!   InetRes.adml `IE_ExplainSecurity_HKLM_only`.
//! - Chromium platform policy: a value set in HKLM (scope machine) wins over the same
//!   policy in HKCU (scope user), whole, lists included (Chromium
//!   `components/policy/core/common/policy_map.cc`, `EntryHasHigherPriority`: platform
//!   machine ranks above platform user).

use super::model::Registry;
use crate::catalog::{Catalog, ProductKind};
use crate::diag::{
    AUTH_ALLOWLIST_MISSING_LOCALHOST, INTRANET_AUTO_DETECT_ON, LNA_ORIGIN_BLOCKED,
    THIRD_PARTY_COOKIES_BLOCKED, URL_BLOCKLIST_BLOCKS_LOCALHOST, USER_POLICY_OVERRIDDEN,
    ZONE_PREFERENCE_INACTIVE, ZONE_SETTINGS_MACHINE_ONLY,
};
use crate::plan::{Action, Plan};
use crate::reg::{Hive, RegData};
use serde::Serialize;

const GUIDE_BLOCKED: &str = "the NHS guide: certain group policy settings in Chrome and Edge can block NHS Credential Management (\"NHS Credential Management Error: Not Installed or Running\"), typically when it works in one browser but not another";
const GUIDE_NTLM: &str = "the NHS guide, NTLM prompt: without http://localhost allowed for integrated authentication and for third-party cookies, Credential Management on localhost raises a Windows credential prompt";

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub message: String,
    /// Key (and value) where the conflict is.
    pub at: String,
    pub why: &'static str,
    pub fix: String,
    /// The spec setting (`settings[N]`) the finding is about, when it is a value the spec
    /// writes that something else overrides (not where the conflicting value is): `check`
    /// places the finding there. Not part of verify's JSON.
    #[serde(skip)]
    pub about: Option<String>,
}

/// The host part of a URL pattern/filter: after `scheme://`, before `:port` or `/`.
fn host_of(pattern: &str) -> (Option<&str>, &str) {
    let (scheme, rest) = match pattern.find("://") {
        Some(i) => (Some(&pattern[..i]), &pattern[i + 3..]),
        None => (None, pattern),
    };
    let end = if rest.starts_with('[') && !rest.starts_with("[*.]") {
        rest.find(']').map_or(rest.len(), |i| i + 1)
    } else {
        rest.find([':', '/']).unwrap_or(rest.len())
    };
    (scheme, &rest[..end])
}

/// Whether a pattern's host names `localhost`, the host of http://localhost. Chromium
/// matches URL filters and the auth allowlist on the URL's host text, not on the address
/// it resolves to, so `127.0.0.1` and `[::1]` neither allow nor block http://localhost.
fn is_local_host(h: &str) -> bool {
    matches!(
        h.to_ascii_lowercase().as_str(),
        "localhost" | "[*.]localhost" | ".localhost"
    )
}

/// Whether a Chromium URL filter or pattern entry matches http://localhost.
fn matches_localhost(entry: &str) -> bool {
    if entry.trim() == "*" {
        return true;
    }
    let (scheme, host) = host_of(entry.trim());
    let scheme_ok = scheme.is_none_or(|s| matches!(s.to_ascii_lowercase().as_str(), "http" | "*"));
    scheme_ok && (host == "*" || is_local_host(host))
}

/// Whether a URL pattern entry matches an origin such as https://x.nhs.uk.
fn matches_origin(entry: &str, origin: &str) -> bool {
    let entry = entry.trim().trim_end_matches('/');
    if entry == "*" {
        return true;
    }
    let (es, eh) = host_of(entry);
    let (os, oh) = host_of(origin);
    let scheme_ok = es.is_none_or(|s| s == "*" || os.is_some_and(|o| o.eq_ignore_ascii_case(s)));
    let (eh, oh) = (eh.to_ascii_lowercase(), oh.to_ascii_lowercase());
    let host_ok = match eh.strip_prefix("[*.]") {
        Some(d) => oh == d || oh.ends_with(&format!(".{d}")),
        None => eh == "*" || eh == oh,
    };
    scheme_ok && host_ok
}

fn dword(r: &Registry, key: &str, name: &str) -> Option<u32> {
    match r.value(key, name) {
        Some(RegData::Dword(d)) => Some(*d),
        _ => None,
    }
}

pub fn run(plan: &Plan, reg: &Registry, catalog: &Catalog) -> Vec<Finding> {
    let mut out = Vec::new();
    // Origins the spec allows Local Network Access for.
    let mut lna_origins: Vec<&str> = plan
        .ops
        .iter()
        .filter(|o| {
            o.key.ends_with("LocalNetworkAccessAllowedForUrls")
                || o.key.ends_with("LoopbackNetworkAllowedForUrls")
        })
        .filter_map(|o| match &o.action {
            Action::Set {
                data: RegData::Sz(s),
                ..
            } => Some(s.as_str()),
            _ => None,
        })
        .collect();
    lna_origins.sort();
    lna_origins.dedup();
    for product in catalog
        .products
        .values()
        .filter(|p| p.kind == ProductKind::Browser)
    {
        let Some(pk) = product.policy_key.as_deref() else {
            continue;
        };
        // Chromium reads each policy from the machine (HKLM) when the machine sets it, and
        // from the user (HKCU) only otherwise, lists included (Chromium's policy precedence:
        // machine platform policy over user platform policy). The lints judge the value
        // that applies; a user value the machine overrides is `user-policy-overridden`'s.
        let machine = format!("{}\\{pk}", Hive::Hklm.long_name());
        let user = format!("{}\\{pk}", Hive::Hkcu.long_name());
        let list_root = |name: &str| {
            if reg.list(&format!("{machine}\\{name}")).is_empty() {
                &user
            } else {
                &machine
            }
        };
        let value_root = |name: &str| {
            if reg.value(&machine, name).is_some() {
                &machine
            } else {
                &user
            }
        };
        let allowlisted_localhost = reg
            .list(&format!("{}\\URLAllowlist", list_root("URLAllowlist")))
            .iter()
            .any(|e| matches_localhost(e) && e.trim() != "*");
        let root = list_root("URLBlocklist");
        for (i, entry) in reg
            .list(&format!("{root}\\URLBlocklist"))
            .iter()
            .enumerate()
        {
            if matches_localhost(entry) && !allowlisted_localhost {
                out.push(Finding {
                    code: URL_BLOCKLIST_BLOCKS_LOCALHOST,
                    message: format!("{} URLBlocklist entry `{entry}` blocks http://localhost", product.name),
                    at: format!("{root}\\URLBlocklist \"{}\"", i + 1),
                    why: GUIDE_BLOCKED,
                    fix: format!("remove `{entry}` from URLBlocklist, or add http://localhost to URLAllowlist under {root}"),
                    about: None,
                });
            }
        }
        for list in [
            "LocalNetworkAccessBlockedForUrls",
            "LoopbackNetworkBlockedForUrls",
        ] {
            let root = list_root(list);
            for entry in reg.list(&format!("{root}\\{list}")) {
                for origin in lna_origins.iter().filter(|o| matches_origin(&entry, o)) {
                    out.push(Finding {
                        code: LNA_ORIGIN_BLOCKED,
                        message: format!("{} {list} entry `{entry}` blocks {origin}, which the spec allows", product.name),
                        at: format!("{root}\\{list}"),
                        why: "Chromium: the blocked lists take precedence over LocalNetworkAccessAllowedForUrls and LoopbackNetworkAllowedForUrls, so the NHS application cannot reach Credential Management on localhost",
                        fix: format!("remove `{entry}` from {list}"),
                        about: None,
                    });
                }
            }
        }
        let third_root = value_root("BlockThirdPartyCookies");
        let all_root = value_root("DefaultCookiesSetting");
        let blocks_third_party = dword(reg, third_root, "BlockThirdPartyCookies") == Some(1);
        let blocks_all = dword(reg, all_root, "DefaultCookiesSetting") == Some(2);
        let cookies_root = list_root("CookiesAllowedForUrls");
        let cookie_exception = reg
            .list(&format!("{cookies_root}\\CookiesAllowedForUrls"))
            .iter()
            .any(|e| matches_localhost(e.split(',').next().unwrap_or("")) && e.trim() != "*");
        if (blocks_third_party || blocks_all) && !cookie_exception {
            let (what, root, name) = if blocks_all {
                (
                    "DefaultCookiesSetting = 2 (block all cookies)",
                    all_root,
                    "DefaultCookiesSetting",
                )
            } else {
                (
                    "BlockThirdPartyCookies = 1",
                    third_root,
                    "BlockThirdPartyCookies",
                )
            };
            out.push(Finding {
                code: THIRD_PARTY_COOKIES_BLOCKED,
                message: format!("{} has {what} and no CookiesAllowedForUrls entry for http://localhost", product.name),
                at: format!("{root} \"{name}\""),
                why: GUIDE_NTLM,
                fix: format!("add http://localhost to {root}\\CookiesAllowedForUrls (setting cookies-allowed-for-urls)"),
                about: None,
            });
        }
        let root = value_root("AuthServerAllowlist");
        if let Some(RegData::Sz(list)) = reg.value(root, "AuthServerAllowlist") {
            // Chromium reads the list as proxy-bypass rules after `<-loopback>`
            // (net/http/http_auth_filter.cc, HttpAuthFilterAllowlist::SetAllowlist), so
            // localhost is allowed only by a rule that names it, or by `*`, which
            // matches every host.
            if !list.split([',', ';']).any(|e| matches_localhost(e.trim())) {
                out.push(Finding {
                    code: AUTH_ALLOWLIST_MISSING_LOCALHOST,
                    message: format!("{} AuthServerAllowlist `{list}` does not include http://localhost", product.name),
                    at: format!("{root} \"AuthServerAllowlist\""),
                    why: GUIDE_NTLM,
                    fix: "add http://localhost to AuthServerAllowlist (setting auth-server-allowlist)".into(),
                    about: None,
                });
            }
        }
    }
    for hive in [Hive::Hklm, Hive::Hkcu] {
        for key in [
            r"SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap",
            r"SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap",
        ] {
            let full = format!("{}\\{key}", hive.long_name());
            if dword(reg, &full, "AutoDetect") == Some(1) {
                out.push(Finding {
                    code: INTRANET_AUTO_DETECT_ON,
                    message: "automatic intranet detection is on".into(),
                    at: format!("{full} \"AutoDetect\""),
                    why: "the NHS guide requires \"Automatically detect intranet network\" unticked; KB 2028170: when it is on, Windows enables the three intranet options regardless of policy",
                    fix: "set AutoDetect to 0 (setting intranet-auto-detect: false)".into(),
                    about: None,
                });
            }
        }
    }
    out.extend(precedence(plan, reg, catalog));
    out
}

/// `Internet Settings` under the Group Policy root (the Site to Zone Assignment List
/// and `Security_HKLM_only` live here).
const IE_POLICY_KEY: &str = r"SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings";
/// The per-site preference keys the Sites dialog writes: `...\ZoneMap\Domains\<host>`.
const ZONE_DOMAINS_KEY: &str =
    r"SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap\Domains\";

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Where the plan's values are overruled by policy the exports show elsewhere: a Site to
/// Zone Assignment List makes zone preferences inactive, `Security_HKLM_only` makes
/// per-user Internet Settings inactive, and a machine Chromium policy wins over the
/// same user policy.
fn precedence(plan: &Plan, reg: &Registry, catalog: &Catalog) -> Vec<Finding> {
    let mut out = Vec::new();
    // 1. Site to Zone Assignment List policy (either hive) against zone preferences.
    let zonemap_policies: Vec<String> = [Hive::Hklm, Hive::Hkcu]
        .iter()
        .map(|h| format!("{}\\{IE_POLICY_KEY}", h.long_name()))
        .filter(|k| dword(reg, k, "ListBox_Support_ZoneMapKey") == Some(1))
        .collect();
    if !zonemap_policies.is_empty() {
        for op in &plan.ops {
            let Action::Set {
                name: scheme,
                data: RegData::Dword(zone),
            } = &op.action
            else {
                continue;
            };
            if !starts_with_ci(&op.key, ZONE_DOMAINS_KEY) {
                continue;
            }
            let host = &op.key[ZONE_DOMAINS_KEY.len()..];
            let site = if scheme == "*" {
                host.to_string()
            } else {
                format!("{scheme}://{host}")
            };
            // The policy still gives the site its zone when its own list maps it so.
            let mapped = zonemap_policies.iter().any(|p| {
                [site.as_str(), host].iter().any(|name| {
                    matches!(reg.value(&format!("{p}\\ZoneMapKey"), name),
                        Some(RegData::Sz(z)) if z.trim() == zone.to_string())
                })
            });
            if mapped {
                continue;
            }
            let policy = &zonemap_policies[0];
            out.push(Finding {
                code: ZONE_PREFERENCE_INACTIVE,
                message: format!(
                    "the Site to Zone Assignment List policy ({policy}\\ZoneMapKey) applies, so the {} preference mapping {site} to zone {zone} is ignored, and that policy does not map {site} to zone {zone}",
                    if op.hive == Hive::Hkcu { "per-user" } else { "machine" }
                ),
                at: format!("{policy} \"ListBox_Support_ZoneMapKey\""),
                why: "InetRes.adml, Site to Zone Assignment List: \"If you disable or do not configure this policy, users may choose their own site-to-zone assignments\"; while the policy applies, only the sites it lists get a zone",
                fix: format!(
                    "add {site} = {zone} to the GPO that sets the Site to Zone Assignment List, or give setting {} `form: policy` ({})",
                    op.provenance.setting, op.provenance.spec_path
                ),
                about: Some(op.provenance.spec_path.clone()),
            });
        }
    }
    // 2. Security_HKLM_only: per-user zone settings are not read at all.
    let hklm_ie = format!("{}\\{IE_POLICY_KEY}", Hive::Hklm.long_name());
    if dword(reg, &hklm_ie, "Security_HKLM_only") == Some(1) {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for op in plan.ops.iter().filter(|o| o.hive == Hive::Hkcu) {
            let lower = op.key.to_ascii_lowercase();
            if !lower.contains(r"\internet settings") {
                continue;
            }
            let p = &op.provenance;
            if seen.contains(&(p.setting.as_str(), p.spec_path.as_str())) {
                continue;
            }
            seen.push((p.setting.as_str(), p.spec_path.as_str()));
            out.push(Finding {
                code: ZONE_SETTINGS_MACHINE_ONLY,
                message: format!(
                    "Security_HKLM_only = 1: the per-user values of {} ({}) under HKEY_CURRENT_USER\\{} are ignored",
                    p.setting, p.spec_path, op.key
                ),
                at: format!("{hklm_ie} \"Security_HKLM_only\""),
                why: "KB 182569: HKLM zone settings are read together with HKCU unless Security_HKLM_only is 1, then only HKLM's (\"Security Zones: Use only machine settings\")",
                fix: format!("give setting {} `scope: machine` ({})", p.setting, p.spec_path),
                about: Some(p.spec_path.clone()),
            });
        }
    }
    // 3. Chromium: machine platform policy wins over user platform policy.
    for product in catalog
        .products
        .values()
        .filter(|p| p.kind == ProductKind::Browser)
    {
        let Some(pk) = product.policy_key.as_deref() else {
            continue;
        };
        // (policy name, is a list key) -> what the spec writes for the user.
        let mut wanted: Vec<(String, bool, Vec<&RegData>, &crate::plan::Op)> = Vec::new();
        for op in plan.ops.iter().filter(|o| o.hive == Hive::Hkcu) {
            let Action::Set { name, data } = &op.action else {
                continue;
            };
            let (policy, list) = if op.key.eq_ignore_ascii_case(pk) {
                (name.clone(), false)
            } else if starts_with_ci(&op.key, &format!("{pk}\\")) {
                (op.key[pk.len() + 1..].to_string(), true)
            } else {
                continue;
            };
            match wanted
                .iter_mut()
                .find(|w| w.0.eq_ignore_ascii_case(&policy) && w.1 == list)
            {
                Some(w) => w.2.push(data),
                None => wanted.push((policy, list, vec![data], op)),
            }
        }
        let machine = format!("{}\\{pk}", Hive::Hklm.long_name());
        for (policy, list, datas, op) in wanted {
            let (found, same) = if list {
                let items = reg.list(&format!("{machine}\\{policy}"));
                let want: Vec<String> = datas
                    .iter()
                    .filter_map(|d| match d {
                        RegData::Sz(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect();
                if items.is_empty() {
                    continue;
                }
                let same = items == want;
                (format!("[{}]", items.join(", ")), same)
            } else {
                let Some(found) = reg.value(&machine, &policy) else {
                    continue;
                };
                (
                    found.to_string(),
                    datas.first().is_some_and(|d| *d == found),
                )
            };
            if same {
                continue;
            }
            let at = if list {
                format!("{machine}\\{policy}")
            } else {
                format!("{machine} \"{policy}\"")
            };
            out.push(Finding {
                code: USER_POLICY_OVERRIDDEN,
                message: format!(
                    "{} {policy} is set for the machine ({found}), which wins over the user policy the spec writes ({}, {})",
                    product.name, op.provenance.setting, op.provenance.spec_path
                ),
                at,
                why: "Chromium: a platform policy set for the machine (HKLM) takes precedence over the same policy set for the user (HKCU), lists included; the user value is ignored",
                fix: format!(
                    "put the spec's entries in the machine policy at {machine}, or give setting {} `scope: machine`",
                    op.provenance.setting
                ),
                about: Some(op.provenance.spec_path.clone()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_matching() {
        for yes in [
            "*",
            "localhost",
            "http://localhost",
            "http://localhost:43487",
            "*://localhost/x",
            "http://*",
            "[*.]localhost",
        ] {
            assert!(matches_localhost(yes), "{yes}");
        }
        for no in [
            "https://localhost",
            "example.com",
            "http://localhost.example.com",
            "file://*",
            "127.0.0.1",
            "http://[::1]",
        ] {
            assert!(!matches_localhost(no), "{no}");
        }
        assert!(matches_origin(
            "https://[*.]nhs.uk",
            "https://api.service.nhs.uk"
        ));
        assert!(matches_origin(
            "api.service.nhs.uk",
            "https://api.service.nhs.uk"
        ));
        assert!(!matches_origin(
            "http://api.service.nhs.uk",
            "https://api.service.nhs.uk"
        ));
        assert!(!matches_origin("[*.]nhs.net", "https://api.service.nhs.uk"));
    }
}
