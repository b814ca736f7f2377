//! The catalog: one YAML file per setting in `policies/`, and the product table
//! in `products/`, embedded at build time. Settings hold policy data; products
//! hold branding (registry roots), as Chromium's template writers keep them apart.

pub mod display;
mod model;
pub mod templates;
pub mod vendor;

pub use model::*;
pub use vendor::VendorPolicy;

use std::collections::BTreeMap;

fn from_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_yaml::from_str(text).map_err(|e| e.to_string())
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub entries: Vec<Entry>,
    pub products: BTreeMap<String, Product>,
}

impl Catalog {
    /// The catalog built into this binary, parsed once per process: the validator and
    /// the emitters that need catalog text (ADMX, Intune, docs) share it. build.rs
    /// stores each YAML file as JSON, which parses several times faster; a test checks
    /// that both give the same catalog.
    pub fn builtin() -> Result<&'static Catalog, String> {
        static BUILTIN: std::sync::OnceLock<Result<Catalog, String>> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Catalog::assemble(
                    embedded::PRODUCTS.iter().map(|(n, t)| (*n, from_json(t))),
                    embedded::POLICIES.iter().map(|(n, t)| (*n, from_json(t))),
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses and cross-checks catalog files (`(file name, YAML text)` pairs).
    pub fn from_files(
        policies: &[(&str, &str)],
        products: &[(&str, &str)],
    ) -> Result<Catalog, String> {
        Catalog::assemble(
            products.iter().map(|(n, t)| (*n, from_yaml(t))),
            policies.iter().map(|(n, t)| (*n, from_yaml(t))),
        )
    }

    /// Cross-checks parsed catalog files (`(file name, parsed)` pairs).
    fn assemble<'a>(
        products: impl Iterator<Item = (&'a str, Result<Product, String>)>,
        policies: impl Iterator<Item = (&'a str, Result<Entry, String>)>,
    ) -> Result<Catalog, String> {
        let mut prods = BTreeMap::new();
        for (name, p) in products {
            let p = p.map_err(|e| format!("products/{name}: {e}"))?;
            if format!("{}.yaml", p.id) != name {
                return Err(format!(
                    "products/{name}: id `{}` does not match the file name",
                    p.id
                ));
            }
            if p.sources.is_empty() {
                return Err(format!("products/{name}: no sources"));
            }
            if let Some(a) = &p.intune_admx {
                a.check().map_err(|m| format!("products/{name}: {m}"))?;
            }
            prods.insert(p.id.clone(), p);
        }
        let mut entries: Vec<Entry> = Vec::new();
        for (name, e) in policies {
            let here = format!("policies/{name}");
            let e = e.map_err(|e| format!("{here}: {e}"))?;
            if format!("{}.yaml", e.id) != name {
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

    /// The JSON that build.rs embeds is the same data as the YAML files in the repository.
    #[test]
    fn embedded_json_reads_as_the_yaml_files() {
        let dir = |d: &str| -> Vec<(String, String)> {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(d);
            let mut v: Vec<_> = std::fs::read_dir(root)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(&p).unwrap())
                })
                .collect();
            v.sort();
            v
        };
        let (pol, prod) = (dir("policies"), dir("products"));
        fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
            v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
        }
        let yaml = Catalog::from_files(&pairs(&pol), &pairs(&prod)).unwrap();
        let json = Catalog::builtin().unwrap();
        assert_eq!(format!("{yaml:#?}"), format!("{json:#?}"));
        assert_eq!(json.entries.len(), pol.len());
        assert_eq!(json.products.len(), prod.len());
    }
}
