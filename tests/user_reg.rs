//! `user.reg` holds only values a standard user can write: per-user policy values
//! (`HKCU\Software\Policies`) stay out of it and go to the GPO's User Registry.pol (and
//! the Intune ./User profile, apply.ps1 as SYSTEM); `check` says so with a note.

use assert_cmd::Command;

mod common;

const SPEC: &str = "policyc: 1\nbundle:\n  name: user-scope\n  display_name: User scope\n  version: \"1.0\"\n  publisher: p\nproducts: [chrome]\nsettings:\n  - id: cookies-allowed-for-urls\n    scope: SCOPE\n    value: [http://localhost]\n  - id: oberthur-enable-nhs-enrollment\n    value: 0\n";

fn files(scope: &str) -> Vec<(String, Vec<u8>)> {
    let plan = common::plan_from("u.yaml", SPEC.replace("SCOPE", scope).as_bytes());
    policyc::bundle_files(&plan).unwrap()
}

fn text(files: &[(String, Vec<u8>)], path: &str) -> Option<String> {
    files
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, b)| policyc::reg::text::decode(b).unwrap())
}

#[test]
fn user_policy_is_not_in_user_reg_but_in_the_user_registry_pol() {
    let f = files("user");
    let user = text(&f, "user.reg").unwrap();
    assert!(
        !user
            .to_ascii_lowercase()
            .contains("hkey_current_user\\software\\policies"),
        "{user}"
    );
    assert!(user.contains(
        "[HKEY_CURRENT_USER\\SOFTWARE\\Oberthur Technologies\\Minidriver\\PIVMinidriver]"
    ));
    let (_, pol) = f
        .iter()
        .find(|(p, _)| p == "pol/User/Registry.pol")
        .unwrap();
    let entries = policyc::pol::read(pol).unwrap();
    assert!(
        entries.iter().any(|e| e
            .key
            .eq_ignore_ascii_case(r"Software\Policies\Google\Chrome\CookiesAllowedForUrls")
            && e.value == "1"),
        "{entries:?}"
    );
    // Control: at machine scope the same policy is in machine.reg.
    let f = files("machine");
    assert!(text(&f, "machine.reg")
        .unwrap()
        .contains("Policies\\Google\\Chrome\\CookiesAllowedForUrls]"));
}

#[test]
fn check_says_where_user_policy_goes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |scope: &str| {
        let p = dir.path().join(format!("{scope}.yaml"));
        std::fs::write(&p, SPEC.replace("SCOPE", scope)).unwrap();
        let out = Command::cargo_bin("policyc")
            .unwrap()
            .args(["check", "--notes", p.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let out = run("user");
    assert!(out.contains("note[user-policy-not-in-reg]: settings[0] (`cookies-allowed-for-urls`) writes per-user policy values under `HKCU\\Software\\Policies\\Google\\Chrome\\CookiesAllowedForUrls`"), "{out}");
    assert!(out.contains("pol/User/Registry.pol"), "{out}");
    assert!(!run("machine").contains("user-policy-not-in-reg"));
}
