//! A real central store (`../shared/vendor-admx/PolicyDefinitions`, or
//! `POLICYC_VENDOR_ADMX`): 303 ADMX and 304 ADML files from Windows, Chrome, Edge,
//! Office, Adobe and others, with the quirks of real files (Office files declaring
//! utf-16 while stored as UTF-8, `Search.admx` declaring `unicode`). Every file reads;
//! the store's policy count equals the `<policy>` elements in the files; references
//! resolve across files; `policyc catalog --templates` lists and shows policies.

mod common;

use assert_cmd::Command;
use policyc::admx::reader::{decode, read_adml};
use policyc::admx::store::Store;
use std::path::PathBuf;

fn store_dir() -> Option<PathBuf> {
    common::require_shared(
        "POLICYC_VENDOR_ADMX",
        "vendor-admx/PolicyDefinitions",
        "chrome.admx",
    )
}

/// `<policy` start tags in the decoded text (not `<policyDefinitions`, `<policies`...).
fn policy_elements(text: &str) -> usize {
    text.match_indices("<policy")
        .filter(|(i, _)| {
            text[i + 7..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c == '/' || c.is_whitespace())
        })
        .count()
}

#[test]
fn every_file_reads_and_every_policy_is_indexed() {
    let Some(dir) = store_dir() else { return };
    let store = Store::load(&dir, "en-US").unwrap();
    assert!(store.problems.is_empty(), "{:#?}", store.problems);
    let mut admx = 0;
    let mut expected = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("admx"))
        {
            admx += 1;
            expected += policy_elements(&decode(&std::fs::read(&p).unwrap()).unwrap());
        }
    }
    assert_eq!(admx, 303);
    assert_eq!(store.files.len(), 303);
    assert_eq!(store.policy_count(), expected);
    // Every ADML of every culture folder reads (304: one has no ADMX beside it).
    let mut adml = 0;
    for c in std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
    {
        for e in std::fs::read_dir(c.path()).unwrap().flatten() {
            let p = e.path();
            if p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("adml"))
            {
                adml += 1;
                let text = decode(&std::fs::read(&p).unwrap()).unwrap();
                read_adml(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            }
        }
    }
    assert_eq!(adml, 304);
    // No two policies share a namespace:name, so `get` reaches each.
    let ids: std::collections::BTreeSet<String> = store.policies().map(|p| p.id()).collect();
    assert_eq!(ids.len(), store.policy_count());
}

#[test]
fn references_resolve_across_files() {
    let Some(dir) = store_dir() else { return };
    let store = Store::load(&dir, "en-US").unwrap();
    // Chrome's root category lives in google.admx; Edge's LNA policies sit in Network.
    let p = store
        .get("Google.Policies.Chrome:LocalNetworkAccessAllowedForUrls")
        .unwrap();
    let path: Vec<String> = store
        .category_path(p)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        path,
        [
            "Google.Policies:Cat_Google",
            "Google.Policies.Chrome:googlechrome",
            "Google.Policies.Chrome:LocalNetworkAccessSettings"
        ]
    );
    let p = store
        .get("Microsoft.Policies.Edge:LoopbackNetworkAllowedForUrls")
        .unwrap();
    let names: Vec<String> = store.category_path(p).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // The ADML string, not the `$(string.X)` reference.
    assert_eq!(
        p.display_name(),
        "Allow sites to make network requests to the local device."
    );
    // inetres.admx's category chain ends in windows.admx's Windows Components.
    let p = store
        .get("Microsoft.Policies.InternetExplorer:SecurityPage_AutoDetect")
        .unwrap();
    let path: Vec<String> = store
        .category_path(p)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        path.first().map(String::as_str),
        Some("Microsoft.Policies.Windows:WindowsComponents"),
        "{path:?}"
    );
    assert_eq!(
        path.last().map(String::as_str),
        Some("Microsoft.Policies.InternetExplorer:IZ_SecurityPage")
    );
    assert!(
        store.supported_on(p).is_some_and(|s| !s.starts_with("$(")),
        "{:?}",
        store.supported_on(p)
    );
    // Every policy's category and supportedOn resolve to text (none left as a reference).
    let mut unresolved = Vec::new();
    for p in store.policies() {
        if p.policy.parent_category.is_some() && store.category_path(p).is_empty() {
            unresolved.push(format!(
                "{} category {:?}",
                p.id(),
                p.policy.parent_category
            ));
        }
    }
    // The one dangling reference is the vendor's own: TerminalServer.admx's policy
    // AutoSubscription names a parentCategory `AutoSubscription` no file defines.
    assert_eq!(
        unresolved,
        ["Microsoft.Policies.TerminalServer:AutoSubscription category Some(\"AutoSubscription\")"]
    );
}

#[test]
fn catalog_templates_lists_and_shows_policies() {
    let Some(dir) = store_dir() else { return };
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["catalog", "--templates"])
        .arg(&dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let store = Store::load(&dir, "en-US").unwrap();
    let list = j["policies"].as_array().unwrap();
    assert_eq!(list.len(), store.policy_count());
    let lna = list
        .iter()
        .find(|p| p["policy"] == "Microsoft.Policies.Edge:LocalNetworkAccessAllowedForUrls")
        .unwrap();
    assert_eq!(lna["class"], "Both");
    assert_eq!(lna["key"], r"Software\Policies\Microsoft\Edge");
    assert_eq!(
        lna["elements"][0]["id"],
        "LocalNetworkAccessAllowedForUrlsDesc"
    );
    assert_eq!(lna["elements"][0]["kind"], "list");
    assert_eq!(
        lna["elements"][0]["attributes"]["key"],
        r"Software\Policies\Microsoft\Edge\LocalNetworkAccessAllowedForUrls"
    );
    assert_eq!(lna["category"][1]["id"], "Microsoft.Policies.Edge:Network");
    assert!(
        lna["supported_on"]
            .as_str()
            .is_some_and(|s| s.contains("140")),
        "{}",
        lna["supported_on"]
    );

    // One policy, human, with its explain text.
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["catalog", "--templates"])
        .arg(&dir)
        .args([
            "--policy",
            "Microsoft.Policies.InternetExplorer:SecurityPage_AutoDetect",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Turn on automatic detection of intranet"),
        "{text}"
    );
    assert!(
        text.contains(
            r"key: Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap"
        ),
        "{text}"
    );
    assert!(text.contains("enabledValue: decimal 1"), "{text}");
    assert!(text.contains("explain:"), "{text}");

    // The listing is one line per policy (display names with a line break in the ADML stay
    // on their line); enum items show the string id a spec names them by, and elements the
    // default the editor shows.
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["catalog", "--templates"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        store.policy_count()
    );
    let show = |id: &str| {
        let out = Command::cargo_bin("policyc")
            .unwrap()
            .args(["catalog", "--templates"])
            .arg(&dir)
            .args(["--policy", id])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let text = show("Google.Policies.Chrome:DefaultCookiesSetting");
    assert!(
        text.contains(
            "    item DefaultCookiesSetting_AllowCookies \"Allow all sites to set local data\": decimal 1"
        ),
        "{text}"
    );
    let text = show("Microsoft.Policies.WindowsUpdate:AutoUpdateCfg");
    assert!(
        text.contains("element AutoUpdateSchEveryWeek <boolean> valueName=\"ScheduledInstallEveryWeek\" (default true)"),
        "{text}"
    );

    // An unknown policy: exit 1 with a did-you-mean.
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["catalog", "--templates"])
        .arg(&dir)
        .args([
            "--policy",
            "microsoft.policies.internetexplorer:securitypage_autodetect",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("did you mean `Microsoft.Policies.InternetExplorer:SecurityPage_AutoDetect`"),
        "{err}"
    );
}

#[test]
fn a_broken_file_is_named_with_its_line_and_the_rest_loads() {
    let Some(dir) = store_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for f in ["chrome.admx", "google.admx", "inetres.admx"] {
        std::fs::copy(dir.join(f), tmp.path().join(f)).unwrap();
    }
    std::fs::write(tmp.path().join("broken.admx"), "<?xml version=\"1.0\"?>\n<policyDefinitions>\n  <policies>\n  </policy>\n</policyDefinitions>\n").unwrap();
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["catalog", "--templates"])
        .arg(tmp.path())
        .args(["--policy", "Google.Policies.Chrome:AuthServerAllowlist"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning[admx-unreadable]:") && err.contains("broken.admx:4:"),
        "{err}"
    );
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("Google.Policies.Chrome:AuthServerAllowlist"));
}
