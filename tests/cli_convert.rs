//! `policyc convert`: a reader and a writer joined. A `.reg` file converted to
//! Registry.pol holds, for each import case of `tests/common/reg_cases.rs`, the values
//! Windows' `reg import` creates (the table's outcomes, which `tests/interop_wine.rs`
//! checks against Wine), or is named in a warning (a REG_DWORD without 4 bytes has
//! no well-formed Registry.pol record); deletions keep their meaning; what a format cannot hold is a
//! `convert-loss` warning; both hives give NAME.Machine.pol and NAME.User.pol.

use assert_cmd::Command;
use policyc::convert::{self, Op};
use policyc::reg::{Hive, RegData};
use std::collections::BTreeMap;

mod common;
use common::reg_cases::{CASES, KEY};

/// The values a list of operations leaves under one key, replayed in order.
fn replay(ops: &[Op], key: &str) -> BTreeMap<String, RegData> {
    let mut out = BTreeMap::new();
    for op in ops {
        match op {
            Op::Set {
                key: k, name, data, ..
            } if k.eq_ignore_ascii_case(key) => {
                out.insert(name.clone(), data.clone());
            }
            Op::DeleteValue { key: k, name, .. } if k.eq_ignore_ascii_case(key) => {
                out.remove(name);
            }
            Op::DeleteValues { key: k, .. } if k.eq_ignore_ascii_case(key) => out.clear(),
            _ => {}
        }
    }
    out
}

#[test]
fn reg_to_pol_holds_what_windows_imports_for_each_case() {
    let key = KEY.split_once('\\').unwrap().1;
    let mut problems = Vec::new();
    for case in CASES {
        let (ops, _) = convert::from_reg("case.reg", &case.file()).unwrap();
        let (files, lost) = convert::to_pol("out.pol", &ops).unwrap();
        assert_eq!(files.len(), 1, "{}", case.source);
        assert_eq!(files[0].0, Hive::Hkcu);
        let entries = policyc::pol::read(&files[0].1).unwrap();
        let (back, warnings) = convert::from_pol_entries("out.pol", Hive::Hkcu, entries);
        assert!(warnings.is_empty(), "{}: {warnings:?}", case.source);
        let got = replay(&back, key);
        for (name, want) in case.want {
            // A value Registry.pol cannot hold is left out only with a warning naming it.
            let warned = lost
                .iter()
                .any(|d| d.code == "convert-loss" && d.message.contains(&format!("\\{name}: ")));
            if !got.contains_key(*name) && want.data().is_some() && warned {
                continue;
            }
            if got.get(*name) != want.data().as_ref() {
                problems.push(format!(
                    "{}: {name:?}: Windows {want:?}, the converted .pol {:?}",
                    case.source,
                    got.get(*name)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn policyc(args: &[&str]) -> (i32, String, String) {
    let o = Command::cargo_bin("policyc")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    // Redirected, reg and lgpo output is the file's own UTF-16LE with BOM (see
    // `redirected_reg_output_is_the_file_itself`): read as text here.
    let stdout = match o.stdout.strip_prefix(&[0xFF, 0xFE]) {
        Some(units) => String::from_utf16(
            &units
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        )
        .expect("UTF-16LE"),
        None => String::from_utf8_lossy(&o.stdout).into_owned(),
    };
    (
        o.status.code().unwrap(),
        stdout,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn both_hives_give_machine_and_user_pol_and_deletions_survive() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("mixed.reg");
    std::fs::write(
        &reg,
        "Windows Registry Editor Version 5.00\r\n\r\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome\\URLBlocklist]\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome\\URLBlocklist]\r\n\"1\"=\"https://bad.example\"\r\n\r\n[HKEY_CURRENT_USER\\SOFTWARE\\A]\r\n\"gone\"=-\r\n\"n\"=hex(0):\r\n",
    )
    .unwrap();
    let out = dir.path().join("mixed.pol");
    let (code, _, err) = policyc(&[
        "convert",
        reg.to_str().unwrap(),
        "--to",
        "pol",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    let machine = dir.path().join("mixed.Machine.pol");
    let user = dir.path().join("mixed.User.pol");
    assert!(!out.exists());
    let m = policyc::pol::read(&std::fs::read(&machine).unwrap()).unwrap();
    let names: Vec<(&str, &str)> = m
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (r"SOFTWARE\Policies\Google\Chrome", "**deletekeys"),
            (r"SOFTWARE\Policies\Google\Chrome\URLBlocklist", "1"),
        ]
    );
    let u = policyc::pol::read(&std::fs::read(&user).unwrap()).unwrap();
    assert_eq!(u[0].value, "**del.gone");
    assert_eq!(
        (u[1].value.as_str(), u[1].reg_type, u[1].data.len()),
        ("n", 0, 0)
    );
    // And back to .reg: the same three operations.
    let (code, text, err) = policyc(&[
        "convert",
        &format!("hklm:{}", machine.display()),
        &format!("hkcu:{}", user.display()),
        "--to",
        "reg",
    ]);
    assert_eq!(code, 0, "{err}");
    for line in [
        r"[-HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome\URLBlocklist]",
        "\"1\"=\"https://bad.example\"",
        "\"gone\"=-",
        "\"n\"=hex(0):",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
}

#[test]
fn what_a_format_cannot_hold_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("t.reg");
    std::fs::write(
        &reg,
        "REGEDIT4\n\n[-HKEY_CURRENT_USER\\A\\B]\n\n[HKEY_USERS\\S-1-5-18\\X]\n\"y\"=\"z\"\n\n[HKEY_CURRENT_USER\\A]\n\"v\"=\"x\"#not a comment\n\"n\"=hex(0):01\n",
    )
    .unwrap();
    let (code, text, err) = policyc(&["convert", reg.to_str().unwrap(), "--to", "lgpo"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning[convert-loss]: A\\B: LGPO text has no key deletion"),
        "{err}"
    );
    assert!(err.contains("`HKEY_USERS\\S-1-5-18\\X`: policyc converts HKEY_LOCAL_MACHINE and HKEY_CURRENT_USER keys only"), "{err}");
    assert!(err.contains("warning[reg-line-skipped]"), "{err}");
    assert!(err.contains("t.reg:9:1"), "{err}");
    assert!(
        err.contains("A\\n: type 0 with 1 bytes has no LGPO action"),
        "{err}"
    );
    assert_eq!(text, "");
    // A `**delvals.` record has no .reg form.
    let pol = dir.path().join("Machine").join("Registry.pol");
    std::fs::create_dir_all(pol.parent().unwrap()).unwrap();
    std::fs::write(
        &pol,
        policyc::pol::write(&[policyc::pol::Entry::delete_values("SOFTWARE\\L")]).unwrap(),
    )
    .unwrap();
    let (code, _, err) = policyc(&["convert", pol.to_str().unwrap(), "--to", "reg"]);
    assert_eq!(code, 0);
    assert!(
        err.contains(
            "SOFTWARE\\L: `**delvals.` (delete every value, keep the subkeys) has no .reg form"
        ),
        "{err}"
    );
    // Registry.pol is binary: no stdout.
    let (code, _, err) = policyc(&["convert", reg.to_str().unwrap(), "--to", "pol"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("Registry.pol is binary: give --out FILE"),
        "{err}"
    );
}

/// The `convert` fuzz target's property on the repository's own inputs: the `.reg`
/// writer's output reads with no skipped line and writes back to the same text.
#[test]
fn reg_writer_output_is_a_fixed_point() {
    let mut inputs: Vec<(String, Vec<u8>)> = CASES
        .iter()
        .map(|c| (c.source.to_string(), c.file()))
        .collect();
    for e in std::fs::read_dir("tests/fixtures/exports").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "reg") {
            inputs.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    assert!(inputs.len() > CASES.len());
    for (what, bytes) in inputs {
        let (ops, _) = convert::from_reg(&what, &bytes).unwrap();
        let (text, _) = convert::to_reg(&what, &ops).unwrap();
        let encoded = policyc::emit::encoding::encode(
            &text,
            policyc::emit::encoding::Encoding::Utf16LeBomCrlf,
        );
        let (again, skipped) = convert::from_reg(&what, &encoded).unwrap();
        assert!(skipped.is_empty(), "{what}: {skipped:?}");
        let (text2, _) = convert::to_reg(&what, &again).unwrap();
        assert_eq!(text2, text, "{what}");
    }
}

/// `convert --to reg` without `--out`, redirected: the bytes are the .reg file's own
/// (UTF-16LE with BOM, CRLF), so `> r.reg` gives a file `reg import` reads with its
/// non-ASCII text intact; UTF-8 without a BOM would be read as ANSI (`Café` as `CafÃ©`).
#[test]
fn redirected_reg_output_is_the_file_itself() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("u.reg");
    std::fs::write(
        &input,
        policyc::emit::encoding::encode(
            "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\T]\r\n\"Issuer\"=\"CN=Caf\u{e9}\"\r\n",
            policyc::emit::encoding::Encoding::Utf16LeBomCrlf,
        ),
    )
    .unwrap();
    let file = dir.path().join("file.reg");
    let (code, _, err) = policyc(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        "reg",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let piped = Command::cargo_bin("policyc")
        .unwrap()
        .args(["convert", input.to_str().unwrap(), "--to", "reg"])
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert_eq!(piped.stdout, std::fs::read(&file).unwrap());
    assert!(piped.stdout.starts_with(&[0xFF, 0xFE]));
    // Read back through a file, as `> r.reg` makes it.
    let redirected = dir.path().join("redirected.reg");
    std::fs::write(&redirected, &piped.stdout).unwrap();
    let (code, json, err) = policyc(&["convert", redirected.to_str().unwrap(), "--to", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(json.contains("\"CN=Caf\u{e9}\""), "{json}");
}
