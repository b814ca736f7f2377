//! The Windows build, `policyc.exe` (x86_64-pc-windows-gnu, cross-built with mingw by
//! `.ci/run`), run under Wine and compared with the Linux binary of the same sources:
//! both examples build byte-identical bundles from Windows paths (drive letter,
//! backslashes, a space), from a spec with CRLF line ends and a UTF-8 BOM, and over a
//! folder that already holds a bundle; `check --format json`, `verify` of a real
//! `reg export` file (Wine's `reg`), `diff`, exit codes and the console text (UTF-8,
//! byte for byte the Linux text, including non-ASCII, through files; and through Wine's
//! console on a pseudo-terminal, with no mojibake) match.
//!
//! Wine 8 lacks `ProcessPrng` in `bcryptprimitives.dll`, which Rust's standard library
//! imports on Windows 10 and later; real Windows has it. The test builds a stub DLL
//! with mingw (ProcessPrng calling advapi32's `SystemFunction036`, i.e. RtlGenRandom)
//! and puts it beside a copy of the exe in a temporary folder. It is never shipped.
//! A negative control runs the exe without the stub: Wine must refuse to start it.
//!
//! The exe: `POLICYC_WINDOWS_EXE`, else `target/x86_64-pc-windows-gnu/{debug,release}/
//! policyc.exe`. An exe older than the sources is refused (it would test old code).
//! Needs wine and x86_64-w64-mingw32-gcc; without them (or the exe) the test prints
//! SKIPPED and passes, unless `POLICYC_REQUIRE_INTEROP=1`.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;

use common::wine::{Out, Wine};

const LIVE: &str = "examples/nhs-credential-management.yaml";
const INT: &str = "examples/nhs-credential-management-int.yaml";

/// The stub: ProcessPrng(data, len) filled by RtlGenRandom, in chunks of at most
/// 2^28 bytes (RtlGenRandom takes a ULONG length).
const STUB_C: &str = r#"#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
"#;
const STUB_DEF: &str = "LIBRARY bcryptprimitives\nEXPORTS\n    ProcessPrng\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cross-built exe, if there is one newer than every source file.
fn find_exe() -> Result<PathBuf, String> {
    let candidates: Vec<PathBuf> = match std::env::var_os("POLICYC_WINDOWS_EXE") {
        Some(p) => vec![PathBuf::from(p)],
        None => ["debug", "release"]
            .iter()
            .map(|p| {
                root()
                    .join("target/x86_64-pc-windows-gnu")
                    .join(p)
                    .join("policyc.exe")
            })
            .collect(),
    };
    let exe = candidates
        .iter()
        .filter_map(|p| Some((fs::metadata(p).ok()?.modified().ok()?, p)))
        .max()
        .map(|(_, p)| p.clone())
        .ok_or_else(|| {
            format!(
                "policyc.exe not found ({}); build it with `cargo build --target x86_64-pc-windows-gnu` (see .ci/run)",
                candidates[0].display()
            )
        })?;
    let built = fs::metadata(&exe).unwrap().modified().unwrap();
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    fn walk(dir: &Path, newest: &mut Option<(std::time::SystemTime, PathBuf)>) {
        for e in fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, newest);
            } else if let Ok(t) = e.metadata().and_then(|m| m.modified()) {
                if newest.as_ref().is_none_or(|(n, _)| t > *n) {
                    *newest = Some((t, p));
                }
            }
        }
    }
    for d in ["src", "policies", "products", "templates", "examples"] {
        walk(&root().join(d), &mut newest);
    }
    match newest {
        Some((t, p)) if t > built => Err(format!(
            "{} is older than {}; rebuild it with `cargo build --target x86_64-pc-windows-gnu`",
            exe.display(),
            p.display()
        )),
        _ => Ok(exe),
    }
}

/// Runs the exe under Wine (the shared prefix of `common::wine`).
impl Wine {
    fn exe(&mut self, exe: &Path, cwd: &Path, args: &[&str]) -> Out {
        let mut all = vec![exe.to_str().unwrap()];
        all.extend_from_slice(args);
        self.run(cwd, "wine", &all)
    }
}

/// The Linux binary of the same sources.
fn linux(cwd: &Path, args: &[&str]) -> Out {
    let o = Command::new(env!("CARGO_BIN_EXE_policyc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Out {
        code: o.status.code(),
        stdout: o.stdout,
        stderr: o.stderr,
    }
}

/// `Z:\...` for a Unix path (Wine maps the Unix root to drive Z:).
fn win(p: &Path) -> String {
    format!("Z:{}", p.to_str().unwrap().replace('/', "\\"))
}

/// The two outputs are the same text once the path spelling is made the same.
fn same_text(what: &str, w: &[u8], l: &[u8], paths: &[(&str, &str)]) {
    let w = std::str::from_utf8(w)
        .unwrap_or_else(|e| panic!("{what}: the exe's output is not UTF-8 (mojibake): {e}"));
    let l = std::str::from_utf8(l).unwrap();
    let mut w = w.replace("\r\n", "\n");
    for (win, unix) in paths {
        w = w.replace(win, unix);
    }
    assert_eq!(
        w, l,
        "{what}: the exe and the Linux binary print different text"
    );
}

fn build_stub(dir: &Path) {
    let c = dir.join("prng.c");
    let def = dir.join("prng.def");
    fs::write(&c, STUB_C).unwrap();
    fs::write(&def, STUB_DEF).unwrap();
    let out = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(dir.join("bcryptprimitives.dll"))
        .arg(&c)
        .arg(&def)
        .arg("-ladvapi32")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "building the ProcessPrng stub failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::remove_file(c).unwrap();
    fs::remove_file(def).unwrap();
}

#[test]
fn windows_exe_under_wine_matches_the_linux_build() {
    if !common::require("wine", "wine wine64")
        || !common::require("wineboot", "wine")
        || !common::require("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
    {
        return;
    }
    let exe_src = match find_exe() {
        Ok(p) => p,
        Err(msg) => {
            common::skip(&msg);
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // The exe alone (negative control), then with the stub beside it.
    let bare = t.join("bare");
    let bin = t.join("bin");
    fs::create_dir_all(&bare).unwrap();
    fs::create_dir_all(&bin).unwrap();
    fs::copy(&exe_src, bare.join("policyc.exe")).unwrap();
    fs::copy(&exe_src, bin.join("policyc.exe")).unwrap();
    build_stub(&bin);
    let exe = bin.join("policyc.exe");

    let mut wine = Wine::boot("wine-exe");
    let no_stub = wine.exe(
        &bare.join("policyc.exe"),
        t,
        &["check", &win(&root().join(LIVE))],
    );
    assert_ne!(
        no_stub.code,
        Some(0),
        "negative control: without the ProcessPrng stub Wine 8 should not start the exe:\n{}",
        no_stub.text()
    );

    let version = wine.exe(&exe, t, &["--version"]);
    assert_eq!(version.code, Some(0), "{}", version.text());
    same_text(
        "--version",
        &version.stdout,
        &linux(t, &["--version"]).stdout,
        &[],
    );

    // Specs in a folder with a space: the live example with CRLF line ends and a BOM,
    // the INT example as it is.
    let specs = t.join("trust specs");
    fs::create_dir_all(&specs).unwrap();
    let live = fs::read_to_string(root().join(LIVE)).unwrap();
    let mut crlf = b"\xEF\xBB\xBF".to_vec();
    crlf.extend_from_slice(live.replace('\n', "\r\n").as_bytes());
    fs::write(specs.join("live.yaml"), &crlf).unwrap();
    fs::copy(root().join(INT), specs.join("int.yaml")).unwrap();

    // The Linux builds of the unchanged examples are the reference.
    let reference = t.join("reference");
    for (name, example) in [("live", LIVE), ("int", INT)] {
        let o = linux(
            t,
            &[
                "build",
                root().join(example).to_str().unwrap(),
                "--out",
                reference.join(name).to_str().unwrap(),
                "--no-sync",
            ],
        );
        assert_eq!(o.code, Some(0), "{}", o.text());
    }
    let want_live = common::read_tree(&reference.join("live"));
    let want_int = common::read_tree(&reference.join("int"));

    // 1. Absolute paths with a drive letter; INT first, then live over that bundle.
    let out = t.join("out bundle");
    let b = wine.exe(
        &exe,
        t,
        &["build", &win(&specs.join("int.yaml")), "--out", &win(&out)],
    );
    assert_eq!(b.code, Some(0), "{}", b.text());
    assert!(
        common::read_tree(&out) == want_int,
        "INT bundle differs from the Linux build"
    );
    let b = wine.exe(
        &exe,
        t,
        &["build", &win(&specs.join("live.yaml")), "--out", &win(&out)],
    );
    assert_eq!(b.code, Some(0), "{}", b.text());
    let got = common::read_tree(&out);
    for (name, bytes) in &want_live {
        assert!(
            got.get(name) == Some(bytes),
            "{name}: the exe's bundle (CRLF+BOM spec, built over the INT bundle) differs from the Linux build"
        );
    }
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want_live.keys().collect::<Vec<_>>(),
        "file lists differ"
    );
    // What the exe printed is what Linux prints for the same build.
    let l = linux(
        t,
        &[
            "build",
            specs.join("live.yaml").to_str().unwrap(),
            "--out",
            t.join("linux-over").to_str().unwrap(),
        ],
    );
    assert_eq!(l.code, Some(0));
    same_text(
        "build stderr",
        &b.stderr,
        &l.stderr,
        &[(&win(&specs), specs.to_str().unwrap())],
    );

    // 2. Relative paths with backslashes from the working folder.
    let b = wine.exe(
        &exe,
        t,
        &["build", "trust specs\\int.yaml", "--out", "rel\\int"],
    );
    assert_eq!(b.code, Some(0), "{}", b.text());
    assert!(
        common::read_tree(&t.join("rel/int")) == want_int,
        "relative-path build differs"
    );
    let b = wine.exe(
        &exe,
        t,
        &[
            "build",
            "--check",
            "trust specs\\live.yaml",
            "--out",
            "rel\\int",
        ],
    );
    assert_eq!(
        b.code,
        Some(1),
        "build --check of the wrong bundle: {}",
        b.text()
    );

    // 3. check --format json: a spec with errors, and non-ASCII text in messages.
    let bad = live
        .replace("intranet-auto-detect ", "intranet-autø-detect ")
        .replace(
            "\"http://localhost\": intranet",
            "\"http://localhost\": intarnet",
        );
    assert_ne!(bad, live, "the example changed; update the bad spec");
    fs::write(specs.join("bad.yaml"), bad.replace('\n', "\r\n")).unwrap();
    let w = wine.exe(
        &exe,
        t,
        &["check", "--format", "json", "trust specs\\bad.yaml"],
    );
    let l = linux(t, &["check", "--format", "json", "trust specs/bad.yaml"]);
    assert_eq!(w.code, Some(1), "{}", w.text());
    assert_eq!(l.code, Some(1));
    same_text(
        "check --format json",
        &w.stdout,
        &l.stdout,
        &[("trust specs\\\\bad.yaml", "trust specs/bad.yaml")],
    );
    let v: serde_json::Value = serde_json::from_slice(&w.stdout).unwrap();
    let text = v.to_string();
    assert!(text.contains("autø"), "non-ASCII lost: {text}");
    assert!(text.contains("did you mean `intranet`?"), "{text}");
    // Human diagnostics (stderr) with the same non-ASCII text.
    let w = wine.exe(&exe, t, &["check", "trust specs\\bad.yaml"]);
    let l = linux(t, &["check", "trust specs/bad.yaml"]);
    assert_eq!(w.code, Some(1));
    same_text(
        "check (human)",
        &w.stderr,
        &l.stderr,
        &[("trust specs\\bad.yaml", "trust specs/bad.yaml")],
    );

    // The same through Wine's console (a pseudo-terminal from `script`): Rust writes
    // UTF-16 with WriteConsoleW there, and Wine turns it into the terminal's UTF-8.
    if common::require("script", "bsdutils") {
        let cmd = format!(
            "wine '{}' check 'trust specs\\bad.yaml'",
            exe.to_str().unwrap()
        );
        let log = t.join("console.txt");
        let status = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(t)
            .env("WINEPREFIX", wine.prefix())
            .env("WINEDEBUG", "-all")
            .env("LANG", "C.UTF-8")
            .env("NO_COLOR", "1")
            .env_remove("DISPLAY")
            .stdin(Stdio::null())
            .stdout(File::create(&log).unwrap())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(1), "exit code through the console");
        let raw = fs::read(&log).unwrap();
        let text = String::from_utf8(raw).expect("the console text is UTF-8");
        // Drop the terminal's escape sequences (cursor show/hide) and carriage returns.
        let mut plain = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
            } else if c != '\r' {
                plain.push(c);
            }
        }
        assert!(
            plain.contains("error[unknown-setting]: unknown setting `intranet-autø-detect`"),
            "console text: {plain}"
        );
        assert!(!plain.contains("Ã"), "mojibake on the console: {plain}");
    }

    // 4. verify against real `reg export` files: Wine's reg imports the bundle's
    // .reg files, exports the keys the spec writes, and the exe reads the exports.
    for reg in ["machine.reg", "user.reg"] {
        let r = wine.reg(t, &["import", &win(&out.join(reg))]);
        assert_eq!(r.code, Some(0), "reg import {reg}: {}", r.text());
    }
    let exports = [
        ("HKLM\\SOFTWARE\\Policies", "policies.reg"),
        ("HKCU\\SOFTWARE\\Oberthur Technologies", "oberthur.reg"),
        ("HKLM\\SOFTWARE\\Wow6432Node\\NHS", "nhs.reg"),
        (
            "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap",
            "zonemap.reg",
        ),
    ];
    let mut against = Vec::new();
    for (key, file) in exports {
        // `Wine::reg` retries a failed export once (Wine's reg was seen to fail once).
        let r = wine.reg(t, &["export", key, file, "/y"]);
        assert_eq!(r.code, Some(0), "reg export {key}: {}", r.text());
        assert!(
            fs::read(t.join(file)).unwrap().starts_with(&[0xFF, 0xFE]),
            "{file}: reg export writes UTF-16LE with a BOM"
        );
        against.push(file);
    }
    let mut args = vec!["verify", "trust specs\\live.yaml", "--against"];
    args.extend(against.iter().copied());
    let w = wine.exe(&exe, t, &args);
    let mut largs = vec!["verify", "trust specs/live.yaml", "--against"];
    largs.extend(against.iter().copied());
    let l = linux(t, &largs);
    assert_eq!(
        w.code,
        l.code,
        "verify exit codes differ:\n{}\n{}",
        w.text(),
        l.text()
    );
    assert_eq!(
        w.code,
        Some(0),
        "the bundle Wine imported verifies clean: {}",
        w.text()
    );
    same_text("verify", &w.stdout, &l.stdout, &[]);
    let report = String::from_utf8_lossy(&w.stdout).to_string();
    assert!(report.contains("ok"), "{report}");
    assert!(!report.contains("WRONG"), "{report}");
    // Negative control: the drifted export is drift for both.
    let drift = root().join("tests/fixtures/exports/drift.reg");
    let w = wine.exe(
        &exe,
        t,
        &[
            "verify",
            "trust specs\\live.yaml",
            "--against",
            &win(&drift),
        ],
    );
    let l = linux(
        t,
        &[
            "verify",
            "trust specs/live.yaml",
            "--against",
            drift.to_str().unwrap(),
        ],
    );
    assert_eq!(w.code, Some(1), "{}", w.text());
    assert_eq!(l.code, Some(1));

    // 5. diff: changed (1) and same (0), the same text as Linux.
    let w = wine.exe(
        &exe,
        t,
        &["diff", "trust specs\\live.yaml", "trust specs\\int.yaml"],
    );
    let l = linux(
        t,
        &["diff", "trust specs/live.yaml", "trust specs/int.yaml"],
    );
    assert_eq!(w.code, Some(1), "{}", w.text());
    assert_eq!(l.code, Some(1));
    same_text("diff", &w.stdout, &l.stdout, &[]);
    let w = wine.exe(
        &exe,
        t,
        &[
            "diff",
            "--format",
            "json",
            "trust specs\\live.yaml",
            &win(&root().join(LIVE)),
        ],
    );
    assert_eq!(
        w.code,
        Some(0),
        "a CRLF+BOM copy has the same effect: {}",
        w.text()
    );

    // 6. Exit codes: a missing spec and an unknown code are usage errors (2).
    let w = wine.exe(&exe, t, &["check", "no such.yaml"]);
    assert_eq!(w.code, Some(2), "{}", w.text());
    let w = wine.exe(&exe, t, &["explain", "no-such-code"]);
    assert_eq!(w.code, Some(2), "{}", w.text());
    let w = wine.exe(&exe, t, &["check", "trust specs\\live.yaml"]);
    assert_eq!(w.code, Some(0), "{}", w.text());
    let l = linux(t, &["check", "trust specs/live.yaml"]);
    same_text(
        "check ok",
        &w.stdout,
        &l.stdout,
        &[("trust specs\\live.yaml", "trust specs/live.yaml")],
    );
}
