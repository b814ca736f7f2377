//! policyc: compiles one declarative YAML spec of Windows and browser policy into
//! deployable files. Pipeline: [`spec`] (parse) → [`validate`] → [`plan`] →
//! [`emit`] → [`bundle`] (atomic write with a sha256 manifest).

// Diagnostics travel up once per run; their size is not worth boxing for.
#![allow(clippy::result_large_err)]

pub mod admx;
pub mod bundle;
pub mod catalog;
pub mod cli;
pub mod convert;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod import;
pub mod init;
pub mod intune;
pub mod lgpo;
pub mod plan;
pub mod pol;
pub mod powershell;
pub mod reg;
pub mod report;
pub mod schema;
pub mod spec;
pub mod validate;
pub mod verify;

use catalog::Catalog;
use diag::Diagnostic;
use plan::Plan;

/// What compiling a spec produced: every diagnostic, and the plan when there was no error.
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub plan: Option<Plan>,
}

/// parse → validate → plan, for spec bytes read from `file`, then the delivery checks
/// (ADMX/ADML pre-flight, Intune notes).
pub fn compile(file: &str, bytes: &[u8], catalog: &Catalog) -> Outcome {
    compile_then(file, bytes, catalog, |_| ()).0
}

/// [`compile`], then `then` on the plan: after the delivery checks, or for a large plan
/// ([`emit::parallel`]) on a second thread while they run (`build` emits the bundle
/// meanwhile). The checks and `then` share one [`emit::Input`], so the Intune routes are
/// resolved once. `then`'s result is returned only with a plan, that is when no check
/// found an error; otherwise it is dropped and nothing is kept.
pub fn compile_then<T: Send>(
    file: &str,
    bytes: &[u8],
    catalog: &Catalog,
    then: impl FnOnce(&emit::Input) -> T + Send,
) -> (Outcome, Option<T>) {
    compile_with(file, bytes, catalog, &CompileOptions::default(), then)
}

/// Inputs of a compile besides the spec: what the command line gives.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// `--intune-definitions FILE`: Intune's setting definitions; overrides the spec's
    /// `intune_definitions:`.
    pub intune_definitions: Option<std::path::PathBuf>,
    /// `build --against EXPORT...`: the exports, for the report's before/after view
    /// ([`plan::Plan::baseline`]).
    pub baseline: Option<std::sync::Arc<verify::model::Registry>>,
    /// `--templates DIR`: a central store for `policy:` settings; overrides the spec's
    /// `templates:`.
    pub templates: Option<std::path::PathBuf>,
    /// The caller only counts the delivery notes ([`Diagnostic::is_delivery_note`]; the
    /// command line without `--notes`), so they are left without a line and column: a
    /// valid spec then has nothing to locate, and its position index is never built
    /// (walking the spec for it was about a twentieth of the NHS build's instructions,
    /// callgrind). Every other diagnostic is located as usual.
    pub notes_counted_only: bool,
}

/// A central store and the folder it was read from.
pub type LoadedStore = (admx::store::Store, std::path::PathBuf);

/// The central store a compile reads: `--templates`, else the spec's `templates:`
/// (relative to the spec's folder); `Ok(None)` when neither is given. Only the files
/// the spec needs are read ([`admx::store::Store::load_for`]): the namespaces of its
/// `policy:` settings and, with `intune_ingest_templates`, of the products' documented
/// templates, with the files they use. A folder that cannot be listed is an error
/// naming it.
pub fn load_templates(
    loaded: &spec::Loaded,
    file: &str,
    option: Option<&std::path::Path>,
    catalog: &Catalog,
) -> Result<Option<LoadedStore>, Diagnostic> {
    let dir = match (option, loaded.raw.templates.as_deref()) {
        (Some(d), _) => d.to_path_buf(),
        (None, Some(t)) => std::path::Path::new(file)
            .parent()
            .unwrap_or(std::path::Path::new(""))
            .join(t),
        (None, None) => return Ok(None),
    };
    let mut namespaces: std::collections::BTreeSet<String> = loaded
        .raw
        .settings
        .iter()
        .filter_map(|s| Some(s.policy.as_deref()?.split_once(':')?.0.to_string()))
        .collect();
    if loaded.raw.intune_ingest_templates == Some(true) {
        namespaces.extend(
            catalog
                .products
                .values()
                .filter_map(|p| Some(p.intune_admx.as_ref()?.namespace.clone())),
        );
    }
    let unreadable = |why: String| {
        let d = loaded
            .diag(
                diag::IO_ERROR,
                "templates",
                format!("cannot read the central store {}: {why}", dir.display()),
            )
            .hint(if option.is_some() {
                "give --templates a PolicyDefinitions folder (`*.admx` and `en-US/*.adml`), relative to the current folder"
            } else {
                "give `templates:` a PolicyDefinitions folder (`*.admx` and `en-US/*.adml`), relative to the spec's folder"
            });
        if option.is_some() {
            Diagnostic {
                line: None,
                column: None,
                path: None,
                ..d
            }
        } else {
            d
        }
    };
    let store = admx::store::Store::load_for(&dir, "en-US", &namespaces)
        .map_err(|e| unreadable(e.to_string()))?;
    let any_admx = std::fs::read_dir(&dir).is_ok_and(|rd| {
        rd.flatten().any(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("admx"))
        })
    });
    if !any_admx {
        return Err(unreadable("it holds no .admx file".to_string()));
    }
    Ok(Some((store, dir)))
}

/// `admx-unreadable` warnings, with file and line, for the store's files that do not read.
fn store_warnings(store: Option<&LoadedStore>) -> Vec<Diagnostic> {
    store
        .map(|(s, _)| &s.problems[..])
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let mut d = Diagnostic::new(diag::ADMX_UNREADABLE, p.message.clone())
                .file(p.file.display().to_string())
                .hint("fix or remove the file; the rest of the store was read");
            d.line = p.line;
            d
        })
        .collect()
}

/// [`compile_then`] with the command line's options.
pub fn compile_with<T: Send>(
    file: &str,
    bytes: &[u8],
    catalog: &Catalog,
    options: &CompileOptions,
    then: impl FnOnce(&emit::Input) -> T + Send,
) -> (Outcome, Option<T>) {
    let loaded = match spec::load_bytes(file, bytes) {
        Ok(l) => l,
        Err(diagnostics) => {
            return (
                Outcome {
                    diagnostics,
                    plan: None,
                },
                None,
            )
        }
    };
    let mut store = match load_templates(&loaded, file, options.templates.as_deref(), catalog) {
        Ok(x) => x,
        Err(d) => {
            return (
                Outcome {
                    diagnostics: vec![d],
                    plan: None,
                },
                None,
            )
        }
    };
    let (mut spec, mut ds) =
        validate::validate_with(&loaded, catalog, store.as_ref().map(|(s, _)| s));
    // An unknown policy: its did-you-mean looks through the whole store.
    if ds.iter().any(|d| d.code == diag::UNKNOWN_POLICY) {
        if let Some(dir) = store
            .as_ref()
            .filter(|(s, _)| s.partial)
            .map(|(_, d)| d.clone())
        {
            if let Ok(full) = admx::store::Store::load(&dir, "en-US") {
                store = Some((full, dir));
                (spec, ds) =
                    validate::validate_with(&loaded, catalog, store.as_ref().map(|(s, _)| s));
            }
        }
    }
    let mut diagnostics = store_warnings(store.as_ref());
    diagnostics.extend(ds);
    let plan = spec.and_then(|s| match plan::build(&s, catalog) {
        Ok(p) => Some(p),
        Err(ds) => {
            diagnostics.extend(ds.into_iter().map(|d| locate(&loaded, d)));
            None
        }
    });
    // Intune: the profile choice and the Settings Catalog definitions (a file is read here).
    let plan = plan.and_then(|mut p| {
        match intune::settings_catalog::options(
            &loaded,
            file,
            options.intune_definitions.as_deref(),
        ) {
            Ok(o) => {
                p.intune = o;
                p.baseline = options.baseline.clone();
                match vendor_ingest(&loaded, &p, catalog, store.as_ref()) {
                    Ok(i) => {
                        p.vendor_ingest = i;
                        Some(p)
                    }
                    Err(ds) => {
                        diagnostics.extend(ds);
                        None
                    }
                }
            }
            Err(d) => {
                diagnostics.push(locate(&loaded, d));
                None
            }
        }
    });
    let mut result = None;
    if let Some(p) = &plan {
        // One view of the plan for the checks and `then`: the Intune routes are resolved
        // once for both.
        let p = &emit::Input::with_catalog(p, catalog);
        let checks = || {
            // ADMX/ADML representability and the Intune ingestion pre-flight.
            let mut ds: Vec<Diagnostic> = admx::preflight_input(p, catalog)
                .into_iter()
                .map(|d| d.file(file))
                .collect();
            // Intune: settings the profiles leave to the PowerShell remediation, vendor
            // ADMX prerequisites, and what no OMA-URI payload can carry.
            ds.extend(intune::notes(p, catalog, file));
            // The list keys the bundle replaces wholesale.
            ds.extend(import::lists::notes(p, file));
            // The Settings Catalog route of each value, and values its definitions refuse.
            ds.extend(intune::settings_catalog::notes(p, file));
            // Per-user policy values user.reg leaves out.
            ds.extend(reg::emit::notes(p, file));
            // What `verify` would find in the bundle's own values (the guide's conflicts).
            ds.extend(verify::self_findings(p, catalog, file));
            ds
        };
        // Small plans stay on this thread: see `emit::PARALLEL_FROM`.
        let (checked, t) = if emit::parallel(p) {
            std::thread::scope(|scope| {
                let h = scope.spawn(|| then(p));
                let checked = checks();
                (
                    checked,
                    h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                )
            })
        } else {
            (checks(), then(p))
        };
        diagnostics.extend(checked.into_iter().map(|d| {
            if options.notes_counted_only && d.is_delivery_note() {
                d
            } else {
                locate(&loaded, d)
            }
        }));
        result = Some(t);
    }
    let plan = plan.filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    let result = result.filter(|_| plan.is_some());
    (Outcome { diagnostics, plan }, result)
}

/// The spec's `intune_ingest_templates: true`: an ADMXInstall setting for each vendor ADMX
/// the Intune profiles rely on (`policy:` settings' vendor routes and the catalog's
/// vendor-admx routes, found through the products' `intune_admx:` records), read from the
/// central store. Empty without the option; errors without a store or a readable file.
fn vendor_ingest(
    loaded: &spec::Loaded,
    plan: &Plan,
    catalog: &Catalog,
    store: Option<&LoadedStore>,
) -> Result<Vec<(String, intune::OmaSetting)>, Vec<Diagnostic>> {
    if loaded.raw.intune_ingest_templates != Some(true) {
        return Ok(Vec::new());
    }
    let Some((store, dir)) = store else {
        return Err(vec![loaded
            .diag(
                diag::TEMPLATES_REQUIRED,
                "intune_ingest_templates",
                "`intune_ingest_templates` reads the vendor templates from a central store, and none is given",
            )
            .hint("add `templates: PATH` (a PolicyDefinitions folder, relative to the spec) or pass --templates PATH")]);
    };
    // Only templates a custom profile route relies on: a policy the Settings Catalog
    // profile delivers needs no ingestion.
    let sc = intune::settings_catalog::Routes::new(plan, catalog).ok();
    let mut files: Vec<String> = plan
        .vendor
        .iter()
        .filter(|v| {
            !sc.as_ref()
                .is_some_and(|r| r.vendor_in_settings_catalog(&v.spec_path()))
        })
        .filter_map(|v| v.intune.as_ref().ok().map(|i| i.route.ingest.file.clone()))
        .collect();
    for g in intune::groups(plan, catalog).unwrap_or_default() {
        let Some(app) = g.route().and_then(|r| r.vendor_app.clone()) else {
            continue;
        };
        if let Some(a) = catalog
            .products
            .values()
            .filter_map(|p| p.intune_admx.as_ref())
            .find(|a| a.app == app)
        {
            files.push(a.file.clone());
        }
    }
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match intune::vendor::ingest_for(store, catalog, &f)
            .and_then(|(i, _)| Ok((i.app.clone(), intune::vendor::ingest_setting(dir, &i)?)))
        {
            Ok(x) => out.push(x),
            Err(m) => errors.push(
                loaded
                    .diag(diag::TEMPLATES_REQUIRED, "intune_ingest_templates", format!("cannot ingest {f}: {m}"))
                    .hint("put the vendor's ADMX (and its en-US ADML) in the central store, or remove `intune_ingest_templates`"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Adds `line:col` to a diagnostic that names a spec path but no position.
fn locate(loaded: &spec::Loaded, mut d: Diagnostic) -> Diagnostic {
    if d.line.is_none() {
        if let Some((l, c)) = d.path.as_deref().and_then(|p| loaded.positions.nearest(p)) {
            d.line = Some(l);
            d.column = Some(c);
        }
    }
    d
}

/// The bundle's files (emitter outputs plus `manifest.json`) for a plan, every file held
/// in memory, in bundle order (sorted by path, `manifest.json` last). `build` does not
/// hold them: it writes each as it comes ([`bundle_into`]).
pub fn bundle_files(plan: &Plan) -> Result<bundle::Files, emit::EmitError> {
    let mut files = bundle::Files::new();
    bundle_into(&emit::Input::new(plan), &mut |rel, bytes| {
        files.push((rel.to_string(), bytes));
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        BundleError::Emit(e) => e,
        BundleError::Put(never) => match never {},
    })?;
    // `bundle_into` puts the docs and then the manifest last.
    let manifest = files.pop();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.extend(manifest);
    Ok(files)
}

/// Where [`bundle_into`] hands each file: its bundle-relative path and its bytes.
pub type Put<'a, E> = dyn FnMut(&str, Vec<u8>) -> Result<(), E> + 'a;

/// Why [`bundle_into`] stopped: an emitter failed, or `put` did.
#[derive(Debug)]
pub enum BundleError<E> {
    Emit(emit::EmitError),
    Put(E),
}

/// Emits the bundle's files for a plan and hands each to `put` (its bundle-relative path
/// and bytes) as soon as it is hashed: every emitter's output, then the docs (which list
/// the others' sha256), then `manifest.json`. Returns the bundle's paths in bundle order
/// (sorted, `manifest.json` last). `build` writes each file as it comes
/// ([`bundle::Staging`]), so no output is kept once written.
pub fn bundle_into<E>(
    plan: &emit::Input,
    put: &mut Put<'_, E>,
) -> Result<Vec<String>, BundleError<E>> {
    // The change-approval report lists the sha256 of every other file, so the docs are
    // rendered once, after the other emitters, and each file is hashed once.
    let others: Vec<_> = emit::all()
        .into_iter()
        .filter(|e| e.name() != "docs")
        .collect();
    // Each artifact's path and kind, with its hash, for the docs and the manifest; its
    // bytes go to `put`.
    type Hashed = Vec<(emit::Artifact, String)>;
    fn hand_on<E>(
        mut a: emit::Artifact,
        hashed: &mut Hashed,
        put: &mut Put<'_, E>,
    ) -> Result<(), BundleError<E>> {
        let h = emit::manifest::sha256_hex(&a.bytes);
        put(&a.path, std::mem::take(&mut a.bytes)).map_err(BundleError::Put)?;
        hashed.push((a, h));
        Ok(())
    }
    let mut hashed = Hashed::new();
    if emit::parallel(plan) {
        for a in emit::emit_input(plan, &others).map_err(BundleError::Emit)? {
            hand_on(a, &mut hashed, put)?;
        }
    } else {
        // One emitter after another (as `emit_input` runs them on one thread), each one's
        // files handed on before the next renders, so at most one emitter's output is
        // held at a time. The first failing emitter's error is returned, as there.
        for e in &others {
            for a in e.emit(plan).map_err(BundleError::Emit)? {
                hand_on(a, &mut hashed, put)?;
            }
        }
    }
    // The docs list the files in bundle order.
    hashed.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let listed: Vec<(String, String)> = hashed
        .iter()
        .map(|(a, h)| (a.path.clone(), h.clone()))
        .collect();
    for a in emit::docs::render_docs(plan, &listed).map_err(BundleError::Emit)? {
        hand_on(a, &mut hashed, put)?;
    }
    hashed.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let (artifacts, hashes): (Vec<emit::Artifact>, Vec<String>) = hashed.into_iter().unzip();
    let manifest = emit::manifest::render_hashed(&plan.bundle.name, &artifacts, &hashes);
    put(emit::manifest::FILE_NAME, manifest).map_err(BundleError::Put)?;
    let mut paths: Vec<String> = artifacts.into_iter().map(|a| a.path).collect();
    paths.push(emit::manifest::FILE_NAME.to_string());
    Ok(paths)
}
