//! The catalog: one YAML file per setting in `policies/`, and the product table
//! in `products/`, embedded at build time. Settings hold policy data; products
//! hold branding (registry roots), as Chromium's template writers keep them apart.

mod model;

pub use model::*;

use std::collections::BTreeMap;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub entries: Vec<Entry>,
    pub products: BTreeMap<String, Product>,
}

impl Catalog {
    /// The catalog built into this binary.
    pub fn builtin() -> Result<Catalog, String> {
        Catalog::from_files(embedded::POLICIES, embedded::PRODUCTS)
    }

    /// Parses and cross-checks catalog files (`(file name, text)` pairs).
    pub fn from_files(
        policies: &[(&str, &str)],
        products: &[(&str, &str)],
    ) -> Result<Catalog, String> {
        let mut prods = BTreeMap::new();
        for (name, text) in products {
            let p: Product =
                serde_yaml::from_str(text).map_err(|e| format!("products/{name}: {e}"))?;
            if format!("{}.yaml", p.id) != *name {
                return Err(format!(
                    "products/{name}: id `{}` does not match the file name",
                    p.id
                ));
            }
            if p.sources.is_empty() {
                return Err(format!("products/{name}: no sources"));
            }
            prods.insert(p.id.clone(), p);
        }
        let mut entries: Vec<Entry> = Vec::new();
        for (name, text) in policies {
            let e: Entry =
                serde_yaml::from_str(text).map_err(|e| format!("policies/{name}: {e}"))?;
            let here = format!("policies/{name}");
            if format!("{}.yaml", e.id) != *name {
                return Err(format!(
                    "{here}: id `{}` does not match the file name",
                    e.id
                ));
            }
            e.check(&prods).map_err(|m| format!("{here}: {m}"))?;
            entries.push(e);
        }
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalog {
            entries,
            products: prods,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The entry and registry location a plan op's provenance names.
    pub fn location(
        &self,
        setting: &str,
        location: &str,
        product: &str,
    ) -> Result<(&Entry, &Location), String> {
        let entry = self
            .get(setting)
            .ok_or_else(|| format!("setting {setting} is not in the catalog"))?;
        let loc = entry
            .registry
            .iter()
            .find(|l| l.name == location && l.products.iter().any(|p| p == product))
            .ok_or_else(|| format!("{setting} has no location {location} for {product}"))?;
        Ok((entry, loc))
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }

    /// Products a spec may list under `products:` (browsers).
    pub fn browser_ids(&self) -> impl Iterator<Item = &str> {
        self.products
            .values()
            .filter(|p| p.kind == ProductKind::Browser)
            .map(|p| p.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_loads_and_every_fact_has_a_source() {
        let c = Catalog::builtin().unwrap();
        assert!(c.entries.len() >= 8, "{} entries", c.entries.len());
        for e in &c.entries {
            assert!(!e.sources.is_empty(), "{} has no sources", e.id);
            for l in &e.registry {
                assert!(
                    !l.sources.is_empty(),
                    "{} location {} has no sources",
                    e.id,
                    l.key
                );
                for s in &l.sources {
                    assert!(
                        s.url.starts_with("https://"),
                        "{}: source {} is not an https URL",
                        e.id,
                        s.url
                    );
                }
            }
        }
    }
}
