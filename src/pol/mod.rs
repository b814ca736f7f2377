//! The Registry.pol ("PReg") format: a writer and a reader that round-trip.
//!
//! Byte layout, as Samba declares it in `librpc/idl/preg.idl` (the layout its
//! `ndr_pack`/`ndr_unpack` implement, used by our interop test) and as Microsoft's
//! "Registry Policy File Format" page describes it
//! (<https://learn.microsoft.com/en-us/previous-versions/windows/desktop/Policy/registry-policy-file-format>):
//!
//! ```text
//! header  = "PReg" (50 52 65 67)  version (uint32 LE, = 1)
//! entry   = "[" key NUL ";" value NUL ";" type ";" size ";" data "]"
//! ```
//!
//! Every character (`[`, `;`, `]` and both names) is UTF-16LE, two bytes each; `type`
//! and `size` are uint32 LE, and `size` is the exact byte length of `data`. The reader
//! therefore takes `data` by its size and never scans for `]`: a Chromium pattern such
//! as `https://[*.]nhs.net` holds a `]` (validators.md: the PyPI `registrypol` reader
//! splits on `]` and truncates such values). Keys carry no hive: the file's place
//! (`Machine\` or `User\`) decides it (same Microsoft page).
//!
//! MS-GPREG 2.2.1 (<https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-gpreg/5c092c22-bf6b-4e7f-b180-b20743d368f5>)
//! limits value names to 259 characters; the writer enforces that and the other
//! structural rules (no NUL inside a name, a non-empty key), the reader reports the
//! byte offset of anything malformed.

pub mod emit;

use crate::reg::{RegData, RegType};

/// `PReg` as the file's first four bytes (the DWORD 0x67655250, little-endian).
pub const SIGNATURE: [u8; 4] = *b"PReg";
/// The only version Windows and Samba read or write.
pub const VERSION: u32 = 1;
/// MS-GPREG 2.2.1: `Value = 1*259ValueCharacter`.
pub const MAX_VALUE_NAME: usize = 259;

/// The value name that deletes every value of its key before later entries of the
/// file are applied (Microsoft format page: `**DelVals`; Windows' own tools and
/// Microsoft baseline packages write the lower-case `**delvals.`). It deletes values
/// only, never subkeys.
pub const DELVALS: &str = "**delvals.";

/// One `[key;value;type;size;data]` record. The type is kept as its raw number so
/// that any record, including types policyc never writes, round-trips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Key path without a hive, e.g. `Software\Policies\Google\Chrome`.
    pub key: String,
    /// Value name; may be a `**` directive such as [`DELVALS`].
    pub value: String,
    /// Registry type code (winnt.h: 1 REG_SZ, 4 REG_DWORD, ...).
    pub reg_type: u32,
    pub data: Vec<u8>,
}

impl Entry {
    /// A record that sets `key\name` to `data`.
    pub fn set(key: &str, name: &str, data: &RegData) -> Entry {
        Entry {
            key: key.to_string(),
            value: name.to_string(),
            reg_type: data.reg_type().code(),
            data: data.to_bytes(),
        }
    }

    /// A `**delvals.` record for `key`. Its data does not carry meaning (the format
    /// page names only the value); it is written as REG_SZ `" "` with its NUL, the
    /// payload PolicyPlus's `ClearKey` writes (`Fleex255/PolicyPlus`,
    /// `PolEntryData.FromString(" ")`), which Samba's parser reads as a string.
    pub fn delete_values(key: &str) -> Entry {
        Entry::set(key, DELVALS, &RegData::Sz(" ".to_string()))
    }

    /// A `**del.NAME` record: delete one value. Its data carries no meaning either; it is
    /// REG_SZ `" "` with its NUL, like [`Entry::delete_values`] (the same four bytes
    /// `20 00 00 00` PolicyPlus writes for it as a REG_DWORD 32).
    pub fn delete_value(key: &str, name: &str) -> Entry {
        Entry::set(
            key,
            &format!("{}{name}", crate::lgpo::DEL_PREFIX),
            &RegData::Sz(" ".to_string()),
        )
    }

    /// The typed data, when the type is one policyc models and the bytes fit it.
    pub fn reg_data(&self) -> Option<RegData> {
        RegData::from_bytes(RegType::from_code(self.reg_type)?, &self.data)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolError {
    #[error("byte {offset}: {message}")]
    Malformed { offset: usize, message: String },
    #[error("entry {index} ({key}\\{value}): {message}")]
    Unwritable {
        index: usize,
        key: String,
        value: String,
        message: String,
    },
}

fn put_u16(out: &mut Vec<u8>, u: u16) {
    out.extend_from_slice(&u.to_le_bytes());
}

fn put_utf16z(out: &mut Vec<u8>, s: &str) {
    for u in s.encode_utf16() {
        put_u16(out, u);
    }
    put_u16(out, 0);
}

/// The file's bytes for these records, in the given order (Windows applies them in
/// file order, so a `**delvals.` must come before the values it should leave alone).
pub fn write(entries: &[Entry]) -> Result<Vec<u8>, PolError> {
    let mut out = Vec::new();
    out.extend_from_slice(&SIGNATURE);
    out.extend_from_slice(&VERSION.to_le_bytes());
    for (index, e) in entries.iter().enumerate() {
        let fail = |message: String| PolError::Unwritable {
            index,
            key: e.key.clone(),
            value: e.value.clone(),
            message,
        };
        if e.key.is_empty() {
            return Err(fail("the key is empty".into()));
        }
        if e.key.contains('\0') || e.value.contains('\0') {
            return Err(fail("a NUL character would end the name early".into()));
        }
        if e.value.encode_utf16().count() > MAX_VALUE_NAME {
            return Err(fail(format!(
                "value names are limited to {MAX_VALUE_NAME} characters (MS-GPREG 2.2.1)"
            )));
        }
        let size = u32::try_from(e.data.len())
            .map_err(|_| fail("the data is longer than 4 GiB".into()))?;
        put_u16(&mut out, u16::from(b'['));
        put_utf16z(&mut out, &e.key);
        put_u16(&mut out, u16::from(b';'));
        put_utf16z(&mut out, &e.value);
        put_u16(&mut out, u16::from(b';'));
        out.extend_from_slice(&e.reg_type.to_le_bytes());
        put_u16(&mut out, u16::from(b';'));
        out.extend_from_slice(&size.to_le_bytes());
        put_u16(&mut out, u16::from(b';'));
        out.extend_from_slice(&e.data);
        put_u16(&mut out, u16::from(b']'));
    }
    Ok(out)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn fail(&self, message: impl Into<String>) -> PolError {
        PolError::Malformed {
            offset: self.pos,
            message: message.into(),
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], PolError> {
        if self.bytes.len() - self.pos < n {
            return Err(self.fail(format!(
                "file ends inside {what} ({n} bytes needed, {} left)",
                self.bytes.len() - self.pos
            )));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u16(&mut self, what: &str) -> Result<u16, PolError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, PolError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), PolError> {
        let at = self.pos;
        let got = self.u16(what)?;
        if got != u16::from(c) {
            self.pos = at;
            return Err(self.fail(format!(
                "expected `{}` {what}, found UTF-16 unit 0x{got:04x}",
                c as char
            )));
        }
        Ok(())
    }

    fn utf16z(&mut self, what: &str) -> Result<String, PolError> {
        let start = self.pos;
        let mut units = Vec::new();
        loop {
            match self.u16(what)? {
                0 => break,
                u => units.push(u),
            }
        }
        String::from_utf16(&units).map_err(|_| PolError::Malformed {
            offset: start,
            message: format!("{what} is not valid UTF-16"),
        })
    }
}

/// Parses a whole file. Anything but a well-formed header followed by well-formed
/// records, to the last byte, is an error naming the byte offset.
pub fn read(bytes: &[u8]) -> Result<Vec<Entry>, PolError> {
    Ok(read_records(bytes)?.into_iter().map(|(_, e)| e).collect())
}

/// [`read`], with each record's byte offset (where its `[` is), for messages about
/// a record that is well-formed but whose data does not fit its type.
pub fn read_records(bytes: &[u8]) -> Result<Vec<(usize, Entry)>, PolError> {
    if bytes.is_empty() {
        return Err(PolError::Malformed {
            offset: 0,
            message: "the file is empty; a Registry.pol starts with `PReg` and version 1".into(),
        });
    }
    let mut c = Cursor { bytes, pos: 0 };
    let sig = c.take(4, "the signature")?.to_vec();
    if sig != SIGNATURE {
        c.pos = 0;
        return Err(c.fail(format!("signature is {sig:02x?}, not `PReg`")));
    }
    let version = c.u32("the version")?;
    if version != VERSION {
        c.pos = 4;
        return Err(c.fail(format!("version is {version}, not {VERSION}")));
    }
    let mut out = Vec::new();
    while c.pos < bytes.len() {
        let at = c.pos;
        c.expect(b'[', "to open an entry")?;
        let key = c.utf16z("the key")?;
        c.expect(b';', "after the key")?;
        let value = c.utf16z("the value name")?;
        c.expect(b';', "after the value name")?;
        let reg_type = c.u32("the type")?;
        c.expect(b';', "after the type")?;
        let size = c.u32("the size")? as usize;
        c.expect(b';', "after the size")?;
        let data = c.take(size, "the data")?.to_vec();
        c.expect(b']', "to close the entry")?;
        out.push((
            at,
            Entry {
                key,
                value,
                reg_type,
                data,
            },
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn writes_the_documented_bytes() {
        let bytes = write(&[Entry::set("A", "b", &RegData::Dword(1))]).unwrap();
        let mut want = b"PReg\x01\x00\x00\x00".to_vec();
        for part in [&b"[\0A\0\0\0;\0b\0\0\0;\0"[..], &[4, 0, 0, 0], b";\0"] {
            want.extend_from_slice(part);
        }
        want.extend_from_slice(&[4, 0, 0, 0]);
        want.extend_from_slice(b";\0");
        want.extend_from_slice(&[1, 0, 0, 0]);
        want.extend_from_slice(b"]\0");
        assert_eq!(bytes, want);
        assert_eq!(write(&[]).unwrap(), b"PReg\x01\x00\x00\x00");
    }

    #[test]
    fn data_with_a_closing_bracket_is_read_by_size() {
        let entries = vec![
            Entry::delete_values("Software\\Policies\\Google\\Chrome\\X"),
            Entry::set("K", "1", &RegData::Sz("https://[*.]nhs.net".into())),
            Entry::set("K", "2", &RegData::Sz("]".into())),
        ];
        assert_eq!(read(&write(&entries).unwrap()).unwrap(), entries);
    }

    #[test]
    fn rejects_bad_headers_and_truncation() {
        let good = write(&[Entry::set("K", "v", &RegData::Sz("x".into()))]).unwrap();
        let mut bad_sig = good.clone();
        bad_sig[3] = b'f';
        assert!(matches!(
            read(&bad_sig),
            Err(PolError::Malformed { offset: 0, .. })
        ));
        let mut bad_ver = good.clone();
        bad_ver[4] = 2;
        assert!(matches!(
            read(&bad_ver),
            Err(PolError::Malformed { offset: 4, .. })
        ));
        // Exactly the 8 header bytes is a valid file with no records.
        assert_eq!(read(&good[..8]).unwrap(), vec![]);
        for cut in 9..good.len() {
            assert!(
                read(&good[..cut]).is_err(),
                "truncated at {cut} was accepted"
            );
        }
        // A size field off by one UTF-16 unit shifts the parse; the reader must notice.
        let mut bad_size = good.clone();
        let size_at = good.len() - 2 - 4 - 2 - 4;
        bad_size[size_at] += 2;
        assert!(read(&bad_size).is_err());
    }

    #[test]
    fn writer_refuses_what_cannot_be_encoded() {
        for e in [
            Entry::set("", "v", &RegData::Dword(0)),
            Entry::set("K\0", "v", &RegData::Dword(0)),
            Entry::set("K", "v\0", &RegData::Dword(0)),
            Entry::set("K", &"n".repeat(260), &RegData::Dword(0)),
        ] {
            assert!(write(&[e]).is_err());
        }
        assert!(write(&[Entry::set("K", &"n".repeat(259), &RegData::Dword(0))]).is_ok());
    }

    fn name(max: usize) -> impl Strategy<Value = String> {
        // Any Unicode scalar except NUL (the terminator), astral planes included.
        proptest::collection::vec(any::<char>().prop_filter("no NUL", |c| *c != '\0'), 0..max)
            .prop_map(|cs| cs.into_iter().collect())
    }

    fn entry() -> impl Strategy<Value = Entry> {
        (
            name(40).prop_filter("keys are non-empty", |k| !k.is_empty()),
            name(40),
            any::<u32>(),
            proptest::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(key, value, reg_type, data)| Entry {
                key,
                value,
                reg_type,
                data,
            })
    }

    fn typed() -> impl Strategy<Value = RegData> {
        prop_oneof![
            name(30).prop_map(RegData::Sz),
            name(30).prop_map(RegData::ExpandSz),
            proptest::collection::vec(any::<u8>(), 0..32).prop_map(RegData::Binary),
            any::<u32>().prop_map(RegData::Dword),
            any::<u64>().prop_map(RegData::Qword),
            proptest::collection::vec(
                name(30).prop_filter("multi-sz items are non-empty", |s| !s.is_empty()),
                0..5
            )
            .prop_map(RegData::MultiSz),
        ]
    }

    proptest! {
        #[test]
        fn raw_entries_round_trip(entries in proptest::collection::vec(entry(), 0..8)) {
            let bytes = write(&entries).unwrap();
            prop_assert_eq!(read(&bytes).unwrap(), entries.clone());
            // And writing what was read gives the same bytes.
            prop_assert_eq!(write(&read(&bytes).unwrap()).unwrap(), bytes);
        }

        #[test]
        fn typed_values_round_trip(key in name(40).prop_filter("non-empty", |k| !k.is_empty()),
                                   value in name(40), data in typed()) {
            let bytes = write(&[Entry::set(&key, &value, &data)]).unwrap();
            let back = read(&bytes).unwrap();
            prop_assert_eq!(back.len(), 1);
            prop_assert_eq!(&back[0].key, &key);
            prop_assert_eq!(&back[0].value, &value);
            prop_assert_eq!(back[0].reg_data(), Some(data));
        }
    }
}
