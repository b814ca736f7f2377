//! Intune emitter: `intune/device.json` and `intune/user.json`, one Microsoft Graph
//! `windows10CustomConfiguration` per scope that has OMA-URI settings, ready for
//! `POST https://graph.microsoft.com/v1.0/deviceManagement/deviceConfigurations`
//! (`Invoke-MgGraphRequest -Method POST -Body (Get-Content -Raw intune\device.json)`).
//!
//! The profiles are built by `crate::intune` from the plan, the built-in catalog's
//! Intune routes and the ADMX template. serde_json escapes every spec string for JSON;
//! `crate::intune::xml_attr` has already escaped it for the XML payload inside.

use crate::catalog::Catalog;
use crate::emit::{encoding, Artifact, EmitError, Emitter, FileKind};

pub struct IntuneEmitter;

/// `intune/device.json` or `intune/user.json`.
pub fn profile_path(hive: crate::reg::Hive) -> String {
    format!("intune/{}.json", crate::intune::scope_word(hive))
}

/// The JSON of one profile: two-space indent, a final newline, keys in Graph's order.
pub fn render(p: &crate::intune::Profile) -> Result<String, String> {
    let mut s = serde_json::to_string_pretty(p).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

impl Emitter for IntuneEmitter {
    fn name(&self) -> &'static str {
        "intune"
    }

    /// Reads the built-in catalog for each location's Intune route and for the ADMX ids.
    fn emit(&self, plan: &crate::emit::Input) -> Result<Vec<Artifact>, EmitError> {
        let fail = |message: String| EmitError {
            emitter: "intune",
            message,
        };
        let catalog = Catalog::builtin().map_err(fail)?;
        let t = plan.admx_template().map_err(fail)?;
        let sc = plan.routes().map_err(fail)?;
        let built = crate::intune::build_from(plan, catalog, t, sc).map_err(fail)?;
        let mut out = Vec::new();
        for (hive, profile) in &built.profiles {
            out.push(Artifact {
                path: profile_path(*hive),
                kind: FileKind::IntuneJson,
                bytes: encoding::encode_owned(
                    render(profile).map_err(fail)?,
                    encoding::for_kind(FileKind::IntuneJson),
                ),
            });
        }
        Ok(out)
    }
}
