//! Command line. Exit codes: 0 success, 1 spec errors, 2 usage or I/O errors.

use crate::catalog::Catalog;
use crate::diag::{self, Diagnostic};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const EXIT_OK: i32 = 0;
pub const EXIT_SPEC: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Set once stdout is found closed; later output is dropped.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes to stdout. A closed pipe (`policyc schema | head -1`) drops the rest of the
/// output quietly and the command ends with its own exit code; `println!` would panic
/// (exit 101). Any other write error (a full disk) is reported and exits 2.
pub(crate) fn write_stdout(args: std::fmt::Arguments) {
    write_stdout_with(|out| out.write_fmt(args));
}

/// Writes raw bytes to stdout (a `.reg` file's UTF-16), as [`write_stdout`] does.
pub(crate) fn write_stdout_bytes(bytes: &[u8]) {
    write_stdout_with(|out| out.write_all(bytes));
}

fn write_stdout_with(write: impl FnOnce(&mut std::io::StdoutLock) -> std::io::Result<()>) {
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = write(&mut out).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        } else {
            eprintln!("error[io-error]: cannot write to standard output: {e}");
            std::process::exit(EXIT_USAGE);
        }
    }
}

macro_rules! out {
    ($($t:tt)*) => { write_stdout(format_args!($($t)*)) };
}

macro_rules! outln {
    () => { write_stdout(format_args!("\n")) };
    ($($t:tt)*) => { write_stdout(format_args!("{}\n", format_args!($($t)*))) };
}

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success: the spec is valid, the bundle is written or up to date, no drift, no change
  1  the spec has errors (nothing is written), `build --check` found the bundle out of date,
     `verify` found drift, or `diff` found a change
  2  usage or I/O error: a bad argument, a file that cannot be read or written, an unusable
     --out folder, or (for `diff`) a spec that does not compile";

#[derive(Parser)]
#[command(
    name = "policyc",
    version,
    about = "Compile a YAML policy spec into .reg files and more",
    propagate_version = true,
    after_help = EXIT_CODES_HELP
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
    #[command(after_help = "Exit codes: 0 valid, 1 spec errors, 2 usage or I/O error.")]
    Check {
        /// The spec: a YAML file in policyc's format (`policyc init` writes one).
        spec: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: DiagFormat,
        /// A machine's exports (as `verify --against` and `import` read them): warn when a
        /// list the bundle replaces would lose entries it holds today.
        #[arg(long, num_args = 1..)]
        against: Vec<String>,
        /// List the delivery notes (Intune routes, ADMX ingestion); without it, human and
        /// github output give their count in one line (json and sarif always list them).
        #[arg(long)]
        notes: bool,
        /// Intune's setting definitions (JSON of GET
        /// /beta/deviceManagement/configurationSettings, every page merged); overrides the
        /// spec's `intune_definitions:`.
        #[arg(long, value_name = "FILE")]
        intune_definitions: Option<PathBuf>,
        /// A central store (PolicyDefinitions folder: *.admx and en-US/*.adml) for the spec's
        /// `policy:` settings; overrides the spec's `templates:`.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Compile a spec into a bundle folder (atomically replaces a previous bundle).
    #[command(
        after_help = "Exit codes: 0 written (or, with --check, up to date), 1 spec errors (nothing is \
written) or, with --check, the bundle is out of date, 2 usage or I/O error (an unusable --out)."
    )]
    Build {
        /// The spec: a YAML file in policyc's format (`policyc init` writes one).
        spec: PathBuf,
        /// The bundle folder: a new folder, an empty one, or one policyc built before (it is
        /// replaced as a whole; if it holds files policyc did not write, they are named and
        /// nothing is written).
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
        /// List the delivery notes (Intune routes, ADMX ingestion); without it, human and
        /// github output give their count in one line (json and sarif always list them).
        #[arg(long)]
        notes: bool,
        /// Intune's setting definitions (JSON of GET
        /// /beta/deviceManagement/configurationSettings, every page merged); overrides the
        /// spec's `intune_definitions:`.
        #[arg(long, value_name = "FILE")]
        intune_definitions: Option<PathBuf>,
        /// A central store (PolicyDefinitions folder: *.admx and en-US/*.adml) for the spec's
        /// `policy:` settings; overrides the spec's `templates:`.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Show the difference in effect between two specs (registry values, bundle files).
    /// Exit 0 when they write the same values, 1 when they differ.
    #[command(
        after_help = "Exit codes: 0 same effect, 1 changed, 2 a spec does not compile or cannot be read."
    )]
    Diff {
        /// The spec before the change (YAML).
        old: PathBuf,
        /// The spec after the change (YAML).
        new: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// A central store (PolicyDefinitions folder: *.admx and en-US/*.adml) for the spec's
        /// `policy:` settings; overrides the spec's `templates:`.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Write a commented starter spec (and the JSON Schema beside it).
    #[command(
        after_help = "Exit codes: 0 written, 2 the spec file already exists (it is never overwritten) \
or the options give an invalid spec (nothing is written)."
    )]
    Init {
        /// Where to write the spec.
        #[arg(default_value = "policyc.yaml")]
        path: PathBuf,
        /// The bundle name: lowercase letters, digits and hyphens (default: the example's).
        #[arg(long)]
        name: Option<String>,
        /// The publisher shown in the ADMX, scripts and docs (your Trust's name).
        #[arg(long)]
        publisher: Option<String>,
        /// The browsers to write browser settings for.
        #[arg(long, value_delimiter = ',', value_parser = ["chrome", "edge"])]
        products: Option<Vec<String>>,
        /// Which NHS environment's web applications to allow: live, or int (integration).
        #[arg(long, value_enum, default_value = "live")]
        environment: crate::init::Environment,
    },
    /// Print a shell completion script.
    #[command(after_help = "Exit codes: 0 printed, 2 usage error.")]
    Completions { shell: clap_complete::Shell },
    /// Print the registry plan a spec compiles to.
    #[command(
        after_help = "Exit codes: 0 printed, 1 spec errors (nothing printed on stdout), 2 usage or I/O error."
    )]
    Plan {
        /// The spec: a YAML file in policyc's format.
        spec: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// A central store (PolicyDefinitions folder: *.admx and en-US/*.adml) for the spec's
        /// `policy:` settings; overrides the spec's `templates:`.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Compare registry exports (`reg export` .reg files) of a machine with the spec.
    #[command(
        after_help = "Exit codes: 0 clean, 1 drift or findings (or spec errors), 2 an export or the spec cannot be read."
    )]
    Verify {
        /// The spec the machine should follow (YAML).
        spec: PathBuf,
        /// `.reg` files written by `reg export` or regedit (UTF-16 or ANSI), and/or
        /// Registry.pol files: `Machine/Registry.pol`, `User/Registry.pol`, or
        /// `hklm:FILE` / `hkcu:FILE` to name the hive a .pol file applies to.
        #[arg(long, required = true, num_args = 1..)]
        against: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// A central store (PolicyDefinitions folder: *.admx and en-US/*.adml) for the spec's
        /// `policy:` settings; overrides the spec's `templates:`.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Write a spec from what is deployed today: `.reg` exports, Registry.pol files
    /// (`Machine/Registry.pol`, `hklm:FILE`), GPO backup folders or LGPO text. Values no
    /// catalog setting writes are listed as comments.
    #[command(
        after_help = "Exit codes: 0 written, 2 an input cannot be read, the --out file already exists, or --name is not file-safe."
    )]
    Import {
        /// `reg export` .reg files, Registry.pol files (`hklm:FILE`/`hkcu:FILE`, or a
        /// Machine/User folder, names a .pol file's hive), LGPO text, or a folder with
        /// Machine/ and User/ Registry.pol files below it (a GPO backup, a policyc
        /// bundle), read in order (a later value wins).
        #[arg(required = true, num_args = 1..)]
        files: Vec<String>,
        /// Write the spec here instead of stdout (never overwrites).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The bundle name of the spec (lowercase letters, digits, hyphens).
        #[arg(long, default_value = "imported")]
        name: String,
        /// A central store (PolicyDefinitions folder): values a vendor policy explains
        /// become `policy:` settings, and the spec's `templates:` names the folder.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Convert registry files between .reg, Registry.pol and LGPO text (or JSON for
    /// scripts), keeping deletions; warns about what the target cannot hold.
    #[command(
        after_help = "Exit codes: 0 written (warnings name what the target cannot hold), 2 an input cannot be read or the output cannot be written."
    )]
    Convert {
        /// `.reg`, LGPO text or Registry.pol files (`hklm:FILE`/`hkcu:FILE`, or a
        /// Machine/User folder, names a .pol file's hive), read in order.
        #[arg(required = true, num_args = 1..)]
        inputs: Vec<String>,
        #[arg(long, value_enum)]
        to: crate::convert::Target,
        /// The output file (stdout when absent, except for pol). For pol input naming
        /// both hives, STEM.Machine.pol and STEM.User.pol are written beside it. reg and
        /// lgpo on stdout: UTF-8 text in a terminal; redirected or piped, the file's own
        /// bytes (UTF-16LE with BOM, CRLF), which `reg import` and LGPO.exe read.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the JSON Schema of the spec format (for editor completion).
    #[command(after_help = "Exit codes: 0 printed.")]
    Schema,
    /// Describe a diagnostic code, or list them all.
    #[command(after_help = "Exit codes: 0, 2 for an unknown code.")]
    Explain {
        /// A diagnostic code such as `path-in-origin` (the part in brackets after `error`).
        code: Option<String>,
    },
    /// List the settings in the catalog with their registry locations and sources.
    #[command(
        after_help = "Exit codes: 0 listed, 1 --policy names no policy of the store, 2 the store cannot be read or holds no .admx file."
    )]
    Catalog {
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// A central store (PolicyDefinitions folder: *.admx and <culture>/*.adml) whose
        /// vendor policies to list instead of the built-in catalog.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// With --templates: show one policy, NAMESPACE:NAME, with its explain text.
        #[arg(long, value_name = "NAMESPACE:NAME", requires = "templates")]
        policy: Option<String>,
    },
}

pub fn main() -> i32 {
    // `policyc --version` answers before clap builds its command tree (a scripted
    // version probe should cost no more than starting the process).
    let mut args = std::env::args_os().skip(1);
    if let (Some(a), None) = (args.next(), args.next()) {
        if a == "--version" || a == "-V" {
            outln!("policyc {}", env!("CARGO_PKG_VERSION"));
            return EXIT_OK;
        }
    }
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
            notes,
            intune_definitions,
            templates,
        } => {
            set_intune_definitions(intune_definitions);
            set_templates(templates);
            check(&spec, format, notes, &against, catalog)
        }
        Command::Build {
            spec,
            out,
            check: false,
            no_sync,
            format,
            against,
            notes,
            intune_definitions,
            templates,
        } => {
            set_intune_definitions(intune_definitions);
            set_templates(templates);
            let durability = if no_sync {
                crate::bundle::Durability::Unsynced
            } else {
                crate::bundle::Durability::Synced
            };
            build(&spec, &out, format, notes, durability, &against, catalog)
        }
        Command::Build {
            spec,
            out,
            check: true,
            format,
            notes,
            intune_definitions,
            against,
            templates,
            ..
        } => {
            set_intune_definitions(intune_definitions);
            set_templates(templates);
            // The same exports as the build, so its report compares equal.
            if let Err(code) = read_against(&against, format) {
                return code;
            }
            build_check(&spec, &out, format, notes, catalog)
        }
        Command::Diff {
            old,
            new,
            format,
            templates,
        } => {
            set_templates(templates);
            diff(&old, &new, format, catalog)
        }
        Command::Init {
            path,
            name,
            publisher,
            products,
            environment,
        } => {
            let options = crate::init::Options {
                name,
                publisher,
                products,
                environment,
            };
            init(&path, &options, catalog)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "policyc", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            EXIT_OK
        }
        Command::Plan {
            spec,
            format,
            templates,
        } => {
            set_templates(templates);
            plan(&spec, format, catalog)
        }
        Command::Verify {
            spec,
            against,
            format,
            templates,
        } => {
            set_templates(templates);
            verify(&spec, &against, format, catalog)
        }
        Command::Import {
            files,
            out,
            name,
            templates,
        } => import(&files, out.as_deref(), &name, templates.as_deref(), catalog),
        Command::Convert { inputs, to, out } => {
            match crate::convert::run(&inputs, to, out.as_deref()) {
                Ok(warnings) => {
                    report(&warnings, DiagFormat::Human);
                    EXIT_OK
                }
                Err(msg) => {
                    report(&[Diagnostic::new(diag::IO_ERROR, msg)], DiagFormat::Human);
                    EXIT_USAGE
                }
            }
        }
        Command::Schema => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&crate::schema::spec_schema(catalog)).unwrap()
            );
            EXIT_OK
        }
        Command::Explain { code } => explain(code.as_deref()),
        Command::Catalog {
            format,
            templates: Some(dir),
            policy,
        } => crate::catalog::templates::run(&dir, format == Format::Json, policy.as_deref()),
        Command::Catalog { format, .. } => list_catalog(catalog, format),
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
fn colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether `--notes` was given: human and github output list the delivery notes only then.
static SHOW_NOTES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `report` in `format` only counts the delivery notes
/// ([`Diagnostic::is_delivery_note`]; `left-out` notes are always shown): human and
/// github output without `--notes`.
fn notes_counted_only(format: DiagFormat) -> bool {
    matches!(format, DiagFormat::Human | DiagFormat::Github)
        && !SHOW_NOTES.load(std::sync::atomic::Ordering::Relaxed)
}

fn report(diags: &[Diagnostic], format: impl Into<DiagFormat>) {
    let format = format.into();
    let hide_notes = notes_counted_only(format);
    let hidden = if hide_notes {
        diags.iter().filter(|d| d.is_delivery_note()).count()
    } else {
        0
    };
    let shown: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| !(hide_notes && d.is_delivery_note()))
        .collect();
    report_all(&shown, format);
    if hidden > 0 {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        // `list-replaced` notes are counted apart: the admin reviewing a change wants to
        // know that lists are reset, even before asking for the details.
        let lists = diags
            .iter()
            .filter(|d| hide_notes && d.code == diag::LIST_REPLACED)
            .count();
        let delivery = hidden - lists;
        let mut parts = Vec::new();
        if delivery > 0 {
            parts.push(format!(
                "{delivery} delivery note{} (Intune routes, ADMX ingestion)",
                plural(delivery)
            ));
        }
        if lists > 0 {
            parts.push(format!(
                "{lists} list{} replaced wholesale (list-replaced)",
                plural(lists)
            ));
        }
        let line = format!("{}; add --notes to list them", parts.join(" and "));
        // A plain line, not a `::notice`: no annotation on every pull request.
        match format {
            DiagFormat::Github => outln!("{line}"),
            _ => eprintln!("{line}"),
        }
    }
}

fn report_all(diags: &[&Diagnostic], format: DiagFormat) {
    match format {
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
            outln!("{}", serde_json::to_string_pretty(&v).unwrap());
        }
        DiagFormat::Github => {
            let owned: Vec<Diagnostic> = diags.iter().map(|d| (*d).clone()).collect();
            out!("{}", crate::report::github(&owned))
        }
        DiagFormat::Sarif => outln!(
            "{}",
            serde_json::to_string_pretty(&crate::report::sarif(
                &diags.iter().map(|d| (*d).clone()).collect::<Vec<_>>()
            ))
            .unwrap()
        ),
    }
}

/// `--intune-definitions` of check/build, for every compile of this run.
static INTUNE_DEFINITIONS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// `build --against`: the exports, read before compiling so the report can show what the
/// machine holds today ([`crate::plan::Plan::baseline`]).
static BASELINE: std::sync::OnceLock<std::sync::Arc<crate::verify::model::Registry>> =
    std::sync::OnceLock::new();

/// `--templates` of check/build/diff/verify, for every compile of this run.
static TEMPLATES: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn set_templates(path: Option<PathBuf>) {
    if let Some(p) = path {
        let _ = TEMPLATES.set(p);
    }
}

fn set_intune_definitions(path: Option<PathBuf>) {
    if let Some(p) = path {
        let _ = INTUNE_DEFINITIONS.set(p);
    }
}

/// Reads and compiles; `Err(exit code)` after reporting.
fn compile(
    spec: &Path,
    format: impl Into<DiagFormat>,
    catalog: &Catalog,
) -> Result<(crate::plan::Plan, Vec<Diagnostic>), i32> {
    compile_then(spec, format, catalog, false, |_| ()).map(|(p, d, ())| (p, d))
}

/// [`compile`], running `then` on the plan while the delivery checks run
/// ([`crate::compile_then`]). `writes`: the command writes files (`build`), so a failure
/// says that nothing was written.
fn compile_then<T: Send>(
    spec: &Path,
    format: impl Into<DiagFormat>,
    catalog: &Catalog,
    writes: bool,
    then: impl FnOnce(&crate::emit::Input) -> T + Send,
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
    let opts = crate::CompileOptions {
        intune_definitions: INTUNE_DEFINITIONS.get().cloned(),
        baseline: BASELINE.get().cloned(),
        templates: TEMPLATES.get().cloned(),
        notes_counted_only: notes_counted_only(format),
    };
    let (outcome, t) = crate::compile_with(&name, &bytes, catalog, &opts, then);
    match (outcome.plan, t) {
        (Some(p), Some(t)) => Ok((p, outcome.diagnostics, t)),
        _ => {
            report(&outcome.diagnostics, format);
            if format == DiagFormat::Human {
                let n = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
                eprintln!(
                    "{name}: {n} error{}{}",
                    if n == 1 { "" } else { "s" },
                    if writes { "; nothing was written" } else { "" }
                );
            }
            // A definitions file given on the command line that cannot be used is a usage
            // or I/O error, not a spec error.
            let only_cli_file = opts.intune_definitions.is_some()
                && outcome
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .all(|d| d.code == diag::INTUNE_DEFINITIONS);
            // So is a central store that cannot be read (`--templates` or `templates:`).
            let store_unreadable = outcome
                .diagnostics
                .iter()
                .any(|d| d.code == diag::IO_ERROR && d.message.contains("central store"));
            Err(if only_cli_file || store_unreadable {
                EXIT_USAGE
            } else {
                EXIT_SPEC
            })
        }
    }
}

/// `--against` on check/build: reads the exports once (before compiling, so `build`'s
/// report can show them: [`BASELINE`]); their read warnings are returned for the report.
fn read_against(against: &[String], format: DiagFormat) -> Result<Vec<Diagnostic>, i32> {
    if against.is_empty() {
        return Ok(Vec::new());
    }
    match crate::import::read_inputs(against) {
        Ok((reg, warnings)) => {
            let _ = BASELINE.set(std::sync::Arc::new(reg));
            Ok(warnings)
        }
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

/// The lists the plan replaces that would lose entries the `--against` inputs hold, each
/// at its setting's line and column (the spec was compiled already, so its positions are
/// read again here).
fn list_losses(plan: &crate::plan::Plan, spec: &Path) -> Vec<Diagnostic> {
    let Some(reg) = BASELINE.get() else {
        return Vec::new();
    };
    let mut out = crate::import::lists::losses(plan, reg, &spec.display().to_string());
    if out.is_empty() {
        return out;
    }
    if let Ok(bytes) = std::fs::read(spec) {
        let text = String::from_utf8_lossy(&bytes);
        let positions = crate::spec::positions::Positions::build(
            text.strip_prefix('\u{feff}').unwrap_or(&text),
        );
        for d in &mut out {
            if let Some((l, c)) = d.path.as_deref().and_then(|p| positions.nearest(p)) {
                d.line = Some(l);
                d.column = Some(c);
            }
        }
    }
    out
}

fn check(
    spec: &Path,
    format: DiagFormat,
    notes: bool,
    against: &[String],
    catalog: &Catalog,
) -> i32 {
    SHOW_NOTES.store(notes, std::sync::atomic::Ordering::Relaxed);
    let read = match read_against(against, format) {
        Ok(w) => w,
        Err(code) => return code,
    };
    match compile(spec, format, catalog) {
        Err(code) => code,
        Ok((plan, mut diags)) => {
            diags.extend(read);
            diags.extend(list_losses(&plan, spec));
            report(&diags, format);
            if format == DiagFormat::Human {
                let warnings = diags
                    .iter()
                    .filter(|d| d.severity == diag::Severity::Warning)
                    .count();
                outln!(
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
    notes: bool,
    durability: crate::bundle::Durability,
    against: &[String],
    catalog: &Catalog,
) -> i32 {
    SHOW_NOTES.store(notes, std::sync::atomic::Ordering::Relaxed);
    // Refuse a bad --out before compiling, so the message comes first.
    if let Err(d) = crate::bundle::check_out_dir(out) {
        report(&[d], format);
        return EXIT_USAGE;
    }
    let read = match read_against(against, format) {
        Ok(w) => w,
        Err(code) => return code,
    };
    // The bundle is emitted while the delivery checks run, each file written to a
    // temporary folder as it comes; the folder replaces `out` only if the checks find no
    // error, and is removed otherwise (`staging` dropped).
    let mut staging = crate::bundle::Staging::new(out, durability);
    let (plan, mut diags, written) = match compile_then(spec, format, catalog, true, |p| {
        crate::bundle_into(p, &mut |rel, bytes| staging.put(rel, &bytes))
    }) {
        Ok(x) => x,
        Err(code) => return code,
    };
    diags.extend(read);
    diags.extend(list_losses(&plan, spec));
    let names = match written {
        Ok(n) => n,
        Err(crate::BundleError::Emit(e)) => {
            eprintln!("error[emit]: {e}; nothing was written");
            return EXIT_USAGE;
        }
        Err(crate::BundleError::Put(d)) => {
            report(&[d], format);
            return EXIT_USAGE;
        }
    };
    let previous = crate::bundle::previous_bundle(out).unwrap_or_default();
    match staging.commit() {
        Ok(left) => diags.extend(left),
        Err(d) => {
            report(&[d], format);
            return EXIT_USAGE;
        }
    }
    report(&diags, format);
    if format == DiagFormat::Human {
        outln!(
            "wrote {} ({} files): {}",
            out.display(),
            names.len(),
            names.join(", ")
        );
        // Files of the previous bundle the spec no longer compiles to are gone: say so.
        let removed: Vec<&str> = previous
            .iter()
            .map(String::as_str)
            .filter(|p| !names.iter().any(|n| n == p))
            .collect();
        if !removed.is_empty() {
            outln!(
                "removed {} file{} of the previous bundle that the spec no longer writes: {}",
                removed.len(),
                if removed.len() == 1 { "" } else { "s" },
                removed.join(", ")
            );
        }
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
        Format::Json => outln!("{}", serde_json::to_string_pretty(&plan).unwrap()),
        Format::Human => out!("{}", render_plan(&plan)),
    }
    EXIT_OK
}

fn verify(spec: &Path, against: &[PathBuf], format: Format, catalog: &Catalog) -> i32 {
    let (plan, _) = match compile(spec, format, catalog) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut reg = crate::verify::model::Registry::default();
    let mut read_warnings: Vec<Diagnostic> = Vec::new();
    for f in against {
        let name = f.display().to_string();
        let result = crate::import::add_file(&mut reg, &name);
        if let Ok(warnings) = &result {
            // On stderr in every format; `--format json` also carries them in its document
            // (`warnings`), so a pipeline reading only stdout sees a skipped line or root.
            report(warnings, DiagFormat::Human);
            read_warnings.extend(warnings.iter().cloned());
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
        Format::Json => {
            let mut doc = serde_json::to_value(&report).unwrap();
            doc["warnings"] = serde_json::to_value(&read_warnings).unwrap();
            outln!("{}", serde_json::to_string_pretty(&doc).unwrap())
        }
        Format::Human => out!("{}", crate::verify::render_human(&report)),
    }
    if report.drift() {
        EXIT_SPEC
    } else {
        EXIT_OK
    }
}

/// Compiles `spec` in memory and compares the result with the bundle in `out`:
/// every file must exist with the bytes the spec compiles to, and no other file may be there.
/// Human output lists the differences as lines (`stale:   machine.reg`); json, sarif and
/// github output carry each as a `bundle-out-of-date` diagnostic in the one document, so
/// stdout stays one JSON (or SARIF) document.
fn build_check(spec: &Path, out: &Path, format: DiagFormat, notes: bool, catalog: &Catalog) -> i32 {
    SHOW_NOTES.store(notes, std::sync::atomic::Ordering::Relaxed);
    // A regular file where the bundle should be: the error `build` would give.
    if out.exists() && !out.is_dir() {
        if let Err(d) = crate::bundle::check_out_dir(out) {
            report(&[d], format);
            return EXIT_USAGE;
        }
    }
    let (plan, mut diags) = match compile(spec, format, catalog) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let structured = format != DiagFormat::Human;
    if !structured {
        report(&diags, format);
    }
    let files = match crate::bundle_files(&plan) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error[emit]: {e}");
            return EXIT_USAGE;
        }
    };
    // (kind, path) of each difference, in bundle order, then the unexpected files.
    let mut problems: Vec<(&str, String)> = Vec::new();
    for (rel, bytes) in &files {
        match std::fs::read(out.join(rel)) {
            Err(_) => problems.push(("missing", rel.clone())),
            Ok(have)
                if crate::emit::manifest::sha256_hex(&have)
                    != crate::emit::manifest::sha256_hex(bytes) =>
            {
                problems.push(("stale", rel.clone()))
            }
            Ok(_) => {}
        }
    }
    let expected: std::collections::BTreeSet<&str> =
        files.iter().map(|(p, _)| p.as_str()).collect();
    let mut on_disk = Vec::new();
    crate::bundle::list_files(out, out, &mut on_disk);
    let listed = crate::bundle::previous_bundle(out).unwrap_or_default();
    // Unexpected files no manifest there lists: `build` refuses to delete them.
    let mut foreign = Vec::new();
    for rel in on_disk
        .into_iter()
        .filter(|p| !expected.contains(p.as_str()))
    {
        if rel != crate::emit::manifest::FILE_NAME && !listed.contains(&rel) {
            foreign.push(rel.clone());
        }
        problems.push(("unexpected", rel));
    }
    // The same command without --check, so --against, --templates and the Intune
    // definitions stay as given (without them the bundle would differ again).
    let again: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--check")
        .map(|a| {
            if a.is_empty() || a.contains([' ', '"', '\'']) {
                format!("\"{a}\"")
            } else {
                a
            }
        })
        .collect();
    let todo = if foreign.is_empty() {
        format!("run `policyc {}`", again.join(" "))
    } else {
        format!(
            "move {} out of {} first (a build refuses to replace files no policyc manifest there lists), then run `policyc {}`",
            foreign.join(", "),
            out.display(),
            again.join(" ")
        )
    };
    if structured {
        diags.extend(problems.iter().map(|(kind, rel)| {
            Diagnostic::new(diag::BUNDLE_OUT_OF_DATE, format!("{kind}: {rel}"))
                .file(out.join(rel).display().to_string())
                .hint(todo.clone())
        }));
        report(&diags, format);
        return if problems.is_empty() {
            EXIT_OK
        } else {
            EXIT_SPEC
        };
    }
    if problems.is_empty() {
        outln!(
            "ok: {} is what {} compiles to ({} files)",
            out.display(),
            spec.display(),
            files.len()
        );
        EXIT_OK
    } else {
        for (kind, rel) in &problems {
            // `stale:` padded to line up with `missing:`.
            let pad = if *kind == "stale" { "  " } else { "" };
            outln!("{kind}:{pad} {rel}");
        }
        eprintln!(
            "{}: {} file{} out of date; {todo}",
            out.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
        );
        EXIT_SPEC
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
        Format::Json => outln!("{}", serde_json::to_string_pretty(&d).unwrap()),
        Format::Human => out!("{}", crate::diff::render_human(&d)),
    }
    if d.changed {
        EXIT_SPEC
    } else {
        EXIT_OK
    }
}

fn init(path: &Path, options: &crate::init::Options, catalog: &Catalog) -> i32 {
    let schema_path = path.with_file_name("spec-v1.schema.json");
    if path.exists() {
        eprintln!(
            "error[output-path]: {} already exists; refusing to overwrite it",
            path.display()
        );
        return EXIT_USAGE;
    }
    let name = path.display().to_string();
    let text = crate::init::starter_spec_with(catalog, &name, options);
    // The options go into the spec: refuse what would not compile (a bad --name).
    let outcome = crate::compile(&name, text.as_bytes(), catalog);
    if outcome.plan.is_none() {
        let errors: Vec<Diagnostic> = outcome
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        report(&errors, DiagFormat::Human);
        eprintln!("{name}: the options give a spec with errors; nothing was written");
        return EXIT_USAGE;
    }
    let schema = serde_json::to_string_pretty(&crate::schema::spec_schema(catalog)).unwrap() + "\n";
    // A second spec in the same folder shares the schema: keep one that is already
    // there (never overwrite it), and say when it differs from this policyc's.
    let schema_note = match std::fs::read(&schema_path) {
        Ok(have) if have == schema.as_bytes() => Some(format!(
            "kept {} (already up to date)",
            schema_path.display()
        )),
        Ok(_) => Some(format!(
            "kept {}, which differs from this policyc's schema; `policyc schema > {}` updates it",
            schema_path.display(),
            schema_path.display()
        )),
        Err(_) => None,
    };
    let mut writes = vec![(path, text.as_bytes())];
    if schema_note.is_none() {
        writes.push((schema_path.as_path(), schema.as_bytes()));
    }
    for (p, body) in writes {
        // create_new: never overwrite, even a file that appeared since the check above.
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
            .and_then(|mut f| f.write_all(body));
        if let Err(e) = written {
            eprintln!("error[io-error]: cannot write {}: {e}", p.display());
            return EXIT_USAGE;
        }
    }
    match schema_note {
        None => outln!(
            "wrote {} and {}; next: policyc check {}",
            path.display(),
            schema_path.display(),
            path.display()
        ),
        Some(note) => outln!(
            "wrote {}; {note}; next: policyc check {}",
            path.display(),
            path.display()
        ),
    }
    EXIT_OK
}

/// `policyc import`: the spec on stdout or in `--out` (refused if it exists); a summary
/// on stderr. Exit 0, or 2 when an input cannot be read.
fn import(
    files: &[String],
    out: Option<&Path>,
    name: &str,
    templates: Option<&Path>,
    catalog: &Catalog,
) -> i32 {
    // The name goes into the spec's `bundle.name`: refuse what `check` would refuse,
    // before reading anything (as `init --name` does).
    if !crate::validate::is_slug(name) {
        report(
            &[Diagnostic::new(
                diag::INVALID_NAME,
                format!("`--name` `{name}` is not a file-safe name; nothing was written"),
            )
            .hint("use 1-64 lowercase letters, digits and single hyphens, e.g. trust-smartcards")],
            DiagFormat::Human,
        );
        return EXIT_USAGE;
    }
    let reg = match crate::import::read_inputs(files) {
        Ok((r, warnings)) => {
            report(&warnings, DiagFormat::Human);
            r
        }
        Err(e) => {
            eprintln!("error[io-error]: {e}");
            return EXIT_USAGE;
        }
    };
    let store = match templates.map(|dir| (dir, crate::admx::store::Store::load(dir, "en-US"))) {
        None => None,
        Some((dir, Err(e))) => {
            eprintln!("error[io-error]: {}: {e}", dir.display());
            return EXIT_USAGE;
        }
        Some((dir, Ok(s))) => {
            for p in &s.problems {
                eprintln!(
                    "warning[{}]: {p}\n  = hint: fix or remove the file; the rest of the store was read",
                    crate::diag::ADMX_UNREADABLE
                );
            }
            Some((crate::import::templates_path(dir, out), s))
        }
    };
    let templates = store
        .as_ref()
        .map(|(path, store)| crate::import::Templates { store, path });
    let imported = crate::import::import(&reg, catalog, name, files, templates.as_ref());
    match out {
        None => out!("{}", imported.spec),
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
        "imported {} setting(s){}; {} value(s) not placed (listed as comments)",
        imported.placed,
        if templates.is_some() {
            format!(" and {} vendor policy setting(s)", imported.vendor_placed)
        } else {
            String::new()
        },
        imported.unplaced.len()
    );
    EXIT_OK
}

/// A readable listing of the plan, one operation per line.
pub fn render_plan(plan: &crate::plan::Plan) -> String {
    use crate::plan::Action;
    let mut s = String::new();
    for op in &plan.ops {
        let line = match &op.action {
            Action::ResetKey => format!("reset {}\\{}", op.hive.short_name(), op.key),
            Action::Delete { name } => {
                format!("del   {}\\{} \"{}\"", op.hive.short_name(), op.key, name)
            }
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
                outln!("{:<26} {}", c.code, c.summary);
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
                outln!("{} ({sev}): {}", c.code, c.summary);
                outln!("fix: {}", diag::fix(c.code));
                // verify's known-conflict lints also run on the bundle's own values.
                if c.summary.starts_with("verify: ") {
                    outln!("check and build report it for the spec's own values too: an error at a `policy:` setting, a warning at a catalog setting");
                }
                if crate::validate::ACKNOWLEDGEABLE.contains(&c.code) {
                    outln!(
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
            outln!(
                "{}",
                serde_json::to_string_pretty(&catalog.entries).unwrap()
            );
        }
        Format::Human => out!("{}", crate::catalog::display::render_human(catalog)),
    }
    EXIT_OK
}
