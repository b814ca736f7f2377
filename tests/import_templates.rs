//! `policyc import --templates DIR`: a Registry.pol made from the writes of real Chrome,
//! Edge and Windows policies (`../shared/vendor-admx/PolicyDefinitions`) imports as
//! `policy:` settings with the states and values that were written; values the catalog
//! places stay catalog settings; a value nothing explains stays a comment.

mod common;

use assert_cmd::Command;
use policyc::admx::readback::pol_entries;
use policyc::admx::state::{ElementValue, PolicyState};
use policyc::admx::store::Store;
use policyc::pol::Entry;
use policyc::reg::{Hive, RegData};
use std::path::{Path, PathBuf};

fn store_dir() -> Option<PathBuf> {
    common::require_shared(
        "POLICYC_VENDOR_ADMX",
        "vendor-admx/PolicyDefinitions",
        "chrome.admx",
    )
}

fn enabled(values: &[(&str, ElementValue)]) -> PolicyState {
    PolicyState::Enabled(
        values
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn list(items: &[&str]) -> ElementValue {
    ElementValue::List(
        items
            .iter()
            .map(|i| (String::new(), i.to_string()))
            .collect(),
    )
}

/// Machine/Registry.pol and User/Registry.pol under `dir` holding the writes of these
/// policies, then `extra` records (HKLM). As in a GPO the editor wrote, every element of
/// an Enabled policy has a value: the ones given, else the editor's default.
fn write_gpo(store: &Store, dir: &Path, policies: &[(&str, Hive, PolicyState)], extra: &[Entry]) {
    for (hive, folder) in [(Hive::Hklm, "Machine"), (Hive::Hkcu, "User")] {
        let mut entries = Vec::new();
        for (id, h, state) in policies {
            if *h == hive {
                let r = store.get(id).unwrap_or_else(|| panic!("{id}"));
                let full = match state {
                    PolicyState::Enabled(v) => {
                        let mut all = r.policy.presentation_defaults(r.file.adml.as_ref());
                        all.extend(v.clone());
                        PolicyState::Enabled(all)
                    }
                    PolicyState::Disabled => PolicyState::Disabled,
                };
                entries.extend(pol_entries(&r.policy.writes(hive, &full).unwrap()));
            }
        }
        if hive == Hive::Hklm {
            entries.extend(extra.iter().cloned());
        }
        std::fs::create_dir_all(dir.join(folder)).unwrap();
        std::fs::write(
            dir.join(folder).join("Registry.pol"),
            policyc::pol::write(&entries).unwrap(),
        )
        .unwrap();
    }
}

fn gpo_policies() -> Vec<(&'static str, Hive, PolicyState)> {
    vec![
        // A Chrome list (class Both, machine).
        (
            "Google.Policies.Chrome:LocalNetworkAccessBlockedForUrls",
            Hive::Hklm,
            enabled(&[(
                "LocalNetworkAccessBlockedForUrlsDesc",
                list(&["https://a.example", "https://[*.]b.example"]),
            )]),
        ),
        // A Chrome switch, Disabled (its disabledValue 0).
        (
            "Google.Policies.Chrome:AutoplayAllowed",
            Hive::Hklm,
            PolicyState::Disabled,
        ),
        // An Edge enum for users.
        (
            "Microsoft.Policies.Edge:DefaultPopupsSetting",
            Hive::Hkcu,
            enabled(&[("DefaultPopupsSetting", ElementValue::Enum(1))]),
        ),
        // A Windows policy of several elements (class Machine: no scope).
        (
            "Microsoft.Policies.WindowsUpdate:AutoUpdateCfg",
            Hive::Hklm,
            enabled(&[
                ("AutoUpdateMode", ElementValue::Enum(2)),
                (
                    "AutoUpdateAutomaticMaintenanceEnabled",
                    ElementValue::Bool(true),
                ),
                ("AutoUpdateSchDay", ElementValue::Enum(0)),
            ]),
        ),
        // A Windows policy whose Disabled state only deletes its value (`**del.`).
        (
            "Microsoft.Policies.InternetExplorer:NoUpdateCheck",
            Hive::Hklm,
            PolicyState::Disabled,
        ),
        // A value the catalog places (intranet-auto-detect): stays a catalog setting.
        (
            "Microsoft.Policies.InternetExplorer:SecurityPage_AutoDetect",
            Hive::Hklm,
            PolicyState::Disabled,
        ),
    ]
}

fn run(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .current_dir(cwd)
        .arg("import")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn vendor_policies_import_as_policy_settings() {
    let Some(dir) = store_dir() else { return };
    let store = Store::load(&dir, "en-US").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let stray = Entry::set("Software\\Policies\\Nowhere", "Stray", &RegData::Dword(1));
    write_gpo(&store, tmp.path(), &gpo_policies(), &[stray]);
    // Run beside the store, so `--templates` is a short relative path.
    let (code, spec, err) = run(
        dir.parent().unwrap(),
        &[
            tmp.path().to_str().unwrap(),
            "--templates",
            "PolicyDefinitions",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let spec = spec.replace(tmp.path().to_str().unwrap(), "GPO");
    let expected = format!(
        r#"# Imported by policyc {} from:
#   GPO
# Review every setting: `import` reads values, not intent.
policyc: 1
bundle:
  name: "imported"
  display_name: "Imported policy (imported)"
  version: 1.0.0
  publisher: "imported by policyc"
templates: "PolicyDefinitions"
settings:
  - id: intranet-auto-detect
    value: false
  - policy: Microsoft.Policies.WindowsUpdate:AutoUpdateCfg   # Configure Automatic Updates
    state: enabled
    value:
      AutoUpdateMode: AutoUpdateModeAuto
      AutoUpdateAutomaticMaintenanceEnabled: true
      AutoUpdateSchDay: AutoUpdateSchDay_Everyday
      AutoUpdateSchTime: AutoUpdateSchTime2
      AllowMUUpdateServiceId: false
      AutoUpdateSchEveryWeek: true
      AutoUpdateSchFirstWeek: false
      AutoUpdateSchSecondWeek: false
      AutoUpdateSchThirdWeek: false
      AutoUpdateSchFourthWeek: false
  - policy: Google.Policies.Chrome:LocalNetworkAccessBlockedForUrls   # Block sites from making network requests to local devices and local network endpoints.
    scope: machine
    state: enabled
    value:
      - "https://a.example"
      - "https://[*.]b.example"
  - policy: Google.Policies.Chrome:AutoplayAllowed   # Allow media autoplay
    scope: machine
    state: disabled
  - policy: Microsoft.Policies.InternetExplorer:NoUpdateCheck   # Disable Periodic Check for Internet Explorer software updates
    state: disabled
  - policy: Microsoft.Policies.Edge:DefaultPopupsSetting   # Default pop-up window setting
    scope: user
    state: enabled
    value: DefaultPopupsSetting_BlockPopups

# Values no catalog setting or vendor policy explains (or a second browser, form or
# scope with other data than the setting above), left out of the spec:
#   HKLM\Software\Policies\Nowhere "Stray" = REG_DWORD 1 (0x00000001)
"#,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(spec, expected);
    assert!(
        err.contains("imported 1 setting(s) and 5 vendor policy setting(s); 1 value(s) not placed"),
        "{err}"
    );
    // Without --templates the same values are comments (negative control).
    let (code, plain, _) = run(dir.parent().unwrap(), &[tmp.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        !plain.contains("policy:") && !plain.contains("templates:"),
        "{plain}"
    );
    assert!(plain.contains(r#""AUOptions" = REG_DWORD 4"#), "{plain}");
    assert!(plain.contains("id: intranet-auto-detect"), "{plain}");
}

/// With `--out`, a relative `--templates` becomes the store's path relative to the spec's
/// folder; an absolute one stays as given.
#[test]
fn templates_path_is_relative_to_the_output_spec() {
    let Some(dir) = store_dir() else { return };
    let store = Store::load(&dir, "en-US").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    write_gpo(&store, &tmp.path().join("gpo"), &gpo_policies()[..1], &[]);
    // The store under the working folder, named relatively.
    std::os::unix::fs::symlink(&dir, tmp.path().join("store")).unwrap();
    let out = tmp.path().join("specs/sub");
    std::fs::create_dir_all(&out).unwrap();
    let templates_line = |spec: &str, templates: &str| -> String {
        let (code, _, err) = run(
            tmp.path(),
            &["gpo", "--templates", templates, "--out", spec],
        );
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(tmp.path().join(spec)).unwrap();
        assert!(text.contains("policy: Google.Policies.Chrome:LocalNetworkAccessBlockedForUrls"));
        let line = text.lines().find(|l| l.starts_with("templates: ")).unwrap();
        serde_json::from_str(line.trim_start_matches("templates: ")).unwrap()
    };
    let rel = templates_line("specs/sub/imported.yaml", "store");
    assert_eq!(rel, "../../store");
    assert_eq!(
        out.join(&rel).canonicalize().unwrap(),
        dir.canonicalize().unwrap()
    );
    let abs = templates_line("specs/sub/absolute.yaml", dir.to_str().unwrap());
    assert_eq!(abs, dir.to_str().unwrap());
}

/// A value for `e` valid for its constraints (as `tests/admx_readback.rs` builds them).
fn sample(e: &policyc::admx::reader::Element) -> Option<ElementValue> {
    let num = |a: &str, d: u64| e.attr(a).and_then(|v| v.trim().parse().ok()).unwrap_or(d);
    Some(match e.kind.as_str() {
        "boolean" => ElementValue::Bool(true),
        "decimal" | "longDecimal" => {
            let (lo, hi) = (num("minValue", 0), num("maxValue", 9999));
            ElementValue::Number(lo + (hi - lo) / 2)
        }
        "text" => ElementValue::Text(
            "sample"
                .chars()
                .take(num("maxLength", 1023).max(1) as usize)
                .collect(),
        ),
        "multiText" => ElementValue::Strings(vec!["line one".into(), "line two".into()]),
        "enum" if !e.enum_items.is_empty() => ElementValue::Enum(e.enum_items.len() - 1),
        "list" if e.flag("explicitValue") => ElementValue::List(vec![
            ("name1".into(), "value1".into()),
            ("name2".into(), "value2".into()),
        ]),
        "list" => list(&["entry1", "entry2"]),
        _ => return None,
    })
}

/// Every policy of a template Enabled (every element given) in one GPO, machine side:
/// `import --templates` places each with the state written. Policies whose own records
/// do not read back (the exceptions of `tests/admx_readback.rs`) are left out. The one
/// other outcome is two templates defining one registry value: Windows' SmartScreen.admx
/// `EdgeConfigureSmartScreen` and msedge.admx `SmartScreenEnabled` both write
/// `Software\Policies\Microsoft\Edge\SmartScreenEnabled`; the value goes to the first
/// in store order. (inetres.admx is not used: it defines most Internet Explorer
/// policies several times over the same values, so enabling all at once contradicts
/// itself.)
#[test]
fn whole_templates_import_policy_by_policy() {
    use policyc::admx::readback::PolSource;
    let Some(dir) = store_dir() else { return };
    let store = Store::load(&dir, "en-US").unwrap();
    let (mut got, mut want) = (Vec::new(), Vec::new());
    for (file, count, swapped) in [
        ("chrome.admx", 733usize, None),
        (
            "msedge.admx",
            848,
            Some((
                "Microsoft.Policies.Edge:SmartScreenEnabled",
                "Microsoft.Policies.SmartScreen:EdgeConfigureSmartScreen",
            )),
        ),
        ("WindowsUpdate.admx", 44, None),
        ("DeliveryOptimization.admx", 29, None),
        ("Bits.admx", 16, None),
    ] {
        let f = store.files.iter().find(|f| f.name == file).unwrap();
        let mut entries = Vec::new();
        let mut written = Vec::new();
        for p in f.admx.policies.iter().filter(|p| p.allows(Hive::Hklm)) {
            let mut all = p.presentation_defaults(f.adml.as_ref());
            for e in &p.elements {
                if let Some(v) = sample(e) {
                    all.insert(e.id.clone(), v);
                }
            }
            let state = PolicyState::Enabled(all);
            let w = p.writes(Hive::Hklm, &state).unwrap();
            if p.read_state(&PolSource::new(&pol_entries(&w))) != Some(state.clone()) {
                continue;
            }
            entries.extend(pol_entries(&w));
            written.push((format!("{}:{}", f.admx.target.namespace, p.name), state));
        }
        let bytes = policyc::pol::write(&entries).unwrap();
        let mut reg = policyc::verify::model::Registry::default();
        reg.add_pol(Hive::Hklm, &bytes).unwrap();
        let placed = policyc::import::vendor::place(&reg, &store, &mut Default::default());
        // (policy written but not placed, policy placed that was not written)
        let mut off = Vec::new();
        for (id, state) in &written {
            match placed.iter().find(|v| v.id == *id) {
                Some(v) => assert_eq!(v.state, *state, "{id}"),
                None => off.push(("not placed", id.clone())),
            }
        }
        for v in &placed {
            if !written.iter().any(|(id, _)| *id == v.id) {
                off.push(("placed instead", v.id.clone()));
            }
        }
        got.push((file, written.len(), off));
        want.push((
            file,
            count,
            swapped.map_or_else(Vec::new, |(a, b): (&str, &str)| {
                vec![
                    ("not placed", a.to_string()),
                    ("placed instead", b.to_string()),
                ]
            }),
        ));
    }
    assert_eq!(got, want);
}

/// End to end: the imported spec passes `policyc check` with its `templates:`, and its
/// bundle's Registry.pol files, applied, leave what the GPO's leave (the same values set,
/// the same deletions); a changed entry in the spec leaves something else (control).
#[test]
fn imported_spec_checks_and_builds_the_same_registry_pol() {
    use policyc::admx::readback::PolSource;
    let Some(dir) = store_dir() else { return };
    let store = Store::load(&dir, "en-US").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // The GPO without the catalog's value: compare vendor policies alone.
    let policies: Vec<_> = gpo_policies()
        .into_iter()
        .filter(|(id, _, _)| !id.ends_with(":SecurityPage_AutoDetect"))
        .collect();
    write_gpo(&store, &tmp.path().join("gpo"), &policies, &[]);
    let (code, _, err) = run(
        tmp.path(),
        &[
            "gpo",
            "--templates",
            dir.to_str().unwrap(),
            "--out",
            "spec.yaml",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let policyc = |args: &[&str]| {
        Command::cargo_bin("policyc")
            .unwrap()
            .current_dir(tmp.path())
            .args(args)
            .output()
            .unwrap()
    };
    let check = policyc(&["check", "spec.yaml"]);
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let applied = |p: &Path| {
        let bytes = std::fs::read(p).unwrap();
        PolSource::new(&policyc::pol::read(&bytes).unwrap()).effect()
    };
    let build = |spec: &str, out: &str| {
        let b = policyc(&["build", spec, "--out", out]);
        assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    };
    build("spec.yaml", "bundle");
    for folder in ["Machine", "User"] {
        assert_eq!(
            applied(&tmp.path().join(format!("bundle/pol/{folder}/Registry.pol"))),
            applied(&tmp.path().join(format!("gpo/{folder}/Registry.pol"))),
            "{folder}"
        );
    }
    // Control: another list entry builds another Registry.pol.
    let text = std::fs::read_to_string(tmp.path().join("spec.yaml")).unwrap();
    let changed = text.replace("https://a.example", "https://c.example");
    assert_ne!(changed, text);
    std::fs::write(tmp.path().join("changed.yaml"), changed).unwrap();
    build("changed.yaml", "bundle2");
    assert_ne!(
        applied(&tmp.path().join("bundle2/pol/Machine/Registry.pol")),
        applied(&tmp.path().join("gpo/Machine/Registry.pol"))
    );
}

/// A bundle built from vendor policies of every element kind imports back to a spec that
/// builds Registry.pol files with the same effect.
#[test]
fn a_vendor_bundle_imports_to_a_spec_that_builds_the_same() {
    let Some(dir) = store_dir() else { return };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for rel in [
        "tests/fixtures/vendor-spec/every-kind.yaml",
        "tests/fixtures/readback-spec.yaml",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let policyc = |args: &[&str]| {
            let o = Command::cargo_bin("policyc")
                .unwrap()
                .current_dir(tmp.path())
                .args(args)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{args:?}: {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        };
        let store = dir.to_str().unwrap();
        let spec = root.join(rel);
        policyc(&[
            "build",
            spec.to_str().unwrap(),
            "--templates",
            store,
            "--out",
            "first",
        ]);
        policyc(&[
            "import",
            "first/pol",
            "--templates",
            store,
            "--out",
            "imported.yaml",
        ]);
        policyc(&["build", "imported.yaml", "--out", "second"]);
        for folder in ["Machine", "User"] {
            let effect = |b: &str| {
                std::fs::read(tmp.path().join(format!("{b}/pol/{folder}/Registry.pol")))
                    .map(|bytes| {
                        policyc::admx::readback::PolSource::new(
                            &policyc::pol::read(&bytes).unwrap(),
                        )
                        .effect()
                    })
                    .unwrap_or_default()
            };
            assert_eq!(effect("first"), effect("second"), "{rel} {folder}");
        }
    }
}

/// A `--templates` folder that cannot be read is a usage error naming it (exit 2).
#[test]
fn an_unreadable_templates_folder_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = tmp.path().join("x.reg");
    std::fs::write(
        &reg,
        "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\Software\\Policies\\X]\n\"A\"=dword:00000001\n",
    )
    .unwrap();
    let (code, out, err) = run(tmp.path(), &["x.reg", "--templates", "no-such-folder"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("error[io-error]: no-such-folder:"), "{err}");
    assert!(out.is_empty());
    // The same input without it imports.
    let (code, out, _) = run(tmp.path(), &["x.reg"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(r#"HKLM\Software\Policies\X "A" = REG_DWORD 1"#),
        "{out}"
    );
}
