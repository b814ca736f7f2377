//! The `.reg` text format that regedit and `reg import`/`reg export` use: a writer
//! and a reader that round-trip through each other.
//!
//! Format facts (KB 310516; Wine `programs/regedit/regproc.c`): header line
//! `Windows Registry Editor Version 5.00` (or ANSI `REGEDIT4`); `[KEY]` opens a
//! key, `[-KEY]` deletes it with its subkeys; `"name"=` / `@=` set a value;
//! `"name"=-` deletes one; `"..."` is REG_SZ with only `\\` and `\"` escaped;
//! `dword:` takes 8 hex digits; `hex(N):` holds raw bytes of type N, and a hex
//! line may continue onto the next after a trailing `\`.

use super::RegData;
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

/// How a `.reg` file's bytes are text: Windows reads a file that starts with the
/// UTF-16LE byte order mark as Unicode and any other file as ANSI (Wine
/// `programs/reg/import.c`, `reg_import`: `is_unicode` is set by the `FF FE` mark,
/// not by the header). The encoding also decides how `hex(1)`, `hex(2)` and
/// `hex(7)` bytes are read: one UTF-16 unit per two bytes, or one ANSI character
/// per byte (Wine `prepare_hex_string_data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16LE with BOM (`Windows Registry Editor Version 5.00` exports).
    Unicode,
    /// The ANSI code page; policyc reads Windows-1252, the ANSI code page of
    /// English-language Windows (`REGEDIT4` exports).
    Ansi,
    /// UTF-8 with its byte order mark. Windows' reader has no UTF-8 mode (Wine
    /// `reg_import` knows only the two above); policyc reads such a file as UTF-8 text,
    /// and its `hex(N)` strings as ANSI bytes, and says so in a warning.
    Utf8,
}

/// A line Windows skips (or a file feature policyc reads differently), with its
/// 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// What [`read_bytes`] and [`read_with`] give: the file, and a warning for each line
/// Windows would skip.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub file: RegFile,
    pub warnings: Vec<Warning>,
}

/// Decodes a `.reg` file's bytes to text (see [`Encoding`]).
pub fn decode_with(bytes: &[u8]) -> Result<(String, Encoding), ReadError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        // An odd last byte cannot be a UTF-16 unit; Windows' reader drops it too.
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let text = String::from_utf16(&units).map_err(|_| ReadError {
            line: 0,
            message: "invalid UTF-16 (an unpaired surrogate)".into(),
        })?;
        return Ok((text, Encoding::Unicode));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let text = std::str::from_utf8(rest).map_err(|e| ReadError {
            line: 0,
            message: format!(
                "a UTF-8 byte order mark, but invalid UTF-8 at byte {}",
                e.valid_up_to() + 3
            ),
        })?;
        return Ok((text.to_string(), Encoding::Utf8));
    }
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    Ok((text.into_owned(), Encoding::Ansi))
}

/// Decodes a `.reg` file's bytes to text: UTF-16LE with BOM, UTF-8 with BOM, else
/// Windows-1252 (see [`Encoding`]).
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    decode_with(bytes).map(|(t, _)| t)
}

/// The lines of decoded text for the readers (`.reg`, LGPO text, PowerShell data
/// section): split at LF, with a CR before it dropped, so CRLF and LF files read alike.
/// Unlike `str::lines`, a final empty line is kept, so a line's index + 1 is the line
/// number an editor shows.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// A `.reg` file's lines as Windows splits them: at CR LF, LF or a lone CR (Wine
/// `get_lineW`), numbered from 1.
fn reg_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut n = 1;
    loop {
        match rest.find(['\r', '\n']) {
            None => {
                out.push((n, rest));
                break;
            }
            Some(i) => {
                out.push((n, &rest[..i]));
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
                n += 1;
            }
        }
    }
    out
}

/// The roots a `.reg` key line may name (Wine `parse_key_name`, case-insensitive, the
/// whole name followed by `\` or the end).
const ROOTS: [&str; 6] = [
    "HKEY_LOCAL_MACHINE",
    "HKEY_USERS",
    "HKEY_CLASSES_ROOT",
    "HKEY_CURRENT_CONFIG",
    "HKEY_CURRENT_USER",
    "HKEY_DYN_DATA",
];

fn has_root(path: &str) -> bool {
    let head = path.split('\\').next().unwrap_or("");
    ROOTS.iter().any(|r| head.eq_ignore_ascii_case(r))
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Parses `.reg` text as Windows imports it; a line Windows skips is a warning, not
/// an error. `encoding` is how the bytes were text (it decides `hex(1)/(2)/(7)`
/// strings); only a header Windows refuses, or one it accepts and then imports nothing
/// from, is an error.
///
/// The rules are those of Wine's `programs/reg/import.c` (its state machine), whose
/// tests (`programs/reg/tests/import.c`) run on Windows; `tests/reg_import_cases.rs`
/// keeps those cases with their Windows outcome.
pub fn read_with(text: &str, encoding: Encoding) -> Result<Parsed, ReadError> {
    let lines = reg_lines(text);
    let mut it = lines.into_iter().peekable();
    let err = |line: usize, m: &str| ReadError {
        line,
        message: m.to_string(),
    };
    let (_, header) = it.next().ok_or_else(|| err(1, "empty file"))?;
    let header = header.trim_start_matches(is_blank);
    if header == "REGEDIT" {
        return Err(err(1, "a Windows 3.1 `REGEDIT` file; policyc reads `REGEDIT4` and `Windows Registry Editor Version 5.00` files"));
    }
    if header != HEADER_V5 && header != HEADER_V4 {
        return Err(err(
            1,
            if header.starts_with("REGEDIT") {
                "header is not `REGEDIT4` or `Windows Registry Editor Version 5.00`: Windows accepts this file and imports nothing from it"
            } else {
                "missing `Windows Registry Editor Version 5.00` header"
            },
        ));
    }
    let mut out = Parsed::default();
    if encoding == Encoding::Utf8 {
        out.warnings.push(Warning {
            line: 1,
            message: "a UTF-8 file: Windows reads .reg files as UTF-16 (with a byte order mark) or ANSI; policyc reads this one as UTF-8".into(),
        });
    }
    let file = &mut out.file;
    let warnings = &mut out.warnings;
    let mut warn = |line: usize, m: String| warnings.push(Warning { line, message: m });
    let mut pending_comments: Vec<String> = Vec::new();
    // The block values go to; `None` after `[-KEY]`, a key Windows cannot open, or
    // before the first key (Windows then has no key to write to).
    let mut current: Option<usize> = None;
    while let Some((n, raw)) = it.next() {
        let line = raw.trim_start_matches(is_blank);
        let Some(first) = line.chars().next() else {
            continue;
        };
        match first {
            ';' => {
                let c = &line[1..];
                let c = c.strip_prefix(' ').unwrap_or(c).to_string();
                if file.blocks.is_empty() && pending_comments.is_empty() {
                    file.comments.push(c);
                } else {
                    pending_comments.push(c);
                }
                continue;
            }
            // Windows skips every line that does not start with `[`, `@` or `"`;
            // `#` lines are comments in files seen in the wild.
            '#' => continue,
            '[' => {
                let p = &line[1..];
                let Some(end) = p.rfind(']') else {
                    warn(n, "key line without a closing `]`; Windows skips it".into());
                    continue;
                };
                if p.starts_with(is_blank) {
                    warn(n, "space after `[`; Windows skips the key line".into());
                    continue;
                }
                let path = &p[..end];
                if let Some(del) = path.strip_prefix('-') {
                    current = None;
                    pending_comments.clear();
                    if has_root(del) {
                        file.blocks.push(Block::DeleteKey(del.to_string()));
                    } else {
                        warn(
                            n,
                            format!("`[-{del}]` names no registry root; Windows deletes nothing"),
                        );
                    }
                } else if has_root(path) {
                    file.blocks.push(Block::Key {
                        path: path.to_string(),
                        comments: std::mem::take(&mut pending_comments),
                        values: Vec::new(),
                    });
                    current = Some(file.blocks.len() - 1);
                } else {
                    current = None;
                    warn(n, format!("`[{path}]` names no registry root (HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, ...); Windows skips it and the values below it"));
                }
                continue;
            }
            '@' | '"' => {}
            _ => {
                warn(
                    n,
                    "not a key, value or comment line; Windows skips it".into(),
                );
                continue;
            }
        }
        // A value line.
        let (name, rest) = if let Some(r) = line.strip_prefix('@') {
            (None, r)
        } else {
            match unescape(&line[1..]) {
                Ok((name, r)) => (Some(name), r),
                Err(m) => {
                    warn(n, format!("value name: {m}; Windows skips the line"));
                    continue;
                }
            }
        };
        let value = match value_data(rest, encoding, n, &mut it) {
            Ok(v) => v,
            Err(m) => {
                warn(n, format!("{m}; Windows skips the line"));
                continue;
            }
        };
        match current.and_then(|i| file.blocks.get_mut(i)) {
            Some(Block::Key { values, .. }) => values.push(ValueLine { name, data: value }),
            _ => warn(
                n,
                "a value line with no open key (none yet, or after `[-KEY]` or a key Windows could not open); Windows skips it".into(),
            ),
        }
    }
    Ok(out)
}

type Lines<'a> = std::iter::Peekable<std::vec::IntoIter<(usize, &'a str)>>;

/// The data after a value name (`=` and what follows; Wine `data_start_state` on).
/// `Ok(None)` deletes the value.
fn value_data(
    rest: &str,
    encoding: Encoding,
    n: usize,
    lines: &mut Lines<'_>,
) -> Result<Option<RegData>, String> {
    let rest = rest.trim_start_matches(is_blank);
    let rest = rest
        .strip_prefix('=')
        .ok_or("no `=` after the value name")?;
    let rest = rest.trim_matches(is_blank);
    if let Some(after) = rest.strip_prefix('-') {
        let after = after.trim_start_matches(is_blank);
        if after.is_empty() || after.starts_with(';') {
            return Ok(None);
        }
        return Err("text after `-`".into());
    }
    if let Some(s) = rest.strip_prefix('"') {
        let (s, after) = unescape(s).map_err(|m| format!("string data: {m}"))?;
        let after = after.trim_start_matches(is_blank);
        if !(after.is_empty() || after.starts_with(';')) {
            return Err("text after the closing quote (only `;` starts a comment there)".into());
        }
        return Ok(Some(RegData::Sz(s)));
    }
    if let Some(d) = rest.strip_prefix("dword:") {
        return dword(d).map(|d| Some(RegData::Dword(d)));
    }
    let (code, hex) = if let Some(h) = rest.strip_prefix("hex:") {
        (3, h)
    } else if let Some(h) = rest.strip_prefix("hex(") {
        // Wine `parse_data_type`: hex digits (no `0x`), `)`, `:`, within 32 bits.
        let close = h.find(')').ok_or("`hex(` without `)`")?;
        let digits = &h[..close];
        if digits.is_empty()
            || !digits.chars().all(|c| c.is_ascii_hexdigit())
            || !h[close + 1..].starts_with(':')
        {
            return Err(format!("`hex({digits})` is not a type number"));
        }
        let significant = digits.trim_start_matches('0');
        let code = if significant.is_empty() {
            0
        } else {
            u32::from_str_radix(significant, 16)
                .map_err(|_| format!("type `{digits}` is larger than 32 bits"))?
        };
        (code, &h[close + 2..])
    } else {
        return Err(
            "unrecognised data (Windows reads `\"...\"`, `dword:`, `hex:` and `hex(N):`)".into(),
        );
    };
    let bytes = hex_data(hex, lines).map_err(|m| format!("line {n}: {m}"))?;
    Ok(Some(stored(code, bytes, encoding)))
}

/// The value Windows stores for `hex(code):` bytes: string types get a terminating NUL
/// when they lack one, and in an ANSI file their bytes are ANSI characters, converted to
/// UTF-16 (Wine `prepare_hex_string_data`).
fn stored(code: u32, mut bytes: Vec<u8>, encoding: Encoding) -> RegData {
    if matches!(code, 1 | 2 | 7) && !bytes.is_empty() {
        match encoding {
            Encoding::Unicode => {
                if bytes.len() % 2 == 0 && bytes[bytes.len() - 2..] != [0, 0] {
                    bytes.extend_from_slice(&[0, 0]);
                }
            }
            Encoding::Ansi | Encoding::Utf8 => {
                if bytes.last() != Some(&0) {
                    bytes.push(0);
                }
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
                bytes = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            }
        }
    }
    RegData::from_stored(code, &bytes)
}

/// `dword:` data: 1 to 8 hex digits, then blanks and an optional `;` comment (Wine
/// `convert_hex_to_dword`).
fn dword(s: &str) -> Result<u32, String> {
    let s = s.trim_start_matches(is_blank);
    if s.is_empty() {
        return Err("`dword:` without digits".into());
    }
    let digits: &str = &s[..s.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(s.len())];
    if digits.len() > 8 {
        return Err("`dword:` takes at most 8 hex digits".into());
    }
    let after = s[digits.len()..].trim_start_matches(is_blank);
    if !(after.is_empty() || after.starts_with(';')) {
        return Err("text after the `dword:` digits".into());
    }
    Ok(if digits.is_empty() {
        0
    } else {
        u32::from_str_radix(digits, 16).map_err(|e| e.to_string())?
    })
}

/// The bytes of `hex:`/`hex(N):` data: comma-separated bytes, a `\` after a comma
/// continuing on the next line that is not blank or a `;` comment (Wine
/// `convert_hex_csv_to_hex`, `eol_backslash_state`, `hex_multiline_state`).
fn hex_data(first: &str, lines: &mut Lines<'_>) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut seg = first.to_string();
    loop {
        let continues = hex_segment(&seg, &mut bytes)?;
        let Some(after) = continues else {
            return Ok(bytes);
        };
        let after = after.trim_start_matches(is_blank);
        if !(after.is_empty() || after.starts_with(';')) {
            return Err("text after the continuation `\\`".into());
        }
        // The next line with data; blank and `;` lines between are skipped.
        loop {
            let Some((n, next)) = lines.next() else {
                return Ok(bytes);
            };
            let next = next.trim_start_matches(is_blank);
            if next.is_empty() || next.starts_with(';') {
                continue;
            }
            if !next.starts_with(|c: char| c.is_ascii_hexdigit()) {
                return Err(format!(
                    "continued on line {n}, which does not start with a hex byte"
                ));
            }
            seg = next.to_string();
            break;
        }
    }
}

/// One line's share of hex data, appended to `bytes`. `Ok(Some(rest))` when the line
/// ends in a continuation `\` (rest: what follows it), `Ok(None)` when the value ends.
fn hex_segment<'a>(s: &'a str, bytes: &mut Vec<u8>) -> Result<Option<&'a str>, String> {
    let mut s = s;
    while !s.is_empty() {
        // C `wcstoul(s, &end, 16)`: blanks, a sign, an optional `0x`, hex digits.
        let t = s.trim_start_matches(|c: char| c == ' ' || ('\t'..='\r').contains(&c));
        let (neg, t) = match t.strip_prefix(['+', '-']) {
            Some(r) => (t.starts_with('-'), r),
            None => (false, t),
        };
        let t = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(r) if r.starts_with(|c: char| c.is_ascii_hexdigit()) => r,
            _ => t,
        };
        let len = t.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(t.len());
        if len == 0 {
            let rest = s.trim_start_matches(is_blank);
            if let Some(r) = rest.strip_prefix('\\') {
                return Ok(Some(r));
            }
            if rest.starts_with(';') {
                return Ok(None);
            }
            return Err(format!(
                "`{}` is not a hex byte",
                rest.chars().next().unwrap_or(' ')
            ));
        }
        let digits = t[..len].trim_start_matches('0');
        let value = if digits.len() > 2 {
            u32::MAX
        } else {
            u32::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16)
                .unwrap_or(u32::MAX)
        };
        let value = if neg { value.wrapping_neg() } else { value };
        if value > 0xff {
            return Err(format!("`{}` is more than one byte", &t[..len]));
        }
        bytes.push(value as u8);
        let end = &t[len..];
        if let Some(r) = end.strip_prefix(',') {
            s = r;
        } else {
            let after = end.trim_start_matches(is_blank);
            if after.is_empty() || after.starts_with(';') {
                return Ok(None);
            }
            return Err(format!(
                "`{}` after a hex byte",
                after.chars().next().unwrap_or(' ')
            ));
        }
    }
    Ok(None)
}

/// Parses `.reg` text strictly: as [`read_with`], with any line Windows would skip an
/// error naming it. For text policyc wrote itself (the writer's round trip), where a
/// skipped line is a bug. The encoding is the header's: `REGEDIT4` files are ANSI.
pub fn read(text: &str) -> Result<RegFile, ReadError> {
    let first = text.split(['\r', '\n']).next().unwrap_or("");
    let enc = if first.trim_start_matches(is_blank) == HEADER_V4 {
        Encoding::Ansi
    } else {
        Encoding::Unicode
    };
    let parsed = read_with(text, enc)?;
    match parsed.warnings.into_iter().next() {
        Some(w) => Err(ReadError {
            line: w.line,
            message: w.message,
        }),
        None => Ok(parsed.file),
    }
}

/// Decodes and parses a `.reg` file's bytes as Windows imports them.
pub fn read_bytes(bytes: &[u8]) -> Result<Parsed, ReadError> {
    let (text, enc) = decode_with(bytes)?;
    read_with(&text, enc)
}

/// Reads a quoted string after its opening `"`; returns it and what follows the closing
/// quote. Escapes as Windows reads them (Wine `unescape_string`): `\\`, `\"`, `\n`,
/// `\r`; `\0` makes the line invalid (Windows creates no value); any other `\c` is `c`.
fn unescape(s: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[i + 1..])),
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, '0')) => return Err("`\\0` inside a string".into()),
                Some((_, other)) => out.push(other),
                None => return Err("a `\\` at the end of the line".into()),
            },
            _ => out.push(c),
        }
    }
    Err("no closing `\"`".into())
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
            read("REGEDIT4\n[HKEY_CURRENT_USER\\A]\n\"x\"=dword:xyz\n")
                .unwrap_err()
                .line,
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
