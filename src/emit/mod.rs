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

/// What the emitters of one build read: the plan (an `Input` derefs to it), and the one
/// view of it that two emitters need, built once: the ADMX template (the ADMX files and
/// the Intune payloads of ADMX-backed settings). At 10,000 values building it was
/// several percent of a build.
pub struct Input<'a> {
    plan: &'a Plan,
    admx: std::sync::OnceLock<Result<crate::admx::template::Template, String>>,
}

impl<'a> Input<'a> {
    pub fn new(plan: &'a Plan) -> Input<'a> {
        Input {
            plan,
            admx: std::sync::OnceLock::new(),
        }
    }

    /// The bundle's administrative template, from the plan and the built-in catalog.
    pub fn admx_template(&self) -> Result<&crate::admx::template::Template, String> {
        self.admx
            .get_or_init(|| {
                crate::catalog::Catalog::builtin()
                    .and_then(|c| crate::admx::template::build(self.plan, c))
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

/// Runs every emitter; the artifacts are sorted by path. The emitters only read the
/// plan, so they run on as many threads as the machine has cores, each taking the next
/// emitter not yet started (on small specs most emitters take microseconds, less than
/// starting a thread). Results are kept in emitter order, so the first error reported
/// is the same on every run.
pub fn emit_all(plan: &Plan) -> Result<Vec<Artifact>, EmitError> {
    emit_with(plan, &all())
}

/// [`emit_all`] with these emitters only (`bundle_files` renders the docs last, once the
/// hashes of the other files are known).
pub fn emit_with(plan: &Plan, emitters: &[Box<dyn Emitter>]) -> Result<Vec<Artifact>, EmitError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let input = Input::new(plan);
    let next = AtomicUsize::new(0);
    type Slot = Mutex<Option<Result<Vec<Artifact>, EmitError>>>;
    let results: Vec<Slot> = emitters.iter().map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(e) = emitters.get(i) else { break };
        let r = e.emit(&input);
        *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(emitters.len());
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
