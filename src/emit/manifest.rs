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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// The manifest's bytes for these artifacts (sorted by path).
pub fn render(spec_name: &str, artifacts: &[Artifact]) -> Vec<u8> {
    let hashes: Vec<String> = artifacts.iter().map(|a| sha256_hex(&a.bytes)).collect();
    render_hashed(spec_name, artifacts, &hashes)
}

/// [`render`] with each artifact's [`sha256_hex`] already known (`hashes[i]` is that of
/// `artifacts[i]`), so a build hashes each file once.
pub fn render_hashed(spec_name: &str, artifacts: &[Artifact], hashes: &[String]) -> Vec<u8> {
    assert_eq!(artifacts.len(), hashes.len(), "one hash per artifact");
    let mut files: Vec<FileEntry> = artifacts
        .iter()
        .zip(hashes)
        .map(|(a, h)| FileEntry {
            path: &a.path,
            kind: a.kind,
            sha256: h.clone(),
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
    encoding::encode_owned(text, encoding::Encoding::Utf8Lf)
}
