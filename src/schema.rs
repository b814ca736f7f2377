//! The JSON Schema for spec format v1 (`policyc schema`), generated from the
//! catalog so editors complete setting ids and check each setting's value type.

use crate::catalog::{Catalog, ValueKind};
use serde_json::{json, Value};

pub fn spec_schema(catalog: &Catalog) -> Value {
    let browsers: Vec<&str> = catalog.browser_ids().collect();
    let ids: Vec<&str> = catalog.ids().collect();
    let clients: Vec<&str> = catalog
        .products
        .values()
        .filter(|p| p.kind == crate::catalog::ProductKind::Software)
        .map(|p| p.id.as_str())
        .collect();
    let per_setting: Vec<Value> = catalog
        .entries
        .iter()
        .map(|e| {
            let value = match e.value.kind {
                ValueKind::Bool => json!({"type": "boolean"}),
                ValueKind::Dword => json!({
                    "type": "integer",
                    "minimum": e.value.min.unwrap_or(0),
                    "maximum": e.value.max.unwrap_or(u32::MAX),
                }),
                ValueKind::String => json!({"type": "string"}),
                ValueKind::StringList => json!({"type": "array", "minItems": 1, "items": {"type": "string"}}),
                ValueKind::ZoneMap => json!({
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"enum": ["intranet", "trusted", "internet", "restricted", 1, 2, 3, 4]},
                }),
            };
            let scopes: Vec<&str> = e.scopes.iter().map(|s| s.as_str()).collect();
            let mut then = json!({
                "properties": {
                    "value": value,
                    "scope": {"enum": scopes},
                },
            });
            if e.default_form.is_none() {
                then["properties"]["form"] = json!(false);
            }
            if !e.products().iter().any(|p| browsers.contains(p)) {
                then["properties"]["products"] = json!(false);
            }
            json!({
                "if": {"properties": {"id": {"const": e.id}}, "required": ["id"]},
                "then": then,
            })
        })
        .collect();
    let descriptions: Vec<Value> = catalog
        .entries
        .iter()
        .map(|e| json!({"const": e.id, "title": e.title, "description": e.description}))
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://policyc.invalid/schema/spec-v1.json",
        "title": "policyc spec (format 1)",
        "description": "A declarative list of Windows and browser settings that policyc compiles into .reg files and more.",
        "type": "object",
        "additionalProperties": false,
        "required": ["policyc", "bundle", "settings"],
        "properties": {
            "policyc": {"const": 1, "description": "Spec format version."},
            "bundle": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "display_name", "version", "publisher"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64, "description": "File-safe id of the bundle."},
                    "display_name": {"type": "string", "minLength": 1},
                    "version": {"type": "string", "pattern": "^[0-9]{1,5}(\\.[0-9]{1,5}){0,3}$"},
                    "publisher": {"type": "string", "minLength": 1},
                    "description": {"type": "string"},
                },
            },
            "products": {
                "type": "array",
                "uniqueItems": true,
                "items": {"enum": browsers},
                "description": "Browsers the browser settings are written for.",
            },
            "min_browser_version": {
                "type": "integer",
                "minimum": 1,
                "description": "Oldest browser major version to support; policies a newer one replaces are left out.",
            },
            "clients": {
                "type": "object",
                "propertyNames": {"enum": clients},
                "additionalProperties": {"type": ["string", "number"], "minimum": 0, "pattern": "^[0-9]+(\\.[0-9]+){0,3}$"},
                "description": "NHS clients the endpoints run, with versions, e.g. smartcard-connect: \"3.13\" (quoted or not: policyc reads the digits as written, so 3.20 stays 3.20).",
            },
            "intune_profile": {
                "enum": ["settings-catalog", "custom"],
                "description": "Which Intune profile carries values whose policy has a Settings Catalog definition: settings-catalog (default, intune/settings-catalog/) or custom (the OMA-URI profile only).",
            },
            "intune_definitions": {
                "type": "string",
                "minLength": 1,
                "description": "Intune's setting definitions, the JSON of GET /beta/deviceManagement/configurationSettings with every page merged, relative to the spec; without it the built-in snapshot is used.",
            },
            "templates": {
                "type": "string",
                "minLength": 1,
                "description": "A central store (PolicyDefinitions folder: *.admx and en-US/*.adml) for `policy:` settings, relative to the spec; --templates overrides it.",
            },
            "intune_ingest_templates": {
                "type": "boolean",
                "description": "With templates: the Intune profiles ingest each vendor ADMX they rely on (ADMXInstall), read from the central store.",
            },
            "settings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "oneOf": [
                        {"required": ["id", "value"], "not": {"anyOf": [{"required": ["policy"]}, {"required": ["state"]}]}},
                        {"required": ["policy", "state"], "not": {"anyOf": [{"required": ["id"]}, {"required": ["form"]}, {"required": ["products"]}]}},
                    ],
                    "properties": {
                        "id": {"anyOf": descriptions, "enum": ids},
                        "policy": {
                            "type": "string",
                            "pattern": "^[^:\\s]+:[^:\\s]+$",
                            "description": "A vendor template policy, NAMESPACE:NAME (the ADMX target namespace and the policy's name; `policyc catalog --templates DIR` lists them).",
                        },
                        "state": {"enum": ["enabled", "disabled"]},
                        "value": {},
                        "scope": {"enum": ["machine", "user"]},
                        "form": {"enum": ["policy", "preference", "both"]},
                        "products": {"type": "array", "items": {"enum": browsers}},
                        "acknowledge": {"type": "array", "items": {"enum": crate::validate::ACKNOWLEDGEABLE}},
                        "note": {"type": "string"},
                    },
                    "allOf": per_setting,
                },
            },
        },
    })
}
