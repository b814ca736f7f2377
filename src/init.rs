//! `policyc init`: a commented starter spec. It is the bundled NHS example (every
//! line explained), pointed at a schema file beside it, followed by a commented
//! list of every setting in the catalog so the author can see what else exists.

use crate::catalog::Catalog;

const EXAMPLE: &str = include_str!("../examples/nhs-credential-management.yaml");

pub fn starter_spec(catalog: &Catalog) -> String {
    let mut s = EXAMPLE.replacen(
        "# yaml-language-server: $schema=../schema/spec-v1.schema.json",
        "# yaml-language-server: $schema=./spec-v1.schema.json",
        1,
    );
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
            s.push_str(&format!("; only for {} {}", a.client, a.versions));
        }
        s.push('\n');
    }
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
