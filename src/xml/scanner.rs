//! The tokenizer: markup and text as slices borrowed from the body.

use super::parse_error;
use crate::error::{sanitize, Error, Result};

/// The most of a parse error's detail kept: room for two names of 100 bytes.
const MAX_QUOTED_BYTES: usize = 300;

/// One piece of markup or text, borrowed from the body.
pub(super) enum Token<'a> {
    /// `<name ...>`, or `<name .../>` when `empty`; `close` is the offset
    /// of its `>`.
    Start { name: &'a str, empty: bool, close: usize },
    /// `</name>`, trailing whitespace trimmed.
    End { name: &'a str },
    /// Character data up to the next `<`; `plain` when it holds no `&`
    /// and no NUL, so it needs no decoding and no further check.
    Text { raw: &'a str, plain: bool },
    /// The content of `<![CDATA[...]]>`.
    CData(&'a str),
}

/// A tokenizer for the XML these answers use: elements, text, entities,
/// CDATA, comments, processing instructions and a DOCTYPE. Attributes are
/// skipped (quoted values may hold `>`); names are what lies between `<`
/// and the first whitespace, `/` excepted at the end, as quick-xml reads
/// them. Every delimiter is ASCII, so every slice of the (validated) input
/// it hands out falls on character boundaries.
///
/// It replaced quick-xml's reader on the hot path: on these small, flat
/// documents quick-xml's general machinery (a search call per delimiter,
/// an owned buffer of open names) was about half the cost of parsing.
/// `reference::walk`, the quick-xml version, is kept as the oracle the
/// differential fuzz target and tests compare this one against.
pub(super) struct Scanner<'a> {
    pub(super) src: &'a str,
    pub(super) pos: usize,
}

impl<'a> Scanner<'a> {
    /// `src[start..end]` without the char-boundary checks of `&src[..]`,
    /// which on these short slices cost a call each: every offset the
    /// scanner slices at is next to an ASCII delimiter, so on a boundary
    /// of the validated input.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        let src: &'a str = self.src;
        assert!(start <= end && end <= src.len());
        debug_assert!(src.is_char_boundary(start) && src.is_char_boundary(end));
        // SAFETY: in bounds (checked above) and on character boundaries
        // (each offset is at or after an ASCII delimiter of valid UTF-8).
        unsafe { src.get_unchecked(start..end) }
    }

    /// An empty slice of the input at `at`, where a text would lie.
    pub(super) fn empty_at(&self, at: usize) -> &'a str {
        self.slice(at, at)
    }

    pub(super) fn new(src: &'a str) -> Self {
        // A UTF-8 byte order mark is allowed before the document.
        let pos = if src.starts_with('\u{FEFF}') { 3 } else { 0 };
        Scanner { src, pos }
    }

    /// `what` may quote names from the body (of any length, holding
    /// anything), so it is escaped and bounded.
    pub(super) fn error(&self, at: usize, what: &str) -> Error {
        parse_error(format!("response body is not well-formed XML near byte {at}: {}", sanitize(what, MAX_QUOTED_BYTES)))
    }

    /// The byte offset of `needle` at or after `from`.
    pub(super) fn find(&self, from: usize, needle: &[u8]) -> Option<usize> {
        memchr::memmem::find(&self.src.as_bytes()[from..], needle).map(|i| from + i)
    }

    pub(super) fn next(&mut self) -> Result<Option<Token<'a>>> {
        let src = self.src;
        let bytes = src.as_bytes();
        let at = self.pos;
        let Some(&first) = bytes.get(at) else { return Ok(None) };
        if first != b'<' {
            // One pass finds the end of the text and whether it needs
            // decoding. Texts here are short (ids, names, dates), where a
            // plain loop beats a vector search's setup.
            let short = &bytes[at..bytes.len().min(at + 48)];
            if let Some(i) = text_length(short) {
                if short[i] == b'<' {
                    self.pos = at + i;
                    return Ok(Some(Token::Text { raw: self.slice(at, at + i), plain: true }));
                }
            }
            let (end, plain) = match memchr::memchr3(b'<', b'&', 0, &bytes[at..]) {
                Some(i) if bytes[at + i] == b'<' => (at + i, true),
                Some(i) => (memchr::memchr(b'<', &bytes[at + i..]).map_or(bytes.len(), |j| at + i + j), false),
                None => (bytes.len(), true),
            };
            self.pos = end;
            return Ok(Some(Token::Text { raw: self.slice(at, end), plain }));
        }
        let inner = at + 1;
        match bytes.get(inner) {
            None => Err(self.error(at, "the body ends with '<'")),
            Some(b'/') => {
                let name_start = inner + 1;
                let name_end = name_start + name_length(&bytes[name_start..]);
                // Usually `</name>`; anything else between the name and '>'
                // becomes part of the name compared with the open one, as
                // quick-xml compares it, so it can only mismatch.
                let (close, name) = match bytes.get(name_end) {
                    // `</name>`: nothing to trim.
                    Some(b'>') => (name_end, self.slice(name_start, name_end)),
                    _ => {
                        let close = self.tag_close(at, name_end, "an end tag")?;
                        (close, src[name_start..close].trim_end_matches([' ', '\t', '\r', '\n']))
                    }
                };
                self.pos = close + 1;
                Ok(Some(Token::End { name }))
            }
            Some(b'?') => {
                let close = self.find(inner + 1, b"?>").ok_or_else(|| self.error(at, "a processing instruction that is never closed"))?;
                self.pos = close + 2;
                self.next()
            }
            Some(b'!') => self.bang(at),
            Some(_) => {
                let name_end = inner + name_length(&bytes[inner..]);
                if bytes.get(name_end) == Some(&b'>') {
                    // `<name>` or `<name/>`, as nearly every tag is: the
                    // name holds no whitespace, or name_length would have
                    // stopped there.
                    self.pos = name_end + 1;
                    let (name, empty) = match bytes[name_end - 1] {
                        b'/' => (self.slice(inner, name_end - 1), true),
                        _ => (self.slice(inner, name_end), false),
                    };
                    if name.is_empty() {
                        return Err(self.error(at, "an element with no name"));
                    }
                    return Ok(Some(Token::Start { name, empty, close: name_end }));
                }
                let close = self.tag_close(at, name_end, "a start tag")?;
                self.pos = close + 1;
                let content = &src[inner..close];
                let (content, empty) = match content.strip_suffix('/') {
                    Some(content) => (content, true),
                    None => (content, false),
                };
                // The name runs to the first whitespace (a quote does not end
                // it, as in quick-xml, which then reads it as opening a value).
                let name = match content.bytes().position(is_xml_space) {
                    Some(space) => &content[..space],
                    None => content,
                };
                if name.is_empty() {
                    return Err(self.error(at, "an element with no name"));
                }
                Ok(Some(Token::Start { name, empty, close }))
            }
        }
    }

    /// After the start tag of `name`: when plain text (no `&`, no NUL, no
    /// markup) and then exactly `</name>` follow, that text, with the
    /// scanner past the end tag; else `None` and the scanner unmoved. The
    /// same tokens, read in one step.
    pub(super) fn plain_leaf(&mut self, name: &str) -> Option<&'a str> {
        let bytes = self.src.as_bytes();
        let at = self.pos;
        let rest = &bytes[at..];
        let len = memchr::memchr3(b'<', b'&', 0, rest)?;
        let end_tag = &rest[len..];
        let name = name.as_bytes();
        // Compared byte by byte: names are short, and a call to memcmp
        // costs more than the loop.
        if end_tag.len() < name.len() + 3
            || end_tag[0] != b'<'
            || end_tag[1] != b'/'
            || end_tag[name.len() + 2] != b'>'
            || !end_tag[2..name.len() + 2].iter().zip(name).all(|(a, b)| a == b)
        {
            return None;
        }
        self.pos = at + len + name.len() + 3;
        Some(self.slice(at, at + len))
    }

    /// The offset of the '>' that closes the tag opened at `at`: the first
    /// one from `from` on that is outside a quoted attribute value.
    pub(super) fn tag_close(&self, at: usize, from: usize, what: &str) -> Result<usize> {
        let bytes = self.src.as_bytes();
        let mut i = from;
        loop {
            match bytes.get(i) {
                None => return Err(self.error(at, &format!("{what} that is never closed"))),
                Some(b'>') => return Ok(i),
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = memchr::memchr(quote, &bytes[i + 1..]).ok_or_else(|| self.error(at, &format!("{what} with a quoted value that is never closed")))?;
                    i += end + 2;
                }
                Some(_) => i += 1,
            }
        }
    }

    /// `<!--...-->`, `<![CDATA[...]]>` or `<!DOCTYPE ...>` at `at`.
    pub(super) fn bang(&mut self, at: usize) -> Result<Option<Token<'a>>> {
        let rest = &self.src.as_bytes()[at..];
        if rest.starts_with(b"<!--") {
            let close = self.find(at + 4, b"-->").ok_or_else(|| self.error(at, "a comment that is never closed"))?;
            self.pos = close + 3;
            return self.next();
        }
        if rest.starts_with(b"<![CDATA[") {
            let close = self.find(at + 9, b"]]>").ok_or_else(|| self.error(at, "a CDATA section that is never closed"))?;
            self.pos = close + 3;
            return Ok(Some(Token::CData(&self.src[at + 9..close])));
        }
        if rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"DOCTYPE") {
            // Markup declarations inside it nest '<' and '>'.
            let mut depth = 0usize;
            for (i, &b) in rest.iter().enumerate().skip(9) {
                match b {
                    b'<' => depth += 1,
                    b'>' if depth == 0 => {
                        self.pos = at + i + 1;
                        return self.next();
                    }
                    b'>' => depth -= 1,
                    _ => {}
                }
            }
            return Err(self.error(at, "a DOCTYPE that is never closed"));
        }
        Err(self.error(at, "markup starting '<!' that is not a comment, CDATA or DOCTYPE"))
    }
}

pub(super) fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// A byte that ends a plain name: whitespace, '>' or a quote.
const ENDS_NAME: u8 = 1;
/// A byte that ends plain text: '<', '&' or NUL.
const ENDS_TEXT: u8 = 2;

/// What each byte ends, so that the scanning loops test one table entry
/// per byte instead of comparing it with each delimiter.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if matches!(b, b'>' | b'"' | b'\'' | b' ' | b'\t' | b'\r' | b'\n') {
            table[i] |= ENDS_NAME;
        }
        if matches!(b, b'<' | b'&' | 0) {
            table[i] |= ENDS_TEXT;
        }
        i += 1;
    }
    table
};

/// The length of the plain name `bytes` starts with: up to whitespace,
/// '>' or a quote, after which the tag needs a closer look.
pub(super) fn name_length(bytes: &[u8]) -> usize {
    bytes.iter().position(|&b| BYTE_CLASS[usize::from(b)] & ENDS_NAME != 0).unwrap_or(bytes.len())
}

/// The length of the text `bytes` starts with, up to '<', '&' or NUL.
fn text_length(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| BYTE_CLASS[usize::from(b)] & ENDS_TEXT != 0)
}
