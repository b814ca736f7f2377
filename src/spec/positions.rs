//! Source positions for spec paths. serde_yaml gives typed values but no spans,
//! so the loader also walks yaml-rust2's marked events once and records where
//! every node starts, keyed by the same path syntax diagnostics print
//! (`settings[3].value[1]`). The walk runs on the first lookup, not when the spec
//! is read: a valid spec whose notes are only counted has nothing to locate, and
//! walking it anyway was about a twentieth of the NHS build's instructions (callgrind).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

#[derive(Debug, Default, Clone)]
pub struct Positions {
    /// The spec text the index is built from (BOM already removed).
    text: Arc<str>,
    /// path -> (line, column), both 1-based; built on the first lookup.
    nodes: OnceLock<HashMap<String, (usize, usize)>>,
}

impl Positions {
    /// The position of the node at `path`: (line, column), both 1-based.
    pub fn get(&self, path: &str) -> Option<(usize, usize)> {
        self.nodes
            .get_or_init(|| index(&self.text))
            .get(path)
            .copied()
    }

    /// The position of `path`, or of its nearest recorded ancestor.
    pub fn nearest(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.get(&p) {
                return Some(pos);
            }
            let cut = p.rfind(['.', '['])?;
            p.truncate(cut);
        }
    }

    /// The index of `text`, a spec without its BOM; the text is walked on the first
    /// lookup.
    pub fn build(text: &str) -> Positions {
        Positions {
            text: text.into(),
            nodes: OnceLock::new(),
        }
    }

    /// Whether the text has been walked (a lookup was made).
    pub fn is_built(&self) -> bool {
        self.nodes.get().is_some()
    }
}

/// Walks `text`'s marked events: path -> where that node starts.
fn index(text: &str) -> HashMap<String, (usize, usize)> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // Syntax errors are reported by serde_yaml; a partial index is fine here.
    let _ = parser.load(&mut b, false);
    b.nodes
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    nodes: HashMap<String, (usize, usize)>,
    done: bool,
}

/// Joins a parent path and a mapping key the way diagnostics print it.
pub fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Builder {
    /// Called when a node starts; returns its path (None for a mapping key).
    fn node_path(&mut self, scalar: Option<&str>, mark: Marker) -> Option<String> {
        let pos = (mark.line(), mark.col() + 1);
        let path = match self.stack.last_mut() {
            None => String::new(),
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                p
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => join_key(path, &k),
                None => {
                    // This node is a key. Keys that are not scalars are rare; give them a placeholder.
                    let k = scalar.unwrap_or("?").to_string();
                    let p = join_key(path, &k);
                    self.nodes.entry(format!("{p}#key")).or_insert(pos);
                    *key = Some(k);
                    return None;
                }
            },
        };
        self.nodes.entry(path.clone()).or_insert(pos);
        Some(path)
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done {
            return;
        }
        match ev {
            Event::Scalar(v, ..) => {
                self.node_path(Some(&v), mark);
            }
            Event::Alias(_) => {
                self.node_path(None, mark);
            }
            Event::MappingStart(..) => {
                // A mapping used as a key gets the placeholder path; its content is not indexed.
                let path = self.node_path(None, mark).unwrap_or_else(|| "?".into());
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.node_path(None, mark).unwrap_or_else(|| "?".into());
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::DocumentEnd => self.done = true,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_nested_positions() {
        let text = "a: 1\nsettings:\n  - id: x\n    value:\n      - one\n      - two\n";
        let p = Positions::build(text);
        assert!(!p.is_built(), "the text is walked on the first lookup only");
        assert_eq!(p.get("a"), Some((1, 4)));
        assert!(p.is_built());
        assert_eq!(p.get("settings[0].id"), Some((3, 9)));
        assert_eq!(p.get("settings[0].value[1]"), Some((6, 9)));
        assert_eq!(p.get("settings[0].value#key"), Some((4, 5)));
        assert!(p.get("settings[0].value").is_some());
        assert_eq!(
            p.nearest("settings[0].value[7]"),
            p.get("settings[0].value")
        );
    }
}
