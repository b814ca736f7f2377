//! Settings Catalog emitter: `intune/settings-catalog/device.json` and `.../user.json`,
//! one Graph `deviceManagementConfigurationPolicy` per scope with values whose policy has a
//! Settings Catalog definition, ready for
//! `POST https://graph.microsoft.com/beta/deviceManagement/configurationPolicies`.
//! serde_json escapes every spec string; no payload XML is involved.

use crate::emit::{encoding, Artifact, EmitError, Emitter, FileKind, Input};

pub struct SettingsCatalogEmitter;

/// The JSON of one policy: two-space indent, a final newline, keys in Graph's order.
pub fn render(p: &super::instance::Policy) -> Result<String, String> {
    let mut s = serde_json::to_string_pretty(p).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

impl Emitter for SettingsCatalogEmitter {
    fn name(&self) -> &'static str {
        "intune-settings-catalog"
    }

    fn emit(&self, plan: &Input) -> Result<Vec<Artifact>, EmitError> {
        let fail = |message: String| EmitError {
            emitter: "intune-settings-catalog",
            message,
        };
        let routes = plan.routes().map_err(fail)?;
        let mut out = Vec::new();
        for (hive, policy) in routes.profiles(plan) {
            out.push(Artifact {
                path: super::profile_path(hive),
                kind: FileKind::IntuneSettingsCatalog,
                bytes: encoding::encode_owned(
                    render(&policy).map_err(fail)?,
                    encoding::for_kind(FileKind::IntuneSettingsCatalog),
                ),
            });
        }
        Ok(out)
    }
}
