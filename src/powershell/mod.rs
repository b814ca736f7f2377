//! The data section of policyc's PowerShell scripts, read back: the inverse of
//! [`emit::data_section`], which every script (apply, detect, remediate,
//! diagnose) carries through `templates/ps1/common.ps1.j2`.
//!
//! The section is two assignments, `$PolicycBundle = [ordered]@{` with one `Name = value`
//! line per field up to `}`, then `$PolicycPlan = @(` with one `@{ K = V; ... }` line per
//! plan operation up to `)`. Values are the expressions the writer makes, read with
//! PowerShell's own rules:
//!
//! - `$null`; a decimal integer (DWORD data);
//! - a verbatim string `'...'`: PowerShell opens and closes it at `'` and at the
//!   typographic quotes U+2018..U+201B alike, and reads a doubled quote character as
//!   one, keeping the second (`IsSingleQuote` in `CharTraits.cs` and
//!   `Tokenizer.ScanStringLiteral`, PowerShell/PowerShell);
//! - `('' + 'a' + [char]0x000A + 'b')`, how the writer splices control characters and
//!   every non-ASCII character (UTF-16 code units; a surrogate pair as two codes);
//! - `[uint64]'n'`, `[byte[]]@(0x00, ...)` and `[string[]]@(s, ...)` (QWORD, binary and
//!   multi-string data).
//!
//! Anything else (another expression, a missing or repeated field, a `Kind` that does not
//! fit its `Data`) is an error naming the line: the reader accepts exactly what the
//! writer can produce, so a test comparing it with the plan cannot be fooled by text it
//! skipped.

pub mod emit;

use crate::plan::{Action, Op};
use crate::reg::{Hive, RegData};
use emit::is_ps_single_quote;

/// The line that opens the bundle table.
pub const BUNDLE_START: &str = "$PolicycBundle = [ordered]@{";
/// The line that opens the plan array.
pub const PLAN_START: &str = "$PolicycPlan = @(";

/// A data-section value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsValue {
    Null,
    Str(String),
    /// A bare decimal literal.
    Int(u64),
    /// `[uint64]'n'`.
    UInt64(u64),
    /// `[byte[]]@(...)`.
    Bytes(Vec<u8>),
    /// `[string[]]@(...)`.
    Strings(Vec<String>),
    /// `$true`.
    True,
}

/// From an opening quote character at `raw[0]`, the length in chars of the verbatim
/// literal by PowerShell's rule: a quote character followed by another is one escaped
/// quote; a lone one ends the string. `None` when `raw` does not open with a quote or the
/// literal is unterminated.
pub fn verbatim_len(raw: &[char]) -> Option<usize> {
    if !raw.first().is_some_and(|&c| is_ps_single_quote(c)) {
        return None;
    }
    let mut i = 1;
    while i < raw.len() {
        if is_ps_single_quote(raw[i]) {
            if raw.get(i + 1).is_some_and(|&c| is_ps_single_quote(c)) {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// The value PowerShell gives `raw` when all of it is one verbatim literal.
pub fn verbatim_value(raw: &str) -> Option<String> {
    let chars: Vec<char> = raw.chars().collect();
    if verbatim_len(&chars) != Some(chars.len()) {
        return None;
    }
    let inner = &chars[1..chars.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        out.push(inner[i]);
        // Of a doubled pair, PowerShell keeps the second character (they are equal here).
        i += if is_ps_single_quote(inner[i]) { 2 } else { 1 };
    }
    Some(out)
}

struct Parser {
    c: Vec<char>,
    i: usize,
}

impl Parser {
    fn new(s: &str) -> Parser {
        Parser {
            c: s.chars().collect(),
            i: 0,
        }
    }

    fn rest(&self) -> String {
        let r: String = self.c[self.i..].iter().take(24).collect();
        if r.is_empty() {
            "the end of the line".into()
        } else {
            format!("`{r}`")
        }
    }

    fn ws(&mut self) {
        while matches!(self.c.get(self.i), Some(' ' | '\t')) {
            self.i += 1;
        }
    }

    fn at(&self, s: &str) -> bool {
        let n = s.chars().count();
        self.c.len() >= self.i + n && self.c[self.i..self.i + n].iter().copied().eq(s.chars())
    }

    fn eat(&mut self, s: &str) -> bool {
        let ok = self.at(s);
        if ok {
            self.i += s.chars().count();
        }
        ok
    }

    fn expect(&mut self, s: &str) -> Result<(), String> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(format!("expected `{s}`, found {}", self.rest()))
        }
    }

    fn done(&self) -> bool {
        self.i >= self.c.len()
    }

    fn literal(&mut self) -> Result<String, String> {
        let n = verbatim_len(&self.c[self.i..])
            .ok_or_else(|| format!("expected a '...' string, found {}", self.rest()))?;
        let raw: String = self.c[self.i..self.i + n].iter().collect();
        self.i += n;
        Ok(verbatim_value(&raw).expect("a whole literal"))
    }

    fn while_digits(&mut self, hex: bool) -> String {
        let s = self.i;
        while self.c.get(self.i).is_some_and(|c| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        }) {
            self.i += 1;
        }
        self.c[s..self.i].iter().collect()
    }

    /// `[char]0xHHHH`: one UTF-16 code unit (four hex digits, as the writer makes them).
    fn char_code(&mut self) -> Result<u16, String> {
        self.expect("[char]0x")?;
        let h = self.while_digits(true);
        u16::from_str_radix(&h, 16)
            .ok()
            .filter(|_| h.len() == 4)
            .ok_or_else(|| format!("`[char]0x{h}` is not a UTF-16 code unit"))
    }

    /// A verbatim literal, or `(` string `+` (string | char code) ... `)`. The first
    /// operand must be a string: it is what makes `+` concatenate rather than add codes.
    /// Char codes are UTF-16 code units; a surrogate pair must come as two codes in a
    /// row (how the writer splices characters outside the BMP), and a lone surrogate is
    /// an error.
    fn string(&mut self) -> Result<String, String> {
        if !self.eat("(") {
            return self.literal();
        }
        self.ws();
        let mut out = self.literal()?;
        let mut high: Option<u16> = None;
        loop {
            self.ws();
            if self.eat(")") {
                return match high {
                    None => Ok(out),
                    Some(h) => Err(format!("a lone surrogate `[char]0x{h:04X}`")),
                };
            }
            self.expect("+")?;
            self.ws();
            if self.at("[char]") {
                let u = self.char_code()?;
                match (high.take(), u) {
                    (None, 0xD800..=0xDBFF) => high = Some(u),
                    (Some(h), 0xDC00..=0xDFFF) => out.extend(char::decode_utf16([h, u]).flatten()),
                    (None, _) => match char::from_u32(u32::from(u)) {
                        Some(c) => out.push(c),
                        None => return Err(format!("a lone surrogate `[char]0x{u:04X}`")),
                    },
                    (Some(h), _) => return Err(format!("a lone surrogate `[char]0x{h:04X}`")),
                }
            } else if let Some(h) = high {
                return Err(format!("a lone surrogate `[char]0x{h:04X}`"));
            } else {
                out.push_str(&self.literal()?);
            }
        }
    }

    /// `@(` item `,` item ... `)` after a cast.
    fn array<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.expect("@(")?;
        self.ws();
        let mut out = Vec::new();
        if self.eat(")") {
            return Ok(out);
        }
        loop {
            out.push(item(self)?);
            self.ws();
            if self.eat(")") {
                return Ok(out);
            }
            self.expect(",")?;
            self.ws();
        }
    }

    fn value(&mut self) -> Result<PsValue, String> {
        if self.eat("$null") {
            return Ok(PsValue::Null);
        }
        if self.eat("$true") {
            return Ok(PsValue::True);
        }
        if self
            .c
            .get(self.i)
            .is_some_and(|&c| is_ps_single_quote(c) || c == '(')
        {
            return self.string().map(PsValue::Str);
        }
        if self.c.get(self.i).is_some_and(char::is_ascii_digit) {
            let d = self.while_digits(false);
            return d
                .parse()
                .map(PsValue::Int)
                .map_err(|_| format!("`{d}` is out of range"));
        }
        if self.eat("[uint64]") {
            let s = self.literal()?;
            return s
                .parse()
                .ok()
                .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
                .map(PsValue::UInt64)
                .ok_or_else(|| format!("[uint64]'{s}' is not a 64-bit number"));
        }
        if self.eat("[byte[]]") {
            return self
                .array(|p| {
                    p.expect("0x")?;
                    let h = p.while_digits(true);
                    if h.len() != 2 {
                        return Err(format!("byte `0x{h}` is not two hex digits"));
                    }
                    Ok(u8::from_str_radix(&h, 16).expect("two hex digits"))
                })
                .map(PsValue::Bytes);
        }
        if self.eat("[string[]]") {
            return self.array(Self::string).map(PsValue::Strings);
        }
        Err(format!("expected a value, found {}", self.rest()))
    }

    fn ident(&mut self) -> Result<String, String> {
        let s = self.i;
        while self.c.get(self.i).is_some_and(char::is_ascii_alphanumeric) {
            self.i += 1;
        }
        if s == self.i {
            return Err(format!("expected a field name, found {}", self.rest()));
        }
        Ok(self.c[s..self.i].iter().collect())
    }

    /// `Name = value`.
    fn assignment(&mut self) -> Result<(String, PsValue), String> {
        let k = self.ident()?;
        self.ws();
        self.expect("=")?;
        self.ws();
        Ok((k, self.value()?))
    }
}

/// The fields of one plan line `@{ K = V; K = V }` (surrounding blanks allowed), in order.
pub fn read_fields(line: &str) -> Result<Vec<(String, PsValue)>, String> {
    let mut p = Parser::new(line.trim_matches([' ', '\t']));
    p.expect("@{")?;
    p.ws();
    let mut out = Vec::new();
    loop {
        out.push(p.assignment()?);
        p.ws();
        if p.eat("}") {
            break;
        }
        p.expect(";")?;
        p.ws();
    }
    if !p.done() {
        return Err(format!("{} after the closing `}}`", p.rest()));
    }
    Ok(out)
}

/// One `Name = value` line of the bundle table.
pub fn read_assignment(line: &str) -> Result<(String, PsValue), String> {
    let mut p = Parser::new(line.trim_matches([' ', '\t']));
    let a = p.assignment()?;
    if !p.done() {
        return Err(format!("{} after the value", p.rest()));
    }
    Ok(a)
}

/// One plan entry: an operation with the provenance the scripts report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub hive: Hive,
    pub key: String,
    pub action: Action,
    /// Catalog id of the setting.
    pub setting: String,
    pub product: String,
    /// The vendor location name (the plan's `provenance.location`).
    pub policy: String,
    /// The spec path, e.g. `settings[2]`.
    pub source: String,
    /// `Shared = $true`: a switch remove.ps1 leaves in place (`Provenance::shared`).
    pub shared: bool,
}

impl Entry {
    /// What the data section holds for a plan operation.
    pub fn of(op: &Op) -> Entry {
        let p = &op.provenance;
        Entry {
            hive: op.hive,
            key: op.key.clone(),
            action: op.action.clone(),
            setting: p.setting.clone(),
            product: p.product.clone(),
            policy: p.location.clone(),
            source: p.spec_path.clone(),
            shared: p.shared,
        }
    }

    fn from_fields(fields: Vec<(String, PsValue)>) -> Result<Entry, String> {
        const NAMES: [&str; 11] = [
            "Op", "Hive", "Key", "Name", "Kind", "Data", "Setting", "Product", "Policy", "Source",
            "Shared",
        ];
        let mut got: [Option<PsValue>; 11] = Default::default();
        for (k, v) in fields {
            let i = NAMES
                .iter()
                .position(|n| *n == k)
                .ok_or_else(|| format!("unknown field `{k}`"))?;
            if got[i].replace(v).is_some() {
                return Err(format!("field `{k}` given twice"));
            }
        }
        // A missing field reads as `$null`, which the checks below refuse by name.
        let [op, hive, key, name, kind, data, setting, product, policy, source, shared] =
            got.map(|v| v.unwrap_or(PsValue::Null));
        // Only shared switches carry the field, as `$true`.
        let shared = match shared {
            PsValue::Null => false,
            PsValue::True => true,
            other => return Err(format!("`Shared` is {other:?}, not $true")),
        };
        let text = |what: &str, v: PsValue| match v {
            PsValue::Str(s) => Ok(s),
            other => Err(format!("`{what}` is {other:?}, not a string")),
        };
        let hive = match text("Hive", hive)?.as_str() {
            "HKLM" => Hive::Hklm,
            "HKCU" => Hive::Hkcu,
            h => return Err(format!("`Hive` is `{h}`, not HKLM or HKCU")),
        };
        let action = match text("Op", op)?.as_str() {
            "ResetKey" => {
                for (what, v) in [("Name", name), ("Kind", kind), ("Data", data)] {
                    if v != PsValue::Null {
                        return Err(format!("a ResetKey entry has `{what}` {v:?}, not $null"));
                    }
                }
                Action::ResetKey
            }
            "DeleteValue" => {
                for (what, v) in [("Kind", kind), ("Data", data)] {
                    if v != PsValue::Null {
                        return Err(format!("a DeleteValue entry has `{what}` {v:?}, not $null"));
                    }
                }
                Action::Delete {
                    name: text("Name", name)?,
                }
            }
            "Set" => {
                let name = text("Name", name)?;
                let data = match (text("Kind", kind)?.as_str(), data) {
                    ("String", PsValue::Str(s)) => RegData::Sz(s),
                    ("ExpandString", PsValue::Str(s)) => RegData::ExpandSz(s),
                    ("DWord", PsValue::Int(n)) => RegData::Dword(
                        u32::try_from(n).map_err(|_| format!("DWord data {n} exceeds 32 bits"))?,
                    ),
                    ("QWord", PsValue::UInt64(n)) => RegData::Qword(n),
                    ("Binary", PsValue::Bytes(b)) => RegData::Binary(b),
                    ("MultiString", PsValue::Strings(v)) => RegData::MultiSz(v),
                    (k, d) => return Err(format!("`Kind` {k} does not fit `Data` {d:?}")),
                };
                Action::Set { name, data }
            }
            o => return Err(format!("`Op` is `{o}`, not Set or ResetKey")),
        };
        Ok(Entry {
            hive,
            key: text("Key", key)?,
            action,
            setting: text("Setting", setting)?,
            product: text("Product", product)?,
            policy: text("Policy", policy)?,
            source: text("Source", source)?,
            shared,
        })
    }
}

/// A script's data section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSection {
    /// `$PolicycBundle` fields in order (`Name`, `DisplayName`, ... `Compiler`).
    pub bundle: Vec<(String, PsValue)>,
    /// `$PolicycPlan`, in order.
    pub plan: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ReadError {
    /// 1-based line of the script; 0 for the script as a whole.
    pub line: usize,
    pub message: String,
}

/// The `$PolicycPlan` lines of a script (CRLF or LF; no BOM), with 1-based line numbers.
pub fn plan_lines(script: &str) -> Result<Vec<(usize, &str)>, ReadError> {
    Ok(section(script)?.1)
}

type Lines<'a> = Vec<(usize, &'a str)>;

/// The bundle lines and plan lines, each with its 1-based line number.
fn section(script: &str) -> Result<(Lines<'_>, Lines<'_>), ReadError> {
    let lines: Vec<&str> = crate::reg::text::lines(script).collect();
    let err = |i: usize, message: String| ReadError {
        line: i + 1,
        message,
    };
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i] == BUNDLE_START)
        .collect();
    let &[b] = starts.as_slice() else {
        return Err(ReadError {
            line: 0,
            message: format!(
                "`{BUNDLE_START}` opens the data section; found it {} times",
                starts.len()
            ),
        });
    };
    let mut i = b + 1;
    let mut bundle = Vec::new();
    while lines.get(i).is_some_and(|l| *l != "}") {
        bundle.push((i + 1, lines[i]));
        i += 1;
    }
    if i >= lines.len() {
        return Err(err(b, "the bundle table is not closed by `}`".into()));
    }
    i += 1;
    while lines.get(i).is_some_and(|l| l.is_empty()) {
        i += 1;
    }
    if lines.get(i) != Some(&PLAN_START) {
        return Err(err(
            i,
            format!("expected `{PLAN_START}` after the bundle table"),
        ));
    }
    let p = i;
    i += 1;
    let mut plan = Vec::new();
    while lines.get(i).is_some_and(|l| *l != ")") {
        plan.push((i + 1, lines[i]));
        i += 1;
    }
    if i >= lines.len() {
        return Err(err(p, "the plan array is not closed by `)`".into()));
    }
    Ok((bundle, plan))
}

/// Reads the data section of a script's text.
pub fn read(script: &str) -> Result<DataSection, ReadError> {
    let (bundle_lines, plan_lines) = section(script)?;
    let at = |line: usize| move |message: String| ReadError { line, message };
    let bundle = bundle_lines
        .into_iter()
        .map(|(n, l)| read_assignment(l).map_err(at(n)))
        .collect::<Result<_, _>>()?;
    let plan = plan_lines
        .into_iter()
        .map(|(n, l)| read_fields(l).and_then(Entry::from_fields).map_err(at(n)))
        .collect::<Result<_, _>>()?;
    Ok(DataSection { bundle, plan })
}

/// Reads a script file's bytes (ASCII, as the emitter writes them; a UTF-8 BOM is skipped).
pub fn read_bytes(bytes: &[u8]) -> Result<DataSection, ReadError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| ReadError {
        line: 0,
        message: format!("not UTF-8: {e}"),
    })?;
    read(text)
}

#[cfg(test)]
mod tests {
    use super::emit::{data_section, ps_literal};
    use super::*;
    use crate::plan::{Plan, Provenance};
    use crate::validate::Bundle;

    fn plan(datas: Vec<RegData>) -> Plan {
        let prov = Provenance {
            setting: "s'1".into(),
            spec_path: "settings[0]".into(),
            product: "p\u{2019}".into(),
            location: "L $(x)".into(),
            form: None,
            client_extension: None,
            shared: false,
        };
        let mut ops = vec![Op {
            hive: Hive::Hkcu,
            key: "K\\reset".into(),
            action: Action::ResetKey,
            provenance: prov.clone(),
        }];
        for (i, data) in datas.into_iter().enumerate() {
            ops.push(Op {
                hive: Hive::Hklm,
                key: "SOFTWARE\\K\u{2018}'".into(),
                action: Action::Set {
                    name: format!("n{i}\r\n'"),
                    data,
                },
                provenance: prov.clone(),
            });
        }
        Plan {
            bundle: Bundle {
                name: "b".into(),
                display_name: "D \u{201B}x\u{201A}".into(),
                version: "1.0.0".into(),
                publisher: "O'Brien".into(),
                description: None,
            },
            ops,
            intune: Default::default(),
            baseline: None,
            vendor: Vec::new(),
            vendor_ingest: Vec::new(),
        }
    }

    #[test]
    fn every_kind_of_data_reads_back() {
        let p = plan(vec![
            RegData::Sz("a'b\u{2019}c\n\td".into()),
            RegData::Sz(String::new()),
            RegData::ExpandSz("%TEMP%\\\u{7f}".into()),
            RegData::Dword(u32::MAX),
            RegData::Qword(u64::MAX),
            RegData::Binary(vec![0, 0xAB, 255]),
            RegData::Binary(Vec::new()),
            RegData::MultiSz(vec!["x'".into(), "\r".into(), String::new()]),
            RegData::MultiSz(Vec::new()),
        ]);
        let text = data_section(&p).replace('\n', "\r\n");
        let d = read(&text).unwrap();
        let want: Vec<Entry> = p.ops.iter().map(Entry::of).collect();
        assert_eq!(d.plan, want);
        assert_eq!(d.bundle[0], ("Name".into(), PsValue::Str("b".into())));
        assert_eq!(
            d.bundle[1],
            (
                "DisplayName".into(),
                PsValue::Str(p.bundle.display_name.clone())
            )
        );
        assert_eq!(d.bundle[4], ("Description".into(), PsValue::Null));
    }

    #[test]
    fn literals_follow_powershell() {
        for s in ["", "a", "it's", "$(calc) `n"] {
            assert_eq!(verbatim_value(&ps_literal(s)).as_deref(), Some(s));
        }
        // Non-ASCII text (the typographic quotes too) is spliced as UTF-16 code units,
        // a character outside the BMP as its surrogate pair.
        for s in [
            "\u{2018}\u{2019}\u{201A}\u{201B}'",
            "caf\u{e9} \u{1F600}\u{1F600}x",
            "\u{10FFFF}",
        ] {
            let lit = ps_literal(s);
            assert!(lit.is_ascii(), "{lit}");
            assert_eq!(Parser::new(&lit).string().as_deref(), Ok(s));
        }
        for bad in [
            "('' + [char]0xD83D)",
            "('' + [char]0xDE00)",
            "('' + [char]0xD83D + 'a' + [char]0xDE00)",
            "('' + [char]0xD83D + [char]0x0041)",
            "('' + [char]0xE9)",
        ] {
            assert!(Parser::new(bad).string().is_err(), "{bad}");
        }
        // An undoubled typographic quote ends the string where PowerShell ends it.
        assert_eq!(
            verbatim_len(&"'a\u{2019}b'".chars().collect::<Vec<_>>()),
            Some(3)
        );
        assert_eq!(verbatim_value("'a\u{2019}b'"), None);
        assert_eq!(verbatim_len(&['\'', 'a']), None);
    }

    /// Malformed sections and entries are refused with the line and the reason.
    #[test]
    fn malformed_sections_are_refused() {
        let good = data_section(&plan(vec![RegData::Dword(1)]));
        assert!(read(&good).is_ok());
        let line_of = |needle: &str| good.lines().position(|l| l.contains(needle)).unwrap() + 1;
        let set_line = line_of("Op = 'Set'");
        let cases: Vec<(String, usize, &str)> = vec![
            (
                good.replace("Data = 1;", "Data = '1';"),
                set_line,
                "does not fit",
            ),
            (
                good.replace("Data = 1;", "Data = 4294967296;"),
                set_line,
                "exceeds 32 bits",
            ),
            (
                good.replace("Data = 1;", "Data = 1 + 1;"),
                set_line,
                "expected `;`",
            ),
            (
                good.replacen("Hive = 'HKLM'", "Hive = 'HKU'", 1),
                set_line,
                "not HKLM or HKCU",
            ),
            (
                good.replacen("; Source = ", "; Spource = ", 1),
                line_of("ResetKey"),
                "unknown field `Spource`",
            ),
            (
                good.replacen("Key = 'K\\reset'; ", "", 1),
                line_of("ResetKey"),
                "`Key` is Null",
            ),
            (
                good.replacen("Name = $null", "Name = 'x'", 1),
                line_of("ResetKey"),
                "not $null",
            ),
            (
                good.replace("'O''Brien'", "'O'Brien'"),
                line_of("Publisher"),
                "after the value",
            ),
            (
                good.replace("Kind = 'DWord'", "Kind = \"DWord\""),
                set_line,
                "expected a value",
            ),
            (
                good.replace("\n)\n", "\n"),
                line_of(PLAN_START),
                "not closed",
            ),
            (
                good.replace(BUNDLE_START, "$Bundle = @{"),
                0,
                "found it 0 times",
            ),
        ];
        for (text, line, needle) in cases {
            let e = read(&text).expect_err(needle);
            assert_eq!(e.line, line, "{needle}: {e}");
            assert!(e.message.contains(needle), "{needle}: {e}");
        }
    }
}
