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
    // Only blank lines and comments: serde would say "missing key `policyc`".
    if text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    }) {
        return Err(vec![Diagnostic::new(
            diag::MISSING_KEY,
            if text.trim().is_empty() {
                "the file is empty"
            } else {
                "the file is empty: it holds only comments"
            },
        )
        .file(file)
        .at(1, 1)
        .hint(
            "start from `policyc init` or examples/nhs-credential-management.yaml",
        )]);
    }
    let positions = Positions::build(text);
    let de = serde_yaml::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, RawSpec>(de) {
        Ok(raw) => {
            if let Some(d) = item_indented_too_deep(file, text) {
                return Err(vec![d]);
            }
            Ok(Loaded {
                file: file.to_string(),
                raw,
                positions,
            })
        }
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let d = yaml_error(file, &path, &inner, &positions);
            // A syntax error at or after an item indented too deep is that item's fault.
            let deep = item_indented_too_deep(file, text)
                .filter(|x| d.code == diag::YAML_SYNTAX && x.line <= d.line);
            Err(vec![deep
                .or_else(|| tab_indent(&d, text, &positions))
                .or_else(|| duplicate_key(&d, text))
                .unwrap_or(d)])
        }
    }
}

/// Leading spaces of a line, and the line without them.
fn indent(line: &str) -> (usize, &str) {
    let t = line.trim_start_matches(' ');
    (line.len() - t.len(), t)
}

/// A list item indented deeper than the plain-text item above it (`- a` then
/// `  - b`) is, to YAML, more text of that item (`a - b`): the later checks would then
/// report a strange value. Say what happened instead.
fn item_indented_too_deep(file: &str, text: &str) -> Option<Diagnostic> {
    let mut prev: Option<(usize, usize, &str)> = None; // (line, indent, text after "- ")
                                                       // The indent of a line that opens a block scalar (`note: |`): deeper lines are text.
    let mut block: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let (n, rest) = indent(line.trim_end_matches('\r'));
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        match block {
            Some(b) if n > b => continue,
            _ => block = None,
        }
        let value = rest.split(" #").next().unwrap_or("").trim_end();
        if ["|", ">", "|-", ">-", "|+", ">+"].iter().any(|ind| {
            value
                .strip_suffix(ind)
                .is_some_and(|before| before.is_empty() || before.ends_with(' '))
        }) {
            block = Some(n);
        }
        if let Some(item) = rest.strip_prefix("- ") {
            if let Some((pl, pn, ptext)) = prev {
                let plain = !ptext.is_empty()
                    && !ptext.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!', '-'])
                    && !ptext.contains(": ")
                    && !ptext
                        .split(" #")
                        .next()
                        .unwrap_or("")
                        .trim_end()
                        .ends_with(':');
                if n > pn && plain {
                    return Some(
                        Diagnostic::new(
                            diag::YAML_SYNTAX,
                            format!(
                                "this list item is indented deeper than the item above it (line {pl}); the items of one list start in the same column"
                            ),
                        )
                        .file(file)
                        .at(i + 1, n + 1)
                        .hint(format!(
                            "indent its `-` by {pn} spaces, as the item above"
                        )),
                    );
                }
            }
            prev = Some((i + 1, n, item.trim()));
        } else {
            prev = None;
        }
    }
    None
}

/// A syntax error at a tab in a line's indentation: YAML indents with spaces only.
fn tab_indent(d: &Diagnostic, text: &str, positions: &Positions) -> Option<Diagnostic> {
    if d.code != diag::YAML_SYNTAX {
        return None;
    }
    let line_no = d.line?;
    let line = text.lines().nth(line_no.checked_sub(1)?)?;
    let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
    let col = line[..lead].find('\t')?;
    let mut t = Diagnostic::new(
        diag::YAML_SYNTAX,
        "a tab in the indentation; YAML indents with spaces only",
    )
    .file(d.file.clone().unwrap_or_default())
    .at(line_no, line[..col].chars().count() + 1)
    .hint("indent with spaces (set the editor to insert spaces for the Tab key)");
    // serde names the last key it read, which is often the line above the tab (`version`
    // for a tab before `publisher`): keep a path only if it is on the tab's line, else
    // name the mapping it is in.
    let mut path = d.path.clone();
    while let Some(p) = path.clone() {
        if positions.get(&p).is_some_and(|(l, _)| l == line_no) {
            break;
        }
        path = p
            .rsplit_once('.')
            .map(|(parent, _)| parent.to_string())
            .filter(|parent| positions.get(parent).is_some_and(|(l, _)| l <= line_no));
    }
    if let Some(p) = path {
        t = t.path(p);
    }
    Some(t)
}

/// serde_yaml reports a key given twice in one mapping (`duplicate entry with key "K"`,
/// `duplicate field `K``) at the start of the mapping; point at the second `K:` instead,
/// the one to remove or rename, and say where the first is.
fn duplicate_key(d: &Diagnostic, text: &str) -> Option<Diagnostic> {
    if d.code != diag::YAML_SYNTAX {
        return None;
    }
    let key = d
        .message
        .strip_prefix("duplicate entry with key \"")
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| {
            d.message
                .strip_prefix("duplicate field `")
                .and_then(|r| r.strip_suffix('`'))
        })?;
    // Key lines at one indentation from the mapping's start: `K:`, `"K":` or `'K':`.
    let from = d.line.unwrap_or(1).saturating_sub(1);
    let mut seen: Option<(usize, usize)> = None;
    for (i, line) in text.lines().enumerate().skip(from) {
        let body = line.trim_start_matches(' ');
        let body = body
            .strip_prefix("- ")
            .unwrap_or(body)
            .trim_start_matches(' ');
        let indent = line.len() - body.len();
        let named = [
            format!("{key}:"),
            format!("\"{key}\":"),
            format!("'{key}':"),
        ]
        .iter()
        .any(|k| body.starts_with(k.as_str()));
        if !named {
            continue;
        }
        match seen {
            Some((first, at)) if at == indent => {
                let mut t = Diagnostic::new(
                    diag::YAML_SYNTAX,
                    format!(
                        "`{key}` is given twice in one mapping (first at line {})",
                        first + 1
                    ),
                )
                .file(d.file.clone().unwrap_or_default())
                .at(i + 1, indent + 1)
                .hint("remove one of the two, or merge them");
                if let Some(p) = &d.path {
                    t = t.path(p.clone());
                }
                return Some(t);
            }
            Some(_) => {}
            None => seen = Some((i, indent)),
        }
    }
    None
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
    // serde_yaml names the path first (`min_browser_version: invalid type: ...`), and
    // its scanner adds where the enclosing block started ("while parsing a block
    // collection at line 65 column 7"): the diagnostic gives one position and the path.
    let msg = msg.strip_prefix(&format!("{path}: ")).unwrap_or(&msg);
    // An unclosed quote: serde_yaml points at the end of the file, and names where the
    // quoted string starts inside its message; that start is where to look.
    let unclosed = msg
        .split("while scanning a quoted scalar at line ")
        .nth(1)
        .and_then(|rest| {
            let (l, c) = rest.split_once(" column ")?;
            let c: String = c.chars().take_while(char::is_ascii_digit).collect();
            Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?))
        });
    let msg = strip_positions(msg);
    // `?` stands for a key serde could not read; keep the part of the path before it.
    let path = path.split(".?").next().unwrap_or(path);
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
        let (message, hint) = type_words(path, &msg);
        Diagnostic::new(diag::WRONG_TYPE, message)
            .hint(hint)
            .path(path)
    } else if err.location().is_none() && !path.is_empty() {
        Diagnostic::new(diag::WRONG_TYPE, format!("`{path}`: {msg}"))
            .hint("check the README's spec format for this key's type")
            .path(path)
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
    if let (Some((l, c)), true) = (unclosed, d.code == diag::YAML_SYNTAX) {
        return d
            .at(l, c)
            .hint("a quoted string that starts here is never closed; add the closing quote");
    }
    if let Some(loc) = err.location() {
        d = d.at(loc.line(), loc.column());
    } else if let Some((l, c)) = d.path.as_deref().and_then(|p| positions.nearest(p)) {
        d = d.at(l, c);
    }
    d
}

/// Removes each " at line L column C" serde_yaml puts inside a message.
fn strip_positions(msg: &str) -> String {
    let mut out = msg.to_string();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let n = digits(rest);
        let after = &rest[n..];
        match after.strip_prefix(" column ") {
            Some(c) if n > 0 && digits(c) > 0 => {
                let end = i + " at line ".len() + n + " column ".len() + digits(c);
                out.replace_range(i..end, "");
            }
            _ => break,
        }
    }
    out
}

/// serde's "invalid type: string \"140\", expected u32" in the spec's words.
fn type_words(path: &str, msg: &str) -> (String, String) {
    let found = between(msg, "invalid type: ", ", expected")
        .or_else(|| between(msg, "invalid value: ", ", expected"))
        .unwrap_or("");
    let expected = msg.split(", expected ").nth(1).unwrap_or("").trim();
    let want = match expected {
        "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "usize" => "a number",
        "a boolean" => "true or false",
        "a string" => "a string",
        "a sequence" => "a list",
        "a map" | "struct RawSpec" | "struct RawBundle" | "struct RawSetting" => {
            "a mapping of keys"
        }
        other => other,
    };
    let found_words = found
        .replace("sequence", "list")
        .replace("map", "mapping")
        .replace("unit value", "nothing");
    let quoted_number = found
        .strip_prefix("string \"")
        .and_then(|s| s.strip_suffix('"'))
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()));
    let message = match (want, quoted_number) {
        ("a number", Some(_)) => {
            format!("`{path}` must be a number, without quotes; found the {found_words}")
        }
        _ => format!("`{path}` must be {want}, found {found_words}"),
    };
    let hint = match (want, quoted_number) {
        ("a number", Some(n)) => format!("write a number, without quotes: {n}"),
        ("a number", None) => "write a whole number such as 140, without quotes".to_string(),
        ("true or false", _) => "write true or false, without quotes".to_string(),
        ("a string", _) => {
            "write text; put it in quotes if it looks like a number or true/false".to_string()
        }
        _ => "check the README's spec format for this key's type".to_string(),
    };
    (message, hint)
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
