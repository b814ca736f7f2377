//! Embeds the catalog (`policies/*.yaml`) and the product table (`products/*.yaml`)
//! into the binary, so a built `policyc` never depends on files beside it. Each file
//! is stored as JSON: the same data tree, which serde_json reads several times faster
//! than serde_yaml (the catalog was most of a small build's time). Typed checks still
//! run when the binary loads it; `catalog::tests` checks that YAML and JSON agree.
use std::{env, fs, path::Path};

fn embed(dir: &str, out: &mut String) {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join(dir);
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files: Vec<_> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    // Sorted so the embedded order, and so every output, is the same on every machine.
    files.sort();
    out.push_str(&format!(
        "pub const {}: &[(&str, &str)] = &[\n",
        dir.to_uppercase()
    ));
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text =
            fs::read_to_string(&f).unwrap_or_else(|e| panic!("cannot read {}: {e}", f.display()));
        let tree: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{dir}/{name}: {e}"));
        let json = serde_json::to_string(&tree)
            .unwrap_or_else(|e| panic!("{dir}/{name}: cannot be stored as JSON: {e}"));
        let dest = Path::new(&env::var("OUT_DIR").unwrap()).join(format!("{dir}-{name}.json"));
        fs::write(&dest, json).unwrap();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            dest.display().to_string()
        ));
    }
    out.push_str("];\n");
}

/// The Intune Settings Catalog snapshot (`products/intune/settings-catalog.yaml`), stored
/// as JSON for the same reason: parsing its 42 KB of YAML was a tenth of a small build's
/// CPU time. `settings_catalog::tests` checks that the YAML and the JSON agree.
fn embed_settings_catalog() {
    let src = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("products/intune/settings-catalog.yaml");
    println!("cargo:rerun-if-changed={}", src.display());
    let text =
        fs::read_to_string(&src).unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display()));
    let tree: serde_yaml::Value = serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("products/intune/settings-catalog.yaml: {e}"));
    let json = serde_json::to_string(&tree).unwrap_or_else(|e| {
        panic!("products/intune/settings-catalog.yaml: cannot be stored as JSON: {e}")
    });
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("settings-catalog.json");
    fs::write(dest, json).unwrap();
}

fn main() {
    let mut out = String::new();
    embed("policies", &mut out);
    embed("products", &mut out);
    embed_settings_catalog();
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(dest, out).unwrap();
}
