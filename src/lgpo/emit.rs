//! LGPO text emitter: `lgpo/machine.txt` and `lgpo/user.txt`, the text Microsoft's
//! `LGPO.exe /parse` prints for our Registry.pol files, so an admin can review them
//! and apply them with `LGPO.exe /t lgpo\machine.txt` or rebuild the .pol with
//! `LGPO.exe /r lgpo\machine.txt /w Registry.pol`.
//!
//! The format (records, actions, escapes) and its reader are in [`crate::lgpo`]; this
//! module lays the plan's Registry.pol records out as one file per hive. The file is
//! Unicode (UTF-16LE with BOM, CRLF; see `encoding.rs`). The comment header copies the
//! shape of `/parse` output seen in public scripts (`; PARSING Computer POLICY` ...
//! `; PARSING COMPLETED.`).

use crate::emit::{encoding, Artifact, EmitError, Emitter, FileKind};
use crate::lgpo::{configuration, record_lines};
use crate::plan::Plan;
use crate::pol::emit as pol_emit;
use crate::reg::text::comment;
use crate::reg::Hive;

pub struct LgpoEmitter;

const EMITTER: &str = "lgpo-txt";

pub fn file_name(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => "lgpo/machine.txt",
        Hive::Hkcu => "lgpo/user.txt",
    }
}

/// The LGPO text for one hive (logical text with `\n`).
pub fn text(plan: &Plan, hive: Hive) -> Result<String, EmitError> {
    let b = &plan.bundle;
    let config = configuration(hive);
    let mut out = vec![
        comment(&"-".repeat(70)),
        comment(&format!("PARSING {config} POLICY")),
        comment(&format!(
            "Source file:  {} ({} {}, policyc {})",
            pol_emit::file_name(hive).replace('/', "\\"),
            b.name,
            b.version,
            env!("CARGO_PKG_VERSION")
        )),
        comment(&b.display_name),
        String::new(),
    ];
    for e in pol_emit::entries(plan, hive) {
        let lines = record_lines(hive, &e).map_err(|message| EmitError {
            emitter: EMITTER,
            message: format!("{}\\{}: {message}", e.key, e.value),
        })?;
        out.extend(lines);
        out.push(String::new());
    }
    out.push(comment("PARSING COMPLETED."));
    out.push(comment(&"-".repeat(70)));
    out.push(String::new());
    Ok(out.join("\n"))
}

impl Emitter for LgpoEmitter {
    fn name(&self) -> &'static str {
        EMITTER
    }

    fn emit(&self, plan: &crate::emit::Input) -> Result<Vec<Artifact>, EmitError> {
        plan.hives()
            .into_iter()
            .map(|hive| {
                Ok(Artifact {
                    path: file_name(hive).to_string(),
                    kind: FileKind::LgpoTxt,
                    bytes: encoding::encode(
                        &text(plan, hive)?,
                        encoding::for_kind(FileKind::LgpoTxt),
                    ),
                })
            })
            .collect()
    }
}
