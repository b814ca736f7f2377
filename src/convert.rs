//! `policyc convert`: one of the registry formats policyc reads (`.reg`, Registry.pol,
//! LGPO text) into another (or JSON for scripts), as a reader and a writer joined
//! through one list of operations ([`Op`]) that keeps what each format means: a `.reg`
//! `[-KEY]` (delete the key and its subkeys), `"v"=-` and Registry.pol `**del.v`
//! (delete one value), `**delvals.` (delete every value, keep the subkeys), a key with no
//! values (create it) and a value set. What a target format cannot hold is left out
//! and named in a `convert-loss` warning; nothing is changed silently.

use crate::diag::{self, Diagnostic};
use crate::pol::{self, Entry, DELVALS};
use crate::reg::text::{self, Block, RegFile, ValueLine};
use crate::reg::{Hive, RegData};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One operation, in file order (Windows applies `.reg` and Registry.pol files in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// `[-KEY]`; Registry.pol `**deletekeys` on the parent.
    DeleteKey { hive: Hive, key: String },
    /// Registry.pol `**delvals.`; LGPO `DELETEALLVALUES`.
    DeleteValues { hive: Hive, key: String },
    /// `"name"=-`; Registry.pol `**del.name`; LGPO `DELETE`.
    DeleteValue {
        hive: Hive,
        key: String,
        name: String,
    },
    /// `[KEY]` with no value; LGPO `CREATEKEY`.
    CreateKey { hive: Hive, key: String },
    /// A value; `name` is empty for the key's default value (`@`).
    Set {
        hive: Hive,
        key: String,
        name: String,
        data: RegData,
    },
}

impl Op {
    fn hive(&self) -> Hive {
        match self {
            Op::DeleteKey { hive, .. }
            | Op::DeleteValues { hive, .. }
            | Op::DeleteValue { hive, .. }
            | Op::CreateKey { hive, .. }
            | Op::Set { hive, .. } => *hive,
        }
    }
    fn key(&self) -> &str {
        match self {
            Op::DeleteKey { key, .. }
            | Op::DeleteValues { key, .. }
            | Op::DeleteValue { key, .. }
            | Op::CreateKey { key, .. }
            | Op::Set { key, .. } => key,
        }
    }
}

/// The target of `convert --to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    Reg,
    Pol,
    Lgpo,
    Json,
}

fn loss(file: &str, message: String) -> Diagnostic {
    Diagnostic::new(diag::CONVERT_LOSS, message).file(file)
}

/// `HKEY_LOCAL_MACHINE\rest` → (hive, rest); `None` for the other roots.
fn split_root(path: &str) -> Option<(Hive, String)> {
    let (root, rest) = path.split_once('\\').unwrap_or((path, ""));
    Some((Hive::parse(root)?, rest.to_string()))
}

/// The operations of a `.reg` file as Windows imports it; skipped lines are warnings.
pub fn from_reg(file: &str, bytes: &[u8]) -> Result<(Vec<Op>, Vec<Diagnostic>), String> {
    let parsed = text::read_bytes(bytes).map_err(|e| format!("{file}: not a .reg file: {e}"))?;
    let mut warnings: Vec<Diagnostic> = parsed
        .warnings
        .into_iter()
        .map(|w| {
            Diagnostic::new(diag::REG_LINE_SKIPPED, w.message)
                .file(file)
                .at(w.line, 1)
        })
        .collect();
    let mut ops = Vec::new();
    let other_root = |path: &str, warnings: &mut Vec<Diagnostic>| {
        warnings.push(loss(
            file,
            format!("`{path}`: policyc converts HKEY_LOCAL_MACHINE and HKEY_CURRENT_USER keys only; left out"),
        ))
    };
    for b in parsed.file.blocks {
        match b {
            Block::DeleteKey(path) => match split_root(&path) {
                Some((hive, key)) => ops.push(Op::DeleteKey { hive, key }),
                None => other_root(&path, &mut warnings),
            },
            Block::Key { path, values, .. } => {
                let Some((hive, key)) = split_root(&path) else {
                    other_root(&path, &mut warnings);
                    continue;
                };
                // Windows' import creates the key at its header line, before any value
                // line: a block that only deletes values still leaves the key behind.
                if !values.iter().any(|v| v.data.is_some()) {
                    ops.push(Op::CreateKey {
                        hive,
                        key: key.clone(),
                    });
                }
                for v in values {
                    let name = v.name.unwrap_or_default();
                    ops.push(match v.data {
                        Some(data) => Op::Set {
                            hive,
                            key: key.clone(),
                            name,
                            data,
                        },
                        None => Op::DeleteValue {
                            hive,
                            key: key.clone(),
                            name,
                        },
                    });
                }
            }
        }
    }
    Ok((ops, warnings))
}

/// The operations of Registry.pol records applied to `hive` (directives as
/// `verify::model::Registry::add_pol` replays them).
pub fn from_pol_entries(file: &str, hive: Hive, entries: Vec<Entry>) -> (Vec<Op>, Vec<Diagnostic>) {
    let mut ops = Vec::new();
    let mut warnings = Vec::new();
    for e in entries {
        let lower = e.value.to_ascii_lowercase();
        let key = e.key.clone();
        let list = || match e.reg_data() {
            Some(RegData::Sz(s)) | Some(RegData::ExpandSz(s)) => s
                .split(';')
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        if lower == DELVALS {
            ops.push(Op::DeleteValues { hive, key });
        } else if lower.starts_with(crate::lgpo::DEL_PREFIX) {
            let name = e.value[crate::lgpo::DEL_PREFIX.len()..].to_string();
            ops.push(Op::DeleteValue { hive, key, name });
        } else if lower == "**deletevalues" {
            for name in list() {
                ops.push(Op::DeleteValue {
                    hive,
                    key: key.clone(),
                    name,
                });
            }
        } else if lower == "**deletekeys" {
            for sub in list() {
                ops.push(Op::DeleteKey {
                    hive,
                    key: format!("{key}\\{sub}"),
                });
            }
        } else if let Some(name) = lower.strip_prefix("**soft.") {
            warnings.push(loss(
                file,
                format!(
                    "{key}\\{}: `**soft.` (set only when absent) becomes a plain set",
                    e.value
                ),
            ));
            let name = e.value[e.value.len() - name.len()..].to_string();
            ops.push(Op::Set {
                hive,
                key,
                name,
                data: RegData::from_stored(e.reg_type, &e.data),
            });
        } else if lower.starts_with("**") {
            warnings.push(loss(
                file,
                format!("{key}\\{}: the directive is left out (policyc converts values, **del., **delvals., **deletevalues, **deletekeys and **soft.)", e.value),
            ));
        } else if e.value.is_empty() && e.reg_type == 0 && e.data.is_empty() {
            ops.push(Op::CreateKey { hive, key });
        } else {
            ops.push(Op::Set {
                hive,
                key,
                name: e.value.clone(),
                data: RegData::from_stored(e.reg_type, &e.data),
            });
        }
    }
    (ops, warnings)
}

/// The operations of LGPO text (each record names its hive).
pub fn from_lgpo(file: &str, bytes: &[u8]) -> Result<(Vec<Op>, Vec<Diagnostic>), String> {
    let text = crate::lgpo::decode(bytes).map_err(|e| format!("{file}: not LGPO text: {e}"))?;
    let records = crate::lgpo::read(&text).map_err(|e| format!("{file}: not LGPO text: {e}"))?;
    let mut ops = Vec::new();
    let mut warnings = Vec::new();
    for r in records {
        let (o, w) = from_pol_entries(file, r.hive, vec![r.to_entry()]);
        ops.extend(o);
        warnings.extend(w);
    }
    Ok((ops, warnings))
}

/// Reads one `convert` input: a Registry.pol (by its `PReg` signature, a `.pol` name or
/// an `hklm:`/`hkcu:` prefix; the hive from the prefix or a Machine/User folder), a
/// `.reg` file (by its header), else LGPO text.
pub fn read_input(arg: &str) -> Result<(Vec<Op>, Vec<Diagnostic>), String> {
    let (hive, path) = match arg.split_once(':') {
        Some((h, rest)) if h.eq_ignore_ascii_case("hklm") => (Some(Hive::Hklm), rest),
        Some((h, rest)) if h.eq_ignore_ascii_case("hkcu") => (Some(Hive::Hkcu), rest),
        _ => (None, arg),
    };
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let pol_name = Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pol"));
    if bytes.starts_with(&pol::SIGNATURE) || pol_name || hive.is_some() {
        let folder = Path::new(path)
            .parent()
            .and_then(|p| p.file_name())
            .map(|f| f.to_string_lossy().to_ascii_lowercase());
        let hive = hive
            .or(match folder.as_deref() {
                Some("machine") => Some(Hive::Hklm),
                Some("user") => Some(Hive::Hkcu),
                _ => None,
            })
            .ok_or_else(|| {
                format!("{path}: a Registry.pol does not say its hive; write hklm:{path} or hkcu:{path}")
            })?;
        let entries =
            pol::read(&bytes).map_err(|e| format!("{path}: a damaged Registry.pol: {e}"))?;
        return Ok(from_pol_entries(path, hive, entries));
    }
    let looks_reg = text::decode(&bytes).is_ok_and(|t| {
        let first = t.split(['\r', '\n']).next().unwrap_or("");
        first.trim_start_matches([' ', '\t']).starts_with("REGEDIT")
            || first
                .trim_start_matches([' ', '\t'])
                .starts_with("Windows Registry Editor")
    });
    if looks_reg {
        from_reg(path, &bytes)
    } else {
        from_lgpo(path, &bytes)
    }
}

/// `.reg` text (logical, CRLF) for the operations; `**delvals.` has no `.reg` form.
pub fn to_reg(file: &str, ops: &[Op]) -> Result<(String, Vec<Diagnostic>), String> {
    let mut reg = RegFile::default();
    let mut warnings = Vec::new();
    for op in ops {
        let path = format!("{}\\{}", op.hive().long_name(), op.key());
        let value = match op {
            Op::DeleteKey { .. } => {
                reg.blocks.push(Block::DeleteKey(path));
                continue;
            }
            Op::DeleteValues { key, .. } => {
                warnings.push(loss(
                    file,
                    format!("{key}: `**delvals.` (delete every value, keep the subkeys) has no .reg form; left out"),
                ));
                continue;
            }
            Op::CreateKey { .. } => None,
            Op::DeleteValue { name, .. } => Some(ValueLine {
                name: Some(name.clone()).filter(|n| !n.is_empty()),
                data: None,
            }),
            Op::Set { name, data, .. } => Some(ValueLine {
                name: Some(name.clone()).filter(|n| !n.is_empty()),
                data: Some(data.clone()),
            }),
        };
        let same = matches!(reg.blocks.last(), Some(Block::Key { path: p, .. }) if *p == path);
        if !same {
            reg.blocks.push(Block::Key {
                path: path.clone(),
                comments: Vec::new(),
                values: Vec::new(),
            });
        }
        if let (Some(v), Some(Block::Key { values, .. })) = (value, reg.blocks.last_mut()) {
            values.push(v);
        }
    }
    let text = text::write(&reg).map_err(|e| format!("cannot write .reg: {e}"))?;
    Ok((text, warnings))
}

/// The Registry.pol records of one hive's operations.
fn pol_entries(file: &str, hive: Hive, ops: &[Op], warnings: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let mut out = Vec::new();
    for op in ops.iter().filter(|o| o.hive() == hive) {
        match op {
            // A modelled type whose bytes do not fit it (a REG_DWORD of 0 or 2 bytes, as
            // Windows imports `hex(4):`): Registry.pol's size field could carry it, but the
            // record is malformed for its readers (Samba's codec refuses the file), so it
            // is left out.
            Op::Set {
                key,
                name,
                data: RegData::Raw { code, bytes },
                ..
            } if crate::reg::RegType::from_code(*code).is_some() => warnings.push(loss(
                file,
                format!(
                    "{key}\\{name}: {} data of {} bytes does not fit its type; a Registry.pol record of it is malformed; left out",
                    crate::reg::RegType::of_code(*code).name(),
                    bytes.len()
                ),
            )),
            Op::Set {
                key, name, data, ..
            } => out.push(Entry::set(key, name, data)),
            Op::DeleteValue { key, name, .. } => out.push(Entry::set(
                key,
                &format!("{}{name}", crate::lgpo::DEL_PREFIX),
                &RegData::Sz(" ".into()),
            )),
            Op::DeleteValues { key, .. } => out.push(Entry::delete_values(key)),
            Op::CreateKey { key, .. } => out.push(Entry {
                key: key.clone(),
                value: String::new(),
                reg_type: 0,
                data: Vec::new(),
            }),
            Op::DeleteKey { key, .. } => match key.rsplit_once('\\') {
                Some((parent, sub)) => out.push(Entry::set(
                    parent,
                    "**deletekeys",
                    &RegData::Sz(sub.to_string()),
                )),
                None => warnings.push(loss(
                    file,
                    format!(
                        "{}\\{key}: a top-level key deletion has no Registry.pol form; left out",
                        hive.long_name()
                    ),
                )),
            },
        }
    }
    out
}

/// Registry.pol files, one per hive: (hive, bytes).
pub type PolFiles = Vec<(Hive, Vec<u8>)>;

/// Registry.pol bytes per hive the operations name (Machine first).
pub fn to_pol(file: &str, ops: &[Op]) -> Result<(PolFiles, Vec<Diagnostic>), String> {
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    for hive in [Hive::Hklm, Hive::Hkcu] {
        if !ops.iter().any(|o| o.hive() == hive) {
            continue;
        }
        let entries = pol_entries(file, hive, ops, &mut warnings);
        let bytes = pol::write(&entries).map_err(|e| format!("cannot write Registry.pol: {e}"))?;
        files.push((hive, bytes));
    }
    Ok((files, warnings))
}

/// LGPO text (logical, CRLF); a key deletion and unmodelled types have no LGPO action.
pub fn to_lgpo(file: &str, ops: &[Op]) -> Result<(String, Vec<Diagnostic>), String> {
    let mut warnings = Vec::new();
    let mut out = String::new();
    for op in ops {
        let hive = op.hive();
        let config = crate::lgpo::configuration(hive).to_string();
        let key = crate::lgpo::line("the key", op.key())?;
        let lines: [String; 4] = match op {
            Op::Set { name, data, .. } => {
                match crate::lgpo::record_lines(hive, &Entry::set(op.key(), name, data)) {
                    Ok(l) => l,
                    Err(m) => {
                        warnings.push(loss(file, format!("{}\\{name}: {m}; left out", op.key())));
                        continue;
                    }
                }
            }
            Op::DeleteValues { key, .. } => {
                crate::lgpo::record_lines(hive, &Entry::delete_values(key))?
            }
            Op::DeleteValue { name, .. } => [
                config,
                key,
                crate::lgpo::line("the value name", name)?,
                "DELETE".into(),
            ],
            Op::CreateKey { .. } => [config, key, "*".into(), "CREATEKEY".into()],
            Op::DeleteKey { .. } => {
                warnings.push(loss(
                    file,
                    format!("{}: LGPO text has no key deletion; left out", op.key()),
                ));
                continue;
            }
        };
        for l in lines {
            out.push_str(&l);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
    }
    Ok((out, warnings))
}

/// JSON for scripts: `{"ops": [...]}`, each op with its `op`, `hive`, `key`, `name` and
/// typed `data`.
pub fn to_json(ops: &[Op]) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        ops: &'a [Op],
    }
    let mut s = serde_json::to_string_pretty(&Doc { ops }).expect("ops serialise");
    s.push('\n');
    s
}

/// `policyc convert`: reads every input in order and writes the target. Without
/// `--out`, text targets go to stdout; Registry.pol needs `--out FILE`, and an input
/// naming both hives gives `STEM.Machine.pol` and `STEM.User.pol` beside FILE. Returns
/// the warnings, or an error message.
pub fn run(inputs: &[String], to: Target, out: Option<&Path>) -> Result<Vec<Diagnostic>, String> {
    let mut ops = Vec::new();
    let mut warnings = Vec::new();
    for arg in inputs {
        let (o, w) = read_input(arg)?;
        ops.extend(o);
        warnings.extend(w);
    }
    let target = out.map_or("stdout".to_string(), |p| p.display().to_string());
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    // `.reg` and LGPO text files are UTF-16LE with a BOM: `reg import` reads a file
    // without one as ANSI (Wine's programs/reg/import.c), so UTF-8 redirected into a .reg
    // file would turn `é` into `Ã©`. Only a terminal gets UTF-8 text to read.
    let text_out = |text: String, warnings: Vec<Diagnostic>| -> Result<Vec<Diagnostic>, String> {
        let file = || {
            crate::emit::encoding::encode(&text, crate::emit::encoding::Encoding::Utf16LeBomCrlf)
        };
        match out {
            Some(p) => write(p, &file())?,
            None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
                crate::cli::write_stdout(format_args!("{}", text.replace("\r\n", "\n")))
            }
            None => crate::cli::write_stdout_bytes(&file()),
        }
        Ok(warnings)
    };
    match to {
        Target::Reg => {
            let (text, w) = to_reg(&target, &ops)?;
            warnings.extend(w);
            text_out(text, warnings)
        }
        Target::Lgpo => {
            let (text, w) = to_lgpo(&target, &ops)?;
            warnings.extend(w);
            text_out(text, warnings)
        }
        Target::Json => {
            let json = to_json(&ops);
            match out {
                Some(p) => write(p, json.as_bytes())?,
                None => crate::cli::write_stdout(format_args!("{json}")),
            }
            Ok(warnings)
        }
        Target::Pol => {
            let out = out.ok_or("Registry.pol is binary: give --out FILE")?;
            let (files, w) = to_pol(&target, &ops)?;
            warnings.extend(w);
            if files.len() == 1 {
                write(out, &files[0].1)?;
            } else {
                for (hive, bytes) in &files {
                    write(&both_hives_path(out, *hive), bytes)?;
                }
            }
            Ok(warnings)
        }
    }
}

/// `STEM.Machine.pol` or `STEM.User.pol` beside `out` (`out`'s name without `.pol`).
pub fn both_hives_path(out: &Path, hive: Hive) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or("Registry".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!(
        "{stem}.{}.pol",
        crate::pol::emit::scope_folder(hive)
    ))
}
