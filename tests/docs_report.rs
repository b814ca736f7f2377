//! The bundle's docs (docs/README.md, docs/report.html): complete, inert against
//! hostile spec strings (checked by a real Markdown renderer), and rendered by
//! headless Chromium with a screenshot and no console messages.

mod common;

use assert_cmd::Command;
use std::path::Path;

fn build(spec: &str, out: &Path) {
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(["build", spec, "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A spec whose free-text fields try to inject Markdown, HTML and script.
const HOSTILE: &str = r#"policyc: 1
bundle:
  name: hostile
  display_name: "<script>alert(1)</script> [click](javascript:alert(2)) | # *x* <img src=x onerror=alert(3)>"
  version: "1.0"
  publisher: "Trust & Co <b>bold</b> `code` ![i](https://evil.example/x.png)"
  description: "- not a list"
products: [chrome]
settings:
  - id: auth-server-allowlist
    value: ["http://localhost"]
    acknowledge: [auth-allowlist-loopback-only]
"#;

#[test]
fn docs_cover_every_setting_with_routes_and_sources() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let ex = "examples/nhs-credential-management.yaml";
    build(ex, &out);
    let md = std::fs::read_to_string(out.join("docs/README.md")).unwrap();
    let html = std::fs::read_to_string(out.join("docs/report.html")).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let kinds: Vec<(&str, &str)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("docs/README.md", "docs"))
            && kinds.contains(&("docs/report.html", "docs"))
    );
    // The rollback section names the one value both rollbacks keep (the undo file and
    // remove.ps1 leave the Site to Zone Assignment List's switch on).
    let kept = "HKLM\\Software\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ListBox_Support_ZoneMapKey";
    // The impact notes say what turning on the Site to Zone Assignment List does to
    // users' own zone assignments (InetRes.adml), and that Intune does not merge a setting
    // across profiles.
    assert!(
        md.contains("Site to Zone Assignment List: the bundle turns this policy on"),
        "{md}"
    );
    assert!(
        md.contains("Intune does not merge one setting across profiles"),
        "{md}"
    );
    assert_eq!(md.matches("- **Kept**: ").count(), 1, "{md}");
    assert!(
        md.contains(&format!("- **Kept**: `{kept}` stays after either rollback")),
        "{md}"
    );
    assert!(html.contains(&format!(
        "<li><strong>Kept</strong>: <code>{kept}</code> stays after either rollback"
    )));
    let plan: serde_json::Value = serde_json::from_slice(
        &Command::cargo_bin("policyc")
            .unwrap()
            .args(["plan", ex, "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let catalog = policyc::catalog::Catalog::builtin().unwrap();
    for op in plan["ops"].as_array().unwrap() {
        let setting = op["provenance"]["setting"].as_str().unwrap();
        let path = op["provenance"]["spec_path"].as_str().unwrap();
        for doc in [&md, &html] {
            assert!(doc.contains(path), "{path} missing");
            assert!(doc.contains(setting), "{setting} missing");
        }
        let entry = catalog.get(setting).unwrap();
        for s in &entry.sources {
            assert!(
                md.contains(&format!("<{}>", s.url)),
                "{setting}: source {} missing",
                s.url
            );
            assert!(
                html.contains(&format!("href=\"{}\"", s.url)),
                "{setting}: source {} missing",
                s.url
            );
        }
    }
    // Each route column is filled for a setting with every route.
    // A vendor-defined value names the vendor's policy, and the Central Store needs its template.
    assert!(md.contains("GPMC shows it under chrome.admx's policy Google.Policies.Chrome:LocalNetworkAccessAllowedForUrls (googlechrome\\~LocalNetworkAccessSettings)"), "{md}");
    assert!(md.contains("The Central Store also needs the vendors' own templates (with their ADML files): `chrome.admx`, `google.admx`, `inetres.admx`, `msedge.admx`"), "{md}");
    // A value no vendor template defines keeps the bundle ADMX's policy.
    assert!(
        md.contains("ADMX policy OberthurEnableNhsEnrollment"),
        "{md}"
    );
    // The Intune column names the Settings Catalog definition where Intune has one.
    assert!(md.contains("the Settings Catalog profile intune/settings-catalog/device.json (setting definition device\\_vendor\\_msft\\_policy\\_config\\_internetexplorer\\_includealllocalsites)"));
}

#[test]
fn hostile_strings_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("hostile.yaml");
    std::fs::write(&spec, HOSTILE).unwrap();
    let out = dir.path().join("b");
    build(spec.to_str().unwrap(), &out);
    let md = std::fs::read_to_string(out.join("docs/README.md")).unwrap();
    // Render the Markdown with a real CommonMark/GFM renderer and look at the HTML it makes.
    let mut rendered = String::new();
    let opts =
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
    pulldown_cmark::html::push_html(&mut rendered, pulldown_cmark::Parser::new_ext(&md, opts));
    for doc in [
        &rendered,
        &std::fs::read_to_string(out.join("docs/report.html")).unwrap(),
    ] {
        for bad in [
            "<script",
            "<img",
            "<b>",
            "javascript:alert(2)\"",
            "href=\"javascript",
            "<em>x</em>",
            "src=\"https://evil",
        ] {
            assert!(!doc.contains(bad), "`{bad}` became markup:\n{doc}");
        }
        assert!(
            doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{doc}"
        );
        assert!(doc.contains("Trust &amp; Co"), "{doc}");
    }
    // The description did not become a list, and the title is one heading line.
    assert!(!rendered.contains("<li>not a list"), "{rendered}");
    assert_eq!(rendered.matches("<h1>").count(), 1);
}

fn chromium(args: &[&str]) -> (bool, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn report_renders_in_headless_chromium_without_console_messages() {
    if !common::require("chromium", "chromium") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    build("examples/nhs-credential-management.yaml", &out);
    let report = out.join("docs/report.html");
    let url = format!("file://{}", report.display());
    let png = dir.path().join("report.png");
    let (ok, log) = chromium(&[
        "--window-size=1200,2400",
        &format!("--screenshot={}", png.display()),
        &url,
    ]);
    assert!(ok, "{log}");
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000,
        "screenshot too small ({} bytes)",
        bytes.len()
    );
    // Console messages (errors, CSP violations) are logged as INFO:CONSOLE lines.
    assert!(!log.contains(":CONSOLE"), "console output:\n{log}");
    let (ok, dom) = chromium(&["--dump-dom", &url]);
    assert!(ok);
    assert!(
        dom.contains("<h1>NHS Credential Management (Live)</h1>"),
        "{dom}"
    );
    assert!(dom.contains("LoopbackNetworkAllowedForUrls"));

    // Control: the same check sees a console message when a page logs one.
    let noisy = dir.path().join("noisy.html");
    std::fs::write(
        &noisy,
        "<!DOCTYPE html><p>x</p><script>console.error('boom')</script>",
    )
    .unwrap();
    let (_, log) = chromium(&["--dump-dom", &format!("file://{}", noisy.display())]);
    assert!(
        log.contains(":CONSOLE") && log.contains("boom"),
        "the console check cannot see messages:\n{log}"
    );
}

/// The change-approval report prints to PDF (`chromium --headless --print-to-pdf`, A4),
/// and the PDF's text (pypdf) holds every word the report must carry unbroken and
/// unclipped: each setting id, `REG_DWORD`/`REG_SZ` as often as the summary lists them,
/// each part of each registry key, and each file hash. A word split across lines
/// (`REG_DWOR` / `D`) or cut off at the page edge is missing from the text. Control: the
/// same report with `word-break: break-all` and a narrow page fails the same check.
#[test]
fn report_prints_to_pdf_without_split_or_clipped_words() {
    if !common::require("chromium", "chromium")
        || !common::require_python("pypdf", "'pypdf==7.1.0'")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let ex = "examples/nhs-credential-management.yaml";
    build(ex, &out);
    let html = std::fs::read_to_string(out.join("docs/report.html")).unwrap();
    for section in [
        "<h2>Summary of changes</h2>",
        "<h2>Impact and risk</h2>",
        "<h2>Lists replaced wholesale</h2>",
        "<h2>Rollback</h2>",
        "<h2>Test plan</h2>",
        "<h2>Sign-off</h2>",
        "<h2>File hashes</h2>",
    ] {
        assert!(html.contains(section), "{section}");
    }
    assert!(html.contains("Integrated sign-in: AuthServerAllowlist is set for chrome, edge."));
    let plan = common::plan_of(ex);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let mut words: Vec<String> = Vec::new();
    for op in &plan.ops {
        words.push(op.provenance.setting.clone());
        words.extend(
            op.key
                .split(['\\', ' '])
                .filter(|w| w.len() > 3)
                .map(str::to_string),
        );
    }
    for f in manifest["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        if !path.starts_with("docs/") {
            let hash = f["sha256"].as_str().unwrap().to_string();
            assert!(html.contains(&hash), "{path}: hash not in the report");
            words.push(hash);
        }
    }
    words.sort();
    words.dedup();
    let dwords = plan
        .ops
        .iter()
        .filter(|o| {
            matches!(
                &o.action,
                policyc::plan::Action::Set {
                    data: policyc::reg::RegData::Dword(_),
                    ..
                }
            )
        })
        .count();

    let print = |page: &Path, name: &str| -> serde_json::Value {
        let pdf = dir.path().join(name);
        let (ok, log) = chromium(&[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
            &format!("file://{}", page.display()),
        ]);
        assert!(ok, "{log}");
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
        let doc: serde_json::Value = serde_json::from_slice(&common::run_python_checker(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pdf_text.py"),
            &[(name.to_string(), bytes)],
        ))
        .unwrap();
        doc["files"][0].clone()
    };
    let missing = |doc: &serde_json::Value| -> Vec<String> {
        let text = doc["text"].as_str().unwrap();
        words
            .iter()
            .filter(|w| !text.contains(w.as_str()))
            .cloned()
            .collect()
    };

    let report = out.join("docs/report.html");
    let doc = print(&report, "report.pdf");
    for size in doc["sizes"].as_array().unwrap() {
        // A4 in points (210 x 297 mm).
        let (w, h) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
        assert!(
            (w - 595.0).abs() < 2.0 && (h - 842.0).abs() < 2.0,
            "{w} x {h}"
        );
    }
    assert!(doc["pages"].as_u64().unwrap() > 1);
    assert_eq!(
        missing(&doc),
        Vec::<String>::new(),
        "split or clipped words"
    );
    let text = doc["text"].as_str().unwrap();
    assert!(text.matches("REG_DWORD").count() >= dwords, "{text}");

    // Control: forced breaks inside words, on a narrow page.
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        html.replace(
            "</style>",
            "td, code, .nw, .hash { word-break: break-all !important; white-space: normal !important; } body { max-width: 30rem !important; }\n</style>",
        ),
    )
    .unwrap();
    let doc = print(&broken, "broken.pdf");
    assert!(
        !missing(&doc).is_empty(),
        "the check does not see words broken across lines"
    );
}

/// `build --against EXPORT`: the change summary gains a column with what the machine's
/// exports hold today at each write (the before and after of the change-approval report);
/// without `--against` there is no such column (control).
#[test]
fn against_adds_what_the_machine_holds_today() {
    let dir = tempfile::tempdir().unwrap();
    let with = dir.path().join("with");
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args([
            "build",
            "examples/nhs-credential-management.yaml",
            "--no-sync",
            "--against",
            "tests/fixtures/exports/drift.reg",
            "--out",
        ])
        .arg(&with)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(with.join("docs/README.md")).unwrap();
    assert!(
        md.contains("| change | key | value | type | data | setting | today (the --against exports) |\n|---|---|---|---|---|---|---|\n| set |"),
        "{md}"
    );
    // The stale entry the list reset removes is shown, and the value it replaces.
    assert!(md.contains("`2 entries: https://manage-care-identities.care-identity-service2.nhs.uk, https://stale.example.nhs.uk` |"), "{md}");
    assert!(md.contains("| `https://api.service.nhs.uk` | lna-allowed-origins (chrome, settings\\[5\\]) | `https://stale.example.nhs.uk` |"), "{md}");
    // A key the export does not hold is said to be outside it, not absent.
    assert!(md.contains("`not in the exports` |"), "{md}");
    let html = std::fs::read_to_string(with.join("docs/report.html")).unwrap();
    assert!(html.contains("<th>today (the --against exports)</th>"));
    // `build --check` with the same exports finds the bundle up to date.
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args([
            "build",
            "--check",
            "examples/nhs-credential-management.yaml",
            "--against",
            "tests/fixtures/exports/drift.reg",
            "--out",
        ])
        .arg(&with)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Control: without --against, no such column.
    let without = dir.path().join("without");
    build("examples/nhs-credential-management.yaml", &without);
    let md = std::fs::read_to_string(without.join("docs/README.md")).unwrap();
    assert!(!md.contains("today (the"), "{md}");
    assert!(md.contains(
        "| change | key | value | type | data | setting |\n|---|---|---|---|---|---|\n| set |"
    ));
}

/// `build --against PREVIOUS-BUNDLE`: the before column is what the previous bundle writes
/// (read from its pol/ Registry.pol files), so a change-approval report shows a spec
/// change against the bundle deployed now.
#[test]
fn against_a_previous_bundle_shows_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    build("examples/nhs-credential-management.yaml", &old);
    // The new spec drops one LNA origin and adds another.
    let text = std::fs::read_to_string("examples/nhs-credential-management.yaml").unwrap();
    assert!(text.contains("https://api.service.nhs.uk"));
    let spec = dir.path().join("new.yaml");
    std::fs::write(
        &spec,
        // ... and drops the "Include all network paths (UNCs)" setting.
        text.replace(
            "https://api.service.nhs.uk",
            "https://changed.example-trust.nhs.uk",
        )
        .replace(
            "  - id: intranet-include-unc-paths     # \"Include all network paths (UNCs)\"\n    value: true\n",
            "",
        ),
    )
    .unwrap();
    let new = dir.path().join("new");
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(["build", "--no-sync"])
        .arg(&spec)
        .arg("--against")
        .arg(&old)
        .arg("--out")
        .arg(&new)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(new.join("docs/README.md")).unwrap();
    assert!(
        md.contains("| setting | before (the previous bundle given to --against) |"),
        "{md}"
    );
    // The changed entry shows the value the previous bundle wrote there.
    assert!(
        md.contains("| `https://changed.example-trust.nhs.uk` | lna-allowed-origins (chrome, settings\\[4\\]) | `https://api.service.nhs.uk` |"),
        "{md}"
    );
    // An unchanged value shows itself (the previous bundle wrote the same).
    assert!(!md.contains("`not in the exports`"), "{md}");
    // What the previous bundle wrote and the new spec no longer does is listed, and
    // nothing else is.
    let gone: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| no longer written |"))
        .collect();
    assert!(!gone.is_empty(), "{md}");
    assert!(
        gone.iter().all(|l| l.contains("UNCAsIntranet")),
        "{gone:#?}"
    );
}
