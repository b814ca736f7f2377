//! The registry plan: one ordered, product-neutral list of registry operations
//! with provenance. Every emitter reads only this.

use crate::admx::reader::Write;
use crate::catalog::{Catalog, Form, Layout, Location};
use crate::diag::{self, Diagnostic};
use crate::reg::{Hive, RegData, RegType};
use crate::validate::{Bundle, Setting, Spec, Value};
use serde::Serialize;
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Action {
    /// Delete the key and its subkeys before its values are written, so a shorter
    /// list replaces a longer one instead of leaving stale numbered entries.
    ResetKey,
    Set {
        name: String,
        data: RegData,
    },
    /// Delete one value (`**del.NAME` in Registry.pol, `"NAME"=-` in `.reg`): what the
    /// Group Policy engine records for a Disabled vendor policy's values and for `<delete/>`
    /// in an ADMX (`admx::state`).
    Delete {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Catalog id of the setting.
    pub setting: String,
    /// Where it is in the spec, e.g. `settings[2]`.
    pub spec_path: String,
    pub product: String,
    /// Vendor name of the registry form (Chromium policy, ADMX policy...).
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<Form>,
    /// Extra Group Policy client-side extension GUID the value needs (GPO emitters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_extension: Option<String>,
    /// A fixed companion value other policy writers rely on too (the catalog's `also:`
    /// with `shared: true`): the rollback files leave it in place.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Op {
    pub hive: Hive,
    /// Key path without the hive.
    pub key: String,
    #[serde(flatten)]
    pub action: Action,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub bundle: Bundle,
    pub ops: Vec<Op>,
    /// How the plan reaches Intune: the spec's `intune_profile` and the Settings Catalog
    /// definitions in use (`crate::intune::settings_catalog`). Not part of the plan's JSON.
    #[serde(skip)]
    pub intune: crate::intune::settings_catalog::IntuneOptions,
    /// A machine's exports given with `build --against` (read by `import::read_inputs`):
    /// the change-approval report shows, for each change, what they hold today. `None`
    /// without `--against`. Not part of the plan's JSON.
    #[serde(skip)]
    pub baseline: Option<std::sync::Arc<crate::verify::model::Registry>>,
    /// The spec's `policy:` settings (vendor template policies) with their ADMX
    /// definitions and states; their writes are in `ops` like every other setting's.
    #[serde(skip)]
    pub vendor: Vec<crate::validate::vendor::VendorSetting>,
    /// With `intune_ingest_templates: true`: the ADMXInstall settings of the vendor
    /// templates the Intune profiles rely on, by App (`intune::vendor::ingest_setting`).
    #[serde(skip)]
    pub vendor_ingest: Vec<(String, crate::intune::OmaSetting)>,
}

impl Plan {
    /// The vendor policy setting at `spec_path`, when that setting is a `policy:` one.
    pub fn vendor_at(&self, spec_path: &str) -> Option<&crate::validate::vendor::VendorSetting> {
        self.vendor.iter().find(|v| v.spec_path() == spec_path)
    }

    pub fn hives(&self) -> Vec<Hive> {
        let mut h: Vec<Hive> = self.ops.iter().map(|o| o.hive).collect();
        h.dedup();
        h
    }
}

/// The ops of one spec setting for one product, vendor location and hive: the unit an
/// ADMX policy, an Intune OMA-URI setting or a docs row describes.
pub struct LocationOps<'a> {
    pub spec_path: String,
    pub setting: String,
    pub product: String,
    pub location: String,
    pub hive: Hive,
    pub ops: Vec<&'a Op>,
}

/// The index N of a spec path `settings[N]` (for ordering by the spec).
pub fn spec_index(path: &str) -> usize {
    path.strip_prefix("settings[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// The plan's ops grouped by [`LocationOps`], in spec order, then product, location, hive.
pub fn by_location(plan: &Plan) -> Vec<LocationOps<'_>> {
    type Key = (usize, String, String, String, Hive);
    let mut map: std::collections::BTreeMap<Key, Vec<&Op>> = std::collections::BTreeMap::new();
    for op in &plan.ops {
        let p = &op.provenance;
        map.entry((
            spec_index(&p.spec_path),
            p.spec_path.clone(),
            p.product.clone(),
            p.location.clone(),
            op.hive,
        ))
        .or_default()
        .push(op);
    }
    map.into_iter()
        .map(
            |((_, spec_path, product, location, hive), ops)| LocationOps {
                spec_path,
                setting: ops[0].provenance.setting.clone(),
                product,
                location,
                hive,
                ops,
            },
        )
        .collect()
}

/// Value names sort numerically when both are numbers ("2" before "10"), else
/// case-insensitively, as a reader expects a numbered list to appear.
fn name_cmp(a: &str, b: &str) -> Ordering {
    let num = |s: &str| {
        s.parse::<u64>()
            .ok()
            .filter(|_| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => lower_cmp(a, b).then_with(|| a.cmp(b)),
    }
}

/// `a.to_lowercase().cmp(&b.to_lowercase())` without the two allocations when both are
/// ASCII (every registry key and value name so far): ASCII lowercases byte for byte,
/// and `String`'s order is its bytes' order. Other text keeps `to_lowercase`, whose
/// final-sigma rule a per-character mapping would not follow. The sort compares each
/// pair of operations, so these allocations were a few hundred per build.
fn lower_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

fn op_cmp(a: &Op, b: &Op) -> Ordering {
    a.hive
        .cmp(&b.hive)
        .then_with(|| lower_cmp(&a.key, &b.key))
        .then_with(|| a.key.cmp(&b.key))
        .then_with(|| match (&a.action, &b.action) {
            (Action::ResetKey, Action::ResetKey) => Ordering::Equal,
            (Action::ResetKey, _) => Ordering::Less,
            (_, Action::ResetKey) => Ordering::Greater,
            (
                Action::Set { name: x, .. } | Action::Delete { name: x },
                Action::Set { name: y, .. } | Action::Delete { name: y },
            ) => name_cmp(x, y),
        })
}

/// Builds the plan. Diagnostics are conflicts between settings (two settings
/// writing one value); the plan is returned only when there are none.
pub fn build(spec: &Spec, catalog: &Catalog) -> Result<Plan, Vec<Diagnostic>> {
    let mut ops = Vec::new();
    for s in &spec.settings {
        for (li, product) in &s.locations {
            let loc = &s.entry.registry[*li];
            let policy_key = catalog
                .products
                .get(product)
                .and_then(|p| p.policy_key.as_deref())
                .unwrap_or("");
            let key = loc.key.replace("{policy_key}", policy_key);
            let prov = Provenance {
                setting: s.entry.id.clone(),
                spec_path: s.spec_path(),
                product: product.clone(),
                location: loc.name.clone(),
                form: loc.form,
                client_extension: loc.client_extension.clone(),
                shared: false,
            };
            lay_out(s, loc, &key, &prov, &mut ops);
        }
    }
    // The catalog's shared switches (`also:` with `shared: true`, e.g. the Site to Zone
    // Assignment List's ListBox_Support_ZoneMapKey): a vendor policy writing one (inetres
    // IZ_Zonemaps as a `policy:` setting) writes the same switch, which rollback keeps too.
    let shared: Vec<(String, String)> = catalog
        .entries
        .iter()
        .flat_map(|e| &e.registry)
        .flat_map(|l| &l.also)
        .filter(|f| f.shared)
        .map(|f| (f.key.to_ascii_lowercase(), f.value.to_ascii_lowercase()))
        .collect();
    for v in &spec.vendor {
        let prov = Provenance {
            setting: v.id.clone(),
            spec_path: v.spec_path(),
            product: v.product.clone(),
            location: v.policy.name.clone(),
            form: None,
            client_extension: v.policy.client_extension.clone(),
            shared: false,
        };
        for w in &v.writes {
            let (hive, key, action) = match w {
                // `**delvals.`: the plan's key reset (see `pol::emit::entries`).
                Write::ClearKey { hive, key } => (*hive, key, Action::ResetKey),
                Write::Set {
                    hive,
                    key,
                    name,
                    data,
                } => (
                    *hive,
                    key,
                    Action::Set {
                        name: name.clone(),
                        data: data.clone(),
                    },
                ),
                Write::Delete { hive, key, name } => {
                    (*hive, key, Action::Delete { name: name.clone() })
                }
            };
            let is_shared = match &action {
                Action::Set { name, .. } => {
                    shared.contains(&(key.to_ascii_lowercase(), name.to_ascii_lowercase()))
                }
                Action::ResetKey | Action::Delete { .. } => false,
            };
            ops.push(Op {
                hive,
                key: key.clone(),
                action,
                provenance: Provenance {
                    shared: is_shared,
                    ..prov.clone()
                },
            });
        }
    }
    ops.sort_by(op_cmp);
    // The same fixed companion value from two catalog settings (e.g. the zone-list switch)
    // is one write. A `policy:` setting writing what another setting writes is a conflict
    // (below), even with the same data: one of the two is redundant, and the docs and
    // scripts could credit only one.
    let vendor: std::collections::BTreeSet<String> =
        spec.vendor.iter().map(|v| v.spec_path()).collect();
    ops.dedup_by(|b, a| {
        a.hive == b.hive
            && a.key.eq_ignore_ascii_case(&b.key)
            && a.action == b.action
            && !vendor.contains(&a.provenance.spec_path)
            && !vendor.contains(&b.provenance.spec_path)
    });
    let diags = conflicts(spec, &ops);
    if diags.is_empty() {
        Ok(Plan {
            bundle: spec.bundle.clone(),
            ops,
            intune: Default::default(),
            baseline: None,
            vendor: spec.vendor.clone(),
            vendor_ingest: Vec::new(),
        })
    } else {
        Err(diags)
    }
}

fn lay_out(s: &Setting, loc: &Location, key: &str, prov: &Provenance, ops: &mut Vec<Op>) {
    let hive = s.scope.hive();
    let mut set = |key: &str, name: &str, data: RegData| {
        ops.push(Op {
            hive,
            key: key.to_string(),
            action: Action::Set {
                name: name.to_string(),
                data,
            },
            provenance: prov.clone(),
        })
    };
    let value_name = loc.value.as_deref().unwrap_or_default();
    match (&s.value, loc.layout) {
        (Value::Bool(b), Layout::Value) => set(key, value_name, RegData::Dword(u32::from(*b))),
        (Value::Dword(n), Layout::Value) => set(key, value_name, RegData::Dword(*n)),
        (Value::String(v), Layout::Value) => set(key, value_name, RegData::Sz(v.clone())),
        (Value::List(items), Layout::JoinedList) => {
            let sep = loc.separator.as_deref().unwrap_or(",");
            set(key, value_name, RegData::Sz(items.join(sep)))
        }
        (Value::List(items), Layout::NumberedList) => {
            for (i, item) in items.iter().enumerate() {
                set(key, &(i + 1).to_string(), RegData::Sz(item.clone()));
            }
            ops.push(Op {
                hive,
                key: key.to_string(),
                action: Action::ResetKey,
                provenance: prov.clone(),
            });
        }
        (Value::ZoneMap(sites), Layout::ZoneAssignments) => {
            for (site, zone) in sites {
                set(key, site, RegData::Sz((*zone as u32).to_string()));
            }
        }
        (Value::ZoneMap(sites), Layout::ZoneDomains) => {
            for (site, zone) in sites {
                // Validation let only one-label hosts through for this form.
                let (scheme, host) = site.split_once("://").unwrap_or(("*", site));
                set(
                    &format!("{key}\\{host}"),
                    scheme,
                    RegData::Dword(*zone as u32),
                );
            }
        }
        (v, l) => unreachable!("catalog check guarantees layout {l:?} fits value {v:?}"),
    }
    for f in &loc.also {
        let data = match f.reg_type {
            RegType::Dword => RegData::Dword(f.data),
            _ => RegData::Sz(f.data.to_string()),
        };
        ops.push(Op {
            hive,
            key: f.key.clone(),
            action: Action::Set {
                name: f.value.clone(),
                data,
            },
            provenance: Provenance {
                shared: f.shared,
                ..prov.clone()
            },
        });
    }
}

/// Two different spec settings touching the same value, or one resetting a key
/// another writes into, is a conflict the author must resolve.
///
/// Only ops under one key can clash, so ops are grouped by key (and Set ops by
/// value name) instead of comparing every pair, which was O(n²) in the ops (a
/// list of 10,000 entries is 10,000 ops under one key). The clashing pairs are
/// then visited in the order the all-pairs loop visited them, so the diagnostics
/// (one per pair of settings, the first clash found) are the same.
fn conflicts(spec: &Spec, ops: &[Op]) -> Vec<Diagnostic> {
    use std::collections::HashMap;
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    // Key and value names compare ASCII case-insensitively, as Windows compares them.
    let mut by_key: HashMap<(Hive, String), Vec<usize>> = HashMap::new();
    for (i, o) in ops.iter().enumerate() {
        by_key
            .entry((o.hive, o.key.to_ascii_lowercase()))
            .or_default()
            .push(i);
    }
    let differ = |i: usize, j: usize| ops[i].provenance.spec_path != ops[j].provenance.spec_path;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for idxs in by_key.values() {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut resets = Vec::new();
        for &i in idxs {
            match &ops[i].action {
                Action::Set { name, .. } | Action::Delete { name } => by_name
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(i),
                Action::ResetKey => resets.push(i),
            }
        }
        for group in by_name.values() {
            for (x, &i) in group.iter().enumerate() {
                pairs.extend(
                    group[x + 1..]
                        .iter()
                        .filter(|&&j| differ(i, j))
                        .map(|&j| (i, j)),
                );
            }
        }
        for &r in &resets {
            pairs.extend(
                idxs.iter()
                    .filter(|&&o| o != r && differ(r, o))
                    .map(|&o| (r.min(o), r.max(o))),
            );
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    for (i, j) in pairs {
        let (a, b) = (&ops[i], &ops[j]);
        // One error per pair of settings, whichever of the two writes first in each key
        // (a vendor policy and a catalog setting sharing two keys came out twice).
        let (p, q) = (&a.provenance.spec_path, &b.provenance.spec_path);
        if seen.insert(if p <= q {
            (p.clone(), q.clone())
        } else {
            (q.clone(), p.clone())
        }) {
            let what = match &b.action {
                Action::Set { name, .. } | Action::Delete { name } => format!("value `{name}` of"),
                Action::ResetKey => "the key".to_string(),
            };
            let mut d = Diagnostic::new(
                diag::CONFLICTING_SETTINGS,
                format!(
                    "{} (`{}`) and {} (`{}`) both write {what} {}\\{}",
                    a.provenance.spec_path,
                    a.provenance.setting,
                    b.provenance.spec_path,
                    b.provenance.setting,
                    a.hive,
                    a.key
                ),
            )
            .file(&spec.file)
            .path(&b.provenance.spec_path)
            .hint("keep one of the two settings");
            d.severity = diag::Severity::Error;
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `lower_cmp` orders every pair as comparing the `to_lowercase` copies does.
    #[test]
    fn lower_cmp_is_to_lowercase_order() {
        let words = [
            "",
            "a",
            "A",
            "Software\\Policies",
            "SOFTWARE\\policies",
            "Software\\Policies\\Google",
            "software_policies",
            "Software[Policies",
            "Zone",
            "zone1",
            "Zone10",
            "Z",
            "@",
            "`",
            "ÉCOLE",
            "école",
            "ΟΔΟΣ",
            "οδος",
            "İstanbul",
            "KELVIN \u{212A}",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    lower_cmp(a, b),
                    a.to_lowercase().cmp(&b.to_lowercase()),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }
}
