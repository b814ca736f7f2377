//! `policy:` settings: any policy of a vendor template in the central store
//! (`templates:` / `--templates`), checked against its own ADMX definition.
//!
//! ```yaml
//! - policy: Google.Policies.Chrome:LocalNetworkAccessBlockedForUrls
//!   state: enabled            # enabled | disabled
//!   value: [https://example.org]   # one element: its value; several: element id -> value
//!   scope: machine            # class Both only; default machine
//! ```
//!
//! Element values follow the ADMX schema's element definitions (Microsoft's ADMX schema
//! reference, <https://learn.microsoft.com/en-us/previous-versions/windows/desktop/policy/element-elements>):
//! `boolean` true/false; `decimal`/`longDecimal` a number in `minValue`..`maxValue`
//! (defaults 0 and 9999); `text` a string of at most `maxLength` characters (default
//! 1023); `multiText` a list of such strings, at most `maxStrings` when that is not 0;
//! `enum` an item, by its string id, its display text or its registry value; `list` a
//! list of strings, or with `explicitValue` a map of value name -> value. An element
//! the spec leaves out takes the default the editor shows (the ADML presentation's
//! `defaultValue`, `defaultChecked`, `defaultItem`); a `required` element without one
//! is an error. The writes are those of [`crate::admx::state`].

use super::{forbidden_char, Validator};
use crate::admx::reader::{Element, Policy, Write};
use crate::admx::state::{ElementValue, PolicyState};
use crate::admx::store::{self, Store};
use crate::catalog::Scope;
use crate::diag;
use crate::reg::Hive;
use serde_yaml::Value as Yaml;
use std::collections::BTreeMap;

/// A validated `policy:` setting.
#[derive(Debug, Clone)]
pub struct VendorSetting {
    /// Index in the spec's `settings` list.
    pub index: usize,
    /// `NAMESPACE:NAME`.
    pub id: String,
    /// The ADMX file that defines it, e.g. `chrome.admx`.
    pub file: String,
    /// The ADMX target namespace's prefix in that file (e.g. `chrome`).
    pub prefix: String,
    pub policy: Policy,
    /// The policy's display name (ADML), for the docs.
    pub display_name: String,
    /// The category chain, root first, as display names.
    pub category: Vec<String>,
    /// The category chain within the policy's own ADMX file, as category names, root
    /// first (the `{category path}` of an ingested ADMX's OMA-URI).
    pub category_names: Vec<String>,
    /// Catalog product whose policy key holds the policy's key (`chrome`, `edge`), else
    /// `windows` for Windows' own `Microsoft.Policies.*` templates, else the file's stem.
    pub product: String,
    pub hive: Hive,
    pub state: PolicyState,
    /// What the Group Policy engine writes for `state` ([`Policy::writes`]).
    pub writes: Vec<Write>,
    /// The custom OMA-URI route and setting from the policy's own ADMX
    /// ([`crate::intune::vendor`]), or why Intune cannot carry it (the PowerShell
    /// remediation then delivers it).
    pub intune: Result<VendorIntune, String>,
}

/// How Intune's custom profile carries a vendor policy.
#[derive(Debug, Clone)]
pub struct VendorIntune {
    pub route: crate::intune::vendor::VendorRoute,
    pub setting: crate::intune::OmaSetting,
}

impl VendorSetting {
    pub fn spec_path(&self) -> String {
        format!("settings[{}]", self.index)
    }
}

/// The catalog product a vendor policy belongs to (see [`VendorSetting::product`]).
pub fn product_of(
    catalog: &crate::catalog::Catalog,
    namespace: &str,
    file: &str,
    key: &str,
) -> String {
    let k = key.to_ascii_lowercase();
    for p in catalog.products.values() {
        if let Some(pk) = p.policy_key.as_deref() {
            let pk = pk.to_ascii_lowercase();
            if k == pk || k.starts_with(&format!("{pk}\\")) {
                return p.id.clone();
            }
        }
    }
    if namespace.starts_with("Microsoft.Policies.") && catalog.products.contains_key("windows") {
        return "windows".into();
    }
    file.rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_ascii_lowercase()
}

fn yaml_kind(y: &Yaml) -> &'static str {
    match y {
        Yaml::Null => "nothing",
        Yaml::Bool(_) => "true/false",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a map",
        Yaml::Tagged(_) => "a tagged value",
    }
}

impl Validator<'_> {
    fn bad(&mut self, path: &str, msg: String, hint: impl Into<String>) {
        self.err(diag::INVALID_ELEMENT_VALUE, path, msg, Some(hint.into()));
    }

    /// Checks a `policy:` setting against the store; `None` after an error.
    pub(super) fn vendor_setting(
        &mut self,
        i: usize,
        s: &crate::spec::RawSetting,
        store: Option<&Store>,
    ) -> Option<VendorSetting> {
        let base = format!("settings[{i}]");
        let id = s.policy.as_deref().unwrap_or_default();
        let mut ok = true;
        if s.id.is_some() {
            self.err(
                diag::UNKNOWN_KEY,
                &format!("{base}.id"),
                format!("`{base}` has both `id` and `policy`"),
                Some("a setting is a catalog setting (`id:`) or a vendor policy (`policy:`); keep one".into()),
            );
            ok = false;
        }
        if !s.acknowledge.is_empty() {
            self.err(
                diag::UNUSED_ACKNOWLEDGEMENT,
                &format!("{base}.acknowledge"),
                format!("`{base}.acknowledge` has nothing to acknowledge: policyc's security lints run on catalog settings, not on vendor policies"),
                Some("remove `acknowledge`".into()),
            );
            if let Some(d) = self.diags.last_mut() {
                d.severity = diag::Severity::Warning;
            }
        }
        for (k, present) in [
            ("products", s.products.is_some()),
            ("form", s.form.is_some()),
        ] {
            if present {
                self.err(
                    diag::UNKNOWN_KEY,
                    &format!("{base}.{k}"),
                    format!("`{k}` does not apply to a vendor policy (`{base}.policy`)"),
                    Some(format!(
                        "remove `{k}`; the policy's ADMX decides where it is written"
                    )),
                );
                ok = false;
            }
        }
        let Some(store) = store else {
            self.err(
                diag::TEMPLATES_REQUIRED,
                &format!("{base}.policy"),
                format!("`{base}.policy` `{id}` needs a central store to read it from"),
                Some("add `templates: PATH` (a PolicyDefinitions folder, relative to the spec) or pass --templates PATH".into()),
            );
            return None;
        };
        let Some(p) = store.get(id) else {
            let hint = match store.closest(id) {
                Some(x) => format!("did you mean `{x}`?"),
                None if !id.contains(':') => "write NAMESPACE:NAME, e.g. Google.Policies.Chrome:URLAllowlist; `policyc catalog --templates DIR` lists them".to_string(),
                None => {
                    let broken: Vec<String> = store.problems.iter().map(|p| p.to_string()).collect();
                    if broken.is_empty() {
                        "`policyc catalog --templates DIR` lists the store's policies".to_string()
                    } else {
                        format!("the store has files that could not be read, one may define it: {}", broken.join("; "))
                    }
                }
            };
            self.err(
                diag::UNKNOWN_POLICY,
                &format!("{base}.policy"),
                format!("unknown policy `{id}` in the central store"),
                Some(hint),
            );
            return None;
        };
        let policy = p.policy;
        // Scope: the class decides; `Both` defaults to machine (Computer Configuration).
        let hive = match (s.scope.as_deref(), policy.class.as_str()) {
            (None, "User") => Hive::Hkcu,
            (None, _) => Hive::Hklm,
            (Some("machine"), _) => Hive::Hklm,
            (Some("user"), _) => Hive::Hkcu,
            (Some(other), _) => {
                self.err(
                    diag::WRONG_TYPE,
                    &format!("{base}.scope"),
                    format!("`{base}.scope` must be machine or user, not `{other}`"),
                    Some("use `machine` or `user`".into()),
                );
                return None;
            }
        };
        if !policy.allows(hive) {
            let other = if hive == Hive::Hklm {
                Hive::Hkcu
            } else {
                Hive::Hklm
            };
            self.err(
                diag::SCOPE_NOT_SUPPORTED,
                &format!("{base}.scope"),
                format!(
                    "policy `{id}` has class {} and cannot be applied in scope {}",
                    policy.class,
                    Scope::of(hive).as_str()
                ),
                Some(format!("use scope: {}", Scope::of(other).as_str())),
            );
            return None;
        }
        let state = match s.state.as_deref() {
            Some("enabled") => true,
            Some("disabled") => false,
            None => {
                self.err(
                    diag::MISSING_KEY,
                    &base,
                    format!("`{base}` sets policy `{id}` but has no `state`"),
                    Some("add `state: enabled` or `state: disabled`".into()),
                );
                return None;
            }
            Some(other) => {
                let hint = diag::did_you_mean(other, ["enabled", "disabled"])
                    .map_or("use `enabled` or `disabled`".into(), |x| {
                        format!("did you mean `{x}`?")
                    });
                self.err(
                    diag::WRONG_TYPE,
                    &format!("{base}.state"),
                    format!("`{base}.state` must be enabled or disabled, not `{other}`"),
                    Some(hint),
                );
                return None;
            }
        };
        let state = if state {
            PolicyState::Enabled(self.element_values(&base, p.file, policy, s.value.as_ref())?)
        } else {
            if s.value.is_some() {
                self.err(
                    diag::INVALID_ELEMENT_VALUE,
                    &format!("{base}.value"),
                    format!("`{base}` disables `{id}`; a disabled policy takes no value"),
                    Some("remove `value`, or set `state: enabled`".into()),
                );
                return None;
            }
            PolicyState::Disabled
        };
        if !ok {
            return None;
        }
        let writes = match policy.writes(hive, &state) {
            Ok(w) => w,
            Err(e) => {
                self.bad(
                    &base,
                    format!("policy `{id}`: {e}"),
                    "check the value against `policyc catalog --templates DIR --policy ID`",
                );
                return None;
            }
        };
        let intune = crate::intune::vendor::route(store, p, hive, self.catalog).and_then(|route| {
            let setting = crate::intune::vendor::setting(p, &route, &state, &base)?;
            Ok(VendorIntune { route, setting })
        });
        let namespace = &p.file.admx.target.namespace;
        let path = store.category_path(p);
        let own_ns = format!("{namespace}:");
        Some(VendorSetting {
            index: i,
            id: p.id(),
            file: p.file.name.clone(),
            prefix: p.file.admx.target.prefix.clone(),
            display_name: p.display_name(),
            category: path.iter().map(|(_, d)| d.clone()).collect(),
            category_names: path
                .iter()
                .filter_map(|(c, _)| c.strip_prefix(&own_ns).map(str::to_string))
                .collect(),
            product: product_of(self.catalog, namespace, &p.file.name, &policy.key),
            policy: policy.clone(),
            hive,
            state,
            writes,
            intune,
        })
    }

    /// The element values of an Enabled policy: `value` is the one element's value, or
    /// a map of element id -> value; left-out elements take the editor's defaults.
    fn element_values(
        &mut self,
        base: &str,
        file: &store::File,
        policy: &Policy,
        value: Option<&Yaml>,
    ) -> Option<BTreeMap<String, ElementValue>> {
        let vpath = format!("{base}.value");
        let mut out = policy.presentation_defaults(file.adml.as_ref());
        let mut ok = true;
        match (&policy.elements[..], value) {
            ([], None) => {}
            ([], Some(_)) => {
                self.bad(
                    &vpath,
                    format!(
                        "policy `{}` has no elements; it takes no value",
                        policy.name
                    ),
                    "remove `value`; `state: enabled` is the whole setting",
                );
                return None;
            }
            ([e], Some(y)) => {
                let v = self.element_value(&vpath, file, e, y)?;
                out.insert(e.id.clone(), v);
            }
            (_, None) => {}
            (elements, Some(Yaml::Mapping(m))) => {
                for (k, y) in m {
                    let Some(k) = k.as_str() else {
                        self.bad(
                            &vpath,
                            format!("`{vpath}` keys must be element ids"),
                            "write each element id as a key",
                        );
                        return None;
                    };
                    let path = format!("{vpath}.{k}");
                    let Some(e) = elements.iter().find(|e| e.id == k) else {
                        let ids: Vec<&str> = elements.iter().map(|e| e.id.as_str()).collect();
                        let hint = diag::did_you_mean(k, ids.iter().copied()).map_or_else(
                            || format!("the elements are: {}", ids.join(", ")),
                            |x| format!("did you mean `{x}`?"),
                        );
                        self.err_key(
                            diag::INVALID_ELEMENT_VALUE,
                            &path,
                            format!("policy `{}` has no element `{k}`", policy.name),
                            Some(hint),
                        );
                        ok = false;
                        continue;
                    };
                    match self.element_value(&path, file, e, y) {
                        Some(v) => {
                            out.insert(e.id.clone(), v);
                        }
                        None => ok = false,
                    }
                }
            }
            (elements, Some(y)) => {
                let ids: Vec<&str> = elements.iter().map(|e| e.id.as_str()).collect();
                self.bad(
                    &vpath,
                    format!("policy `{}` has {} elements; `{vpath}` must be a map of element id -> value, not {}", policy.name, elements.len(), yaml_kind(y)),
                    format!("write `value:` with the keys {}", ids.join(", ")),
                );
                return None;
            }
        }
        for e in &policy.elements {
            // An Enabled list with no entries writes nothing but the clearing of its key;
            // `value: []` is refused for the same reason (set `state: disabled` to clear it).
            if e.kind == "list" && !out.contains_key(&e.id) {
                let path = if policy.elements.len() == 1 {
                    base.to_string()
                } else {
                    vpath.clone()
                };
                self.err(
                    diag::EMPTY_LIST,
                    &path,
                    format!(
                        "policy `{}` is enabled but its list `{}` has no entries",
                        policy.name, e.id
                    ),
                    Some(if policy.elements.len() == 1 {
                        "add `value:` with the entries, or set `state: disabled` to clear the list"
                            .to_string()
                    } else {
                        format!(
                            "add `{}:` under `value:`, or set `state: disabled` to clear the list",
                            e.id
                        )
                    }),
                );
                ok = false;
                continue;
            }
            if e.flag("required") && !out.contains_key(&e.id) {
                let path = if policy.elements.len() == 1 {
                    base.to_string()
                } else {
                    vpath.clone()
                };
                self.bad(
                    &path,
                    format!(
                        "policy `{}` requires element `{}` ({}) and it has no default",
                        policy.name, e.id, e.kind
                    ),
                    if policy.elements.len() == 1 {
                        "add `value:`".to_string()
                    } else {
                        format!("add `{}:` under `value:`", e.id)
                    },
                );
                ok = false;
            }
        }
        ok.then_some(out)
    }

    fn element_value(
        &mut self,
        path: &str,
        file: &store::File,
        e: &Element,
        y: &Yaml,
    ) -> Option<ElementValue> {
        let num_attr = |name: &str, default: u64| {
            e.attr(name)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(default)
        };
        let what = format!("element `{}` ({})", e.id, e.kind);
        let wrong = |me: &mut Self, expected: &str| {
            let hint = match (expected, y) {
                ("a number", Yaml::String(_)) => "write a number, without quotes".to_string(),
                ("a whole number", _) => {
                    "write a whole number, without a decimal point".to_string()
                }
                ("a string", Yaml::Number(_) | Yaml::Bool(_)) => {
                    "quote it, e.g. \"8080\"".to_string()
                }
                _ => format!("give {expected}"),
            };
            let got = match y {
                Yaml::Number(n) if n.is_f64() => "a fraction",
                _ => yaml_kind(y),
            };
            me.bad(
                path,
                format!("`{path}`: {what} takes {expected}, not {got}"),
                hint,
            );
            None
        };
        match e.kind.as_str() {
            "boolean" => match y {
                Yaml::Bool(b) => Some(ElementValue::Bool(*b)),
                _ => wrong(self, "true or false"),
            },
            "decimal" | "longDecimal" => {
                let (lo, hi) = (num_attr("minValue", 0), num_attr("maxValue", 9999));
                let Some(n) = y.as_u64() else {
                    if let Some(neg) = y.as_i64() {
                        self.err(
                            diag::VALUE_OUT_OF_RANGE,
                            path,
                            format!("`{path}` {neg} is outside {lo}..{hi}, the range of {what}"),
                            Some(format!("use a number from {lo} to {hi}")),
                        );
                        return None;
                    }
                    if y.as_f64().is_some() {
                        return wrong(self, "a whole number");
                    }
                    return wrong(self, "a number");
                };
                if n < lo || n > hi {
                    self.err(
                        diag::VALUE_OUT_OF_RANGE,
                        path,
                        format!("`{path}` {n} is outside {lo}..{hi}, the range of {what}"),
                        Some(format!("use a number from {lo} to {hi}")),
                    );
                    return None;
                }
                if e.kind == "decimal" && n > u64::from(u32::MAX) {
                    return wrong(self, "a number that fits 32 bits");
                }
                Some(ElementValue::Number(n))
            }
            "text" => {
                let Some(t) = y.as_str() else {
                    return wrong(self, "a string");
                };
                self.element_text(path, e, t, &what)?;
                Some(ElementValue::Text(t.to_string()))
            }
            "multiText" => {
                let Some(seq) = y.as_sequence() else {
                    return wrong(self, "a list of strings");
                };
                let max = num_attr("maxStrings", 0);
                if max > 0 && seq.len() as u64 > max {
                    self.bad(
                        path,
                        format!(
                            "`{path}` has {} lines; {what} takes at most {max}",
                            seq.len()
                        ),
                        format!("keep at most {max} lines"),
                    );
                    return None;
                }
                let mut lines = Vec::new();
                for (p, t) in self.strings(path, seq, "quote each line")? {
                    let t = t.as_str();
                    // REG_MULTI_SZ ends each string with NUL and the list with an empty one.
                    if t.is_empty() {
                        self.bad(
                            &p,
                            format!("`{p}` is empty; REG_MULTI_SZ cannot hold an empty line"),
                            "remove the empty line",
                        );
                        return None;
                    }
                    self.element_text(&p, e, t, &what)?;
                    lines.push(t.to_string());
                }
                Some(ElementValue::Strings(lines))
            }
            "enum" => {
                let wanted = match y {
                    Yaml::String(s) => s.clone(),
                    Yaml::Number(n) => n.to_string(),
                    _ => return wrong(self, "one of its items"),
                };
                let items = store::enum_item_names(file, e);
                let found = store::find_enum_item(&items, &wanted);
                match found {
                    Some(i) => Some(ElementValue::Enum(i)),
                    None => {
                        let ids: Vec<&str> = items.iter().map(|(id, _, _)| id.as_str()).collect();
                        let hint = diag::did_you_mean(&wanted, ids.iter().copied()).map_or_else(
                            || format!("the items are: {}", ids.join(", ")),
                            |x| format!("did you mean `{x}`?"),
                        );
                        self.bad(
                            path,
                            format!("`{path}` `{wanted}` is not an item of {what}"),
                            hint,
                        );
                        None
                    }
                }
            }
            "list" => {
                let explicit = e.flag("explicitValue");
                let mut entries: Vec<(String, String)> = Vec::new();
                match (y, explicit) {
                    (Yaml::Sequence(seq), false) => {
                        for (_, t) in self.strings(path, seq, "quote the entry")? {
                            entries.push((String::new(), t));
                        }
                    }
                    (Yaml::Mapping(m), true) => {
                        for (k, v) in m {
                            let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                                self.bad(path, format!("`{path}`: {what} takes a map of value name -> value, both strings"), "quote names and values");
                                return None;
                            };
                            entries.push((k.to_string(), v.to_string()));
                        }
                    }
                    (_, true) => {
                        return wrong(
                            self,
                            "a map of value name -> value (its list names each value)",
                        )
                    }
                    (_, false) => return wrong(self, "a list of strings"),
                }
                if entries.is_empty() {
                    self.err(
                        diag::EMPTY_LIST,
                        path,
                        format!("`{path}` is an empty list"),
                        Some("add entries, or set `state: disabled` to clear the list".into()),
                    );
                    return None;
                }
                let mut seen = std::collections::BTreeSet::new();
                for (j, (n, v)) in entries.iter().enumerate() {
                    let p = if explicit {
                        format!("{path}.{n}")
                    } else {
                        format!("{path}[{j}]")
                    };
                    for s in [n, v] {
                        if let Some(c) = s.chars().find(|c| forbidden_char(*c)) {
                            self.err(
                                diag::CONTROL_CHARACTER,
                                &p,
                                format!("`{p}` contains the control character {c:?}"),
                                Some(
                                    "remove line breaks, tabs and other control characters".into(),
                                ),
                            );
                            return None;
                        }
                    }
                    if v.is_empty() {
                        self.bad(&p, format!("`{p}` is empty"), "remove the empty entry");
                        return None;
                    }
                    // The value names are the entries themselves without prefix or names.
                    let name_key = if explicit {
                        n.to_ascii_lowercase()
                    } else {
                        v.to_ascii_lowercase()
                    };
                    let names_collide = explicit || e.attr("valuePrefix").is_none();
                    if !seen.insert(if names_collide { name_key } else { v.clone() }) {
                        self.err(
                            diag::DUPLICATE_ITEM,
                            &p,
                            format!("`{p}` repeats an entry"),
                            Some("remove the repeated entry".into()),
                        );
                        return None;
                    }
                }
                Some(ElementValue::List(entries))
            }
            other => {
                self.bad(
                    path,
                    format!("{what}: policyc does not know the ADMX element kind <{other}>"),
                    "set this policy another way",
                );
                None
            }
        }
    }

    /// Each item of a YAML list as a string, with its spec path; `None` after an error
    /// naming the first item that is not a string.
    fn strings(&mut self, path: &str, seq: &[Yaml], hint: &str) -> Option<Vec<(String, String)>> {
        let mut out = Vec::with_capacity(seq.len());
        for (j, item) in seq.iter().enumerate() {
            let p = format!("{path}[{j}]");
            let Some(t) = item.as_str() else {
                self.bad(
                    &p,
                    format!("`{p}` is {}, not a string", yaml_kind(item)),
                    hint,
                );
                return None;
            };
            out.push((p, t.to_string()));
        }
        Some(out)
    }

    /// A `text`/`multiText` string: at most `maxLength` characters, no control characters.
    fn element_text(&mut self, path: &str, e: &Element, t: &str, what: &str) -> Option<()> {
        let max = e
            .attr("maxLength")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(1023);
        let n = t.chars().count();
        if n > max {
            self.bad(
                path,
                format!("`{path}` has {n} characters; {what} takes at most {max}"),
                format!("shorten it to {max} characters"),
            );
            return None;
        }
        if let Some(c) = t.chars().find(|c| forbidden_char(*c)) {
            self.err(
                diag::CONTROL_CHARACTER,
                path,
                format!("`{path}` contains the control character {c:?}"),
                Some("remove line breaks, tabs and other control characters".into()),
            );
            return None;
        }
        Some(())
    }
}
