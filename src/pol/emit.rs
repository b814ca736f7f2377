//! Registry.pol emitter: `pol/Machine/Registry.pol` (HKLM ops) and
//! `pol/User/Registry.pol` (HKCU ops), the files the Group Policy registry
//! client-side extension reads. The GPO backup and LGPO text emitters build on
//! [`entries`], so all three describe the same records.

use crate::emit::{Artifact, EmitError, Emitter, FileKind};
use crate::plan::{Action, Plan};
use crate::pol::{self, Entry};
use crate::reg::Hive;

pub struct PolEmitter;

/// `Machine` or `User`: the folder a Registry.pol sits in decides its hive
/// (Microsoft's Registry Policy File Format page; MS-GPREG 3.2.5.1.2).
pub fn scope_folder(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => "Machine",
        Hive::Hkcu => "User",
    }
}

pub fn file_name(hive: Hive) -> String {
    format!("pol/{}/Registry.pol", scope_folder(hive))
}

/// The PReg records for one hive of the plan, in plan order.
///
/// A plan `ResetKey` becomes a `**delvals.` record for its key. In a `.reg` file the
/// reset is `[-KEY]`, which deletes the key's subkeys too, while `**delvals.` deletes
/// the key's values only (Microsoft's format page: "**DelVals: deletes all values in
/// a key"). `**delvals.` is what Windows' own tools write for a non-additive ADMX
/// list (domain-facts.md 8.1), so policyc writes it too. The two are
/// equivalent here because the plan resets only Chromium list keys
/// (`...\Chrome\CookiesAllowedForUrls` and the like), which hold the numbered values
/// `1`, `2`, ... and no subkeys: the ADMX list element writes numbered values
/// directly into the list key (Chrome ADMX `key="...\CookiesAllowedForUrls"
/// valuePrefix=""`), and Chromium reads a list from that key's numeric-named values
/// only (`components/policy/core/common/registry_dict.cc`; domain-facts.md 1.4).
/// Removing every value is therefore all the `.reg` reset removes. The plan sorts
/// the reset before the key's values, and Windows applies records in file order, so
/// the new list survives.
pub fn entries(plan: &Plan, hive: Hive) -> Vec<Entry> {
    plan.ops
        .iter()
        .filter(|o| o.hive == hive)
        .map(|op| match &op.action {
            Action::ResetKey => Entry::delete_values(&op.key),
            Action::Delete { name } => Entry::delete_value(&op.key, name),
            Action::Set { name, data } => Entry::set(&op.key, name, data),
        })
        .collect()
}

/// The Registry.pol bytes for one hive.
pub fn file_bytes(plan: &Plan, hive: Hive, emitter: &'static str) -> Result<Vec<u8>, EmitError> {
    pol::write(&entries(plan, hive)).map_err(|e| EmitError {
        emitter,
        message: format!("{} Registry.pol: {e}", scope_folder(hive)),
    })
}

impl Emitter for PolEmitter {
    fn name(&self) -> &'static str {
        "pol"
    }

    fn emit(&self, plan: &crate::emit::Input) -> Result<Vec<Artifact>, EmitError> {
        plan.hives()
            .into_iter()
            .map(|hive| {
                Ok(Artifact {
                    path: file_name(hive),
                    kind: FileKind::Pol,
                    bytes: file_bytes(plan, hive, "pol")?,
                })
            })
            .collect()
    }
}
