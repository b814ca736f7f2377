//! Command line. Exit codes: 0 success, 1 spec errors, 2 usage or I/O errors.

use crate::catalog::Catalog;
use crate::diag::{self, Diagnostic};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const EXIT_OK: i32 = 0;
pub const EXIT_SPEC: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "policyc",
    version,
    about = "Compile a YAML policy spec into .reg files and more",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

/// Output formats for diagnostics (`check`, `build`).
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum DiagFormat {
    Human,
    Json,
    /// GitHub Actions workflow commands (`::error file=..,line=..::`).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

impl From<Format> for DiagFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Human => DiagFormat::Human,
            Format::Json => DiagFormat::Json,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check a spec against the catalog; print diagnostics.
    Check {
        spec: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: DiagFormat,
        /// A machine's exports (as `verify --against` and `import` read them): warn when a
        /// list the bundle replaces would lose entries it holds today.
        #[arg(long, num_args = 1..)]
        against: Vec<String>,
    },
    /// Compile a spec into a bundle folder (atomically replaces a previous bundle).
    Build {
        spec: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Write nothing; exit 1 and name each file that is missing, stale or unexpected
        /// in --out (like `cargo fmt --check`).
        #[arg(long)]
        check: bool,
        /// Do not wait for the files to reach the disk (no fsync). The bundle still
        /// replaces the old one atomically, but a crash soon after can leave empty files.
        /// For scratch builds in CI; leave it off for a bundle you deploy.
        #[arg(long, conflicts_with = "check")]
        no_sync: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: DiagFormat,
        /// A machine's exports: warn when a list the bundle replaces would lose entries.
        #[arg(long, num_args = 1..)]
        against: Vec<String>,
    },
    /// Show the difference in effect between two specs (registry values, bundle files).
    /// Exit 0 when they write the same values, 1 when they differ.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Write a commented starter spec (and the JSON Schema beside it).
    Init {
        #[arg(default_value = "policyc.yaml")]
        path: PathBuf,
    },
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
    /// Print the registry plan a spec compiles to.
    Plan {
        spec: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Compare registry exports (`reg export` .reg files) of a machine with the spec.
    Verify {
        spec: PathBuf,
        /// `.reg` files written by `reg export` or regedit (UTF-16 or ANSI), and/or
        /// Registry.pol files: `Machine/Registry.pol`, `User/Registry.pol`, or
        /// `hklm:FILE` / `hkcu:FILE` to name the hive a .pol file applies to.
        #[arg(long, required = true, num_args = 1..)]
        against: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Write a spec from what is deployed today: `.reg` exports, Registry.pol files
    /// (`Machine/Registry.pol`, `hklm:FILE`), GPO backup folders or LGPO text. Values no
    /// catalog setting writes are listed as comments.
    Import {
        #[arg(required = true, num_args = 1..)]
        files: Vec<String>,
        /// Write the spec here instead of stdout (never overwrites).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The bundle name of the spec (lowercase letters, digits, hyphens).
        #[arg(long, default_value = "imported")]
        name: String,
    },
    /// Print the JSON Schema of the spec format (for editor completion).
    Schema,
    /// Describe a diagnostic code, or list them all.
    Explain { code: Option<String> },
    /// List the settings in the catalog with their registry locations and sources.
    Catalog {
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error[catalog]: the built-in catalog is invalid: {e}");
            return EXIT_USAGE;
        }
    };
    match cli.command {
        Command::Check {
            spec,
            format,
            against,
        } => check(&spec, format, &against, catalog),
        Command::Build {
            spec,
            out,
            check: false,
            no_sync,
            format,
            against,
        } => {
            let durability = if no_sync {
                crate::bundle::Durability::Unsynced
            } else {
                crate::bundle::Durability::Synced
            };
            build(&spec, &out, format, durability, &against, catalog)
        }
        Command::Build {
            spec,
            out,
            check: true,
            format,
            ..
        } => build_check(&spec, &out, format, catalog),
        Command::Diff { old, new, format } => diff(&old, &new, format, catalog),
        Command::Init { path } => init(&path, catalog),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "policyc",
                &mut std::io::stdout(),
            );
            EXIT_OK
        }
        Command::Plan { spec, format } => plan(&spec, format, catalog),
        Command::Verify {
            spec,
            against,
            format,
        } => verify(&spec, &against, format, catalog),
        Command::Import { files, out, name } => import(&files, out.as_deref(), &name, catalog),
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::schema::spec_schema(catalog)).unwrap()
            );
            EXIT_OK
        }
        Command::Explain { code } => explain(code.as_deref()),
        Command::Catalog { format } => list_catalog(catalog, format),
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
fn colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn report(diags: &[Diagnostic], format: impl Into<DiagFormat>) {
    match format.into() {
        DiagFormat::Human => {
            let paint = colour();
            let mut err = std::io::stderr().lock();
            for d in diags {
                let text = d.render_human();
                let text = if paint {
                    // Only the `severity[code]` head is coloured.
                    let colour = match d.severity {
                        diag::Severity::Error => "1;31",
                        diag::Severity::Warning => "1;33",
                        diag::Severity::Note => "1;36",
                    };
                    match text.split_once(": ") {
                        Some((head, rest)) => format!("\x1b[{colour}m{head}\x1b[0m: {rest}"),
                        None => text,
                    }
                } else {
                    text
                };
                let _ = writeln!(err, "{text}\n");
            }
        }
        DiagFormat::Json => {
            let count = |sev| diags.iter().filter(|d| d.severity == sev).count();
            let v = serde_json::json!({
                "diagnostics": diags,
                "errors": count(diag::Severity::Error),
                "warnings": count(diag::Severity::Warning),
                "notes": count(diag::Severity::Note),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap());
        }
        DiagFormat::Github => print!("{}", crate::report::github(diags)),
        DiagFormat::Sarif => println!(
            "{}",
            serde_json::to_string_pretty(&crate::report::sarif(diags)).unwrap()
        ),
    }
}

/// Reads and compiles; `Err(exit code)` after reporting.
fn compile(
    spec: &Path,
    format: impl Into<DiagFormat>,
    catalog: &Catalog,
) -> Result<(crate::plan::Plan, Vec<Diagnostic>), i32> {
    compile_then(spec, format, catalog, |_| ()).map(|(p, d, ())| (p, d))
}

/// [`compile`], running `then` on the plan while the delivery checks run
/// ([`crate::compile_then`]).
fn compile_then<T: Send>(
    spec: &Path,
    format: impl Into<DiagFormat>,
    catalog: &Catalog,
    then: impl FnOnce(&crate::plan::Plan) -> T + Send,
) -> Result<(crate::plan::Plan, Vec<Diagnostic>, T), i32> {
    let format: DiagFormat = format.into();
    let name = spec.display().to_string();
    let bytes = match std::fs::read(spec) {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::new(diag::IO_ERROR, format!("cannot read {name}: {e}"))
                .file(&name)
                .hint("check the spec path");
            report(&[d], format);
            return Err(EXIT_USAGE);
        }
    };
    let (outcome, t) = crate::compile_then(&name, &bytes, catalog, then);
    match (outcome.plan, t) {
        (Some(p), Some(t)) => Ok((p, outcome.diagnostics, t)),
        _ => {
            report(&outcome.diagnostics, format);
            if format == DiagFormat::Human {
                let n = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
                eprintln!(
                    "{name}: {n} error{}; nothing was written",
                    if n == 1 { "" } else { "s" }
                );
            }
            Err(EXIT_SPEC)
        }
    }
}

/// `--against` on check/build: the lists that would lose entries the exports hold.
fn list_losses(
    plan: &crate::plan::Plan,
    spec: &Path,
    against: &[String],
    format: DiagFormat,
) -> Result<Vec<Diagnostic>, i32> {
    if against.is_empty() {
        return Ok(Vec::new());
    }
    match crate::import::read_inputs(against) {
        Ok((reg, _)) => Ok(crate::import::lists::losses(
            plan,
            &reg,
            &spec.display().to_string(),
        )),
        Err(e) => {
            report(
                &[Diagnostic::new(diag::IO_ERROR, e)
                    .hint("give `reg export` files, Registry.pol files or a GPO backup folder")],
                format,
            );
            Err(EXIT_USAGE)
        }
    }
}

fn check(spec: &Path, format: DiagFormat, against: &[String], catalog: &Catalog) -> i32 {
    match compile(spec, format, catalog) {
        Err(code) => code,
        Ok((plan, mut diags)) => {
            match list_losses(&plan, spec, against, format) {
                Ok(ds) => diags.extend(ds),
                Err(code) => return code,
            }
            report(&diags, format);
            if format == DiagFormat::Human {
                let warnings = diags
                    .iter()
                    .filter(|d| d.severity == diag::Severity::Warning)
                    .count();
                println!(
                    "ok: {}: {} registry operations, {} warning{}",
                    spec.display(),
                    plan.ops.len(),
                    warnings,
                    if warnings == 1 { "" } else { "s" }
                );
            }
            EXIT_OK
        }
    }
}

fn build(
    spec: &Path,
    out: &Path,
    format: DiagFormat,
    durability: crate::bundle::Durability,
    against: &[String],
    catalog: &Catalog,
) -> i32 {
    // Refuse a bad --out before compiling, so the message comes first.
    if let Err(d) = crate::bundle::check_out_dir(out) {
        report(&[d], format);
        return EXIT_USAGE;
    }
    // The bundle is emitted while the delivery checks run; it is written only if they
    // find no error.
    let (plan, mut diags, files) = match compile_then(spec, format, catalog, crate::bundle_files) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match list_losses(&plan, spec, against, format) {
        Ok(ds) => diags.extend(ds),
        Err(code) => return code,
    }
    let files = match files {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error[emit]: {e}; nothing was written");
            return EXIT_USAGE;
        }
    };
    if let Err(d) = crate::bundle::write(out, &files, durability) {
        report(&[d], format);
        return EXIT_USAGE;
    }
    if format == DiagFormat::Human {
        // `build` shows what changed the bundle (warnings, settings left out); the
        // delivery notes (Intune routes, ADMX pre-flight) are `check`'s to list in full.
        let (shown, routes): (Vec<Diagnostic>, Vec<Diagnostic>) =
            diags.into_iter().partition(|d| {
                d.severity != diag::Severity::Note
                    || d.code == diag::LEFT_OUT
                    || d.code == diag::LIST_REPLACED
            });
        report(&shown, format);
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        println!(
            "wrote {} ({} files): {}",
            out.display(),
            files.len(),
            names.join(", ")
        );
        if !routes.is_empty() {
            println!(
                "{} delivery note{} (Intune routes, ADMX ingestion): `policyc check {}` lists them",
                routes.len(),
                if routes.len() == 1 { "" } else { "s" },
                spec.display()
            );
        }
    } else {
        report(&diags, format);
    }
    EXIT_OK
}

fn plan(spec: &Path, format: Format, catalog: &Catalog) -> i32 {
    let (plan, diags) = match compile(spec, format, catalog) {
        Ok(x) => x,
        Err(code) => return code,
    };
    report(&diags, Format::Human);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&plan).unwrap()),
        Format::Human => print!("{}", render_plan(&plan)),
    }
    EXIT_OK
}

fn verify(spec: &Path, against: &[PathBuf], format: Format, catalog: &Catalog) -> i32 {
    let (plan, _) = match compile(spec, format, catalog) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut reg = crate::verify::model::Registry::default();
    for f in against {
        let name = f.display().to_string();
        let result = read_export(&mut reg, &name);
        if let Ok(warnings) = &result {
            // On stderr in every format, so `--format json` output stays one document.
            report(warnings, DiagFormat::Human);
        }
        if let Err(msg) = result {
            let d = Diagnostic::new(diag::IO_ERROR, msg)
                .file(&name)
                .hint("give files written by `reg export KEY FILE`, or Registry.pol files (prefix hklm: or hkcu: when the folder does not say Machine or User)");
            report(&[d], format);
            return EXIT_USAGE;
        }
    }
    let report = crate::verify::verify(&plan, &reg, catalog);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).unwrap()),
        Format::Human => print!("{}", crate::verify::render_human(&report)),
    }
    if report.drift() {
        EXIT_SPEC
    } else {
        EXIT_OK
    }
}

/// Compiles `spec` in memory and compares the result with the bundle in `out`:
/// every file must exist with the bytes the spec compiles to, and no other file may be there.
fn build_check(spec: &Path, out: &Path, format: DiagFormat, catalog: &Catalog) -> i32 {
    let (plan, diags) = match compile(spec, format, catalog) {
        Ok(x) => x,
        Err(code) => return code,
    };
    report(&diags, format);
    let files = match crate::bundle_files(&plan) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error[emit]: {e}");
            return EXIT_USAGE;
        }
    };
    let mut problems = Vec::new();
    for (rel, bytes) in &files {
        match std::fs::read(out.join(rel)) {
            Err(_) => problems.push(format!("missing: {rel}")),
            Ok(have)
                if crate::emit::manifest::sha256_hex(&have)
                    != crate::emit::manifest::sha256_hex(bytes) =>
            {
                problems.push(format!("stale:   {rel}"))
            }
            Ok(_) => {}
        }
    }
    let expected: std::collections::BTreeSet<&str> =
        files.iter().map(|(p, _)| p.as_str()).collect();
    let mut on_disk = Vec::new();
    list_files(out, out, &mut on_disk);
    for rel in on_disk.iter().filter(|p| !expected.contains(p.as_str())) {
        problems.push(format!("unexpected: {rel}"));
    }
    if problems.is_empty() {
        println!(
            "ok: {} is what {} compiles to ({} files)",
            out.display(),
            spec.display(),
            files.len()
        );
        EXIT_OK
    } else {
        for p in &problems {
            println!("{p}");
        }
        eprintln!(
            "{}: {} file{} out of date; run `policyc build {} --out {}`",
            out.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            spec.display(),
            out.display()
        );
        EXIT_SPEC
    }
}

/// Bundle-relative paths (`/`-separated) of every file below `dir`.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
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
}

fn diff(old: &Path, new: &Path, format: Format, catalog: &Catalog) -> i32 {
    let mut sides = Vec::new();
    for spec in [old, new] {
        let (plan, _) = match compile(spec, format, catalog) {
            // A spec that does not compile cannot be compared: usage error, not "changed".
            Err(_) => return EXIT_USAGE,
            Ok(x) => x,
        };
        let files = match crate::bundle_files(&plan) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error[emit]: {e}");
                return EXIT_USAGE;
            }
        };
        sides.push((plan, files));
    }
    let d = crate::diff::diff(&sides[0].0, &sides[1].0, &sides[0].1, &sides[1].1);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&d).unwrap()),
        Format::Human => print!("{}", crate::diff::render_human(&d)),
    }
    if d.changed {
        EXIT_SPEC
    } else {
        EXIT_OK
    }
}

fn init(path: &Path, catalog: &Catalog) -> i32 {
    let schema_path = path.with_file_name("spec-v1.schema.json");
    for p in [path, schema_path.as_path()] {
        if p.exists() {
            eprintln!(
                "error[output-path]: {} already exists; refusing to overwrite it",
                p.display()
            );
            return EXIT_USAGE;
        }
    }
    let text = crate::init::starter_spec(catalog);
    let schema = serde_json::to_string_pretty(&crate::schema::spec_schema(catalog)).unwrap() + "\n";
    for (p, body) in [
        (path, text.as_bytes()),
        (schema_path.as_path(), schema.as_bytes()),
    ] {
        if let Err(e) = std::fs::write(p, body) {
            eprintln!("error[io-error]: cannot write {}: {e}", p.display());
            return EXIT_USAGE;
        }
    }
    println!(
        "wrote {} and {}; next: policyc check {}",
        path.display(),
        schema_path.display(),
        path.display()
    );
    EXIT_OK
}

/// `policyc import`: the spec on stdout or in `--out` (refused if it exists); a summary
/// on stderr. Exit 0, or 2 when an input cannot be read.
fn import(files: &[String], out: Option<&Path>, name: &str, catalog: &Catalog) -> i32 {
    let reg = match crate::import::read_inputs(files) {
        Ok((r, warnings)) => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
            r
        }
        Err(e) => {
            eprintln!("error[io-error]: {e}");
            return EXIT_USAGE;
        }
    };
    let imported = crate::import::import(&reg, catalog, name, files);
    match out {
        None => print!("{}", imported.spec),
        Some(path) => {
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| f.write_all(imported.spec.as_bytes()));
            if let Err(e) = written {
                eprintln!("error[io-error]: cannot write {}: {e}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    eprintln!(
        "imported {} setting(s); {} value(s) not placed (listed as comments)",
        imported.placed,
        imported.unplaced.len()
    );
    EXIT_OK
}

/// Adds one `--against` input: a `.reg` export, or a Registry.pol (by its `PReg`
/// signature, a `.pol` name or an `hklm:`/`hkcu:` prefix) whose hive comes from the
/// prefix or its Machine/User folder. Returns warnings for lines Windows would skip
/// and records that do not fit their type.
fn read_export(
    reg: &mut crate::verify::model::Registry,
    arg: &str,
) -> Result<Vec<Diagnostic>, String> {
    use crate::reg::Hive;
    let (hive, path) = match arg.split_once(':') {
        Some((h, rest)) if h.eq_ignore_ascii_case("hklm") => (Some(Hive::Hklm), rest),
        Some((h, rest)) if h.eq_ignore_ascii_case("hkcu") => (Some(Hive::Hkcu), rest),
        _ => (None, arg),
    };
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let pol_name = Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pol"));
    if bytes.starts_with(&crate::pol::SIGNATURE) || pol_name || hive.is_some() {
        let folder = Path::new(path)
            .parent()
            .and_then(|p| p.file_name())
            .map(|f| f.to_string_lossy().to_ascii_lowercase());
        let hive = hive
            .or(match folder.as_deref() {
                Some("machine") => Some(Hive::Hklm),
                Some("user") => Some(Hive::Hkcu),
                _ => None,
            })
            .ok_or_else(|| format!("{path}: a Registry.pol does not say its hive; write hklm:{path} or hkcu:{path}"))?;
        let warnings = reg
            .add_pol(hive, &bytes)
            .map_err(|e| format!("{path}: a damaged Registry.pol: {e}"))?;
        return Ok(warnings
            .into_iter()
            .map(|w| Diagnostic::new(diag::POL_RECORD_MISFIT, w).file(path))
            .collect());
    }
    let warnings = reg
        .add_reg(&bytes)
        .map_err(|e| format!("{path}: not a .reg export: {e}"))?;
    Ok(warnings
        .into_iter()
        .map(|w| {
            Diagnostic::new(diag::REG_LINE_SKIPPED, w.message)
                .file(path)
                .at(w.line, 1)
        })
        .collect())
}

/// A readable listing of the plan, one operation per line.
pub fn render_plan(plan: &crate::plan::Plan) -> String {
    use crate::plan::Action;
    let mut s = String::new();
    for op in &plan.ops {
        let line = match &op.action {
            Action::ResetKey => format!("reset {}\\{}", op.hive.short_name(), op.key),
            Action::Set { name, data } => {
                format!(
                    "set   {}\\{} \"{}\" {} {}",
                    op.hive.short_name(),
                    op.key,
                    name,
                    data.reg_type().name(),
                    data
                )
            }
        };
        s.push_str(&format!(
            "{line}\n      <- {} ({}: {})\n",
            op.provenance.spec_path, op.provenance.product, op.provenance.location
        ));
    }
    s
}

fn explain(code: Option<&str>) -> i32 {
    match code {
        None => {
            for c in diag::CODES {
                println!("{:<26} {}", c.code, c.summary);
            }
            EXIT_OK
        }
        Some(code) => match diag::lookup(code) {
            Some(c) => {
                let sev = match c.severity {
                    diag::Severity::Error => "error",
                    diag::Severity::Warning => "warning",
                    diag::Severity::Note => "note",
                };
                println!("{} ({sev}): {}", c.code, c.summary);
                println!("fix: {}", diag::fix(c.code));
                if crate::validate::ACKNOWLEDGEABLE.contains(&c.code) {
                    println!(
                        "can be accepted per setting with `acknowledge: [{}]`",
                        c.code
                    );
                }
                EXIT_OK
            }
            None => {
                let hint = diag::did_you_mean(code, diag::CODES.iter().map(|c| c.code))
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                eprintln!("error: unknown code `{code}`{hint}");
                EXIT_USAGE
            }
        },
    }
}

fn list_catalog(catalog: &Catalog, format: Format) -> i32 {
    match format {
        Format::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&catalog.entries).unwrap()
            );
        }
        Format::Human => {
            for e in &catalog.entries {
                let scopes: Vec<&str> = e.scopes.iter().map(|s| s.as_str()).collect();
                println!(
                    "{}\n  {}\n  type: {:?}, scopes: {}, products: {}",
                    e.id,
                    e.title,
                    e.value.kind,
                    scopes.join("/"),
                    e.products().join(", ")
                );
                for l in &e.registry {
                    let versions: Vec<String> =
                        l.versions.iter().map(|(p, v)| format!("{p} {v}")).collect();
                    let form = l
                        .form
                        .map_or(String::new(), |f| format!(" [{f:?}]").to_lowercase());
                    let versions = if versions.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", versions.join(", "))
                    };
                    println!(
                        "  - {}{form}: {} {}{versions}",
                        l.name,
                        l.key,
                        l.value.as_deref().unwrap_or("")
                    );
                    for v in &l.vendor {
                        println!(
                            "    vendor policy ({}): {} ({}, category {}{}; seen in {})",
                            v.products.join(", "),
                            v.policy,
                            v.file,
                            v.category,
                            v.element
                                .as_deref()
                                .map_or(String::new(), |id| format!(", element {id}")),
                            v.versions_seen.join(", ")
                        );
                    }
                }
                if let Some(a) = &e.applies_to {
                    println!("  applies to: {} versions {}", a.client, a.versions);
                }
                for l in e.registry.iter().filter(|l| l.superseded.is_some()) {
                    let s = l.superseded.as_ref().unwrap();
                    let from: Vec<String> =
                        s.from.iter().map(|(p, v)| format!("{p} {v}")).collect();
                    println!(
                        "  {} is replaced by {} from {}",
                        l.name,
                        s.by,
                        from.join(", ")
                    );
                }
                for s in &e.sources {
                    println!("  source: {}", s.url);
                }
                for u in &e.unconfirmed {
                    println!("  unconfirmed: {u}");
                }
                println!();
            }
        }
    }
    EXIT_OK
}
