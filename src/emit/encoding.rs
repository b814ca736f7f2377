//! The one table of encodings and line endings per file kind. Emitters produce
//! logical text with `\n`; this module turns it into the bytes each consumer needs.

use super::FileKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// regedit's version 5 format: UTF-16LE with BOM, CRLF. `reg import` rejects
    /// UTF-16 without a BOM (validators.md, tried with Wine).
    Utf16LeBomCrlf,
    /// JSON: UTF-8 without BOM (RFC 8259 forbids adding one), LF.
    Utf8Lf,
    /// Windows-native text without a BOM, CRLF: the GPO backup's XML (declared
    /// `encoding="utf-8"`), and the PowerShell scripts, which are ASCII only (Intune's
    /// "Enforce script signature check" requires UTF-8 without BOM, and Windows
    /// PowerShell 5.1 reads a BOM-less script as ANSI, which agrees with UTF-8 on ASCII;
    /// see `powershell::ps_literal`).
    /// The backup's registry.pol copies are binary and built by the PReg writer.
    Utf8Crlf,
    /// Binary formats (Registry.pol): the emitter builds the bytes itself and never
    /// calls [`encode`].
    Binary,
}

pub const TABLE: &[(FileKind, Encoding)] = &[
    (FileKind::Reg, Encoding::Utf16LeBomCrlf),
    // README.md and report.html: UTF-8 without BOM (the HTML declares it), LF.
    (FileKind::Docs, Encoding::Utf8Lf),
    // As Windows' own ADMX/ADML (inetres.admx: `encoding="utf-8"`, no BOM, CRLF; vendor
    // templates such as Chrome's and Edge's are UTF-16LE, which GPMC reads as well).
    (FileKind::Admx, Encoding::Utf8Crlf),
    (FileKind::Adml, Encoding::Utf8Crlf),
    (FileKind::Pol, Encoding::Binary),
    (FileKind::GpoBackup, Encoding::Utf8Crlf),
    // LGPO.pdf: LGPO text is Unicode (UTF-16LE with BOM) or ANSI; Unicode keeps every character.
    (FileKind::LgpoTxt, Encoding::Utf16LeBomCrlf),
    (FileKind::Ps1Apply, Encoding::Utf8Crlf),
    (FileKind::Ps1Detect, Encoding::Utf8Crlf),
    (FileKind::Ps1Remediate, Encoding::Utf8Crlf),
    (FileKind::Ps1Diagnose, Encoding::Utf8Crlf),
    (FileKind::Ps1Remove, Encoding::Utf8Crlf),
    (FileKind::RegUndo, Encoding::Utf16LeBomCrlf),
    // Graph request bodies are JSON: UTF-8 without BOM (RFC 8259 section 8.1).
    (FileKind::IntuneJson, Encoding::Utf8Lf),
    (FileKind::IntuneSettingsCatalog, Encoding::Utf8Lf),
];

pub fn for_kind(kind: FileKind) -> Encoding {
    TABLE
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, e)| *e)
        .expect("every file kind has an encoding")
}

/// Encodes logical text. Any `\r\n` already present is kept as one line ending.
/// One pass over the text: at 10,000 settings the scripts and docs are megabytes.
/// [`encode`] of text the caller no longer needs: UTF-8 with LF line endings (the docs,
/// the JSON files) is the text's own buffer when it holds no `\r`, neither copied nor
/// doubled in memory.
pub fn encode_owned(text: String, enc: Encoding) -> Vec<u8> {
    if enc == Encoding::Utf8Lf && memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return text.into_bytes();
    }
    encode(&text, enc)
}

pub fn encode(text: &str, enc: Encoding) -> Vec<u8> {
    // Each line without its ending (a `\r` right before `\n` belongs to the ending),
    // and whether a line ending followed it.
    let lines = text
        .split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(l) => (l.strip_suffix('\r').unwrap_or(l), true),
            None => (l, false),
        });
    match enc {
        Encoding::Utf16LeBomCrlf => {
            let mut out = Vec::with_capacity(2 + text.len() * 2 + text.len() / 16);
            out.extend_from_slice(&[0xFF, 0xFE]);
            for (line, ended) in lines {
                if line.is_ascii() {
                    // Each ASCII byte is one UTF-16 unit: the byte, then a zero.
                    let start = out.len();
                    out.resize(start + 2 * line.len(), 0);
                    for (unit, b) in out[start..].chunks_exact_mut(2).zip(line.bytes()) {
                        unit[0] = b;
                    }
                } else {
                    for u in line.encode_utf16() {
                        out.extend_from_slice(&u.to_le_bytes());
                    }
                }
                if ended {
                    out.extend_from_slice(&[b'\r', 0, b'\n', 0]);
                }
            }
            out
        }
        Encoding::Utf8Crlf | Encoding::Utf8Lf => {
            let eol: &[u8] = match enc {
                Encoding::Utf8Crlf => b"\r\n",
                _ => b"\n",
            };
            // Without any `\r` (what the emitters write) each `\n` is simply replaced: the
            // text is copied in runs between line breaks instead of line by line.
            let bytes = text.as_bytes();
            if memchr::memchr(b'\r', bytes).is_none() {
                if enc == Encoding::Utf8Lf {
                    return bytes.to_vec();
                }
                let mut out = Vec::with_capacity(text.len() + text.len() / 16);
                let mut run = 0;
                for lf in memchr::memchr_iter(b'\n', bytes) {
                    out.extend_from_slice(&bytes[run..lf]);
                    out.extend_from_slice(eol);
                    run = lf + 1;
                }
                out.extend_from_slice(&bytes[run..]);
                return out;
            }
            let mut out = Vec::with_capacity(text.len() + text.len() / 16);
            for (line, ended) in lines {
                out.extend_from_slice(line.as_bytes());
                if ended {
                    out.extend_from_slice(eol);
                }
            }
            out
        }
        Encoding::Binary => unreachable!("binary files are built by their emitter, not encoded"),
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
        assert_eq!(encode("a\n", Encoding::Utf8Crlf), [b'a', b'\r', b'\n']);
        assert_eq!(encode("a\r\n", Encoding::Utf8Lf), b"a\n");
    }

    /// The one-pass encoder equals the plain definition (normalise CRLF to LF, then
    /// turn LF into the target ending), including lone `\r` and a final line without
    /// an ending.
    #[test]
    fn one_pass_equals_the_definition() {
        fn reference(text: &str, enc: Encoding) -> Vec<u8> {
            let lf = text.replace("\r\n", "\n");
            match enc {
                Encoding::Utf16LeBomCrlf => {
                    let mut out = vec![0xFF, 0xFE];
                    for u in lf.replace('\n', "\r\n").encode_utf16() {
                        out.extend_from_slice(&u.to_le_bytes());
                    }
                    out
                }
                Encoding::Utf8Crlf => lf.replace('\n', "\r\n").into_bytes(),
                Encoding::Utf8Lf => lf.into_bytes(),
                Encoding::Binary => unreachable!(),
            }
        }
        let texts = [
            "",
            "\n",
            "\r",
            "\r\n",
            "\r\r\n",
            "a",
            "a\n",
            "a\r\nb",
            "a\rb\n",
            "\n\n\r\n",
            "é😀\r\nx\n",
            "é😀\nx\n",
            "a\nb",
            "\n\nx",
            "ascii line\nnot ascii: ü\nascii again",
            "no ending",
            "\u{feff}bom\n",
        ];
        for enc in [
            Encoding::Utf16LeBomCrlf,
            Encoding::Utf8Crlf,
            Encoding::Utf8Lf,
        ] {
            for t in texts {
                assert_eq!(encode(t, enc), reference(t, enc), "{t:?} as {enc:?}");
            }
        }
    }
}
