//! Reads the Intune profiles (`intune/device.json`, `intune/user.json`) back to the
//! registry writes a device would make, for `tests/roundtrip_props.rs` and
//! `tests/interop_graph.rs`.
//!
//! Each OMA setting is decoded from its URI and value alone, the way the device does:
//! - `./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/{App}/Policy/{FileUid}`
//!   carries an ADMX, read with `policyc::admx::reader`;
//! - `./{Device|User}/Vendor/MSFT/Policy/Config/{App}~Policy~{categories}/{policy}` names a
//!   policy of that ingested ADMX (category path and class must match); its
//!   `<enabled/><data id value/>` payload gives the policy's element inputs, and the
//!   reader's `enabled_writes` gives the registry writes;
//! - any other `Config/...` path must be a Policy CSP node or vendor ADMX policy the
//!   catalog documents as a route (`intune:` in `policies/*.yaml`); the catalog location
//!   behind it says which key and value the node writes and how (layout, `also` values).
//!
//! [`read_profiles`] reads neither the plan nor the Intune emitter's code; [`check_plan`]
//! compares what it read with the plan's groups that the catalog gives a route.

use policyc::admx::ids;
use policyc::admx::reader::{self, Admx, Inputs};
use policyc::catalog::{Catalog, Entry, Layout, Location, ValueKind};
use policyc::intune::route::{CspFormat, IntuneRoute, RouteKind};
use policyc::plan::{Action, Op, Plan};
use policyc::reg::{Hive, RegData, RegType};
use quick_xml::events::Event;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// One registry write: `None` name and data is "clear the key's values" (a plan
/// `ResetKey`, an ADMX non-additive list).
pub type Write = (Hive, String, Option<String>, Option<RegData>);

pub const ADMX_INSTALL: &str = "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/";

/// `<enabled/>`/`<disabled/>` and the `<data id value>` pairs of a payload, unescaped by a
/// real XML parser (so `&#xF000;` becomes U+F000 and `&quot;` a quote).
pub fn payload(v: &str) -> Result<(String, Vec<(String, String)>), String> {
    let wrapped = format!("<p>{v}</p>");
    let mut r = quick_xml::Reader::from_str(&wrapped);
    let mut state = String::new();
    let mut data = Vec::new();
    loop {
        match r.read_event().map_err(|e| format!("payload {v:?}: {e}"))? {
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                match name.as_str() {
                    "enabled" | "disabled" => {
                        if !state.is_empty() || !data.is_empty() {
                            return Err(format!("<{name}/> after the state in {v:?}"));
                        }
                        state = name;
                    }
                    "data" => {
                        let mut id = None;
                        let mut value = None;
                        for a in e.attributes() {
                            let a = a.map_err(|e| format!("payload {v:?}: {e}"))?;
                            let val = a
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .map_err(|e| format!("payload {v:?}: {e}"))?
                                .into_owned();
                            let k: &str = a.key.as_ref();
                            match k {
                                "id" if id.is_none() => id = Some(val),
                                "value" if value.is_none() => value = Some(val),
                                k => return Err(format!("unexpected attribute {k} in {v:?}")),
                            }
                        }
                        match (id, value) {
                            (Some(i), Some(val)) => data.push((i, val)),
                            _ => return Err(format!("<data> without id or value in {v:?}")),
                        }
                    }
                    other => return Err(format!("unexpected element <{other}> in {v:?}")),
                }
            }
            Event::Start(e) if e.name().as_ref() == "p" => {}
            Event::End(e) if e.name().as_ref() == "p" => {}
            Event::Eof => break,
            other => return Err(format!("unexpected {other:?} in payload {v:?}")),
        }
    }
    if state.is_empty() {
        return Err(format!("no <enabled/> or <disabled/> in {v:?}"));
    }
    Ok((state, data))
}

/// Splits a `list` payload on U+F000 into (name, value) pairs.
pub fn pairs(v: &str) -> Result<Vec<(String, String)>, String> {
    let parts: Vec<&str> = v.split('\u{F000}').collect();
    if parts.len() % 2 != 0 {
        return Err(format!(
            "odd number of list parts in {v:?} (a trailing separator?)"
        ));
    }
    Ok(parts
        .chunks(2)
        .map(|c| (c[0].to_string(), c[1].to_string()))
        .collect())
}

/// Category names from the root down to `cat`, by `parentCategory`.
pub fn category_path(admx: &Admx, cat: &str) -> Vec<String> {
    let mut path = vec![cat.to_string()];
    let mut cur = cat.to_string();
    while let Some(p) = admx
        .categories
        .iter()
        .find(|c| c.name == cur)
        .and_then(|c| c.parent.clone())
    {
        path.insert(0, p.clone());
        cur = p;
    }
    path
}

/// A catalog route: which location and product a node stands for.
struct Route<'a> {
    entry: &'a Entry,
    loc: &'a Location,
    route: &'a IntuneRoute,
    product: String,
}

/// Every csp and vendor-admx route of the catalog by its OMA-URI tail below `Config/`.
fn catalog_routes(catalog: &Catalog) -> BTreeMap<String, Vec<Route<'_>>> {
    let mut out: BTreeMap<String, Vec<Route<'_>>> = BTreeMap::new();
    for entry in &catalog.entries {
        for loc in &entry.registry {
            for route in &loc.intune {
                let tail = match route.route {
                    RouteKind::Csp => route.csp_uri.clone().unwrap_or_default(),
                    RouteKind::VendorAdmx => format!(
                        "{}~Policy~{}/{}",
                        route.vendor_app.as_deref().unwrap_or_default(),
                        route.vendor_area.as_deref().unwrap_or_default(),
                        route.vendor_policy.as_deref().unwrap_or_default()
                    ),
                    _ => continue,
                };
                for product in &route.products {
                    out.entry(tail.clone()).or_default().push(Route {
                        entry,
                        loc,
                        route,
                        product: product.clone(),
                    });
                }
            }
        }
    }
    out
}

/// What a catalog node writes for a payload: the location's value or list, laid out as
/// the catalog says, and the location's fixed `also` values, which the policy behind
/// the node writes itself.
fn node_writes(
    r: &Route,
    catalog: &Catalog,
    hive: Hive,
    value: &Json,
) -> Result<Vec<Write>, String> {
    let pk = catalog
        .products
        .get(&r.product)
        .and_then(|p| p.policy_key.as_deref())
        .unwrap_or("");
    let key = r.loc.key.replace("{policy_key}", pk);
    let set = |k: &str, n: &str, d: RegData| (hive, k.to_string(), Some(n.to_string()), Some(d));
    let int = r.route.format == Some(CspFormat::Int);
    let mut out = Vec::new();
    let one_data = |data: &[(String, String)]| -> Result<String, String> {
        match (data, &r.route.data_id) {
            ([(id, v)], Some(want)) if id == want => Ok(v.clone()),
            _ => Err(format!(
                "the node takes one <data id=\"{:?}\">, the payload has {data:?}",
                r.route.data_id
            )),
        }
    };
    match (value, int) {
        (Json::Number(n), true) => {
            if r.loc.layout != Layout::Value {
                return Err("an integer node for a list".into());
            }
            let n = n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| format!("integer {n} is no DWORD"))?;
            out.push(set(
                &key,
                r.loc.value.as_deref().unwrap_or_default(),
                RegData::Dword(n),
            ));
        }
        (Json::String(v), false) => {
            let (state, data) = payload(v)?;
            if state == "disabled" {
                // A policy with no elements: disabled writes 0 (bools only).
                if r.entry.value.kind != ValueKind::Bool || !data.is_empty() {
                    return Err(format!("<disabled/> for a non-bool node: {v:?}"));
                }
                let name = r.loc.value.as_deref().unwrap_or_default();
                return Ok(vec![set(&key, name, RegData::Dword(0))]);
            }
            match r.loc.layout {
                Layout::NumberedList => {
                    out.push((hive, key.clone(), None, None));
                    // A list without explicit names: the device numbers the entries.
                    for (i, (_, v)) in pairs(&one_data(&data)?)?.into_iter().enumerate() {
                        out.push(set(&key, &(i + 1).to_string(), RegData::Sz(v)));
                    }
                }
                Layout::ZoneAssignments => {
                    for (n, v) in pairs(&one_data(&data)?)? {
                        out.push(set(&key, &n, RegData::Sz(v)));
                    }
                }
                Layout::Value | Layout::JoinedList => {
                    let name = r.loc.value.as_deref().unwrap_or_default();
                    let d = match (r.entry.value.kind, &r.route.data_id) {
                        (ValueKind::Bool, None) if data.is_empty() => RegData::Dword(1),
                        (ValueKind::Dword, Some(_)) => {
                            let s = one_data(&data)?;
                            RegData::Dword(s.parse().map_err(|_| format!("`{s}` is no DWORD"))?)
                        }
                        (_, Some(_)) => RegData::Sz(one_data(&data)?),
                        (k, None) => return Err(format!("a {k:?} node without data_id: {v:?}")),
                    };
                    out.push(set(&key, name, d));
                }
                Layout::ZoneDomains => return Err("the ZoneMap\\Domains layout has no node".into()),
            }
        }
        (other, _) => {
            return Err(format!(
                "value {other} does not fit the node's format {:?}",
                r.route.format
            ))
        }
    }
    for f in &r.loc.also {
        let d = match f.reg_type {
            RegType::Dword => RegData::Dword(f.data),
            _ => RegData::Sz(f.data.to_string()),
        };
        out.push(set(&f.key, &f.value, d));
    }
    Ok(out)
}

/// A policy of the ingested ADMX, enabled with the payload's `<data>` inputs.
fn admx_writes(
    admx: &Admx,
    policy: &str,
    cats: &str,
    hive: Hive,
    value: &Json,
) -> Result<Vec<Write>, String> {
    let p = admx
        .policies
        .iter()
        .find(|p| p.name == policy)
        .ok_or_else(|| format!("the ingested ADMX has no policy {policy}"))?;
    if p.hive().map_err(|e| e.to_string())? != hive {
        return Err(format!(
            "policy {policy} is class {}, the URI scope says {hive}",
            p.class
        ));
    }
    let parent = p.parent_category.as_deref().unwrap_or_default();
    let want = category_path(admx, parent).join("~");
    if cats != want {
        return Err(format!("policy {policy} is in {want}, the URI says {cats}"));
    }
    let Json::String(v) = value else {
        return Err(format!("an ADMX-backed node takes a string, not {value}"));
    };
    let (state, data) = payload(v)?;
    if state != "enabled" {
        return Err(format!("policy {policy} is not enabled: {v:?}"));
    }
    let mut inputs = Inputs::default();
    for (id, val) in data {
        let e = p
            .elements
            .iter()
            .find(|e| e.id == id)
            .ok_or_else(|| format!("policy {policy} has no element {id}"))?;
        let fresh = match e.kind.as_str() {
            "list" => inputs.lists.insert(id.clone(), pairs(&val)?).is_none(),
            "text" | "decimal" => inputs.texts.insert(id.clone(), val).is_none(),
            k => return Err(format!("element {id} is a <{k}>")),
        };
        if !fresh {
            return Err(format!("element {id} has two <data>"));
        }
    }
    p.enabled_writes(None, &inputs)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|w| match w {
            reader::Write::ClearKey { hive, key } => Ok((hive, key, None, None)),
            reader::Write::Set {
                hive,
                key,
                name,
                data,
            } => Ok((hive, key, Some(name), Some(data))),
            reader::Write::Delete { key, name, .. } => {
                Err(format!("policy {policy} deletes {key}\\{name}"))
            }
        })
        .collect()
}

/// What the profiles make a device write, by the ADMX policy name of each setting's
/// group (`policyc::admx::ids::policy_name`; for catalog nodes computed from the route's
/// setting, product and location). `profiles` are (bundle path, bytes).
pub fn read_profiles(
    profiles: &[(String, Vec<u8>)],
    catalog: &Catalog,
) -> Result<BTreeMap<String, Vec<Write>>, String> {
    let routes = catalog_routes(catalog);
    let mut out: BTreeMap<String, Vec<Write>> = BTreeMap::new();
    let mut ingested: Option<(String, String)> = None; // (App, ADMX text)
    let mut ingest_policies = std::collections::BTreeSet::new();
    for (path, bytes) in profiles {
        // Settings Catalog policies, decoded with Intune's definitions
        // (`common::settings_catalog`); a group set by both profiles is delivered twice.
        if let Some(scope) = path
            .strip_prefix("intune/settings-catalog/")
            .and_then(|p| p.strip_suffix(".json"))
        {
            let hive = match scope {
                "device" => Hive::Hklm,
                "user" => Hive::Hkcu,
                s => return Err(format!("{path}: scope {s}")),
            };
            let j: Json = serde_json::from_slice(bytes).map_err(|e| format!("{path}: {e}"))?;
            for (name, writes) in super::settings_catalog::read_policy(&j, hive, catalog)
                .map_err(|e| format!("{path}: {e}"))?
            {
                if out.insert(name.clone(), writes).is_some() {
                    return Err(format!(
                        "{path}: a second setting for {name} (delivered twice)"
                    ));
                }
            }
            continue;
        }
        let (hive, scope) = match path.as_str() {
            "intune/device.json" => (Hive::Hklm, "Device"),
            "intune/user.json" => (Hive::Hkcu, "User"),
            p => return Err(format!("{p} is not an Intune profile path")),
        };
        let j: Json = serde_json::from_slice(bytes).map_err(|e| format!("{path}: {e}"))?;
        if j["@odata.type"] != "#microsoft.graph.windows10CustomConfiguration" {
            return Err(format!("{path}: not a windows10CustomConfiguration"));
        }
        let settings = j["omaSettings"]
            .as_array()
            .ok_or_else(|| format!("{path}: no omaSettings"))?;
        let mut admx_here: Option<Admx> = None;
        for s in settings {
            let uri = s["omaUri"]
                .as_str()
                .ok_or_else(|| format!("{path}: a setting without omaUri"))?;
            let value = &s["value"];
            let fail = |m: String| format!("{path}: {uri}: {m}");
            let odata = match value {
                Json::String(_) => "#microsoft.graph.omaSettingString",
                Json::Number(_) => "#microsoft.graph.omaSettingInteger",
                _ => return Err(fail(format!("value {value}"))),
            };
            if s["@odata.type"] != odata {
                return Err(fail(format!("{} for a value {value}", s["@odata.type"])));
            }
            if let Some(rest) = uri.strip_prefix(ADMX_INSTALL) {
                let parts: Vec<&str> = rest.split('/').collect();
                let [app, "Policy", uid] = parts.as_slice() else {
                    return Err(fail("not {App}/Policy/{FileUid}".into()));
                };
                if !policyc::intune::route::uri_segment_ok(app)
                    || !policyc::intune::route::uri_segment_ok(uid)
                {
                    return Err(fail("App and FileUid must be letters, digits, _".into()));
                }
                let Some(text) = value.as_str().map(str::to_string) else {
                    return Err(fail("the ADMX ingestion value is not a string".into()));
                };
                if admx_here.is_some() {
                    return Err(fail("a second ADMX ingestion in one profile".into()));
                }
                match &ingested {
                    Some(prev) if prev != &(app.to_string(), text.clone()) => {
                        return Err(fail("the profiles ingest different ADMX files".into()))
                    }
                    _ => ingested = Some((app.to_string(), text.clone())),
                }
                admx_here = Some(reader::read_admx(&text).map_err(|e| fail(e.to_string()))?);
                continue;
            }
            let tail = uri
                .strip_prefix(&format!("./{scope}/Vendor/MSFT/Policy/Config/"))
                .ok_or_else(|| fail(format!("not a ./{scope} Policy CSP path")))?;
            let (area, policy) = tail
                .rsplit_once('/')
                .ok_or_else(|| fail("no policy segment".into()))?;
            let bundle_app = ingested.as_ref().map(|(a, _)| format!("{a}~Policy~"));
            let (name, writes) = match bundle_app.as_deref().and_then(|a| area.strip_prefix(a)) {
                Some(cats) => {
                    let admx = admx_here.as_ref().ok_or_else(|| {
                        fail(
                            "a policy of the bundle's ADMX before its ingestion in this profile"
                                .into(),
                        )
                    })?;
                    ingest_policies.insert(policy.to_string());
                    (
                        policy.to_string(),
                        admx_writes(admx, policy, cats, hive, value).map_err(fail)?,
                    )
                }
                None => {
                    let found = routes.get(tail).map(Vec::as_slice).unwrap_or_default();
                    let [r] = found else {
                        return Err(fail(format!(
                            "{} catalog routes name this node",
                            found.len()
                        )));
                    };
                    let name =
                        policyc::admx::ids::policy_name(&r.entry.id, &r.product, &r.loc.name, hive);
                    (name, node_writes(r, catalog, hive, value).map_err(fail)?)
                }
            };
            if out.insert(name.clone(), writes).is_some() {
                return Err(fail(format!(
                    "a second setting for {name} (delivered twice)"
                )));
            }
        }
    }
    // The ingested ADMX holds exactly the policies the profiles set through it.
    if let Some((_, text)) = &ingested {
        let admx = reader::read_admx(text).map_err(|e| e.to_string())?;
        let names: std::collections::BTreeSet<String> =
            admx.policies.iter().map(|p| p.name.clone()).collect();
        if names != ingest_policies {
            return Err(format!(
                "the ingested ADMX has policies {names:?}, the profiles set {ingest_policies:?}"
            ));
        }
    }
    Ok(out)
}

fn write_of(op: &Op) -> Write {
    match &op.action {
        Action::ResetKey => (op.hive, op.key.clone(), None, None),
        Action::Delete { name } => (op.hive, op.key.clone(), Some(name.clone()), None),
        Action::Set { name, data } => (
            op.hive,
            op.key.clone(),
            Some(name.clone()),
            Some(data.clone()),
        ),
    }
}

/// The profiles, decoded by [`read_profiles`] (URI and payload, or Settings Catalog
/// instance and definitions, only), write exactly the operations of every plan group an
/// Intune profile delivers (`policyc::intune::settings_catalog::Routes`: the Settings
/// Catalog profile, or the catalog's custom route), and nothing of the others.
/// `profiles` are (bundle path, bytes) of `intune/**/*.json`.
pub fn check_plan(
    plan: &Plan,
    profiles: &[(String, Vec<u8>)],
    catalog: &Catalog,
) -> Result<(), String> {
    let mut got = read_profiles(profiles, catalog)?;
    let mut want: BTreeMap<String, Vec<Write>> = BTreeMap::new();
    let mut no_route = BTreeSet::new();
    let routes = policyc::intune::settings_catalog::Routes::new(plan, catalog)?;
    for op in &plan.ops {
        let p = &op.provenance;
        let routed = routes.of(op).by_profile();
        let policy = ids::policy_name(&p.setting, &p.product, &p.location, op.hive);
        if routed {
            want.entry(policy).or_default().push(write_of(op));
        } else {
            no_route.insert(policy);
        }
    }
    for v in got.values_mut().chain(want.values_mut()) {
        v.sort();
    }
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    if !missing.is_empty() || !extra.is_empty() {
        return Err(format!(
            "Intune settings: missing for routed groups {missing:?}; present for {extra:?} (groups without a route: {no_route:?})"
        ));
    }
    for (policy, w) in &want {
        super::same(&format!("Intune {policy}"), &got[policy], w)?;
    }
    Ok(())
}
