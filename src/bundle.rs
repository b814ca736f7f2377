//! Writing the bundle. The whole bundle is built in a temporary sibling folder and
//! renamed into place, so a failed build leaves the previous bundle untouched.

use crate::diag::{self, Diagnostic};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Files to write, relative to the bundle root.
pub type Files = Vec<(String, Vec<u8>)>;

/// Whether [`write()`] and [`Staging::commit`] wait for the files to reach the disk before
/// the bundle appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync every file before the rename (the default): after a crash or power cut the
    /// bundle is either the previous one or the complete new one.
    Synced,
    /// Skip the fsyncs (`build --no-sync`, as PostgreSQL's `initdb --no-sync`). The swap
    /// is still atomic for this process and any reader, but a crash soon after may leave
    /// files that the kernel had not yet written: empty, with `manifest.json` naming
    /// hashes they no longer match. For scratch builds in CI, not for a bundle you ship.
    Unsynced,
}

fn fail(out: &Path, code: &'static str, msg: impl Into<String>, hint: &str) -> Diagnostic {
    Diagnostic::new(code, msg)
        .file(out.display().to_string())
        .hint(hint)
}

/// A bundle-relative path must stay inside the bundle: no root, no `..`.
fn safe_relative(p: &str) -> bool {
    !p.is_empty()
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        && p.chars()
            // `{}`: GPMC names a GPO backup folder after its id, `{GUID}` (emit/gpo.rs).
            .all(|c| c.is_ascii_alphanumeric() || "-_./{}".contains(c))
}

/// Checks that `out` may receive a bundle: absent, an empty folder, or a folder
/// holding a previous bundle (it has `manifest.json`).
pub fn check_out_dir(out: &Path) -> Result<(), Diagnostic> {
    // `.`, `..` (or a path ending in them): the new bundle replaces the folder by a
    // rename, which no system allows for the current folder or its parent (Linux says
    // EBUSY). A trailing separator is fine (`bundle/`).
    let raw = out.as_os_str().to_string_lossy();
    // The platform's separators: `\` is one on Windows, a file name character elsewhere.
    let last = raw
        .trim_end_matches(std::path::is_separator)
        .rsplit(std::path::is_separator)
        .next()
        .unwrap_or("");
    if matches!(last, "." | "..") || out.file_name().is_none() {
        return Err(fail(
            out,
            diag::OUTPUT_PATH,
            format!(
                "output path {} is not a folder name a build can replace (`.`, `..` or a root)",
                out.display()
            ),
            "name the bundle folder itself, e.g. --out bundle, or ../NAME for the current folder",
        ));
    }
    match fs::metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(fail(
            out,
            diag::IO_ERROR,
            format!("cannot read {}: {e}", out.display()),
            "check the path and permissions",
        )),
        Ok(m) if !m.is_dir() => Err(fail(
            out,
            diag::OUTPUT_PATH,
            format!("output path {} is a file", out.display()),
            "give --out a folder path",
        )),
        Ok(_) => {
            let empty = fs::read_dir(out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if empty {
                Ok(())
            } else if let Some(previous) = previous_bundle(out) {
                // The whole folder is replaced, so a file policyc did not write there
                // (notes, a signed copy) would be deleted without a word: refuse, naming them.
                let mut on_disk = Vec::new();
                list_files(out, out, &mut on_disk);
                let foreign: Vec<String> = on_disk
                    .into_iter()
                    .filter(|f| f != crate::emit::manifest::FILE_NAME && !previous.contains(f))
                    .collect();
                if foreign.is_empty() {
                    Ok(())
                } else {
                    const SHOWN: usize = 10;
                    let mut names = foreign
                        .iter()
                        .take(SHOWN)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ");
                    if foreign.len() > SHOWN {
                        names.push_str(&format!(" and {} more", foreign.len() - SHOWN));
                    }
                    Err(fail(
                        out,
                        diag::OUTPUT_PATH,
                        format!(
                            "{} holds {} file{} that its manifest.json does not list ({names}); a build replaces the whole folder and would delete {}, so nothing was written",
                            out.display(),
                            foreign.len(),
                            if foreign.len() == 1 { "" } else { "s" },
                            if foreign.len() == 1 { "it" } else { "them" },
                        ),
                        "move those files out of the bundle folder (or delete them), then build again",
                    ))
                }
            } else if out.join(crate::emit::manifest::FILE_NAME).is_file() {
                Err(fail(
                    out,
                    diag::OUTPUT_PATH,
                    format!("{}: manifest.json is not one policyc wrote (no `files` list); refusing to replace the folder", out.display()),
                    "choose a new or empty folder for --out",
                ))
            } else {
                Err(fail(
                    out,
                    diag::OUTPUT_PATH,
                    format!(
                        "{} is a folder policyc did not write (no manifest.json; it holds {}); refusing to replace it, so nothing was written",
                        out.display(),
                        folder_entries(out)
                    ),
                    "choose a new or empty folder for --out",
                ))
            }
        }
    }
}

/// The names in a folder, sorted, for a message: at most five, then how many more.
fn folder_entries(dir: &Path) -> String {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let more = names.len().saturating_sub(5);
    names.truncate(5);
    let mut s = names.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

/// The files a previous bundle at `out` holds, as its `manifest.json` lists them
/// (`/`-separated); `None` when there is no readable policyc manifest.
pub fn previous_bundle(out: &Path) -> Option<std::collections::BTreeSet<String>> {
    let bytes = fs::read(out.join(crate::emit::manifest::FILE_NAME)).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("files")?
        .as_array()?
        .iter()
        .map(|f| f.get("path")?.as_str().map(str::to_string))
        .collect()
}

/// Bundle-relative paths (`/`-separated) of every file below `dir`.
pub fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            list_files(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out.sort();
}

/// Writes `files` as the bundle at `out`, atomically replacing any previous bundle.
/// `Ok(Some(warning))`: see [`Staging::commit`].
pub fn write(
    out: &Path,
    files: &Files,
    durability: Durability,
) -> Result<Option<Diagnostic>, Diagnostic> {
    check_out_dir(out)?;
    let mut staging = Staging::new(out, durability);
    for (rel, bytes) in files {
        staging.put(rel, bytes)?;
    }
    staging.commit()
}

/// A bundle being written one file at a time: the files go to a temporary folder beside
/// `out` ([`Staging::put`]), which [`Staging::commit`] moves into place, atomically
/// replacing any previous bundle. Dropped before `commit`, it removes the temporary
/// folder and any folders it created above it, so a failed build writes nothing.
///
/// `build` puts each file as soon as it is emitted and hashed ([`crate::bundle_into`]),
/// so its bytes are freed before the next file is rendered rather than all kept until the
/// end: for the NHS example that kept about 290 KB of outputs beside the 250 KB the docs
/// use while they are rendered (dhat, at the heap's peak). Callers check `out` first
/// ([`check_out_dir`]).
pub struct Staging {
    out: PathBuf,
    durability: Durability,
    /// The temporary folder, created with the first file.
    tmp: Option<tempfile::TempDir>,
    /// Folders above `out` that did not exist and were created for it, deepest first.
    made: Vec<PathBuf>,
    /// Folders created inside the temporary folder.
    folders: std::collections::BTreeSet<PathBuf>,
    /// Each file written, open for the fsyncs.
    written: Vec<(String, fs::File)>,
}

impl Staging {
    /// A bundle for `out`; nothing is created until the first [`Staging::put`].
    pub fn new(out: &Path, durability: Durability) -> Staging {
        Staging {
            out: out.to_path_buf(),
            durability,
            tmp: None,
            made: Vec::new(),
            folders: std::collections::BTreeSet::new(),
            written: Vec::new(),
        }
    }

    fn io(&self, what: &str, e: std::io::Error) -> Diagnostic {
        fail(
            &self.out,
            diag::IO_ERROR,
            format!("{what}: {e}"),
            if self.out.exists() {
                "check free space and permissions; the previous bundle is unchanged"
            } else {
                "check free space and permissions; nothing was written"
            },
        )
    }

    /// `out`'s parent folder (`.` for a bare name).
    fn parent(&self) -> PathBuf {
        match self.out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// The temporary folder, created (with `out`'s missing parent folders) on first use.
    fn tmp(&mut self) -> Result<PathBuf, Diagnostic> {
        if let Some(t) = &self.tmp {
            return Ok(t.path().to_path_buf());
        }
        let parent = self.parent();
        // Remember which folders above `out` this creates, to remove them again if the
        // bundle is not committed.
        let mut missing: Vec<PathBuf> = parent
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .map(Path::to_path_buf)
            .collect();
        if !missing.is_empty() {
            fs::create_dir_all(&parent).map_err(|e| {
                self.io(
                    &format!("cannot create the parent folder {}", parent.display()),
                    e,
                )
            })?;
        }
        self.made.append(&mut missing);
        let t = tempfile::Builder::new()
            .prefix(".policyc-new-")
            .tempdir_in(&parent)
            .map_err(|e| self.io("cannot create a temporary folder", e))?;
        let path = t.path().to_path_buf();
        self.tmp = Some(t);
        Ok(path)
    }

    /// Writes one file of the bundle, `rel` relative to its root (`/`-separated).
    pub fn put(&mut self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        if !safe_relative(rel) {
            return Err(fail(
                &self.out,
                diag::OUTPUT_PATH,
                format!("refusing to write `{rel}` outside the bundle"),
                "this is a policyc bug; please report it",
            ));
        }
        let tmp = self.tmp()?;
        let dest = tmp.join(rel);
        // Each folder is created once, before its files, from the top down (a
        // create_dir_all per file asked the kernel again for every folder on the path,
        // and one per new folder first tried the deepest and failed).
        if let Some(d) = Path::new(rel)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            if !self.folders.contains(d) {
                let mut missing: Vec<PathBuf> = d
                    .ancestors()
                    .filter(|a| !a.as_os_str().is_empty() && !self.folders.contains(*a))
                    .map(Path::to_path_buf)
                    .collect();
                missing.reverse();
                for a in missing {
                    fs::create_dir(tmp.join(&a))
                        .map_err(|e| self.io("cannot create a folder", e))?;
                    self.folders.insert(a);
                }
            }
        }
        let mut f =
            fs::File::create(&dest).map_err(|e| self.io(&format!("cannot create {rel}"), e))?;
        f.write_all(bytes)
            .map_err(|e| self.io(&format!("cannot write {rel}"), e))?;
        self.written.push((rel.to_string(), f));
        Ok(())
    }

    /// Makes the bundle visible at `out`: every file reaches the disk first (unless
    /// [`Durability::Unsynced`]), then the temporary folder replaces any previous bundle.
    /// `Ok(Some(warning))` ([`diag::OLD_BUNDLE_LEFT`]): the new bundle is in place, but the
    /// previous one, moved aside beside it, could not be deleted.
    pub fn commit(mut self) -> Result<Option<Diagnostic>, Diagnostic> {
        let tmp = self.tmp()?;
        // Every file reaches the disk before the rename makes the bundle visible, so a
        // crash cannot leave a bundle of empty files.
        if self.durability == Durability::Synced {
            let written: Vec<(&str, &fs::File)> =
                self.written.iter().map(|(r, f)| (r.as_str(), f)).collect();
            flush(&written).map_err(|(rel, e)| self.io(&format!("cannot flush {rel}"), e))?;
        }
        // Closed before the rename: Windows refuses to move a folder with open files.
        self.written.clear();
        let staged = self.tmp.take().map(tempfile::TempDir::keep).unwrap_or(tmp);
        let left = match swap_in(&staged, &self.out, &self.parent()) {
            Ok(left) => left,
            Err(e) => {
                let _ = fs::remove_dir_all(&staged);
                return Err(self.io("cannot move the new bundle into place", e));
            }
        };
        // Committed: the folders above `out` stay.
        self.made.clear();
        Ok(left.map(|(aside, e)| {
            Diagnostic::new(
                diag::OLD_BUNDLE_LEFT,
                format!(
                    "the new bundle is in place, but the previous one, moved aside to {}, could not be deleted: {e}",
                    aside.display()
                ),
            )
            .file(self.out.display().to_string())
            .hint("delete that folder by hand (check who owns the files that could not be removed)")
        }))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Not committed (committed leaves nothing to do): close the files, remove the
        // temporary folder (TempDir's drop), then the folders made above it, deepest
        // first; a folder something else has filled meanwhile stays.
        self.written.clear();
        drop(self.tmp.take());
        for d in &self.made {
            let _ = fs::remove_dir(d);
        }
    }
}

/// How many threads wait for the fsyncs on Linux (the calling thread is one of them).
/// One: once every file's writeback is started, waiting for them one after another
/// costs the least CPU time, and its wall time stays well under the disk's own fsync
/// cost (`benches/targets.sh` prints both).
///
/// Measured by a throwaway C program that writes the NHS bundle's 19 folders and 26 files
/// as `write` does and times only the flushing (`getrusage`, medians of 40 rounds,
/// variants interleaved), on this VM's ext4 without a journal: writeback started for
/// every file then fsyncs from 2 threads 940 us CPU and 1,976 us wall; the same with
/// the fsyncs one after another 770-793 us CPU and 2,366-2,370 us wall. The second
/// thread's start-up, its wake-ups and its join cost more CPU time than the waiting it
/// shares. On a journalled ext4 (an earlier hyperfine run of policyc, 60 runs, two
/// rounds) 2 threads took 6.45 and 6.04 ms CPU and 8.76 and 8.95 ms wall, 1 thread 6.33
/// and 6.02 ms CPU and 10.02 and 9.23 ms wall.
const FSYNC_THREADS: usize = 1;

/// fsyncs every written file. Each fsync waits for the file's data, its inode and the
/// disk's cache flush. On Linux the writeback of every file is started first
/// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`, which does not wait), so all the data is
/// in flight at once before the first fsync waits, and [`FSYNC_THREADS`] threads wait
/// for it. Without that, fsyncing one file after another took most of a build's wall
/// time. Elsewhere (Windows: `FlushFileBuffers`, which has no such first step) each file
/// has its own thread.
fn flush<'a>(written: &[(&'a str, &fs::File)]) -> Result<(), (&'a str, std::io::Error)> {
    #[cfg(target_os = "linux")]
    for (_, f) in written {
        use std::os::fd::AsRawFd;
        // SAFETY: a plain system call on a descriptor that `f` keeps open; it reads no
        // memory of ours. Its result is not needed: the fsync below reports any failure.
        unsafe {
            libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    let threads = if cfg!(target_os = "linux") {
        FSYNC_THREADS
    } else {
        written.len()
    };
    let sync = |files: &[(&'a str, &fs::File)]| {
        files
            .iter()
            .try_for_each(|(rel, f)| f.sync_all().map_err(|e| (*rel, e)))
    };
    if threads <= 1 {
        return sync(written);
    }
    let mut chunks = written.chunks(written.len().div_ceil(threads).max(1));
    let first = chunks.next().unwrap_or(&[]);
    std::thread::scope(|scope| {
        let helpers: Vec<_> = chunks.map(|c| scope.spawn(move || sync(c))).collect();
        let mine = sync(first);
        helpers
            .into_iter()
            .map(|h| h.join().expect("fsync thread"))
            .fold(mine, Result::and)
    })
}

/// Renames `staged` to `out`. An existing `out` is first moved aside and removed
/// only once the new bundle is in place; on failure it is moved back. `Ok(Some(..))`: the
/// new bundle is in place, but the old one, moved aside to that folder, could not be
/// (wholly) removed.
fn swap_in(
    staged: &Path,
    out: &Path,
    parent: &Path,
) -> std::io::Result<Option<(PathBuf, std::io::Error)>> {
    if !out.exists() {
        return fs::rename(staged, out).map(|()| None);
    }
    let aside = tempfile::Builder::new()
        .prefix(".policyc-old-")
        .tempdir_in(parent)?
        .keep();
    // rename() onto an existing empty directory is allowed on Unix; remove it first
    // so the behaviour is the same everywhere.
    fs::remove_dir(&aside)?;
    fs::rename(out, &aside)?;
    if let Err(e) = fs::rename(staged, out) {
        let _ = fs::rename(&aside, out);
        return Err(e);
    }
    Ok(fs::remove_dir_all(&aside).err().map(|e| (aside, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synced(out: &Path, files: &Files) -> Result<Option<Diagnostic>, Diagnostic> {
        write(out, files, Durability::Synced)
    }

    #[test]
    fn relative_paths_must_stay_inside() {
        assert!(safe_relative("machine.reg"));
        assert!(safe_relative("en-US/x.adml"));
        for bad in ["", "../x", "/etc/passwd", "a/../../b", "a\\b", "a:b"] {
            assert!(!safe_relative(bad), "{bad}");
        }
    }

    #[test]
    fn replaces_previous_bundle_and_refuses_foreign_folders() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("bundle");
        let manifest = |name: &str| format!(r#"{{"files": [{{"path": "{name}"}}]}}"#).into_bytes();
        synced(
            &out,
            &vec![
                ("manifest.json".into(), manifest("a.reg")),
                ("a.reg".into(), b"1".to_vec()),
            ],
        )
        .unwrap();
        synced(
            &out,
            &vec![
                ("manifest.json".into(), manifest("b.reg")),
                ("b.reg".into(), b"2".to_vec()),
            ],
        )
        .unwrap();
        assert!(!out.join("a.reg").exists(), "stale file survived");
        assert_eq!(fs::read(out.join("b.reg")).unwrap(), b"2");
        let leftovers: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("bundle")]);

        // A file the manifest does not list (an admin's notes) is never deleted.
        fs::write(out.join("notes.txt"), b"mine").unwrap();
        let e = synced(&out, &vec![("manifest.json".into(), manifest("c.reg"))]).unwrap_err();
        assert_eq!(e.code, diag::OUTPUT_PATH);
        assert!(e.message.contains("notes.txt"), "{}", e.message);
        assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
        assert_eq!(fs::read(out.join("b.reg")).unwrap(), b"2");
        fs::remove_file(out.join("notes.txt")).unwrap();
        // A manifest.json without a file list is not policyc's.
        fs::write(out.join("manifest.json"), b"{}").unwrap();
        let e = synced(&out, &vec![("manifest.json".into(), manifest("c.reg"))]).unwrap_err();
        assert_eq!(e.code, diag::OUTPUT_PATH);
        assert!(out.join("b.reg").exists());

        let foreign = root.path().join("home");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("precious.txt"), b"x").unwrap();
        let e = synced(&foreign, &vec![("manifest.json".into(), vec![])]).unwrap_err();
        assert_eq!(e.code, diag::OUTPUT_PATH);
        assert!(foreign.join("precious.txt").exists());

        let file = root.path().join("file");
        fs::write(&file, b"x").unwrap();
        assert_eq!(synced(&file, &vec![]).unwrap_err().code, diag::OUTPUT_PATH);

        // The current folder, its parent or a root cannot be swapped by a rename.
        for p in [".", "..", "a/..", "a/.", "a/./", "/"] {
            let e = check_out_dir(Path::new(p)).unwrap_err();
            assert_eq!(e.code, diag::OUTPUT_PATH, "{p}");
            assert!(e.message.contains("folder name"), "{p}: {}", e.message);
        }
        // A trailing separator still names the folder.
        check_out_dir(&root.path().join("fresh/")).unwrap();
        // On Unix `a\.` is one name, not `a` then `.`.
        #[cfg(unix)]
        check_out_dir(&root.path().join("a\\.")).unwrap();
    }

    /// A bundle put file by file and then dropped (the build failed after emitting)
    /// leaves nothing: no temporary folder, no `out`, and none of the folders created
    /// above it; an existing bundle there is untouched. Committed, it is in place.
    #[test]
    fn staging_dropped_leaves_nothing_and_committed_is_in_place() {
        let root = tempfile::tempdir().unwrap();
        let entries = |d: &Path| -> Vec<String> {
            let mut v: Vec<String> = fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let out = root.path().join("new/deeper/bundle");
        let mut s = Staging::new(&out, Durability::Synced);
        s.put("a/b/c.reg", b"1").unwrap();
        s.put("manifest.json", b"{}").unwrap();
        let tmp = s.tmp.as_ref().unwrap().path().to_path_buf();
        assert!(tmp.join("a/b/c.reg").is_file());
        assert_eq!(s.made.len(), 2, "{:?}", s.made);
        drop(s);
        assert!(!tmp.exists());
        assert!(
            entries(root.path()).is_empty(),
            "{:?}",
            entries(root.path())
        );

        // Nothing put, nothing created.
        drop(Staging::new(&out, Durability::Synced));
        assert!(entries(root.path()).is_empty());

        let mut s = Staging::new(&out, Durability::Synced);
        s.put("a/b/c.reg", b"1").unwrap();
        s.put("a/d.reg", b"2").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read(out.join("a/b/c.reg")).unwrap(), b"1");
        assert_eq!(fs::read(out.join("a/d.reg")).unwrap(), b"2");
        assert_eq!(entries(out.parent().unwrap()), vec!["bundle"]);

        // Over an existing bundle, dropped: the old one stays as it was.
        let mut s = Staging::new(&out, Durability::Unsynced);
        s.put("x.reg", b"3").unwrap();
        drop(s);
        assert_eq!(entries(out.parent().unwrap()), vec!["bundle"]);
        assert_eq!(entries(&out), vec!["a"]);

        // A path outside the bundle is refused before anything is created.
        let elsewhere = root.path().join("other/bundle");
        let mut s = Staging::new(&elsewhere, Durability::Synced);
        assert_eq!(s.put("../x", b"").unwrap_err().code, diag::OUTPUT_PATH);
        drop(s);
        assert!(!root.path().join("other").exists());
    }
}
