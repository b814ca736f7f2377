//! `policyc verify`: exports compared with the spec value by value, and the
//! guide's known conflicts found in exports. Fixtures: tests/fixtures/exports/
//! (UTF-16 `reg export` files and one ANSI REGEDIT4 file with odd formatting).

use assert_cmd::Command;

const SPEC: &str = "tests/fixtures/verify-spec.yaml";

fn verify(exports: &[&str], json: bool) -> (i32, String) {
    let mut cmd = Command::cargo_bin("policyc").unwrap();
    cmd.args(["verify", SPEC, "--against"]);
    for e in exports {
        cmd.arg(format!("tests/fixtures/exports/{e}"));
    }
    if json {
        cmd.args(["--format", "json"]);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
    )
}

fn findings(export: &str) -> Vec<String> {
    let (_, out) = verify(&[export], true);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn clean_export_verifies_clean() {
    let (code, out) = verify(&["clean.reg"], false);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("summary: 9 ok, 0 missing, 0 wrong value, 0 wrong type, 0 extra, 0 not covered; 0 findings"), "{out}");
}

#[test]
fn drift_is_reported_value_by_value() {
    let (code, out) = verify(&["drift.reg"], false);
    assert_eq!(code, 1, "{out}");
    for line in [
        r#"EXTRA       HKLM\Software\Policies\Google\Chrome\LocalNetworkAccessAllowedForUrls "2" = REG_SZ "https://stale.example.nhs.uk": not in the spec's list"#,
        r#"WRONG VALUE HKLM\Software\Policies\Microsoft\Edge "AuthServerAllowlist": want REG_SZ "http://localhost", found "http://localhost,server1""#,
        r#"MISSING     HKLM\Software\Policies\Microsoft\Edge\CookiesAllowedForUrls "1": want REG_SZ "http://localhost""#,
        r#"WRONG TYPE  HKLM\Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap "AutoDetect": want REG_DWORD 0 (0x00000000), found REG_SZ "0""#,
        // The hex(1) string with a continuation line reads as the plain string (in this
        // REGEDIT4 file, one ANSI byte per character, as Windows reads it).
        r#"ok          HKLM\Software\Policies\Google\Chrome\CookiesAllowedForUrls "1" = REG_SZ "http://localhost""#,
        "summary: 6 ok, 1 missing, 1 wrong value, 1 wrong type, 1 extra, 0 not covered; 0 findings",
    ] {
        assert!(out.contains(line), "missing line:\n{line}\nin:\n{out}");
    }
}

#[test]
fn keys_outside_the_exports_are_not_covered() {
    let (code, out) = verify(&["auto-detect-off.reg"], true);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let statuses: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert!(statuses.iter().all(|s| *s == "not-covered"), "{statuses:?}");
    assert_eq!(statuses.len(), 9);
}

#[test]
fn each_known_conflict_has_a_trigger_and_a_near_miss() {
    for (trigger, near_miss, code) in [
        (
            "url-blocklist-localhost.reg",
            "url-blocklist-allowed.reg",
            "url-blocklist-blocks-localhost",
        ),
        (
            "lna-blocked.reg",
            "lna-blocked-other.reg",
            "lna-origin-blocked",
        ),
        (
            "cookies-blocked.reg",
            "cookies-blocked-with-exception.reg",
            "third-party-cookies-blocked",
        ),
        (
            "auth-allowlist-without-localhost.reg",
            "auth-allowlist-with-localhost.reg",
            "auth-allowlist-missing-localhost",
        ),
        (
            "auto-detect-on.reg",
            "auto-detect-off.reg",
            "intranet-auto-detect-on",
        ),
    ] {
        assert_eq!(findings(trigger), [code], "{trigger}");
        assert!(
            findings(near_miss).is_empty(),
            "{near_miss}: {:?}",
            findings(near_miss)
        );
    }
    for code in ["url-blocklist-blocks-localhost", "intranet-auto-detect-on"] {
        let out = Command::cargo_bin("policyc")
            .unwrap()
            .args(["explain", code])
            .output()
            .unwrap();
        assert!(out.status.success(), "{code} has no explanation");
    }
}

#[test]
fn human_finding_names_the_key_reason_and_fix() {
    let (code, out) = verify(&["url-blocklist-localhost.reg"], false);
    assert_eq!(code, 1);
    assert!(out.contains("finding[url-blocklist-blocks-localhost]: Google Chrome URLBlocklist entry `localhost` blocks http://localhost"), "{out}");
    assert!(
        out.contains(r#"at HKLM\Software\Policies\Google\Chrome\URLBlocklist "2""#),
        "{out}"
    );
    assert!(
        out.contains("fix: remove `localhost` from URLBlocklist"),
        "{out}"
    );
}

#[test]
fn unreadable_export_is_a_usage_error() {
    let (code, out) = verify(&["../verify-spec.yaml"], false);
    assert_eq!(code, 2);
    assert!(
        out.contains(
            "not a .reg export: line 1: missing `Windows Registry Editor Version 5.00` header"
        ),
        "{out}"
    );
}

#[test]
fn registry_pol_files_verify_by_hive() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let ex = "examples/nhs-credential-management.yaml";
    assert!(Command::cargo_bin("policyc")
        .unwrap()
        .args(["build", ex, "--out"])
        .arg(&out)
        .output()
        .unwrap()
        .status
        .success());
    let run = |args: Vec<String>| {
        let o = Command::cargo_bin("policyc")
            .unwrap()
            .args(["verify", ex, "--against"])
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8(o.stdout).unwrap() + &String::from_utf8(o.stderr).unwrap(),
        )
    };
    let machine = out.join("pol/Machine/Registry.pol").display().to_string();
    let user = out.join("pol/User/Registry.pol").display().to_string();
    let (code, text) = run(vec![machine.clone(), user.clone()]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("0 missing, 0 wrong value, 0 wrong type, 0 extra, 0 not covered; 0 findings"),
        "{text}"
    );
    // The machine file alone leaves the user value missing (a .pol covers its whole hive).
    let (code, text) = run(vec![machine.clone()]);
    assert_eq!(code, 1);
    assert!(text.contains(r#"NOT COVERED HKCU\SOFTWARE\Oberthur Technologies\Minidriver\PIVMinidriver "EnableNHSEnrollment""#), "{text}");
    // A .pol outside a Machine/User folder needs its hive named.
    let loose = dir.path().join("Registry.pol");
    std::fs::copy(&machine, &loose).unwrap();
    let (code, text) = run(vec![loose.display().to_string()]);
    assert_eq!(code, 2);
    assert!(
        text.contains("a Registry.pol does not say its hive; write hklm:"),
        "{text}"
    );
    let (code, text) = run(vec![
        format!("hklm:{}", loose.display()),
        format!("hkcu:{user}"),
    ]);
    assert_eq!(code, 0, "{text}");
    // The wrong hive shows as drift, not as success.
    let (code, _) = run(vec![
        format!("hkcu:{}", loose.display()),
        format!("hklm:{user}"),
    ]);
    assert_eq!(code, 1);
}

#[test]
fn the_bundles_own_reg_files_verify_every_value_as_ok() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let ex = "examples/nhs-credential-management.yaml";
    assert!(Command::cargo_bin("policyc")
        .unwrap()
        .args(["build", ex, "--no-sync", "--out"])
        .arg(&out)
        .output()
        .unwrap()
        .status
        .success());
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(["verify", ex, "--format", "json", "--against"])
        .arg(out.join("machine.reg"))
        .arg(out.join("user.reg"))
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(0), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let checks = v["checks"].as_array().unwrap();
    assert!(checks.len() > 20, "{text}");
    assert!(checks.iter().all(|c| c["status"] == "ok"), "{text}");
    // Negative control: machine.reg alone leaves the user value not covered.
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(["verify", ex, "--against"])
        .arg(out.join("machine.reg"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains(r#"NOT COVERED HKCU\SOFTWARE\Oberthur Technologies\Minidriver\PIVMinidriver "EnableNHSEnrollment""#), "{text}");
}

#[test]
fn damaged_registry_pol_files_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, bytes: &[u8]| {
        let p = dir.path().join("Machine");
        std::fs::create_dir_all(&p).unwrap();
        let f = p.join(name);
        std::fs::write(&f, bytes).unwrap();
        let o = Command::cargo_bin("policyc")
            .unwrap()
            .args(["verify", SPEC, "--against"])
            .arg(&f)
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8(o.stdout).unwrap() + &String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (code, out) = run("Registry.pol", b"");
    assert_eq!(code, 2);
    assert!(
        out.contains("a damaged Registry.pol: byte 0: the file is empty"),
        "{out}"
    );
    let (code, out) = run("Registry.pol", b"PRex\x01\0\0\0");
    assert_eq!(code, 2);
    assert!(out.contains("byte 0: signature is"), "{out}");
    let (code, out) = run("Registry.pol", b"PReg\x02\0\0\0");
    assert_eq!(code, 2);
    assert!(out.contains("byte 4: version is 2, not 1"), "{out}");
    // A record whose REG_DWORD holds 8 bytes: kept, reported, and shown as drift.
    let key = r"Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap";
    let bytes = policyc::pol::write(&[policyc::pol::Entry {
        key: key.into(),
        value: "AutoDetect".into(),
        reg_type: 4,
        data: vec![0; 8],
    }])
    .unwrap();
    let (code, out) = run("Registry.pol", &bytes);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("warning[pol-record-misfit]"), "{out}");
    assert!(out.contains("byte 8: "), "{out}");
    assert!(out.contains(r#"WRONG VALUE HKLM\Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap "AutoDetect""#), "{out}");
}

/// Precedence: policy the exports show elsewhere overrules values the spec writes, so a
/// value that reads `ok` is still inactive. Each case has a trigger (finding, exit 1) and a
/// near miss (clean, exit 0) with the same user exports.
#[test]
fn precedence_findings_have_a_trigger_and_a_near_miss() {
    const PRECEDENCE_SPEC: &str = "tests/fixtures/verify-precedence-spec.yaml";
    let run = |machine: &str| {
        let mut cmd = Command::cargo_bin("policyc").unwrap();
        cmd.args(["verify", PRECEDENCE_SPEC, "--format", "json", "--against"]);
        for e in [
            machine,
            "user-zonemap-domains.reg",
            "user-chrome-policies.reg",
        ] {
            cmd.arg(format!("tests/fixtures/exports/{e}"));
        }
        let out = cmd.output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // Every value the spec writes reads `ok` in all of these exports.
        assert!(
            v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["status"] == "ok"),
            "{machine}: {v}"
        );
        let codes: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        (out.status.code().unwrap(), codes, v)
    };
    for (trigger, near_miss, code, names) in [
        (
            "zonemap-policy.reg",
            "zonemap-policy-maps-site.reg",
            "zone-preference-inactive",
            "ListBox_Support_ZoneMapKey",
        ),
        (
            "security-hklm-only.reg",
            "security-hklm-only-off.reg",
            "zone-settings-machine-only",
            "Security_HKLM_only",
        ),
        (
            "machine-policy-overrides-user.reg",
            "machine-policy-same-as-user.reg",
            "user-policy-overridden",
            r"HKEY_LOCAL_MACHINE\Software\Policies\Google\Chrome\CookiesAllowedForUrls",
        ),
    ] {
        let (exit, codes, v) = run(trigger);
        assert_eq!(exit, 1, "{trigger}");
        assert_eq!(codes, [code], "{trigger}");
        // The finding names the policy that wins.
        assert!(
            v["findings"][0]["at"].as_str().unwrap().contains(names),
            "{trigger}: {v}"
        );
        let (exit, codes, _) = run(near_miss);
        assert_eq!((exit, codes), (0, vec![]), "{near_miss}");
        let out = Command::cargo_bin("policyc")
            .unwrap()
            .args(["explain", code])
            .output()
            .unwrap();
        assert!(out.status.success(), "{code} has no explanation");
    }
    // The human report names the Site to Zone Assignment List policy.
    let out = Command::cargo_bin("policyc")
        .unwrap()
        .args(["verify", PRECEDENCE_SPEC, "--against"])
        .args(
            [
                "zonemap-policy.reg",
                "user-zonemap-domains.reg",
                "user-chrome-policies.reg",
            ]
            .map(|e| format!("tests/fixtures/exports/{e}")),
        )
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("finding[zone-preference-inactive]: the Site to Zone Assignment List policy (HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMapKey) applies"), "{text}");
}

/// Writes `text` as `reg export` does (UTF-16LE with BOM, CRLF) or as ANSI bytes.
fn export_file(dir: &std::path::Path, name: &str, text: &str, utf16: bool) -> String {
    let text = text.replace('\n', "\r\n");
    let bytes: Vec<u8> = if utf16 {
        [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect()
    } else {
        text.chars().map(|c| c as u32 as u8).collect()
    };
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

fn verify_files(spec: &str, files: &[String]) -> (i32, String, String) {
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(["verify", spec, "--format", "json", "--against"])
        .args(files)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

fn status_of(json: &str, name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| c["status"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The cases of issue 14, read as Windows reads them.
#[test]
fn exports_read_as_windows_imports_them() {
    let dir = tempfile::tempdir().unwrap();
    // A REG_NONE value elsewhere under HKCU\Software does not stop the file.
    let user = export_file(
        dir.path(),
        "software.reg",
        "Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software\\Microsoft\\Edge]\n\"MSEdgeIEModeMHT\"=hex(0):\n\"Odd\"=hex(100):01,02\n\n[HKEY_CURRENT_USER\\Software\\Oberthur Technologies\\Minidriver\\PIVMinidriver]\n\"EnableNHSEnrollment\"=dword:00000000\n",
        true,
    );
    let (code, out, err) = verify_files("examples/nhs-credential-management.yaml", &[user]);
    assert_eq!(code, 1, "{err}"); // the HKLM values are not covered by this file
    assert_eq!(status_of(&out, "EnableNHSEnrollment"), "ok", "{out}");
    assert!(err.is_empty(), "{err}");

    // REGEDIT4: hex(2) bytes are ANSI characters, so the blocklist entry is `localhost`.
    let ansi = export_file(
        dir.path(),
        "blocklist.reg",
        "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome\\URLBlocklist]\n\"1\"=hex(2):6c,6f,63,61,6c,68,6f,73,74,00\n",
        false,
    );
    let (_, out, _) = verify_files(SPEC, &[ansi]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["url-blocklist-blocks-localhost"], "{out}");

    // The clean export with the comments and odd lines Windows skips verifies clean,
    // and each skipped line is a warning naming it.
    let clean = std::fs::read("tests/fixtures/exports/clean.reg").unwrap();
    let units: Vec<u16> = clean[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap().replace("\r\n", "\n");
    let edited = text
        .replacen("\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google]", "\n# a hash comment\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google]", 1)
        .replacen("\"AuthServerAllowlist\"=\"http://localhost\"\n", "\"AuthServerAllowlist\"=\"http://localhost\" ; set by GPO\n", 1)
        + "\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Unused]\n\"AfterDelete\"=dword:00000001\nnot a line at all\n";
    assert_ne!(edited, text);
    let commented = export_file(dir.path(), "commented.reg", &edited, true);
    let (code, out, err) = verify_files(SPEC, std::slice::from_ref(&commented));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(err.matches("warning[reg-line-skipped]").count(), 2, "{err}");
    let lines = edited.lines().count();
    assert!(
        err.contains(&format!("{commented}:{}:1", lines - 1)),
        "{err}"
    );

    // `"v"="...\0"`: Windows creates no value, so it is missing (and the line is named).
    let nul = export_file(
        dir.path(),
        "nul.reg",
        &text.replacen(
            "\"AuthServerAllowlist\"=\"http://localhost\"",
            "\"AuthServerAllowlist\"=\"http://localhost\\0\"",
            1,
        ),
        true,
    );
    let (code, out, err) = verify_files(SPEC, &[nul]);
    assert_eq!(code, 1);
    assert!(err.contains("`\\0` inside a string"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let missing: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "missing")
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        missing,
        ["HKEY_LOCAL_MACHINE\\Software\\Policies\\Google\\Chrome"],
        "{out}"
    );
}

/// A `reg export` of `HKEY_USERS\<SID>` holds a user's values, but not as HKEY_CURRENT_USER:
/// verify says it did not read those keys instead of reporting only "not covered"; an
/// export with HKEY_CURRENT_USER keys only is the control.
#[test]
fn hkey_users_keys_are_named_not_silently_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, root: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!("Windows Registry Editor Version 5.00\r\n\r\n[{root}\\SOFTWARE\\Oberthur Technologies\\AWP\\Settings]\r\n\"EnableNHSEnrollment\"=dword:00000000\r\n"),
        )
        .unwrap();
        p
    };
    let run = |p: &std::path::Path| {
        let o = Command::cargo_bin("policyc")
            .unwrap()
            .args(["verify", SPEC, "--against"])
            .arg(p)
            .output()
            .unwrap();
        String::from_utf8(o.stderr).unwrap()
    };
    let err = run(&write("hku.reg", "HKEY_USERS\\S-1-5-21-1-2-3-1001"));
    assert!(
        err.contains(
            "warning[reg-other-root]: keys under `HKEY_USERS\\S-1-5-21-1-2-3-1001` are not read"
        ),
        "{err}"
    );
    let err = run(&write("hkcu.reg", "HKEY_CURRENT_USER"));
    assert!(!err.contains("reg-other-root"), "{err}");
    // `--format json` carries the warning in its document too, for a pipeline that reads
    // stdout only; the HKEY_CURRENT_USER export has none (control).
    let json = |p: &std::path::Path| -> serde_json::Value {
        let o = Command::cargo_bin("policyc")
            .unwrap()
            .args(["verify", SPEC, "--format", "json", "--against"])
            .arg(p)
            .output()
            .unwrap();
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let codes = |v: &serde_json::Value| -> Vec<String> {
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        codes(&json(&dir.path().join("hku.reg"))),
        ["reg-other-root"]
    );
    assert!(codes(&json(&dir.path().join("hkcu.reg"))).is_empty());
}

/// The lints judge the value Chromium applies: a user AuthServerAllowlist without
/// http://localhost is overridden when the machine sets the policy (with localhost), so
/// it is no `auth-allowlist-missing-localhost` finding; the same user value alone is one.
#[test]
fn lints_judge_the_machine_value_when_the_machine_sets_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let codes = |body: &str| -> Vec<String> {
        let p = dir.path().join("x.reg");
        std::fs::write(
            &p,
            format!("Windows Registry Editor Version 5.00\r\n\r\n{body}"),
        )
        .unwrap();
        let o = Command::cargo_bin("policyc")
            .unwrap()
            .args(["verify", SPEC, "--format", "json", "--against"])
            .arg(&p)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let user = "[HKEY_CURRENT_USER\\SOFTWARE\\Policies\\Google\\Chrome]\r\n\"AuthServerAllowlist\"=\"*.nhs.uk\"\r\n\r\n";
    let machine = "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome]\r\n\"AuthServerAllowlist\"=\"http://localhost\"\r\n\r\n";
    let both = codes(&format!("{machine}{user}"));
    assert!(
        !both.iter().any(|c| c == "auth-allowlist-missing-localhost"),
        "{both:?}"
    );
    let alone = codes(user);
    assert!(
        alone
            .iter()
            .any(|c| c == "auth-allowlist-missing-localhost"),
        "{alone:?}"
    );
}
