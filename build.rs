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

#[path = "src/emit/templates.rs"]
mod templates;

/// What the PowerShell templates may print (`powershell::emit::VARIABLES`).
const PS_VARIABLES: [&str; 4] = [
    "data_section",
    "comment_name",
    "comment_version",
    "comment_compiler",
];

/// The PowerShell scripts (`templates/ps1/`), rendered here rather than by every build:
/// compiling their 45 KB of template text was a sixth of the NHS build's instructions,
/// and all of it but four variables is fixed. Each script is rendered with the
/// PowerShell emitter's environment (it prints only safe values), each variable's value
/// being its name between two U+0001 characters, which no script holds (they are
/// printable ASCII); `powershell::emit` puts the escaped values in their place.
/// `powershell::emit::tests` renders the NHS example both ways and compares.
fn render_ps_skeletons() {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("templates/ps1");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut names: Vec<String> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ps1.j2"))
        .collect();
    names.sort();
    let mut env = templates::safe_only_environment("PowerShell").unwrap();
    let mut sources = Vec::new();
    for n in &names {
        let path = root.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(
            !text.contains('\u{1}'),
            "templates/ps1/{n}: U+0001 is the build's variable marker"
        );
        sources.push((format!("ps1/{n}"), text));
    }
    for (name, text) in &sources {
        env.add_template_owned(name.clone(), text.clone())
            .unwrap_or_else(|e| panic!("templates/{name}: {e:#}"));
    }
    let ctx = minijinja::Value::from(
        PS_VARIABLES
            .iter()
            .map(|v| {
                (
                    v.to_string(),
                    minijinja::Value::from_safe_string(format!("\u{1}{v}\u{1}")),
                )
            })
            .collect::<std::collections::BTreeMap<String, minijinja::Value>>(),
    );
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("ps1");
    fs::create_dir_all(&out).unwrap();
    for (name, _) in sources.iter().filter(|(n, _)| n != "ps1/common.ps1.j2") {
        let text = env
            .get_template(name)
            .and_then(|t| t.render(ctx.clone()))
            .unwrap_or_else(|e| panic!("templates/{name}: {e:#}"));
        let file = name.trim_start_matches("ps1/").trim_end_matches(".j2");
        fs::write(out.join(file), text).unwrap();
    }
}

fn main() {
    render_ps_skeletons();
    let mut out = String::new();
    embed("policies", &mut out);
    embed("products", &mut out);
    embed_settings_catalog();
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(dest, out).unwrap();
}
