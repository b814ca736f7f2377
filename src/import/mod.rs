//! `policyc import`: reads what a Trust deploys today (a `.reg` export, a Registry.pol, a
//! GPO backup folder or LGPO text) and writes a spec holding every value it recognises
//! as a catalog setting. Values no catalog location writes are listed as comments with
//! their key, so nothing is dropped silently.
//!
//! The reverse of the plan's layout (`plan::lay_out`): for each catalog entry, scope,
//! form and product, each registry location is read back by its layout (one value, a
//! joined list, a numbered Chromium list, the Site to Zone Assignment List, the
//! `ZoneMap\Domains` preference keys). A setting is placed once per scope (the spec
//! format allows one); browsers that hold different values for it, or a second form
//! with other data, stay in the comments. The inputs are replayed in order into the same
//! registry model `verify` uses, so `[-KEY]`, `**delvals.` and the other deletions apply.

pub mod lists;
pub mod vendor;

use crate::catalog::{Catalog, Entry, Form, Layout, Location, ProductKind, ValueKind};
use crate::diag::{self, Diagnostic};
use crate::reg::{Hive, RegData};
use crate::verify::model::{full_path, normalise, Registry};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Reads one input into `reg`: a `.reg` export, a Registry.pol (by its `PReg`
/// signature, a `.pol` name or an `hklm:`/`hkcu:` prefix; the hive comes from the
/// prefix or its Machine/User folder), a folder holding Registry.pol files (a GPO
/// backup), or LGPO text. `verify`, `import` and `--against` all read through here.
/// Returns warnings for lines Windows would skip and records that do not fit their
/// type; `Err` is a message naming the file when it cannot be read at all.
pub fn add_file(reg: &mut Registry, arg: &str) -> Result<Vec<Diagnostic>, String> {
    let (hive, path) = match arg.split_once(':') {
        Some((h, rest)) if h.eq_ignore_ascii_case("hklm") => (Some(Hive::Hklm), rest),
        Some((h, rest)) if h.eq_ignore_ascii_case("hkcu") => (Some(Hive::Hkcu), rest),
        _ => (None, arg),
    };
    let p = Path::new(path);
    // A bundle policyc wrote (its manifest.json beside pol/): its Registry.pol files hold
    // the whole plan; the GPO backup in it holds the same records again.
    if p.is_dir() && p.join("manifest.json").is_file() && p.join("pol").is_dir() {
        reg.bundles_read += 1;
        return add_folder(reg, &p.join("pol"));
    }
    reg.others_read += 1;
    if p.is_dir() {
        return add_folder(reg, p);
    }
    let bytes = std::fs::read(p).map_err(|e| format!("cannot read {path}: {e}"))?;
    let pol_name = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pol"));
    if bytes.starts_with(&crate::pol::SIGNATURE) || pol_name || hive.is_some() {
        let hive = hive.or_else(|| pol_hive(p)).ok_or_else(|| {
            format!(
                "{path}: a Registry.pol does not say its hive; write hklm:{path} or hkcu:{path}"
            )
        })?;
        return add_pol(reg, hive, &bytes, path);
    }
    let text = crate::reg::text::decode(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("Windows Registry Editor") || head.starts_with("REGEDIT4") {
        let warnings = reg
            .add_reg(&bytes)
            .map_err(|e| format!("{path}: not a .reg export: {e}"))?;
        reg.exports_read += 1;
        let mut out: Vec<Diagnostic> = warnings
            .into_iter()
            .map(|w| {
                Diagnostic::new(diag::REG_LINE_SKIPPED, w.message)
                    .file(path)
                    .at(w.line, 1)
            })
            .collect();
        out.extend(other_roots(path, &bytes));
        return Ok(out);
    }
    let lgpo = crate::lgpo::decode(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|t| crate::lgpo::read(&t).map_err(|e| e.to_string()));
    let records = match lgpo {
        Ok(r) => r,
        Err(lgpo_error) => {
            // Most inputs are `reg export` files: the .reg reader's complaint comes first.
            let reg_error = crate::reg::text::read_bytes(&bytes)
                .err()
                .map_or_else(String::new, |e| e.to_string());
            return Err(format!(
                "{path}: not a .reg export: {reg_error} (nor a Registry.pol or LGPO text: {lgpo_error})"
            ));
        }
    };
    let mut warnings = Vec::new();
    for h in [Hive::Hklm, Hive::Hkcu] {
        let entries: Vec<_> = records
            .iter()
            .filter(|r| r.hive == h)
            .map(|r| r.to_entry())
            .collect();
        if !entries.is_empty() {
            warnings.extend(
                reg.add_pol_entries(h, entries)
                    .into_iter()
                    .map(|w| Diagnostic::new(diag::POL_RECORD_MISFIT, w).file(path)),
            );
        }
    }
    Ok(warnings)
}

/// Replays one Registry.pol file; its misfit records become warnings naming the file.
fn add_pol(
    reg: &mut Registry,
    hive: Hive,
    bytes: &[u8],
    path: &str,
) -> Result<Vec<Diagnostic>, String> {
    let warnings = reg
        .add_pol(hive, bytes)
        .map_err(|e| format!("{path}: a damaged Registry.pol: {e}"))?;
    Ok(warnings
        .into_iter()
        .map(|w| Diagnostic::new(diag::POL_RECORD_MISFIT, w).file(path))
        .collect())
}

/// The hive of a Registry.pol from its folder (`Machine`, `User`).
fn pol_hive(p: &Path) -> Option<Hive> {
    let folder = p
        .parent()?
        .file_name()?
        .to_string_lossy()
        .to_ascii_lowercase();
    match folder.as_str() {
        "machine" => Some(Hive::Hklm),
        "user" => Some(Hive::Hkcu),
        _ => None,
    }
}

/// A GPO backup (or any folder holding `Machine/registry.pol`, `User/registry.pol`,
/// such as a backup's `DomainSysvol/GPO` or `%SystemRoot%\System32\GroupPolicy`): every
/// Registry.pol below it, in path order.
fn add_folder(reg: &mut Registry, dir: &Path) -> Result<Vec<Diagnostic>, String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?;
        for e in rd {
            let e = e.map_err(|e| format!("cannot read {}: {e}", d.display()))?;
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case("registry.pol"))
            {
                if let Some(h) = pol_hive(&p) {
                    found.push((p, h));
                }
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(format!(
            "{}: no Machine/registry.pol or User/registry.pol below this folder (a GPO backup holds them in {{BACKUP-ID}}/DomainSysvol/GPO)",
            dir.display()
        ));
    }
    let mut warnings = Vec::new();
    for (p, h) in found {
        let bytes = std::fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        warnings.extend(add_pol(reg, h, &bytes, &p.display().to_string())?);
    }
    Ok(warnings)
}

/// A warning naming the keys of a `.reg` file under roots other than HKEY_LOCAL_MACHINE
/// and HKEY_CURRENT_USER (a `reg export` of `HKEY_USERS\<SID>`): the spec's values are
/// compared and imported by those two hives only, so without it such a file reads as if
/// it held nothing.
fn other_roots(path: &str, bytes: &[u8]) -> Option<Diagnostic> {
    let parsed = crate::reg::text::read_bytes(bytes).ok()?;
    let mut roots: Vec<String> = Vec::new();
    for b in &parsed.file.blocks {
        let p = match b {
            crate::reg::text::Block::DeleteKey(p) => p,
            crate::reg::text::Block::Key { path, .. } => path,
        };
        let root = p.split('\\').next().unwrap_or("");
        if Hive::parse(root).is_none() {
            let shown: String = p.split('\\').take(2).collect::<Vec<_>>().join("\\");
            if !roots.contains(&shown) {
                roots.push(shown);
            }
        }
    }
    let first = roots.first()?;
    Some(
        Diagnostic::new(
            diag::REG_OTHER_ROOT,
            format!(
                "keys under `{first}`{} are not read: policyc compares and imports HKEY_LOCAL_MACHINE and HKEY_CURRENT_USER keys only",
                match roots.len() {
                    1 => String::new(),
                    n => format!(" and {} other root{}", n - 1, if n == 2 { "" } else { "s" }),
                }
            ),
        )
        .file(path)
        .hint(diag::fix(diag::REG_OTHER_ROOT)),
    )
}

/// Reads every input, in order, into one registry, with the warnings of all of them.
pub fn read_inputs(inputs: &[String]) -> Result<(Registry, Vec<Diagnostic>), String> {
    let mut reg = Registry::default();
    let mut warnings = Vec::new();
    for i in inputs {
        warnings.extend(add_file(&mut reg, i)?);
    }
    Ok((reg, warnings))
}

/// A value read back from the registry, in the spec's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    Bool(bool),
    Dword(u32),
    Str(String),
    List(Vec<String>),
    Zones(Vec<(String, u32)>),
}

/// (lower-case full key, lower-case value name) of a registry value.
type Used = (String, String);

fn used(full: &str, name: &str) -> Used {
    (normalise(full), name.to_lowercase())
}

/// The value one catalog location holds, and the registry values it took it from.
fn read_location(
    reg: &Registry,
    hive: Hive,
    key: &str,
    loc: &Location,
    kind: ValueKind,
) -> Option<(Found, Vec<Used>)> {
    let full = full_path(hive, key);
    let name = loc.value.as_deref().unwrap_or_default();
    let (found, mut took) = match loc.layout {
        Layout::Value => {
            let v = match (kind, reg.value(&full, name)?) {
                (ValueKind::Bool, RegData::Dword(d @ (0 | 1))) => Found::Bool(*d == 1),
                (ValueKind::Dword, RegData::Dword(d)) => Found::Dword(*d),
                (ValueKind::String, RegData::Sz(s)) => Found::Str(s.clone()),
                _ => return None,
            };
            (v, vec![used(&full, name)])
        }
        Layout::JoinedList => {
            let RegData::Sz(s) = reg.value(&full, name)? else {
                return None;
            };
            let sep = loc.separator.as_deref().unwrap_or(",");
            let items: Vec<String> = s
                .split(sep)
                .filter(|i| !i.is_empty())
                .map(str::to_string)
                .collect();
            if items.is_empty() {
                return None;
            }
            (Found::List(items), vec![used(&full, name)])
        }
        Layout::NumberedList => {
            let k = reg.key(&full)?;
            let mut items: Vec<(u64, String, String)> = k
                .values
                .values()
                .filter_map(|(n, d)| match d {
                    RegData::Sz(s) => n
                        .parse::<u64>()
                        .ok()
                        .filter(|_| n.chars().all(|c| c.is_ascii_digit()))
                        .map(|i| (i, n.clone(), s.clone())),
                    _ => None,
                })
                .collect();
            if items.is_empty() {
                return None;
            }
            items.sort();
            let took = items.iter().map(|(_, n, _)| used(&full, n)).collect();
            (
                Found::List(items.into_iter().map(|(_, _, s)| s).collect()),
                took,
            )
        }
        Layout::ZoneAssignments => {
            let k = reg.key(&full)?;
            let mut sites = Vec::new();
            let mut took = Vec::new();
            for (n, d) in k.values.values() {
                if let RegData::Sz(z) = d {
                    if let Ok(z @ 1..=4) = z.trim().parse::<u32>() {
                        sites.push((n.clone(), z));
                        took.push(used(&full, n));
                    }
                }
            }
            if sites.is_empty() {
                return None;
            }
            (Found::Zones(sites), took)
        }
        Layout::ZoneDomains => {
            let prefix = format!("{}\\", normalise(&full));
            let mut sites = Vec::new();
            let mut took = Vec::new();
            for (lower, k) in reg.keys.range(prefix.clone()..) {
                let Some(rest) = lower.strip_prefix(&prefix) else {
                    break;
                };
                if rest.contains('\\') {
                    continue;
                }
                // The host as the export spelt it.
                let host = &k.path[k.path.len() - rest.len()..];
                for (n, d) in k.values.values() {
                    if let RegData::Dword(z @ 1..=4) = d {
                        let site = if n == "*" {
                            host.to_string()
                        } else {
                            format!("{n}://{host}")
                        };
                        sites.push((site, *z));
                        took.push(used(&k.path, n));
                    }
                }
            }
            if sites.is_empty() {
                return None;
            }
            (Found::Zones(sites), took)
        }
    };
    // The form's fixed companion values (the Site to Zone Assignment List switch).
    for f in &loc.also {
        let fk = full_path(hive, &f.key);
        if let Some(RegData::Dword(d)) = reg.value(&fk, &f.value) {
            if *d == f.data {
                took.push(used(&fk, &f.value));
            }
        }
    }
    Some((found, took))
}

/// One setting placed in the spec.
struct Placed {
    entry: String,
    scope: crate::catalog::Scope,
    default_scope: crate::catalog::Scope,
    /// `None` for entries without forms; `Some(None)` for both forms.
    form: Option<Option<Form>>,
    default_form: Option<Form>,
    browsers: Option<Vec<String>>,
    value: Found,
    /// Lint codes the deployed values trigger (`acknowledge:`), so the imported spec
    /// compiles to what the machines have today; the comment asks for a review.
    acknowledge: Vec<&'static str>,
}

/// What [`import`] produced.
pub struct Imported {
    /// The spec text (YAML).
    pub spec: String,
    /// Catalog settings placed.
    pub placed: usize,
    /// Vendor policies placed (`--templates`).
    pub vendor_placed: usize,
    /// Registry values no catalog setting took, one line each (`HKLM\key "name" = ...`).
    pub unplaced: Vec<String>,
}

/// Per form: product -> (value, values it came from), and the location names seen.
type ByProduct = BTreeMap<String, (Found, Vec<Used>)>;

fn read_form(
    reg: &Registry,
    catalog: &Catalog,
    entry: &Entry,
    scope: crate::catalog::Scope,
    form: Option<Form>,
    min_browser: &mut Option<u32>,
) -> ByProduct {
    let mut out: ByProduct = BTreeMap::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let locs: Vec<&Location> = entry
        .registry
        .iter()
        .filter(|l| l.form == form && l.scopes.as_ref().is_none_or(|s| s.contains(&scope)))
        .collect();
    for loc in &locs {
        for product in &loc.products {
            let pk = catalog
                .products
                .get(product)
                .and_then(|p| p.policy_key.as_deref())
                .unwrap_or("");
            let key = loc.key.replace("{policy_key}", pk);
            let Some((v, took)) = read_location(reg, scope.hive(), &key, loc, entry.value.kind)
            else {
                continue;
            };
            seen.insert((product.clone(), loc.name.clone()));
            match out.get_mut(product) {
                Some((v0, t0)) if *v0 == v => t0.extend(took),
                Some(_) => {}
                None => {
                    out.insert(product.clone(), (v, took));
                }
            }
        }
    }
    // A location the catalog marks as replaced from version N, absent where its
    // successor is present: the bundle was built for browsers from N on.
    for loc in &locs {
        if let Some(sup) = &loc.superseded {
            for (product, from) in &sup.from {
                if seen.contains(&(product.clone(), sup.by.clone()))
                    && !seen.contains(&(product.clone(), loc.name.clone()))
                {
                    *min_browser = Some(min_browser.map_or(*from, |m| m.max(*from)));
                }
            }
        }
    }
    out
}

/// The spec's `templates:` for the folder given as `dir`: as given, or, with `--out`,
/// relative to the output spec's folder (the spec reads it relative to itself). A path
/// that cannot be made relative (another drive) stays absolute.
pub fn templates_path(dir: &Path, out: Option<&Path>) -> String {
    // An absolute store path stays absolute: it names the same folder from anywhere.
    let Some(out) = out.filter(|_| !dir.is_absolute()) else {
        return dir.to_string_lossy().into_owned();
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = |p: &Path| lexical(&cwd.join(p));
    let target = abs(dir);
    let base = abs(out.parent().unwrap_or(Path::new("")));
    let (t, b): (Vec<_>, Vec<_>) = (target.components().collect(), base.components().collect());
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return target.to_string_lossy().into_owned();
    }
    let mut rel = std::path::PathBuf::new();
    for _ in common..b.len() {
        rel.push("..");
    }
    for c in &t[common..] {
        rel.push(c);
    }
    if rel.as_os_str().is_empty() {
        return ".".into();
    }
    // The spec is read on any system: `/` separators.
    rel.to_string_lossy().replace('\\', "/")
}

/// `p` without `.` and with `..` applied to the components before it (no file system
/// access: the folders may not exist yet).
fn lexical(p: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A central store for `import --templates`, and the path the spec's `templates:` names.
pub struct Templates<'a> {
    pub store: &'a crate::admx::store::Store,
    pub path: &'a str,
}

/// Builds the spec from the registry the inputs describe: catalog settings first, then
/// (with `templates`) the vendor policies that explain values the catalog does not place.
pub fn import(
    reg: &Registry,
    catalog: &Catalog,
    name: &str,
    inputs: &[String],
    templates: Option<&Templates<'_>>,
) -> Imported {
    let mut placed: Vec<Placed> = Vec::new();
    let mut taken: BTreeSet<Used> = BTreeSet::new();
    let mut min_browser: Option<u32> = None;
    let mut clients: BTreeMap<String, String> = BTreeMap::new();
    for entry in &catalog.entries {
        let forms: Vec<Option<Form>> = if entry.default_form.is_some() {
            vec![Some(Form::Policy), Some(Form::Preference)]
        } else {
            vec![None]
        };
        let browser = entry.registry.iter().any(|l| {
            l.products.iter().any(|p| {
                catalog
                    .products
                    .get(p)
                    .is_some_and(|p| p.kind == ProductKind::Browser)
            })
        });
        for &scope in &entry.scopes {
            let mut mb = min_browser;
            let per_form: Vec<(Option<Form>, ByProduct)> = forms
                .iter()
                .map(|&f| (f, read_form(reg, catalog, entry, scope, f, &mut mb)))
                .filter(|(_, m)| !m.is_empty())
                .collect();
            let Some((first_form, first)) = per_form.first() else {
                continue;
            };
            min_browser = mb;
            // The products that share the most common value (ties: first product).
            let mut groups: Vec<(Found, Vec<String>)> = Vec::new();
            for (product, (v, _)) in first {
                match groups.iter_mut().find(|g| g.0 == *v) {
                    Some(g) => g.1.push(product.clone()),
                    None => groups.push((v.clone(), vec![product.clone()])),
                }
            }
            groups.sort_by_key(|g| std::cmp::Reverse(g.1.len()));
            let (value, products) = groups.swap_remove(0);
            let same = |m: &ByProduct| {
                m.len() == products.len()
                    && products
                        .iter()
                        .all(|p| m.get(p).is_some_and(|(v, _)| *v == value))
            };
            // Both forms with the same data is `form: both`.
            let both = per_form.len() == 2 && same(first) && same(&per_form[1].1);
            let forms_used: Vec<&ByProduct> = if both {
                vec![first, &per_form[1].1]
            } else {
                vec![first]
            };
            for m in forms_used {
                for p in &products {
                    if let Some((_, t)) = m.get(p) {
                        taken.extend(t.iter().cloned());
                    }
                }
            }
            if let Some(a) = &entry.applies_to {
                if let Some((lo, hi)) = a.versions.split_once('-') {
                    let v = if hi.is_empty() { lo } else { hi };
                    clients.entry(a.client.clone()).or_insert(v.to_string());
                }
            }
            placed.push(Placed {
                entry: entry.id.clone(),
                scope,
                default_scope: entry.default_scope,
                form: entry
                    .default_form
                    .map(|_| if both { None } else { *first_form }),
                default_form: entry.default_form,
                browsers: browser.then_some(products),
                value,
                acknowledge: Vec::new(),
            });
            // One setting per scope in a spec: a second form or browser with other
            // data stays in the comments (not taken).
        }
    }
    let vendor = templates.map_or_else(Vec::new, |t| vendor::place(reg, t.store, &mut taken));
    let mut unplaced = Vec::new();
    for (lower, key) in &reg.keys {
        for (lname, (vname, data)) in &key.values {
            if !taken.contains(&(lower.clone(), lname.clone())) {
                let shown = format!(
                    "{} \"{}\" = {} {}",
                    short(&key.path),
                    vname,
                    data.reg_type().name(),
                    data
                );
                unplaced.push(comment_safe(&shown));
            }
        }
    }
    // The catalog settings alone, to find the lints they trip.
    let mut spec = render(
        name,
        inputs,
        &placed,
        min_browser,
        &clients,
        &unplaced,
        None,
    );
    // What is deployed today may trip an intent lint (a loopback-only AuthServerAllowlist,
    // a public-suffix wildcard): the spec records it as acknowledged, with a comment, so
    // it compiles to the same plan and the review is visible in the spec.
    let mut acknowledged = false;
    for d in crate::compile("imported.yaml", spec.as_bytes(), catalog).diagnostics {
        let Some(code) = crate::validate::ACKNOWLEDGEABLE
            .iter()
            .find(|c| d.is_error() && **c == d.code)
        else {
            continue;
        };
        let index = d
            .path
            .as_deref()
            .and_then(|p| p.strip_prefix("settings["))
            .and_then(|p| p.split(']').next())
            .and_then(|i| i.parse::<usize>().ok());
        if let Some(p) = index.and_then(|i| placed.get_mut(i)) {
            if !p.acknowledge.contains(code) {
                p.acknowledge.push(code);
                acknowledged = true;
            }
        }
    }
    if acknowledged || templates.is_some() {
        let vendor = templates.map(|t| (t.path, vendor.as_slice()));
        spec = render(
            name,
            inputs,
            &placed,
            min_browser,
            &clients,
            &unplaced,
            vendor,
        );
    }
    Imported {
        spec,
        placed: placed.len(),
        vendor_placed: vendor.len(),
        unplaced,
    }
}

fn short(path: &str) -> String {
    let (root, rest) = path.split_once('\\').unwrap_or((path, ""));
    match Hive::parse(root) {
        Some(h) => format!("{}\\{rest}", h.short_name()),
        None => path.to_string(),
    }
}

/// Text for one YAML comment line: control characters become `?`.
fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A YAML scalar for any string: a JSON string is a valid YAML double-quoted scalar.
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn zone_name(z: u32) -> &'static str {
    match z {
        1 => "intranet",
        2 => "trusted",
        3 => "internet",
        _ => "restricted",
    }
}

fn render(
    name: &str,
    inputs: &[String],
    placed: &[Placed],
    min_browser: Option<u32>,
    clients: &BTreeMap<String, String>,
    unplaced: &[String],
    vendor: Option<(&str, &[vendor::VendorPlaced])>,
) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Imported by policyc {} from:\n",
        env!("CARGO_PKG_VERSION")
    ));
    for i in inputs {
        s.push_str(&format!("#   {}\n", comment_safe(i)));
    }
    s.push_str("# Review every setting: `import` reads values, not intent.\n");
    s.push_str("policyc: 1\nbundle:\n");
    s.push_str(&format!("  name: {}\n", q(name)));
    s.push_str(&format!(
        "  display_name: {}\n",
        q(&format!("Imported policy ({name})"))
    ));
    s.push_str("  version: 1.0.0\n");
    s.push_str(&format!("  publisher: {}\n", q("imported by policyc")));
    let mut browsers: Vec<String> = placed
        .iter()
        .flat_map(|p| p.browsers.iter().flatten().cloned())
        .collect();
    browsers.sort();
    browsers.dedup();
    if !browsers.is_empty() {
        s.push_str(&format!("products: [{}]\n", browsers.join(", ")));
    }
    if let Some(v) = min_browser {
        s.push_str(&format!("min_browser_version: {v}\n"));
    }
    if !clients.is_empty() {
        // The exports hold no client version; the catalog keeps a client's settings only
        // for the versions they apply to, so the spec names the newest such version.
        s.push_str("# Not read from the machine: the newest version the imported settings apply\n# to. Set the version your endpoints run; `check` says which settings it drops.\n");
        s.push_str("clients:\n");
        for (c, v) in clients {
            s.push_str(&format!("  {c}: {}\n", q(v)));
        }
    }
    if let Some((path, _)) = vendor {
        s.push_str(&format!("templates: {}\n", q(path)));
    }
    let vendor_mode = vendor.is_some();
    let vendor = vendor.map_or(&[][..], |(_, v)| v);
    s.push_str("settings:");
    if placed.is_empty() && vendor.is_empty() {
        s.push_str(" []");
    }
    s.push('\n');
    for p in placed {
        s.push_str(&format!("  - id: {}\n", p.entry));
        if p.scope != p.default_scope {
            s.push_str(&format!("    scope: {}\n", p.scope.as_str()));
        }
        match p.form {
            Some(None) => s.push_str("    form: both\n"),
            Some(Some(f)) if Some(f) != p.default_form => s.push_str(&format!(
                "    form: {}\n",
                if f == Form::Policy {
                    "policy"
                } else {
                    "preference"
                }
            )),
            _ => {}
        }
        if let Some(b) = &p.browsers {
            if *b != browsers {
                s.push_str(&format!("    products: [{}]\n", b.join(", ")));
            }
        }
        match &p.value {
            Found::Bool(b) => s.push_str(&format!("    value: {b}\n")),
            Found::Dword(n) => s.push_str(&format!("    value: {n}\n")),
            Found::Str(v) => s.push_str(&format!("    value: {}\n", q(v))),
            Found::List(items) => {
                s.push_str("    value:\n");
                for i in items {
                    s.push_str(&format!("      - {}\n", q(i)));
                }
            }
            Found::Zones(sites) => {
                s.push_str("    value:\n");
                for (site, z) in sites {
                    s.push_str(&format!("      {}: {}\n", q(site), zone_name(*z)));
                }
            }
        }
        if !p.acknowledge.is_empty() {
            s.push_str(&format!(
                "    acknowledge: [{}]   # as deployed today: review (policyc explain {})\n",
                p.acknowledge.join(", "),
                p.acknowledge[0]
            ));
        }
    }
    for v in vendor {
        s.push_str(&vendor::render(v, comment_safe));
    }
    if !unplaced.is_empty() {
        s.push_str(if vendor_mode {
            "\n# Values no catalog setting or vendor policy explains (or a second browser, form or\n# scope with other data than the setting above), left out of the spec:\n"
        } else {
            "\n# Values no catalog setting writes (or a second browser, form or scope with other\n# data than the setting above), left out of the spec:\n"
        });
        for u in unplaced {
            s.push_str(&format!("#   {u}\n"));
        }
    }
    s
}
