//! policyc's `.reg` reader against the import cases Wine's tests record for Windows
//! (`tests/common/reg_cases.rs`): each value the case names is present with the data
//! Windows stores, or absent; and each line Windows skips is a warning naming it.

use policyc::reg::text::{self, Block};
use policyc::reg::RegData;
use std::collections::BTreeMap;

mod common;
use common::reg_cases::{CASES, KEY};

/// The values of `KEY` after replaying the file as policyc reads it.
fn values(bytes: &[u8]) -> (BTreeMap<String, RegData>, usize) {
    let parsed = text::read_bytes(bytes).expect("the header is valid");
    let mut out = BTreeMap::new();
    for b in parsed.file.blocks {
        if let Block::Key { path, values, .. } = b {
            assert!(path.eq_ignore_ascii_case(KEY), "unexpected key {path}");
            for v in values {
                let name = v.name.unwrap_or_default();
                match v.data {
                    Some(d) => out.insert(name, d),
                    None => out.remove(&name),
                };
            }
        }
    }
    (out, parsed.warnings.len())
}

#[test]
fn policyc_reads_each_case_as_windows_imports_it() {
    let mut problems = Vec::new();
    for case in CASES {
        let (got, _) = values(&case.file());
        for (name, want) in case.want {
            let have = got.get(*name);
            if have != want.data().as_ref() {
                problems.push(format!(
                    "{}: {name:?}: Windows {want:?}, policyc {have:?}",
                    case.source
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn each_skipped_line_is_a_warning_with_its_line() {
    // Wine10 (line 4) and Wine12 (line 6) are skipped; Wine11 and Wine13 are read.
    let case = CASES
        .iter()
        .find(|c| c.source.starts_with("Wine10"))
        .unwrap();
    let parsed = text::read_bytes(&case.file()).unwrap();
    let lines: Vec<usize> = parsed.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [4, 6], "{:?}", parsed.warnings);
    // Comment lines alone are no warning.
    let case = CASES
        .iter()
        .find(|c| c.source.starts_with("Wine1.."))
        .unwrap();
    assert_eq!(text::read_bytes(&case.file()).unwrap().warnings, []);
}

#[test]
fn regedit4_hex_strings_are_ansi_and_unicode_files_utf16() {
    let k = "[HKEY_CURRENT_USER\\Software\\Policies\\Google\\Chrome\\URLBlocklist]";
    let ansi = format!("REGEDIT4\r\n\r\n{k}\r\n\"1\"=hex(2):6c,6f,63,61,6c,68,6f,73,74,00\r\n\"2\"=\"caf\u{e9}\"\r\n");
    // Windows-1252 bytes: é is 0xE9.
    let bytes: Vec<u8> = ansi.chars().map(|c| c as u32 as u8).collect();
    let (got, warnings) = values_any(&bytes);
    assert_eq!(warnings, 0);
    assert_eq!(got["1"], RegData::ExpandSz("localhost".into()));
    assert_eq!(got["2"], RegData::Sz("café".into()));
    // The same value in a UTF-16 export.
    let v5 = format!("Windows Registry Editor Version 5.00\r\n\r\n{k}\r\n\"1\"=hex(2):6c,00,6f,00,63,00,61,00,6c,00,68,00,6f,00,73,00,74,00,00,00\r\n");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(v5.encode_utf16().flat_map(u16::to_le_bytes));
    let (got, _) = values_any(&utf16);
    assert_eq!(got["1"], RegData::ExpandSz("localhost".into()));
}

fn values_any(bytes: &[u8]) -> (BTreeMap<String, RegData>, usize) {
    let parsed = text::read_bytes(bytes).unwrap();
    let mut out = BTreeMap::new();
    for b in parsed.file.blocks {
        if let Block::Key { values, .. } = b {
            for v in values {
                if let Some(d) = v.data {
                    out.insert(v.name.unwrap_or_default(), d);
                }
            }
        }
    }
    (out, parsed.warnings.len())
}

#[test]
fn headers_windows_refuses_or_ignores_are_errors() {
    for h in [
        "regedit4",
        "REGEDIT",
        "REGEDIT 4",
        "REGEDIT4FOO",
        "\nREGEDIT4",
        "Windows Registry Editor Version 4.00",
    ] {
        let text = format!("{h}\n\n[{KEY}]\n\"x\"=\"y\"\n");
        assert!(text::read_bytes(text.as_bytes()).is_err(), "{h:?}");
    }
    for h in [
        " REGEDIT4",
        "\tREGEDIT4",
        "Windows Registry Editor Version 5.00",
    ] {
        let text = format!("{h}\n\n[{KEY}]\n\"x\"=\"y\"\n");
        assert!(text::read_bytes(text.as_bytes()).is_ok(), "{h:?}");
    }
}
