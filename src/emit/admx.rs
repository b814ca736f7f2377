//! ADMX emitter: `admx/<bundle>.admx` plus its ADMLs (`emit::adml`), the pair an admin
//! copies into the Group Policy Central Store (`PolicyDefinitions`) or uploads to Intune.
//!
//! Written with quick-xml's `Writer`, which escapes every text and attribute value
//! (`<`, `>`, `&`, `'`, `"`), so spec strings such as `]]>` or `A & B` stay data.
//! The root declares the schema namespace
//! `http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions` as Windows'
//! own ADMX files do; files without it (Chrome's) or with another (Edge's) do not
//! validate against Microsoft's XSD (research notes, validators.md section 3).
//! No `using` namespace: supportedOn definitions are our own, so the file stands alone
//! for Intune ingestion.

use super::{encoding, Artifact, EmitError, Emitter, FileKind};
use crate::admx::template::{self, Element, Fixed, Template};
use quick_xml::Writer;
use std::io;

/// The ADMX/ADML schema namespace (PolicyDefinitionFiles.xsd `targetNamespace`).
pub const SCHEMA_NS: &str = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions";
/// The ADMX schema version Windows' own files declare (`schemaVersion="1.0"`, inetres.admx).
pub const SCHEMA_VERSION: &str = "1.0";

pub struct AdmxEmitter;

/// `admx/<bundle>.admx`; the ADML of a culture is `admx/<culture>/<bundle>.adml`
/// (GPMC finds an ADML by the ADMX's file name in the culture's folder).
pub fn admx_path(bundle: &str) -> String {
    format!("admx/{bundle}.admx")
}

pub fn adml_path(bundle: &str, culture: &str) -> String {
    format!("admx/{culture}/{bundle}.adml")
}

fn fixed<W: io::Write>(w: &mut Writer<W>, v: &Fixed) -> io::Result<()> {
    match v {
        Fixed::Decimal(d) => {
            w.create_element("decimal")
                .with_attribute(("value", d.to_string().as_str()))
                .write_empty()?;
        }
        Fixed::String(s) => {
            w.create_element("string")
                .write_text_content(crate::emit::xml_content(s))?;
        }
    }
    Ok(())
}

fn policy<W: io::Write>(w: &mut Writer<W>, p: &template::Policy) -> io::Result<()> {
    let display = format!("$(string.{})", crate::admx::ids::display_string_id(&p.name));
    let explain = format!("$(string.{})", crate::admx::ids::explain_string_id(&p.name));
    let pres = format!(
        "$(presentation.{})",
        crate::admx::ids::presentation_id(&p.name)
    );
    let mut el = w
        .create_element("policy")
        .with_attribute(("name", p.name.as_str()))
        .with_attribute(("class", crate::admx::ids::class(p.hive)))
        .with_attribute(("displayName", display.as_str()))
        .with_attribute(("explainText", explain.as_str()));
    if !p.elements.is_empty() {
        el = el.with_attribute(("presentation", pres.as_str()));
    }
    el = el.with_attribute(("key", p.key.as_str()));
    if let Some(v) = &p.value_name {
        el = el.with_attribute(("valueName", v.as_str()));
    }
    el.write_inner_content(|w| {
        w.create_element("parentCategory")
            .with_attribute(("ref", p.category.as_str()))
            .write_empty()?;
        w.create_element("supportedOn")
            .with_attribute(("ref", p.supported_on.as_str()))
            .write_empty()?;
        if let Some(v) = &p.enabled_value {
            w.create_element("enabledValue")
                .write_inner_content(|w| fixed(w, v))?;
        }
        if !p.enabled_list.is_empty() {
            w.create_element("enabledList").write_inner_content(|w| {
                for i in &p.enabled_list {
                    w.create_element("item")
                        .with_attribute(("key", i.key.as_str()))
                        .with_attribute(("valueName", i.name.as_str()))
                        .write_inner_content(|w| {
                            w.create_element("value")
                                .write_inner_content(|w| fixed(w, &i.value))?;
                            Ok(())
                        })?;
                }
                Ok(())
            })?;
        }
        if !p.elements.is_empty() {
            w.create_element("elements").write_inner_content(|w| {
                for e in &p.elements {
                    match e {
                        Element::List {
                            id,
                            key,
                            value_prefix,
                            additive,
                            explicit_value,
                            client_extension,
                            ..
                        } => {
                            let mut l =
                                w.create_element("list").with_attribute(("id", id.as_str()));
                            if let Some(c) = client_extension {
                                l = l.with_attribute(("clientExtension", c.as_str()));
                            }
                            l = l.with_attribute(("key", key.as_str()));
                            if let Some(vp) = value_prefix {
                                l = l.with_attribute(("valuePrefix", vp.as_str()));
                            }
                            // Written out even when false: `additive="false"` is what makes
                            // Group Policy clear the key first, like the plan's key reset.
                            l = l.with_attribute((
                                "additive",
                                if *additive { "true" } else { "false" },
                            ));
                            if *explicit_value {
                                l = l.with_attribute(("explicitValue", "true"));
                            }
                            l.write_empty()?;
                        }
                        Element::Text {
                            id,
                            key,
                            value_name,
                            max_length,
                            ..
                        } => {
                            w.create_element("text")
                                .with_attribute(("id", id.as_str()))
                                .with_attribute(("key", key.as_str()))
                                .with_attribute(("valueName", value_name.as_str()))
                                .with_attribute(("required", "true"))
                                .with_attribute(("maxLength", max_length.to_string().as_str()))
                                .write_empty()?;
                        }
                    }
                }
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The ADMX text (LF line endings; the encoding table decides the bytes).
pub fn render(t: &Template) -> Result<String, String> {
    let io = |e: io::Error| e.to_string();
    let mut w = super::xml_writer().map_err(io)?;
    w.create_element("policyDefinitions")
        .with_attribute(("revision", t.revision.as_str()))
        .with_attribute(("schemaVersion", SCHEMA_VERSION))
        .with_attribute(("xmlns", SCHEMA_NS))
        .write_inner_content(|w| {
            w.create_element("policyNamespaces")
                .write_inner_content(|w| {
                    w.create_element("target")
                        .with_attribute(("prefix", t.prefix.as_str()))
                        .with_attribute(("namespace", t.namespace.as_str()))
                        .write_empty()?;
                    Ok(())
                })?;
            // The ADMLs carry the same revision, so GPMC always accepts them together.
            w.create_element("resources")
                .with_attribute(("minRequiredRevision", t.revision.as_str()))
                .write_empty()?;
            if !t.supported.is_empty() {
                w.create_element("supportedOn").write_inner_content(|w| {
                    w.create_element("definitions").write_inner_content(|w| {
                        for s in &t.supported {
                            w.create_element("definition")
                                .with_attribute(("name", s.name.as_str()))
                                .with_attribute((
                                    "displayName",
                                    format!("$(string.{})", s.name).as_str(),
                                ))
                                .write_empty()?;
                        }
                        Ok(())
                    })?;
                    Ok(())
                })?;
            }
            w.create_element("categories").write_inner_content(|w| {
                for c in &t.categories {
                    let el = w
                        .create_element("category")
                        .with_attribute(("name", c.name.as_str()))
                        .with_attribute((
                            "displayName",
                            format!(
                                "$(string.{})",
                                crate::admx::ids::category_string_id(&c.name)
                            )
                            .as_str(),
                        ));
                    match &c.parent {
                        Some(p) => {
                            el.write_inner_content(|w| {
                                w.create_element("parentCategory")
                                    .with_attribute(("ref", p.as_str()))
                                    .write_empty()?;
                                Ok(())
                            })?;
                        }
                        None => {
                            el.write_empty()?;
                        }
                    }
                }
                Ok(())
            })?;
            // The schema's PolicyList needs at least one policy, so an empty bundle has none.
            if !t.policies.is_empty() {
                w.create_element("policies").write_inner_content(|w| {
                    for p in &t.policies {
                        policy(w, p)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })
        .map_err(io)?;
    Ok(super::xml_text(w))
}

/// Every file of the template: the ADMX, then one ADML per culture.
pub fn artifacts(t: &Template) -> Result<Vec<Artifact>, EmitError> {
    let admx = render(t).map_err(|message| EmitError {
        emitter: "admx",
        message,
    })?;
    artifacts_with(t, &admx, None)
}

/// [`artifacts`] with the ADMX text already rendered.
fn artifacts_with(
    t: &Template,
    admx: &str,
    en_us: Option<&str>,
) -> Result<Vec<Artifact>, EmitError> {
    let fail = |message: String| EmitError {
        emitter: "admx",
        message,
    };
    let mut out = vec![Artifact {
        path: admx_path(&t.bundle_name),
        kind: FileKind::Admx,
        bytes: encoding::encode(admx, encoding::for_kind(FileKind::Admx)),
    }];
    for culture in super::adml::CULTURES {
        // en-US as the pre-flight read it back, when the caller has it.
        let rendered;
        let text = match en_us.filter(|_| culture == "en-US") {
            Some(text) => text,
            None => {
                rendered = super::adml::render(t, culture).map_err(fail)?;
                rendered.as_str()
            }
        };
        out.push(Artifact {
            path: adml_path(&t.bundle_name, culture),
            kind: FileKind::Adml,
            bytes: encoding::encode(text, encoding::for_kind(FileKind::Adml)),
        });
    }
    Ok(out)
}

impl Emitter for AdmxEmitter {
    fn name(&self) -> &'static str {
        "admx"
    }

    /// Reads the built-in catalog for titles, descriptions, layouts and version ranges.
    fn emit(&self, plan: &super::Input) -> Result<Vec<Artifact>, EmitError> {
        let fail = |message: String| EmitError {
            emitter: "admx",
            message,
        };
        let t = plan.admx_template().map_err(fail)?;
        let (admx, read) = plan.admx_read().map_err(fail)?;
        let dups = crate::admx::check::duplicate_ids(read, &[]);
        if !dups.is_empty() {
            return Err(fail(dups.join("; ")));
        }
        artifacts_with(t, admx, Some(plan.adml_en_us().map_err(fail)?))
    }
}
