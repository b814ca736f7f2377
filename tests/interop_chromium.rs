//! Debian's Chromium as the consumer of the bundle's Chrome policies (issue 16).
//!
//! `tests/chromium_check.py` reads each example's machine Registry.pol with Samba's PReg codec,
//! replays it and converts `Software\Policies\Google\Chrome` to Chromium's Linux managed-policy
//! JSON by Chromium's Windows registry rules (registry_dict.cc) (and, in a second run, its Edge
//! key, whose policies share Chromium's names and types), installs it in a private mount
//! namespace (a temporary folder bind-mounted over /etc/chromium: the machine's own folder is
//! never written), starts a private headless Chromium over `--remote-debugging-pipe` and reports
//! chrome://policy, Local Network Access probes and cookie probes. This file decides:
//!
//! - every Chrome policy the bundle writes converts to the value the plan means and shows in
//!   chrome://policy with no error, warning, unknown, deprecated or ignored flag;
//! - every origin in an LNA allowlist, served as that origin (`--host-resolver-rules`) from an
//!   address made "public" (`--ip-address-space-overrides`), is granted loopback access and its
//!   `fetch()` to a loopback server succeeds, while a control origin no policy names is refused;
//!   a page served from loopback reaches loopback with no policy at all (why `check` rejects a
//!   loopback origin in these lists: `lna-loopback-origin`);
//! - with cookies blocked by default, `http://localhost` can still store a cookie
//!   (`CookiesAllowedForUrls`) and a control origin cannot;
//! - negative controls: an unknown policy, a wrong type, registry values of the wrong shape and
//!   invalid patterns are all caught by the same judges;
//! - a sample of the content-settings grammar vectors goes through the browser, and Chromium
//!   grants exactly the origins `validate::grammar::content_settings` says the pattern matches.
//!
//! Needs root (the mount namespace), Debian's `chromium`, `openssl`, `unshare` and a Python with
//! python3-samba (POLICYC_PYTHON or /usr/bin/python3). Without them it prints SKIPPED, unless
//! `POLICYC_REQUIRE_INTEROP=1` (as `.ci/run` sets), when it fails. One browser start per run
//! (plus one to read the policy schema): about 30 s here.

use policyc::plan::{Action, Plan};
use policyc::pol;
use policyc::reg::{Hive, RegData};
use policyc::validate::grammar::content_settings;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const CHROME: &str = r"Software\Policies\Google\Chrome";
/// Edge's copies use the same policy names and types; they are loaded into Chromium too, so
/// Chromium's schema judges them (Edge itself is not run).
const EDGE: &str = r"Software\Policies\Microsoft\Edge";
const LNA_CONTROL: &str = "https://lna-control.policyc.test";
const COOKIE_CONTROL: &str = "http://cookie-control.policyc.test";
/// A page on loopback, which no LNA policy names.
const LOOPBACK_PAGE: &str = "http://localhost";
const LNA_POLICIES: [&str; 2] = [
    "LocalNetworkAccessAllowedForUrls",
    "LoopbackNetworkAllowedForUrls",
];

/// Content-settings grammar vectors (from `grammar::content_settings`'s tables, on test
/// hosts), each put in `LoopbackNetworkAllowedForUrls`, with the origin probed.
const VECTORS: &[(&str, &str)] = &[
    (
        "https://[*.]vec-a.policyc.test",
        "https://sub.vec-a.policyc.test",
    ),
    (
        "https://[*.]vec-b.policyc.test",
        "https://vec-b.policyc.test",
    ),
    (
        "https://*.vec-c.policyc.test",
        "https://x.vec-c.policyc.test",
    ),
    ("vec-d.policyc.test*", "https://vec-d.policyc.test"),
    (
        "https://vec-e.policyc.test/path",
        "https://vec-e.policyc.test",
    ),
    (
        "https://vec-f.policyc.test:8443",
        "https://vec-f.policyc.test",
    ),
    ("http://vec-g.policyc.test", "https://vec-g.policyc.test"),
    ("[*.]vec-h.policyc.test", "https://a.b.vec-h.policyc.test"),
    ("https://vec-i.policyc.test:*", "https://vec-i.policyc.test"),
    ("[*.].vec-j.policyc.test", "https://x.vec-j.policyc.test"),
    (
        "https://vec-k.policyc.test:443",
        "https://vec-k.policyc.test",
    ),
    ("*://vec-l.policyc.test", "https://vec-l.policyc.test"),
];

fn chromium_python() -> Option<PathBuf> {
    let imports = |py: &Path| {
        Command::new(py)
            .args(["-c", "import samba.dcerpc.preg, samba.ndr"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    for tool in [
        "/usr/lib/chromium/chromium",
        "/usr/bin/unshare",
        "/usr/bin/openssl",
    ] {
        if !Path::new(tool).exists() {
            common::skip(&format!(
                "{tool} not found; install chromium, util-linux and openssl (Debian)"
            ));
            return None;
        }
    }
    let euid = Command::new("id").arg("-u").output().map(|o| o.stdout).ok();
    if euid.as_deref() != Some(b"0\n".as_slice()) {
        common::skip(
            "the Chromium interop test needs root (a private mount namespace over /etc/chromium)",
        );
        return None;
    }
    let candidates = [common::python(), PathBuf::from("/usr/bin/python3")];
    match candidates.into_iter().find(|p| imports(p)) {
        Some(p) => Some(p),
        None => {
            common::skip("no Python with samba.dcerpc.preg; install python3-samba (Debian)");
            None
        }
    }
}

fn machine_pol(plan: &Plan) -> Vec<u8> {
    policyc::bundle_files(plan)
        .expect("emit")
        .into_iter()
        .find(|(p, _)| p == "pol/Machine/Registry.pol")
        .expect("a machine Registry.pol")
        .1
}

/// The Chrome policies the plan writes in HKLM, as Chromium's JSON should hold them (built from
/// the plan, not from the .pol): numbered values of a subkey form a list, strings stay strings,
/// DWORDs become integers or booleans by the schema type Chromium reports.
fn expected_policies(
    plan: &Plan,
    section: &str,
    types: &Map<String, Value>,
) -> BTreeMap<String, Value> {
    let chrome = section.to_ascii_lowercase();
    let mut lists: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for op in plan.ops.iter().filter(|o| o.hive == Hive::Hklm) {
        let key = op.key.to_ascii_lowercase();
        let Some(rest) = key.strip_prefix(&chrome) else {
            continue;
        };
        let Action::Set { name, data } = &op.action else {
            continue;
        };
        let v = match data {
            RegData::Sz(s) => json!(s),
            RegData::Dword(n) => match types.get(name).and_then(Value::as_str) {
                Some("boolean") => json!(*n != 0),
                _ => json!(n),
            },
            other => panic!("{}: unexpected Chrome registry data {other:?}", op.key),
        };
        match rest.strip_prefix('\\') {
            None if rest.is_empty() => {
                out.insert(name.clone(), v);
            }
            Some(sub) => {
                let list_name = op.key[op.key.len() - sub.len()..].to_string();
                lists.entry(list_name).or_default().push((name.clone(), v));
            }
            None => {}
        }
    }
    for (name, mut items) in lists {
        items.sort_by_key(|a| a.0.to_lowercase());
        out.insert(
            name,
            Value::Array(items.into_iter().map(|(_, v)| v).collect()),
        );
    }
    out
}

/// Problems with chrome://policy's view of `want` (empty: every policy OK with that value).
fn judge_policies(run: &Value, want: &BTreeMap<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, value) in want {
        let Some(p) = run["policies"].get(name) else {
            problems.push(format!("{name}: not listed by chrome://policy"));
            continue;
        };
        for flag in ["error", "warning"] {
            if let Some(m) = p.get(flag).filter(|m| !m.is_null()) {
                problems.push(format!("{name}: {flag} {m}"));
            }
        }
        for flag in ["deprecated", "ignored", "future"] {
            if p.get(flag).and_then(Value::as_bool) == Some(true) {
                problems.push(format!("{name}: {flag}"));
            }
        }
        if &p["value"] != value {
            problems.push(format!("{name}: value {} != {value}", p["value"]));
        }
        if (&p["level"], &p["scope"], &p["source"])
            != (&json!("mandatory"), &json!("machine"), &json!("platform"))
        {
            problems.push(format!(
                "{name}: level/scope/source {}/{}/{}",
                p["level"], p["scope"], p["source"]
            ));
        }
    }
    problems
}

fn lna_granted(run: &Value, origin: &str) -> bool {
    let r = &run["lna"][origin];
    r["fetch"].as_str().is_some_and(|f| f.starts_with("ok 200"))
        && r["perm"]["loopback-network"] == "granted"
}

fn lna_refused(run: &Value, origin: &str) -> bool {
    let r = &run["lna"][origin];
    r["fetch"]
        .as_str()
        .is_some_and(|f| f.starts_with("blocked"))
        && r["perm"]["loopback-network"] != "granted"
}

/// Runs the helper once for all runs (one namespace, one schema read).
fn run_helper(py: &Path, runs: Vec<Value>) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.json");
    std::fs::write(&job, serde_json::to_vec(&json!({ "runs": runs })).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/chromium_check.py");
    let out = Command::new(py)
        .arg(&script)
        .arg(&job)
        .output()
        .expect("run chromium_check.py");
    assert!(
        out.status.success(),
        "chromium_check.py exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("chromium_check.py prints JSON")
}

fn write_pol(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

/// A run's Registry.pol converted by Chromium's rules is `want`, nothing was dropped, and
/// chrome://policy lists every policy without an error or warning.
fn converted_and_accepted(run: &Value, want: &BTreeMap<String, Value>, id: &str) {
    let converted: BTreeMap<String, Value> = run["converted"]
        .as_object()
        .map(|m| m.clone().into_iter().collect())
        .unwrap_or_default();
    assert_eq!(
        &converted, want,
        "{id}: Registry.pol converted by Chromium's rules"
    );
    assert_eq!(run["conversion_log"], json!([]), "{id}: nothing dropped");
    let problems = judge_policies(run, want);
    assert!(problems.is_empty(), "{id}: chrome://policy: {problems:#?}");
}

/// A spec of vendor template policies (tests/fixtures/vendor-spec/).
const VENDOR_SPEC: &str = "tests/fixtures/vendor-spec/every-kind.yaml";

#[test]
fn chromium_accepts_the_bundles_chrome_policies_and_they_work_end_to_end() {
    let Some(py) = chromium_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let examples = [
        ("live", "examples/nhs-credential-management.yaml"),
        ("int", "examples/nhs-credential-management-int.yaml"),
    ];
    let mut plans = BTreeMap::new();
    let mut runs = Vec::new();
    for (name, example) in examples {
        let plan = common::plan_of(example);
        let pol_path = write_pol(dir.path(), &format!("{name}.pol"), &machine_pol(&plan));
        for (product, section) in [("chrome", CHROME), ("edge", EDGE)] {
            let id = format!("{name}-{product}");
            // Probe origins: every exact origin in the spec's LNA lists (they are exact origins
            // in both examples; a wildcard or path would be rejected by `check` anyway).
            let origins: Vec<String> = lna_entries(&plan, section);
            assert!(!origins.is_empty(), "{example}: no LNA origin to probe");
            let mut probes = origins.clone();
            probes.push(LNA_CONTROL.into());
            runs.push(json!({
                "id": id, "pol": pol_path, "section": section,
                // Blocks cookies by default, so the cookie probe shows CookiesAllowedForUrls
                // at work.
                "policies": {"DefaultCookiesSetting": 2},
                "lna_probes": probes,
                "cookie_probes": ["http://localhost", COOKIE_CONTROL],
            }));
            plans.insert(id, (plan.clone(), section, origins));
        }
    }
    // Vendor template policies of a spec (chrome.admx's DiskCacheSize, HomepageLocation,
    // LocalNetworkAccessBlockedForUrls, as `policy:` settings): Chromium takes them as written.
    let vendor = if common::vendor_fixture_ready(VENDOR_SPEC) {
        let plan = common::plan_of(VENDOR_SPEC);
        let pol_path = write_pol(dir.path(), "vendor.pol", &machine_pol(&plan));
        runs.push(json!({"id": "vendor-chrome", "pol": pol_path, "section": CHROME}));
        Some(plan)
    } else {
        None
    };
    // Negative controls: an unknown name, a wrong type, registry values of the wrong shape, and
    // the grammar vectors (some of them invalid patterns).
    let chrome = CHROME;
    let bad_pol = pol::write(&[
        pol::Entry::set(chrome, "AuthServerAllowlist", &RegData::Dword(1)),
        pol::Entry::set(
            &format!(r"{chrome}\CookiesAllowedForUrls"),
            "1",
            &RegData::MultiSz(vec!["http://localhost".into()]),
        ),
    ])
    .expect("encode");
    let bad_pol = write_pol(dir.path(), "bad.pol", &bad_pol);
    let patterns: Vec<&str> = VECTORS.iter().map(|v| v.0).collect();
    let mut probes: Vec<&str> = VECTORS.iter().map(|v| v.1).collect();
    probes.push(LNA_CONTROL);
    probes.push(LOOPBACK_PAGE);
    runs.push(json!({
        "id": "negative", "pol": bad_pol, "section": CHROME,
        "policies": {
            "PolicycNoSuchPolicy": true,
            "DefaultCookiesSetting": "block",
            "LoopbackNetworkAllowedForUrls": patterns,
        },
        "lna_probes": probes,
    }));

    let report = run_helper(&py, runs);
    let types = report["schema_types"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    eprintln!("chromium: {}", report["chromium"]);

    for (id, (plan, section, origins)) in &plans {
        let run = &report["runs"][id];
        let want = expected_policies(plan, section, &types);
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            [
                "AuthServerAllowlist",
                "CookiesAllowedForUrls",
                "LocalNetworkAccessAllowedForUrls",
                "LoopbackNetworkAllowedForUrls"
            ],
            "{id}: the Chrome policies the bundle writes"
        );
        converted_and_accepted(run, &want, id);
        for origin in origins {
            assert!(
                lna_granted(run, origin),
                "{id}: {origin} not granted: {}",
                run["lna"][origin]
            );
        }
        assert!(
            lna_refused(run, LNA_CONTROL),
            "{id}: control origin not refused: {}",
            run["lna"][LNA_CONTROL]
        );
        assert_eq!(
            run["cookies"]["http://localhost"], true,
            "{id}: cookie on http://localhost"
        );
        assert_eq!(
            run["cookies"][COOKIE_CONTROL], false,
            "{id}: cookie control stored a cookie"
        );
    }

    if let Some(plan) = &vendor {
        let run = &report["runs"]["vendor-chrome"];
        let want = expected_policies(plan, CHROME, &types);
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            [
                "DiskCacheSize",
                "HomepageLocation",
                "LocalNetworkAccessBlockedForUrls"
            ],
            "the vendor spec's machine Chrome policies"
        );
        converted_and_accepted(run, &want, "vendor-chrome");
    }

    let neg = &report["runs"]["negative"];
    // The wrong-shape registry values are dropped by the conversion, as on Windows ...
    assert_eq!(
        neg["converted"],
        json!({"CookiesAllowedForUrls": []}),
        "{neg}"
    );
    let log = neg["conversion_log"].to_string();
    assert!(log.contains("AuthServerAllowlist: dropped"), "{log}");
    assert!(log.contains(r"CookiesAllowedForUrls\\1: dropped"), "{log}");
    // ... and the judge that passed the bundles fails each negative control.
    for (name, value, why) in [
        ("PolicycNoSuchPolicy", json!(true), "Unknown policy"),
        ("DefaultCookiesSetting", json!("block"), "Expected integer"),
    ] {
        let problems = judge_policies(neg, &BTreeMap::from([(name.to_string(), value)]));
        assert!(
            problems.iter().any(|p| p.contains(why)),
            "{name}: the judge must fail it with `{why}`: {problems:?}"
        );
    }
    let problems = judge_policies(
        neg,
        &BTreeMap::from([("AuthServerAllowlist".to_string(), json!("http://localhost"))]),
    );
    assert!(!problems.is_empty(), "a dropped policy must fail the judge");
    assert!(lna_refused(neg, LNA_CONTROL), "{}", neg["lna"][LNA_CONTROL]);
    // `lna-loopback-origin`'s premise: a page served from loopback, named by no policy, reaches
    // a loopback server anyway, so listing a loopback origin changes nothing.
    let lo = &neg["lna"][LOOPBACK_PAGE];
    assert!(
        lo["fetch"]
            .as_str()
            .is_some_and(|f| f.starts_with("ok 200")),
        "a loopback page's fetch to loopback: {lo}"
    );
    // The grammar vectors: Chromium grants exactly what the grammar module says.
    for (pattern, origin) in VECTORS {
        let (scheme, host) = origin.split_once("://").unwrap();
        let port = if scheme == "https" { 443 } else { 80 };
        let grammar = content_settings::parse(pattern).is_ok_and(|p| p.matches(scheme, host, port));
        let granted = lna_granted(neg, origin);
        let refused = lna_refused(neg, origin);
        assert!(
            granted != refused,
            "{pattern}: probe undecided: {}",
            neg["lna"][origin]
        );
        assert_eq!(
            granted, grammar,
            "{pattern} on {origin}: Chromium granted={granted}, grammar says {grammar}"
        );
    }
    // The vectors include both outcomes, so agreement is not trivial.
    assert!(VECTORS.iter().any(|(_, o)| lna_granted(neg, o)));
    assert!(VECTORS.iter().any(|(_, o)| lna_refused(neg, o)));
}

/// The entries of the spec's LNA lists, from the plan.
fn lna_entries(plan: &Plan, section: &str) -> Vec<String> {
    let mut out: Vec<String> = plan
        .ops
        .iter()
        .filter(|o| {
            let k = o.key.to_ascii_lowercase();
            k.starts_with(&section.to_ascii_lowercase())
                && LNA_POLICIES
                    .iter()
                    .any(|p| k.ends_with(&format!("\\{}", p.to_ascii_lowercase())))
        })
        .filter_map(|o| match &o.action {
            Action::Set {
                data: RegData::Sz(s),
                ..
            } => Some(s.clone()),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
