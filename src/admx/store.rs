//! A central store: a PolicyDefinitions folder of `*.admx` files with their
//! `<culture>/*.adml` files, read as Group Policy reads it. Every file is decoded by
//! its bytes (BOM, else UTF-8), not by its XML declaration: real stores hold Office
//! files that declare `encoding="utf-16"` but are stored as UTF-8, and `Search.admx`
//! declares `unicode` (`../shared/vendor-admx/README.md`). A file that does not read
//! gives a diagnostic naming the file and line; the rest of the store still loads.
//!
//! References resolve as the ADMX schema defines them: `prefix:name` through the
//! file's `<target>`/`<using>` prefixes to the file whose target namespace it is (so
//! categories and `supportedOn` definitions resolve across files), a bare name within
//! the file; `$(string.X)` and `$(presentation.X)` in the file's ADML.

use super::reader::{self, Adml, Admx, Policy};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file of the store that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line, when the reader knows the position.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// One ADMX file with its ADML (for the culture asked for, else en-US).
#[derive(Debug, Clone)]
pub struct File {
    /// The file name, e.g. `chrome.admx`.
    pub name: String,
    pub admx: Admx,
    pub adml: Option<Adml>,
}

#[derive(Debug, Default)]
pub struct Store {
    pub files: Vec<File>,
    pub problems: Vec<Problem>,
    /// Target namespace -> indexes into `files`.
    by_namespace: HashMap<String, Vec<usize>>,
    /// `namespace:policy` -> (file, policy index).
    by_policy: HashMap<String, (usize, usize)>,
    /// Only some files were read ([`Store::load_for`]).
    pub partial: bool,
}

/// A policy of the store, with the file it is defined in.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRef<'a> {
    pub file: &'a File,
    pub policy: &'a Policy,
}

/// The line of a reader error: the reader names the byte offset of XML errors
/// (`at byte N`); other errors (a missing attribute) carry no position.
fn error_line(text: &str, e: &reader::ReadError) -> Option<usize> {
    let n: usize =
        e.0.split_once("at byte ")?
            .1
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()?;
    let n = n.min(text.len());
    Some(text.as_bytes()[..n].iter().filter(|b| **b == b'\n').count() + 1)
}

/// Reads and parses one file. `buf` is the calling thread's read buffer, reused from
/// file to file (a fresh buffer per file would map and fault in new pages each time).
fn read_one<T>(
    path: &Path,
    buf: &mut Vec<u8>,
    parse: fn(&str) -> Result<T, reader::ReadError>,
) -> Result<T, Problem> {
    let problem = |line, message| Problem {
        file: path.to_path_buf(),
        line,
        message,
    };
    buf.clear();
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_to_end(&mut f, buf))
        .map_err(|e| problem(None, e.to_string()))?;
    let text = reader::decode_slice(buf).map_err(|e| problem(None, e.0))?;
    parse(&text).map_err(|e| problem(error_line(&text, &e), e.0))
}

/// The ADML files of `dir`'s culture folders, by lower-case stem: the first culture in
/// `cultures` that has the file wins. Folder and file names match case-insensitively, as
/// on Windows (real stores ship `en-us` as well as `en-US`).
fn adml_index(dir: &Path, cultures: &[&str]) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    let subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    for c in cultures {
        for sub in subdirs.iter().filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(c))
        }) {
            let Ok(rd) = std::fs::read_dir(sub) else {
                continue;
            };
            let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            files.sort();
            for p in files {
                if p.extension()
                    .is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case("adml"))
                {
                    let stem = p
                        .file_stem()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .to_lowercase();
                    out.entry(stem).or_insert(p);
                }
            }
        }
    }
    out
}

/// The `namespace` attributes of a file's `<target>` and `<using>` elements, read from
/// the text of its `<policyNamespaces>` element without parsing the file; `None` when
/// that element cannot be found this way (the file is then parsed in full).
/// A file's target namespace and the namespaces it uses.
type Namespaces = (String, Vec<String>);

fn namespaces_of(text: &str) -> Option<Namespaces> {
    let start = text.find("<policyNamespaces")?;
    let end = start + text[start..].find("</policyNamespaces")?;
    let block = &text[start..end];
    let attr = |tag: &str| -> Option<String> {
        let tag_end = tag.find('>').unwrap_or(tag.len());
        let t = &tag[..tag_end];
        let i = t.find("namespace")?;
        let rest = t[i + "namespace".len()..]
            .trim_start()
            .strip_prefix('=')?
            .trim_start();
        let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let rest = &rest[1..];
        Some(rest[..rest.find(q)?].to_string())
    };
    let mut target = None;
    let mut using = Vec::new();
    for (i, _) in block.match_indices('<') {
        let tag = &block[i + 1..];
        if let Some(t) = tag.strip_prefix("target") {
            target = attr(t);
        } else if let Some(t) = tag.strip_prefix("using") {
            using.extend(attr(t));
        }
    }
    Some((target?, using))
}

impl Store {
    /// The ADMX files of `dir`, sorted by path.
    fn admx_paths(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case("admx"))
            })
            .collect();
        paths.sort();
        Ok(paths)
    }

    /// Reads every ADMX of `dir` and its ADML for `culture` (falling back to en-US).
    /// Errors only when `dir` itself cannot be listed; unreadable files are `problems`.
    pub fn load(dir: &Path, culture: &str) -> std::io::Result<Store> {
        Self::load_paths(dir, culture, Self::admx_paths(dir)?)
    }

    /// [`Store::load`] limited to the files a compile needs: those whose target namespace
    /// is one of `namespaces`, and the files their `using` namespaces name, transitively
    /// (categories and `supportedOn` resolve across them). A file whose namespaces cannot
    /// be found without parsing it is parsed. `partial` is set: problems in the other files
    /// are not looked for (`policyc catalog --templates` reads the whole store).
    pub fn load_for(
        dir: &Path,
        culture: &str,
        namespaces: &std::collections::BTreeSet<String>,
    ) -> std::io::Result<Store> {
        let paths = Self::admx_paths(dir)?;
        let mut buf = Vec::new();
        let mut scanned: Vec<(PathBuf, Option<Namespaces>)> = Vec::new();
        for p in paths {
            buf.clear();
            let ns = std::fs::File::open(&p)
                .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut buf))
                .ok()
                .and_then(|_| {
                    reader::decode_slice(&buf)
                        .ok()
                        .and_then(|t| namespaces_of(&t))
                });
            scanned.push((p, ns));
        }
        let mut wanted = namespaces.clone();
        loop {
            let before = wanted.len();
            for (_, ns) in &scanned {
                if let Some((target, using)) = ns {
                    if wanted.contains(target) {
                        wanted.extend(using.iter().cloned());
                    }
                }
            }
            if wanted.len() == before {
                break;
            }
        }
        let paths = scanned
            .into_iter()
            .filter(|(_, ns)| ns.as_ref().is_none_or(|(t, _)| wanted.contains(t)))
            .map(|(p, _)| p)
            .collect();
        let mut store = Self::load_paths(dir, culture, paths)?;
        store.partial = true;
        Ok(store)
    }

    fn load_paths(dir: &Path, culture: &str, paths: Vec<PathBuf>) -> std::io::Result<Store> {
        let cultures: Vec<&str> = if culture.eq_ignore_ascii_case("en-US") {
            vec![culture]
        } else {
            vec![culture, "en-US"]
        };
        let admls = adml_index(dir, &cultures);
        let read = |p: &PathBuf, buf: &mut Vec<u8>| -> Result<File, Problem> {
            let admx = read_one(p, buf, reader::read_admx)?;
            let stem = p.file_stem().unwrap_or_default().to_string_lossy();
            let adml = match admls.get(&stem.to_lowercase()) {
                Some(a) => Some(read_one(a, buf, reader::read_adml)?),
                None => None,
            };
            Ok(File {
                name: p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                admx,
                adml,
            })
        };
        // Files are independent and parsing is most of the time: two threads take the
        // next file in turn (sizes vary from 1 KB to 1.7 MB, so halves would not
        // balance), largest first so that no big file is left for the end while the
        // other thread idles (a file whose size cannot be read goes last and reports its
        // problem when read); the results go back into path order.
        let mut order: Vec<(u64, usize)> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (std::fs::metadata(p).map_or(0, |m| m.len()), i))
            .collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || {
            let mut out = Vec::new();
            let mut buf = Vec::new();
            loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&(_, i)) = order.get(k) else { break };
                let p = &paths[i];
                out.push((i, read(p, &mut buf)));
            }
            out
        };
        let mut results: Vec<(usize, Result<File, Problem>)> = std::thread::scope(|s| {
            let h = s.spawn(work);
            let mut v = work();
            v.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            v
        });
        results.sort_unstable_by_key(|(i, _)| *i);
        let results = results.into_iter().map(|(_, r)| r);
        let mut store = Store {
            files: Vec::with_capacity(paths.len()),
            ..Store::default()
        };
        for r in results {
            match r {
                Ok(f) => store.files.push(f),
                Err(p) => store.problems.push(p),
            }
        }
        for (i, f) in store.files.iter().enumerate() {
            store
                .by_namespace
                .entry(f.admx.target.namespace.clone())
                .or_default()
                .push(i);
            let ns = &f.admx.target.namespace;
            for (j, p) in f.admx.policies.iter().enumerate() {
                let mut id = String::with_capacity(ns.len() + 1 + p.name.len());
                id.push_str(ns);
                id.push(':');
                id.push_str(&p.name);
                store.by_policy.entry(id).or_insert((i, j));
            }
        }
        Ok(store)
    }

    pub fn policy_count(&self) -> usize {
        self.files.iter().map(|f| f.admx.policies.len()).sum()
    }

    /// Every policy, in file order.
    pub fn policies(&self) -> impl Iterator<Item = PolicyRef<'_>> {
        self.files.iter().flat_map(|f| {
            f.admx
                .policies
                .iter()
                .map(move |policy| PolicyRef { file: f, policy })
        })
    }

    /// The policy `NAMESPACE:NAME`.
    pub fn get(&self, id: &str) -> Option<PolicyRef<'_>> {
        let (i, j) = *self.by_policy.get(id)?;
        let file = &self.files[i];
        Some(PolicyRef {
            file,
            policy: &file.admx.policies[j],
        })
    }

    /// The `namespace:name` id closest to `id`, for did-you-mean: the same id in another
    /// case; else a policy of the same name (any case) whose namespace is closest to the
    /// one written; else the closest name within the namespace written (any case); else
    /// the closest name within the namespace closest to the one written. `None` when
    /// nothing is close (Jaro-Winkler below 0.8, as `diag::did_you_mean`).
    pub fn closest(&self, id: &str) -> Option<String> {
        let (ns, name) = id.split_once(':').unwrap_or(("", id));
        let lower = id.to_ascii_lowercase();
        let mut ids: Vec<&str> = self.by_policy.keys().map(String::as_str).collect();
        ids.sort_unstable();
        if let Some(k) = ids.iter().find(|k| k.to_ascii_lowercase() == lower) {
            return Some(k.to_string());
        }
        let split = |k: &'_ str| -> (String, String) {
            let (a, b) = k.split_once(':').unwrap_or(("", k));
            (a.to_string(), b.to_string())
        };
        let score = |a: &str, b: &str| strsim::jaro_winkler(&a.to_lowercase(), &b.to_lowercase());
        let same_name: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|k| split(k).1.eq_ignore_ascii_case(name))
            .collect();
        if !same_name.is_empty() {
            return same_name
                .iter()
                .max_by(|a, b| score(&split(a).0, ns).total_cmp(&score(&split(b).0, ns)))
                .map(|k| k.to_string());
        }
        let mut namespaces: Vec<&str> = self.by_namespace.keys().map(String::as_str).collect();
        namespaces.sort_unstable();
        let target_ns = namespaces
            .iter()
            .find(|n| n.eq_ignore_ascii_case(ns))
            .or_else(|| {
                namespaces
                    .iter()
                    .filter(|n| score(n, ns) >= 0.8)
                    .max_by(|a, b| score(a, ns).total_cmp(&score(b, ns)))
            })?;
        let names: Vec<String> = ids
            .iter()
            .filter_map(|k| k.strip_prefix(*target_ns)?.strip_prefix(':'))
            .map(str::to_string)
            .collect();
        crate::diag::did_you_mean(name, names.iter().map(String::as_str))
            .map(|n| format!("{target_ns}:{n}"))
    }

    /// Resolves a reference written in `file` to (file, local name).
    fn resolve<'a>(&'a self, file: &'a File, r: &'a str) -> Option<(&'a File, &'a str)> {
        match r.split_once(':') {
            None => Some((file, r)),
            Some((prefix, name)) => {
                let a = &file.admx;
                let ns = if a.target.prefix == prefix {
                    &a.target.namespace
                } else {
                    &a.using.iter().find(|u| u.prefix == prefix)?.namespace
                };
                let idx = self.by_namespace.get(ns)?;
                // Several files may share a namespace; the one that defines the name wins.
                let f = idx
                    .iter()
                    .map(|i| &self.files[*i])
                    .find(|f| {
                        f.admx.categories.iter().any(|c| c.name == name)
                            || f.admx.supported_on.iter().any(|s| s.name == name)
                    })
                    .unwrap_or(&self.files[idx[0]]);
                Some((f, name))
            }
        }
    }

    /// The category chain of a policy, root first, as (namespace:name, display name).
    /// Stops (with what it has) at a reference that resolves to nothing.
    pub fn category_path(&self, p: PolicyRef<'_>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut cur = p.policy.parent_category.as_deref().map(|r| (p.file, r));
        while let Some((file, r)) = cur {
            let Some((f, name)) = self.resolve(file, r) else {
                break;
            };
            let Some(c) = f.admx.categories.iter().find(|c| c.name == name) else {
                break;
            };
            out.push((
                format!("{}:{}", f.admx.target.namespace, c.name),
                string(f, &c.display_name),
            ));
            if out.len() > 64 {
                break;
            }
            cur = c.parent.as_deref().map(|r| (f, r));
        }
        out.reverse();
        out
    }

    /// The display text of the policy's `supportedOn`, resolved across files.
    pub fn supported_on(&self, p: PolicyRef<'_>) -> Option<String> {
        let r = p.policy.supported_on.as_deref()?;
        let Some((f, name)) = self.resolve(p.file, r) else {
            return Some(r.to_string());
        };
        Some(
            f.admx
                .supported_on
                .iter()
                .find(|s| s.name == name)
                .map_or_else(|| r.to_string(), |s| string(f, &s.display_name)),
        )
    }
}

/// The `X` of a `$(string.X)` reference; `None` for other text.
pub fn string_ref(s: &str) -> Option<&str> {
    s.strip_prefix("$(string.")?.strip_suffix(')')
}

/// `$(string.X)` through the file's ADML; other text as written.
pub fn string(f: &File, s: &str) -> String {
    string_ref(s)
        .and_then(|id| f.adml.as_ref()?.string(id))
        .map_or_else(|| s.to_string(), str::to_string)
}

/// The three names a spec may give each item of an `enum` element, in item order: its
/// string id (the `X` of its `$(string.X)` display name), its display text (ADML) and its
/// registry value as text (`None` for `<delete/>` or no value).
pub fn enum_item_names(
    f: &File,
    e: &super::reader::Element,
) -> Vec<(String, String, Option<String>)> {
    e.enum_items
        .iter()
        .map(|it| {
            let value = it.value.as_ref().and_then(super::reader::Value::text);
            (
                string_ref(&it.display_name)
                    .unwrap_or(&it.display_name)
                    .to_string(),
                string(f, &it.display_name),
                value,
            )
        })
        .collect()
}

/// The item a spec's `name` means among `names` ([`enum_item_names`]): the first whose
/// string id is `name`, else the first whose display text is `name` (any case), else the
/// first whose registry value is `name`.
pub fn find_enum_item(names: &[(String, String, Option<String>)], name: &str) -> Option<usize> {
    names
        .iter()
        .position(|(id, _, _)| id == name)
        .or_else(|| {
            names
                .iter()
                .position(|(_, t, _)| t.eq_ignore_ascii_case(name))
        })
        .or_else(|| {
            names
                .iter()
                .position(|(_, _, v)| v.as_deref() == Some(name))
        })
}

impl PolicyRef<'_> {
    pub fn id(&self) -> String {
        format!("{}:{}", self.file.admx.target.namespace, self.policy.name)
    }
    pub fn display_name(&self) -> String {
        string(self.file, &self.policy.display_name)
    }
    pub fn explain(&self) -> Option<String> {
        self.policy
            .explain_text
            .as_deref()
            .map(|e| string(self.file, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_come_from_byte_offsets() {
        let text = "<a>\n<b>\n</a>";
        let e = reader::read_admx(text).unwrap_err();
        assert_eq!(error_line(text, &e), Some(3), "{e}");
        assert_eq!(
            error_line("x", &reader::ReadError("no position".into())),
            None
        );
    }

    #[test]
    fn a_broken_file_is_a_problem_and_the_rest_loads() {
        let dir = tempfile::tempdir().unwrap();
        let good = r#"<policyDefinitions revision="1.0" schemaVersion="1.0"><policyNamespaces><target prefix="a" namespace="A.N"/><using prefix="b" namespace="B.N"/></policyNamespaces><resources minRequiredRevision="1.0"/><categories><category name="Ca" displayName="$(string.Ca)"><parentCategory ref="b:Cb"/></category></categories><policies><policy name="P" class="Machine" displayName="$(string.P)" key="Software\Policies\A" valueName="V"><parentCategory ref="Ca"/><supportedOn ref="b:S"/></policy></policies></policyDefinitions>"#;
        let other = r#"<policyDefinitions revision="1.0" schemaVersion="1.0"><policyNamespaces><target prefix="b" namespace="B.N"/></policyNamespaces><resources minRequiredRevision="1.0"/><supportedOn><definitions><definition name="S" displayName="$(string.S)"/></definitions></supportedOn><categories><category name="Cb" displayName="$(string.Cb)"/></categories></policyDefinitions>"#;
        std::fs::write(dir.path().join("a.admx"), good).unwrap();
        std::fs::write(dir.path().join("b.admx"), other).unwrap();
        std::fs::write(
            dir.path().join("broken.admx"),
            "<policyDefinitions>\n<policies>\n</x>",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("en-US")).unwrap();
        std::fs::write(
            dir.path().join("en-US/A.ADML"),
            r#"<policyDefinitionResources revision="1.0" schemaVersion="1.0"><displayName/><description/><resources><stringTable><string id="P">Policy P</string><string id="Ca">Cat A</string></stringTable></resources></policyDefinitionResources>"#,
        )
        .unwrap();
        let s = Store::load(dir.path(), "en-US").unwrap();
        assert_eq!(s.files.len(), 2);
        assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
        assert_eq!(s.problems[0].line, Some(3), "{}", s.problems[0]);
        let p = s.get("A.N:P").unwrap();
        assert_eq!(p.display_name(), "Policy P");
        let path: Vec<String> = s.category_path(p).into_iter().map(|(id, _)| id).collect();
        assert_eq!(path, ["B.N:Cb", "A.N:Ca"]);
        assert_eq!(s.supported_on(p).as_deref(), Some("$(string.S)"));
        assert_eq!(s.closest("a.n:p").as_deref(), Some("A.N:P"));
        assert_eq!(s.closest("A.M:P").as_deref(), Some("A.N:P"));
        assert_eq!(s.closest("Z.Z:Q"), None);
    }
}
