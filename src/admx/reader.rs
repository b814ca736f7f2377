//! A reader for ADMX and ADML files (quick-xml), lenient enough for vendor templates:
//! it matches elements by local name, so Chrome's files (no namespace), Edge's
//! (`http://www.microsoft.com/GroupPolicy/PolicyDefinitions`) and Windows' (the schema
//! namespace) all read; it skips elements it does not model (annotations, `seeAlso`,
//! `keywords`, supportedOn `products`); and it decodes UTF-8 (with or without BOM) and
//! UTF-16LE/BE with BOM, the encodings Windows and vendor templates ship in.

use crate::reg::{Hive, RegData};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

fn err(m: impl Into<String>) -> ReadError {
    ReadError(m.into())
}

/// Bytes to text by BOM: UTF-16LE, UTF-16BE, UTF-8 (BOM optional).
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let utf16 = |rest: &[u8], le: bool| {
        if rest.len() % 2 != 0 {
            return Err(err("odd number of bytes in a UTF-16 file"));
        }
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| err("invalid UTF-16"))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| err("not UTF-8 and no UTF-16 BOM"))
}

/// [`decode`] borrowing: UTF-8 text (the usual case) is checked, not copied.
pub fn decode_slice(bytes: &[u8]) -> Result<Cow<'_, str>, ReadError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return decode(bytes).map(Cow::Owned);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|_| err("not UTF-8 and no UTF-16 BOM"))
}

/// A fixed registry value (`enabledValue`, list items, enum items...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Decimal(u32),
    LongDecimal(u64),
    String(String),
    Delete,
}

impl Value {
    /// The value as text (a number in decimal, a string as it is); `None` for `<delete/>`.
    /// What an enum item is named by in a spec, and what an Intune payload sends for it.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Decimal(d) => Some(d.to_string()),
            Value::LongDecimal(q) => Some(q.to_string()),
            Value::String(s) => Some(s.clone()),
            Value::Delete => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub key: Option<String>,
    pub value_name: String,
    pub value: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueList {
    pub default_key: Option<String>,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumItem {
    pub display_name: String,
    pub value: Option<Value>,
    /// More values the item writes when chosen (`<valueList>`).
    pub value_list: Option<ValueList>,
}

/// A policy element (`boolean`, `decimal`, `text`, `enum`, `list`, `multiText`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The element's local name.
    pub kind: String,
    pub id: String,
    /// Every attribute as written (unescaped), e.g. `key`, `valueName`, `additive`.
    pub attrs: BTreeMap<String, String>,
    pub enum_items: Vec<EnumItem>,
    /// `boolean` only: `<trueValue>`/`<falseValue>` and `<trueList>`/`<falseList>`.
    pub true_value: Option<Value>,
    pub false_value: Option<Value>,
    pub true_list: Option<ValueList>,
    pub false_list: Option<ValueList>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
    pub fn flag(&self, name: &str) -> bool {
        self.attr(name).is_some_and(|v| v == "true" || v == "1")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub class: String,
    pub display_name: String,
    pub explain_text: Option<String>,
    pub presentation: Option<String>,
    pub key: String,
    pub value_name: Option<String>,
    pub parent_category: Option<String>,
    pub supported_on: Option<String>,
    pub enabled_value: Option<Value>,
    pub disabled_value: Option<Value>,
    pub enabled_list: Option<ValueList>,
    pub disabled_list: Option<ValueList>,
    pub elements: Vec<Element>,
    /// `clientExtension`: a Group Policy client-side extension GUID that must process
    /// the policy besides the registry extension.
    pub client_extension: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Category {
    pub name: String,
    pub display_name: String,
    pub explain_text: Option<String>,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Namespace {
    pub prefix: String,
    pub namespace: String,
}

/// A `supportedOn` definition, or a product / major / minor version (all referenceable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportedOn {
    pub name: String,
    pub display_name: String,
    /// `ref`s of `reference`/`range` children of a definition's `and`/`or`.
    pub refs: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admx {
    /// The root element's default namespace (`xmlns`), if any.
    pub xmlns: Option<String>,
    pub revision: String,
    pub schema_version: String,
    pub target: Namespace,
    pub using: Vec<Namespace>,
    pub min_required_revision: Option<String>,
    pub fallback_culture: Option<String>,
    pub supported_on: Vec<SupportedOn>,
    pub categories: Vec<Category>,
    pub policies: Vec<Policy>,
}

/// One control of an ADML presentation (`textBox`, `listBox`, `text`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Control {
    pub kind: String,
    pub ref_id: Option<String>,
    /// Text content, or the `label` of a textBox/comboBox.
    pub label: String,
    /// `defaultValue` child (textBox) or attribute (decimalTextBox...).
    pub default_value: Option<String>,
    /// checkBox `defaultChecked`.
    pub default_checked: bool,
    /// dropdownList `defaultItem`: the 0-based index of the enum item shown first.
    pub default_item: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presentation {
    pub id: String,
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adml {
    pub xmlns: Option<String>,
    pub revision: String,
    pub schema_version: String,
    pub display_name: String,
    pub description: String,
    /// Strings in file order (duplicates kept, so a check can find them).
    pub strings: Vec<(String, String)>,
    pub presentations: Vec<Presentation>,
}

impl Adml {
    pub fn string(&self, id: &str) -> Option<&str> {
        self.strings
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, s)| s.as_str())
    }
    pub fn presentation(&self, id: &str) -> Option<&Presentation> {
        self.presentations.iter().find(|p| p.id == id)
    }
}

/// A parsed element tree in one flat arena (nodes in document order, linked by index),
/// borrowing names, attribute values and text from the document where no unescaping
/// changed them: small templates make a DOM simpler than a streaming walk, and one
/// arena per file keeps it to a few allocations.
struct Tree<'a> {
    nodes: Vec<NodeData<'a>>,
    /// Every attribute of every element, (key, value); a node holds a range of it.
    attrs: Vec<(&'a str, Cow<'a, str>)>,
    /// Text pieces after a node's first (text split by entities, comments or child
    /// elements): (piece, next piece of the same node). Joined only when read, so the
    /// whitespace between thousands of children is never copied.
    pieces: Vec<(Piece<'a>, Option<usize>)>,
}

/// A piece of text: `Raw` text as written between markup, its line ends normalized only
/// when read (most text is whitespace between elements that nothing reads); `Done` text
/// from CDATA or a reference.
enum Piece<'a> {
    Raw(Cow<'a, str>),
    Done(Cow<'a, str>),
}

impl Piece<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Piece::Raw(s) | Piece::Done(s) => s.is_empty(),
        }
    }
    /// The text with XML 1.0 line-end normalization, as quick-xml's `xml10_content`.
    fn get(&self) -> Cow<'_, str> {
        match self {
            Piece::Raw(s) => quick_xml::events::BytesText::from_escaped(&**s).xml10_content(),
            Piece::Done(s) => Cow::Borrowed(s),
        }
    }
}

struct NodeData<'a> {
    name: &'a str,
    attrs: std::ops::Range<usize>,
    /// The first piece of text; `more` the first and last of the others in `pieces`.
    text: Piece<'a>,
    more: Option<(usize, usize)>,
    /// Index of the first and last child, and of the next sibling; 0 is none (the root,
    /// node 0, is no one's child or sibling).
    first_child: usize,
    last_child: usize,
    next: usize,
}

#[derive(Clone, Copy)]
struct Node<'t, 'a> {
    tree: &'t Tree<'a>,
    i: usize,
}

impl<'t, 'a> Node<'t, 'a> {
    fn data(&self) -> &'t NodeData<'a> {
        &self.tree.nodes[self.i]
    }
    fn name(&self) -> &'t str {
        self.data().name
    }
    /// All the text directly inside the element, joined.
    fn text(&self) -> Cow<'t, str> {
        let d = self.data();
        let Some((first, _)) = d.more else {
            return d.text.get();
        };
        let mut out = d.text.get().into_owned();
        let mut next = Some(first);
        while let Some(i) = next {
            out.push_str(&self.tree.pieces[i].0.get());
            next = self.tree.pieces[i].1;
        }
        Cow::Owned(out)
    }
    fn attr_list(&self) -> &'t [(&'a str, Cow<'a, str>)] {
        &self.tree.attrs[self.data().attrs.clone()]
    }
    /// The attribute's value; of two attributes with one local name, the last.
    fn attr(&self, n: &str) -> Option<&'t str> {
        self.attr_list()
            .iter()
            .rev()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| &**v)
    }
    fn attr_map(&self) -> BTreeMap<String, String> {
        self.attr_list()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
    fn req(&self, n: &str) -> Result<String, ReadError> {
        self.attr(n)
            .map(str::to_string)
            .ok_or_else(|| err(format!("<{}> has no `{n}` attribute", self.name())))
    }
    fn children(self) -> impl Iterator<Item = Node<'t, 'a>> {
        let tree = self.tree;
        std::iter::successors(
            Some(self.data().first_child).filter(|i| *i != 0),
            move |i| Some(tree.nodes[*i].next).filter(|i| *i != 0),
        )
        .map(move |i| Node { tree, i })
    }
    fn first_child(self) -> Option<Node<'t, 'a>> {
        self.children().next()
    }
    fn child(self, n: &str) -> Option<Node<'t, 'a>> {
        self.children().find(|c| c.name() == n)
    }
    fn all<'n>(self, n: &'n str) -> impl Iterator<Item = Node<'t, 'a>> + 'n
    where
        't: 'n,
        'a: 'n,
    {
        self.children().filter(move |c| c.name() == n)
    }
}

/// `s` as a slice of `text` when it lies within it (quick-xml hands out slices of the
/// document for borrowed input), else an owned copy.
fn lend<'a>(text: &'a str, s: &str) -> Cow<'a, str> {
    let start = (s.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    match text.get(start..start.wrapping_add(s.len())) {
        Some(t) if t.as_ptr() == s.as_ptr() => Cow::Borrowed(t),
        _ => Cow::Owned(s.to_string()),
    }
}

fn lend_str<'a>(text: &'a str, s: &str) -> &'a str {
    match lend(text, s) {
        Cow::Borrowed(t) => t,
        // Names are slices of the document; were one not, an equal slice of it serves.
        Cow::Owned(_) => text.find(s).map_or("", |i| &text[i..i + s.len()]),
    }
}

fn local(s: &str) -> &str {
    // Names are short: a byte loop beats a searcher here.
    match s.bytes().rposition(|b| b == b':') {
        Some(i) => &s[i + 1..],
        None => s,
    }
}

fn start_node<'a>(
    text: &'a str,
    e: &BytesStart,
    attrs: &mut Vec<(&'a str, Cow<'a, str>)>,
) -> Result<NodeData<'a>, ReadError> {
    let from = attrs.len();
    for a in e.attributes() {
        let a = a.map_err(|e| err(format!("bad attribute: {e}")))?;
        let raw_key = lend_str(text, a.key.as_ref());
        // Keep `xmlns` and `xmlns:x` whole; other prefixed attributes by local name.
        let key = if raw_key == "xmlns" || raw_key.starts_with("xmlns:") {
            raw_key
        } else {
            local(raw_key)
        };
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| err(format!("bad attribute value: {e}")))?;
        let value = match value {
            Cow::Borrowed(v) => lend(text, v),
            Cow::Owned(v) => Cow::Owned(v),
        };
        attrs.push((key, value));
    }
    Ok(NodeData {
        name: local(lend_str(text, e.name().as_ref())),
        attrs: from..attrs.len(),
        text: Piece::Done(Cow::Borrowed("")),
        more: None,
        first_child: 0,
        last_child: 0,
        next: 0,
    })
}

fn push_text<'a>(tree: &mut Tree<'a>, n: usize, s: Piece<'a>) {
    let node = &mut tree.nodes[n];
    if node.text.is_empty() && node.more.is_none() {
        node.text = s;
        return;
    }
    let i = tree.pieces.len();
    tree.pieces.push((s, None));
    match node.more {
        None => node.more = Some((i, i)),
        Some((first, last)) => {
            tree.pieces[last].1 = Some(i);
            node.more = Some((first, i));
        }
    }
}

/// Appends a node under the open element (or as the root); returns its index.
fn add<'a>(
    tree: &mut Tree<'a>,
    stack: &[usize],
    has_root: &mut bool,
    n: NodeData<'a>,
) -> Result<usize, ReadError> {
    let i = tree.nodes.len();
    match stack.last() {
        Some(&p) => {
            let last = tree.nodes[p].last_child;
            if last == 0 {
                tree.nodes[p].first_child = i;
            } else {
                tree.nodes[last].next = i;
            }
            tree.nodes[p].last_child = i;
        }
        None if !*has_root => *has_root = true,
        None => return Err(err("more than one root element")),
    }
    tree.nodes.push(n);
    Ok(i)
}

fn parse_tree(text: &str) -> Result<Tree<'_>, ReadError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut tree = Tree {
        nodes: Vec::with_capacity(text.len() / 64),
        attrs: Vec::with_capacity(text.len() / 48),
        pieces: Vec::new(),
    };
    // Open elements, by index.
    let mut stack: Vec<usize> = Vec::new();
    let mut has_root = false;
    let pos = |r: &Reader<&[u8]>| r.buffer_position();
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| err(format!("XML error at byte {}: {e}", pos(&reader))))?;
        match ev {
            Event::Start(e) => {
                let n = start_node(text, &e, &mut tree.attrs)?;
                let i = add(&mut tree, &stack, &mut has_root, n)?;
                stack.push(i);
            }
            Event::Empty(e) => {
                let n = start_node(text, &e, &mut tree.attrs)?;
                add(&mut tree, &stack, &mut has_root, n)?;
            }
            Event::End(_) => {
                stack.pop().ok_or_else(|| err("unbalanced end tag"))?;
            }
            Event::Text(t) => {
                if let Some(&n) = stack.last() {
                    push_text(&mut tree, n, Piece::Raw(t.into_inner()));
                }
            }
            Event::CData(t) => {
                if let Some(&n) = stack.last() {
                    push_text(&mut tree, n, Piece::Done(t.xml10_content()));
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| err(format!("bad character reference: {e}")))?
                } else {
                    match r.xml10_content().as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        other => return Err(err(format!("unknown entity `&{other};`"))),
                    }
                };
                if let (Some(&n), Some(c)) = (stack.last(), c) {
                    push_text(&mut tree, n, Piece::Done(Cow::Owned(c.to_string())));
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(err("unexpected end of file inside an element"));
    }
    if !has_root {
        return Err(err("no root element"));
    }
    Ok(tree)
}

impl<'a> Tree<'a> {
    fn root(&self) -> Node<'_, 'a> {
        Node { tree: self, i: 0 }
    }
}

fn value(n: Node<'_, '_>) -> Result<Value, ReadError> {
    let c = n
        .first_child()
        .ok_or_else(|| err(format!("<{}> holds no value", n.name())))?;
    Ok(match c.name() {
        "decimal" => Value::Decimal(
            c.req("value")?
                .parse()
                .map_err(|_| err("<decimal value> is not an unsigned 32-bit number"))?,
        ),
        "longDecimal" => Value::LongDecimal(
            c.req("value")?
                .parse()
                .map_err(|_| err("<longDecimal value> is not an unsigned 64-bit number"))?,
        ),
        "string" => Value::String(c.text().into_owned()),
        "delete" => Value::Delete,
        other => return Err(err(format!("unknown value element <{other}>"))),
    })
}

fn value_list(n: Node<'_, '_>) -> Result<ValueList, ReadError> {
    let mut items = Vec::new();
    for i in n.all("item") {
        let v = i
            .child("value")
            .ok_or_else(|| err("list <item> has no <value>"))?;
        items.push(ListItem {
            key: i.attr("key").map(str::to_string),
            value_name: i.req("valueName")?,
            value: value(v)?,
        });
    }
    Ok(ValueList {
        default_key: n.attr("defaultKey").map(str::to_string),
        items,
    })
}

fn policy(n: Node<'_, '_>) -> Result<Policy, ReadError> {
    let mut p = Policy {
        name: n.req("name")?,
        class: n.req("class")?,
        display_name: n.req("displayName")?,
        explain_text: n.attr("explainText").map(str::to_string),
        presentation: n.attr("presentation").map(str::to_string),
        key: n.req("key")?,
        value_name: n.attr("valueName").map(str::to_string),
        client_extension: n.attr("clientExtension").map(str::to_string),
        ..Policy::default()
    };
    for c in n.children() {
        match c.name() {
            "parentCategory" => p.parent_category = Some(c.req("ref")?),
            "supportedOn" => p.supported_on = Some(c.req("ref")?),
            "enabledValue" => p.enabled_value = Some(value(c)?),
            "disabledValue" => p.disabled_value = Some(value(c)?),
            "enabledList" => p.enabled_list = Some(value_list(c)?),
            "disabledList" => p.disabled_list = Some(value_list(c)?),
            "elements" => {
                for e in c.children() {
                    let mut enum_items = Vec::new();
                    for i in e.all("item") {
                        enum_items.push(EnumItem {
                            display_name: i.req("displayName")?,
                            value: i.child("value").map(value).transpose()?,
                            value_list: i.child("valueList").map(value_list).transpose()?,
                        });
                    }
                    p.elements.push(Element {
                        kind: e.name().to_string(),
                        id: e.req("id")?,
                        attrs: e.attr_map(),
                        enum_items,
                        true_value: e.child("trueValue").map(value).transpose()?,
                        false_value: e.child("falseValue").map(value).transpose()?,
                        true_list: e.child("trueList").map(value_list).transpose()?,
                        false_list: e.child("falseList").map(value_list).transpose()?,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(p)
}

/// Parses ADMX text (already decoded; see [`decode`]).
pub fn read_admx(text: &str) -> Result<Admx, ReadError> {
    let tree = parse_tree(text)?;
    let root = tree.root();
    if root.name() != "policyDefinitions" {
        return Err(err(format!(
            "root element is <{}>, not <policyDefinitions>",
            root.name()
        )));
    }
    let mut a = Admx {
        xmlns: root.attr("xmlns").map(str::to_string),
        revision: root.attr("revision").unwrap_or_default().to_string(),
        schema_version: root.attr("schemaVersion").unwrap_or_default().to_string(),
        ..Admx::default()
    };
    for c in root.children() {
        match c.name() {
            "policyNamespaces" => {
                for n in c.children() {
                    let ns = Namespace {
                        prefix: n.req("prefix")?,
                        namespace: n.req("namespace")?,
                    };
                    match n.name() {
                        "target" => a.target = ns,
                        "using" => a.using.push(ns),
                        _ => {}
                    }
                }
            }
            "resources" => {
                a.min_required_revision = c.attr("minRequiredRevision").map(str::to_string);
                a.fallback_culture = c.attr("fallbackCulture").map(str::to_string);
            }
            "supportedOn" => {
                for d in c.all("definitions").flat_map(|d| d.all("definition")) {
                    let refs = d
                        .children()
                        .flat_map(|cond| cond.children())
                        .filter_map(|r| r.attr("ref").map(str::to_string))
                        .collect();
                    a.supported_on.push(SupportedOn {
                        name: d.req("name")?,
                        display_name: d.req("displayName")?,
                        refs,
                    });
                }
                // Products and their versions can be referenced too (e.g. Office's files).
                for p in c.all("products").flat_map(|p| p.all("product")) {
                    let mut stack = vec![p];
                    while let Some(n) = stack.pop() {
                        a.supported_on.push(SupportedOn {
                            name: n.req("name")?,
                            display_name: n.req("displayName")?,
                            refs: Vec::new(),
                        });
                        stack.extend(n.all("majorVersion").chain(n.all("minorVersion")));
                    }
                }
            }
            "categories" => {
                for n in c.all("category") {
                    a.categories.push(Category {
                        name: n.req("name")?,
                        display_name: n.req("displayName")?,
                        explain_text: n.attr("explainText").map(str::to_string),
                        parent: n
                            .child("parentCategory")
                            .map(|p| p.req("ref"))
                            .transpose()?,
                    });
                }
            }
            "policies" => {
                for n in c.all("policy") {
                    a.policies.push(policy(n)?);
                }
            }
            _ => {}
        }
    }
    Ok(a)
}

/// Parses ADML text (already decoded; see [`decode`]).
pub fn read_adml(text: &str) -> Result<Adml, ReadError> {
    let tree = parse_tree(text)?;
    let root = tree.root();
    if root.name() != "policyDefinitionResources" {
        return Err(err(format!(
            "root element is <{}>, not <policyDefinitionResources>",
            root.name()
        )));
    }
    let mut a = Adml {
        xmlns: root.attr("xmlns").map(str::to_string),
        revision: root.attr("revision").unwrap_or_default().to_string(),
        schema_version: root.attr("schemaVersion").unwrap_or_default().to_string(),
        display_name: root
            .child("displayName")
            .map(|n| n.text().into_owned())
            .unwrap_or_default(),
        description: root
            .child("description")
            .map(|n| n.text().into_owned())
            .unwrap_or_default(),
        ..Adml::default()
    };
    if let Some(res) = root.child("resources") {
        for s in res.all("stringTable").flat_map(|t| t.all("string")) {
            a.strings.push((s.req("id")?, s.text().into_owned()));
        }
        for p in res
            .all("presentationTable")
            .flat_map(|t| t.all("presentation"))
        {
            let mut controls = Vec::new();
            for c in p.children() {
                let label = c
                    .child("label")
                    .map(|l| l.text().into_owned())
                    .unwrap_or_else(|| c.text().into_owned());
                let default_value = c
                    .child("defaultValue")
                    .map(|d| d.text().into_owned())
                    .or_else(|| c.attr("defaultValue").map(str::to_string));
                controls.push(Control {
                    kind: c.name().to_string(),
                    ref_id: c.attr("refId").map(str::to_string),
                    label,
                    default_value,
                    default_checked: c
                        .attr("defaultChecked")
                        .is_some_and(|v| v == "true" || v == "1"),
                    default_item: c.attr("defaultItem").and_then(|v| v.parse().ok()),
                });
            }
            a.presentations.push(Presentation {
                id: p.req("id")?,
                controls,
            });
        }
    }
    Ok(a)
}

/// One registry write a policy makes when it is enabled.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Write {
    /// A `list` element with `additive="false"` removes the key's values before writing.
    ClearKey { hive: Hive, key: String },
    Set {
        hive: Hive,
        key: String,
        name: String,
        data: RegData,
    },
    Delete {
        hive: Hive,
        key: String,
        name: String,
    },
}

/// What the admin (or an Intune `<data id>` payload, or a GPO's Registry.pol) supplies
/// for a policy's elements, by element id.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `list` entries: (value name, value) for `explicitValue` lists, else (_, value).
    pub lists: BTreeMap<String, Vec<(String, String)>>,
    /// `text`/`decimal` element input; when absent the ADML presentation's default is used.
    pub texts: BTreeMap<String, String>,
}

impl Policy {
    pub fn hive(&self) -> Result<Hive, ReadError> {
        match self.class.as_str() {
            "Machine" => Ok(Hive::Hklm),
            "User" => Ok(Hive::Hkcu),
            c => Err(err(format!(
                "policy {}: class `{c}` is not one hive (Both writes either)",
                self.name
            ))),
        }
    }

    /// The registry writes of the Enabled state, per the ADMX element semantics
    /// (Group Policy ADMX syntax reference, summarised in the project's research notes,
    /// domain-facts 10.2): `enabledValue` at `key`/`valueName`, every `enabledList`
    /// item, then the elements with their inputs. A `list` without `additive="true"`
    /// clears its key's values first. Text and decimal elements without input take the
    /// default value of the ADML presentation control that refers to them.
    /// Unconfirmed (policyc's own files always give `enabledValue`): a policy naming a
    /// value without `enabledValue` is read as writing DWORD 1.
    pub fn enabled_writes(
        &self,
        adml: Option<&Adml>,
        inputs: &Inputs,
    ) -> Result<Vec<Write>, ReadError> {
        self.enabled_writes_in(self.hive()?, adml, inputs)
    }

    /// The registry writes of the Disabled state in `hive` (for class `Both`, the hive
    /// the GPO side chooses); see [`super::state`] for what the engine writes.
    pub fn disabled_writes_in(&self, hive: Hive) -> Result<Vec<Write>, ReadError> {
        self.writes(hive, &super::state::PolicyState::Disabled)
    }

    /// [`Policy::enabled_writes`] in `hive`, for class `Both` policies (the GPO side
    /// chooses the hive: Computer or User Configuration). `inputs` are read by each
    /// element's kind (`list`, `text`, `decimal`, `longDecimal`); an element without input
    /// takes its ADML presentation default, as the editor shows it.
    pub fn enabled_writes_in(
        &self,
        hive: Hive,
        adml: Option<&Adml>,
        inputs: &Inputs,
    ) -> Result<Vec<Write>, ReadError> {
        use super::state::{ElementValue, PolicyState};
        let mut values = self.presentation_defaults(adml);
        for e in &self.elements {
            let v =
                match e.kind.as_str() {
                    "list" => Some(ElementValue::List(
                        inputs.lists.get(&e.id).cloned().unwrap_or_default(),
                    )),
                    "text" => inputs.texts.get(&e.id).cloned().map(ElementValue::Text),
                    "decimal" | "longDecimal" => match inputs.texts.get(&e.id) {
                        Some(t) => Some(ElementValue::Number(t.parse().map_err(|_| {
                            err(format!("element {}: `{t}` is not a number", e.id))
                        })?)),
                        None => None,
                    },
                    "boolean" | "enum" | "multiText" => None,
                    other => {
                        return Err(err(format!(
                            "policy {}: element <{other}> is not an ADMX element kind",
                            self.name
                        )))
                    }
                };
            if let Some(v) = v {
                values.insert(e.id.clone(), v);
            }
        }
        self.writes(hive, &PolicyState::Enabled(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMX: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<policyDefinitions revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <policyNamespaces><target prefix="t" namespace="T.N"/><using prefix="windows" namespace="Microsoft.Policies.Windows"/></policyNamespaces>
  <resources minRequiredRevision="1.0"/>
  <categories><category name="C" displayName="$(string.C)"><parentCategory ref="windows:WindowsComponents"/></category></categories>
  <policies>
    <policy name="P" class="Machine" displayName="$(string.P)" key="Software\Policies\A &amp; B" valueName="V">
      <parentCategory ref="C"/><supportedOn ref="windows:SUPPORTED_Windows7"/>
      <enabledValue><string>x &lt;&amp;&gt; &#x263A; ]]&gt;</string></enabledValue>
      <elements><list id="L" key="Software\Policies\A\L" valuePrefix=""/></elements>
    </policy>
  </policies>
</policyDefinitions>"#;

    #[test]
    fn reads_and_unescapes() {
        let a = read_admx(ADMX).unwrap();
        assert_eq!(a.target.namespace, "T.N");
        assert_eq!(a.using[0].prefix, "windows");
        let p = &a.policies[0];
        assert_eq!(p.key, "Software\\Policies\\A & B");
        assert_eq!(
            p.enabled_value,
            Some(Value::String("x <&> \u{263A} ]]>".into()))
        );
        let mut inputs = Inputs::default();
        inputs.lists.insert(
            "L".into(),
            vec![(String::new(), "a".into()), (String::new(), "b".into())],
        );
        let w = p.enabled_writes(None, &inputs).unwrap();
        assert_eq!(w.len(), 4, "{w:?}");
        // The list's clearing is recorded first (admx::state).
        assert!(matches!(&w[0], Write::ClearKey { key, .. } if key == "Software\\Policies\\A\\L"));
        assert!(
            matches!(&w[3], Write::Set { name, data: RegData::Sz(s), .. } if name == "2" && s == "b")
        );
    }

    #[test]
    fn class_limits_the_hive_and_disabled_writes_the_disabled_value() {
        let a = read_admx(ADMX).unwrap();
        let p = &a.policies[0];
        assert!(p
            .enabled_writes_in(Hive::Hkcu, None, &Inputs::default())
            .is_err());
        // With elements, the Disabled state clears the list's key.
        assert!(matches!(&p.disabled_writes_in(Hive::Hklm).unwrap()[..],
            [Write::ClearKey { .. }, Write::Delete { name, .. }] if name == "V"));
        let mut q = p.clone();
        q.elements.clear();
        q.class = "Both".into();
        q.disabled_value = Some(Value::Decimal(0));
        let w = q.disabled_writes_in(Hive::Hkcu).unwrap();
        assert!(
            matches!(&w[..], [Write::Set { hive: Hive::Hkcu, name, data: RegData::Dword(0), .. }] if name == "V"),
            "{w:?}"
        );
    }

    #[test]
    fn decodes_utf16_and_rejects_malformed() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in ADMX.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let text = decode(&bytes).unwrap();
        assert_eq!(read_admx(&text).unwrap().policies.len(), 1);
        assert!(read_admx("<policyDefinitions><policies></policyDefinitions>").is_err());
        assert!(read_admx("<policyDefinitionResources/>").is_err());
    }
}
