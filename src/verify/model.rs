//! A registry as an export describes it: keys with their values, built by
//! replaying `.reg` exports (and later Registry.pol files) in order.

use crate::reg::text::{self, Block};
use crate::reg::{Hive, RegData};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct Key {
    /// The path as the export spelt it.
    pub path: String,
    /// lower-case name -> (name as spelt, data)
    pub values: BTreeMap<String, (String, RegData)>,
}

#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// lower-case full path (`hkey_local_machine\software\...`) -> key
    pub keys: BTreeMap<String, Key>,
    /// The keys the given files hold (lower-case full paths): every `[KEY]` and
    /// `[-KEY]` of a `.reg` file, and the hive of a Registry.pol (which describes the
    /// whole hive's policy). A key is covered when it or an ancestor is here; `reg
    /// export KEY` writes KEY and every subkey, so its file holds KEY itself.
    pub roots: BTreeSet<String>,
    /// Values the inputs delete and do not set again (lower-case full key, lower-case
    /// name): `**del.NAME` and `**deletevalues` of a Registry.pol or LGPO text,
    /// `"NAME"=-` of a `.reg` file. A `reg export` of a machine holds none.
    pub deleted: BTreeSet<(String, String)>,
    /// Keys whose values the inputs delete wholesale (lower-case full paths):
    /// `**delvals.` of a Registry.pol, `[-KEY]` of a `.reg` file. Values set after are
    /// in `keys`.
    pub cleared: BTreeSet<String>,
    /// How many inputs were policyc bundle folders (read through their `pol/` Registry.pol
    /// files), and how many anything else (exports, Registry.pol files, GPO backups).
    pub bundles_read: usize,
    pub others_read: usize,
    /// How many of the others were `.reg` files (a machine's `reg export`), as opposed to
    /// policy files (Registry.pol, LGPO text, GPO backups).
    pub exports_read: usize,
}

/// `HKLM\x` and `HKEY_LOCAL_MACHINE\x` name the same key; exports use the long form.
pub fn normalise(path: &str) -> String {
    let (root, rest) = path.split_once('\\').unwrap_or((path, ""));
    let root = match Hive::parse(root) {
        Some(h) => h.long_name().to_string(),
        None => root.to_ascii_uppercase(),
    };
    let rest = rest.trim_end_matches('\\');
    let full = if rest.is_empty() {
        root
    } else {
        format!("{root}\\{rest}")
    };
    full.to_lowercase()
}

pub fn full_path(hive: Hive, key: &str) -> String {
    format!("{}\\{}", hive.long_name(), key)
}

impl Registry {
    /// Replays a `.reg` export (bytes as read from disk) as Windows would import it;
    /// returns a warning for each line Windows would skip.
    pub fn add_reg(&mut self, bytes: &[u8]) -> Result<Vec<text::Warning>, text::ReadError> {
        let parsed = text::read_bytes(bytes)?;
        for b in &parsed.file.blocks {
            match b {
                Block::DeleteKey(path) => {
                    let p = normalise(path);
                    let prefix = format!("{p}\\");
                    self.keys.retain(|k, _| *k != p && !k.starts_with(&prefix));
                    self.deleted
                        .retain(|(k, _)| *k != p && !k.starts_with(&prefix));
                    self.cleared.insert(p.clone());
                    self.roots.insert(p);
                }
                Block::Key { path, values, .. } => {
                    let p = normalise(path);
                    self.roots.insert(p.clone());
                    let key = self.keys.entry(p.clone()).or_insert_with(|| Key {
                        path: path.clone(),
                        ..Key::default()
                    });
                    for v in values {
                        let name = v.name.clone().unwrap_or_default();
                        let lower = name.to_lowercase();
                        match &v.data {
                            Some(d) => {
                                self.deleted.remove(&(p.clone(), lower.clone()));
                                key.values.insert(lower, (name, d.clone()));
                            }
                            None => {
                                key.values.remove(&lower);
                                self.deleted.insert((p.clone(), lower));
                            }
                        }
                    }
                }
            }
        }
        Ok(parsed.warnings)
    }

    /// Replays a Registry.pol file as the Group Policy engine would apply it to `hive`.
    /// A .pol file describes the whole hive's policy, so it covers the hive: a value
    /// the spec needs and the file lacks is missing, not "not covered".
    /// Directives (MS-GPREG 2.2.1 and Microsoft's Registry Policy File Format page):
    /// `**delvals.` deletes every value of the key, `**del.NAME` one value,
    /// `**deletevalues` a `;`-list of values, `**deletekeys` a `;`-list of subkeys;
    /// `**soft.NAME` sets NAME only if it is absent; `**securekey` changes ACLs only.
    ///
    /// A record whose data does not fit its type (an odd-length REG_SZ, a REG_DWORD
    /// of 8 bytes) or whose type policyc does not model is kept as the bytes Windows
    /// would store, and named in a returned warning (`byte OFFSET: ...`).
    pub fn add_pol(
        &mut self,
        hive: Hive,
        bytes: &[u8],
    ) -> Result<Vec<String>, crate::pol::PolError> {
        let records = crate::pol::read_records(bytes)?;
        Ok(self.replay_pol(hive, records.into_iter().map(|(at, e)| (Some(at), e))))
    }

    /// Replays Registry.pol records (from LGPO text, which has no byte offsets) for one
    /// hive, as [`Registry::add_pol`] does; returns the same warnings.
    pub fn add_pol_entries(&mut self, hive: Hive, entries: Vec<crate::pol::Entry>) -> Vec<String> {
        self.replay_pol(hive, entries.into_iter().map(|e| (None, e)))
    }

    fn replay_pol(
        &mut self,
        hive: Hive,
        records: impl IntoIterator<Item = (Option<usize>, crate::pol::Entry)>,
    ) -> Vec<String> {
        self.roots.insert(hive.long_name().to_lowercase());
        let mut warnings = Vec::new();
        for (at, e) in records {
            let full = full_path(hive, &e.key);
            let lower = e.value.to_ascii_lowercase();
            let data_str = || match e.reg_data() {
                Some(RegData::Sz(s)) | Some(RegData::ExpandSz(s)) => s,
                _ => String::new(),
            };
            let norm = normalise(&full);
            let key = self.keys.entry(norm.clone()).or_insert_with(|| Key {
                path: full.clone(),
                ..Key::default()
            });
            if lower == "**delvals." {
                key.values.clear();
                self.cleared.insert(norm);
            } else if lower.starts_with("**del.") {
                let name = e.value[6..].to_lowercase();
                key.values.remove(&name);
                self.deleted.insert((norm, name));
            } else if lower == "**deletevalues" {
                for name in data_str().split(';').filter(|n| !n.is_empty()) {
                    key.values.remove(&name.to_lowercase());
                    self.deleted.insert((norm.clone(), name.to_lowercase()));
                }
            } else if lower == "**deletekeys" {
                for sub in data_str().split(';').filter(|n| !n.is_empty()) {
                    let p = normalise(&format!("{full}\\{sub}"));
                    let prefix = format!("{p}\\");
                    self.keys.retain(|k, _| *k != p && !k.starts_with(&prefix));
                }
            } else if lower.starts_with("**securekey") {
            } else {
                let data = RegData::from_stored(e.reg_type, &e.data);
                if data.is_raw() {
                    let at = at.map(|at| format!("byte {at}: ")).unwrap_or_default();
                    warnings.push(format!(
                        "{at}{}\\{}: {} data of {} bytes does not fit its type; read as the bytes Windows stores",
                        e.key,
                        e.value,
                        data.reg_type().name(),
                        e.data.len()
                    ));
                }
                let (soft, name) = match e.value.get(..7) {
                    Some(p) if p.eq_ignore_ascii_case("**soft.") => {
                        (true, e.value[7..].to_string())
                    }
                    _ => (false, e.value.clone()),
                };
                if !(soft && key.values.contains_key(&name.to_lowercase())) {
                    self.deleted.remove(&(norm, name.to_lowercase()));
                    key.values.insert(name.to_lowercase(), (name, data));
                }
            }
        }
        warnings
    }

    /// Whether some file covers this full path: it holds the key or an ancestor.
    pub fn covers(&self, full: &str) -> bool {
        let mut p = normalise(full);
        loop {
            if self.roots.contains(&p) {
                return true;
            }
            match p.rfind('\\') {
                Some(i) => p.truncate(i),
                None => return false,
            }
        }
    }

    pub fn key(&self, full: &str) -> Option<&Key> {
        self.keys.get(&normalise(full))
    }

    pub fn value(&self, full: &str, name: &str) -> Option<&RegData> {
        self.key(full)
            .and_then(|k| k.values.get(&name.to_lowercase()))
            .map(|(_, d)| d)
    }

    /// The numbered entries of a Chromium list policy key, in numeric order.
    pub fn list(&self, full: &str) -> Vec<String> {
        let Some(k) = self.key(full) else {
            return Vec::new();
        };
        let mut items: Vec<(u64, String)> = k
            .values
            .values()
            .filter_map(|(n, d)| match d {
                RegData::Sz(s) | RegData::ExpandSz(s) => {
                    n.parse::<u64>().ok().map(|i| (i, s.clone()))
                }
                _ => None,
            })
            .collect();
        items.sort();
        items.into_iter().map(|(_, s)| s).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_registry_pol_directives() {
        use crate::pol::Entry;
        let k = r"Software\Policies\Google\Chrome\X";
        let bytes = crate::pol::write(&[
            Entry::set(k, "1", &RegData::Sz("stale".into())),
            Entry::set(k, "2", &RegData::Sz("stale".into())),
            Entry::delete_values(k),
            Entry::set(k, "1", &RegData::Sz("a".into())),
            Entry::set(
                r"Software\Policies\Google\Chrome",
                "Gone",
                &RegData::Dword(1),
            ),
            Entry::set(
                r"Software\Policies\Google\Chrome",
                "**del.Gone",
                &RegData::Sz(" ".into()),
            ),
        ])
        .unwrap();
        let mut r = Registry::default();
        r.add_pol(Hive::Hkcu, &bytes).unwrap();
        assert!(r.covers(r"HKEY_CURRENT_USER\Anything"));
        assert!(!r.covers(r"HKEY_LOCAL_MACHINE\Software"));
        assert_eq!(r.list(&format!("HKCU\\{k}")), ["a"]);
        assert_eq!(
            r.value(r"HKCU\Software\Policies\Google\Chrome", "Gone"),
            None
        );
    }

    #[test]
    fn replays_deletions_and_records_roots() {
        let mut r = Registry::default();
        r.add_reg(b"REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies]\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\A]\n\"x\"=dword:00000001\n\"y\"=\"s\"\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\A\\B]\n\"z\"=\"1\"\n")
            .unwrap();
        assert!(r.covers("HKLM\\SOFTWARE\\Policies\\Google\\Chrome"));
        assert!(!r.covers("HKLM\\SOFTWARE\\PoliciesX"));
        assert_eq!(
            r.value("HKLM\\software\\policies\\a", "X"),
            Some(&RegData::Dword(1))
        );
        r.add_reg(b"REGEDIT4\n\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\A]\n")
            .unwrap();
        assert!(r.key("HKLM\\SOFTWARE\\Policies\\A\\B").is_none());
        r.add_reg(b"REGEDIT4\n\n[HKEY_CURRENT_USER\\L]\n\"10\"=\"c\"\n\"2\"=\"b\"\n\"n\"=\"x\"\n\"1\"=\"a\"\n").unwrap();
        assert_eq!(r.list("HKCU\\L"), ["a", "b", "c"]);
    }
}
