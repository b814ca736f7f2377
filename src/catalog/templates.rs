//! `policyc catalog --templates DIR [--format json] [--policy NAMESPACE:NAME]`: the
//! policies of a central store (`admx::store`), listed or shown one at a time.

use crate::admx::reader::{Element, Value};
use crate::admx::store::{PolicyRef, Store};
use serde_json::{json, Value as Json};
use std::path::Path;

fn value_text(v: &Value) -> String {
    match v {
        Value::Decimal(d) => format!("decimal {d}"),
        Value::LongDecimal(d) => format!("longDecimal {d}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Delete => "delete".into(),
    }
}

/// Text shown on one line: line breaks and runs of spaces become one space (some ADML
/// display names end in a line break; `supportedOn` texts span lines).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The string id of an enum item's `$(string.X)` display name: what a spec may name it by.
fn item_id(display: &str) -> &str {
    crate::admx::store::string_ref(display).unwrap_or(display)
}

/// The default the editor shows for an element (ADML presentation), as spec text.
fn default_text(e: &Element, v: &crate::admx::state::ElementValue) -> String {
    use crate::admx::state::ElementValue as V;
    match v {
        V::Bool(b) => b.to_string(),
        V::Number(n) => n.to_string(),
        V::Text(t) => format!("{t:?}"),
        V::Enum(i) => e
            .enum_items
            .get(*i)
            .map_or_else(String::new, |it| item_id(&it.display_name).to_string()),
        V::Strings(l) => format!("{l:?}"),
        V::List(l) => format!("{} entries", l.len()),
    }
}

fn element_json(
    f: &crate::admx::store::File,
    e: &Element,
    default: Option<&crate::admx::state::ElementValue>,
) -> Json {
    json!({
        "id": e.id,
        "kind": e.kind,
        "attributes": e.attrs,
        "default": default.map(|d| default_text(e, d)),
        "items": e.enum_items.iter().map(|i| json!({
            "id": item_id(&i.display_name),
            "display_name": one_line(&crate::admx::store::string(f, &i.display_name)),
            "value": i.value.as_ref().map(value_text),
        })).collect::<Vec<_>>(),
    })
}

fn policy_json(store: &Store, p: PolicyRef<'_>, explain: bool) -> Json {
    let pol = p.policy;
    let defaults = pol.presentation_defaults(p.file.adml.as_ref());
    let elements: Vec<Json> = pol
        .elements
        .iter()
        .map(|e| element_json(p.file, e, defaults.get(&e.id)))
        .collect();
    let mut j = json!({
        "policy": p.id(),
        "file": p.file.name,
        "class": pol.class,
        "key": pol.key,
        "value_name": pol.value_name,
        "display_name": one_line(&p.display_name()),
        "category": store.category_path(p).into_iter().map(|(id, name)| json!({"id": id, "name": one_line(&name)})).collect::<Vec<_>>(),
        "supported_on": store.supported_on(p).map(|s| one_line(&s)),
        "enabled_value": pol.enabled_value.as_ref().map(value_text),
        "disabled_value": pol.disabled_value.as_ref().map(value_text),
        "elements": elements,
    });
    if explain {
        j["explain"] = json!(p.explain());
    }
    j
}

fn policy_human(store: &Store, p: PolicyRef<'_>) -> String {
    let pol = p.policy;
    let mut s = format!(
        "{}\n  {}\n  file: {}, class: {}\n  key: {}\n",
        p.id(),
        one_line(&p.display_name()),
        p.file.name,
        pol.class,
        pol.key
    );
    if let Some(v) = &pol.value_name {
        s.push_str(&format!("  valueName: {v}\n"));
    }
    for (what, v) in [
        ("enabledValue", &pol.enabled_value),
        ("disabledValue", &pol.disabled_value),
    ] {
        if let Some(v) = v {
            s.push_str(&format!("  {what}: {}\n", value_text(v)));
        }
    }
    let cats: Vec<String> = store.category_path(p).into_iter().map(|(_, n)| n).collect();
    s.push_str(&format!("  category: {}\n", cats.join(" > ")));
    if let Some(sup) = store.supported_on(p) {
        s.push_str(&format!("  supported on: {}\n", one_line(&sup)));
    }
    let defaults = pol.presentation_defaults(p.file.adml.as_ref());
    for e in &pol.elements {
        // Attribute values as written in the ADMX (registry paths keep single backslashes).
        let attrs: Vec<String> = e
            .attrs
            .iter()
            .filter(|(k, _)| k.as_str() != "id")
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        let default = defaults.get(&e.id).map_or(String::new(), |d| {
            format!(" (default {})", default_text(e, d))
        });
        s.push_str(&format!(
            "  element {} <{}> {}{default}\n",
            e.id,
            e.kind,
            attrs.join(" ")
        ));
        for i in &e.enum_items {
            let v = i.value.as_ref().map_or(String::new(), value_text);
            s.push_str(&format!(
                "    item {} \"{}\": {v}\n",
                item_id(&i.display_name),
                one_line(&crate::admx::store::string(p.file, &i.display_name))
            ));
        }
    }
    s
}

/// Runs the command; returns the exit code (0, 1 for an unknown policy, 2 for an
/// unreadable folder). Unreadable files are warnings on stderr (`admx-unreadable`).
pub fn run(dir: &Path, json: bool, policy: Option<&str>) -> i32 {
    let store = match Store::load(dir, "en-US") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error[io-error]: {}: {e}", dir.display());
            return 2;
        }
    };
    for p in &store.problems {
        eprintln!(
            "warning[{}]: {p}\n  = hint: fix or remove the file; the rest of the store was read",
            crate::diag::ADMX_UNREADABLE
        );
    }
    if store.files.is_empty() && store.problems.is_empty() {
        eprintln!(
            "error[io-error]: {} holds no .admx file\n  = hint: give a PolicyDefinitions folder (`*.admx` and `en-US/*.adml`)",
            dir.display()
        );
        return 2;
    }
    match policy {
        Some(id) => {
            let Some(p) = store.get(id) else {
                let hint = store
                    .closest(id)
                    .map_or(String::new(), |c| format!("; did you mean `{c}`?"));
                eprintln!(
                    "error[unknown-policy]: no policy `{id}` in {}{hint}",
                    dir.display()
                );
                return 1;
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&policy_json(&store, p, true)).unwrap_or_default()
                );
            } else {
                print!("{}", policy_human(&store, p));
                if let Some(e) = p.explain() {
                    println!("  explain: {}", e.replace('\n', "\n    "));
                }
            }
        }
        None => {
            if json {
                let list: Vec<Json> = store
                    .policies()
                    .map(|p| policy_json(&store, p, false))
                    .collect();
                let problems: Vec<String> =
                    store.problems.iter().map(ToString::to_string).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({"policies": list, "problems": problems}))
                        .unwrap_or_default()
                );
            } else {
                use std::io::Write as _;
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                for p in store.policies() {
                    let line = format!(
                        "{}\t{}\t{}\t{}\t{}",
                        p.id(),
                        p.policy.class,
                        p.policy.key,
                        p.policy.value_name.as_deref().unwrap_or("-"),
                        one_line(&p.display_name())
                    );
                    if writeln!(out, "{line}").is_err() {
                        return 0;
                    }
                }
            }
        }
    }
    0
}
