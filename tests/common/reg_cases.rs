//! `.reg` import cases from Wine's `programs/reg/tests/import.c` (wine-mirror/wine at
//! a69d2958a518e3576c59582310bb513d4b1903c2, `test_import`), whose assertions run on
//! Windows and record what `reg import` creates. Each case is one `test_import_str`
//! call: its value lines (under one key), and for each value name the test checks, what
//! Windows holds afterwards. `source` names the values as import.c does (the names are
//! unique in that file, so they locate the case). Facts only: the lines are retyped.
//!
//! Used by `tests/reg_import_cases.rs` (policyc's reader against the table) and
//! `tests/interop_wine.rs` (Wine's `reg import` against policyc's reader, case by case).
#![allow(dead_code)]

use policyc::reg::RegData;

/// The key every case is imported under (import.c uses its own `KEY_BASE`).
pub const KEY: &str = r"HKEY_CURRENT_USER\Software\policyc-import-test";

pub struct Case {
    pub source: &'static str,
    /// `true`: the file starts `Windows Registry Editor Version 5.00` (still ANSI bytes,
    /// as `test_import_str` writes them); `false`: `REGEDIT4`.
    pub v5_header: bool,
    /// The lines after the `[KEY]` line.
    pub body: &'static str,
    pub want: &'static [(&'static str, Want)],
}

#[derive(Debug)]
pub enum Want {
    Absent,
    Sz(&'static str),
    ExpandSz(&'static str),
    Dword(u32),
    Multi(&'static [&'static str]),
    Binary(&'static [u8]),
    /// A type policyc does not model, or bytes that do not fit theirs.
    Raw(u32, &'static [u8]),
}

impl Want {
    pub fn data(&self) -> Option<RegData> {
        Some(match self {
            Want::Absent => return None,
            Want::Sz(s) => RegData::Sz(s.to_string()),
            Want::ExpandSz(s) => RegData::ExpandSz(s.to_string()),
            Want::Dword(d) => RegData::Dword(*d),
            Want::Multi(v) => RegData::MultiSz(v.iter().map(|s| s.to_string()).collect()),
            Want::Binary(b) => RegData::Binary(b.to_vec()),
            Want::Raw(code, b) => RegData::Raw {
                code: *code,
                bytes: b.to_vec(),
            },
        })
    }
}

impl Case {
    /// The file as `test_import_str` writes it: ANSI bytes, LF line ends.
    pub fn file(&self) -> Vec<u8> {
        let header = if self.v5_header {
            "Windows Registry Editor Version 5.00"
        } else {
            "REGEDIT4"
        };
        format!("{header}\n\n[{KEY}]\n{}", self.body).into_bytes()
    }
}

use Want::*;

const VALUE: &[u8] = b"V\0a\0l\0u\0e\0\0\0";

pub const CASES: &[Case] = &[
    Case {
        source: "Wine1..Wine4: `#` and `;` comment lines between values, a continued hex(7)",
        v5_header: false,
        body: "\"Wine1\"=dword:00000782\n\n\"Wine2\"=\"Test Value\"\n\"Wine3\"=hex(7):4c,69,6e,65,20,\\\n  63,6f,6e,63,61,74,65,6e,61,74,69,6f,6e,00,00\n#comment\n@=\"Test\"\n;comment\n\n\"Wine4\"=dword:12345678\n\n",
        want: &[
            ("Wine1", Dword(0x782)),
            ("Wine2", Sz("Test Value")),
            ("Wine3", Multi(&["Line concatenation"])),
            ("", Sz("Test")),
            ("Wine4", Dword(0x1234_5678)),
        ],
    },
    Case {
        source: "Wine5: no line end at the end of the file",
        v5_header: false,
        body: "\"Wine5\"=\"No newline\"",
        want: &[("Wine5", Sz("No newline"))],
    },
    Case {
        source: "Wine8, Wine9: a comment line ending in `\\` does not continue",
        v5_header: false,
        body: "#comment\\\n\"Wine8\"=\"Line 1\"\n;comment\\\n\"Wine9\"=\"Line 2\"\n\n",
        want: &[("Wine8", Sz("Line 1")), ("Wine9", Sz("Line 2"))],
    },
    Case {
        source: "Wine10..Wine13: only `;` starts a comment after data",
        v5_header: false,
        body: "\"Wine10\"=\"Value 1\"#comment\n\"Wine11\"=\"Value 2\";comment\n\"Wine12\"=dword:01020304 #comment\n\"Wine13\"=dword:02040608 ;comment\n\n",
        want: &[
            ("Wine10", Absent),
            ("Wine11", Sz("Value 2")),
            ("Wine12", Absent),
            ("Wine13", Dword(0x0204_0608)),
        ],
    },
    Case {
        source: "Wine14..Wine17: a `#` line inside continued hex data ends the value",
        v5_header: false,
        body: "\"Wine14\"=hex(7):4c,69,6e,65,20,\\\n  #comment\n  63,6f,6e,63,61,74,65,6e,61,74,69,6f,6e,00,00\n\"Wine15\"=\"A valid line\"\n\"Wine16\"=hex(7):4c,69,6e,65,20,\\\n  ;comment\n  63,6f,6e,63,61,74,65,6e,61,74,69,6f,6e,00,00\n\"Wine17\"=\"Another valid line\"\n\n",
        want: &[
            ("Wine14", Absent),
            ("Wine15", Sz("A valid line")),
            ("Wine16", Multi(&["Line concatenation"])),
            ("Wine17", Sz("Another valid line")),
        ],
    },
    Case {
        source: "Comment1..4, Wine18, Wine19: commented-out value lines",
        v5_header: false,
        body: "#\"Comment1\"=\"Value 1\"\n;\"Comment2\"=\"Value 2\"\n    #\"Comment3\"=\"Value 3\"\n    ;\"Comment4\"=\"Value 4\"\n\"Wine18\"=\"Value 6\"#\"Comment5\"=\"Value 5\"\n\"Wine19\"=\"Value 7\";\"Comment6\"=\"Value 6\"\n\n",
        want: &[
            ("Comment1", Absent),
            ("Comment2", Absent),
            ("Comment3", Absent),
            ("Comment4", Absent),
            ("Wine18", Absent),
            ("Comment5", Absent),
            ("Wine19", Sz("Value 7")),
            ("Comment6", Absent),
        ],
    },
    Case {
        source: "Wine20..Wine31: comment characters inside and around data",
        v5_header: false,
        body: "\"Wine20\"=#\"Value 8\"\n\"Wine21\"=;\"Value 9\"\n\"Wine22\"=\"#comment1\"\n\"Wine23\"=\";comment2\"\n\"Wine24\"=\"Value#comment3\"\n\"Wine25\"=\"Value;comment4\"\n\"Wine26\"=\"Value #comment5\"\n\"Wine27\"=\"Value ;comment6\"\n\"Wine28\"=#dword:00000001\n\"Wine29\"=;dword:00000002\n\"Wine30\"=dword:00000003#comment\n\"Wine31\"=dword:00000004;comment\n\n",
        want: &[
            ("Wine20", Absent),
            ("Wine21", Absent),
            ("Wine22", Sz("#comment1")),
            ("Wine23", Sz(";comment2")),
            ("Wine24", Sz("Value#comment3")),
            ("Wine25", Sz("Value;comment4")),
            ("Wine26", Sz("Value #comment5")),
            ("Wine27", Sz("Value ;comment6")),
            ("Wine28", Absent),
            ("Wine29", Absent),
            ("Wine30", Absent),
            ("Wine31", Dword(4)),
        ],
    },
    Case {
        source: "Multi-Line2: a continued line without `\\` ends the data",
        v5_header: false,
        body: "\"Multi-Line2\"=hex(7):4c,69,6e,65,20,\\\n  63,6f,6e,\\;comment\n  63,61,74,;comment\n  65,6e,61,74,69,6f,6e,00,00\n\n",
        want: &[("Multi-Line2", Multi(&["Line concat"]))],
    },
    Case {
        source: "Multi-Line5, Multi-Line6: `\\` right after a byte (no comma)",
        v5_header: true,
        body: "\"Multi-Line5\"=hex(7):4c,69,6e,65,20\\\n,63,6f,6e,63,61,74,65,6e,61,74,69,6f,6e,00,00\n\"Multi-Line6\"=hex(7):4c,69,6e,65,20\\\n  ,63,6f,6e,63,61,74,65,6e,61,74,69,6f,6e,00,00\n\n",
        want: &[("Multi-Line5", Absent), ("Multi-Line6", Absent)],
    },
    Case {
        source: "Multi-Line10: blank and `;` lines inside continued data",
        v5_header: false,
        body: "\"Multi-Line10\"=hex(7):4c,69,6e,65,20,\\\n  63,6f,6e,\\;comment\n  63,61,74,\\\n\n  65,6e,\\;comment\n\n  61,74,69,6f,6e,00,00\n\n",
        want: &[("Multi-Line10", Multi(&["Line concatenation"]))],
    },
    Case {
        source: "Wine32a..Wine36d: dword digits",
        v5_header: false,
        body: "\"Wine32a\"=dword:1\n\"Wine32b\"=dword:4444\n\"Wine33a\"=dword:\n\"Wine33b\"=dword:hello\n\"Wine33c\"=dword:123456789\n\"Wine33d\"=dword:012345678\n\"Wine33e\"=dword:000000001\n\"Wine34a\"=dword:12345678abc\n\"Wine34b\"=dword:12345678 abc\n\"Wine35a\"=dword:0x123\n\"Wine35b\"=dword:123 456\n\"Wine35c\"=dword:1234 5678\n\"Wine36a\"=dword:1234;5678\n\"Wine36b\"=dword:1234 ;5678\n\"Wine36c\"=dword:1234#5678\n\"Wine36d\"=dword:1234 #5678\n\n",
        want: &[
            ("Wine32a", Dword(1)),
            ("Wine32b", Dword(0x4444)),
            ("Wine33a", Absent),
            ("Wine33b", Absent),
            ("Wine33c", Absent),
            ("Wine33d", Absent),
            ("Wine33e", Absent),
            ("Wine34a", Absent),
            ("Wine34b", Absent),
            ("Wine35a", Absent),
            ("Wine35b", Absent),
            ("Wine35c", Absent),
            ("Wine36a", Dword(0x1234)),
            ("Wine36b", Dword(0x1234)),
            ("Wine36c", Absent),
            ("Wine36d", Absent),
        ],
    },
    Case {
        source: "Wine37a..Test38d, Empty string: quotes",
        v5_header: false,
        body: "\"Wine37a\"=\"foo\"bar\"\n\"Wine37b\"=\"foo\"\"bar\"\n\"Empty string\"=\"\"\n\"Test38a\"=\n\"Test38b\"=\\\"\n\"Test38c\"=\\\"Value\\\"\n\"Test38d\"=\\\"Value\"\n\n",
        want: &[
            ("Wine37a", Absent),
            ("Wine37b", Absent),
            ("Empty string", Sz("")),
            ("Test38a", Absent),
            ("Test38b", Absent),
            ("Test38c", Absent),
            ("Test38d", Absent),
        ],
    },
    Case {
        source: "Wine39a..Wine39d: blanks before a comment after data",
        v5_header: false,
        body: "\"Wine39a\"=\"Value1\"  ;comment\n\"Wine39b\"=\"Value2\"\t\t;comment\n\"Wine39c\"=\"Value3\"  #comment\n\"Wine39d\"=\"Value4\"\t\t#comment\n\n",
        want: &[
            ("Wine39a", Sz("Value1")),
            ("Wine39b", Sz("Value2")),
            ("Wine39c", Absent),
            ("Wine39d", Absent),
        ],
    },
    Case {
        source: "TestNoBeginQuote..NameNoQuotes: unquoted names and data",
        v5_header: false,
        body: "\"TestNoBeginQuote\"=Asdffdsa\"\n\"TestNoEndQuote\"=\"Asdffdsa\nNameNoBeginQuote\"=\"Asdffdsa\"\n\"NameNoEndQuote=\"Asdffdsa\"\nNameNoQuotes=\"Asdffdsa\"\n\n",
        want: &[
            ("TestNoBeginQuote", Absent),
            ("TestNoEndQuote", Absent),
            ("NameNoBeginQuote", Absent),
            ("NameNoEndQuote", Absent),
            ("NameNoQuotes", Absent),
        ],
    },
    Case {
        source: "Wine40a..Wine40g: a `\\` continuation onto a value line",
        v5_header: false,
        body: "\"Wine40a\"=hex(2):4c,69,6e,65,00\n\"Wine40b\"=\"Value 1\"\n\"Wine40c\"=hex(2):4c,69,6e,65\\\n\"Wine40d\"=\"Value 2\"\n\"Wine40e\"=hex(2):4c,69,6e,65,\\\n\"Wine40f\"=\"Value 3\"\n\"Wine40g\"=\"Value 4\"\n\n",
        want: &[
            ("Wine40a", ExpandSz("Line")),
            ("Wine40b", Sz("Value 1")),
            ("Wine40c", Absent),
            ("Wine40d", Sz("Value 2")),
            ("Wine40e", Absent),
            ("Wine40f", Absent),
            ("Wine40g", Sz("Value 4")),
        ],
    },
    Case {
        source: "Wine41a, Wine41b, double\"quote, single'quote: no continuation outside hex; escaped quotes",
        v5_header: false,
        body: "\"Wine41a\"=dword:1234\\\n5678\n\"Wine41b\"=\"Test \\\nValue\"\n\"double\\\"quote\"=\"valid \\\"or\\\" not\"\n\"single'quote\"=dword:00000008\n\n",
        want: &[
            ("Wine41a", Absent),
            ("Wine41b", Absent),
            ("double\"quote", Sz("valid \"or\" not")),
            ("single'quote", Dword(8)),
        ],
    },
    Case {
        source: "Wine43a..Wine43k: REG_NONE, continued",
        v5_header: false,
        body: "\"Wine43a\"=hex(0):56,00,61,00,6c,00,75,00,65,00,00,00\n\"Wine43b\"=hex(0):56,00,61,00,6c,00,\\\n  75,00,65,00,00,00\n\"Wine43c\"=hex(0):56,00,61,00,6c,00\\\n,75,00,65,00,00,00\n\"Wine43e\"=hex(0):56,00,61,00,6c,00\\\n  75,00,65,00,00,00\n\"Wine43f\"=hex(0):56,00,61,00,6c,00,7\\\n5,00,65,00,00,00\n\"Wine43h\"=hex(0):56,00,61,00,\\;comment\n  6c,00,75,00,\\\n  65,00,00,00\n\"Wine43i\"=hex(0):56,00,61,00,\\;comment\n  6c,00,75,00,\n  65,00,00,00\n\"Wine43k\"=hex(0):56,00,61,00,\\;comment\n  6c,00,75,00,\\#comment\n  65,00,00,00\n\n",
        want: &[
            ("Wine43a", Raw(0, VALUE)),
            ("Wine43b", Raw(0, VALUE)),
            ("Wine43c", Absent),
            ("Wine43e", Absent),
            ("Wine43f", Absent),
            ("Wine43h", Raw(0, VALUE)),
            ("Wine43i", Raw(0, b"V\0a\0l\0u\0")),
            ("Wine43k", Absent),
        ],
    },
    Case {
        source: "Wine44a, Wine44i: hex(2) in an ANSI file is one byte per character; a NUL is added",
        v5_header: false,
        body: "\"Wine44a\"=hex(2):25,50,41,54,48,25,00\n\"Wine44i\"=hex(2):25,50,41,\\;comment\n  54,48,\n  25,00\n\n",
        want: &[("Wine44a", ExpandSz("%PATH%")), ("Wine44i", ExpandSz("%PATH"))],
    },
    Case {
        source: "Wine45a, Wine45j: binary",
        v5_header: false,
        body: "\"Wine45a\"=hex:11,22,33,44,55,66,77,88\n\"Wine45j\"=hex:11,22,33,44,\\;comment\n  55,66,;comment\n  77,88\n\n",
        want: &[
            ("Wine45a", Binary(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])),
            ("Wine45j", Binary(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66])),
        ],
    },
    Case {
        source: "Wine46a..Wine46f (second file): value deletion",
        v5_header: false,
        body: "\"Wine46a\"=\"Test Value\"\n\"Wine46d\"=hex(7):4c,69,6e,65,00,00\n\"Wine46e\"=dword:00000001\n\"Wine46f\"=hex(0):56,00,61,00,6c,00,75,00,65,00,00,00\n\"Wine46a\"=-\n\"Wine46d\"=-\"Test\"\n\"Wine46e\"=- ;comment\n\"Wine46f\"=- #comment\n\n",
        want: &[
            ("Wine46a", Absent),
            ("Wine46d", Multi(&["Line"])),
            ("Wine46e", Absent),
            ("Wine46f", Raw(0, VALUE)),
        ],
    },
    Case {
        source: "Wine47a..Wine47l: the accepted range of hex(N)",
        v5_header: false,
        body: "\"Wine47a\"=hex(0):56,61,6c,75,65,00\n\"Wine47c\"=hex(100):56,61,6c,75,65,00\n\"Wine47h\"=hex(ffffffff):56,61,6c,75,65,00\n\"Wine47i\"=hex(100000000):56,61,6c,75,65,00\n\"Wine47j\"=hex(0x2):56,61,6c,75,65,00\n\"Wine47l\"=hex(x2):56,61,6c,75,65,00\n\n",
        want: &[
            ("Wine47a", Raw(0, b"Value\0")),
            ("Wine47c", Raw(0x100, b"Value\0")),
            ("Wine47h", Raw(0xffff_ffff, b"Value\0")),
            ("Wine47i", Absent),
            ("Wine47j", Absent),
            ("Wine47l", Absent),
        ],
    },
    Case {
        source: "Wine50a..Wine53f: comments and backslashes in hex data",
        v5_header: false,
        body: "\"Wine50a\"=hex(2):25,50,41,54,48,25,00  ;comment\n\"Wine50c\"=hex(2):25,50,41,54,48,25,00  #comment\n\"Wine51a\"=hex(0):25,50,100,54,48,25,00\n\"Wine52a\"=hex(2):25,48\\,4f,4d,45,25,00\n\"Wine52e\"=hex(2):\\25,48,4f,4d,45,25,00\n\"Wine52k\"=hex(2):,\\\n  25,48,4f,4d,45,25,00\n\"Wine52l\"=hex(2):\\\n  25,48,4f,4d,45,25,00\n\"Wine53a\"=hex(2):25,48,4f,4d,45,25,5c,\\\n  25,50,41,54,48,25,00\n\"Wine53e\"=hex(2):25,48,4f,4d,45,25,5c,\\\t  ;comment\n  25,50,41,54,48,25,00\n\n",
        want: &[
            ("Wine50a", ExpandSz("%PATH%")),
            ("Wine50c", Absent),
            ("Wine51a", Absent),
            ("Wine52a", Absent),
            ("Wine52e", Absent),
            ("Wine52k", Absent),
            ("Wine52l", ExpandSz("%HOME%")),
            ("Wine53a", ExpandSz("%HOME%\\%PATH%")),
            ("Wine53e", ExpandSz("%HOME%\\%PATH%")),
        ],
    },
    Case {
        source: "Wine55a..Wine55j: what ends a continuation",
        v5_header: false,
        body: "\"Wine55a\"=hex(2):4c,69,6e,65,20,\\\n\"Wine55b\"=\"Test value\"\n\"Wine55c\"=hex(2):4c,69,6e,65,20,\\\n;comment\n\"Wine55d\"=\"Test value\"\n\"Wine55e\"=hex(2):4c,69,6e,65,20,\\\n#comment\n\"Wine55f\"=\"Test value\"\n\"Wine55g\"=hex(2):4c,69,6e,65,20,\\\n\n\"Wine55h\"=\"Test value\"\n\"Wine55i\"=hex(2):4c,69,6e,65,20\\\n\"Wine55j\"=\"Test value\"\n\n",
        want: &[
            ("Wine55a", Absent),
            ("Wine55b", Absent),
            ("Wine55c", Absent),
            ("Wine55d", Absent),
            ("Wine55e", Absent),
            ("Wine55f", Sz("Test value")),
            ("Wine55g", Absent),
            ("Wine55h", Absent),
            ("Wine55i", Absent),
            ("Wine55j", Sz("Test value")),
        ],
    },
    Case {
        source: "policyc: a value line after `[-KEY]` (Wine46a of the key tests), CR-only line ends, `\\0` in a string, a DWORD with no data",
        v5_header: false,
        body: "\"Kept\"=\"a\"\r\"Nul\"=\"http://localhost\\0\"\r\"Short\"=hex(4):\r\"Empty\"=hex(0):\r[-HKEY_CURRENT_USER\\Software\\policyc-import-test\\Sub]\r\"Lost\"=dword:00000001\r\n",
        want: &[
            ("Kept", Sz("a")),
            ("Nul", Absent),
            ("Short", Raw(4, b"")),
            ("Empty", Raw(0, b"")),
            ("Lost", Absent),
        ],
    },
];
