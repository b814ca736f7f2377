//! The one table of encodings and line endings per file kind. Emitters produce
//! logical text with `\n`; this module turns it into the bytes each consumer needs.

use super::FileKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// regedit's version 5 format: UTF-16LE with BOM, CRLF. `reg import` rejects
    /// UTF-16 without a BOM (validators.md, tried with Wine).
    Utf16LeBomCrlf,
    /// Windows PowerShell 5.1 reads BOM-less scripts as ANSI, so `.ps1` gets a BOM.
    Utf8BomCrlf,
    /// JSON: UTF-8 without BOM (RFC 8259 forbids adding one), LF.
    Utf8Lf,
}

pub const TABLE: &[(FileKind, Encoding)] = &[(FileKind::Reg, Encoding::Utf16LeBomCrlf)];

pub fn for_kind(kind: FileKind) -> Encoding {
    TABLE
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, e)| *e)
        .expect("every file kind has an encoding")
}

/// Encodes logical text. Any `\r\n` already present is kept as one line ending.
pub fn encode(text: &str, enc: Encoding) -> Vec<u8> {
    let normalised = text.replace("\r\n", "\n");
    match enc {
        Encoding::Utf16LeBomCrlf => {
            let crlf = normalised.replace('\n', "\r\n");
            let mut out = vec![0xFF, 0xFE];
            for u in crlf.encode_utf16() {
                out.extend_from_slice(&u.to_le_bytes());
            }
            out
        }
        Encoding::Utf8BomCrlf => {
            let mut out = vec![0xEF, 0xBB, 0xBF];
            out.extend_from_slice(normalised.replace('\n', "\r\n").as_bytes());
            out
        }
        Encoding::Utf8Lf => normalised.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_has_bom_and_crlf() {
        let b = encode("a\nb\r\n", Encoding::Utf16LeBomCrlf);
        assert_eq!(
            b,
            [0xFF, 0xFE, b'a', 0, b'\r', 0, b'\n', 0, b'b', 0, b'\r', 0, b'\n', 0]
        );
        assert_eq!(
            encode("a\n", Encoding::Utf8BomCrlf),
            [0xEF, 0xBB, 0xBF, b'a', b'\r', b'\n']
        );
        assert_eq!(encode("a\r\n", Encoding::Utf8Lf), b"a\n");
    }
}
