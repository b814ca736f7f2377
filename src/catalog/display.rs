//! `policyc catalog`'s human listing: registry keys with each product's policy key
//! filled in, and value types in the words the spec format uses.

use super::{Catalog, Entry, Layout, Location, ValueKind};
use std::fmt::Write as _;

/// What a spec writes as the setting's `value:`.
fn value_words(e: &Entry) -> String {
    let range = match (e.value.min, e.value.max) {
        (Some(lo), Some(hi)) if lo == hi => format!(": {lo}"),
        (Some(lo), Some(hi)) => format!(" from {lo} to {hi}"),
        (Some(lo), None) => format!(" of at least {lo}"),
        (None, Some(hi)) => format!(" of at most {hi}"),
        (None, None) => String::new(),
    };
    match e.value.kind {
        ValueKind::Bool => "true or false".to_string(),
        ValueKind::Dword => format!("a number{range}"),
        ValueKind::String => "a string".to_string(),
        ValueKind::StringList => "a list of strings".to_string(),
        ValueKind::ZoneMap => {
            "sites mapped to zones (intranet, trusted, internet, restricted)".to_string()
        }
    }
}

/// `key` with a product placeholder such as `{policy_key}` replaced by that
/// product's policy key.
fn expand(key: &str, policy_key: Option<&str>) -> String {
    let (Some(start), Some(pk)) = (key.find('{'), policy_key) else {
        return key.to_string();
    };
    match key[start..].find('}') {
        Some(len)
            if key[start + 1..start + len]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_') =>
        {
            format!("{}{pk}{}", &key[..start], &key[start + len + 1..])
        }
        _ => key.to_string(),
    }
}

/// Where in the key the setting's data goes, by layout.
fn values_words(l: &Location) -> String {
    let ty = l.reg_type.name();
    let name = l.value.as_deref().unwrap_or("");
    match l.layout {
        Layout::Value => format!("value {name} ({ty})"),
        Layout::JoinedList => format!(
            "value {name} ({ty}, entries joined with \"{}\")",
            l.separator.as_deref().unwrap_or(",")
        ),
        Layout::NumberedList => {
            format!("values 1, 2, 3... ({ty}; the key is cleared first)")
        }
        Layout::ZoneAssignments => format!("one value per site ({ty} zone number)"),
        Layout::ZoneDomains => format!("a subkey per host, {ty} named after the scheme"),
    }
}

pub fn render_human(catalog: &Catalog) -> String {
    let mut s = String::new();
    for e in &catalog.entries {
        let scopes: Vec<&str> = e.scopes.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(
            s,
            "{}\n  {}\n  value: {}; scope: {}; products: {}",
            e.id,
            e.title,
            value_words(e),
            scopes.join(" or "),
            e.products().join(", ")
        );
        for l in &e.registry {
            let form = l.form.map_or(String::new(), |f| match f {
                super::Form::Policy => " (policy form)".to_string(),
                super::Form::Preference => " (preference form)".to_string(),
            });
            // One line per distinct key: browsers each have their own policy key.
            let mut lines: Vec<(String, Vec<String>)> = Vec::new();
            for p in &l.products {
                let pk = catalog
                    .products
                    .get(p)
                    .and_then(|x| x.policy_key.as_deref());
                let key = expand(&l.key, pk);
                let who = match l.versions.get(p) {
                    Some(v) => format!("{p} {v}"),
                    None => p.clone(),
                };
                match lines.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, w)) => w.push(who),
                    None => lines.push((key, vec![who])),
                }
            }
            for (key, who) in lines {
                let _ = writeln!(
                    s,
                    "  - {}{form}, {}: {key}, {}",
                    l.name,
                    who.join(", "),
                    values_words(l)
                );
            }
            for v in &l.vendor {
                let _ = writeln!(
                    s,
                    "    vendor policy ({}): {} ({}, category {}{}; seen in {})",
                    v.products.join(", "),
                    v.policy,
                    v.file,
                    v.category,
                    v.element
                        .as_deref()
                        .map_or(String::new(), |id| format!(", element {id}")),
                    v.versions_seen.join(", ")
                );
            }
        }
        if let Some(a) = &e.applies_to {
            let _ = writeln!(
                s,
                "  applies to: {} versions {}",
                a.client,
                super::range_words(&a.versions)
            );
        }
        for l in &e.registry {
            if let Some(sup) = &l.superseded {
                let from: Vec<String> = sup.from.iter().map(|(p, v)| format!("{p} {v}")).collect();
                let _ = match &sup.how {
                    Some(how) => writeln!(
                        s,
                        "  {}: {} {how} from {}; left out when the spec's oldest browser is that or newer",
                        l.name,
                        sup.by,
                        from.join(", ")
                    ),
                    None => writeln!(
                        s,
                        "  {} is replaced by {} from {}",
                        l.name,
                        sup.by,
                        from.join(", ")
                    ),
                };
            }
        }
        for src in &e.sources {
            let _ = writeln!(s, "  source: {}", src.url);
        }
        for u in &e.unconfirmed {
            let _ = writeln!(s, "  unconfirmed: {u}");
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn expands_the_product_placeholder_only() {
        assert_eq!(
            super::expand(
                "{policy_key}\\X",
                Some("SOFTWARE\\Policies\\Google\\Chrome")
            ),
            "SOFTWARE\\Policies\\Google\\Chrome\\X"
        );
        assert_eq!(super::expand("A\\{GUID-1}", Some("P")), "A\\{GUID-1}");
        assert_eq!(super::expand("A\\B", Some("P")), "A\\B");
    }
}
