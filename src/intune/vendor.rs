//! Intune custom OMA-URI routes for any policy of a vendor's own ADMX template (a central
//! store read by [`crate::admx::store`]): the OMA-URI of the policy, its payload for a
//! [`PolicyState`], and the ADMXInstall setting that ingests the vendor's file.
//!
//! Sources (each read for this module):
//! - Microsoft Learn, "Win32 and Desktop Bridge app ADMX policy Ingestion"
//!   (MicrosoftDocs/windows-itpro-docs `windows/client-management/win32-and-centennial-app-policy-configuration.md`,
//!   commit 00af39a1528d2735f648d0a8bea8ff108d2b3988): ingestion at
//!   `./Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/{AppName}/{SettingType}/{FileUid or AdmxFileName}`
//!   with the ADMX text as the `chr` data; a policy at
//!   `./{user|device}/Vendor/MSFT/Policy/Config/{AppName}~{SettingType}~{CategoryPathFromAdmx}/{PolicyName}`,
//!   the category path "derived by traversing the parentCategory" (root first, `~`-joined);
//!   class `User` under `./user`, `Machine` under `./device`, `Both` either; ingested
//!   policies may not write within `System`, `Software\Microsoft` or
//!   `Software\Policies\Microsoft` except the listed keys ([`super::ingestion`]).
//! - Microsoft Learn, "Understanding ADMX policies" (same repository,
//!   `windows/client-management/understanding-admx-backed-policies.md`, commit
//!   1d21af9886f1c44be26baff1f3ad3bdc8c45113a, `ms.date: 08/10/2023`): the payload per
//!   element kind. `<disabled/>`; `<enabled/>` then `<data id="ELEMENT" value="..."/>`;
//!   text: the string; decimal: the number (`value="4"`); boolean: `value="true"`;
//!   enum: the chosen item's `<value>` (BitLocker's items are 3, 4, 6, 7 and the example
//!   sends `value="4"`, so not the item's index); multiText: the strings separated by
//!   U+F000; list: name/value pairs separated by U+F000 (`1&#xF000;deviceId1&#xF000;2&#xF000;deviceId2`,
//!   and for a list with neither `valuePrefix` nor `explicitValue` the value is its own
//!   name: `http://name1&#xF000;http://name1&#xF000;...`), because "these attributes are
//!   ignored by the Policy Manager runtime. It's expected that the MDM server manages the
//!   name/value pairs". Every data entry field must be supplied.
//! - Microsoft Learn, "Configure Microsoft Edge using Mobile Device Management"
//!   (MicrosoftDocs/Edge-Enterprise `edgeenterprise/configure-edge-with-mdm.md`, commit
//!   213881e0a6284b4bdb2935c2ecc0dc52e34b4515): App `Edge`, file id `EdgeAdmx`, "Copy ALL the
//!   text from the msedge.admx file", data type always String; a string enum sends the
//!   item's string (`ProxyMode` `value="auto_detect"`), an integer enum the item's decimal
//!   (`RestoreOnStartup` `value="5"`, an item that is not fifth).
//! - Chrome: App `Chrome`, file id `ChromeAdmx`, category path from `googlechrome` (its
//!   parent `Google:Cat_Google` lives in google.admx and is not in the path):
//!   Micke-K/IntuneManagement `ADMXImport.md` (commit b7e04bc820351d251e71d436f03cd4b1f2323c0b)
//!   and the project's research notes (`../shared/research/domain-facts.md` 4.1, 4.2), which
//!   quote Google's "Manage Chrome Browser with Microsoft Intune"
//!   (<https://support.google.com/chrome/a/answer/9102677>); Google's page itself was not
//!   read here.
//! - Micke-K/IntuneManagement `ADMXImport.md` (a third party's tests on devices): "QWORD is
//!   not supported ... longDecimal ... will generate a Catastrophic Failure event", and the
//!   device keeps the first file ingested under one App and file name.
//!
//! Unconfirmed: nothing here was run against an Intune tenant or a Windows device. In
//! particular: how the Policy CSP treats an empty list (`value=""`); whether it accepts a
//! category or policy name outside letters, digits and `_` (refused here); that a parent
//! category in another namespace is left out of the path for every template, not just
//! Chrome's; that msedge.admx ingests although it writes within
//! `Software\Policies\Microsoft` (the Edge page says to ingest it, the ingestion page's
//! list does not name `Software\Policies\Microsoft\Edge`); the App and file id of a
//! template no vendor documents (derived here from the file name).

use super::ingestion::blocked_root;
use super::route::uri_segment_ok;
use super::{list_value, uri_scope, xml_attr, OmaSetting, OmaValue, ADMX_INSTALL, LIST_SEPARATOR};
use crate::admx::reader::{self, Admx, Element, Policy, Value, ValueList};
use crate::admx::state::{ElementValue, PolicyState};
use crate::admx::store::{PolicyRef, Store};
use crate::catalog::{Catalog, Source};
use crate::reg::Hive;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A vendor's documented ingestion of its own ADMX (`intune_admx:` in `products/*.yaml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmxApp {
    /// The ADMX target namespace this record is for, e.g. `Google.Policies.Chrome`.
    pub namespace: String,
    /// The file the vendor ships it in, e.g. `chrome.admx`.
    pub file: String,
    /// Files `file` refers to through `using` (a central store needs them for GPMC; only
    /// `file` is ingested).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// The `{AppName}` the vendor's documentation ingests it under.
    pub app: String,
    /// The `{FileUid}` the vendor's documentation uses.
    pub file_uid: String,
    pub sources: Vec<Source>,
}

impl AdmxApp {
    /// Consistency: `app` and `file_uid` are OMA-URI segments, the namespace is given,
    /// sources are named.
    pub fn check(&self) -> Result<(), String> {
        for (what, v) in [("app", &self.app), ("file_uid", &self.file_uid)] {
            if !uri_segment_ok(v) {
                return Err(format!(
                    "intune_admx {what} `{v}` is not an OMA-URI segment (letters, digits, _)"
                ));
            }
        }
        if self.namespace.is_empty() || self.file.is_empty() || self.sources.is_empty() {
            return Err("intune_admx needs namespace, file and sources".into());
        }
        Ok(())
    }
}

/// The ADMXInstall ingestion a route relies on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingest {
    /// `{AppName}`.
    pub app: String,
    /// The store's file to ingest, e.g. `chrome.admx`.
    pub file: String,
    /// `{FileUid}`.
    pub file_uid: String,
    /// Other store files the template refers to through `using` (Windows' own excluded).
    pub requires: Vec<String>,
    /// The vendor documentation the App and file id come from; `None` when they are
    /// derived from the file name (no vendor documents them).
    pub documented_by: Option<String>,
}

impl Ingest {
    /// `./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/{App}/Policy/{FileUid}`.
    pub fn uri(&self) -> String {
        format!("{ADMX_INSTALL}/{}/Policy/{}", self.app, self.file_uid)
    }
}

/// The custom OMA-URI route of one vendor policy in one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorRoute {
    /// `./Device/Vendor/MSFT/Policy/Config/{App}~Policy~{category path}/{policy}`.
    pub uri: String,
    /// The category path, root first, `~`-joined (`googlechrome~LocalNetworkAccessSettings`).
    pub category: String,
    /// The ADMX policy name.
    pub policy: String,
    /// The ids a `<data id>` of the payload may name: the policy's element ids, in ADMX order.
    pub data_ids: Vec<String>,
    pub ingest: Ingest,
    /// What `check`'s note should add about this route (documented disagreements).
    pub caveats: Vec<String>,
}

/// An XML attribute value for the payload: [`xml_attr`], plus tab and line ends as
/// character references (an attribute value's literal tab or line end is read back as a
/// space, XML 1.0 section 3.3.3).
fn attr(s: &str) -> Result<String, String> {
    Ok(xml_attr(s)?
        .replace('\t', "&#x9;")
        .replace('\n', "&#xA;")
        .replace('\r', "&#xD;"))
}

/// The `<data value>` of one element (escaped), or why it cannot be sent.
fn element_data(p: &Policy, e: &Element, v: &ElementValue) -> Result<String, String> {
    let at = || format!("policy {}: element {} (<{}>)", p.name, e.id, e.kind);
    match (e.kind.as_str(), v) {
        ("boolean", ElementValue::Bool(b)) => Ok(if *b { "true" } else { "false" }.to_string()),
        ("decimal", ElementValue::Number(n)) => {
            if u32::try_from(*n).is_err() {
                return Err(format!("{}: {n} does not fit a REG_DWORD", at()));
            }
            Ok(n.to_string())
        }
        ("longDecimal", ElementValue::Number(n)) => Ok(n.to_string()),
        ("text", ElementValue::Text(t)) => attr(t),
        ("multiText", ElementValue::Strings(lines)) => {
            let mut parts = Vec::with_capacity(lines.len());
            for l in lines {
                if l.contains('\u{F000}') {
                    return Err(format!(
                        "{}: `{l}` holds U+F000, the separator of OMA-URI multiText payloads",
                        at()
                    ));
                }
                if l.is_empty() {
                    return Err(format!(
                        "{}: an empty string cannot be carried (REG_MULTI_SZ ends at an empty string)",
                        at()
                    ));
                }
                parts.push(attr(l)?);
            }
            Ok(parts.join(LIST_SEPARATOR))
        }
        ("list", ElementValue::List(entries)) => {
            // The engine's value names (state.rs): the admin's with explicitValue, else
            // valuePrefix + 1, 2, ..., else the value itself.
            let named: Vec<(String, String)> = entries
                .iter()
                .enumerate()
                .map(|(i, (n, value))| {
                    let name = if e.flag("explicitValue") {
                        n.clone()
                    } else if let Some(prefix) = e.attr("valuePrefix") {
                        format!("{prefix}{}", i + 1)
                    } else {
                        value.clone()
                    };
                    (name, value.clone())
                })
                .collect();
            let joined = list_value(&named).map_err(|m| format!("{}: {m}", at()))?;
            Ok(joined
                .replace('\t', "&#x9;")
                .replace('\n', "&#xA;")
                .replace('\r', "&#xD;"))
        }
        ("enum", ElementValue::Enum(i)) => {
            let item = e
                .enum_items
                .get(*i)
                .ok_or_else(|| format!("{}: has no item {i}", at()))?;
            let value = item.value.as_ref().and_then(Value::text).ok_or_else(|| {
                format!(
                    "{}: item {i} has no value the payload could name (Microsoft documents the item's value as the data value)",
                    at()
                )
            })?;
            let same = e.enum_items.iter().enumerate().any(|(j, o)| {
                j != *i && o.value.as_ref().and_then(Value::text) == Some(value.clone())
            });
            if same {
                return Err(format!(
                    "{}: another item has the same value `{value}`, so the payload cannot name item {i}",
                    at()
                ));
            }
            attr(&value)
        }
        _ => Err(format!("{} cannot take {v:?}", at())),
    }
}

/// The OMA-URI value of an ADMX-backed policy in `state`: `<disabled/>`, or `<enabled/>`
/// and one `<data id=".." value=".."/>` per element that has a value, in ADMX order.
/// Errors name the policy and element: an element id the policy does not define, a value
/// of the wrong kind, a number over a REG_DWORD for `decimal`, U+F000 (the separator)
/// inside a list or multiText string, an enum item the payload cannot name. Elements
/// without a value are left out: Microsoft's page says every field must be supplied, so
/// callers give every element a value (e.g. [`Policy::presentation_defaults`] first).
pub fn payload(policy: &Policy, state: &PolicyState) -> Result<String, String> {
    let values = match state {
        PolicyState::Disabled => return Ok("<disabled/>".to_string()),
        PolicyState::Enabled(values) => values,
    };
    if let Some(id) = values
        .keys()
        .find(|id| !policy.elements.iter().any(|e| &e.id == *id))
    {
        return Err(format!("policy {}: no element `{id}`", policy.name));
    }
    let mut s = String::from("<enabled/>");
    for e in &policy.elements {
        if let Some(v) = values.get(&e.id) {
            let data = element_data(policy, e, v)?;
            s.push_str(&format!("<data id=\"{}\" value=\"{data}\"/>", attr(&e.id)?));
        }
    }
    Ok(s)
}

/// A category reference that names a category of this file: a bare name, or one with
/// the file's own target prefix.
fn own_ref<'a>(admx: &Admx, r: &'a str) -> Option<&'a str> {
    match r.split_once(':') {
        None => Some(r),
        Some((prefix, name)) if prefix == admx.target.prefix => Some(name),
        Some(_) => None,
    }
}

/// The category path of `policy` inside its own file, root first, `~`-joined: the
/// parentCategory chain up to a parent in another namespace (Chrome's `googlechrome` ->
/// `Google:Cat_Google` stops at `googlechrome`). Errors for a policy with no category, a
/// reference to a category the file does not define, a loop, or a name that is not an
/// OMA-URI segment.
pub fn category_path(admx: &Admx, policy: &Policy) -> Result<String, String> {
    let first = policy.parent_category.as_deref().ok_or_else(|| {
        format!(
            "policy {} has no parentCategory, and no OMA-URI is documented for a policy outside every category",
            policy.name
        )
    })?;
    let mut path: Vec<&str> = Vec::new();
    let mut cur = own_ref(admx, first);
    if cur.is_none() {
        return Err(format!(
            "policy {}: its category `{first}` is in another template, so its ingested area has no category path",
            policy.name
        ));
    }
    while let Some(name) = cur {
        if path.contains(&name) {
            return Err(format!(
                "policy {}: category `{name}` is its own ancestor",
                policy.name
            ));
        }
        let c = admx
            .categories
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                format!(
                    "policy {}: category `{name}` is not defined in its file",
                    policy.name
                )
            })?;
        if !uri_segment_ok(&c.name) {
            return Err(format!(
                "policy {}: category `{}` is not an OMA-URI segment (letters, digits, _)",
                policy.name, c.name
            ));
        }
        path.push(&c.name);
        cur = c.parent.as_deref().and_then(|r| own_ref(admx, r));
    }
    path.reverse();
    Ok(path.join("~"))
}

fn list_keys<'a>(l: &'a Option<ValueList>, key: &'a str, out: &mut Vec<&'a str>) {
    if let Some(l) = l {
        let d = l.default_key.as_deref().unwrap_or(key);
        out.extend(l.items.iter().map(|i| i.key.as_deref().unwrap_or(d)));
    }
}

/// Every registry key a policy writes into in any state: its key, its value lists, each
/// element's key and the lists of booleans and enum items.
pub fn written_keys(p: &Policy) -> Vec<&str> {
    let mut out = vec![p.key.as_str()];
    list_keys(&p.enabled_list, &p.key, &mut out);
    list_keys(&p.disabled_list, &p.key, &mut out);
    for e in &p.elements {
        let k = e.attr("key").unwrap_or(&p.key);
        out.push(k);
        list_keys(&e.true_list, k, &mut out);
        list_keys(&e.false_list, k, &mut out);
        for i in &e.enum_items {
            list_keys(&i.value_list, k, &mut out);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Why Intune would refuse to ingest the whole file (a file with one refused policy is
/// refused as a whole: debay.blog, "Deep Dive - ADMX Ingestion", cited in [`super`]).
fn ingest_refusal(file: &str, admx: &Admx) -> Option<String> {
    for p in &admx.policies {
        if let Some((k, root)) = written_keys(p)
            .into_iter()
            .find_map(|k| blocked_root(k).map(|r| (k, r)))
        {
            return Some(format!(
                "{file} cannot be ingested: its policy {} writes `{k}`, within `{root}`, where Intune refuses ingested ADMX policies",
                p.name
            ));
        }
        if let Some(e) = p.elements.iter().find(|e| e.kind == "longDecimal") {
            return Some(format!(
                "{file} cannot be ingested: its policy {} has the longDecimal (REG_QWORD) element {}, which the Policy CSP refuses with a Catastrophic Failure (Micke-K/IntuneManagement ADMXImport.md)",
                p.name, e.id
            ));
        }
    }
    None
}

/// `{AppName}` for a template no vendor documents: the file name without `.admx`, keeping
/// ASCII letters, digits and `_` (`Dell Command Update.admx` -> `DellCommandUpdate`).
pub fn derived_app(file: &str) -> String {
    let stem = file
        .rsplit_once('.')
        .filter(|(_, x)| x.eq_ignore_ascii_case("admx"))
        .map_or(file, |(s, _)| s);
    stem.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Store files the template refers to through `using`, Windows' own
/// (`Microsoft.Policies.Windows`, `Microsoft.Policies.Products`) excluded.
fn required_files(store: &Store, admx: &Admx) -> Vec<String> {
    let mut out = Vec::new();
    for u in &admx.using {
        if u.namespace == "Microsoft.Policies.Windows"
            || u.namespace == "Microsoft.Policies.Products"
        {
            continue;
        }
        for f in store
            .files
            .iter()
            .filter(|f| f.admx.target.namespace == u.namespace)
        {
            if !out.contains(&f.name) {
                out.push(f.name.clone());
            }
        }
    }
    out
}

/// The vendor's documented ingestion record for `namespace`, if a product has one.
pub fn documented_app<'c>(catalog: &'c Catalog, namespace: &str) -> Option<&'c AdmxApp> {
    catalog
        .products
        .values()
        .filter_map(|p| p.intune_admx.as_ref())
        .find(|a| a.namespace == namespace)
}

/// How the store's file `file` (by name) is ingested: the product's documented App and
/// file id for a vendor the catalog knows (Chrome, Edge), else one derived from the file
/// name; `Err` with the reason when it cannot be (a Microsoft template, a key Intune
/// refuses, a longDecimal element, a file name with no usable letters, or another store
/// file deriving the same App).
pub fn ingest_for(
    store: &Store,
    catalog: &Catalog,
    file: &str,
) -> Result<(Ingest, Vec<String>), String> {
    let f = store
        .files
        .iter()
        .find(|f| f.name == file)
        .ok_or_else(|| format!("the store has no readable file {file}"))?;
    let admx = &f.admx;
    let ns = &admx.target.namespace;
    let requires = required_files(store, admx);
    if let Some(a) = documented_app(catalog, ns) {
        let mut caveats = Vec::new();
        if let Some(refusal) = ingest_refusal(file, admx) {
            caveats.push(format!(
                "{refusal}; the vendor documents ingesting it all the same ({}), so the route is kept: unconfirmed which holds",
                a.sources.first().map_or("", |s| s.url.as_str())
            ));
        }
        return Ok((
            Ingest {
                app: a.app.clone(),
                file: f.name.clone(),
                file_uid: a.file_uid.clone(),
                requires,
                documented_by: a.sources.first().map(|s| s.url.clone()),
            },
            caveats,
        ));
    }
    if ns.starts_with("Microsoft.Policies.") {
        return Err(format!(
            "{file} is a Microsoft template (namespace {ns}): Windows' own templates are built in and reached through Policy CSP nodes whose names Windows chooses (not derivable from the ADMX), and Microsoft's templates write within Software\\Policies\\Microsoft or Software\\Microsoft, where Intune refuses ingested policies; use the Settings Catalog, a documented Policy CSP node, or powershell/remediate.ps1"
        ));
    }
    if let Some(refusal) = ingest_refusal(file, admx) {
        return Err(refusal);
    }
    let app = derived_app(file);
    if app.is_empty() || !uri_segment_ok(&app) {
        return Err(format!(
            "{file}: no Intune App name can be derived from the file name (letters, digits, _)"
        ));
    }
    let clash = store.files.iter().find(|o| {
        o.name != f.name
            && (derived_app(&o.name).eq_ignore_ascii_case(&app)
                || documented_app(catalog, &o.admx.target.namespace)
                    .is_some_and(|a| a.app.eq_ignore_ascii_case(&app)))
    });
    if let Some(o) = clash {
        return Err(format!(
            "{file}: its derived Intune App name `{app}` is also {}'s; ingest one of them by hand under another App",
            o.name
        ));
    }
    Ok((
        Ingest {
            file_uid: format!("{app}Admx"),
            app,
            file: f.name.clone(),
            requires,
            documented_by: None,
        },
        Vec::new(),
    ))
}

/// The custom OMA-URI route of the vendor policy `p` in `hive`, from its own ADMX, or the
/// reason there is none (for the lead's note).
pub fn route(
    store: &Store,
    p: PolicyRef<'_>,
    hive: Hive,
    catalog: &Catalog,
) -> Result<VendorRoute, String> {
    let policy = p.policy;
    if !policy.allows(hive) {
        return Err(format!(
            "policy {} is class {}, which has no {} OMA-URI",
            policy.name,
            policy.class,
            uri_scope(hive)
        ));
    }
    if !uri_segment_ok(&policy.name) {
        return Err(format!(
            "policy name `{}` is not an OMA-URI segment (letters, digits, _)",
            policy.name
        ));
    }
    let (ingest, caveats) = ingest_for(store, catalog, &p.file.name)?;
    let category = category_path(&p.file.admx, policy)?;
    Ok(VendorRoute {
        uri: format!(
            "./{}/Vendor/MSFT/Policy/Config/{}~Policy~{category}/{}",
            uri_scope(hive),
            ingest.app,
            policy.name
        ),
        category,
        policy: policy.name.clone(),
        data_ids: policy.elements.iter().map(|e| e.id.clone()).collect(),
        ingest,
        caveats,
    })
}

impl VendorRoute {
    /// How Intune delivers the policy, in words, for `check`'s notes.
    pub fn describe(&self) -> String {
        let how = match &self.ingest.documented_by {
            Some(url) => format!("as the vendor documents ({url})"),
            None => "an App name derived from the file name; no vendor documents one".to_string(),
        };
        let mut s = format!(
            "custom OMA-URI {}; needs {} ingested as App {} ({}), {how}",
            self.uri,
            self.ingest.file,
            self.ingest.app,
            self.ingest.uri()
        );
        for c in &self.caveats {
            s.push_str("; ");
            s.push_str(c);
        }
        s
    }
}

/// The custom profile's setting for vendor policy `p` in `state` along `route` (from
/// [`route`] for the same policy and scope): a Graph `omaSettingString` whose value is
/// [`payload`]. `label` names the spec setting (e.g. `settings[3]`) in the description.
pub fn setting(
    p: PolicyRef<'_>,
    route: &VendorRoute,
    state: &PolicyState,
    label: &str,
) -> Result<OmaSetting, String> {
    let value = payload(p.policy, state)?;
    let what = match state {
        PolicyState::Enabled(_) => "Enabled",
        PolicyState::Disabled => "Disabled",
    };
    Ok(OmaSetting {
        odata_type: "#microsoft.graph.omaSettingString",
        display_name: format!("{} ({})", p.display_name(), p.id()),
        description: format!(
            "{label}: {} {what}, from {}. Needs {} ingested as App {} first ({}).",
            p.id(),
            p.file.name,
            route.ingest.file,
            route.ingest.app,
            route.ingest.uri()
        ),
        oma_uri: route.uri.clone(),
        value: OmaValue::String(value),
    })
}

/// The ADMXInstall setting that ingests `ingest.file` from the store folder `store_dir`:
/// a Graph `omaSettingString` whose value is the file's text as the vendor ships it,
/// decoded by its bytes (UTF-16 with BOM, else UTF-8; a UTF-8 BOM dropped) and otherwise
/// unchanged (line ends, XML declaration: "Don't modify the ADMX file before ingesting",
/// the Edge page). Intune takes the value as a JSON string (Graph sends Unicode; the device
/// receives it as SyncML `chr` data, which is XML text), so the file's own byte encoding
/// does not travel. The text must read as an ADMX and hold only characters XML 1.0 allows.
pub fn ingest_setting(store_dir: &Path, ingest: &Ingest) -> Result<OmaSetting, String> {
    let path = store_dir.join(&ingest.file);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = reader::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(c) = text
        .chars()
        .find(|c| crate::admx::template::xml_forbidden(*c))
    {
        return Err(format!(
            "{}: holds U+{:04X}, which XML 1.0 cannot carry",
            path.display(),
            c as u32
        ));
    }
    let admx = reader::read_admx(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let how = match &ingest.documented_by {
        Some(url) => format!("App and file id as the vendor documents them ({url})"),
        None => "App and file id derived from the file name (no vendor documentation)".to_string(),
    };
    Ok(OmaSetting {
        odata_type: "#microsoft.graph.omaSettingString",
        display_name: format!("ADMX ingestion: {} as App {}", ingest.file, ingest.app),
        description: format!(
            "Ingests the vendor's {} (namespace {}, revision {}) unchanged as App {}, before the {}~Policy~... settings. {how}.",
            ingest.file, admx.target.namespace, admx.revision, ingest.app, ingest.app
        ),
        oma_uri: ingest.uri(),
        value: OmaValue::String(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admx::reader::read_admx;
    use std::collections::BTreeMap;

    const ADMX: &str = r#"<policyDefinitions revision="2.5" schemaVersion="1.0"><policyNamespaces><target prefix="t" namespace="Test.Policies.T"/><using prefix="other" namespace="Other.Policies"/></policyNamespaces><resources minRequiredRevision="1.0"/>
<categories>
  <category name="root_cat" displayName="$(string.R)"><parentCategory ref="other:Cat_Other"/></category>
  <category name="Sub" displayName="$(string.S)"><parentCategory ref="t:root_cat"/></category>
  <category name="Bad-Name" displayName="$(string.B)"><parentCategory ref="root_cat"/></category>
</categories>
<policies>
  <policy name="Every" class="Both" displayName="$(string.E)" key="Software\Policies\T" valueName="On">
    <parentCategory ref="Sub"/>
    <elements>
      <boolean id="B" valueName="Flag"/>
      <decimal id="D" valueName="Count"/>
      <longDecimal id="Q" valueName="Big"/>
      <text id="T" valueName="Path"/>
      <multiText id="M" valueName="Lines"/>
      <enum id="E" valueName="Mode"><item displayName="$(string.A)"><value><decimal value="3"/></value></item><item displayName="$(string.B)"><value><string>b&amp;c</string></value></item><item displayName="$(string.C)"><valueList><item valueName="X"><value><decimal value="1"/></value></item></valueList></item></enum>
      <list id="L" key="Software\Policies\T\L" valuePrefix=""/>
      <list id="P" key="Software\Policies\T\P" valuePrefix="Item"/>
      <list id="N" key="Software\Policies\T\N"/>
      <list id="X" key="Software\Policies\T\X" explicitValue="true"/>
    </elements>
  </policy>
  <policy name="Plain" class="Machine" displayName="$(string.P)" key="Software\Policies\T" valueName="Plain"><parentCategory ref="root_cat"/></policy>
  <policy name="Loose" class="User" displayName="$(string.P)" key="Software\Policies\T" valueName="Loose"/>
  <policy name="Odd" class="User" displayName="$(string.P)" key="Software\Policies\T" valueName="Odd"><parentCategory ref="Bad-Name"/></policy>
  <policy name="Away" class="User" displayName="$(string.P)" key="Software\Policies\T" valueName="Away"><parentCategory ref="other:Cat_Other"/></policy>
</policies></policyDefinitions>"#;

    fn admx() -> Admx {
        read_admx(ADMX).unwrap()
    }

    fn enabled(v: &[(&str, ElementValue)]) -> PolicyState {
        PolicyState::Enabled(
            v.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn pairs(v: &[&str]) -> ElementValue {
        ElementValue::List(v.iter().map(|s| (String::new(), s.to_string())).collect())
    }

    #[test]
    fn payload_of_every_element_kind() {
        let a = admx();
        let p = &a.policies[0];
        let state = enabled(&[
            ("B", ElementValue::Bool(true)),
            ("D", ElementValue::Number(7)),
            ("Q", ElementValue::Number(1 << 40)),
            ("T", ElementValue::Text("a\"<b>&\n".into())),
            ("M", ElementValue::Strings(vec!["x".into(), "y&".into()])),
            ("E", ElementValue::Enum(1)),
            ("L", pairs(&["https://a", "https://b"])),
            ("P", pairs(&["p"])),
            ("N", pairs(&["n1", "n2"])),
            (
                "X",
                ElementValue::List(vec![("name".into(), "value".into())]),
            ),
        ]);
        assert_eq!(
            payload(p, &state).unwrap(),
            concat!(
                "<enabled/>",
                r#"<data id="B" value="true"/>"#,
                r#"<data id="D" value="7"/>"#,
                r#"<data id="Q" value="1099511627776"/>"#,
                r#"<data id="T" value="a&quot;&lt;b&gt;&amp;&#xA;"/>"#,
                r#"<data id="M" value="x&#xF000;y&amp;"/>"#,
                r#"<data id="E" value="b&amp;c"/>"#,
                r#"<data id="L" value="1&#xF000;https://a&#xF000;2&#xF000;https://b"/>"#,
                r#"<data id="P" value="Item1&#xF000;p"/>"#,
                r#"<data id="N" value="n1&#xF000;n1&#xF000;n2&#xF000;n2"/>"#,
                r#"<data id="X" value="name&#xF000;value"/>"#,
            )
        );
        // A decimal enum item sends its value (3), not its index (0); false is "false".
        assert_eq!(
            payload(
                p,
                &enabled(&[
                    ("E", ElementValue::Enum(0)),
                    ("B", ElementValue::Bool(false))
                ])
            )
            .unwrap(),
            r#"<enabled/><data id="B" value="false"/><data id="E" value="3"/>"#
        );
        assert_eq!(payload(p, &PolicyState::Disabled).unwrap(), "<disabled/>");
        assert_eq!(
            payload(&a.policies[1], &enabled(&[])).unwrap(),
            "<enabled/>"
        );
    }

    #[test]
    fn payload_refusals() {
        let a = admx();
        let p = &a.policies[0];
        let bad = |v: &[(&str, ElementValue)], needle: &str| {
            let e = payload(p, &enabled(v)).unwrap_err();
            assert!(e.contains(needle), "{e}");
        };
        bad(&[("Z", ElementValue::Bool(true))], "no element `Z`");
        bad(&[("D", ElementValue::Text("1".into()))], "cannot take");
        bad(&[("D", ElementValue::Number(1 << 32))], "REG_DWORD");
        bad(&[("E", ElementValue::Enum(3))], "has no item 3");
        bad(&[("E", ElementValue::Enum(2))], "has no value");
        bad(&[("L", pairs(&["a\u{F000}b"]))], "U+F000");
        bad(
            &[(
                "X",
                ElementValue::List(vec![("n\u{F000}".into(), "v".into())]),
            )],
            "U+F000",
        );
        bad(
            &[("M", ElementValue::Strings(vec!["a\u{F000}".into()]))],
            "U+F000",
        );
        bad(
            &[("M", ElementValue::Strings(vec![String::new()]))],
            "empty string",
        );
        bad(&[("T", ElementValue::Text("\u{1}".into()))], "XML 1.0");
    }

    #[test]
    fn duplicate_enum_values_are_ambiguous() {
        let mut a = admx();
        let e = a.policies[0]
            .elements
            .iter_mut()
            .find(|e| e.id == "E")
            .unwrap();
        e.enum_items[1].value = Some(Value::Decimal(3));
        let err = payload(&a.policies[0], &enabled(&[("E", ElementValue::Enum(1))])).unwrap_err();
        assert!(err.contains("same value `3`"), "{err}");
    }

    #[test]
    fn category_paths_stay_in_the_file() {
        let a = admx();
        // `t:root_cat` is the file's own prefix; `other:Cat_Other` is left out.
        assert_eq!(category_path(&a, &a.policies[0]).unwrap(), "root_cat~Sub");
        assert_eq!(category_path(&a, &a.policies[1]).unwrap(), "root_cat");
        assert!(category_path(&a, &a.policies[2])
            .unwrap_err()
            .contains("no parentCategory"));
        assert!(category_path(&a, &a.policies[3])
            .unwrap_err()
            .contains("not an OMA-URI segment"));
        assert!(category_path(&a, &a.policies[4])
            .unwrap_err()
            .contains("another template"));
        let mut looped = a.clone();
        looped.categories[0].parent = Some("Sub".into());
        assert!(category_path(&looped, &looped.policies[0])
            .unwrap_err()
            .contains("own ancestor"));
    }

    #[test]
    fn written_keys_cover_lists_and_elements() {
        let a = admx();
        assert_eq!(
            written_keys(&a.policies[0]),
            [
                "Software\\Policies\\T",
                "Software\\Policies\\T\\L",
                "Software\\Policies\\T\\N",
                "Software\\Policies\\T\\P",
                "Software\\Policies\\T\\X"
            ]
        );
        assert_eq!(derived_app("Dell Command Update.admx"), "DellCommandUpdate");
        assert_eq!(
            derived_app("WinGet-AutoUpdate-Configurator.ADMX"),
            "WinGetAutoUpdateConfigurator"
        );
        assert_eq!(derived_app("---.admx"), "");
    }

    #[test]
    fn a_bad_record_is_refused_when_the_catalog_loads() {
        let product = "id: x\nname: X\nkind: browser\nsources: [{url: https://x}]\nintune_admx: {namespace: X.P, file: x.admx, app: \"X App\", file_uid: XAdmx, sources: [{url: https://x}]}\n";
        let e = Catalog::from_files(&[], &[("x.yaml", product)]).unwrap_err();
        assert!(
            e.contains("products/x.yaml: intune_admx app `X App`"),
            "{e}"
        );
        let ok = product.replace("\"X App\"", "XApp");
        assert!(Catalog::from_files(&[], &[("x.yaml", &ok)]).is_ok());
    }

    #[test]
    fn builtin_records_are_consistent() {
        let c = Catalog::builtin().unwrap();
        let records: Vec<&AdmxApp> = c
            .products
            .values()
            .filter_map(|p| p.intune_admx.as_ref())
            .collect();
        assert_eq!(records.len(), 2);
        for r in records {
            r.check().unwrap();
        }
        assert_eq!(
            documented_app(c, "Google.Policies.Chrome").unwrap().app,
            "Chrome"
        );
        assert_eq!(
            documented_app(c, "Microsoft.Policies.Edge")
                .unwrap()
                .file_uid,
            "EdgeAdmx"
        );
    }
}
