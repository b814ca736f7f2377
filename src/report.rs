//! Diagnostic output formats for CI: GitHub Actions workflow commands and SARIF 2.1.0.

use crate::diag::{Diagnostic, Severity, CODES};
use serde_json::{json, Value};

/// GitHub workflow-command escaping: data escapes `%`, CR, LF; properties also `:` and `,`
/// (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts).
fn esc_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn esc_prop(s: &str) -> String {
    esc_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error file=..,line=..,col=..,title=..::message` line per diagnostic.
pub fn github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(f) = &d.file {
            props.push(format!("file={}", esc_prop(f)));
        }
        if let (Some(l), Some(c)) = (d.line, d.column) {
            props.push(format!("line={l}"));
            props.push(format!("col={c}"));
        }
        props.push(format!(
            "title={}",
            esc_prop(&format!("policyc {}", d.code))
        ));
        let mut msg = d.message.clone();
        if let Some(p) = &d.path {
            msg.push_str(&format!(" ({p})"));
        }
        if let Some(h) = &d.hint {
            msg.push_str(&format!("\nhint: {h}"));
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            esc_data(&msg)
        ));
    }
    out
}

/// A relative or absolute path as a URI reference (forward slashes, percent-encoded).
fn uri(path: &str) -> String {
    let mut s = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// A SARIF 2.1.0 log with one run; every policyc code is a rule.
pub fn sarif(diags: &[Diagnostic]) -> Value {
    let rules: Vec<Value> = CODES
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "shortDescription": {"text": c.summary},
                "fullDescription": {"text": format!("{} Fix: {}", c.summary, crate::diag::fix(c.code))},
                "defaultConfiguration": {"level": level(c.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.hint {
                text.push_str(&format!(" Hint: {h}"));
            }
            let mut r = json!({
                "ruleId": d.code,
                "ruleIndex": CODES.iter().position(|c| c.code == d.code).unwrap_or(0),
                "level": level(d.severity),
                "message": {"text": text},
            });
            let mut loc = json!({});
            if let Some(f) = &d.file {
                let mut phys = json!({"artifactLocation": {"uri": uri(f)}});
                if let (Some(l), Some(c)) = (d.line, d.column) {
                    phys["region"] = json!({"startLine": l, "startColumn": c});
                }
                loc["physicalLocation"] = phys;
            }
            if let Some(p) = &d.path {
                loc["logicalLocations"] = json!([{"fullyQualifiedName": p, "kind": "member"}]);
            }
            if loc.as_object().is_some_and(|o| !o.is_empty()) {
                r["locations"] = json!([loc]);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "policyc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_properties_and_data() {
        let d = Diagnostic::new(crate::diag::INVALID_ORIGIN, "bad 100%\nvalue")
            .file("a,b:c.yaml")
            .at(3, 4)
            .path("settings[0]");
        assert_eq!(
            github(&[d]),
            "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=policyc invalid-origin::bad 100%25%0Avalue (settings[0])\n"
        );
        assert_eq!(
            uri("dir with space/ä.yaml"),
            "dir%20with%20space/%C3%A4.yaml"
        );
    }
}
