//! A small element tree over `quick-xml`, enough for Salesforce metadata files: elements,
//! their text, the root's default namespace. It refuses what is not well-formed XML
//! (unclosed or mismatched tags, text or a second element outside the root, unknown
//! entities), so a broken kit file is caught here and not by `sf project deploy`.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// One element: its name, its `xmlns` (if it declares one), its child elements in order and
/// its text (entities resolved, surrounding whitespace trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub namespace: Option<String>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// Parses `text` into its root element; `Err` says what is wrong and where (byte offset).
pub fn parse(text: &str) -> Result<Element, String> {
    // No `trim_text`: it would trim each piece around an entity (`a &amp; b` → `a&b`); the
    // whole text is trimmed once when its element closes.
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("not well-formed XML at byte {at}: {e}"))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(format!("a second root element at byte {at}"));
                }
                stack.push(open(&start)?);
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(format!("a second root element at byte {at}"));
                }
                let element = open(&start)?;
                close(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                // quick-xml checks that the end tag matches the open one (check_end_names).
                let element = stack
                    .pop()
                    .ok_or_else(|| format!("an end tag without a start at byte {at}"))?;
                close(&mut stack, &mut root, element);
            }
            Event::Text(t) => append(&mut stack, &t.xml10_content(), at)?,
            Event::CData(c) => append(&mut stack, &c.xml10_content(), at)?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => match &*r.xml10_content() {
                        "amp" => "&".to_owned(),
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "quot" => "\"".to_owned(),
                        "apos" => "'".to_owned(),
                        other => return Err(format!("unknown entity &{other}; at byte {at}")),
                    },
                    Err(e) => return Err(format!("bad character reference at byte {at}: {e}")),
                };
                append(&mut stack, &resolved, at)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{}> is never closed", open.name));
    }
    root.ok_or_else(|| "no root element".to_owned())
}

fn open(start: &BytesStart<'_>) -> Result<Element, String> {
    let name = start.name();
    let mut element = Element {
        name: name.as_ref().to_owned(),
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute on <{}>: {e}", element.name))?;
        if attr.key.as_ref() == "xmlns" {
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| format!("bad xmlns on <{}>: {e}", element.name))?;
            element.namespace = Some(value.into_owned());
        }
    }
    Ok(element)
}

/// Adds a finished element to its parent, or makes it the root.
fn close(stack: &mut [Element], root: &mut Option<Element>, mut element: Element) {
    let trimmed = element.text.trim();
    if trimmed.len() != element.text.len() {
        element.text = trimmed.to_owned();
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn append(stack: &mut [Element], text: &str, at: u64) -> Result<(), String> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(format!("text outside the root element at byte {at}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_text_entities_and_the_namespace() {
        let root = parse(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <!-- a comment -->
    <label>Calls &amp; notes &#x41;</label>
    <empty/>
</CustomField>"#,
        )
        .expect("well-formed");
        assert_eq!(root.name, "CustomField");
        assert_eq!(
            root.namespace.as_deref(),
            Some("http://soap.sforce.com/2006/04/metadata")
        );
        assert_eq!(
            root.child_text("label"),
            Some("Calls & notes A"),
            "entities resolved, the text kept whole"
        );
        assert!(root.child("empty").is_some(), "an empty element is a child");
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for (bad, why) in [
            ("<a><b></a>", "mismatched end tag"),
            ("<a><b>", "unclosed"),
            ("<a/><b/>", "two roots"),
            ("<a>&nbsp;</a>", "an entity XML does not define"),
            ("", "no root"),
            ("text<a/>", "text outside the root"),
        ] {
            assert!(parse(bad).is_err(), "{why} is refused: {bad:?}");
        }
    }
}
