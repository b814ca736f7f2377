//! LGPO text, the format Microsoft's `LGPO.exe /parse` prints for a Registry.pol file and
//! `LGPO.exe /t` and `/r` read: a writer (used by [`emit`]) and a reader that
//! round-trip through each other.
//!
//! Format (Microsoft LGPO.pdf v3.0, in the Security Compliance Toolkit; copy read at
//! `mxk/win11-secure-baseline-gpo:Tools/LGPO.pdf`, domain-facts.md 8.3): records of four
//! lines (configuration `Computer`/`User`, key without hive, value name, action),
//! separated by empty lines; a line starting with `;` between records is a comment.
//! Actions: `SZ:`, `EXSZ:`, `MULTISZ:` (items joined by `\0`), `DWORD:` and `QWORD:`
//! (decimal), `BINARY:` (hex bytes joined by `,`) and `DELETEALLVALUES` (`**delvals.`,
//! value name `*`); string actions take the escapes `\r`, `\n` and `\\` (and `\0`
//! between MULTISZ items), every other character stands for itself, and key and
//! value-name lines are never escaped. These are all the writer writes. The reader also
//! takes `DELETE` (the record `**del.NAME`) and `CREATEKEY` (a record with no value, name
//! `*`), as Microsoft's ImportRegPol sample (`RegPolProcessor.cpp`, 2007) prints them.
//!
//! The reader is strict: anything it cannot map back to exactly one record (an unknown
//! action or escape, a record of three lines, a number out of range) is an error naming
//! the line. Inside a record every line is taken as it is, so a key or value name that
//! starts with `;` reads back as itself; how LGPO.exe treats such a line is not known.

pub mod emit;

use crate::pol::{Entry, DELVALS};
use crate::reg::{Hive, RegData};

/// The Registry.pol prefix of a record that deletes one value (`**del.NAME`).
pub const DEL_PREFIX: &str = "**del.";

/// LGPO's configuration line for a hive.
pub fn configuration(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => "Computer",
        Hive::Hkcu => "User",
    }
}

/// The hive of a configuration line (exactly as [`configuration`] writes it).
pub fn parse_configuration(line: &str) -> Option<Hive> {
    match line {
        "Computer" => Some(Hive::Hklm),
        "User" => Some(Hive::Hkcu),
        _ => None,
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

/// The action line for one Registry.pol record.
/// The value a `**del.NAME` record deletes (the prefix compared ASCII case-insensitively).
fn deleted_name(value: &str) -> Option<&str> {
    value
        .get(..DEL_PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(DEL_PREFIX))
        .map(|_| &value[DEL_PREFIX.len()..])
}

pub fn action(e: &Entry) -> Result<String, String> {
    if e.value.eq_ignore_ascii_case(DELVALS) {
        return Ok("DELETEALLVALUES".into());
    }
    // LGPO.pdf: `DELETE` on the name line's value is the `**del.NAME` record.
    if deleted_name(&e.value).is_some() {
        return Ok("DELETE".into());
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
        RegData::Raw { code, bytes } => {
            return Err(format!(
                "type {code} with {} bytes has no LGPO action",
                bytes.len()
            ))
        }
    })
}

/// A name line must stay one line, and an empty line would end the entry early.
pub fn line(what: &str, s: &str) -> Result<String, String> {
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

/// The four lines of one record (no separating empty line).
pub fn record_lines(hive: Hive, e: &Entry) -> Result<[String; 4], String> {
    let name = if e.value.eq_ignore_ascii_case(DELVALS) {
        "*".to_string()
    } else if let Some(n) = deleted_name(&e.value) {
        line("the value name", n)?
    } else {
        line("the value name", &e.value)?
    };
    Ok([
        configuration(hive).to_string(),
        line("the key", &e.key)?,
        name,
        action(e)?,
    ])
}

// ---- reader --------------------------------------------------------------------------

/// What a record does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `SZ:`, `EXSZ:`, `MULTISZ:`, `DWORD:`, `QWORD:` or `BINARY:`.
    Set(RegData),
    /// `DELETE`: delete the value named on the name line.
    Delete,
    /// `DELETEALLVALUES` (name `*`): delete every value of the key.
    DeleteAllValues,
    /// `CREATEKEY` (name `*`): create the key, set nothing.
    CreateKey,
}

/// One four-line record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub hive: Hive,
    pub key: String,
    /// The name line as written (`*` for DELETEALLVALUES and CREATEKEY).
    pub name: String,
    pub action: Action,
}

impl Record {
    /// The Registry.pol record it stands for (the inverse of what the writer reads).
    pub fn to_entry(&self) -> Entry {
        match &self.action {
            Action::Set(d) => Entry::set(&self.key, &self.name, d),
            Action::DeleteAllValues => Entry::delete_values(&self.key),
            Action::Delete => Entry::delete_value(&self.key, &self.name),
            Action::CreateKey => Entry {
                key: self.key.clone(),
                value: String::new(),
                reg_type: 0,
                data: Vec::new(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ReadError {
    /// 1-based; 0 for the file as a whole (its encoding).
    pub line: usize,
    pub message: String,
}

/// LGPO text bytes to text: UTF-16LE with BOM (what policyc writes and LGPO.exe's
/// "Unicode"), else UTF-8 with or without BOM.
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let fail = |m: &str| ReadError {
        line: 0,
        message: m.to_string(),
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        if rest.len() % 2 != 0 {
            return Err(fail("odd number of bytes in a UTF-16 file"));
        }
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16(&units).map_err(|_| fail("invalid UTF-16"));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| fail("neither UTF-16LE with BOM nor UTF-8"))
}

/// Undoes [`escape`]. With `multi`, `\0` separates items; without, it is an error.
fn unescape(s: &str, multi: bool) -> Result<Vec<String>, String> {
    let mut items = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            items.last_mut().expect("one item").push(c);
            continue;
        }
        let cur = items.last_mut().expect("one item");
        match chars.next() {
            Some('\\') => cur.push('\\'),
            Some('r') => cur.push('\r'),
            Some('n') => cur.push('\n'),
            Some('0') if multi => items.push(String::new()),
            Some(other) => {
                return Err(format!(
                    "unknown escape `\\{}` (only \\\\, \\r, \\n{} are defined)",
                    other.escape_debug(),
                    if multi { " and \\0" } else { "" }
                ))
            }
            None => return Err("a lone `\\` ends the string".into()),
        }
    }
    Ok(items)
}

fn decimal<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{what} `{s}` is not a decimal number"));
    }
    s.parse()
        .map_err(|_| format!("{what} `{s}` is out of range"))
}

/// Parses an action line.
pub fn parse_action(s: &str) -> Result<Action, String> {
    match s {
        "DELETE" => return Ok(Action::Delete),
        "DELETEALLVALUES" => return Ok(Action::DeleteAllValues),
        "CREATEKEY" => return Ok(Action::CreateKey),
        _ => {}
    }
    let (kind, rest) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not an action (SZ:, EXSZ:, MULTISZ:, DWORD:, QWORD:, BINARY:, DELETE, DELETEALLVALUES, CREATEKEY)"))?;
    let one = |rest: &str| unescape(rest, false).map(|mut v| v.remove(0));
    let data = match kind {
        "SZ" => RegData::Sz(one(rest)?),
        "EXSZ" => RegData::ExpandSz(one(rest)?),
        "MULTISZ" if rest.is_empty() => RegData::MultiSz(Vec::new()),
        "MULTISZ" => RegData::MultiSz(unescape(rest, true)?),
        "DWORD" => RegData::Dword(decimal(rest, "DWORD")?),
        "QWORD" => RegData::Qword(decimal(rest, "QWORD")?),
        "BINARY" if rest.is_empty() => RegData::Binary(Vec::new()),
        "BINARY" => RegData::Binary(
            rest.split(',')
                .map(|h| {
                    if h.len() == 2 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
                        Ok(u8::from_str_radix(h, 16).expect("two hex digits"))
                    } else {
                        Err(format!("BINARY byte `{h}` is not two hex digits"))
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        other => return Err(format!("unknown action type `{other}:`")),
    };
    Ok(Action::Set(data))
}

/// Parses LGPO text (already decoded; CRLF or LF). Records come back in file order.
pub fn read(text: &str) -> Result<Vec<Record>, ReadError> {
    let lines: Vec<&str> = crate::reg::text::lines(text).collect();
    let err = |i: usize, message: String| ReadError {
        line: i + 1,
        message,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.is_empty() || l.starts_with(';') {
            i += 1;
            continue;
        }
        let hive = parse_configuration(l).ok_or_else(|| {
            err(
                i,
                format!("expected `Computer`, `User`, a `;` comment or an empty line, found `{l}`"),
            )
        })?;
        let field = |n: usize, what: &str| -> Result<&str, ReadError> {
            match lines.get(i + n) {
                Some(s) if !s.is_empty() => Ok(s),
                _ => Err(err(
                    i + n,
                    format!("the record that starts on line {} has no {what} line (a record is four lines)", i + 1),
                )),
            }
        };
        let key = field(1, "key")?.to_string();
        let name = field(2, "value name")?.to_string();
        let action_line = field(3, "action")?;
        let action = parse_action(action_line).map_err(|m| err(i + 3, m))?;
        if matches!(action, Action::DeleteAllValues | Action::CreateKey) && name != "*" {
            return Err(err(
                i + 2,
                format!("{action_line} takes the value name `*`, not `{name}`"),
            ));
        }
        if let Some(next) = lines.get(i + 4).filter(|s| !s.is_empty()) {
            return Err(err(
                i + 4,
                format!(
                    "`{next}` follows a four-line record; records are separated by an empty line"
                ),
            ));
        }
        out.push(Record {
            hive,
            key,
            name,
            action,
        });
        i += 4;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_del_record_is_written_as_delete() {
        let e = Entry::delete_value("K", "Old");
        assert_eq!(
            record_lines(Hive::Hklm, &e).unwrap(),
            ["Computer", "K", "Old", "DELETE"].map(String::from)
        );
        // `**deletevalues` is not a `**del.` record.
        let dv = Entry::set("K", "**deletevalues", &RegData::Sz("a;b".into()));
        assert_eq!(action(&dv).unwrap(), "SZ:a;b");
    }

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

    #[test]
    fn actions_read_back() {
        for d in [
            RegData::Sz("a\\b\r\nc\\0 \\r".into()),
            RegData::ExpandSz("%SystemRoot%\\x".into()),
            RegData::MultiSz(vec!["a".into(), "b\\0".into(), "c\n".into()]),
            RegData::MultiSz(Vec::new()),
            RegData::Dword(u32::MAX),
            RegData::Qword(u64::MAX),
            RegData::Binary(vec![0, 0x7f, 255]),
            RegData::Binary(Vec::new()),
            RegData::Sz(String::new()),
        ] {
            let a = action(&Entry::set("K", "v", &d)).unwrap();
            assert_eq!(parse_action(&a), Ok(Action::Set(d)), "{a}");
        }
        assert_eq!(parse_action("DELETE"), Ok(Action::Delete));
        assert_eq!(parse_action("CREATEKEY"), Ok(Action::CreateKey));
    }

    #[test]
    fn reads_a_file_with_comments() {
        let text = "; ----\r\n; PARSING Computer POLICY\r\n\r\nComputer\r\nSOFTWARE\\A\r\n*\r\nDELETEALLVALUES\r\n\r\nComputer\r\nSOFTWARE\\A\r\n1\r\nSZ:x\\\\y\r\n\r\n\r\nUser\r\nSOFTWARE\\B\r\nOld\r\nDELETE\r\n\r\n; PARSING COMPLETED.\r\n";
        let r = read(text).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].to_entry(), Entry::delete_values("SOFTWARE\\A"));
        assert_eq!(
            r[1],
            Record {
                hive: Hive::Hklm,
                key: "SOFTWARE\\A".into(),
                name: "1".into(),
                action: Action::Set(RegData::Sz("x\\y".into())),
            }
        );
        assert_eq!(r[2].hive, Hive::Hkcu);
        assert_eq!(r[2].to_entry().value, "**del.Old");
        assert_eq!(read("").unwrap(), Vec::new());
    }

    /// Each malformed input is refused with an error naming its line and the problem.
    #[test]
    fn malformed_text_is_refused() {
        let cases: [(&str, usize, &str); 11] = [
            ("Machine\nK\nv\nDWORD:1\n", 1, "expected `Computer`, `User`"),
            ("Computer\nK\nv\n", 4, "no action line"),
            ("Computer\nK\n\nDWORD:1\n", 3, "no value name line"),
            ("Computer\nK\nv\nDWORD:-1\n", 4, "not a decimal number"),
            ("Computer\nK\nv\nDWORD:4294967296\n", 4, "out of range"),
            ("Computer\nK\nv\nSZ:a\\tb\n", 4, "unknown escape `\\t`"),
            ("Computer\nK\nv\nSZ:a\\0b\n", 4, "unknown escape `\\0`"),
            ("Computer\nK\nv\nSZ:a\\\n", 4, "a lone `\\`"),
            ("Computer\nK\nv\nBINARY:0,ff\n", 4, "not two hex digits"),
            (
                "Computer\nK\nv\nREG_SZ:x\n",
                4,
                "unknown action type `REG_SZ:`",
            ),
            (
                "Computer\nK\nv\nDELETEALLVALUES\n",
                3,
                "takes the value name `*`",
            ),
        ];
        for (text, line, needle) in cases {
            let e = read(text).expect_err(text);
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.to_string().contains(needle), "{text:?}: {e}");
        }
        let e = read("Computer\nK\nv\nDWORD:1\nextra\n").unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.message.contains("separated by an empty line"), "{e}");
        assert!(decode(&[0xFF, 0xFE, 0x41]).is_err());
        assert!(decode(&[0xC3, 0x28]).is_err());
    }

    fn reg_data() -> impl Strategy<Value = RegData> {
        // Any text without NUL, and no empty MULTISZ item: a NUL ends a registry string
        // and an empty item ends a REG_MULTI_SZ, so neither survives the record's bytes.
        let text = "(?s)[^\x00]{0,12}";
        prop_oneof![
            text.prop_map(RegData::Sz),
            text.prop_map(RegData::ExpandSz),
            proptest::collection::vec("(?s)[^\x00]{1,6}", 0..4).prop_map(RegData::MultiSz),
            any::<u32>().prop_map(RegData::Dword),
            any::<u64>().prop_map(RegData::Qword),
            proptest::collection::vec(any::<u8>(), 0..6).prop_map(RegData::Binary),
        ]
    }

    proptest! {
        /// Whatever the writer accepts, the reader gives back: same hive, key, name and
        /// data, or the same `**delvals.` record.
        #[test]
        fn writer_and_reader_round_trip(
            recs in proptest::collection::vec(
                (any::<bool>(), "[^\r\n\x00]{1,10}", "[^\r\n\x00]{1,10}", proptest::option::of(reg_data())),
                0..6,
            )
        ) {
            let mut text = String::from("; comment\n\n");
            let mut want = Vec::new();
            for (machine, key, name, data) in &recs {
                let hive = if *machine { Hive::Hklm } else { Hive::Hkcu };
                let e = match data {
                    Some(d) => Entry::set(key, name, d),
                    None => Entry::delete_values(key),
                };
                text.push_str(&record_lines(hive, &e).unwrap().join("\n"));
                text.push_str("\n\n");
                want.push((hive, e));
            }
            let got: Vec<(Hive, Entry)> = read(&text)
                .unwrap()
                .iter()
                .map(|r| (r.hive, r.to_entry()))
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}
