//! Semantic difference between two plans: registry values added, removed or
//! changed (per hive, key, value name, with the setting and product behind them),
//! list keys newly reset or no longer reset, and which bundle files change.

use crate::plan::{Action, Plan};
use crate::reg::{Hive, RegData};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, Serialize)]
pub struct ValueChange {
    pub change: Change,
    pub hive: Hive,
    pub key: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<RegData>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<RegData>,
    pub setting: String,
    pub product: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub change: Change,
    pub path: String,
    /// How the file is deployed: `reg`, `gpo`, `intune`, `script`, `docs`, `manifest`.
    pub route: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub changed: bool,
    pub values: Vec<ValueChange>,
    /// Keys reset (list replaced; `name` empty) and values deleted (a Disabled vendor
    /// policy's `**del.`; `name` set) in one plan and not the other.
    pub resets: Vec<ValueChange>,
    pub files: Vec<FileChange>,
}

/// The deployment route of a bundle path (by its folder or extension).
pub fn route(path: &str) -> &'static str {
    let top = path.split('/').next().unwrap_or(path);
    match top {
        "pol" | "gpo-backup" | "lgpo" | "admx" => "gpo",
        "intune" => "intune",
        "powershell" => "script",
        "docs" | "README.md" | "report.html" => "docs",
        "manifest.json" => "manifest",
        _ if path.ends_with(".reg") => "reg",
        _ => "other",
    }
}

type Values<'a> =
    BTreeMap<(Hive, String, String), (&'a str, &'a str, &'a RegData, &'a crate::plan::Provenance)>;

fn values(plan: &Plan) -> Values<'_> {
    plan.ops
        .iter()
        .filter_map(|o| match &o.action {
            Action::Set { name, data } => Some((
                (o.hive, o.key.to_lowercase(), name.to_lowercase()),
                (o.key.as_str(), name.as_str(), data, &o.provenance),
            )),
            Action::ResetKey | Action::Delete { .. } => None,
        })
        .collect()
}

pub fn diff(
    old: &Plan,
    new: &Plan,
    old_files: &[(String, Vec<u8>)],
    new_files: &[(String, Vec<u8>)],
) -> Diff {
    let (a, b) = (values(old), values(new));
    let mut out = Vec::new();
    let vc = |change,
              k: &(Hive, String, String),
              x: (&str, &str, &RegData, &crate::plan::Provenance),
              old,
              new| ValueChange {
        change,
        hive: k.0,
        key: x.0.to_string(),
        name: x.1.to_string(),
        old,
        new,
        setting: x.3.setting.clone(),
        product: x.3.product.clone(),
    };
    for (k, x) in &a {
        match b.get(k) {
            None => out.push(vc(Change::Removed, k, *x, Some(x.2.clone()), None)),
            Some(y) if y.2 != x.2 => out.push(vc(
                Change::Changed,
                k,
                *y,
                Some(x.2.clone()),
                Some(y.2.clone()),
            )),
            Some(_) => {}
        }
    }
    for (k, y) in &b {
        if !a.contains_key(k) {
            out.push(vc(Change::Added, k, *y, None, Some(y.2.clone())));
        }
    }
    out.sort_by(|x, y| {
        (x.hive, x.key.to_lowercase(), x.name.to_lowercase()).cmp(&(
            y.hive,
            y.key.to_lowercase(),
            y.name.to_lowercase(),
        ))
    });
    type Deletions = BTreeMap<(Hive, String, String), (String, String, String, String)>;
    let resets_of = |p: &Plan| -> Deletions {
        p.ops
            .iter()
            .filter_map(|o| {
                let name = match &o.action {
                    Action::ResetKey => "",
                    Action::Delete { name } => name.as_str(),
                    Action::Set { .. } => return None,
                };
                Some((
                    (o.hive, o.key.to_lowercase(), name.to_lowercase()),
                    (
                        o.key.clone(),
                        name.to_string(),
                        o.provenance.setting.clone(),
                        o.provenance.product.clone(),
                    ),
                ))
            })
            .collect()
    };
    let (ra, rb) = (resets_of(old), resets_of(new));
    let mut resets = Vec::new();
    for (map, other, change) in [(&ra, &rb, Change::Removed), (&rb, &ra, Change::Added)] {
        for (k, (key, name, setting, product)) in map {
            if !other.contains_key(k) {
                resets.push(ValueChange {
                    change,
                    hive: k.0,
                    key: key.clone(),
                    name: name.clone(),
                    old: None,
                    new: None,
                    setting: setting.clone(),
                    product: product.clone(),
                });
            }
        }
    }
    let fa: BTreeMap<&str, &[u8]> = old_files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let fb: BTreeMap<&str, &[u8]> = new_files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let mut files = Vec::new();
    for (p, bytes) in &fa {
        match fb.get(p) {
            None => files.push(FileChange {
                change: Change::Removed,
                path: p.to_string(),
                route: route(p),
            }),
            Some(nb) if nb != bytes => files.push(FileChange {
                change: Change::Changed,
                path: p.to_string(),
                route: route(p),
            }),
            Some(_) => {}
        }
    }
    for p in fb.keys().filter(|p| !fa.contains_key(*p)) {
        files.push(FileChange {
            change: Change::Added,
            path: p.to_string(),
            route: route(p),
        });
    }
    files.sort_by(|x, y| x.path.cmp(&y.path));
    let changed = !out.is_empty() || !resets.is_empty();
    Diff {
        changed,
        values: out,
        resets,
        files,
    }
}

pub fn render_human(d: &Diff) -> String {
    let mut s = String::new();
    if !d.changed {
        s.push_str("no change in effect: both specs write the same registry values\n");
    }
    for v in &d.values {
        let loc = format!("{}\\{} \"{}\"", v.hive.short_name(), v.key, v.name);
        let line = match v.change {
            Change::Added => format!(
                "+ {loc} = {}",
                v.new.as_ref().map(|x| x.to_string()).unwrap_or_default()
            ),
            Change::Removed => format!(
                "- {loc} = {}",
                v.old.as_ref().map(|x| x.to_string()).unwrap_or_default()
            ),
            Change::Changed => format!(
                "~ {loc}: {} -> {}",
                v.old.as_ref().map(|x| x.to_string()).unwrap_or_default(),
                v.new.as_ref().map(|x| x.to_string()).unwrap_or_default()
            ),
        };
        s.push_str(&format!("{line}\n    ({}, {})\n", v.setting, v.product));
    }
    for r in &d.resets {
        let sign = if r.change == Change::Added { "+" } else { "-" };
        let what = if r.name.is_empty() {
            format!("reset {}\\{}", r.hive.short_name(), r.key)
        } else {
            format!("delete {}\\{} \"{}\"", r.hive.short_name(), r.key, r.name)
        };
        s.push_str(&format!(
            "{sign} {what}\n    ({}, {})\n",
            r.setting, r.product
        ));
    }
    if !d.files.is_empty() {
        let mut routes: Vec<&str> = d.files.iter().map(|f| f.route).collect();
        routes.sort();
        routes.dedup();
        s.push_str(&format!(
            "\nbundle files that change ({}):\n",
            routes.join(", ")
        ));
        for f in &d.files {
            let sign = match f.change {
                Change::Added => "+",
                Change::Removed => "-",
                Change::Changed => "~",
            };
            s.push_str(&format!("  {sign} {} [{}]\n", f.path, f.route));
        }
    }
    s
}
