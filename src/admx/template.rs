//! The administrative template of a bundle, built from the plan and the catalog:
//! one ADMX policy per (spec setting, product, vendor location, hive), i.e. per
//! provenance group of plan operations. The ADMX and ADML emitters only render this.
//!
//! Each policy's Enabled state writes exactly the plan's operations of its group:
//! - single values and comma/semicolon-joined lists: a fixed `enabledValue` (one value)
//!   or `enabledList` (several, e.g. per-site ZoneMap\Domains keys);
//! - Chromium list policies: a `list` element with `valuePrefix=""` (value names 1, 2,
//!   ...) and `additive="false"`, so Group Policy clears the key first, as the plan's
//!   key reset does (Chromium's own ADMX writer uses the same list element,
//!   `admx_writer.py`; research notes domain-facts 1.6);
//! - the Site to Zone Assignment List: `list` with `explicitValue="true"` and
//!   `additive="true"` plus `ListBox_Support_ZoneMapKey` = 1, as inetres.admx `IZ_Zonemaps`.
//!
//! A list element holds no values in the ADMX; a GPO's Registry.pol or the Intune
//! `<data id>` payload supplies them. The explain text lists them for an admin typing
//! them into the Group Policy editor.

use super::ids;
use crate::catalog::{Catalog, Form, Layout};
use crate::plan::{Action, Op, Plan};
use crate::reg::{Hive, RegData};
use std::fmt::Write as _;

/// The schema's fixed `<string>` value has `maxLength 255` (PolicyDefinitions.xsd,
/// type `Value`). A longer fixed string becomes a text element whose ADML text box
/// holds the value as its default.
pub const FIXED_STRING_MAX: usize = 255;

#[derive(Debug, Clone)]
pub struct Category {
    pub name: String,
    pub display: String,
    pub parent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Supported {
    pub name: String,
    pub display: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixed {
    Decimal(u32),
    String(String),
}

#[derive(Debug, Clone)]
pub struct FixedItem {
    pub key: String,
    pub name: String,
    pub value: Fixed,
}

#[derive(Debug, Clone)]
pub enum Element {
    List {
        id: String,
        key: String,
        /// `Some("")`: value names 1, 2, ...; `None` with `explicit_value`: names given.
        value_prefix: Option<String>,
        additive: bool,
        explicit_value: bool,
        client_extension: Option<String>,
        label: String,
        /// The entries the spec supplies (name, value), in order; not written to the
        /// ADMX, only to the explain text and to payloads (Intune `<data>`).
        entries: Vec<(String, String)>,
    },
    Text {
        id: String,
        key: String,
        value_name: String,
        max_length: usize,
        label: String,
        /// The spec's value, the ADML text box default.
        default: String,
    },
}

impl Element {
    pub fn id(&self) -> &str {
        match self {
            Element::List { id, .. } | Element::Text { id, .. } => id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub hive: Hive,
    pub key: String,
    pub value_name: Option<String>,
    pub enabled_value: Option<Fixed>,
    pub enabled_list: Vec<FixedItem>,
    pub elements: Vec<Element>,
    pub category: String,
    pub supported_on: String,
    pub display: String,
    pub explain: String,
    pub setting: String,
    pub spec_path: String,
    pub product: String,
    pub location: String,
    /// The plan operations this policy stands for.
    pub ops: Vec<Op>,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub bundle_name: String,
    pub namespace: String,
    pub prefix: String,
    pub revision: String,
    /// Root first.
    pub categories: Vec<Category>,
    pub supported: Vec<Supported>,
    pub policies: Vec<Policy>,
    /// ADML `displayName` and `description`.
    pub title: String,
    pub description: String,
}

/// A character XML 1.0 cannot carry at all (`Char` production): C0 controls other
/// than tab/LF/CR, U+FFFE and U+FFFF. Rust strings hold no lone surrogates.
pub fn xml_forbidden(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Every (spec path, text) of the plan that ends up in the ADMX or ADML.
pub fn texts(plan: &Plan) -> impl Iterator<Item = (&str, &str)> {
    let b = &plan.bundle;
    let bundle = [
        ("bundle.name", b.name.as_str()),
        ("bundle.display_name", b.display_name.as_str()),
        ("bundle.version", b.version.as_str()),
        ("bundle.publisher", b.publisher.as_str()),
    ]
    .into_iter()
    .chain(b.description.as_deref().map(|d| ("bundle.description", d)));
    let ops = plan.ops.iter().flat_map(|op| {
        let p = op.provenance.spec_path.as_str();
        let (name, data) = match &op.action {
            Action::Set { name, data } => (
                Some(name.as_str()),
                match data {
                    RegData::Sz(s) | RegData::ExpandSz(s) => Some(s.as_str()),
                    _ => None,
                },
            ),
            Action::Delete { name } => (Some(name.as_str()), None),
            Action::ResetKey => (None, None),
        };
        [Some(op.key.as_str()), name, data]
            .into_iter()
            .flatten()
            .map(move |t| (p, t))
    });
    bundle.chain(ops)
}

fn describe(out: &mut String, data: &RegData) {
    let _ = match data {
        RegData::Dword(n) => write!(out, "{n} (REG_DWORD)"),
        RegData::Sz(s) => write!(out, "\"{s}\" (REG_SZ)"),
        other => write!(out, "{other:?}"),
    };
}

pub fn build(plan: &Plan, catalog: &Catalog) -> Result<Template, String> {
    let b = &plan.bundle;
    let revision = ids::revision(&b.version)?;
    if let Some((path, c)) =
        texts(plan).find_map(|(p, s)| s.chars().find(|c| xml_forbidden(*c)).map(|c| (p, c)))
    {
        return Err(format!(
            "{path} holds U+{:04X}, which XML 1.0 cannot carry",
            c as u32
        ));
    }
    let [publisher_cat, bundle_cat] = ids::category_path(&b.publisher, &b.name);
    let categories = vec![
        Category {
            name: publisher_cat.clone(),
            display: b.publisher.clone(),
            parent: None,
        },
        Category {
            name: bundle_cat.clone(),
            display: b.display_name.clone(),
            parent: Some(publisher_cat),
        },
    ];

    let mut supported: Vec<Supported> = Vec::new();
    let mut policies = Vec::new();
    for g in crate::plan::by_location(plan) {
        let crate::plan::LocationOps {
            spec_path,
            setting,
            product: product_id,
            location,
            hive,
            ops,
        } = g;
        // A `policy:` setting is the vendor's own policy: its template defines it, and
        // the GPO's Registry.pol carries it (shown in GPMC under the vendor's policy).
        if plan.vendor_at(&spec_path).is_some() {
            continue;
        }
        let (entry, loc) = catalog
            .location(&setting, &location, &product_id)
            .map_err(|m| format!("{spec_path}: {m}"))?;
        let product = catalog
            .products
            .get(&product_id)
            .ok_or_else(|| format!("unknown product {product_id}"))?;
        // A value a vendor template defines (chrome.admx, msedge.admx, inetres.admx...) is
        // left to that template: two templates owning one value could no longer be edited
        // in GPMC. The GPO's Registry.pol still carries it, shown under the vendor's policy.
        if loc.vendor.iter().any(|v| v.products.contains(&product_id)) {
            continue;
        }
        let list_key = loc
            .key
            .replace("{policy_key}", product.policy_key.as_deref().unwrap_or(""));
        let name = ids::policy_name(&setting, &product_id, &location, hive);

        // Support: the location's version range for the product, else the entry's client range.
        let range = loc.versions.get(&product_id).cloned().or_else(|| {
            entry
                .applies_to
                .as_ref()
                .filter(|a| a.client == product_id)
                .map(|a| a.versions.clone())
        });
        let sup_name = ids::supported_name(&product_id, range.as_deref());
        if !supported.iter().any(|s| s.name == sup_name) {
            let display = match range
                .as_deref()
                .map(|r| r.split_once('-').unwrap_or((r, "")))
            {
                None => product.name.clone(),
                Some((lo, "")) => format!("{} {lo} or later", product.name),
                Some(("", hi)) => format!("{} {hi} or earlier", product.name),
                Some((lo, hi)) => format!("{} {lo} to {hi}", product.name),
            };
            supported.push(Supported {
                name: sup_name.clone(),
                display,
            });
        }

        let is_list = matches!(loc.layout, Layout::NumberedList | Layout::ZoneAssignments);
        let mut elements = Vec::new();
        let mut fixed = Vec::new();
        let mut entries = Vec::new();
        let mut texts_n = 0;
        for op in &ops {
            let in_list = is_list && op.key.eq_ignore_ascii_case(&list_key);
            match (&op.action, in_list) {
                (Action::ResetKey, true) => {}
                (Action::Set { name: n, data }, true) => {
                    let RegData::Sz(v) = data else {
                        return Err(format!("{spec_path}: list entry {n} is not REG_SZ"));
                    };
                    entries.push((n.clone(), v.clone()));
                }
                (Action::Delete { name }, _) => {
                    return Err(format!(
                        "{spec_path}: a catalog setting deletes value {name}, which its ADMX cannot express"
                    ))
                }
                (Action::ResetKey, false) => {
                    return Err(format!(
                        "{spec_path}: key reset outside a list layout ({})",
                        op.key
                    ))
                }
                (Action::Set { name: n, data }, false) => match data {
                    RegData::Dword(d) => fixed.push(FixedItem {
                        key: op.key.clone(),
                        name: n.clone(),
                        value: Fixed::Decimal(*d),
                    }),
                    RegData::Sz(s) if s.chars().count() <= FIXED_STRING_MAX => {
                        fixed.push(FixedItem {
                            key: op.key.clone(),
                            name: n.clone(),
                            value: Fixed::String(s.clone()),
                        })
                    }
                    RegData::Sz(s) => {
                        texts_n += 1;
                        elements.push(Element::Text {
                            id: ids::element_id(&name, ids::Element::Text(texts_n)),
                            key: op.key.clone(),
                            value_name: n.clone(),
                            max_length: s.chars().count().max(1023),
                            label: format!("{n} (the spec's value is filled in)"),
                            default: s.clone(),
                        })
                    }
                    other => {
                        return Err(format!(
                            "{spec_path}: {} data has no ADMX form in policyc",
                            other.reg_type().name()
                        ))
                    }
                },
            }
        }
        if is_list {
            let numbered = loc.layout == Layout::NumberedList;
            elements.insert(
                0,
                Element::List {
                    id: ids::element_id(&name, ids::Element::List),
                    key: list_key.clone(),
                    value_prefix: numbered.then(String::new),
                    additive: !numbered,
                    explicit_value: !numbered,
                    client_extension: ops[0].provenance.client_extension.clone(),
                    label: if numbered {
                        "Entries, in order (written as values 1, 2, 3, ...)".to_string()
                    } else {
                        "Site (value name) and zone number (value): 1 intranet, 2 trusted, 3 internet, 4 restricted".to_string()
                    },
                    entries: entries.clone(),
                },
            );
        }
        let first_element_key = elements.first().map(|e| match e {
            Element::List { key, .. } | Element::Text { key, .. } => key.clone(),
        });
        let (key, value_name, enabled_value, enabled_list) = match fixed.len() {
            1 => {
                let f = fixed.pop().unwrap();
                (f.key, Some(f.name), Some(f.value), Vec::new())
            }
            0 => (
                first_element_key.ok_or_else(|| format!("{spec_path}: nothing to write"))?,
                None,
                None,
                Vec::new(),
            ),
            _ => (fixed[0].key.clone(), None, None, fixed),
        };

        let form = match loc.form {
            Some(Form::Policy) => ", Group Policy form",
            Some(Form::Preference) => ", preference form",
            None => "",
        };
        let scope = match hive {
            Hive::Hklm => "",
            Hive::Hkcu => " (user)",
        };
        let display = format!(
            "{} [{}: {}{}]{}",
            entry.title, product.name, location, form, scope
        );

        // `write!` into one String: at 10,000 values a `format!` per line was a
        // large share of this function's time. Writing to a String cannot fail.
        let mut explain = format!("{}\n\n", entry.description);
        let _ = write!(
            explain,
            "Vendor setting: {location} ({}{form}). From {spec_path} of the spec {} {}.\n\n\
             When enabled, this policy writes under {}:\n",
            product.name,
            b.name,
            b.version,
            hive.long_name()
        );
        let mut last_key: &str = "";
        for op in &ops {
            if !op.key.eq_ignore_ascii_case(last_key) {
                explain.push_str(&op.key);
                explain.push('\n');
                last_key = &op.key;
            }
            match &op.action {
                Action::ResetKey => {
                    explain.push_str("  (the key's existing values are removed first)\n")
                }
                Action::Delete { name } => {
                    let _ = writeln!(explain, "  {name} is deleted");
                }
                Action::Set { name, data } => {
                    let _ = write!(explain, "  {name} = ");
                    describe(&mut explain, data);
                    explain.push('\n');
                }
            }
        }
        if is_list {
            explain.push_str(
                "\nThe list entries travel with the policy setting (a GPO backup's Registry.pol, or the Intune payload), not in this template. In the Group Policy editor, enter the entries above in the list box, in this order.\n",
            );
        }
        if elements.iter().any(|e| matches!(e, Element::Text { .. })) {
            explain.push_str(
                "\nA value longer than 255 characters cannot be fixed in an ADMX file, so it is a text box filled in with the spec's value; leave it as it is.\n",
            );
        }
        let mut urls: Vec<&str> = Vec::new();
        for s in loc.sources.iter().chain(entry.sources.iter()) {
            if !urls.contains(&s.url.as_str()) {
                urls.push(&s.url);
            }
        }
        explain.push_str("\nSources:\n");
        for u in urls {
            explain.push_str(&format!("  {u}\n"));
        }
        explain.push_str(&format!(
            "\nGenerated by policyc {}.",
            env!("CARGO_PKG_VERSION")
        ));

        policies.push(Policy {
            name,
            hive,
            key,
            value_name,
            enabled_value,
            enabled_list,
            elements,
            category: bundle_cat.clone(),
            supported_on: sup_name,
            display,
            explain,
            setting,
            spec_path,
            product: product_id,
            location,
            ops: ops.into_iter().cloned().collect(),
        });
    }

    let description = b.description.clone().unwrap_or_else(|| {
        format!(
            "Policies of {} ({} {}), generated by policyc.",
            b.display_name, b.name, b.version
        )
    });
    Ok(Template {
        bundle_name: b.name.clone(),
        namespace: ids::target_namespace(&b.name),
        prefix: ids::target_prefix(&b.name),
        revision,
        categories,
        supported,
        policies,
        title: b.display_name.clone(),
        description,
    })
}
