//! PowerShell emitter: `powershell/apply.ps1`, `detect.ps1`, `remediate.ps1`,
//! `diagnose.ps1` and `remove.ps1`, rendered from the minijinja templates in
//! `templates/ps1/` around one data section that this module writes from the plan.
//! `build.rs` renders the templates once, each variable left as a marker
//! (`Script::skeleton`); a build puts the escaped values in their place.
//!
//! Spec-derived text never reaches a template as a raw string. It enters only through
//! [`ps_literal`], which makes a single-quoted PowerShell literal, and the template
//! environment refuses to print any value that did not come out of this module's
//! escaping (see `environment`, which the tests and `build.rs` use).

use crate::emit::{encoding, Artifact, EmitError, Emitter, FileKind};
use crate::plan::{Action, Op, Plan};
use crate::reg::{Hive, RegData};
#[cfg(test)]
use minijinja::{Environment, Error, Value};

pub struct PowerShellEmitter;

/// The four scripts, their bundle paths and manifest kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Apply,
    Detect,
    Remediate,
    Diagnose,
    /// Rollback: removes what the bundle writes.
    Remove,
}

impl Script {
    pub const ALL: [Script; 5] = [
        Script::Apply,
        Script::Detect,
        Script::Remediate,
        Script::Diagnose,
        Script::Remove,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Script::Apply => "powershell/apply.ps1",
            Script::Detect => "powershell/detect.ps1",
            Script::Remediate => "powershell/remediate.ps1",
            Script::Diagnose => "powershell/diagnose.ps1",
            Script::Remove => "powershell/remove.ps1",
        }
    }

    pub fn kind(self) -> FileKind {
        match self {
            Script::Apply => FileKind::Ps1Apply,
            Script::Detect => FileKind::Ps1Detect,
            Script::Remediate => FileKind::Ps1Remediate,
            Script::Diagnose => FileKind::Ps1Diagnose,
            Script::Remove => FileKind::Ps1Remove,
        }
    }

    /// The script's template in `templates/ps1/`.
    pub fn template(self) -> &'static str {
        match self {
            Script::Apply => "ps1/apply.ps1.j2",
            Script::Detect => "ps1/detect.ps1.j2",
            Script::Remediate => "ps1/remediate.ps1.j2",
            Script::Diagnose => "ps1/diagnose.ps1.j2",
            Script::Remove => "ps1/remove.ps1.j2",
        }
    }

    /// The script as `build.rs` rendered its template with [`environment`]'s rules, each
    /// of the [`VARIABLES`] printed as its name between two U+0001 characters.
    fn skeleton(self) -> &'static str {
        match self {
            Script::Apply => include_str!(concat!(env!("OUT_DIR"), "/ps1/apply.ps1")),
            Script::Detect => include_str!(concat!(env!("OUT_DIR"), "/ps1/detect.ps1")),
            Script::Remediate => include_str!(concat!(env!("OUT_DIR"), "/ps1/remediate.ps1")),
            Script::Diagnose => include_str!(concat!(env!("OUT_DIR"), "/ps1/diagnose.ps1")),
            Script::Remove => include_str!(concat!(env!("OUT_DIR"), "/ps1/remove.ps1")),
        }
    }
}

/// What the script templates print, each escaped by this module: the data section
/// ([`data_section`] or [`remediation_data_section`]) and three comment texts. `build.rs`
/// lists the same names.
pub const VARIABLES: [&str; 4] = [
    "data_section",
    "comment_name",
    "comment_version",
    "comment_compiler",
];

/// The script templates, which `build.rs` renders; the tests render them again.
#[cfg(test)]
const TEMPLATES: &[(&str, &str)] = &[
    (
        "ps1/common.ps1.j2",
        include_str!("../../templates/ps1/common.ps1.j2"),
    ),
    (
        "ps1/apply.ps1.j2",
        include_str!("../../templates/ps1/apply.ps1.j2"),
    ),
    (
        "ps1/detect.ps1.j2",
        include_str!("../../templates/ps1/detect.ps1.j2"),
    ),
    (
        "ps1/remediate.ps1.j2",
        include_str!("../../templates/ps1/remediate.ps1.j2"),
    ),
    (
        "ps1/diagnose.ps1.j2",
        include_str!("../../templates/ps1/diagnose.ps1.j2"),
    ),
    (
        "ps1/remove.ps1.j2",
        include_str!("../../templates/ps1/remove.ps1.j2"),
    ),
];

/// Is `c` a character PowerShell's tokenizer treats as a single quote? Besides `'`, it
/// accepts the typographic quotes U+2018, U+2019, U+201A and U+201B as opening, closing
/// and doubling characters of a verbatim string (PowerShell/PowerShell,
/// `src/System.Management.Automation/engine/parser/CharTraits.cs`, `IsSingleQuote`; used by
/// `Tokenizer.ScanStringLiteral` in `tokenizer.cs`: "2 quotes in a row ... the first is
/// the escape and append the second quote"). So `'a’b'` ends after `a` in PowerShell,
/// and every one of them must be doubled, not only the ASCII one.
pub fn is_ps_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// Must `c` be spliced in as a `[char]` code rather than written inside a literal? The
/// scripts are ASCII only (see [`ps_literal`]), and control characters cannot go into a
/// literal as they are: the scripts are written with CRLF line endings, so a raw LF would
/// come back as CRLF.
fn needs_char_code(c: char) -> bool {
    !c.is_ascii() || c.is_ascii_control()
}

/// A PowerShell expression whose value is exactly `s`, never interpolated, written in
/// printable ASCII only.
///
/// The scripts carry no BOM: Intune Remediations with "Enforce script signature check"
/// require UTF-8 without BOM (Microsoft Learn, "Remediations", script requirements), and
/// Windows PowerShell 5.1 reads a BOM-less script in the system's ANSI code page
/// (about_Character_Encoding). Text that is ASCII reads the same in UTF-8 and in every
/// ANSI code page, so nothing but printable ASCII is written.
///
/// Printable ASCII text becomes one verbatim literal `'...'` with `'` doubled; `$`,
/// `` ` ``, `"` and `;` have no meaning inside it. Every other character (control
/// characters, which validation rejects in specs, and all non-ASCII text such as `é` or the
/// typographic quotes) is spliced in as a UTF-16 code unit, `[char]0x00E9`, between
/// literals: `('' + 'caf' + [char]0x00E9)`. A character outside the Basic Multilingual
/// Plane becomes its surrogate pair, two codes in a row, which .NET strings join back
/// into the character.
pub fn ps_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    ps_literal_into(&mut out, s);
    out
}

/// [`ps_literal`], appended to `out` (the data sections write about 20 literals an
/// operation; each was its own string).
pub fn ps_literal_into(out: &mut String, s: &str) {
    // Printable ASCII (nearly every spec string): one literal, built without the parts.
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        out.push('\'');
        for part in s.split_inclusive('\'') {
            out.push_str(part);
            if part.ends_with('\'') {
                out.push('\'');
            }
        }
        out.push('\'');
        return;
    }
    let parts = ps_literal_parts(s);
    if parts.len() == 1 {
        out.push_str(&parts[0]);
        return;
    }
    out.push('(');
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(" + ");
        }
        out.push_str(part);
    }
    out.push(')');
}

/// The operands of [`ps_literal`]: one verbatim literal when `s` is printable ASCII,
/// else `''` (a string first makes `+` concatenate rather than add char codes), then
/// literals and `[char]0xHHHH` codes in order.
pub fn ps_literal_parts(s: &str) -> Vec<String> {
    fn quoted(run: &str) -> String {
        let mut out = String::with_capacity(run.len() + 2);
        out.push('\'');
        for c in run.chars() {
            // Only ASCII reaches a literal; of PowerShell's single-quote characters
            // (`is_ps_single_quote`) that is `'` alone.
            if is_ps_single_quote(c) {
                out.push(c);
            }
            out.push(c);
        }
        out.push('\'');
        out
    }
    if !s.chars().any(needs_char_code) {
        return vec![quoted(s)];
    }
    let mut parts = vec![String::from("''")];
    let mut run = String::new();
    for c in s.chars() {
        if needs_char_code(c) {
            if !run.is_empty() {
                parts.push(quoted(&run));
                run.clear();
            }
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                parts.push(format!("[char]0x{:04X}", u));
            }
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        parts.push(quoted(&run));
    }
    parts
}

/// Text for a `#` comment or comment-based help: anything that could end the comment
/// (`#>`, a line break) or confuse a reader is replaced by `?`. Only the bundle's
/// validated name and version go through this; all other spec text stays in literals.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '?'
            }
        })
        .collect()
}

fn hive_code(h: Hive) -> &'static str {
    match h {
        Hive::Hklm => "HKLM",
        Hive::Hkcu => "HKCU",
    }
}

/// The `[Microsoft.Win32.RegistryValueKind]` name of the data.
fn data_kind(d: &RegData) -> &'static str {
    match d {
        RegData::Sz(_) => "String",
        RegData::ExpandSz(_) => "ExpandString",
        RegData::Dword(_) => "DWord",
        RegData::Qword(_) => "QWord",
        RegData::Binary(_) => "Binary",
        RegData::MultiSz(_) => "MultiString",
        // Read from an export only; a plan never holds one. `None` is REG_NONE's
        // RegistryValueKind; every other unmodelled code is `Unknown`.
        RegData::Raw { code: 0, .. } => "None",
        RegData::Raw { .. } => "Unknown",
    }
}

/// A PowerShell expression for the data, appended to `out`.
fn data_expr_into(out: &mut String, d: &RegData) {
    use std::fmt::Write;
    let bytes = |out: &mut String, b: &[u8]| {
        out.push_str("[byte[]]@(");
        for (i, x) in b.iter().enumerate() {
            let _ = write!(out, "{}0x{x:02X}", if i > 0 { ", " } else { "" });
        }
        out.push(')');
    };
    match d {
        RegData::Sz(s) | RegData::ExpandSz(s) => ps_literal_into(out, s),
        // Decimal; the engine converts to the signed Int32 that RegistryKey.SetValue needs.
        RegData::Dword(n) => {
            let _ = write!(out, "{n}");
        }
        // A string cast, because a bare literal above Int64.MaxValue is parsed as [decimal].
        RegData::Qword(n) => {
            let _ = write!(out, "[uint64]'{n}'");
        }
        RegData::Binary(b) => bytes(out, b),
        RegData::MultiSz(items) => {
            out.push_str("[string[]]@(");
            for (i, s) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                ps_literal_into(out, s);
            }
            out.push(')');
        }
        RegData::Raw { bytes: b, .. } => bytes(out, b),
    }
}

/// One hashtable per plan operation, in plan order, written in place with its line
/// ending. Every key is present on every entry (`$null` where it does not apply) so the
/// engine can read them under strict mode.
fn op_entry(op: &Op, out: &mut String) {
    let (kind, name, data) = match &op.action {
        Action::ResetKey => ("ResetKey", None, None),
        Action::Delete { name } => ("DeleteValue", Some(name), None),
        Action::Set { name, data } => ("Set", Some(name), Some(data)),
    };
    let p = &op.provenance;
    let field = |out: &mut String, head: &str, value: &str| {
        out.push_str(head);
        ps_literal_into(out, value);
    };
    field(out, "    @{ Op = ", kind);
    field(out, "; Hive = ", hive_code(op.hive));
    field(out, "; Key = ", &op.key);
    match name {
        Some(n) => field(out, "; Name = ", n),
        None => out.push_str("; Name = $null"),
    }
    match data {
        Some(d) => {
            field(out, "; Kind = ", data_kind(d));
            out.push_str("; Data = ");
            data_expr_into(out, d);
        }
        None => out.push_str("; Kind = $null; Data = $null"),
    }
    field(out, "; Setting = ", &p.setting);
    field(out, "; Product = ", &p.product);
    field(out, "; Policy = ", &p.location);
    field(out, "; Source = ", &p.spec_path);
    // Only shared switches carry `Shared`: remove.ps1 leaves them in place.
    if p.shared {
        out.push_str("; Shared = $true");
    }
    out.push_str(" }\n");
}

/// The data section: `$PolicycBundle` (spec metadata) and `$PolicycPlan` (every
/// operation). The only place plan or spec text enters a script.
pub fn data_section(plan: &Plan) -> String {
    let b = &plan.bundle;
    // About 300 bytes an operation (the NHS example: 280).
    let mut out = String::with_capacity(1024 + 400 * plan.ops.len());
    out.push_str("$PolicycBundle = [ordered]@{\n");
    for (k, v) in [
        ("Name", ps_literal(&b.name)),
        ("DisplayName", ps_literal(&b.display_name)),
        ("Version", ps_literal(&b.version)),
        ("Publisher", ps_literal(&b.publisher)),
        (
            "Description",
            b.description
                .as_deref()
                .map(ps_literal)
                .unwrap_or_else(|| "$null".into()),
        ),
        (
            "Compiler",
            ps_literal(concat!("policyc ", env!("CARGO_PKG_VERSION"))),
        ),
    ] {
        out.push_str(&format!("    {k} = {v}\n"));
    }
    out.push_str("}\n\n");
    out.push_str("$PolicycPlan = @(\n");
    for op in &plan.ops {
        op_entry(op, &mut out);
    }
    out.push_str(")\n");
    out
}

/// The template environment. Auto-escaping is off (PowerShell is not HTML), undefined
/// variables are errors, and the formatter prints only values this module marked safe
/// (pre-escaped PowerShell or comment text): a template that printed anything else, such
/// as a raw spec string, fails to render instead of producing an injectable script. The
/// built-in filters that mark values safe are removed for the same reason.
///
/// `build.rs` renders the scripts with the same rules
/// ([`crate::emit::templates::safe_only_environment`]); this environment is the
/// reference the tests render them with.
#[cfg(test)]
pub fn environment() -> Result<Environment<'static>, Error> {
    let mut env = crate::emit::templates::safe_only_environment("PowerShell")?;
    for (name, src) in TEMPLATES {
        env.add_template(name, src)?;
    }
    Ok(env)
}

#[cfg(test)]
fn safe(s: String) -> Value {
    Value::from_safe_string(s)
}

/// The logical text (LF line endings, no BOM) of one script.
pub fn render(plan: &Plan, script: Script) -> Result<String, EmitError> {
    Renderer::new(&crate::emit::Input::new(plan)).render(script)
}

/// The plan split for the Intune Remediation: (operations no Intune profile delivers, the
/// rest), each in plan order: one writer per value. An operation goes to "the rest" when
/// the Settings Catalog policy or the custom OMA-URI profile carries it
/// ([`crate::intune::settings_catalog::Routes`], the one place that decides the Intune
/// route of a value). Without a route model for the plan (a location the catalog cannot
/// resolve, unreadable definitions) everything stays with the scripts.
pub fn remediation_split(plan: &Plan) -> (Vec<Op>, Vec<Op>) {
    split_by(plan, crate::emit::Input::new(plan).routes().ok())
}

/// [`remediation_split`] with the plan's routes already resolved.
fn split_by(
    plan: &Plan,
    routes: Option<&crate::intune::settings_catalog::Routes>,
) -> (Vec<Op>, Vec<Op>) {
    let (mut mine, mut other) = (Vec::new(), Vec::new());
    for op in &plan.ops {
        if routes.is_some_and(|r| r.of(op).by_profile()) {
            other.push(op.clone());
        } else {
            mine.push(op.clone());
        }
    }
    (mine, other)
}

/// The data section of detect.ps1 and remediate.ps1: `$PolicycPlan` holds only the
/// operations no other route delivers ([`remediation_split`]); `$PolicycPlanElsewhere`
/// holds the rest, used only with `-FullPlan`.
pub fn remediation_data_section(plan: &Plan) -> String {
    remediation_data_section_by(plan, crate::emit::Input::new(plan).routes().ok())
}

fn remediation_data_section_by(
    plan: &Plan,
    routes: Option<&crate::intune::settings_catalog::Routes>,
) -> String {
    let (mine, other) = split_by(plan, routes);
    let own = Plan {
        bundle: plan.bundle.clone(),
        ops: mine,
        intune: plan.intune.clone(),
        baseline: plan.baseline.clone(),
        vendor: plan.vendor.clone(),
        vendor_ingest: plan.vendor_ingest.clone(),
    };
    let mut out = data_section(&own);
    out.push_str("\n# Operations an Intune profile of this bundle delivers (intune/). detect.ps1 and\n# remediate.ps1 leave them alone unless run with -FullPlan (SCCM, no Intune profile).\n");
    out.push_str("$PolicycPlanElsewhere = @(\n");
    for op in &other {
        op_entry(op, &mut out);
    }
    out.push_str(")\n");
    out
}

/// The escaped values of the [`VARIABLES`] for all the scripts of a plan.
struct Renderer {
    data_section: String,
    /// The data section of detect.ps1 and remediate.ps1.
    remediation_data_section: String,
    comment_name: String,
    comment_version: String,
    comment_compiler: String,
}

impl Renderer {
    fn new(plan: &crate::emit::Input) -> Renderer {
        let b = &plan.bundle;
        Renderer {
            data_section: data_section(plan),
            remediation_data_section: remediation_data_section_by(plan, plan.routes().ok()),
            comment_name: comment_text(&b.name),
            comment_version: comment_text(&b.version),
            comment_compiler: comment_text(concat!("policyc ", env!("CARGO_PKG_VERSION"))),
        }
    }

    /// The template's variables as [`environment`] takes them (tests render with it).
    #[cfg(test)]
    fn context(&self, script: Script) -> Value {
        let section = match script {
            Script::Detect | Script::Remediate => &self.remediation_data_section,
            _ => &self.data_section,
        };
        minijinja::context! {
            data_section => safe(section.clone()),
            comment_name => safe(self.comment_name.clone()),
            comment_version => safe(self.comment_version.clone()),
            comment_compiler => safe(self.comment_compiler.clone()),
        }
    }

    /// The script's skeleton with each variable's value in its place.
    fn render(&self, script: Script) -> Result<String, EmitError> {
        let section = match script {
            Script::Detect | Script::Remediate => &self.remediation_data_section,
            _ => &self.data_section,
        };
        let skeleton = script.skeleton();
        let mut out = String::with_capacity(skeleton.len() + section.len() + 1024);
        // Fixed text and variable names alternate: the marker opens and closes a name.
        // The markers are found with memchr's SIMD search: `split('\u{1}')` scanned the
        // 170 KB of skeletons a word at a time (about 1% of the NHS build's instructions).
        let bytes = skeleton.as_bytes();
        let mut start = 0;
        let ends = memchr::memchr_iter(1, bytes).chain(std::iter::once(bytes.len()));
        for (i, end) in ends.enumerate() {
            // The marker is ASCII, so both ends are character boundaries.
            let part = &skeleton[start..end];
            start = end + 1;
            out.push_str(match (i % 2, part) {
                (0, text) => text,
                (_, "data_section") => section,
                (_, "comment_name") => &self.comment_name,
                (_, "comment_version") => &self.comment_version,
                (_, "comment_compiler") => &self.comment_compiler,
                (_, other) => {
                    return Err(EmitError {
                        emitter: "powershell",
                        message: format!("{}: no script variable `{other}`", script.path()),
                    })
                }
            });
        }
        Ok(out)
    }
}

impl Emitter for PowerShellEmitter {
    fn name(&self) -> &'static str {
        "powershell"
    }

    fn emit(&self, plan: &crate::emit::Input) -> Result<Vec<Artifact>, EmitError> {
        let renderer = Renderer::new(plan);
        Script::ALL
            .iter()
            .map(|&s| {
                let text = renderer.render(s)?;
                // Spec text is ASCII by `ps_literal`; this also holds the templates to it.
                // `is_ascii` first: it checks words at a time, where decoding every
                // character of 170 KB of scripts was a tenth of this emitter's time.
                if let Some(c) = (!text.is_ascii())
                    .then(|| text.chars().find(|c| !c.is_ascii()))
                    .flatten()
                {
                    return Err(EmitError {
                        emitter: "powershell",
                        message: format!(
                            "{}: U+{:04X} outside a literal; the scripts must be ASCII only",
                            s.path(),
                            c as u32
                        ),
                    });
                }
                Ok(Artifact {
                    path: s.path().to_string(),
                    kind: s.kind(),
                    bytes: encoding::encode(&text, encoding::for_kind(s.kind())),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    /// `data_expr` as first written (a string per part, joined): the in-place writer
    /// must give the same kind and expression for every kind of data.
    #[test]
    fn data_written_in_place_equals_the_joined_form() {
        let reference = |d: &RegData| -> (&'static str, String) {
            match d {
                RegData::Sz(s) => ("String", ps_literal(s)),
                RegData::ExpandSz(s) => ("ExpandString", ps_literal(s)),
                RegData::Dword(n) => ("DWord", n.to_string()),
                RegData::Qword(n) => ("QWord", format!("[uint64]'{n}'")),
                RegData::Binary(b) => {
                    let bytes: Vec<String> = b.iter().map(|x| format!("0x{x:02X}")).collect();
                    ("Binary", format!("[byte[]]@({})", bytes.join(", ")))
                }
                RegData::MultiSz(items) => {
                    let items: Vec<String> = items.iter().map(|s| ps_literal(s)).collect();
                    ("MultiString", format!("[string[]]@({})", items.join(", ")))
                }
                RegData::Raw { code, bytes } => {
                    let bytes: Vec<String> = bytes.iter().map(|x| format!("0x{x:02X}")).collect();
                    let kind = if *code == 0 { "None" } else { "Unknown" };
                    (kind, format!("[byte[]]@({})", bytes.join(", ")))
                }
            }
        };
        let data = [
            RegData::Sz("it's caf\u{e9}".into()),
            RegData::Sz(String::new()),
            RegData::ExpandSz("%SystemRoot%\\x".into()),
            RegData::Dword(0),
            RegData::Dword(u32::MAX),
            RegData::Qword(u64::MAX),
            RegData::Binary(vec![]),
            RegData::Binary(vec![0, 0xAB, 0xff]),
            RegData::MultiSz(vec![]),
            RegData::MultiSz(vec!["a".into(), "b'c".into(), "\u{2018}".into()]),
            RegData::Raw {
                code: 0,
                bytes: vec![1],
            },
            RegData::Raw {
                code: 0x100,
                bytes: vec![],
            },
        ];
        for d in &data {
            let mut out = String::from("x");
            data_expr_into(&mut out, d);
            let (kind, expr) = reference(d);
            assert_eq!((data_kind(d), &out[1..]), (kind, expr.as_str()), "{d:?}");
        }
    }

    use super::*;

    #[test]
    fn literals_double_quotes_and_splice_typographic_ones() {
        assert_eq!(ps_literal("abc"), "'abc'");
        assert_eq!(ps_literal("it's"), "'it''s'");
        // The typographic quotes PowerShell also treats as quotes are not ASCII, so
        // they never reach a literal.
        assert_eq!(
            ps_literal("a\u{2018}b\u{2019}c"),
            "('' + 'a' + [char]0x2018 + 'b' + [char]0x2019 + 'c')"
        );
        assert_eq!(
            ps_literal("\u{201A}\u{201B}"),
            "('' + [char]0x201A + [char]0x201B)"
        );
        assert_eq!(ps_literal("$(calc) `n \"x\""), "'$(calc) `n \"x\"'");
        assert_eq!(ps_literal(""), "''");
    }

    #[test]
    fn non_ascii_is_spliced_as_utf16_code_units() {
        assert_eq!(ps_literal("caf\u{e9}"), "('' + 'caf' + [char]0x00E9)");
        // U+1F600 is the surrogate pair D83D DE00.
        assert_eq!(
            ps_literal("a\u{1F600}"),
            "('' + 'a' + [char]0xD83D + [char]0xDE00)"
        );
        assert_eq!(ps_literal("\u{7f}"), "('' + [char]0x007F)");
        for s in ["caf\u{e9}", "\u{2019}x\u{1F600}", "Ysbyty Gwynedd \u{175}"] {
            assert!(ps_literal(s).is_ascii(), "{s}");
        }
    }

    #[test]
    fn control_characters_are_spliced_as_char_codes() {
        assert_eq!(ps_literal("a\nb"), "('' + 'a' + [char]0x000A + 'b')");
        assert_eq!(ps_literal("\r\n"), "('' + [char]0x000D + [char]0x000A)");
    }

    #[test]
    fn comment_text_cannot_close_a_comment() {
        assert_eq!(comment_text("a#>b\nc"), "a??b?c");
    }

    /// The scripts `build.rs` rendered, once their variables are filled in, are the ones
    /// the templates render: for both examples (one of them has a remediation data
    /// section different from its full one).
    #[test]
    fn skeletons_render_as_the_templates_do() {
        let env = environment().unwrap();
        for spec in [
            "examples/nhs-credential-management.yaml",
            "examples/nhs-credential-management-int.yaml",
        ] {
            let bytes = std::fs::read(spec).unwrap();
            let catalog = crate::catalog::Catalog::builtin().unwrap();
            let plan = crate::compile(spec, &bytes, catalog).plan.unwrap();
            let input = crate::emit::Input::new(&plan);
            let r = Renderer::new(&input);
            assert_ne!(r.data_section, r.remediation_data_section, "{spec}");
            for s in Script::ALL {
                let reference = env
                    .get_template(s.template())
                    .unwrap()
                    .render(r.context(s))
                    .unwrap();
                assert_eq!(r.render(s).unwrap(), reference, "{spec}: {}", s.path());
                assert!(!reference.contains('\u{1}'));
            }
        }
        // The marker only opens and closes a variable's name.
        for s in Script::ALL {
            let names: Vec<&str> = s.skeleton().split('\u{1}').skip(1).step_by(2).collect();
            assert!(!names.is_empty(), "{}", s.path());
            assert!(names.iter().all(|n| VARIABLES.contains(n)), "{names:?}");
        }
    }

    #[test]
    fn templates_refuse_unescaped_values() {
        let mut env = environment().unwrap();
        env.add_template("t", "{{ x }}").unwrap();
        let t = env.get_template("t").unwrap();
        assert!(t.render(minijinja::context! { x => "'; calc; '" }).is_err());
        assert!(t.render(minijinja::context! { x => 1 }).is_err());
        assert_eq!(
            t.render(minijinja::context! { x => safe("'ok'".into()) })
                .unwrap(),
            "'ok'"
        );
        // The filters that would mark a raw value safe are gone.
        env.add_template("u", "{{ y|safe }}").unwrap();
        let u = env.get_template("u").unwrap();
        assert!(u.render(minijinja::context! { y => "'; calc; '" }).is_err());
    }
}
