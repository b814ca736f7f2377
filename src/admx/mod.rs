//! Administrative templates (ADMX/ADML): the shared ids, the template model built
//! from the plan and the catalog, a reader for ADMX/ADML files, reference checks, and
//! the Intune ingestion pre-flight that `check` reports.
//!
//! The emitters are `emit::admx` and `emit::adml`; they render [`template::Template`].

pub mod check;
pub mod ids;
pub mod readback;
pub mod reader;
pub mod state;
pub mod store;
pub mod template;

use crate::catalog::Catalog;
use crate::diag::{self, Diagnostic};
use crate::plan::Plan;
use reader::{Adml, Admx};
use std::collections::BTreeMap;

/// Where a policy of a parsed ADMX came from, for pointing diagnostics at the spec.
#[derive(Debug, Clone)]
pub struct Origin {
    pub spec_path: String,
    pub product: String,
    pub location: String,
    /// How Intune delivers the policy instead: the catalog location's `intune:` route.
    pub intune_route: Option<crate::intune::route::IntuneRoute>,
    pub user: bool,
    /// The Intune Settings Catalog policy delivers the value (its own
    /// `intune-settings-catalog` note names the route).
    pub settings_catalog: bool,
}

/// Every registry key a policy definition writes into (policy key, list items, elements).
pub fn policy_keys(p: &reader::Policy) -> Vec<String> {
    let mut keys = vec![p.key.clone()];
    if let Some(l) = &p.enabled_list {
        let d = l.default_key.clone().unwrap_or_else(|| p.key.clone());
        keys.extend(
            l.items
                .iter()
                .map(|i| i.key.clone().unwrap_or_else(|| d.clone())),
        );
    }
    keys.extend(
        p.elements
            .iter()
            .filter_map(|e| e.attr("key").map(str::to_string)),
    );
    keys.dedup();
    keys
}

/// Checks of a parsed ADMX with its ADMLs that need no spec: duplicate ids, unresolved
/// references, `using` namespaces, and paths Intune refuses to ingest. `origins` maps
/// policy names to spec positions (empty for a vendor file).
pub fn check_documents(
    admx: &Admx,
    admls: &[(&str, &Adml)],
    origins: &BTreeMap<String, Origin>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for m in check::duplicate_ids(admx, admls) {
        out.push(Diagnostic::new(diag::ADMX_DUPLICATE_ID, m).hint(
            "GPMC and Intune key policies, elements and strings by these names; make them unique",
        ));
    }
    for m in check::unresolved_references(admx, admls) {
        out.push(
            Diagnostic::new(diag::ADMX_UNRESOLVED_REFERENCE, m)
                .hint("every $(string.X), $(presentation.X), refId, category and supportedOn reference must name a definition"),
        );
    }
    for u in &admx.using {
        out.push(
            Diagnostic::new(
                diag::ADMX_USING_NOT_SHIPPED,
                format!(
                    "the ADMX uses namespace `{}` (prefix `{}`), which this bundle does not ship",
                    u.namespace, u.prefix
                ),
            )
            .hint("Group Policy needs that namespace's ADMX in the same PolicyDefinitions store, and Intune needs it ingested (or present on the device) before this file"),
        );
    }
    for p in &admx.policies {
        let Some((key, root)) = policy_keys(p)
            .into_iter()
            .find_map(|k| crate::intune::ingestion::blocked_root(&k).map(|r| (k, r)))
        else {
            continue;
        };
        let origin = origins.get(&p.name);
        let route = origin.and_then(|o| o.intune_route.as_ref().map(|r| (r, o.user)));
        // A setting with no MDM route gets its own `intune-no-route` note, one the Settings
        // Catalog delivers its `intune-settings-catalog` note; one is enough.
        if route.is_some_and(|(r, _)| r.route == crate::intune::route::RouteKind::None)
            || origin.is_some_and(|o| o.settings_catalog)
        {
            continue;
        }
        let route = route.map_or_else(
            || "see `policyc catalog` for the setting's Intune route".to_string(),
            |(r, user)| r.describe(user),
        );
        let mut d = Diagnostic::new(
            diag::INTUNE_INGESTION_BLOCKED_PATH,
            format!(
                "ADMX policy {} writes `{key}`, within `{root}`, where Intune refuses ingested ADMX policies; the ADMX still serves Group Policy",
                p.name
            ),
        )
        .hint(format!("for Intune, {route}"));
        if let Some(o) = origin {
            d = d.path(&o.spec_path);
        }
        out.push(d);
    }
    out
}

/// The Intune ingestion pre-flight and template checks for a plan, as diagnostics for
/// `check`: errors for what no ADMX can carry, notes for what Intune cannot ingest
/// (with the route that works) and for long values that become text boxes.
pub fn preflight(plan: &Plan, catalog: &Catalog) -> Vec<Diagnostic> {
    preflight_input(&crate::emit::Input::with_catalog(plan, catalog), catalog)
}

/// [`preflight`] of an [`crate::emit::Input`], whose Intune routes the other checks and
/// the emitters share.
pub fn preflight_input(plan: &crate::emit::Input, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Err(m) = ids::revision(&plan.bundle.version) {
        out.push(
            Diagnostic::new(diag::ADMX_UNREPRESENTABLE, m)
                .path("bundle.version")
                .hint("use a version whose first part is at most 9999"),
        );
    }
    for (path, text) in template::texts(plan) {
        if let Some(c) = text.chars().find(|c| template::xml_forbidden(*c)) {
            out.push(
                Diagnostic::new(
                    diag::ADMX_UNREPRESENTABLE,
                    format!(
                        "`{path}` holds U+{:04X}, a character XML 1.0 cannot carry, so no ADMX/ADML can hold it",
                        c as u32
                    ),
                )
                .path(path)
                .hint("remove the character (U+FFFE and U+FFFF are not characters)"),
            );
        }
    }
    if !out.is_empty() {
        return out;
    }
    // The template, the ADMX and its reading are the ones the ADMX emitter writes.
    let t = match plan.admx_template() {
        Ok(t) => t,
        Err(m) => return vec![Diagnostic::new(diag::ADMX_UNREPRESENTABLE, m)],
    };
    let parsed = plan.admx_read().and_then(|(_, admx)| {
        let adml = reader::read_adml(plan.adml_en_us()?).map_err(|e| e.to_string())?;
        Ok((admx, adml))
    });
    let (admx, adml) = match parsed {
        Ok(x) => x,
        Err(m) => {
            return vec![Diagnostic::new(
                diag::ADMX_UNREPRESENTABLE,
                format!("the ADMX/ADML do not read back: {m}"),
            )]
        }
    };
    let sc = plan.routes().ok();
    let origins: BTreeMap<String, Origin> = t
        .policies
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                Origin {
                    spec_path: p.spec_path.clone(),
                    product: p.product.clone(),
                    location: p.location.clone(),
                    intune_route: catalog
                        .get(&p.setting)
                        .and_then(|e| e.registry.iter().find(|l| l.name == p.location))
                        .and_then(|l| l.intune.iter().find(|r| r.products.contains(&p.product)))
                        .cloned(),
                    user: p.hive == crate::reg::Hive::Hkcu,
                    settings_catalog: sc
                        .as_ref()
                        .is_some_and(|r| r.delivers(&p.spec_path, &p.product, &p.location, p.hive)),
                },
            )
        })
        .collect();
    out.extend(check_documents(admx, &[("en-US", &adml)], &origins));
    for p in &t.policies {
        for e in &p.elements {
            if let template::Element::Text {
                value_name,
                default,
                ..
            } = e
            {
                out.push(
                    Diagnostic::new(
                        diag::ADMX_LONG_STRING,
                        format!(
                            "`{value_name}` is {} characters; an ADMX fixed string holds at most {}, so policy {} carries it as a text box filled in with the value",
                            default.chars().count(),
                            template::FIXED_STRING_MAX,
                            p.name
                        ),
                    )
                    .path(&p.spec_path)
                    .hint("in the Group Policy editor, leave the text box as filled in; the .reg, Registry.pol and Intune outputs carry the value unchanged"),
                );
            }
        }
    }
    out
}
