//! LGPO text emitter: `lgpo/machine.txt` and `lgpo/user.txt`, the text Microsoft's
//! `LGPO.exe /parse` prints for our Registry.pol files, so an admin can review them
//! and apply them with `LGPO.exe /t lgpo\machine.txt` or rebuild the .pol with
//! `LGPO.exe /r lgpo\machine.txt /w Registry.pol`.
//!
//! Format (Microsoft LGPO.pdf v3.0, in the Security Compliance Toolkit; copy read at
//! `mxk/win11-secure-baseline-gpo:Tools/LGPO.pdf`, domain-facts.md 8.3): entries of
//! four lines (configuration `Computer`/`User`, key without hive, value name, action),
//! separated by empty lines; `;` starts a comment line. Actions used here:
//! `SZ:`, `EXSZ:`, `MULTISZ:` (items joined by `\0`), `DWORD:`, `QWORD:`, `BINARY:`
//! and `DELETEALLVALUES` with the dummy value name `*`. String actions take the
//! escapes `\r`, `\n` and `\\`. The file is Unicode (UTF-16LE with BOM, CRLF; see
//! `encoding.rs`). The comment header copies the shape of `/parse` output seen in
//! public scripts (`; PARSING Computer POLICY` ... `; PARSING COMPLETED.`).

use super::{encoding, pol as pol_emit, Artifact, EmitError, Emitter, FileKind};
use crate::plan::Plan;
use crate::pol::{Entry, DELVALS};
use crate::reg::text::comment;
use crate::reg::{Hive, RegData};

pub struct LgpoEmitter;

const EMITTER: &str = "lgpo-txt";

pub fn file_name(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => "lgpo/machine.txt",
        Hive::Hkcu => "lgpo/user.txt",
    }
}

/// LGPO's configuration line for a hive.
pub fn configuration(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => "Computer",
        Hive::Hkcu => "User",
    }
}

/// A string action's text: `\` doubled, CR and LF as `\r` and `\n`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// The action line for one record.
pub fn action(e: &Entry) -> Result<String, String> {
    if e.value.eq_ignore_ascii_case(DELVALS) {
        return Ok("DELETEALLVALUES".into());
    }
    let data = e.reg_data().ok_or_else(|| {
        format!(
            "type {} with {} bytes has no LGPO action",
            e.reg_type,
            e.data.len()
        )
    })?;
    Ok(match data {
        RegData::Sz(s) => format!("SZ:{}", escape(&s)),
        RegData::ExpandSz(s) => format!("EXSZ:{}", escape(&s)),
        RegData::MultiSz(items) => {
            let parts: Vec<String> = items.iter().map(|s| escape(s)).collect();
            format!("MULTISZ:{}", parts.join("\\0"))
        }
        RegData::Dword(d) => format!("DWORD:{d}"),
        RegData::Qword(q) => format!("QWORD:{q}"),
        RegData::Binary(b) => {
            let hex: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
            format!("BINARY:{}", hex.join(","))
        }
    })
}

/// A name line must stay one line, and an empty line would end the entry early.
fn line(what: &str, s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err(format!(
            "{what} is empty; LGPO text has no way to write it (an empty line separates entries)"
        ));
    }
    if s.contains(['\r', '\n']) {
        return Err(format!("{what} `{}` holds a line break", s.escape_debug()));
    }
    Ok(s.to_string())
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
        let fail = |message: String| EmitError {
            emitter: EMITTER,
            message: format!("{}\\{}: {message}", e.key, e.value),
        };
        let name = if e.value.eq_ignore_ascii_case(DELVALS) {
            "*".to_string()
        } else {
            line("the value name", &e.value).map_err(fail)?
        };
        out.push(config.to_string());
        out.push(line("the key", &e.key).map_err(fail)?);
        out.push(name);
        out.push(action(&e).map_err(fail)?);
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

    fn emit(&self, plan: &Plan) -> Result<Vec<Artifact>, EmitError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_escapes() {
        let e = |d: RegData| Entry::set("K", "v", &d);
        assert_eq!(action(&e(RegData::Dword(32768))).unwrap(), "DWORD:32768");
        assert_eq!(
            action(&e(RegData::Sz("a\\b\r\nc".into()))).unwrap(),
            "SZ:a\\\\b\\r\\nc"
        );
        assert_eq!(
            action(&e(RegData::MultiSz(vec!["a".into(), "b\\0".into()]))).unwrap(),
            "MULTISZ:a\\0b\\\\0"
        );
        assert_eq!(
            action(&e(RegData::Binary(vec![0, 255]))).unwrap(),
            "BINARY:00,ff"
        );
        assert_eq!(
            action(&Entry::delete_values("K")).unwrap(),
            "DELETEALLVALUES"
        );
        assert!(line("the value name", "").is_err());
        assert!(line("the key", "a\nb").is_err());
    }
}
