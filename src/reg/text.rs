//! The `.reg` text format that regedit and `reg import`/`reg export` use: a writer
//! and a reader that round-trip through each other.
//!
//! Format facts (KB 310516; Wine `programs/regedit/regproc.c`): header line
//! `Windows Registry Editor Version 5.00` (or ANSI `REGEDIT4`); `[KEY]` opens a
//! key, `[-KEY]` deletes it with its subkeys; `"name"=` / `@=` set a value;
//! `"name"=-` deletes one; `"..."` is REG_SZ with only `\\` and `\"` escaped;
//! `dword:` takes 8 hex digits; `hex(N):` holds raw bytes of type N, and a hex
//! line may continue onto the next after a trailing `\`.

use super::{RegData, RegType};
use std::fmt::Write as _;

pub const HEADER_V5: &str = "Windows Registry Editor Version 5.00";
pub const HEADER_V4: &str = "REGEDIT4";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegFile {
    /// `;` comment lines written after the header.
    pub comments: Vec<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// `[-HKEY_...\key]`: deletes the key and everything below it.
    DeleteKey(String),
    /// `[HKEY_...\key]` followed by value lines.
    Key {
        path: String,
        comments: Vec<String>,
        values: Vec<ValueLine>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueLine {
    /// `None` is the key's default value (`@`).
    pub name: Option<String>,
    /// `None` deletes the value (`"name"=-`).
    pub data: Option<RegData>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ReadError {
    pub line: usize,
    pub message: String,
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hex_bytes(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(",")
}

/// One `; ` comment line (`.reg` and LGPO text share the syntax), with anything that
/// could end the line made harmless.
pub fn comment(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("; {clean}")
}

/// The data part of a value line (after `=`).
pub fn format_data(data: &RegData) -> String {
    match data {
        // A quoted string cannot carry a line break (regedit reads line by line), so
        // strings holding control characters are written in their hex(1) form instead.
        RegData::Sz(s) if !s.chars().any(char::is_control) => quote(s),
        RegData::Dword(d) => format!("dword:{d:08x}"),
        RegData::Binary(b) => format!("hex:{}", hex_bytes(b)),
        other => format!(
            "hex({:x}):{}",
            other.reg_type().code(),
            hex_bytes(&other.to_bytes())
        ),
    }
}

/// Writes the file as logical text with CRLF line endings. Encoding to UTF-16LE
/// with BOM is the caller's (see `emit::encoding`). Fails only on a key or value
/// name that no `.reg` line can carry (a control character).
pub fn write(file: &RegFile) -> Result<String, String> {
    let mut out = String::new();
    let nl = "\r\n";
    out.push_str(HEADER_V5);
    out.push_str(nl);
    out.push_str(nl);
    for c in &file.comments {
        out.push_str(&comment(c));
        out.push_str(nl);
    }
    if !file.comments.is_empty() {
        out.push_str(nl);
    }
    let check = |what: &str, s: &str| {
        if s.chars().any(char::is_control) {
            Err(format!("{what} {s:?} holds a control character"))
        } else {
            Ok(())
        }
    };
    for b in &file.blocks {
        match b {
            Block::DeleteKey(path) => {
                check("key", path)?;
                let _ = write!(out, "[-{path}]{nl}{nl}");
            }
            Block::Key {
                path,
                comments,
                values,
            } => {
                check("key", path)?;
                for c in comments {
                    out.push_str(&comment(c));
                    out.push_str(nl);
                }
                let _ = write!(out, "[{path}]{nl}");
                for v in values {
                    match &v.name {
                        Some(n) => {
                            check("value name", n)?;
                            out.push_str(&quote(n));
                        }
                        None => out.push('@'),
                    }
                    out.push('=');
                    match &v.data {
                        Some(d) => out.push_str(&format_data(d)),
                        None => out.push('-'),
                    }
                    out.push_str(nl);
                }
                out.push_str(nl);
            }
        }
    }
    Ok(out)
}

/// Decodes a `.reg` file's bytes: UTF-16LE with BOM (version 5 files), else
/// UTF-8 (with or without BOM), else Windows-1252-ish bytes read as Latin-1.
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        if rest.len() % 2 != 0 {
            return Err(ReadError {
                line: 0,
                message: "odd number of bytes in a UTF-16 file".into(),
            });
        }
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16(&units).map_err(|_| ReadError {
            line: 0,
            message: "invalid UTF-16".into(),
        });
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    Ok(match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    })
}

/// The lines of decoded text for the readers (`.reg`, LGPO text, PowerShell data
/// section): split at LF, with a CR before it dropped, so CRLF and LF files read alike.
/// Unlike `str::lines`, a final empty line is kept, so a line's index + 1 is the line
/// number an editor shows.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Parses `.reg` text (already decoded).
pub fn read(text: &str) -> Result<RegFile, ReadError> {
    let mut lines = lines(text).enumerate();
    let err = |line: usize, m: &str| ReadError {
        line: line + 1,
        message: m.to_string(),
    };
    let (_, header) = lines.next().ok_or_else(|| err(0, "empty file"))?;
    let header = header.trim_end();
    if header != HEADER_V5 && header != HEADER_V4 {
        return Err(err(
            0,
            "missing `Windows Registry Editor Version 5.00` header",
        ));
    }
    let mut file = RegFile::default();
    let mut pending_comments = Vec::new();
    let mut current: Option<usize> = None;
    while let Some((n, raw)) = lines.next() {
        let line = raw.trim_start();
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix(';') {
            let c = c.strip_prefix(' ').unwrap_or(c).to_string();
            if file.blocks.is_empty()
                && current.is_none()
                && pending_comments.is_empty()
                && !seen_key(&file)
            {
                file.comments.push(c);
            } else {
                pending_comments.push(c);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let rest = rest.trim_end();
            let inner = rest
                .strip_suffix(']')
                .ok_or_else(|| err(n, "key line without closing `]`"))?;
            if let Some(path) = inner.strip_prefix('-') {
                file.blocks.push(Block::DeleteKey(path.to_string()));
                current = None;
                pending_comments.clear();
            } else {
                file.blocks.push(Block::Key {
                    path: inner.to_string(),
                    comments: std::mem::take(&mut pending_comments),
                    values: Vec::new(),
                });
                current = Some(file.blocks.len() - 1);
            }
            continue;
        }
        let idx = current.ok_or_else(|| err(n, "value line outside a key"))?;
        let (name, rest) = if let Some(r) = line.strip_prefix('@') {
            (None, r)
        } else if line.starts_with('"') {
            let (name, used) = unquote(line).ok_or_else(|| err(n, "unterminated value name"))?;
            (Some(name), &line[used..])
        } else {
            return Err(err(n, "expected `\"name\"=`, `@=`, `[key]` or `;`"));
        };
        let rest = rest
            .trim_start()
            .strip_prefix('=')
            .ok_or_else(|| err(n, "expected `=` after the value name"))?;
        let rest = rest.trim_start();
        let data = if rest.trim_end() == "-" {
            None
        } else if rest.starts_with('"') {
            let (s, used) = unquote(rest).ok_or_else(|| err(n, "unterminated string"))?;
            if !rest[used..].trim().is_empty() {
                return Err(err(n, "text after the closing quote"));
            }
            Some(RegData::Sz(s))
        } else if let Some(h) = rest.strip_prefix("dword:") {
            let h = h.trim_end();
            if h.is_empty() || h.len() > 8 {
                return Err(err(n, "dword needs 1 to 8 hex digits"));
            }
            Some(RegData::Dword(
                u32::from_str_radix(h, 16).map_err(|_| err(n, "bad dword"))?,
            ))
        } else if rest.starts_with("hex") {
            let colon = rest
                .find(':')
                .ok_or_else(|| err(n, "hex value without `:`"))?;
            let ty_code = match &rest[..colon] {
                "hex" => 3,
                t => {
                    let inner = t
                        .strip_prefix("hex(")
                        .and_then(|t| t.strip_suffix(')'))
                        .ok_or_else(|| err(n, "bad hex type"))?;
                    u32::from_str_radix(inner, 16).map_err(|_| err(n, "bad hex type"))?
                }
            };
            let mut hex = rest[colon + 1..].trim_end().to_string();
            // A trailing backslash continues the byte list on the next line.
            while hex.ends_with('\\') {
                hex.pop();
                let (_, next) = lines
                    .next()
                    .ok_or_else(|| err(n, "continuation at end of file"))?;
                hex.push_str(next.trim());
            }
            let mut bytes = Vec::new();
            for part in hex.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                bytes.push(u8::from_str_radix(part, 16).map_err(|_| err(n, "bad hex byte"))?);
            }
            let ty = RegType::from_code(ty_code).ok_or_else(|| err(n, "unsupported value type"))?;
            Some(
                RegData::from_bytes(ty, &bytes)
                    .ok_or_else(|| err(n, "bytes do not fit the value type"))?,
            )
        } else {
            return Err(err(n, "unrecognised value data"));
        };
        if let Some(Block::Key { values, .. }) = file.blocks.get_mut(idx) {
            values.push(ValueLine { name, data });
        }
    }
    Ok(file)
}

fn seen_key(file: &RegFile) -> bool {
    !file.blocks.is_empty()
}

/// Reads a quoted string at the start of `s`; returns it and the bytes used.
/// Escapes as Wine reads them: `\\`, `\"`, `\n`, `\0`; others are kept literally.
fn unquote(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()? {
                (_, '\\') => out.push('\\'),
                (_, '"') => out.push('"'),
                (_, 'n') => out.push('\n'),
                (_, '0') => out.push('\0'),
                (_, other) => {
                    out.push('\\');
                    out.push(other);
                }
            },
            _ => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RegFile {
        RegFile {
            comments: vec!["generated".into()],
            blocks: vec![
                Block::DeleteKey(r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome\X".into()),
                Block::Key {
                    path: r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome\X".into(),
                    comments: vec!["setting x".into()],
                    values: vec![
                        ValueLine {
                            name: Some("1".into()),
                            data: Some(RegData::Sz("https://[*.]nhs.net".into())),
                        },
                        ValueLine {
                            name: Some("q\"\\".into()),
                            data: Some(RegData::Sz("a\\b\"c".into())),
                        },
                        ValueLine {
                            name: Some("d".into()),
                            data: Some(RegData::Dword(0xffff_ffff)),
                        },
                        ValueLine {
                            name: Some("nl".into()),
                            data: Some(RegData::Sz("a\r\nb".into())),
                        },
                        ValueLine {
                            name: Some("m".into()),
                            data: Some(RegData::MultiSz(vec!["x".into(), "é".into()])),
                        },
                        ValueLine {
                            name: Some("gone".into()),
                            data: None,
                        },
                        ValueLine {
                            name: None,
                            data: Some(RegData::Sz(String::new())),
                        },
                    ],
                },
            ],
        }
    }

    #[test]
    fn round_trips() {
        let text = write(&sample()).unwrap();
        assert!(text.contains("\"q\\\"\\\\\"=\"a\\\\b\\\"c\"\r\n"));
        assert!(text.contains("\"d\"=dword:ffffffff\r\n"));
        assert!(text.contains("\"nl\"=hex(1):61,00,0d,00,0a,00,62,00,00,00\r\n"));
        assert_eq!(read(&text).unwrap(), sample());
    }

    #[test]
    fn reads_continuations_and_rejects_garbage() {
        let text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\A]\r\n\"b\"=hex(7):61,00,00,\\\r\n  00,00,00\r\n";
        let f = read(text).unwrap();
        let Block::Key { values, .. } = &f.blocks[0] else {
            panic!()
        };
        assert_eq!(values[0].data, Some(RegData::MultiSz(vec!["a".into()])));
        assert_eq!(read("REGEDIT5\r\n").unwrap_err().line, 1);
        assert_eq!(
            read("REGEDIT4\n[A]\n\"x\"=dword:xyz\n").unwrap_err().line,
            3
        );
        assert_eq!(read("REGEDIT4\n\"x\"=\"y\"\n").unwrap_err().line, 2);
        assert!(write(&RegFile {
            comments: vec![],
            blocks: vec![Block::Key {
                path: "HKEY_CURRENT_USER\\a\nb".into(),
                comments: vec![],
                values: vec![]
            }]
        })
        .is_err());
    }
}
