//! The loader: the one place that turns spec bytes into a [`RawSpec`]. It keeps
//! source positions so later stages can point at `file:line:col`.

pub mod positions;
pub mod raw;

pub use positions::Positions;
pub use raw::{RawBundle, RawSetting, RawSpec};

use crate::diag::{self, Diagnostic};

/// A parsed spec with the name it was read from and its position index.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub file: String,
    pub raw: RawSpec,
    pub positions: Positions,
}

impl Loaded {
    /// A diagnostic pointing at `path` in this spec (or its nearest ancestor).
    pub fn diag(&self, code: &'static str, path: &str, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(code, message).file(&self.file).path(path);
        match self.positions.nearest(path) {
            Some((l, c)) => d.at(l, c),
            None => d,
        }
    }
}

/// Parse spec bytes. `file` is the name used in diagnostics.
pub fn load_bytes(file: &str, bytes: &[u8]) -> Result<Loaded, Vec<Diagnostic>> {
    let at_file = |code, msg: String| Diagnostic::new(code, msg).file(file);
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(vec![at_file(
            diag::INVALID_ENCODING,
            "the spec is UTF-16; policyc reads UTF-8".into(),
        )
        .hint("save the file as UTF-8 (with or without BOM)")]);
    }
    // UTF-16 without a BOM: ASCII text has a NUL in every other byte.
    if bytes.len() >= 2 && (bytes[0] == 0) != (bytes[1] == 0) {
        return Err(vec![at_file(
            diag::INVALID_ENCODING,
            "the spec looks like UTF-16 without a BOM; policyc reads UTF-8".into(),
        )
        .hint("save the file as UTF-8 (with or without BOM)")]);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            // Count lines up to the bad byte so the admin can find it.
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = good.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            return Err(vec![at_file(
                diag::INVALID_ENCODING,
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            )
            .at(line, col)
            .hint("save the file as UTF-8")]);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // YAML allows no raw control character but tab, CR, LF and NEL, nor U+FFFE/U+FFFF
    // (YAML 1.2 §5.1, c-printable). serde_yaml rejects them with a byte offset and a
    // 1:1 position; find the first one here to give its line and column.
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}'))
            || matches!(c, '\u{fffe}' | '\u{ffff}')
    }) {
        let before = &text[..i];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return Err(vec![at_file(
            diag::CONTROL_CHARACTER,
            format!("the spec contains the control character {c:?}, which YAML does not allow"),
        )
        .at(line, col)
        .hint("remove it; write a tab or line break inside a value as a YAML escape only if the setting accepts it")]);
    }
    load_str(file, text)
}

pub fn load_str(file: &str, text: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let positions = Positions::build(text);
    let de = serde_yaml::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, RawSpec>(de) {
        Ok(raw) => Ok(Loaded {
            file: file.to_string(),
            raw,
            positions,
        }),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            Err(vec![yaml_error(file, &path, &inner, &positions)])
        }
    }
}

/// Turn a serde_yaml error into a diagnostic with a code, a clean message and a hint.
fn yaml_error(
    file: &str,
    path: &str,
    err: &serde_yaml::Error,
    positions: &Positions,
) -> Diagnostic {
    let full = err.to_string();
    // serde_yaml appends " at line L column C"; we print the position ourselves.
    let msg = match err.location() {
        Some(l) => full.replacen(
            &format!(" at line {} column {}", l.line(), l.column()),
            "",
            1,
        ),
        None => full.clone(),
    };
    let path = if path == "." || path == "?" { "" } else { path };
    let mut d = if let Some(field) = between(&msg, "unknown field `", "`") {
        let parent = if path.is_empty() {
            String::new()
        } else {
            path.rsplit_once('.')
                .map_or(String::new(), |(p, _)| p.to_string())
        };
        let keys = keys_for(&parent);
        let mut d = Diagnostic::new(diag::UNKNOWN_KEY, format!("unknown key `{field}`"));
        d = match diag::did_you_mean(field, keys.iter().copied()) {
            Some(s) => d.hint(format!("did you mean `{s}`?")),
            None => d.hint(format!("expected one of: {}", keys.join(", "))),
        };
        d.path(if path.is_empty() {
            field.to_string()
        } else {
            path.to_string()
        })
    } else if let Some(field) = between(&msg, "missing field `", "`") {
        let full_path = positions::join_key(path, field);
        Diagnostic::new(diag::MISSING_KEY, format!("missing key `{full_path}`"))
            .hint(format!(
                "add `{field}:` here; see `policyc init` or the README's spec format"
            ))
            .path(if path.is_empty() {
                "(top level)".to_string()
            } else {
                path.to_string()
            })
    } else if msg.starts_with("recursion limit exceeded")
        || msg.starts_with("repetition limit exceeded")
    {
        // serde_yaml's guards: nesting deeper than 128 levels, or aliases expanding
        // into more nodes than the document holds (a "billion laughs" bomb).
        let d = Diagnostic::new(
            diag::YAML_LIMIT,
            if msg.starts_with("recursion") {
                "the spec nests more than 128 levels deep".to_string()
            } else {
                "the spec's aliases (*name) expand into too many values (an alias bomb?)"
                    .to_string()
            },
        )
        .hint(
            "flatten the nesting, or write the values out instead of repeating anchors of anchors",
        );
        if path.is_empty() {
            d
        } else {
            d.path(path)
        }
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        Diagnostic::new(diag::WRONG_TYPE, format!("`{path}`: {msg}"))
            .hint("check the README's spec format for this key's type")
            .path(path)
    } else if err.location().is_none() && !path.is_empty() {
        Diagnostic::new(diag::WRONG_TYPE, format!("`{path}`: {msg}")).path(path)
    } else {
        let d = Diagnostic::new(diag::YAML_SYNTAX, msg)
            .hint("fix the YAML syntax at this position (indentation, quotes, colons)");
        if path.is_empty() {
            d
        } else {
            d.path(path)
        }
    };
    d = d.file(file);
    if let Some(loc) = err.location() {
        d = d.at(loc.line(), loc.column());
    } else if let Some((l, c)) = d.path.as_deref().and_then(|p| positions.nearest(p)) {
        d = d.at(l, c);
    }
    d
}

fn keys_for(parent: &str) -> &'static [&'static str] {
    if parent.is_empty() {
        raw::TOP_KEYS
    } else if parent == "bundle" {
        raw::BUNDLE_KEYS
    } else if parent.starts_with("settings[") {
        raw::SETTING_KEYS
    } else {
        &[]
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}
