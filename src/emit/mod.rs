//! Emitters: one module per output format, each reading only the plan.

pub mod encoding;
pub mod manifest;
pub mod reg;

use crate::plan::Plan;
use serde::Serialize;

/// The fixed vocabulary of file kinds in `manifest.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// A regedit `.reg` file (one per hive).
    Reg,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Reg => "reg",
        }
    }
}

/// One generated file: its path inside the bundle, kind and final bytes.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub path: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[error("{emitter}: {message}")]
pub struct EmitError {
    pub emitter: &'static str,
    pub message: String,
}

pub trait Emitter {
    fn name(&self) -> &'static str;
    fn emit(&self, plan: &Plan) -> Result<Vec<Artifact>, EmitError>;
}

/// Every emitter, in the order their files are produced.
pub fn all() -> Vec<Box<dyn Emitter>> {
    vec![Box::new(reg::RegEmitter)]
}

/// Runs every emitter; the artifacts are sorted by path.
pub fn emit_all(plan: &Plan) -> Result<Vec<Artifact>, EmitError> {
    let mut out = Vec::new();
    for e in all() {
        out.extend(e.emit(plan)?);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
