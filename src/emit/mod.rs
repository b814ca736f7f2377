//! The bundle's orchestration: every emitter run on the plan ([`emit_all`]), the
//! artifact vocabulary, the manifest and the files that belong to no single format
//! (docs, ADMX/ADML, GPO backup). A format's own emitter sits beside its reader in
//! that format's module (`reg`, `pol`, `lgpo`, `powershell`, `intune`).

pub mod adml;
pub mod admx;
pub mod docs;
pub mod encoding;
pub mod gpo;
pub mod manifest;
#[cfg(test)]
pub mod templates;

use crate::plan::Plan;
use serde::Serialize;

/// The fixed vocabulary of file kinds in `manifest.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// A regedit `.reg` file (one per hive).
    Reg,
    /// The bundle's README.md and report.html (`docs/`).
    Docs,
    /// The bundle's ADMX administrative template (`admx/<bundle>.admx`).
    Admx,
    /// An ADML language file of the ADMX (`admx/<culture>/<bundle>.adml`).
    Adml,
    /// A binary Registry.pol (PReg) file (one per hive).
    Pol,
    /// A file of the GPMC-shaped GPO backup folder.
    GpoBackup,
    /// LGPO.exe text (one per hive).
    LgpoTxt,
    /// PowerShell apply script (`powershell/apply.ps1`).
    Ps1Apply,
    /// Intune Remediations detection script.
    Ps1Detect,
    /// Intune Remediations remediation script.
    Ps1Remediate,
    /// Service desk diagnosis script.
    Ps1Diagnose,
    /// Intune custom configuration profile, Microsoft Graph JSON (`intune/<scope>.json`).
    IntuneJson,
    /// Intune Settings Catalog policy, Microsoft Graph JSON
    /// (`intune/settings-catalog/<scope>.json`).
    IntuneSettingsCatalog,
    /// A `.reg` file that removes what the bundle's `.reg` file writes (`undo/<hive>.reg`).
    RegUndo,
    /// PowerShell removal script (`powershell/remove.ps1`).
    Ps1Remove,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Reg => "reg",
            FileKind::Docs => "docs",
            FileKind::Admx => "admx",
            FileKind::Adml => "adml",
            FileKind::Pol => "pol",
            FileKind::GpoBackup => "gpo-backup",
            FileKind::LgpoTxt => "lgpo-txt",
            FileKind::Ps1Apply => "ps1-apply",
            FileKind::Ps1Detect => "ps1-detect",
            FileKind::Ps1Remediate => "ps1-remediate",
            FileKind::Ps1Diagnose => "ps1-diagnose",
            FileKind::IntuneJson => "intune-json",
            FileKind::IntuneSettingsCatalog => "intune-settings-catalog",
            FileKind::RegUndo => "reg-undo",
            FileKind::Ps1Remove => "ps1-remove",
        }
    }
}

/// One generated file: its path inside the bundle, kind and final bytes.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[error("{emitter}: {message}")]
pub struct EmitError {
    pub emitter: &'static str,
    pub message: String,
}

pub trait Emitter: Sync {
    fn name(&self) -> &'static str;
    fn emit(&self, plan: &Input) -> Result<Vec<Artifact>, EmitError>;
}

/// What the emitters of one build read: the plan (an `Input` derefs to it), and the
/// views of it that several readers need, each built once on first use: the ADMX
/// template (the ADMX files and the Intune payloads of ADMX-backed settings; at 10,000
/// values building it was several percent of a build), the ADMX text with its reading
/// and the en-US ADML (the ADMX pre-flight and the ADMX emitter), and the Intune route of
/// every value (the delivery checks, both Intune emitters, the scripts' remediation split
/// and the report; resolving it again for each was 7% of the NHS build's instructions).
/// `build` gives its delivery checks and its emitters the same `Input`.
pub struct Input<'a> {
    plan: &'a Plan,
    catalog: Option<&'a crate::catalog::Catalog>,
    admx: std::sync::OnceLock<Result<crate::admx::template::Template, String>>,
    admx_read: std::sync::OnceLock<Result<(String, crate::admx::reader::Admx), String>>,
    adml_en_us: std::sync::OnceLock<Result<String, String>>,
    routes: std::sync::OnceLock<Result<crate::intune::settings_catalog::Routes<'a>, String>>,
}

impl<'a> Input<'a> {
    /// The plan, read with the built-in catalog.
    pub fn new(plan: &'a Plan) -> Input<'a> {
        Input {
            plan,
            catalog: None,
            admx: std::sync::OnceLock::new(),
            admx_read: std::sync::OnceLock::new(),
            adml_en_us: std::sync::OnceLock::new(),
            routes: std::sync::OnceLock::new(),
        }
    }

    /// The plan, with the catalog it was compiled with for [`Input::routes`].
    pub fn with_catalog(plan: &'a Plan, catalog: &'a crate::catalog::Catalog) -> Input<'a> {
        Input {
            catalog: Some(catalog),
            ..Input::new(plan)
        }
    }

    /// The Intune route of every value of the plan
    /// ([`crate::intune::settings_catalog::Routes::new`]), resolved on first use.
    /// Errors: the built-in catalog or the Settings Catalog definitions do not load.
    pub fn routes(&self) -> Result<&crate::intune::settings_catalog::Routes<'a>, String> {
        self.routes
            .get_or_init(|| {
                crate::intune::settings_catalog::Routes::new(self.plan, self.catalog()?)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The bundle's en-US ADML text, which the ADMX pre-flight reads back and the ADMX
    /// emitter writes. Errors: the template or the rendering failed (its message).
    pub fn adml_en_us(&self) -> Result<&str, String> {
        self.adml_en_us
            .get_or_init(|| adml::render(self.admx_template()?, "en-US"))
            .as_deref()
            .map_err(Clone::clone)
    }

    /// The catalog given to [`Input::with_catalog`], else the built-in one.
    fn catalog(&self) -> Result<&'a crate::catalog::Catalog, String> {
        match self.catalog {
            Some(c) => Ok(c),
            None => crate::catalog::Catalog::builtin(),
        }
    }

    /// The bundle's administrative template, from the plan and the catalog.
    pub fn admx_template(&self) -> Result<&crate::admx::template::Template, String> {
        self.admx
            .get_or_init(|| crate::admx::template::build(self.plan, self.catalog()?))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The bundle's ADMX text and what the ADMX reader reads in it: the ADMX pre-flight
    /// and the ADMX emitter both check it. Errors: the template, the rendering or the
    /// reading failed (its message).
    pub fn admx_read(&self) -> Result<&(String, crate::admx::reader::Admx), String> {
        self.admx_read
            .get_or_init(|| {
                let text = admx::render(self.admx_template()?)?;
                let read = crate::admx::reader::read_admx(&text).map_err(|e| e.to_string())?;
                Ok((text, read))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl std::ops::Deref for Input<'_> {
    type Target = Plan;
    fn deref(&self) -> &Plan {
        self.plan
    }
}

/// A quick-xml writer for a generated XML file (ADMX, ADML, GPO backup): two-space
/// indent, and the `<?xml version="1.0" encoding="utf-8"?>` declaration already written.
pub(crate) fn xml_writer() -> std::io::Result<quick_xml::Writer<Vec<u8>>> {
    use quick_xml::events::{BytesDecl, Event};
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    Ok(w)
}

/// The text of an [`xml_writer`], ending in a line break (LF; the encoding table decides
/// the bytes).
pub(crate) fn xml_text(w: quick_xml::Writer<Vec<u8>>) -> String {
    // Every name and text the writer was given is a Rust string, so its output is UTF-8.
    let mut s = String::from_utf8(w.into_inner()).expect("quick-xml writes UTF-8");
    s.push('\n');
    s
}

/// Every emitter, in the order their files are produced.
pub fn all() -> Vec<Box<dyn Emitter>> {
    vec![
        Box::new(crate::reg::emit::RegEmitter),
        Box::new(docs::DocsEmitter),
        Box::new(admx::AdmxEmitter),
        Box::new(crate::pol::emit::PolEmitter),
        Box::new(gpo::GpoEmitter),
        Box::new(crate::lgpo::emit::LgpoEmitter),
        Box::new(crate::powershell::emit::PowerShellEmitter),
        Box::new(crate::intune::emit::IntuneEmitter),
        Box::new(crate::intune::settings_catalog::emitter::SettingsCatalogEmitter),
    ]
}

/// XML and HTML text escaping: quick-xml's `escape` (`&`, `<`, `>`, `'`, `"`), whose
/// output every XML writer here uses. Text without any of the five (most text) is
/// returned as it is after two SIMD scans (memchr): quick-xml tests each byte through a
/// closure, which was 2% of the NHS build's instructions, and a plain byte loop here was
/// still 2% of the `dist` binary's CPU samples.
pub fn xml_escape(s: &str) -> std::borrow::Cow<'_, str> {
    let b = s.as_bytes();
    if memchr::memchr3(b'&', b'<', b'>', b).is_none() && memchr::memchr2(b'\'', b'"', b).is_none() {
        return std::borrow::Cow::Borrowed(s);
    }
    quick_xml::escape::escape(s)
}

/// [`xml_escape`]'d text content for quick-xml's writer, as `BytesText::new` makes it.
pub fn xml_content(s: &str) -> quick_xml::events::BytesText<'_> {
    quick_xml::events::BytesText::from_escaped(xml_escape(s))
}

/// Plans from this many registry operations up are emitted (and checked) on several
/// threads; smaller ones on the calling thread alone.
///
/// Measured on a 2-core VM with hyperfine (`build --no-sync` into tmpfs, synthetic specs
/// from `cargo bench --bench pipeline -- --emit-spec N`): a thread costs more than it
/// saves until about 4,000 operations. Each new thread gets its own malloc arena, whose
/// pages are fresh (about 2 µs of kernel time each there) where the calling thread would
/// reuse memory it freed. With threads against without: the NHS example (28 operations)
/// 4.98 against 4.58 ms wall and 5.3 against 4.5 ms CPU; 1,408 operations 37.5 against
/// 36.7 ms wall, 41.5 against 36.8 ms CPU; 4,208 operations 98.7 against 105.9 ms wall
/// (threads ahead), 115.9 against 106.8 ms CPU.
pub const PARALLEL_FROM: usize = 4_000;

/// Whether this plan is large enough for threads ([`PARALLEL_FROM`]).
pub fn parallel(plan: &Plan) -> bool {
    plan.ops.len() >= PARALLEL_FROM
}

/// Runs every emitter; the artifacts are sorted by path. The emitters only read the
/// plan, so for a large plan ([`parallel`]) they run on as many threads as the machine
/// has cores, each taking the next emitter not yet started. Results are kept in emitter
/// order, so the first error reported is the same on every run.
pub fn emit_all(plan: &Plan) -> Result<Vec<Artifact>, EmitError> {
    emit_with(plan, &all())
}

/// [`emit_all`] with these emitters only (`bundle_into` renders the docs last, once the
/// hashes of the other files are known).
pub fn emit_with(plan: &Plan, emitters: &[Box<dyn Emitter>]) -> Result<Vec<Artifact>, EmitError> {
    emit_input(&Input::new(plan), emitters)
}

/// [`emit_with`] for an [`Input`] whose views may already be built (`build` resolves the
/// Intune routes once for its checks and its emitters).
pub fn emit_input(
    input: &Input,
    emitters: &[Box<dyn Emitter>],
) -> Result<Vec<Artifact>, EmitError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    type Slot = Mutex<Option<Result<Vec<Artifact>, EmitError>>>;
    let results: Vec<Slot> = emitters.iter().map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(e) = emitters.get(i) else { break };
        let r = e.emit(input);
        *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
    };
    let threads = if parallel(input) {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(emitters.len())
    } else {
        1
    };
    std::thread::scope(|scope| {
        // This thread works too; a panic in a helper thread is raised again here.
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        work();
        for h in helpers {
            if let Err(p) = h.join() {
                std::panic::resume_unwind(p);
            }
        }
    });
    let mut out = Vec::new();
    for r in results {
        let r = r.into_inner().unwrap_or_else(|p| p.into_inner());
        out.extend(r.expect("every emitter ran")?);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
