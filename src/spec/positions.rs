//! Source positions for spec paths. serde_yaml gives typed values but no spans,
//! so the loader also walks yaml-rust2's marked events once and records where
//! every node starts, keyed by the same path syntax diagnostics print
//! (`settings[3].value[1]`).

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

#[derive(Debug, Default, Clone)]
pub struct Positions {
    /// path -> (line, column), both 1-based.
    nodes: HashMap<String, (usize, usize)>,
}

impl Positions {
    pub fn get(&self, path: &str) -> Option<(usize, usize)> {
        self.nodes.get(path).copied()
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

    pub fn build(text: &str) -> Positions {
        let mut b = Builder::default();
        let mut parser = Parser::new_from_str(text);
        // Syntax errors are reported by serde_yaml; a partial index is fine here.
        let _ = parser.load(&mut b, false);
        Positions { nodes: b.nodes }
    }
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
        assert_eq!(p.get("a"), Some((1, 4)));
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
