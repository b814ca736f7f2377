//! Registry vocabulary shared by the plan, the emitters and the readers.

pub mod emit;
pub mod text;

use serde::{Deserialize, Serialize};
use std::fmt;

/// The root a value is written under. `machine` scope is HKLM, `user` scope HKCU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Hive {
    #[serde(rename = "HKEY_LOCAL_MACHINE")]
    Hklm,
    #[serde(rename = "HKEY_CURRENT_USER")]
    Hkcu,
}

impl Hive {
    pub fn long_name(self) -> &'static str {
        match self {
            Hive::Hklm => "HKEY_LOCAL_MACHINE",
            Hive::Hkcu => "HKEY_CURRENT_USER",
        }
    }
    pub fn short_name(self) -> &'static str {
        match self {
            Hive::Hklm => "HKLM",
            Hive::Hkcu => "HKCU",
        }
    }
    pub fn parse(s: &str) -> Option<Hive> {
        match s.to_ascii_uppercase().as_str() {
            "HKEY_LOCAL_MACHINE" | "HKLM" => Some(Hive::Hklm),
            "HKEY_CURRENT_USER" | "HKCU" => Some(Hive::Hkcu),
            _ => None,
        }
    }
}

impl fmt::Display for Hive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.long_name())
    }
}

/// Registry value types, with their Windows numeric codes (winnt.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RegType {
    #[serde(rename = "REG_SZ")]
    Sz,
    #[serde(rename = "REG_EXPAND_SZ")]
    ExpandSz,
    #[serde(rename = "REG_BINARY")]
    Binary,
    #[serde(rename = "REG_DWORD")]
    Dword,
    #[serde(rename = "REG_MULTI_SZ")]
    MultiSz,
    #[serde(rename = "REG_QWORD")]
    Qword,
    /// Any other type code (REG_NONE 0, REG_LINK 6, the resource lists 8 to 10, or a
    /// number no winnt.h constant names, as `hex(100):` writes). policyc never writes
    /// these from a spec; the readers keep them so an export reads as Windows stores it.
    #[serde(rename = "other")]
    Other(u32),
}

impl RegType {
    pub fn code(self) -> u32 {
        match self {
            RegType::Sz => 1,
            RegType::ExpandSz => 2,
            RegType::Binary => 3,
            RegType::Dword => 4,
            RegType::MultiSz => 7,
            RegType::Qword => 11,
            RegType::Other(n) => n,
        }
    }
    /// The type of a code: a modelled one where there is one, else [`RegType::Other`].
    pub fn of_code(code: u32) -> RegType {
        RegType::from_code(code).unwrap_or(RegType::Other(code))
    }
    /// The modelled type of a code (`None` for the codes [`RegType::Other`] holds).
    pub fn from_code(code: u32) -> Option<RegType> {
        Some(match code {
            1 => RegType::Sz,
            2 => RegType::ExpandSz,
            3 => RegType::Binary,
            4 => RegType::Dword,
            7 => RegType::MultiSz,
            11 => RegType::Qword,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            RegType::Sz => "REG_SZ",
            RegType::ExpandSz => "REG_EXPAND_SZ",
            RegType::Binary => "REG_BINARY",
            RegType::Dword => "REG_DWORD",
            RegType::MultiSz => "REG_MULTI_SZ",
            RegType::Qword => "REG_QWORD",
            // winnt.h names.
            RegType::Other(0) => "REG_NONE",
            RegType::Other(5) => "REG_DWORD_BIG_ENDIAN",
            RegType::Other(6) => "REG_LINK",
            RegType::Other(8) => "REG_RESOURCE_LIST",
            RegType::Other(9) => "REG_FULL_RESOURCE_DESCRIPTOR",
            RegType::Other(10) => "REG_RESOURCE_REQUIREMENTS_LIST",
            RegType::Other(_) => "REG_UNKNOWN",
        }
    }
}

/// Typed registry data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum RegData {
    #[serde(rename = "REG_SZ")]
    Sz(String),
    #[serde(rename = "REG_EXPAND_SZ")]
    ExpandSz(String),
    #[serde(rename = "REG_BINARY")]
    Binary(Vec<u8>),
    #[serde(rename = "REG_DWORD")]
    Dword(u32),
    #[serde(rename = "REG_MULTI_SZ")]
    MultiSz(Vec<String>),
    #[serde(rename = "REG_QWORD")]
    Qword(u64),
    /// Bytes as Windows stores them, for a type code policyc does not model (REG_NONE,
    /// `hex(100):`) or bytes that do not fit their type (a REG_DWORD of 0 or 8 bytes,
    /// an odd-length REG_SZ). Only the readers make these ([`RegData::from_stored`]);
    /// the plan never holds one.
    #[serde(rename = "raw")]
    Raw { code: u32, bytes: Vec<u8> },
}

impl RegData {
    pub fn reg_type(&self) -> RegType {
        match self {
            RegData::Sz(_) => RegType::Sz,
            RegData::ExpandSz(_) => RegType::ExpandSz,
            RegData::Binary(_) => RegType::Binary,
            RegData::Dword(_) => RegType::Dword,
            RegData::MultiSz(_) => RegType::MultiSz,
            RegData::Qword(_) => RegType::Qword,
            RegData::Raw { code, .. } => RegType::of_code(*code),
        }
    }

    /// The bytes Windows stores for this value (strings UTF-16LE with NUL terminators).
    pub fn to_bytes(&self) -> Vec<u8> {
        fn utf16z(s: &str, out: &mut Vec<u8>) {
            for u in s.encode_utf16().chain([0]) {
                out.extend_from_slice(&u.to_le_bytes());
            }
        }
        let mut out = Vec::new();
        match self {
            RegData::Sz(s) | RegData::ExpandSz(s) => utf16z(s, &mut out),
            RegData::Binary(b) | RegData::Raw { bytes: b, .. } => out.extend_from_slice(b),
            RegData::Dword(d) => out.extend_from_slice(&d.to_le_bytes()),
            RegData::Qword(q) => out.extend_from_slice(&q.to_le_bytes()),
            RegData::MultiSz(items) => {
                for s in items {
                    utf16z(s, &mut out);
                }
                out.extend_from_slice(&[0, 0]);
            }
        }
        out
    }

    /// What a reader keeps for a value stored as `code` with `bytes`: the typed data
    /// when the type is modelled and the bytes fit it ([`RegData::from_bytes`]), else
    /// the bytes as they are ([`RegData::Raw`]). Nothing is dropped.
    pub fn from_stored(code: u32, bytes: &[u8]) -> RegData {
        RegType::from_code(code)
            .and_then(|ty| RegData::from_bytes(ty, bytes))
            .unwrap_or_else(|| RegData::Raw {
                code,
                bytes: bytes.to_vec(),
            })
    }

    /// Whether the data fits its type ([`RegData::Raw`] holds data that may not).
    pub fn is_raw(&self) -> bool {
        matches!(self, RegData::Raw { .. })
    }

    /// The inverse of [`RegData::to_bytes`]; `None` when the bytes do not fit the type.
    pub fn from_bytes(ty: RegType, bytes: &[u8]) -> Option<RegData> {
        fn utf16(bytes: &[u8]) -> Option<Vec<u16>> {
            if bytes.len() % 2 != 0 {
                return None;
            }
            Some(
                bytes
                    .chunks(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect(),
            )
        }
        fn one_string(bytes: &[u8]) -> Option<String> {
            let mut units = utf16(bytes)?;
            // Windows tolerates a missing terminator; strip exactly one if present.
            if units.last() == Some(&0) {
                units.pop();
            }
            String::from_utf16(&units).ok()
        }
        Some(match ty {
            RegType::Sz => RegData::Sz(one_string(bytes)?),
            RegType::ExpandSz => RegData::ExpandSz(one_string(bytes)?),
            RegType::Binary => RegData::Binary(bytes.to_vec()),
            RegType::Other(code) => RegData::Raw {
                code,
                bytes: bytes.to_vec(),
            },
            RegType::Dword => RegData::Dword(u32::from_le_bytes(bytes.try_into().ok()?)),
            RegType::Qword => RegData::Qword(u64::from_le_bytes(bytes.try_into().ok()?)),
            RegType::MultiSz => {
                let units = utf16(bytes)?;
                let mut items = Vec::new();
                let mut cur = Vec::new();
                for u in units {
                    if u == 0 {
                        if cur.is_empty() {
                            break;
                        }
                        items.push(String::from_utf16(&cur).ok()?);
                        cur.clear();
                    } else {
                        cur.push(u);
                    }
                }
                if !cur.is_empty() {
                    items.push(String::from_utf16(&cur).ok()?);
                }
                RegData::MultiSz(items)
            }
        })
    }
}

impl fmt::Display for RegData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegData::Sz(s) | RegData::ExpandSz(s) => write!(f, "{s:?}"),
            RegData::Binary(b) => {
                let hex: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
                write!(f, "hex:{}", hex.join(","))
            }
            RegData::Dword(d) => write!(f, "{d} (0x{d:08x})"),
            RegData::Qword(q) => write!(f, "{q} (0x{q:016x})"),
            RegData::MultiSz(v) => write!(f, "{v:?}"),
            RegData::Raw { code, bytes } => {
                let hex: Vec<String> = bytes.iter().map(|x| format!("{x:02x}")).collect();
                write!(f, "hex({code:x}):{}", hex.join(","))
            }
        }
    }
}
