//! The lists a bundle replaces wholesale, and what a machine would lose.
//!
//! A Chromium list policy is written as a reset of its key (`[-KEY]` in `.reg`,
//! `**delvals.` in Registry.pol, `additive="false"` in the ADMX) followed by the spec's
//! entries, so entries another GPO, an earlier script or a user put there are deleted.
//! `check` and `build` name each such key (`note[list-replaced]`); with `--against EXPORT`
//! they warn for every entry a machine has today that the spec does not list
//! (`warning[list-loses-entries]`).

use crate::diag::{Diagnostic, LIST_LOSES_ENTRIES, LIST_REPLACED};
use crate::plan::{Action, Op, Plan};
use crate::reg::RegData;
use crate::verify::model::{full_path, Registry};

/// The plan's list resets, in plan order.
pub fn replaced(plan: &Plan) -> Vec<&Op> {
    plan.ops
        .iter()
        .filter(|o| matches!(o.action, Action::ResetKey))
        .collect()
}

/// The value names the plan writes under a reset key (lower case).
fn planned_names(plan: &Plan, reset: &Op) -> Vec<String> {
    plan.ops
        .iter()
        .filter(|o| o.hive == reset.hive && o.key.eq_ignore_ascii_case(&reset.key))
        .filter_map(|o| match &o.action {
            Action::Set { name, .. } => Some(name.to_lowercase()),
            Action::ResetKey | Action::Delete { .. } => None,
        })
        .collect()
}

/// One `note[list-replaced]` per list key the bundle replaces.
pub fn notes(plan: &Plan, file: &str) -> Vec<Diagnostic> {
    replaced(plan)
        .into_iter()
        .map(|op| {
            let p = &op.provenance;
            let n = planned_names(plan, op).len();
            let what = if n == 0 {
                // A Disabled vendor list policy: the key is cleared, nothing written after.
                "is cleared: the bundle deletes every entry there and writes none".to_string()
            } else {
                format!(
                    "is replaced wholesale: the bundle deletes every entry there and writes only the spec's {n} entr{}",
                    if n == 1 { "y" } else { "ies" }
                )
            };
            Diagnostic::new(
                LIST_REPLACED,
                format!(
                    "`{}\\{}` ({} {}) {what}",
                    op.hive.short_name(),
                    op.key,
                    p.product,
                    p.location,
                ),
            )
            .file(file)
            .path(&p.spec_path)
            .hint("entries other GPOs or users set there are lost; `policyc build --against EXPORT` (a reg export of the key) names them, and `policyc import EXPORT` carries them into a spec")
        })
        .collect()
}

/// One `warning[list-loses-entries]` per replaced list that holds, in the exports,
/// entries the spec does not write.
pub fn losses(plan: &Plan, reg: &Registry, file: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Who holds the entries: a machine's exports, a previous bundle, or both.
    let holder = match (reg.bundles_read, reg.others_read, reg.exports_read) {
        (0, n, e) if n == e => "the machine has today",
        (0, _, 0) => "the given policy files hold",
        (_, 0, _) => "the previous bundle writes",
        _ => "the --against inputs hold",
    };
    for op in replaced(plan) {
        let full = full_path(op.hive, &op.key);
        let Some(key) = reg.key(&full) else { continue };
        // What the bundle writes, to tell a renumbered entry from a lost one.
        let written: Vec<&RegData> = plan
            .ops
            .iter()
            .filter(|o| o.hive == op.hive && o.key.eq_ignore_ascii_case(&op.key))
            .filter_map(|o| match &o.action {
                Action::Set { data, .. } => Some(data),
                Action::ResetKey | Action::Delete { .. } => None,
            })
            .collect();
        let lost: Vec<String> = key
            .values
            .iter()
            // An entry whose data the bundle writes again (maybe under another number)
            // is not lost.
            .filter(|(_, (_, data))| !written.contains(&data))
            .map(|(_, (name, data))| format!("\"{name}\" = {data}"))
            .collect();
        if lost.is_empty() {
            continue;
        }
        let p = &op.provenance;
        out.push(
            Diagnostic::new(
                LIST_LOSES_ENTRIES,
                format!(
                    "`{}\\{}` ({} {}) would lose {} entr{} {holder}: {}",
                    op.hive.short_name(),
                    op.key,
                    p.product,
                    p.location,
                    lost.len(),
                    if lost.len() == 1 { "y" } else { "ies" },
                    lost.join(", ")
                ),
            )
            .file(file)
            .path(&p.spec_path)
            .hint("add the entries you still need to the setting's value (`policyc import EXPORT` lists them), or accept that the bundle removes them"),
        );
    }
    out
}
