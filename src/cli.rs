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

#[derive(Subcommand)]
enum Command {
    /// Check a spec against the catalog; print diagnostics.
    Check {
        spec: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Compile a spec into a bundle folder (atomically replaces a previous bundle).
    Build {
        spec: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print the registry plan a spec compiles to.
    Plan {
        spec: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Compare registry exports (`reg export` .reg files) of a machine with the spec.
    Verify {
        spec: PathBuf,
        /// `.reg` files written by `reg export` or regedit (UTF-16 or ANSI).
        #[arg(long, required = true, num_args = 1..)]
        against: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
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
        Command::Check { spec, format } => check(&spec, format, &catalog),
        Command::Build { spec, out, format } => build(&spec, &out, format, &catalog),
        Command::Plan { spec, format } => plan(&spec, format, &catalog),
        Command::Verify {
            spec,
            against,
            format,
        } => verify(&spec, &against, format, &catalog),
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::schema::spec_schema(&catalog)).unwrap()
            );
            EXIT_OK
        }
        Command::Explain { code } => explain(code.as_deref()),
        Command::Catalog { format } => list_catalog(&catalog, format),
    }
}

fn report(diags: &[Diagnostic], format: Format) {
    match format {
        Format::Human => {
            let mut err = std::io::stderr().lock();
            for d in diags {
                let _ = writeln!(err, "{}\n", d.render_human());
            }
        }
        Format::Json => {
            let count = |sev| diags.iter().filter(|d| d.severity == sev).count();
            let v = serde_json::json!({
                "diagnostics": diags,
                "errors": count(diag::Severity::Error),
                "warnings": count(diag::Severity::Warning),
                "notes": count(diag::Severity::Note),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap());
        }
    }
}

/// Reads and compiles; `Err(exit code)` after reporting.
fn compile(
    spec: &Path,
    format: Format,
    catalog: &Catalog,
) -> Result<(crate::plan::Plan, Vec<Diagnostic>), i32> {
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
    let outcome = crate::compile(&name, &bytes, catalog);
    match outcome.plan {
        Some(p) => Ok((p, outcome.diagnostics)),
        None => {
            report(&outcome.diagnostics, format);
            if format == Format::Human {
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

fn check(spec: &Path, format: Format, catalog: &Catalog) -> i32 {
    match compile(spec, format, catalog) {
        Err(code) => code,
        Ok((plan, diags)) => {
            report(&diags, format);
            if format == Format::Human {
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

fn build(spec: &Path, out: &Path, format: Format, catalog: &Catalog) -> i32 {
    // Refuse a bad --out before compiling, so the message comes first.
    if let Err(d) = crate::bundle::check_out_dir(out) {
        report(&[d], format);
        return EXIT_USAGE;
    }
    let (plan, diags) = match compile(spec, format, catalog) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let files = match crate::bundle_files(&plan) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error[emit]: {e}; nothing was written");
            return EXIT_USAGE;
        }
    };
    if let Err(d) = crate::bundle::write(out, &files) {
        report(&[d], format);
        return EXIT_USAGE;
    }
    report(&diags, format);
    if format == Format::Human {
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        println!("wrote {}: {}", out.display(), names.join(", "));
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
        let result = std::fs::read(f)
            .map_err(|e| format!("cannot read {name}: {e}"))
            .and_then(|bytes| {
                reg.add_reg(&bytes)
                    .map_err(|e| format!("{name}: not a .reg export: {e}"))
            });
        if let Err(msg) = result {
            let d = Diagnostic::new(diag::IO_ERROR, msg)
                .file(&name)
                .hint("give files written by `reg export KEY FILE`");
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
                let sev = if c.severity == diag::Severity::Error {
                    "error"
                } else {
                    "warning"
                };
                println!("{} ({sev}): {}", c.code, c.summary);
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
