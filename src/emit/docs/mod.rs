//! Bundle docs: `README.md` and a self-contained `report.html`, for the admins who
//! deploy the bundle and the change board that approves it. Per setting: what it sets
//! and why, every registry write, and its route through each deployment channel (the
//! .reg files, Group Policy, Intune, the PowerShell scripts), with the catalog's sources.
//!
//! The plan is first gathered into one `Doc` (this module); `readme` and `report`
//! then write it, each through an `out::Out` that escapes every value for its format
//! (HTML, or Markdown) and takes raw text only as fixed `&'static str` or as markup
//! escaped here (`out::Escaped`), so a spec string cannot become markup. They were
//! minijinja templates until compiling and running them was a third of the NHS build's
//! instructions; the writers replaced them byte for byte (the docs of 54 builds of the
//! examples and test specs, with and without `--against`, compared equal).

mod out;
mod readme;
mod report;

use super::{encoding, Artifact, EmitError, Emitter, FileKind};
use crate::catalog::Catalog;
use crate::plan::{Action, Plan};
use crate::reg::Hive;
use out::{Cell, Escaped};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub struct DocsEmitter;

struct Doc {
    bundle: crate::validate::Bundle,
    policyc: &'static str,
    has_machine: bool,
    /// `build --against`: the summary has a "today" column from the machine's exports.
    has_baseline: bool,
    /// The heading of the before column: the `--against` exports today, or the previous
    /// bundle when every `--against` input is a bundle folder.
    baseline_label: &'static str,
    has_user: bool,
    /// Vendor templates (ADMX files) the Central Store needs so GPMC shows the
    /// vendor-defined values under the vendor's own policies (catalog `vendor:`).
    vendor_templates: Vec<String>,
    /// `HIVE\key (setting, product)` of every list key the bundle replaces wholesale.
    replaced_lists: Vec<String>,
    /// `HIVE\key\value` of each shared switch the rollback leaves in place
    /// (`Provenance::shared`, e.g. ListBox_Support_ZoneMapKey).
    rollback_keeps: Vec<String>,
    /// The change-approval summary: one row per registry operation, pre-escaped.
    changes_md: Escaped,
    changes_html: Escaped,
    /// Impact and risk notes, plain text (escaped by the writers).
    risks: Vec<String>,
    /// sha256 of every other bundle file (the manifest lists these docs' own hashes).
    hashes: Vec<DocHash>,
    settings: Vec<DocSetting>,
}

struct DocHash {
    path: String,
    sha256: String,
}

/// HTML text that wraps only between the parts of a path, URL or phrase: each run between
/// separators (`\\ / . , ; : ? & =` and spaces) is a `<span class="nw">` that never wraps
/// (browsers would otherwise break after a `-`, as in `intranet-zone-` / `sites`), with a
/// line-break opportunity (`<wbr>`) after each separator. A word such as `REG_DWORD` is
/// never split.
fn html_breakable(s: &str) -> String {
    // A span (29 bytes of markup) and a `<wbr>` for every few characters.
    let mut out = String::with_capacity(s.len() * 8 + 32);
    // The separators are ASCII, so the text is scanned as bytes; each run ends with its
    // separator.
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        if matches!(
            b,
            b'\\' | b'/' | b'.' | b',' | b';' | b':' | b'?' | b'&' | b'=' | b' '
        ) {
            nowrap_span(&mut out, &s[run..=i]);
            if b != b' ' {
                out.push_str("<wbr>");
            }
            run = i + 1;
        }
    }
    nowrap_span(&mut out, &s[run..]);
    out
}

/// `<span class="nw">` around `run`, escaped as [`crate::emit::xml_escape`] escapes (all
/// five of `& < > ' "`), byte by byte: its two SIMD scans cost more than they save on runs
/// of a few bytes. Nothing for an empty run.
fn nowrap_span(out: &mut String, run: &str) {
    if run.is_empty() {
        return;
    }
    out.push_str("<span class=\"nw\">");
    let mut copied = 0;
    for (i, b) in run.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\'' => "&apos;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&run[copied..i]);
        out.push_str(entity);
        copied = i + 1;
    }
    out.push_str(&run[copied..]);
    out.push_str("</span>");
}

/// What the `--against` exports hold today where `op` writes: the value, `absent`, or
/// `not in the exports` when no export holds the key or a parent (as `verify` reads them).
fn today(reg: &crate::verify::model::Registry, op: &crate::plan::Op) -> String {
    let full = crate::verify::model::full_path(op.hive, &op.key);
    if !reg.covers(&full) {
        return "not in the exports".to_string();
    }
    match &op.action {
        Action::ResetKey => {
            let entries = reg.list(&full);
            if entries.is_empty() {
                "no entries".to_string()
            } else {
                let n = entries.len();
                let s = if n == 1 { "entry" } else { "entries" };
                format!("{n} {s}: {}", entries.join(", "))
            }
        }
        Action::Set { name, .. } | Action::Delete { name } => match reg.value(&full, name) {
            // A previous bundle's `**del.` (a Disabled policy) records the deletion.
            None if reg
                .deleted
                .contains(&(crate::verify::model::normalise(&full), name.to_lowercase())) =>
            {
                "deleted".to_string()
            }
            None => "absent".to_string(),
            Some(crate::reg::RegData::Sz(s)) => s.clone(),
            Some(d) => format!("{} {d}", d.reg_type().name()),
        },
    }
}

/// The summary rows (Markdown and HTML) of every registry operation in plan order; with
/// `build --against`, a last column says what the machine's exports hold there today.
fn change_rows(plan: &Plan) -> (String, String) {
    // One row a line, no final line ending; about 300 and 900 bytes a row.
    let mut md = String::with_capacity(400 * plan.ops.len());
    let mut html = String::with_capacity(1200 * plan.ops.len());
    let row = |out: &mut String| {
        if !out.is_empty() {
            out.push('\n');
        }
    };
    for op in &plan.ops {
        let key = format!("{}\\{}", op.hive.short_name(), op.key);
        let (what, name, ty, data) = match &op.action {
            Action::ResetKey => (
                "replace list",
                String::new(),
                String::new(),
                "every entry deleted, then the spec's written".to_string(),
            ),
            Action::Delete { name } => (
                "delete",
                name.clone(),
                String::new(),
                "the value is deleted".to_string(),
            ),
            Action::Set { name, data } => (
                "set",
                name.clone(),
                data.reg_type().name().to_string(),
                match data {
                    crate::reg::RegData::Sz(s) => s.clone(),
                    other => other.to_string(),
                },
            ),
        };
        let p = &op.provenance;
        let setting = format!("{} ({}, {})", p.setting, p.product, p.spec_path);
        let mdc = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                md_code(s)
            }
        };
        let before = plan.baseline.as_deref().map(|reg| today(reg, op));
        row(&mut md);
        let _ = write!(
            md,
            "| {what} | {} | {} | {ty} | {} | {} |{}",
            md_code(&key),
            mdc(&name),
            mdc(&data),
            md_escape(&setting),
            before
                .as_deref()
                .map_or(String::new(), |b| format!(" {} |", mdc(b)))
        );
        let code = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("<code>{}</code>", html_breakable(s))
            }
        };
        row(&mut html);
        let _ = write!(
            html,
            "<tr><td>{what}</td><td>{}</td><td>{}</td><td class=\"nowrap\">{ty}</td><td>{}</td><td>{}<br>{}</td>{}</tr>",
            code(&key),
            code(&name),
            code(&data),
            html_breakable(&p.setting),
            html_breakable(&format!("{}, {}", p.product, p.spec_path)),
            before
                .as_deref()
                .map_or(String::new(), |b| format!("<td>{}</td>", code(b)))
        );
    }
    // Against a previous bundle: what it wrote that this plan no longer writes (a dropped
    // setting, a value that moved), so the approver sees removals too. Keys the plan resets
    // are left out: their old entries show in the reset row's before column.
    if let Some(reg) = plan
        .baseline
        .as_deref()
        .filter(|r| r.bundles_read > 0 && r.others_read == 0)
    {
        use std::collections::BTreeSet;
        let written: BTreeSet<(String, String)> = plan
            .ops
            .iter()
            .filter_map(|o| match &o.action {
                Action::Set { name, .. } | Action::Delete { name } => Some((
                    crate::verify::model::full_path(o.hive, &o.key).to_lowercase(),
                    name.to_lowercase(),
                )),
                Action::ResetKey => None,
            })
            .collect();
        let reset: BTreeSet<String> = plan
            .ops
            .iter()
            .filter(|o| o.action == Action::ResetKey)
            .map(|o| crate::verify::model::full_path(o.hive, &o.key).to_lowercase())
            .collect();
        for (lower, key) in &reg.keys {
            if reset.contains(lower) {
                continue;
            }
            for (lname, (name, data)) in &key.values {
                if written.contains(&(lower.clone(), lname.clone())) {
                    continue;
                }
                let short = key.path.replacen("HKEY_LOCAL_MACHINE", "HKLM", 1).replacen(
                    "HKEY_CURRENT_USER",
                    "HKCU",
                    1,
                );
                let was = match data {
                    crate::reg::RegData::Sz(s) => s.clone(),
                    other => format!("{} {other}", other.reg_type().name()),
                };
                row(&mut md);
                let _ = write!(
                    md,
                    "| no longer written | {} | {} |  |  | not in this spec | {} |",
                    md_code(&short),
                    md_code(name),
                    md_code(&was)
                );
                row(&mut html);
                let _ = write!(
                    html,
                    "<tr><td>no longer written</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"nowrap\"></td><td></td><td>not in this spec</td><td><code>{}</code></td></tr>",
                    html_breakable(&short),
                    html_breakable(name),
                    html_breakable(&was)
                );
            }
        }
    }
    (md, html)
}

/// Impact and risk notes that follow from the plan itself.
fn risks(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let lists = crate::import::lists::replaced(plan).len();
    if lists > 0 {
        out.push(format!("{lists} list key(s) are replaced wholesale (listed below): entries other GPOs, scripts or users set there are deleted. Check a representative machine first with policyc check SPEC --against EXPORT."));
    }
    let mut auth: Vec<&str> = plan
        .ops
        .iter()
        .filter_map(|o| match &o.action {
            Action::Set { name, .. } if name.eq_ignore_ascii_case("AuthServerAllowlist") => {
                Some(o.provenance.product.as_str())
            }
            _ => None,
        })
        .collect();
    auth.dedup();
    if !auth.is_empty() {
        out.push(format!("Integrated sign-in: AuthServerAllowlist is set for {}. The browser then answers integrated Windows authentication (NTLM/Negotiate) challenges only for the listed servers, without consulting Windows security zones (catalog: auth-server-allowlist): an intranet site that relies on silent sign-in and is not in the list starts prompting for credentials. Test single sign-on to other intranet applications in the pilot.", auth.join(", ")));
    }
    let prefs = plan
        .ops
        .iter()
        .filter(|o| {
            !o.key
                .to_ascii_lowercase()
                .starts_with("software\\policies\\")
        })
        .count();
    if prefs > 0 {
        out.push(format!("{prefs} write(s) are preference values outside Software\\Policies: Group Policy does not remove them when the GPO stops applying (they tattoo); the rollback removes them."));
    }
    // InetRes.adml, Site to Zone Assignment List: "If you disable or do not configure this
    // policy, users may choose their own site-to-zone assignments": once it applies, they
    // may not, and per-user ZoneMap\Domains entries stop counting.
    let zone_list = plan.ops.iter().any(|o| {
        o.provenance.shared
            && matches!(&o.action, Action::Set { name, .. } if name.eq_ignore_ascii_case("ListBox_Support_ZoneMapKey"))
    });
    if zone_list {
        out.push("Site to Zone Assignment List: the bundle turns this policy on (ListBox_Support_ZoneMapKey = 1). While it applies, only the sites in that list get a zone from it: sites users assigned themselves, and ZoneMap\\Domains entries pushed by preferences or logon scripts, stop counting (InetRes.adml). List every site the Trust needs in a zone, in this spec or another GPO's list (the list is additive); the rollback leaves the switch on.".to_string());
    }
    if plan.ops.iter().any(crate::reg::emit::is_user_policy) {
        out.push("Per-user policy values are not in user.reg (a standard user cannot write Software\\Policies): deliver them by Group Policy, Intune or apply.ps1 as SYSTEM.".to_string());
    }
    out.push("One writer per value: with the Intune profile deployed, detect.ps1/remediate.ps1 write only what the profile does not; do not also deploy apply.ps1 or the .reg files to the same machines.".to_string());
    out.push("Intune does not merge one setting across profiles: where another profile assigned to the same devices (a security baseline, an Edge or zone-list profile) sets a setting this bundle's profiles set, Intune reports a conflict instead of combining the lists. Before assigning, check the Trust's existing profiles for the settings the profiles in intune/ set (the summary above lists them).".to_string());
    out
}

struct DocSetting {
    spec_path: String,
    id: String,
    title: String,
    description: String,
    scope: &'static str,
    /// The registry writes table's rows, built once for both documents (when the docs
    /// were templates, the template engine spent most of this emitter's time on these
    /// cells). Escaped for their document, one row per line, no final line ending.
    writes_md: Escaped,
    writes_html: Escaped,
    routes: Vec<DocRoute>,
    sources: Vec<DocSource>,
    unconfirmed: Vec<String>,
}

struct DocWrite {
    key: String,
    name: String,
    kind: String,
    data: String,
}

impl Doc {
    /// `Bundle NAME version VERSION, published by PUBLISHER, generated by policyc X.` of
    /// both documents, without its paragraph.
    fn bundle_line(&self, out: &mut out::Out) {
        let b = &self.bundle;
        out.fixed("Bundle ")
            .code(&b.name)
            .fixed(" version ")
            .code(&b.version)
            .fixed(", published by ")
            .text(&b.publisher)
            .fixed(", generated by policyc ")
            .text(self.policyc)
            .fixed(".");
    }
}

impl DocSetting {
    /// `ID at PATH, scope SCOPE` under a setting's heading in both documents.
    fn where_line(&self, out: &mut out::Out) {
        out.code(&self.id)
            .fixed(" at ")
            .code(&self.spec_path)
            .fixed(", scope ")
            .text(self.scope);
    }
}

impl DocWrite {
    /// `| key | value | type | data |`, or its `<tr>`.
    fn row(&self, out: &mut out::Out) {
        out.row(&[
            Cell::Code(&self.key),
            Cell::CodeOrEmpty(&self.name),
            Cell::Text(&self.kind),
            Cell::Code(&self.data),
        ]);
    }
}

/// The rows of a writes table, one per line, escaped for the format.
fn rows(writes: &[DocWrite], format: out::Format) -> Escaped {
    let mut out = out::Out::new(format, 256 * writes.len());
    for (i, w) in writes.iter().enumerate() {
        if i > 0 {
            out.fixed("\n");
        }
        w.row(&mut out);
    }
    Escaped(out.finish())
}

impl DocRoute {
    /// `| product | vendor setting | .reg | Group Policy | Intune | script |`, or its `<tr>`.
    fn row(&self, out: &mut out::Out) {
        out.row(&[
            Cell::Text(&self.product),
            Cell::Code(&self.location),
            Cell::Text(&self.reg),
            Cell::Text(&self.gpo),
            Cell::Text(&self.intune),
            Cell::Text(&self.script),
        ]);
    }
}

struct DocRoute {
    product: String,
    location: String,
    reg: String,
    gpo: String,
    intune: String,
    script: String,
}

#[derive(PartialEq)]
struct DocSource {
    url: String,
    note: String,
}

/// Markdown: backslash-escape the characters that open inline markup anywhere in a
/// line (emphasis, code, links, HTML, entities, table cells, strikethrough), and those
/// that start a block when they begin the value (heading, list, quote, setext line,
/// an ordered-list number). Values never hold a line break (validation refuses control
/// characters), so a value can start a line only at its own start.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    md_escape_into(&mut out, s);
    out
}

/// The bytes [`md_escape_into`] escapes anywhere in the text (all ASCII).
const MD_SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let special = b"\\`*_[]<>|~&!#";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = true;
        i += 1;
    }
    t
};

/// [`md_escape`], appended to `out`.
fn md_escape_into(out: &mut String, s: &str) {
    let start = out.len();
    // Every character escaped is ASCII, so the text is scanned as bytes (through a table:
    // the `matches!` of 13 bytes was 2.5% of the NHS build's CPU samples) and copied in
    // runs between them.
    let bytes = s.as_bytes();
    // `-`, `+` or `=` first would start a list item or a heading underline.
    let mut run = 0;
    if matches!(bytes.first(), Some(b'-' | b'+' | b'=')) {
        out.push('\\');
    }
    while let Some(k) = bytes[run..].iter().position(|&b| MD_SPECIAL[b as usize]) {
        let i = run + k;
        out.push_str(&s[run..i]);
        out.push('\\');
        out.push(bytes[i] as char);
        run = i + 1;
    }
    out.push_str(&s[run..]);
    // `1. ` or `1) ` at the start would begin an ordered list.
    let digits = out[start..].bytes().take_while(u8::is_ascii_digit).count();
    let mut rest = out[start + digits..].chars();
    if digits > 0
        && matches!(rest.next(), Some('.' | ')'))
        && matches!(rest.next(), None | Some(' '))
    {
        out.insert(start + digits, '\\');
    }
}

/// A Markdown code span that holds `s` literally: the fence is longer than any run of
/// backticks inside, and `|` is escaped because GFM splits table cells on it even in
/// code spans.
fn md_code(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    md_code_into(&mut out, s);
    out
}

/// [`md_code`], appended to `out` (no allocation: the docs write a few hundred spans).
fn md_code_into(out: &mut String, s: &str) {
    // The longest run of backticks, counted over bytes (a backtick is ASCII).
    let (mut longest, mut current) = (0, 0);
    for b in s.bytes() {
        current = if b == b'`' { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    let fence = |out: &mut String| out.extend(std::iter::repeat_n('`', longest + 1));
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    fence(out);
    out.push_str(pad);
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'|' {
            out.push_str(&s[run..i]);
            out.push('\\');
            run = i;
        }
    }
    out.push_str(&s[run..]);
    out.push_str(pad);
    fence(out);
}

/// The script route of one write; `intune` when the bundle's Intune profile delivers it
/// (`powershell::emit::remediation_split`), so the Remediation leaves it alone.
fn script_route(hive: Hive, intune: bool) -> String {
    let apply = match hive {
        Hive::Hklm => "powershell/apply.ps1 (as administrator or SYSTEM)",
        Hive::Hkcu => "powershell/apply.ps1: as the user writes HKCU; as SYSTEM writes every user's hive and the Default profile",
    };
    let remediation = if intune {
        "the Intune profile delivers it, so detect.ps1 + remediate.ps1 leave it alone unless run with -FullPlan"
    } else {
        "detect.ps1 + remediate.ps1 as an Intune Remediation deliver it (no other Intune route)"
    };
    format!("{apply}; {remediation}")
}

fn build_doc(plan: &super::Input, catalog: &Catalog, hashes: &[(String, String)]) -> Doc {
    let (changes_md, changes_html) = change_rows(plan);
    // Settings in spec order (spec paths are `settings[N]`).
    let mut groups: BTreeMap<usize, Vec<&crate::plan::Op>> = BTreeMap::new();
    for op in &plan.ops {
        groups
            .entry(crate::plan::spec_index(&op.provenance.spec_path))
            .or_default()
            .push(op);
    }
    // Each value's Intune route (Settings Catalog policy, custom profile or remediation).
    let sc_routes = plan.routes().ok();
    let mut settings = Vec::new();
    let mut vendor_templates: Vec<String> = Vec::new();
    for ops in groups.values() {
        let first = ops[0];
        let entry = catalog.get(&first.provenance.setting);
        let vendor_setting = plan.vendor_at(&first.provenance.spec_path);
        let mut writes = Vec::new();
        let mut routes: Vec<DocRoute> = Vec::new();
        let mut sources: Vec<DocSource> = Vec::new();
        let mut push_source = |url: &str, note: &Option<String>| {
            let s = DocSource {
                url: url.to_string(),
                note: note.clone().unwrap_or_default(),
            };
            if !sources.contains(&s) {
                sources.push(s);
            }
        };
        for op in ops {
            let key = format!("{}\\{}", op.hive.short_name(), op.key);
            match &op.action {
                Action::ResetKey => writes.push(DocWrite {
                    key,
                    name: String::new(),
                    kind: "reset".into(),
                    data: "all values deleted first (the list is replaced)".into(),
                }),
                Action::Delete { name } => writes.push(DocWrite {
                    key,
                    name: name.clone(),
                    kind: "delete".into(),
                    data: "the value is deleted".into(),
                }),
                Action::Set { name, data } => writes.push(DocWrite {
                    key,
                    name: name.clone(),
                    kind: data.reg_type().name().into(),
                    data: match data {
                        crate::reg::RegData::Sz(s) => s.clone(),
                        other => other.to_string(),
                    },
                }),
            }
            let p = &op.provenance;
            if routes
                .iter()
                .any(|r| r.product == p.product && r.location == p.location)
            {
                continue;
            }
            let loc = entry.and_then(|e| e.registry.iter().find(|l| l.name == p.location));
            let route = loc.and_then(|l| l.intune.iter().find(|r| r.products.contains(&p.product)));
            let intune = route.map_or_else(
                || "see policyc catalog".to_string(),
                |r| r.describe(op.hive == Hive::Hkcu),
            );
            let delivery = sc_routes.as_ref().map(|r| r.of(op));
            // One writer per value: the same decision as `powershell::emit::remediation_split`.
            let by_intune = delivery.as_ref().is_some_and(|d| d.by_profile());
            let intune = match delivery {
                Some(d @ crate::intune::settings_catalog::Delivery::SettingsCatalog { .. }) => {
                    d.describe(op.hive)
                }
                // `policy:` settings have no catalog route: name the route they take.
                Some(d) if vendor_setting.is_some() => d.describe(op.hive),
                _ => intune,
            };
            let file = crate::reg::emit::file_name(op.hive);
            let pol = match op.hive {
                Hive::Hklm => "pol/Machine/Registry.pol",
                Hive::Hkcu => "pol/User/Registry.pol",
            };
            let vendor =
                loc.and_then(|l| l.vendor.iter().find(|v| v.products.contains(&p.product)));
            let gpo = match (vendor, vendor_setting) {
                (_, Some(v)) => {
                    if !vendor_templates.contains(&v.file) {
                        vendor_templates.push(v.file.clone());
                    }
                    format!(
                        "{pol} and the GPO backup; GPMC shows it under {}'s policy {} ({})",
                        v.file,
                        v.policy.name,
                        v.category.join(" > ")
                    )
                }
                (Some(v), None) => {
                    for f in std::iter::once(&v.file).chain(&v.requires) {
                        if !vendor_templates.contains(f) {
                            vendor_templates.push(f.clone());
                        }
                    }
                    format!(
                        "{pol} and the GPO backup; GPMC shows it under {}'s policy {} ({})",
                        v.file, v.policy, v.category
                    )
                }
                (None, None) => {
                    let policy =
                        crate::admx::ids::policy_name(&p.setting, &p.product, &p.location, op.hive);
                    format!("{pol}, the GPO backup, and ADMX policy {policy}")
                }
            };
            routes.push(DocRoute {
                product: p.product.clone(),
                location: p.location.clone(),
                // Per-user policy values are not in user.reg (a standard user cannot write
                // them): say where they go instead.
                reg: if crate::reg::emit::in_reg_file(op) {
                    format!("{file} (reg import {file})")
                } else {
                    "not in user.reg (per-user policy: the GPO's User Registry.pol, an Intune user profile (intune/user.json or intune/settings-catalog/user.json) or powershell/apply.ps1 as SYSTEM)".to_string()
                },
                gpo,
                intune,
                script: script_route(op.hive, by_intune),
            });
            if let Some(l) = loc {
                for s in &l.sources {
                    push_source(&s.url, &s.note);
                }
            }
        }
        if let Some(e) = entry {
            for s in &e.sources {
                push_source(&s.url, &s.note);
            }
        }
        settings.push(DocSetting {
            spec_path: first.provenance.spec_path.clone(),
            id: first.provenance.setting.clone(),
            title: match vendor_setting {
                Some(v) => v.display_name.clone(),
                None => entry.map_or_else(String::new, |e| e.title.clone()),
            },
            description: match vendor_setting {
                Some(v) => format!(
                    "The vendor template policy {} ({}, category {}), set to {}.",
                    v.id,
                    v.file,
                    v.category.join(" > "),
                    match v.state {
                        crate::admx::state::PolicyState::Enabled(_) => "Enabled",
                        crate::admx::state::PolicyState::Disabled => "Disabled",
                    }
                ),
                None => entry.map_or_else(String::new, |e| e.description.clone()),
            },
            scope: match first.hive {
                Hive::Hklm => "machine (HKEY_LOCAL_MACHINE)",
                Hive::Hkcu => "user (HKEY_CURRENT_USER)",
            },
            writes_md: rows(&writes, out::Format::Markdown),
            writes_html: rows(&writes, out::Format::Html),
            routes,
            sources,
            unconfirmed: entry.map_or_else(Vec::new, |e| e.unconfirmed.clone()),
        });
    }
    Doc {
        bundle: plan.bundle.clone(),
        policyc: env!("CARGO_PKG_VERSION"),
        has_machine: crate::reg::emit::reg_hives(plan).contains(&Hive::Hklm),
        has_baseline: plan.baseline.is_some(),
        baseline_label: match plan.baseline.as_deref() {
            Some(r) if r.bundles_read > 0 && r.others_read == 0 => {
                "before (the previous bundle given to --against)"
            }
            _ => "today (the --against exports)",
        },
        has_user: crate::reg::emit::reg_hives(plan).contains(&Hive::Hkcu),
        vendor_templates: {
            vendor_templates.sort();
            vendor_templates
        },
        replaced_lists: crate::import::lists::replaced(plan)
            .into_iter()
            .map(|o| format!("{}\\{}", o.hive.short_name(), o.key))
            .collect(),
        rollback_keeps: {
            let mut k: Vec<String> = plan
                .ops
                .iter()
                .filter(|o| o.provenance.shared)
                .filter_map(|o| match &o.action {
                    Action::Set { name, .. } => {
                        Some(format!("{}\\{}\\{name}", o.hive.short_name(), o.key))
                    }
                    _ => None,
                })
                .collect();
            k.sort();
            k.dedup();
            k
        },
        changes_md: Escaped(changes_md),
        changes_html: Escaped(changes_html),
        risks: risks(plan),
        hashes: hashes
            .iter()
            .map(|(path, sha256)| DocHash {
                path: path.clone(),
                sha256: sha256.clone(),
            })
            .collect(),
        settings,
    }
}

/// The docs for a plan, with the sha256 of every other bundle file (`hashes`, sorted by
/// path; empty while the other files are not built yet): `docs/README.md`, then
/// `docs/report.html`. Each is rendered when the iterator reaches it, so a caller that
/// writes the first before asking for the second (`build`) never holds both.
pub fn render_docs(
    plan: &super::Input,
    hashes: &[(String, String)],
) -> Result<impl Iterator<Item = Artifact>, EmitError> {
    let fail = |message: String| EmitError {
        emitter: "docs",
        message,
    };
    let catalog = Catalog::builtin().map_err(fail)?;
    let doc = build_doc(plan, catalog, hashes);
    type Render = fn(&Doc) -> String;
    let renders: [(&str, Render); 2] = [
        ("README.md", readme::render),
        ("report.html", report::render),
    ];
    Ok(renders.into_iter().map(move |(name, render)| Artifact {
        path: format!("docs/{name}"),
        kind: FileKind::Docs,
        bytes: encoding::encode_owned(render(&doc), encoding::for_kind(FileKind::Docs)),
    }))
}

impl Emitter for DocsEmitter {
    fn name(&self) -> &'static str {
        "docs"
    }

    /// Reads the plan, and the built-in catalog for titles, descriptions, routes and sources.
    /// Without the file hashes: `bundle_into` leaves this emitter out and calls
    /// [`render_docs`] itself once the other files exist.
    fn emit(&self, plan: &super::Input) -> Result<Vec<Artifact>, EmitError> {
        Ok(render_docs(plan, &[])?.collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `md_escape` as first written, a character at a time: the table-driven one must
    /// give the same text for every string.
    fn md_escape_reference(s: &str) -> String {
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if "\\`*_[]<>|~&!#".contains(c) || (i == 0 && "-+=".contains(c)) {
                out.push('\\');
            }
            out.push(c);
        }
        let digits = out.bytes().take_while(u8::is_ascii_digit).count();
        let mut rest = out[digits..].chars();
        if digits > 0
            && matches!(rest.next(), Some('.' | ')'))
            && matches!(rest.next(), None | Some(' '))
        {
            out.insert(digits, '\\');
        }
        out
    }

    /// A no-wrap span escapes its run as `xml_escape` does.
    #[test]
    fn nowrap_span_escapes_as_xml_escape() {
        for run in [
            "HKLM\\",
            "https:",
            "[*]nhs",
            "a?b=c&d='e'",
            "<script>\"x\"</script>",
            "a&&b<<>>''\"\"",
            "caf\u{e9} \u{1F600}/",
            "&",
            "'",
            "plain",
        ] {
            let mut out = String::from("x");
            nowrap_span(&mut out, run);
            assert_eq!(
                out,
                format!(
                    "x<span class=\"nw\">{}</span>",
                    crate::emit::xml_escape(run)
                ),
                "{run:?}"
            );
        }
        let mut out = String::new();
        nowrap_span(&mut out, "");
        assert_eq!(out, "");
    }

    #[test]
    fn md_escape_equals_its_reference() {
        // Every string of up to three characters over an alphabet of the escaped bytes,
        // their neighbours, digits, list markers and non-ASCII text.
        let alphabet: Vec<char> = "\\`*_[]<>|~&!#-+=.) 1a\u{e9}\u{1F600}Z^{".chars().collect();
        let mut words = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        words.sort();
        words.dedup();
        assert!(words.len() > 10_000);
        for w in &words {
            assert_eq!(md_escape(w), md_escape_reference(w), "{w:?}");
            // Behind other text, as `Out` appends it.
            let mut out = String::from("x");
            md_escape_into(&mut out, w);
            assert_eq!(out, format!("x{}", md_escape_reference(w)), "{w:?}");
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(
            md_escape("[x](javascript:a) <b>|*"),
            r"\[x\](javascript:a) \<b\>\|\*"
        );
        assert_eq!(md_escape("- a # b"), r"\- a \# b");
        assert_eq!(md_escape("12. x"), r"12\. x");
        assert_eq!(md_escape("7)"), r"7\)");
        assert_eq!(md_escape("0.1.0"), "0.1.0");
        assert_eq!(md_escape("é[ü]ö"), r"é\[ü\]ö");
        assert_eq!(md_escape("+"), r"\+");
        assert_eq!(md_escape(""), "");
        assert_eq!(md_code("a`b|c"), "``a`b\\|c``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a``b`c|d|"), "```a``b`c\\|d\\|```");
        assert_eq!(md_code(""), "`  `");
        assert_eq!(md_code("ü|"), "`ü\\|`");
        assert_eq!(
            html_breakable("HKLM\\a-b c.d&é"),
            "<span class=\"nw\">HKLM\\</span><wbr><span class=\"nw\">a-b </span>\
             <span class=\"nw\">c.</span><wbr><span class=\"nw\">d&amp;</span><wbr>\
             <span class=\"nw\">é</span>"
        );
        assert_eq!(html_breakable(""), "");
        assert_eq!(
            crate::emit::xml_escape(r#"<a href="x">'&"#),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;"
        );
        // Text without the five characters comes back as it is, not copied.
        assert!(matches!(
            crate::emit::xml_escape("HKLM\\Software é"),
            std::borrow::Cow::Borrowed("HKLM\\Software é")
        ));
        for s in ["a<b", "a>b", "a&b", "a'b", "a\"b"] {
            assert_eq!(
                crate::emit::xml_escape(s),
                quick_xml::escape::escape(s),
                "{s}"
            );
        }
    }
}
