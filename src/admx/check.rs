//! Checks the XSD cannot make: references between an ADMX and its ADMLs, and
//! duplicate names. `xmllint --schema` validates each file alone; it does not see that
//! `$(string.X)` has no string `X` in the ADML, that a presentation control's `refId`
//! names no element, or that a `parentCategory`/`supportedOn` names nothing (research
//! notes validators.md, section 3, "Gotchas"). Works on any ADMX/ADML pair, ours or a vendor's.

use super::reader::{Adml, Admx};
use std::collections::BTreeSet;

use super::store::string_ref;

fn presentation_ref(s: &str) -> Option<&str> {
    s.strip_prefix("$(presentation.")?.strip_suffix(')')
}

/// Every reference that does not resolve, as a sentence. `admls` are the language
/// files of the ADMX (each is checked).
pub fn unresolved_references(admx: &Admx, admls: &[(&str, &Adml)]) -> Vec<String> {
    let mut out = Vec::new();
    // (what, `$(string.X)` value) pairs to resolve in every ADML.
    let mut strings: Vec<(String, &str)> = Vec::new();
    for c in &admx.categories {
        strings.push((format!("category {} displayName", c.name), &c.display_name));
        if let Some(e) = &c.explain_text {
            strings.push((format!("category {} explainText", c.name), e));
        }
    }
    for s in &admx.supported_on {
        strings.push((
            format!("supportedOn {} displayName", s.name),
            &s.display_name,
        ));
    }
    for p in &admx.policies {
        strings.push((format!("policy {} displayName", p.name), &p.display_name));
        if let Some(e) = &p.explain_text {
            strings.push((format!("policy {} explainText", p.name), e));
        }
        for e in &p.elements {
            for i in &e.enum_items {
                strings.push((
                    format!("policy {} enum {} item", p.name, e.id),
                    &i.display_name,
                ));
            }
        }
    }
    for (culture, adml) in admls {
        for (what, r) in &strings {
            match string_ref(r) {
                None => out.push(format!("{what} `{r}` is not a $(string.ID) reference")),
                Some(id) if adml.string(id).is_none() => out.push(format!(
                    "{what} names string `{id}`, absent from the {culture} ADML"
                )),
                Some(_) => {}
            }
        }
        for p in &admx.policies {
            let Some(pr) = &p.presentation else {
                if !p.elements.is_empty() {
                    out.push(format!(
                        "policy {} has elements but no presentation, so the editor cannot show them",
                        p.name
                    ));
                }
                continue;
            };
            let Some(id) = presentation_ref(pr) else {
                out.push(format!(
                    "policy {} presentation `{pr}` is not a $(presentation.ID) reference",
                    p.name
                ));
                continue;
            };
            let Some(pres) = adml.presentation(id) else {
                out.push(format!(
                    "policy {} names presentation `{id}`, absent from the {culture} ADML",
                    p.name
                ));
                continue;
            };
            let ids: BTreeSet<&str> = p.elements.iter().map(|e| e.id.as_str()).collect();
            let mut shown = BTreeSet::new();
            for c in &pres.controls {
                if let Some(r) = &c.ref_id {
                    if !ids.contains(r.as_str()) {
                        out.push(format!(
                            "{culture} presentation {id}: <{} refId=\"{r}\"> names no element of policy {}",
                            c.kind, p.name
                        ));
                    }
                    shown.insert(r.as_str());
                }
            }
            for e in &p.elements {
                if !shown.contains(e.id.as_str()) {
                    out.push(format!(
                        "policy {} element {} has no control in the {culture} presentation {id}",
                        p.name, e.id
                    ));
                }
            }
        }
        if let Some(min) = &admx.min_required_revision {
            if revision_lt(&adml.revision, min) {
                out.push(format!(
                    "the {culture} ADML has revision {}, below the ADMX's minRequiredRevision {min}",
                    adml.revision
                ));
            }
        }
    }

    // Item references: local (no prefix or the target prefix) must exist here; a
    // prefix must be the target or a `using` prefix.
    let usings: BTreeSet<&str> = admx.using.iter().map(|u| u.prefix.as_str()).collect();
    let categories: BTreeSet<&str> = admx.categories.iter().map(|c| c.name.as_str()).collect();
    let supported: BTreeSet<&str> = admx.supported_on.iter().map(|s| s.name.as_str()).collect();
    let check_ref = |what: String, r: &str, local: &BTreeSet<&str>| -> Option<String> {
        let (prefix, name) = match r.split_once(':') {
            Some((p, n)) => (Some(p), n),
            None => (None, r),
        };
        match prefix {
            Some(p) if p != admx.target.prefix && !usings.contains(p) => Some(format!(
                "{what} `{r}` uses prefix `{p}`, which is neither the target nor a <using> prefix"
            )),
            Some(p) if p != admx.target.prefix => None, // another file's item: not checkable here
            _ if !local.contains(name) => Some(format!("{what} `{r}` names nothing in this file")),
            _ => None,
        }
    };
    for c in &admx.categories {
        if let Some(p) = &c.parent {
            out.extend(check_ref(
                format!("category {} parentCategory", c.name),
                p,
                &categories,
            ));
        }
    }
    for p in &admx.policies {
        if let Some(c) = &p.parent_category {
            out.extend(check_ref(
                format!("policy {} parentCategory", p.name),
                c,
                &categories,
            ));
        }
        match &p.supported_on {
            Some(s) => out.extend(check_ref(
                format!("policy {} supportedOn", p.name),
                s,
                &supported,
            )),
            None => out.push(format!("policy {} has no supportedOn", p.name)),
        }
    }
    for s in &admx.supported_on {
        for r in &s.refs {
            out.extend(check_ref(
                format!("supportedOn {} reference", s.name),
                r,
                &supported,
            ));
        }
    }
    out
}

/// `a < b` for `major.minor` revisions (numeric parts; unparsable counts as 0).
fn revision_lt(a: &str, b: &str) -> bool {
    let parse = |s: &str| -> (u32, u32) {
        let (x, y) = s.split_once('.').unwrap_or((s, "0"));
        (x.parse().unwrap_or(0), y.parse().unwrap_or(0))
    };
    parse(a) < parse(b)
}

/// Names that must be unique and are not: policy names, category names, supportedOn
/// names, element ids within a policy, ADML string ids and presentation ids.
pub fn duplicate_ids(admx: &Admx, admls: &[(&str, &Adml)]) -> Vec<String> {
    fn dups<'a>(what: &str, names: impl Iterator<Item = &'a str>, out: &mut Vec<String>) {
        let mut seen = BTreeSet::new();
        let mut reported = BTreeSet::new();
        for n in names {
            if !seen.insert(n) && reported.insert(n) {
                out.push(format!("{what} `{n}` is defined more than once"));
            }
        }
    }
    let mut out = Vec::new();
    dups(
        "policy",
        admx.policies.iter().map(|p| p.name.as_str()),
        &mut out,
    );
    dups(
        "category",
        admx.categories.iter().map(|c| c.name.as_str()),
        &mut out,
    );
    dups(
        "supportedOn definition",
        admx.supported_on.iter().map(|s| s.name.as_str()),
        &mut out,
    );
    for p in &admx.policies {
        dups(
            &format!("element id in policy {}", p.name),
            p.elements.iter().map(|e| e.id.as_str()),
            &mut out,
        );
    }
    for (culture, adml) in admls {
        dups(
            &format!("{culture} string id"),
            adml.strings.iter().map(|(i, _)| i.as_str()),
            &mut out,
        );
        dups(
            &format!("{culture} presentation id"),
            adml.presentations.iter().map(|p| p.id.as_str()),
            &mut out,
        );
    }
    out
}
