//! raw → validated: checks a loaded spec against the catalog and produces typed
//! settings, or diagnostics. Nothing downstream sees an unchecked value.

pub mod grammar;
pub mod items;
pub mod vendor;

use crate::catalog::{Catalog, Entry, Form, ItemKind, ProductKind, Scope, ValueKind};
use crate::diag::{self, Diagnostic};
use crate::spec::{positions::join_key, Loaded};
use serde::Serialize;
use serde_yaml::Value as Yaml;

/// Codes an author may accept per setting with `acknowledge:`.
pub const ACKNOWLEDGEABLE: &[&str] = &[
    diag::WILDCARD_ALL_SITES,
    diag::INSECURE_ORIGIN,
    diag::PUBLIC_SUFFIX_WILDCARD,
    diag::AUTH_ALLOWLIST_LOOPBACK_ONLY,
];

#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    pub name: String,
    pub display_name: String,
    pub version: String,
    pub publisher: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    Intranet = 1,
    Trusted = 2,
    Internet = 3,
    Restricted = 4,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Dword(u32),
    String(String),
    List(Vec<String>),
    ZoneMap(Vec<(String, Zone)>),
}

#[derive(Debug, Clone)]
pub struct Setting {
    /// Index in the spec's `settings` list.
    pub index: usize,
    pub entry: Entry,
    pub scope: Scope,
    pub forms: Vec<Form>,
    pub products: Vec<String>,
    pub value: Value,
    /// The registry locations to write, as (index into `entry.registry`, product),
    /// after form, scope and version selection.
    pub locations: Vec<(usize, String)>,
}

impl Setting {
    pub fn spec_path(&self) -> String {
        format!("settings[{}]", self.index)
    }
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub file: String,
    pub bundle: Bundle,
    pub settings: Vec<Setting>,
    /// `policy:` settings (vendor template policies), in spec order.
    pub vendor: Vec<vendor::VendorSetting>,
}

/// Validates; returns the typed spec when there are no errors, and every diagnostic.
pub fn validate(loaded: &Loaded, catalog: &Catalog) -> (Option<Spec>, Vec<Diagnostic>) {
    validate_with(loaded, catalog, None)
}

/// [`validate`] with a central store for `policy:` settings (`templates:`/`--templates`).
pub fn validate_with(
    loaded: &Loaded,
    catalog: &Catalog,
    store: Option<&crate::admx::store::Store>,
) -> (Option<Spec>, Vec<Diagnostic>) {
    let mut v = Validator {
        loaded,
        catalog,
        store,
        diags: Vec::new(),
    };
    let spec = v.run();
    let has_errors = v.diags.iter().any(Diagnostic::is_error);
    (if has_errors { None } else { Some(spec) }, v.diags)
}

struct Context<'a> {
    products: &'a [String],
    /// (client id, version as written, parsed version)
    clients: &'a [(String, String, [u32; 4])],
    min_browser: Option<u32>,
}

struct Validator<'a> {
    loaded: &'a Loaded,
    catalog: &'a Catalog,
    store: Option<&'a crate::admx::store::Store>,
    diags: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn err(
        &mut self,
        code: &'static str,
        path: &str,
        msg: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut d = self.loaded.diag(code, path, msg);
        d.hint = hint;
        self.diags.push(d);
    }

    /// Like `err`, but points at the mapping key of `path` (a site in a zone map).
    fn err_key(
        &mut self,
        code: &'static str,
        path: &str,
        msg: impl Into<String>,
        hint: Option<String>,
    ) {
        self.err(code, path, msg, hint);
        if let (Some(d), Some((l, c))) = (
            self.diags.last_mut(),
            self.loaded.positions.get(&format!("{path}#key")),
        ) {
            d.line = Some(l);
            d.column = Some(c);
        }
    }

    fn text(&mut self, path: &str, s: &str) {
        if let Some(c) = s.chars().find(|c| forbidden_char(*c)) {
            self.err(
                diag::CONTROL_CHARACTER,
                path,
                format!("`{path}` contains the control character {:?}", c),
                Some("remove line breaks, tabs and other control characters from the value".into()),
            );
        }
    }

    fn run(&mut self) -> Spec {
        let raw = &self.loaded.raw;
        if raw.policyc != 1 {
            self.err(
                diag::UNSUPPORTED_FORMAT,
                "policyc",
                format!("spec format version {} is not supported", raw.policyc),
                Some("this policyc reads `policyc: 1`".into()),
            );
        }
        let b = &raw.bundle;
        if !is_slug(&b.name) {
            self.err(
                diag::INVALID_NAME,
                "bundle.name",
                format!("`bundle.name` `{}` is not a file-safe name", b.name),
                Some("use 1-64 lowercase letters, digits and single hyphens, e.g. nhs-credential-management".into()),
            );
        }
        if !is_version(&b.version) {
            self.err(
                diag::INVALID_VERSION,
                "bundle.version",
                format!("`bundle.version` `{}` is not a version", b.version),
                Some("use 1 to 4 dot-separated numbers, e.g. 1.0.0".into()),
            );
        }
        for (k, s) in [
            ("bundle.display_name", &b.display_name),
            ("bundle.publisher", &b.publisher),
        ] {
            self.text(k, s);
            if s.trim().is_empty() {
                self.err(
                    diag::MISSING_KEY,
                    k,
                    format!("`{k}` is empty"),
                    Some("give it a value".into()),
                );
            }
        }
        if let Some(d) = &b.description {
            self.text("bundle.description", d);
        }
        let browsers: Vec<&str> = self.catalog.browser_ids().collect();
        let mut products = Vec::new();
        for (i, p) in raw.products.iter().enumerate() {
            let path = format!("products[{i}]");
            if !browsers.contains(&p.as_str()) {
                let hint = diag::did_you_mean(p, browsers.iter().copied()).map_or_else(
                    || format!("products are: {}", browsers.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
                self.err(
                    diag::UNKNOWN_PRODUCT,
                    &path,
                    format!("unknown product `{p}`"),
                    Some(hint),
                );
            } else if products.contains(p) {
                self.err(
                    diag::DUPLICATE_ITEM,
                    &path,
                    format!("product `{p}` is listed twice"),
                    None,
                );
            } else {
                products.push(p.clone());
            }
        }
        let software: Vec<&str> = self
            .catalog
            .products
            .values()
            .filter(|p| p.kind == ProductKind::Software)
            .map(|p| p.id.as_str())
            .collect();
        let mut clients = Vec::new();
        for (c, v) in &raw.clients {
            let path = format!("clients.{c}");
            if !software.contains(&c.as_str()) {
                let hint = diag::did_you_mean(c, software.iter().copied()).map_or_else(
                    || format!("clients are: {}", software.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
                self.err_key(
                    diag::UNKNOWN_CLIENT,
                    &path,
                    format!("unknown client `{c}`"),
                    Some(hint),
                );
            } else if let Some(ver) = crate::catalog::parse_version(v) {
                clients.push((c.clone(), v.clone(), ver));
            } else {
                self.err(
                    diag::UNKNOWN_CLIENT,
                    &path,
                    format!("`{path}` `{v}` is not a version"),
                    Some("write dotted numbers, e.g. \"3.13\"".into()),
                );
            }
        }
        let ctx = Context {
            products: &products,
            clients: &clients,
            min_browser: raw.min_browser_version,
        };
        let mut settings: Vec<Setting> = Vec::new();
        let mut vendor: Vec<vendor::VendorSetting> = Vec::new();
        for (i, s) in raw.settings.iter().enumerate() {
            if s.policy.is_some() {
                if let Some(v) = self.vendor_setting(i, s, self.store) {
                    // A browser's policy when the spec lists other browsers only: written,
                    // as the setting names it, but likely copied from another Trust's spec.
                    let browser = self
                        .catalog
                        .products
                        .get(&v.product)
                        .is_some_and(|p| p.kind == ProductKind::Browser);
                    if browser && !raw.products.is_empty() && !raw.products.contains(&v.product) {
                        self.err(
                            diag::PRODUCT_NOT_LISTED,
                            &format!("settings[{i}].policy"),
                            format!(
                                "`{}` is a policy for {}, and the spec's `products:` [{}] does not list it; it is written anyway",
                                v.id,
                                v.product,
                                raw.products.join(", "),
                            ),
                            Some(format!(
                                "add {} to `products:`, or remove the setting if the endpoints do not run it",
                                v.product
                            )),
                        );
                    }
                    if let Some(prev) = vendor.iter().find(|p| p.id == v.id && p.hive == v.hive) {
                        let what = format!("policy `{}`", v.id);
                        let scope = Scope::of(v.hive);
                        self.duplicate(&format!("settings[{i}].policy"), &what, scope, prev.index);
                        continue;
                    }
                    vendor.push(v);
                }
                continue;
            }
            if s.state.is_some() {
                self.err(
                    diag::UNKNOWN_KEY,
                    &format!("settings[{i}].state"),
                    format!("`settings[{i}].state` applies only to a vendor policy (`policy:`)"),
                    Some("remove `state`; a catalog setting is enabled by its `value`".into()),
                );
                continue;
            }
            if let Some(setting) = self.setting(i, s, &ctx) {
                if let Some(prev) = settings
                    .iter()
                    .find(|p| p.entry.id == setting.entry.id && p.scope == setting.scope)
                {
                    let what = format!("setting `{}`", setting.entry.id);
                    self.duplicate(
                        &format!("settings[{i}].id"),
                        &what,
                        setting.scope,
                        prev.index,
                    );
                    continue;
                }
                settings.push(setting);
            }
        }
        Spec {
            file: self.loaded.file.clone(),
            bundle: Bundle {
                name: b.name.clone(),
                display_name: b.display_name.clone(),
                version: b.version.clone(),
                publisher: b.publisher.clone(),
                description: b.description.clone(),
            },
            settings,
            vendor,
        }
    }

    /// `what` (a setting or policy) is set a second time for `scope` at `path`.
    fn duplicate(&mut self, path: &str, what: &str, scope: Scope, prev: usize) {
        self.err(
            diag::DUPLICATE_SETTING,
            path,
            format!(
                "{what} is already set for scope {} at settings[{prev}]",
                scope.as_str()
            ),
            Some("merge the two entries into one".into()),
        );
    }

    fn setting(&mut self, i: usize, s: &crate::spec::RawSetting, ctx: &Context) -> Option<Setting> {
        let spec_products = ctx.products;
        let base = format!("settings[{i}]");
        let Some(id) = s.id.as_deref() else {
            self.err(
                diag::MISSING_KEY,
                &base,
                format!("`{base}` has neither `id` nor `policy`"),
                Some("give `id:` (a catalog setting, see `policyc catalog`) or `policy:` (a vendor template policy, NAMESPACE:NAME)".into()),
            );
            return None;
        };
        let Some(raw_value) = s.value.as_ref() else {
            self.err(
                diag::MISSING_KEY,
                &base,
                format!("`{base}` (`{id}`) has no `value`"),
                Some("add `value:`; `policyc catalog` shows the value each setting takes".into()),
            );
            return None;
        };
        let Some(entry) = self.catalog.get(id).cloned() else {
            let hint = diag::did_you_mean(id, self.catalog.ids()).map_or_else(
                || "run `policyc catalog` to list the settings".to_string(),
                |x| format!("did you mean `{x}`?"),
            );
            self.err(
                diag::UNKNOWN_SETTING,
                &format!("{base}.id"),
                format!("unknown setting `{id}`"),
                Some(hint),
            );
            return None;
        };
        let mut ok = true;
        // Scope.
        let scope = match s.scope.as_deref() {
            None => entry.default_scope,
            Some("machine") => Scope::Machine,
            Some("user") => Scope::User,
            Some(other) => {
                let hint = diag::did_you_mean(other, ["machine", "user"])
                    .map_or("use `machine` or `user`".into(), |x| {
                        format!("did you mean `{x}`?")
                    });
                self.err(
                    diag::WRONG_TYPE,
                    &format!("{base}.scope"),
                    format!("`{base}.scope` must be machine or user, not `{other}`"),
                    Some(hint),
                );
                return None;
            }
        };
        if !entry.scopes.contains(&scope) {
            let allowed: Vec<&str> = entry.scopes.iter().map(|s| s.as_str()).collect();
            self.err(
                diag::SCOPE_NOT_SUPPORTED,
                &format!("{base}.scope"),
                format!(
                    "setting `{}` cannot be applied in scope {}",
                    entry.id,
                    scope.as_str()
                ),
                Some(format!("use scope: {}", allowed.join(" or "))),
            );
            ok = false;
        }
        // Form.
        let entry_forms = entry.forms();
        let forms = match (s.form.as_deref(), entry.default_form) {
            (None, Some(f)) => vec![f],
            (None, None) => Vec::new(),
            (Some(f), _) if entry_forms.is_empty() => {
                self.err(
                    diag::FORM_NOT_SUPPORTED,
                    &format!("{base}.form"),
                    format!(
                        "setting `{}` has one registry form; `form: {f}` does not apply",
                        entry.id
                    ),
                    Some("remove `form`".into()),
                );
                return None;
            }
            (Some("policy"), _) => vec![Form::Policy],
            (Some("preference"), _) => vec![Form::Preference],
            (Some("both"), _) => entry_forms.clone(),
            (Some(other), _) => {
                self.err(
                    diag::WRONG_TYPE,
                    &format!("{base}.form"),
                    format!("`{base}.form` must be policy, preference or both, not `{other}`"),
                    Some(
                        diag::did_you_mean(other, ["policy", "preference", "both"])
                            .map_or("use `policy`, `preference` or `both`".into(), |x| {
                                format!("did you mean `{x}`?")
                            }),
                    ),
                );
                return None;
            }
        };
        // Products.
        let entry_products = entry.products();
        let is_browser = |p: &str| {
            self.catalog
                .products
                .get(p)
                .is_some_and(|x| x.kind == ProductKind::Browser)
        };
        let browser_setting = entry_products.iter().any(|p| is_browser(p));
        let products: Vec<String> = if !browser_setting {
            if s.products.is_some() {
                self.err(
                    diag::PRODUCT_NOT_APPLICABLE,
                    &format!("{base}.products"),
                    format!(
                        "setting `{}` is not a browser setting; `products` does not apply",
                        entry.id
                    ),
                    Some("remove `products` from this setting".into()),
                );
                ok = false;
            }
            entry_products.iter().map(|p| p.to_string()).collect()
        } else {
            let chosen: Vec<String> = match &s.products {
                Some(list) => {
                    for (j, p) in list.iter().enumerate() {
                        if !entry_products.contains(&p.as_str()) {
                            self.err(
                                diag::PRODUCT_NOT_APPLICABLE,
                                &format!("{base}.products[{j}]"),
                                format!(
                                    "setting `{}` cannot be written for product `{p}`",
                                    entry.id
                                ),
                                Some(format!(
                                    "products for this setting: {}",
                                    entry_products.join(", ")
                                )),
                            );
                            ok = false;
                        } else if !spec_products.iter().any(|x| x == p) {
                            // A setting's `products` narrows the spec's; it never adds one.
                            self.err(
                                diag::PRODUCT_NOT_APPLICABLE,
                                &format!("{base}.products[{j}]"),
                                format!(
                                    "setting `{}` names product `{p}`, which the spec's `products:` [{}] does not list; a setting's `products` can only narrow the spec's",
                                    entry.id,
                                    spec_products.join(", ")
                                ),
                                Some(format!(
                                    "add `{p}` to the spec's top-level `products:`, or remove it from this setting"
                                )),
                            );
                            ok = false;
                        }
                    }
                    list.clone()
                }
                None => spec_products.to_vec(),
            };
            if chosen.is_empty() {
                self.err(
                    diag::NO_PRODUCTS,
                    &base,
                    format!(
                        "browser setting `{}` is used but no browser is selected",
                        entry.id
                    ),
                    Some("add `products: [chrome, edge]` at the top of the spec".into()),
                );
                ok = false;
            }
            let mut chosen = chosen;
            chosen.sort();
            chosen.dedup();
            chosen
        };
        // Acknowledgements.
        for (j, a) in s.acknowledge.iter().enumerate() {
            if !ACKNOWLEDGEABLE.contains(&a.as_str()) {
                self.err(
                    diag::UNKNOWN_ACKNOWLEDGEMENT,
                    &format!("{base}.acknowledge[{j}]"),
                    format!("`{a}` cannot be acknowledged"),
                    Some(format!(
                        "acknowledgeable codes: {}",
                        ACKNOWLEDGEABLE.join(", ")
                    )),
                );
                ok = false;
            }
        }
        if let Some(n) = &s.note {
            self.text(&format!("{base}.note"), n);
        }
        let mut used_acks = Vec::new();
        let value = self.value(
            &base,
            &entry,
            raw_value,
            &forms,
            &s.acknowledge,
            &mut used_acks,
        );
        for (j, a) in s.acknowledge.iter().enumerate() {
            if ACKNOWLEDGEABLE.contains(&a.as_str()) && !used_acks.contains(&a.as_str()) {
                self.err(
                    diag::UNUSED_ACKNOWLEDGEMENT,
                    &format!("{base}.acknowledge[{j}]"),
                    format!("`{a}` is acknowledged but no value of this setting triggers it"),
                    Some("remove it, so a future wildcard is not silently accepted".into()),
                );
            }
        }
        let value = value?;
        if !ok || !self.applies(&base, &entry, ctx) {
            return None;
        }
        let locations =
            self.select_locations(&base, &entry, scope, &forms, &products, ctx.min_browser);
        if locations.is_empty() {
            let forms: Vec<String> = forms
                .iter()
                .map(|f| format!("{f:?}").to_lowercase())
                .collect();
            self.err(
                diag::FORM_NOT_SUPPORTED,
                &base,
                format!(
                    "setting `{}` has no {} form in scope {}",
                    entry.id,
                    forms.join("/"),
                    scope.as_str()
                ),
                Some("run `policyc catalog` to see its registry forms and scopes".into()),
            );
            return None;
        }
        Some(Setting {
            index: i,
            entry,
            scope,
            forms,
            products,
            value,
            locations,
        })
    }

    /// Whether a version-gated entry applies to the spec's clients; if not, a note says why.
    fn applies(&mut self, base: &str, entry: &Entry, ctx: &Context) -> bool {
        let Some(a) = &entry.applies_to else {
            return true;
        };
        let range = crate::catalog::parse_range(&a.versions).expect("catalog check: valid range");
        let why = match ctx.clients.iter().find(|(c, _, _)| *c == a.client) {
            None => format!(
                "the spec does not list `{}` under `clients:`; add `{}: VERSION` if the endpoints run it",
                a.client, a.client
            ),
            Some((_, v, ver)) if !crate::catalog::in_range(*ver, range) => {
                format!("it is needed for {} versions {} only, and the spec runs {v}", a.client, crate::catalog::range_words(&a.versions))
            }
            Some(_) => return true,
        };
        self.err(
            diag::LEFT_OUT,
            &format!("{base}.id"),
            format!("left out `{}`: {why}", entry.id),
            None,
        );
        false
    }

    /// The (location, product) pairs to write, by form, scope and browser version.
    fn select_locations(
        &mut self,
        base: &str,
        entry: &Entry,
        scope: Scope,
        forms: &[Form],
        products: &[String],
        min_browser: Option<u32>,
    ) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (li, loc) in entry.registry.iter().enumerate() {
            if loc.form.is_some_and(|f| !forms.contains(&f))
                || loc.scopes.as_ref().is_some_and(|sc| !sc.contains(&scope))
            {
                continue;
            }
            for p in loc.products.iter().filter(|p| products.contains(p)) {
                if let Some(min) = min_browser {
                    let v = [min, 0, 0, 0];
                    let ended = loc
                        .versions
                        .get(p)
                        .and_then(|r| crate::catalog::parse_range(r))
                        .is_some_and(|(_, hi)| hi.is_some_and(|hi| v > hi));
                    let superseded = loc
                        .superseded
                        .as_ref()
                        .and_then(|s| s.from.get(p).map(|f| (s, *f)));
                    let why = if ended {
                        Some(format!("{p} supports it only in versions {}, and the spec's oldest browser is {min}", loc.versions[p]))
                    } else if let Some((s, from)) = superseded.filter(|(_, from)| min >= *from) {
                        Some(format!(
                            "{} {} from {p} {from}, and the spec's oldest browser is {min}",
                            s.by,
                            s.how.as_deref().unwrap_or("replaces it")
                        ))
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        self.err(
                            diag::LEFT_OUT,
                            &format!("{base}.id"),
                            format!("left out {} for {p}: {why}", loc.name),
                            None,
                        );
                        continue;
                    }
                }
                out.push((li, p.clone()));
            }
        }
        out
    }

    fn wrong_type(&mut self, path: &str, want: &str, got: &Yaml) {
        let hint = match got {
            Yaml::String(text) if want.contains("true or false") => format!(
                "write true or false without quotes; in quotes, \"{}\" is text",
                text.escape_default()
            ),
            Yaml::String(text) if want.contains("number") && text.trim().parse::<u64>().is_ok() => {
                format!("write a number, without quotes: {}", text.trim())
            }
            _ => format!("write {want} (the setting's type in `policyc catalog`)"),
        };
        let got = match got {
            Yaml::Null => "nothing",
            Yaml::Bool(_) => "a boolean",
            Yaml::Number(_) => "a number",
            Yaml::String(_) => "a string",
            Yaml::Sequence(_) => "a list",
            Yaml::Mapping(_) => "a mapping",
            Yaml::Tagged(_) => "a tagged value",
        };
        self.err(
            diag::WRONG_TYPE,
            path,
            format!("`{path}` must be {want}, found {got}"),
            Some(hint),
        );
    }

    fn value(
        &mut self,
        base: &str,
        entry: &Entry,
        raw: &Yaml,
        forms: &[Form],
        acks: &[String],
        used_acks: &mut Vec<&'static str>,
    ) -> Option<Value> {
        let path = format!("{base}.value");
        match entry.value.kind {
            ValueKind::Bool => match raw {
                Yaml::Bool(b) => Some(Value::Bool(*b)),
                other => {
                    self.wrong_type(&path, "true or false", other);
                    None
                }
            },
            ValueKind::Dword => {
                let Some(n) = raw.as_u64().filter(|n| *n <= u32::MAX as u64) else {
                    self.wrong_type(&path, "a whole number from 0 to 4294967295", raw);
                    return None;
                };
                let n = n as u32;
                let (min, max) = (
                    entry.value.min.unwrap_or(0),
                    entry.value.max.unwrap_or(u32::MAX),
                );
                if n < min || n > max {
                    let range = if min == max {
                        format!("{min}")
                    } else {
                        format!("{min} to {max}")
                    };
                    self.err(
                        diag::VALUE_OUT_OF_RANGE,
                        &path,
                        format!("`{path}` is {n}; setting `{}` accepts {range}", entry.id),
                        Some(format!("set it to {range}")),
                    );
                    return None;
                }
                Some(Value::Dword(n))
            }
            ValueKind::String => match raw {
                Yaml::String(s) => {
                    self.text(&path, s);
                    Some(Value::String(s.clone()))
                }
                other => {
                    self.wrong_type(&path, "a string", other);
                    None
                }
            },
            ValueKind::StringList => {
                let Yaml::Sequence(seq) = raw else {
                    self.wrong_type(&path, "a list of strings (`- item` lines)", raw);
                    return None;
                };
                if seq.is_empty() {
                    self.err(
                        diag::EMPTY_LIST,
                        &path,
                        format!("`{path}` is an empty list"),
                        Some("add entries, or remove the setting".into()),
                    );
                    return None;
                }
                let kind = entry.value.items.expect("catalog check: lists have items");
                let mut out: Vec<String> = Vec::new();
                // ASCII-lowercased items seen so far: a set keeps the duplicate check
                // linear for long lists (a scan of `out` per item was O(n²)).
                let mut seen = std::collections::HashSet::new();
                let mut ok = true;
                for (j, item) in seq.iter().enumerate() {
                    let ipath = format!("{path}[{j}]");
                    let Yaml::String(s) = item else {
                        self.wrong_type(&ipath, "a string", item);
                        ok = false;
                        continue;
                    };
                    if s.chars().any(forbidden_char) {
                        self.text(&ipath, s);
                        ok = false;
                        continue;
                    }
                    ok &= self.item(&ipath, kind, s, acks, used_acks);
                    if !seen.insert(s.to_ascii_lowercase()) {
                        self.err(
                            diag::DUPLICATE_ITEM,
                            &ipath,
                            format!("`{s}` is listed twice in `{path}`"),
                            Some("remove one".into()),
                        );
                        ok = false;
                    }
                    out.push(s.clone());
                }
                if ok && kind == ItemKind::AuthServer {
                    ok &= self.auth_allowlist_intent(&path, &out, acks, used_acks);
                }
                ok.then_some(Value::List(out))
            }
            ValueKind::ZoneMap => {
                let Yaml::Mapping(map) = raw else {
                    self.wrong_type(
                        &path,
                        "a mapping of site: zone (e.g. `http://localhost: intranet`)",
                        raw,
                    );
                    return None;
                };
                if map.is_empty() {
                    self.err(
                        diag::EMPTY_LIST,
                        &path,
                        format!("`{path}` is empty"),
                        Some("add `site: zone` lines, or remove the setting".into()),
                    );
                    return None;
                }
                let mut out: Vec<(String, Zone)> = Vec::new();
                // As for lists: a set keeps the duplicate check linear.
                let mut seen = std::collections::HashSet::new();
                let mut ok = true;
                for (k, z) in map {
                    let Yaml::String(site) = k else {
                        self.wrong_type(&path, "a mapping whose keys are sites", k);
                        ok = false;
                        continue;
                    };
                    let spath = join_key(&path, site);
                    if site.chars().any(forbidden_char) {
                        self.text(&spath, site);
                        ok = false;
                        continue;
                    }
                    match items::zone_site(site) {
                        Err(p) => {
                            self.err_key(p.code, &spath, p.message, p.hint);
                            ok = false;
                        }
                        Ok((zs, lints)) if !lints.is_empty() => {
                            for l in lints {
                                if acks.iter().any(|a| a == l.code) {
                                    used_acks.push(l.code);
                                } else {
                                    self.err_key(l.code, &spath, l.message, l.hint);
                                    ok = false;
                                }
                            }
                            if forms.contains(&Form::Preference) && !zs.single_label() {
                                self.err_key(
                                    diag::FORM_NOT_SUPPORTED,
                                    &spath,
                                    format!("`{site}` cannot be written in preference form; only one-label hosts such as localhost can"),
                                    Some(PREFERENCE_ZONE_HINT.into()),
                                );
                                ok = false;
                            }
                        }
                        Ok((zs, _)) if forms.contains(&Form::Preference) && !zs.single_label() => {
                            self.err_key(
                                diag::FORM_NOT_SUPPORTED,
                                &spath,
                                format!("`{site}` cannot be written in preference form; only one-label hosts such as localhost can"),
                                Some(PREFERENCE_ZONE_HINT.into()),
                            );
                            ok = false;
                        }
                        Ok(_) => {}
                    }
                    let zone = match z {
                        Yaml::String(s) => match s.as_str() {
                            "intranet" => Some(Zone::Intranet),
                            "trusted" => Some(Zone::Trusted),
                            "internet" => Some(Zone::Internet),
                            "restricted" => Some(Zone::Restricted),
                            _ => None,
                        },
                        Yaml::Number(n) => match n.as_u64() {
                            Some(1) => Some(Zone::Intranet),
                            Some(2) => Some(Zone::Trusted),
                            Some(3) => Some(Zone::Internet),
                            Some(4) => Some(Zone::Restricted),
                            _ => None,
                        },
                        _ => None,
                    };
                    let Some(zone) = zone else {
                        const ZONES: [&str; 4] = ["intranet", "trusted", "internet", "restricted"];
                        let hint = match z {
                            Yaml::String(z) => diag::did_you_mean(z.as_str(), ZONES)
                                .map(|x| format!("did you mean `{x}`?")),
                            _ => None,
                        }
                        .unwrap_or_else(|| {
                            "write one of intranet, trusted, internet, restricted (or 1-4)".into()
                        });
                        self.err(
                            diag::WRONG_TYPE,
                            &spath,
                            format!("`{spath}` must be a zone: intranet, trusted, internet or restricted (or 1-4)"),
                            Some(hint),
                        );
                        ok = false;
                        continue;
                    };
                    if !seen.insert(site.to_ascii_lowercase()) {
                        self.err(
                            diag::DUPLICATE_ITEM,
                            &spath,
                            format!("site `{site}` is listed twice"),
                            None,
                        );
                        ok = false;
                    }
                    out.push((site.clone(), zone));
                }
                ok.then_some(Value::ZoneMap(out))
            }
        }
    }

    /// `auth-allowlist-loopback-only`: once AuthServerAllowlist is set, Chromium no longer asks
    /// Windows security zones whether a server may get default credentials
    /// (net/http/url_security_manager_win.cc), so a list of loopback hosts alone takes integrated
    /// sign-in away from every intranet server. Returns false on an unacknowledged error.
    fn auth_allowlist_intent(
        &mut self,
        path: &str,
        items: &[String],
        acks: &[String],
        used: &mut Vec<&'static str>,
    ) -> bool {
        let loopback_only = items
            .iter()
            .all(|i| grammar::scheme_host_port::parse(i).is_loopback());
        if !loopback_only {
            return true;
        }
        let code = diag::AUTH_ALLOWLIST_LOOPBACK_ONLY;
        if acks.iter().any(|a| a == code) {
            used.push(code);
            return true;
        }
        self.err(
            code,
            path,
            format!("`{path}` lists only loopback ({}); once AuthServerAllowlist is set, Chrome and Edge no longer use the Windows Local intranet zone for integrated sign-in, so every other intranet server that relied on it (SharePoint, EPR front ends) prompts or fails", items.join(", ")),
            Some("add the Trust's servers that use Windows sign-in (e.g. *.example-trust.nhs.uk) to this list, or add `acknowledge: [auth-allowlist-loopback-only]` if none does".into()),
        );
        false
    }

    /// Checks one list item; returns false on an error that blocks the build.
    fn item(
        &mut self,
        path: &str,
        kind: ItemKind,
        s: &str,
        acks: &[String],
        used: &mut Vec<&'static str>,
    ) -> bool {
        match items::check(kind, s) {
            Err(p) => {
                self.err(p.code, path, p.message, p.hint);
                false
            }
            Ok(lints) => {
                let mut ok = true;
                for l in lints {
                    if acks.iter().any(|a| a == l.code) {
                        used.push(l.code);
                    } else {
                        self.err(l.code, path, l.message, l.hint);
                        ok = false;
                    }
                }
                ok
            }
        }
    }
}

/// Characters no output format carries safely: control characters (a `.reg` line, a
/// PowerShell literal, LGPO text) and U+FFFE/U+FFFF, which XML 1.0 forbids (ADMX, GPO XML).
fn forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// The hint for a dotted site in a zone setting whose form includes the preference.
const PREFERENCE_ZONE_HINT: &str = "set `form: policy` on this setting (a `form: both` setting writes every site in both forms): the Site to Zone Assignment List holds any site, and while that policy applies Windows ignores the per-site preferences anyway";

pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn is_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (1..=4).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 5
                && p.chars().all(|c| c.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n <= 65535)
        })
}
