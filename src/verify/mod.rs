//! `policyc verify`: compares what a machine's registry exports hold with what the
//! spec requires, value by value, and looks for the policies the NHS guide names
//! as blocking Credential Management.

pub mod lints;
pub mod model;

use crate::plan::{Action, Op, Plan};
use crate::reg::RegData;
use model::{full_path, Registry};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum Status {
    Ok,
    /// The key or value is absent from an export that covers it.
    Missing,
    WrongValue {
        found: RegData,
    },
    WrongType {
        found: RegData,
    },
    /// A value in a list key the spec replaces, that the spec does not list.
    Extra {
        found: RegData,
    },
    /// A value the spec deletes (a Disabled vendor policy's `**del.`) is present.
    Present {
        found: RegData,
    },
    /// No export given covers this key: export it (or a parent) too.
    NotCovered,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub key: String,
    pub name: String,
    /// What the spec requires (`None` for an extra value).
    pub want: Option<RegData>,
    #[serde(flatten)]
    pub status: Status,
    pub setting: String,
    pub spec_path: String,
    pub product: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
    pub findings: Vec<lints::Finding>,
}

impl Report {
    pub fn drift(&self) -> bool {
        self.checks.iter().any(|c| c.status != Status::Ok) || !self.findings.is_empty()
    }
}

fn check(op: &Op, name: &str, want: Option<&RegData>, status: Status) -> Check {
    Check {
        key: full_path(op.hive, &op.key),
        name: name.to_string(),
        want: want.cloned(),
        status,
        setting: op.provenance.setting.clone(),
        spec_path: op.provenance.spec_path.clone(),
        product: op.provenance.product.clone(),
    }
}

/// Compares the plan with the exported registry.
pub fn verify(plan: &Plan, reg: &Registry, catalog: &crate::catalog::Catalog) -> Report {
    let mut checks = Vec::new();
    for op in &plan.ops {
        let full = full_path(op.hive, &op.key);
        match &op.action {
            Action::Set { name, data } => {
                let status = if !reg.covers(&full) {
                    Status::NotCovered
                } else {
                    match reg.value(&full, name) {
                        None => Status::Missing,
                        Some(found) if found.reg_type() != data.reg_type() => Status::WrongType {
                            found: found.clone(),
                        },
                        Some(found) if found != data => Status::WrongValue {
                            found: found.clone(),
                        },
                        Some(_) => Status::Ok,
                    }
                };
                checks.push(check(op, name, Some(data), status));
            }
            Action::Delete { name } => {
                let status = if !reg.covers(&full) {
                    Status::NotCovered
                } else {
                    match reg.value(&full, name) {
                        None => Status::Ok,
                        Some(found) => Status::Present {
                            found: found.clone(),
                        },
                    }
                };
                checks.push(check(op, name, None, status));
            }
            Action::ResetKey => {
                let Some(key) = reg.key(&full) else { continue };
                let wanted: Vec<String> = plan
                    .ops
                    .iter()
                    .filter(|o| o.hive == op.hive && o.key.eq_ignore_ascii_case(&op.key))
                    .filter_map(|o| match &o.action {
                        Action::Set { name, .. } => Some(name.to_lowercase()),
                        Action::ResetKey | Action::Delete { .. } => None,
                    })
                    .collect();
                for (lower, (name, data)) in &key.values {
                    if !wanted.contains(lower) {
                        checks.push(check(
                            op,
                            name,
                            None,
                            Status::Extra {
                                found: data.clone(),
                            },
                        ));
                    }
                }
            }
        }
    }
    let findings = lints::run(plan, reg, catalog);
    Report { checks, findings }
}

/// The human report: one line per check, then findings, then a summary line.
pub fn render_human(report: &Report) -> String {
    let mut s = String::new();
    let short = |k: &str| {
        k.replacen("HKEY_LOCAL_MACHINE", "HKLM", 1)
            .replacen("HKEY_CURRENT_USER", "HKCU", 1)
    };
    for c in &report.checks {
        let loc = format!("{} \"{}\"", short(&c.key), c.name);
        let want = c
            .want
            .as_ref()
            .map(|w| format!("{} {w}", w.reg_type().name()))
            .unwrap_or_default();
        let line = match &c.status {
            Status::Ok if c.want.is_none() => {
                format!("ok          {loc}: absent (the spec deletes it)")
            }
            Status::Ok => format!("ok          {loc} = {want}"),
            Status::Present { found } => format!(
                "PRESENT     {loc} = {} {found}: the spec deletes this value",
                found.reg_type().name()
            ),
            Status::Missing => format!("MISSING     {loc}: want {want}"),
            Status::WrongValue { found } => {
                format!("WRONG VALUE {loc}: want {want}, found {found}")
            }
            Status::WrongType { found } => {
                format!(
                    "WRONG TYPE  {loc}: want {want}, found {} {found}",
                    found.reg_type().name()
                )
            }
            Status::Extra { found } => format!(
                "EXTRA       {loc} = {} {found}: not in the spec's list",
                found.reg_type().name()
            ),
            Status::NotCovered => {
                format!("NOT COVERED {loc}: no export includes this key; export it too")
            }
        };
        s.push_str(&format!(
            "{line}\n            <- {} {} ({})\n",
            c.spec_path, c.setting, c.product
        ));
    }
    for f in &report.findings {
        s.push_str(&format!(
            "\nfinding[{}]: {}\n  at {}\n  why: {}\n  fix: {}\n",
            f.code,
            f.message,
            short(&f.at),
            f.why,
            f.fix
        ));
    }
    let count = |p: fn(&Status) -> bool| report.checks.iter().filter(|c| p(&c.status)).count();
    s.push_str(&format!(
        "\nsummary: {} ok, {} missing, {} wrong value, {} wrong type, {} extra, {} not covered; {} finding{}\n",
        count(|s| *s == Status::Ok),
        count(|s| *s == Status::Missing),
        count(|s| matches!(s, Status::WrongValue { .. })),
        count(|s| matches!(s, Status::WrongType { .. })),
        count(|s| matches!(s, Status::Extra { .. })),
        count(|s| *s == Status::NotCovered),
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" }
    ));
    let present = count(|s| matches!(s, Status::Present { .. }));
    if present > 0 {
        s.push_str(&format!(
            "         {present} present that the spec deletes (Disabled vendor policies)\n"
        ));
    }
    s
}

/// The known conflicts (`lints`) in what the plan writes, for `check` and `build`: a spec
/// whose own bundle `verify` would flag (a `URLBlocklist` of `*` blocking Credential
/// Management on localhost, an `AuthServerAllowlist` without `http://localhost`, automatic
/// intranet detection left on...). Read from the plan's Registry.pol records, as a machine
/// with only this bundle applied would hold them.
///
/// Each finding is placed at the setting that writes the value it names (the key alone for
/// list keys): with the lint's own severity (an error) when that is a `policy:` setting,
/// as a warning when it is a catalog setting, whose values the catalog accepts (an imported
/// spec keeps what the machine had, and the admin decides). A finding at a value no setting
/// writes is placed at the setting with the longest key above it.
pub fn self_findings(
    plan: &Plan,
    catalog: &crate::catalog::Catalog,
    file: &str,
) -> Vec<crate::diag::Diagnostic> {
    let mut reg = Registry::default();
    for hive in plan.hives() {
        reg.add_pol_entries(hive, crate::pol::emit::entries(plan, hive));
    }
    let mut out: Vec<crate::diag::Diagnostic> = Vec::new();
    for f in lints::run(plan, &reg, catalog) {
        // A value of the spec that something else overrides is placed at that value's
        // setting; a conflicting value at the setting that writes it.
        let Some(path) = f.about.clone().or_else(|| finding_setting(plan, &f.at)) else {
            continue;
        };
        let mut hint = f.fix;
        if f.code == crate::diag::USER_POLICY_OVERRIDDEN {
            // Both values come from this spec: its machine value wins on every machine.
            hint = "the spec's own machine value wins wherever both apply: give the two settings the same value, or remove the user-scope one".into();
        } else if let (Some(v), Some(i)) = (plan.vendor_at(&path), hint.find(" (setting ")) {
            // The lint names the catalog setting that holds the value to change; when that
            // value is this `policy:` setting's own (its AuthServerAllowlist), name the policy.
            if hint[..i].contains(v.policy.name.as_str()) {
                hint = format!("{} (in `policy: {}`)", &hint[..i], v.id);
            }
        }
        let mut d = crate::diag::Diagnostic::new(
            f.code,
            format!("the bundle itself: {} ({})", f.message, f.why),
        )
        .file(file)
        .path(&path)
        .hint(hint);
        if plan.vendor_at(&path).is_none() {
            d.severity = crate::diag::Severity::Warning;
        }
        // One per setting and message: `form: both` writes a value twice (policy and
        // preference keys), and the two findings read the same to the admin.
        if !out
            .iter()
            .any(|o| o.code == d.code && o.message == d.message && o.path == d.path)
        {
            out.push(d);
        }
    }
    out
}

/// The spec path of the setting a lint finding is about. `at` is `KEY "VALUE"` (a value)
/// or `KEY` (a list key or one of its numbered values, `KEY\LIST "1"`): the setting that
/// writes that value, else the one with the longest key that `at`'s key starts with.
fn finding_setting(plan: &Plan, at: &str) -> Option<String> {
    let (key, value) = match at.split_once(" \"") {
        Some((k, v)) => (k, Some(v.trim_end_matches('"'))),
        None => (at, None),
    };
    let key = key.to_ascii_lowercase();
    let full = |o: &crate::plan::Op| model::full_path(o.hive, &o.key).to_ascii_lowercase();
    let writes = |o: &crate::plan::Op, v: &str| match &o.action {
        crate::plan::Action::Set { name, .. } | crate::plan::Action::Delete { name } => {
            name.eq_ignore_ascii_case(v)
        }
        crate::plan::Action::ResetKey => false,
    };
    value
        .and_then(|v| plan.ops.iter().find(|o| full(o) == key && writes(o, v)))
        .or_else(|| {
            plan.ops
                .iter()
                .filter(|o| {
                    let k = full(o);
                    key == k || key.starts_with(&format!("{k}\\"))
                })
                .max_by_key(|o| o.key.len())
        })
        .map(|o| o.provenance.spec_path.clone())
}
