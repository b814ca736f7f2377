//! `policyc init`: a commented starter spec. It is the bundled NHS example (every
//! line explained), pointed at a schema file beside it, followed by a commented
//! list of every setting in the catalog so the author can see what else exists.

use crate::catalog::Catalog;

const EXAMPLE: &str = include_str!("../examples/nhs-credential-management.yaml");
const EXAMPLE_INT: &str = include_str!("../examples/nhs-credential-management-int.yaml");

/// Which NHS environment's web applications the starter spec allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    /// The live services (examples/nhs-credential-management.yaml).
    #[default]
    Live,
    /// The integration (INT) services (examples/nhs-credential-management-int.yaml).
    Int,
}

/// `policyc init` options; `None` keeps the example's value.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub name: Option<String>,
    pub publisher: Option<String>,
    pub products: Option<Vec<String>>,
    pub environment: Environment,
}

/// The starter spec with the example's defaults, its comments naming `policyc.yaml`.
pub fn starter_spec(catalog: &Catalog) -> String {
    starter_spec_with(catalog, "policyc.yaml", &Options::default())
}

/// The starter spec for `opts`, its `Check:`/`Build:` comments naming `spec_path`.
pub fn starter_spec_with(catalog: &Catalog, spec_path: &str, opts: &Options) -> String {
    let example = match opts.environment {
        Environment::Live => EXAMPLE,
        Environment::Int => EXAMPLE_INT,
    };
    // The path goes into a comment: no line break or other control character.
    let path: String = spec_path
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    // Scalars are written as JSON strings, which YAML reads as double-quoted strings.
    let quoted = |v: &str| serde_json::to_string(v).expect("a string serialises");
    let products = opts.products.as_ref().map(|list| {
        let mut list: Vec<&str> = list.iter().map(String::as_str).collect();
        list.sort_unstable();
        list.dedup();
        list.join(", ")
    });
    let mut s = String::with_capacity(example.len() + 4096);
    for line in example.split_inclusive('\n') {
        let eol = &line[line.trim_end_matches(['\r', '\n']).len()..];
        let replaced = if line.starts_with("# yaml-language-server: $schema=") {
            Some("# yaml-language-server: $schema=./spec-v1.schema.json".to_string())
        } else if line.starts_with("# Check:") {
            Some(format!("# Check:  policyc check {path}"))
        } else if line.starts_with("# Build:") {
            Some(format!("# Build:  policyc build {path} --out bundle/"))
        } else if let (Some(name), true) = (&opts.name, line.starts_with("  name: ")) {
            Some(format!("  name: {}", quoted(name)))
        } else if let (Some(p), true) = (&opts.publisher, line.starts_with("  publisher: ")) {
            Some(format!("  publisher: {}", quoted(p)))
        } else if let (Some(list), true) = (&products, line.starts_with("products: ")) {
            Some(format!("products: [{list}]"))
        } else if let (Some(list), Some(rest)) = (
            &products,
            line.strip_prefix("# Browser settings below are written for each of these ("),
        ) {
            // The comment names the products of the line below it.
            let tail = rest.split_once(')').map_or("", |(_, t)| t.trim_end());
            Some(format!(
                "# Browser settings below are written for each of these ({list}){tail}"
            ))
        } else {
            None
        };
        match replaced {
            Some(r) => {
                s.push_str(&r);
                s.push_str(eol);
            }
            None => s.push_str(line),
        }
    }
    s.push_str("\n# --- Every setting policyc knows (policyc catalog shows registry paths and sources) ---------\n");
    for e in &catalog.entries {
        let scopes: Vec<&str> = e.scopes.iter().map(|x| x.as_str()).collect();
        let kind = serde_json::to_value(e.value.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        s.push_str(&format!(
            "#\n#   - id: {}\n#     {}\n#     value: {kind}; scope: {}",
            e.id,
            e.title,
            scopes.join(" or ")
        ));
        if !e.forms().is_empty() {
            s.push_str("; form: policy, preference or both");
        }
        if let Some(a) = &e.applies_to {
            s.push_str(&format!(
                "; only for {} {}",
                a.client,
                crate::catalog::range_words(&a.versions)
            ));
        }
        s.push('\n');
    }
    s.push_str(concat!(
        "\n# --- Any other policy of a vendor template (Chrome, Edge, Windows...) ----------------------\n",
        "# Name a central store (a PolicyDefinitions folder) and set any of its policies; list them\n",
        "# with `policyc catalog --templates PolicyDefinitions`, one with `--policy NAMESPACE:NAME`.\n",
        "#\n",
        "# templates: PolicyDefinitions       # relative to this file; --templates overrides it\n",
        "# settings:\n",
        "#   - policy: Google.Policies.Chrome:URLBlocklist\n",
        "#     state: enabled                  # enabled | disabled (a disabled policy takes no value)\n",
        "#     value: [\"https://blocked.example\"]   # one element: its value; several: element id -> value\n",
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_spec_is_valid_and_lists_the_catalog() {
        let catalog = Catalog::builtin().unwrap();
        let text = starter_spec(catalog);
        assert!(text.starts_with("# yaml-language-server: $schema=./spec-v1.schema.json\n"));
        for e in &catalog.entries {
            assert!(
                text.contains(&format!("#   - id: {}\n", e.id)),
                "{} not listed",
                e.id
            );
        }
        let out = crate::compile("policyc.yaml", text.as_bytes(), catalog);
        assert!(out.plan.is_some(), "{:?}", out.diagnostics);
    }
}
