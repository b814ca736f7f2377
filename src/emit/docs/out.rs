//! The one way text reaches the docs: a writer for one format (Markdown or HTML) whose
//! only raw input is fixed text (`&'static str`) or [`Escaped`] markup this module's
//! callers built with the same escapers. Every other string, spec text included, goes
//! through [`Out::text`], [`Out::code`] or [`Out::link`], which escape it for the format,
//! so a spec string cannot become markup.

/// Markup already escaped for its format (the registry tables' rows, built once for both
/// formats in `super`).
pub struct Escaped(pub(super) String);

/// The document's format.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

/// A character an autolink cannot hold as it is.
fn refused(c: char) -> bool {
    c.is_whitespace() || c.is_control() || "<>\"'`".contains(c)
}

/// [`refused`] for an ASCII byte: ASCII whitespace and controls are the bytes up to the
/// space, and DEL.
fn refused_ascii(b: u8) -> bool {
    b <= b' ' || b == 0x7f || b"<>\"'`".contains(&b)
}

/// One table cell's content, escaped by [`Out::row`].
pub enum Cell<'a> {
    Text(&'a str),
    Code(&'a str),
    /// Code, or nothing when empty (a list reset has no value name).
    CodeOrEmpty(&'a str),
    /// A sha256 as code; in HTML its cell has class `hash` (set in a smaller font).
    Hash(&'a str),
}

/// A document being written.
pub struct Out {
    text: String,
    format: Format,
}

impl Out {
    /// An empty document; `capacity` in bytes (the size it is expected to reach).
    pub fn new(format: Format, capacity: usize) -> Out {
        Out {
            text: String::with_capacity(capacity),
            format,
        }
    }

    /// The document.
    pub fn finish(self) -> String {
        self.text
    }

    /// Fixed text of the document, written as it is.
    pub fn fixed(&mut self, s: &'static str) -> &mut Out {
        self.text.push_str(s);
        self
    }

    /// Markup escaped earlier for this document's format.
    pub fn escaped(&mut self, s: &Escaped) -> &mut Out {
        self.text.push_str(&s.0);
        self
    }

    /// Text, escaped: HTML's five special characters, or Markdown's inline and
    /// block-opening characters ([`super::md_escape_into`]).
    pub fn text(&mut self, s: &str) -> &mut Out {
        match self.format {
            Format::Html => self.text.push_str(&crate::emit::xml_escape(s)),
            Format::Markdown => super::md_escape_into(&mut self.text, s),
        }
        self
    }

    /// Text as code: a `<code>` element or a Markdown code span ([`super::md_code`]).
    pub fn code(&mut self, s: &str) -> &mut Out {
        match self.format {
            Format::Html => {
                self.text.push_str("<code>");
                self.text.push_str(&crate::emit::xml_escape(s));
                self.text.push_str("</code>");
            }
            Format::Markdown => super::md_code_into(&mut self.text, s),
        }
        self
    }

    /// One table row without a line ending: `| a | b |` or `<tr><td>a</td><td>b</td></tr>`.
    pub fn row(&mut self, cells: &[Cell]) -> &mut Out {
        let html = self.format == Format::Html;
        if html {
            self.fixed("<tr>");
        }
        for (i, cell) in cells.iter().enumerate() {
            self.fixed(match (html, cell) {
                (true, Cell::Hash(_)) => "<td class=\"hash\">",
                (true, _) => "<td>",
                (false, _) if i == 0 => "| ",
                (false, _) => " | ",
            });
            match *cell {
                Cell::Text(s) => self.text(s),
                Cell::Code(s) | Cell::Hash(s) => self.code(s),
                Cell::CodeOrEmpty("") => self,
                Cell::CodeOrEmpty(s) => self.code(s),
            };
            if html {
                self.fixed("</td>");
            }
        }
        self.fixed(if html { "</tr>" } else { " |" })
    }

    /// A catalog source URL: an HTML anchor or a Markdown autolink. Autolinks take no
    /// escapes, so anything but a plain https URL is shown as code instead.
    pub fn link(&mut self, url: &str) -> &mut Out {
        // ASCII (every catalog URL) is checked byte by byte, without decoding each one.
        let plain = url.starts_with("https://")
            && !if url.is_ascii() {
                url.bytes().any(refused_ascii)
            } else {
                url.chars().any(refused)
            };
        match (self.format, plain) {
            (Format::Html, true) => {
                let e = crate::emit::xml_escape(url);
                self.text.push_str("<a href=\"");
                self.text.push_str(&e);
                self.text.push_str("\">");
                self.text.push_str(&e);
                self.text.push_str("</a>");
            }
            (Format::Markdown, true) => {
                self.text.push('<');
                self.text.push_str(url);
                self.text.push('>');
            }
            (_, false) => {
                self.code(url);
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{Format, Out};

    fn link(format: Format, url: &str) -> String {
        let mut out = Out::new(format, 0);
        out.link(url);
        out.finish()
    }

    /// What the `link` filter of the former docs templates printed: an autolink or anchor
    /// for a plain https URL, code for anything else (no catalog URL takes that branch).
    #[test]
    fn links_are_anchors_only_for_plain_https_urls() {
        let plain = "https://a.example/x?y=1&z=2";
        assert_eq!(link(Format::Markdown, plain), format!("<{plain}>"));
        assert_eq!(
            link(Format::Html, plain),
            "<a href=\"https://a.example/x?y=1&amp;z=2\">https://a.example/x?y=1&amp;z=2</a>"
        );
        for url in [
            "http://a.example/",
            "https://a example/",
            "https://a.example/`x",
            "https://a.example/<x>",
            "https://a.example/\u{a0}x",
            "https://a.example/\u{85}x",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                link(Format::Markdown, url),
                super::super::md_code(url),
                "{url}"
            );
            assert_eq!(
                link(Format::Html, url),
                format!("<code>{}</code>", quick_xml::escape::escape(url)),
                "{url}"
            );
        }
    }

    #[test]
    fn ascii_check_refuses_what_the_char_check_refuses() {
        for b in 0..=0x7fu8 {
            assert_eq!(
                super::refused_ascii(b),
                super::refused(b as char),
                "{b:#04x}"
            );
        }
    }
}
