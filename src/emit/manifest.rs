//! `manifest.json`: what the bundle holds, with a sha256 per file, so CI and
//! admins can tell a stale or edited bundle from the one the spec compiles to.

use super::{encoding, Artifact, FileKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub const FILE_NAME: &str = "manifest.json";

#[derive(Serialize)]
struct Manifest<'a> {
    policyc: &'a str,
    spec: &'a str,
    files: Vec<FileEntry<'a>>,
}

#[derive(Serialize)]
struct FileEntry<'a> {
    path: &'a str,
    kind: FileKind,
    sha256: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The manifest's bytes for these artifacts (sorted by path).
pub fn render(spec_name: &str, artifacts: &[Artifact]) -> Vec<u8> {
    let mut files: Vec<FileEntry> = artifacts
        .iter()
        .map(|a| FileEntry {
            path: &a.path,
            kind: a.kind,
            sha256: sha256_hex(&a.bytes),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(b.path));
    let m = Manifest {
        policyc: env!("CARGO_PKG_VERSION"),
        spec: spec_name,
        files,
    };
    let mut text = serde_json::to_string_pretty(&m).expect("manifest serialises");
    text.push('\n');
    encoding::encode(&text, encoding::Encoding::Utf8Lf)
}
