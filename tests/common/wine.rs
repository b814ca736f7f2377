//! One Wine prefix for a test run (`wineboot -i`), shared by the `.reg` interop test and
//! the `policyc.exe` test: programs run in it with their output in files (wineserver
//! outlives a call and would hold a pipe open); `wineserver -k` on drop, even on panic.
//! A prefix is about 700 MB (Wine copies its DLLs into it), so make one per test binary.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Stdio};

pub struct Wine {
    prefix: tempfile::TempDir,
    logs: tempfile::TempDir,
    calls: usize,
}

/// What one program printed, and its exit code.
pub struct Out {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Out {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// The exit code and both streams, for an assertion message.
    pub fn text(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

impl Wine {
    /// A new prefix, named `policyc-TAG-...` under the temporary folder.
    pub fn boot(tag: &str) -> Wine {
        let mut w = Wine {
            prefix: tempfile::Builder::new()
                .prefix(&format!("policyc-{tag}-"))
                .tempdir()
                .expect("prefix dir"),
            logs: tempfile::tempdir().expect("log dir"),
            calls: 0,
        };
        // One wineserver for the whole test, started first and kept until drop
        // (`wineserver -k`). By default it exits 3 seconds after its last client and the
        // next call starts another, which reloads the registry from the prefix's files:
        // under load, a full test run once found the HKCU keys `reg import` had just
        // written missing (every later export said "Unable to find the specified registry
        // key"), which no standalone run showed.
        let out = w.run(Path::new("/"), "wineserver", &["-p"]);
        assert!(out.ok(), "wineserver -p failed:\n{}", out.text());
        let out = w.run(Path::new("/"), "wineboot", &["-i"]);
        assert!(out.ok(), "wineboot -i failed:\n{}", out.text());
        w
    }

    pub fn prefix(&self) -> &Path {
        self.prefix.path()
    }

    /// Runs `program args` in `cwd` with this prefix and no display.
    pub fn run(&mut self, cwd: &Path, program: &str, args: &[&str]) -> Out {
        self.calls += 1;
        let out_path = self.logs.path().join(format!("{}.out", self.calls));
        let err_path = self.logs.path().join(format!("{}.err", self.calls));
        let status = Command::new(program)
            .args(args)
            .current_dir(cwd)
            .env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .stdout(File::create(&out_path).expect("log file"))
            .stderr(File::create(&err_path).expect("log file"))
            .status()
            .unwrap_or_else(|e| panic!("starting {program}: {e}"));
        Out {
            code: status.code(),
            stdout: fs::read(&out_path).unwrap_or_default(),
            stderr: fs::read(&err_path).unwrap_or_default(),
        }
    }

    /// `wine reg ARGS` in `cwd`. `wine reg export` of a key that exists was seen to exit 1
    /// once, with no message, in a clean CI run (the same run passed every other time). An
    /// export only reads, so it is retried once; the retry is reported, and a second failure
    /// still fails.
    pub fn reg(&mut self, cwd: &Path, args: &[&str]) -> Out {
        let mut all = vec!["reg"];
        all.extend_from_slice(args);
        let out = self.run(cwd, "wine", &all);
        if !out.ok() && args.first() == Some(&"export") {
            std::thread::sleep(std::time::Duration::from_millis(500));
            let again = self.run(cwd, "wine", &all);
            eprintln!(
                "wine: retried after a failed `reg {}` (exit {:?}): {}",
                args.join(" "),
                out.code,
                if again.ok() {
                    "the retry succeeded"
                } else {
                    "the retry failed too"
                }
            );
            return again;
        }
        out
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let _ = Command::new("wineserver")
            .arg("-k")
            .env("WINEPREFIX", self.prefix.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
