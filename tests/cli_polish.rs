//! The command line as a new admin meets it: a closed pipe, delivery notes, `--help`,
//! `init` options, error wording and hints, per-setting products.

mod common;

use assert_cmd::Command;
use std::fs;
use std::path::Path;
use std::process::Stdio;

const EXAMPLE: &str = "examples/nhs-credential-management.yaml";
const INT: &str = "examples/nhs-credential-management-int.yaml";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: o.status.code().unwrap(),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

/// The example with `from` replaced by `to` (which must occur), written to `dir/name`.
fn variant(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = fs::read_to_string(EXAMPLE).unwrap();
    assert!(text.contains(from), "the example no longer has `{from}`");
    let p = dir.join(name);
    fs::write(&p, text.replacen(from, to, 1)).unwrap();
    p.to_str().unwrap().to_string()
}

/// Runs policyc with a stdout pipe whose reading end is already closed when policyc
/// writes: `sh` waits before it execs policyc, and the reader is dropped at once.
fn closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("sleep 0.3; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_policyc"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // Before: "failed printing to stdout: Broken pipe" and exit 101.
    for (args, code) in [
        (vec!["schema"], 0),
        (vec!["catalog", "--format", "json"], 0),
        (vec!["diff", EXAMPLE, INT, "--format", "json"], 1),
        (vec!["completions", "bash"], 0),
    ] {
        let (got, stderr) = closed_pipe(&args);
        assert_eq!(got, Some(code), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
    // A real consumer: `head -1` takes one line, policyc ends without a word.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("\"$0\" schema | head -1")
        .arg(env!("CARGO_BIN_EXE_policyc"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\n");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn delivery_notes_are_counted_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let out = out.to_str().unwrap();
    // 12 values by the Settings Catalog policy, 2 by the custom profile (one through
    // chrome.admx, whose ingestion is the 18th note), 3 by the remediation; and the six
    // Chromium lists the bundle replaces wholesale.
    let count = "18 delivery notes (Intune routes, ADMX ingestion) and 6 lists replaced wholesale (list-replaced); add --notes to list them";
    let runs = [
        vec!["check", EXAMPLE],
        vec!["build", EXAMPLE, "--out", out],
        vec!["build", "--check", EXAMPLE, "--out", out],
    ];
    for args in &runs {
        let r = run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(count), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("note[intune"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.lines().count() <= 2, "{args:?}: {}", r.stderr);
        let mut with = args.clone();
        with.push("--notes");
        let r = run(&with);
        assert_eq!(r.code, 0, "{with:?}");
        assert_eq!(
            r.stderr.matches("note[intune-").count(),
            18,
            "{with:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("add --notes"), "{with:?}");
        // Notes that are shown keep their line and column (they are located only when
        // shown: see CompileOptions::notes_counted_only).
        assert_eq!(
            r.stderr.matches(&format!("--> {EXAMPLE}:")).count(),
            24,
            "{with:?}: {}",
            r.stderr
        );
        // GitHub: one plain line, not one ::notice annotation per note.
        let mut gh = args.clone();
        gh.extend(["--format", "github"]);
        let r = run(&gh);
        assert_eq!(r.code, 0, "{gh:?}");
        assert!(!r.stdout.contains("::notice"), "{gh:?}: {}", r.stdout);
        assert!(r.stdout.contains(count), "{gh:?}: {}", r.stdout);
        gh.push("--notes");
        let r = run(&gh);
        // The 18 delivery notes and the 6 lists replaced wholesale.
        assert_eq!(r.stdout.matches("::notice ").count(), 24, "{gh:?}");
    }
    // JSON is for programs: it always lists every note.
    let r = run(&["check", "--format", "json", EXAMPLE]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["notes"], 24);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 24);
    for d in v["diagnostics"].as_array().unwrap() {
        assert!(d["line"].as_u64().is_some_and(|l| l > 1), "{d}");
        assert!(d["column"].as_u64().is_some(), "{d}");
    }
}

/// `notes_counted_only` (the command line without `--notes`) leaves only the delivery
/// notes without a position; errors, warnings and `left-out` notes are still located.
#[test]
fn counted_notes_are_not_located_and_the_rest_are() {
    let catalog = policyc::catalog::Catalog::builtin().unwrap();
    let bytes = fs::read(EXAMPLE).unwrap();
    let compile = |counted: bool, bytes: &[u8]| {
        let opts = policyc::CompileOptions {
            notes_counted_only: counted,
            ..Default::default()
        };
        policyc::compile_with(EXAMPLE, bytes, catalog, &opts, |_| ()).0
    };
    let located = compile(false, &bytes);
    let counted = compile(true, &bytes);
    assert_eq!(located.diagnostics.len(), 24);
    assert_eq!(counted.diagnostics.len(), 24);
    for (a, b) in located.diagnostics.iter().zip(&counted.diagnostics) {
        assert!(a.is_delivery_note(), "{a:?}");
        assert!(a.line.is_some() && a.column.is_some(), "{a:?}");
        assert_eq!((b.line, b.column), (None, None), "{b:?}");
        assert_eq!(
            (&a.code, &a.message, &a.path),
            (&b.code, &b.message, &b.path)
        );
    }
    // An error in the same spec is located either way.
    let text = String::from_utf8(bytes).unwrap();
    let bad = text.replacen(
        "min_browser_version: 140",
        "min_browser_version: \"140\"",
        1,
    );
    assert_ne!(
        bad, text,
        "the example no longer sets min_browser_version: 140"
    );
    let err = compile(true, bad.as_bytes());
    let e = err
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert!(e.line.is_some(), "{e:?}");
}

#[test]
fn help_describes_the_arguments_and_exit_codes() {
    let top = run(&["--help"]);
    assert!(
        top.stdout.contains("Exit codes:\n  0  success"),
        "{}",
        top.stdout
    );
    assert!(
        top.stdout.contains("  2  usage or I/O error"),
        "{}",
        top.stdout
    );
    let check = run(&["check", "--help"]);
    assert!(
        check
            .stdout
            .contains("<SPEC>\n          The spec: a YAML file in policyc's format"),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("--notes"), "{}", check.stdout);
    assert!(check
        .stdout
        .contains("Exit codes: 0 valid, 1 spec errors, 2 usage or I/O error."));
    let build = run(&["build", "--help"]);
    assert!(
        build
            .stdout
            .contains("--out <OUT>\n          The bundle folder: a new folder"),
        "{}",
        build.stdout
    );
    assert!(
        build.stdout.contains("Exit codes: 0 written"),
        "{}",
        build.stdout
    );
    for sub in [
        "diff",
        "verify",
        "init",
        "explain",
        "plan",
        "import",
        "convert",
        "schema",
        "catalog",
        "completions",
    ] {
        let r = run(&[sub, "--help"]);
        assert!(r.stdout.contains("Exit codes: "), "{sub}: {}", r.stdout);
    }
    // Every argument has a description: no empty help line under an argument.
    for sub in [
        "check", "build", "diff", "init", "plan", "verify", "explain", "import", "convert",
    ] {
        let r = run(&[sub, "--help"]);
        let lines: Vec<&str> = r.stdout.lines().collect();
        for w in lines.windows(2) {
            if w[0].trim_start().starts_with('<') || w[0].trim_start().starts_with("--") {
                assert!(
                    !w[1].trim().is_empty() || w[0].contains("  "),
                    "{sub}: `{}` has no description",
                    w[0]
                );
            }
        }
    }
    let v = run(&["--version"]);
    assert_eq!(v.stdout, format!("policyc {}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(run(&["-V"]).stdout, v.stdout);
}

#[test]
fn init_options_comments_and_a_second_spec_in_the_same_folder() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("trust.yaml");
    let first_s = first.to_str().unwrap();
    let r = run(&[
        "init",
        first_s,
        "--name",
        "rxy-credential-management",
        "--publisher",
        "Example \"Quoted\" NHS Trust",
        "--products",
        "edge",
        "--environment",
        "int",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = fs::read_to_string(&first).unwrap();
    assert!(
        text.contains(&format!("# Check:  policyc check {first_s}\n")),
        "{text}"
    );
    assert!(text.contains(&format!(
        "# Build:  policyc build {first_s} --out bundle/\n"
    )));
    assert!(!text.contains("examples/"), "{text}");
    assert!(
        text.contains("  name: \"rxy-credential-management\"\n"),
        "{text}"
    );
    assert!(
        text.contains("  publisher: \"Example \\\"Quoted\\\" NHS Trust\"\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "# Browser settings below are written for each of these (edge).\nproducts: [edge]\n"
        ),
        "the comment names the products below it: {text}"
    );
    assert!(
        text.contains("https://int.api.service.nhs.uk"),
        "INT environment: {text}"
    );
    let plan = run(&["plan", "--format", "json", first_s]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(!plan.stdout.contains("Google"), "products: [edge] only");
    assert!(plan.stdout.contains("Microsoft\\\\Edge"));
    let live = run(&["init", dir.path().join("live.yaml").to_str().unwrap()]);
    assert_eq!(
        live.code, 0,
        "a second init in the same folder: {}",
        live.stderr
    );
    assert!(
        live.stdout.contains("already up to date"),
        "{}",
        live.stdout
    );
    let text = fs::read_to_string(dir.path().join("live.yaml")).unwrap();
    assert!(text.contains("https://api.service.nhs.uk\n"), "{text}");
    assert!(text.contains("products: [chrome, edge]"), "{text}");
    assert_eq!(
        run(&["check", dir.path().join("live.yaml").to_str().unwrap()]).code,
        0
    );
    // A schema file that differs is kept, and init says how to update it.
    fs::write(dir.path().join("spec-v1.schema.json"), "{}\n").unwrap();
    let third = run(&["init", dir.path().join("third.yaml").to_str().unwrap()]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert!(third
        .stdout
        .contains("which differs from this policyc's schema"));
    assert_eq!(
        fs::read(dir.path().join("spec-v1.schema.json")).unwrap(),
        b"{}\n"
    );
    // The spec itself is never overwritten.
    let again = run(&["init", first_s]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"));
    // A name the spec format refuses: the real diagnostic, nothing written.
    let bad = dir.path().join("bad.yaml");
    let r = run(&["init", bad.to_str().unwrap(), "--name", "Not A Slug"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("error[invalid-name]"), "{}", r.stderr);
    assert!(!bad.exists());
    let r = run(&["init", bad.to_str().unwrap(), "--products", "firefox"]);
    assert_eq!(r.code, 2);
    assert!(!bad.exists());
}

#[test]
fn errors_say_what_is_wrong_once_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tab = variant(d, "tab.yaml", "    value: false\n", "\tvalue: false\n");
    let r = run(&["check", &tab]);
    assert_eq!(r.code, 1);
    let first = r.stderr.lines().next().unwrap();
    assert_eq!(
        first,
        "error[yaml-syntax]: a tab in the indentation; YAML indents with spaces only"
    );
    assert!(r.stderr.contains("tab.yaml:39:1"), "{}", r.stderr);
    assert!(
        r.stderr.contains("hint: indent with spaces"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("at line"),
        "one position only: {}",
        r.stderr
    );

    let quoted = variant(
        d,
        "quoted.yaml",
        "min_browser_version: 140",
        "min_browser_version: \"140\"",
    );
    let r = run(&["check", &quoted]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error[wrong-type]: `min_browser_version` must be a number, without quotes; found the string \"140\""), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("hint: write a number, without quotes: 140"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("u32"), "{}", r.stderr);

    for (name, from, to, hint) in [
        (
            "no.yaml",
            "    value: false\n",
            "    value: \"no\"\n",
            "write true or false without quotes; in quotes, \"no\" is text",
        ),
        (
            "zone.yaml",
            "\"http://localhost\": intranet",
            "\"http://localhost\": intarnet",
            "did you mean `intranet`?",
        ),
    ] {
        let p = variant(d, name, from, to);
        let r = run(&["check", &p]);
        assert_eq!(r.code, 1);
        assert!(
            r.stderr.contains(&format!("= hint: {hint}")),
            "{name}: {}",
            r.stderr
        );
        let j = run(&["check", "--format", "json", &p]);
        let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
        assert_eq!(v["diagnostics"][0]["code"], "wrong-type", "{name}");
        assert_eq!(v["diagnostics"][0]["hint"], hint, "{name}");
    }

    let empty = d.join("empty.yaml");
    fs::write(&empty, "").unwrap();
    let r = run(&["check", empty.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("error[missing-key]: the file is empty\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("`policyc`"), "{}", r.stderr);
    fs::write(&empty, "# nothing yet\n\n").unwrap();
    let r = run(&["check", empty.to_str().unwrap()]);
    assert!(
        r.stderr
            .contains("the file is empty: it holds only comments"),
        "{}",
        r.stderr
    );

    // A list item one level too deep: the indentation, not a bad port.
    let deep = d.join("deep.yaml");
    fs::write(
        &deep,
        "policyc: 1\nbundle: {name: t, display_name: T, version: \"1.0\", publisher: P}\nproducts: [chrome]\nsettings:\n  - id: lna-allowed-origins\n    value:\n      - https://a.nhs.uk\n        - https://b.nhs.uk\n",
    )
    .unwrap();
    let r = run(&["check", deep.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(!r.stderr.contains("port"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "error[yaml-syntax]: this list item is indented deeper than the item above it (line 7)"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("deep.yaml:8:9"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("hint: indent its `-` by 6 spaces, as the item above"),
        "{}",
        r.stderr
    );
    // The same in the example, where a comment sits between the items.
    let text = fs::read_to_string(EXAMPLE).unwrap();
    let deep2 = d.join("deep2.yaml");
    fs::write(
        &deep2,
        text.replacen(
            "      - https://api.service.nhs.uk\n",
            "        - https://api.service.nhs.uk\n",
            1,
        ),
    )
    .unwrap();
    let r = run(&["check", deep2.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("this list item is indented deeper than the item above it"),
        "{}",
        r.stderr
    );
    // Control: dash lines inside a block scalar's text are text, not list items (the
    // note is refused for its line breaks, which is the real problem).
    let note = d.join("note.yaml");
    fs::write(
        &note,
        "policyc: 1\nbundle: {name: t, display_name: T, version: \"1.0\", publisher: P}\nproducts: [chrome]\nsettings:\n  - id: lna-allowed-origins\n    note: |\n      - first\n        - nested\n    value:\n      - https://a.nhs.uk\n",
    )
    .unwrap();
    let r = run(&["check", note.to_str().unwrap()]);
    assert!(
        r.stderr
            .starts_with("error[control-character]: `settings[0].note`"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("indented deeper"), "{}", r.stderr);
    // Control: items in one column are fine.
    fs::write(
        &deep,
        fs::read_to_string(&deep)
            .unwrap()
            .replace("        - https://b", "      - https://b"),
    )
    .unwrap();
    assert_eq!(run(&["check", deep.to_str().unwrap()]).code, 0);
}

#[test]
fn a_settings_products_only_narrow_the_specs() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |products: &str, setting: &str| {
        let p = dir.path().join("s.yaml");
        fs::write(
            &p,
            format!("policyc: 1\nbundle: {{name: t, display_name: T, version: \"1.0\", publisher: P}}\nproducts: {products}\nsettings:\n  - id: auth-server-allowlist\n    value: [\"http://localhost\"]\n    acknowledge: [auth-allowlist-loopback-only]\n    products: {setting}\n"),
        )
        .unwrap();
        p.to_str().unwrap().to_string()
    };
    let r = run(&["check", &spec("[edge]", "[chrome]")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("error[product-not-applicable]: setting `auth-server-allowlist` names product `chrome`, which the spec's `products:` [edge] does not list"), "{}", r.stderr);
    assert!(
        r.stderr.contains("s.yaml:8:16 (settings[0].products[0])"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("add `chrome` to the spec's top-level `products:`"),
        "{}",
        r.stderr
    );
    // Narrowing is fine.
    let r = run(&["plan", &spec("[chrome, edge]", "[chrome]")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Google\\Chrome") && !r.stdout.contains("Microsoft\\Edge"));
}
