//! The open elements of a walk, whichever reader makes the tokens.

use std::borrow::Cow;

use super::{parse_error, Sink, Tag};
use crate::error::Result;

/// What a walk keeps while tokens stream by, whichever reader makes them:
/// the open elements and the text of the innermost one, fed to the sink.
/// Deeper than any answer of the service nests (about 5), and shallow
/// enough that a hostile body cannot grow the stack of open elements.
pub(super) const MAX_DEPTH: usize = 64;

/// A stack of at most [`MAX_DEPTH`] values, on the stack: a walk
/// allocates nothing for its open elements.
pub(super) struct Depth<T> {
    items: [T; MAX_DEPTH],
    len: usize,
}

impl<T: Copy> Depth<T> {
    pub(super) fn new(fill: T) -> Self {
        Depth { items: [fill; MAX_DEPTH], len: 0 }
    }

    /// Pushes `item`, or says the body nests too deep.
    pub(super) fn push(&mut self, item: T) -> Result<()> {
        if self.len == MAX_DEPTH {
            return Err(parse_error(format!("response body nests elements more than {MAX_DEPTH} deep: refused")));
        }
        self.items[self.len] = item;
        self.len += 1;
        Ok(())
    }

    pub(super) fn pop(&mut self) -> Option<T> {
        self.len = self.len.checked_sub(1)?;
        Some(self.items[self.len])
    }

    pub(super) fn as_slice(&self) -> &[T] {
        &self.items[..self.len]
    }
}

pub(super) struct Tree<'a, 's, S> {
    pub(super) sink: &'s mut S,
    pub(super) stack: Depth<Tag>,
    /// Text of the innermost open element, kept only while it has no child.
    pub(super) leaf_text: Option<Cow<'a, str>>,
}

impl<'a, 's, S: Sink<'a>> Tree<'a, 's, S> {
    pub(super) fn new(sink: &'s mut S) -> Self {
        Tree { sink, stack: Depth::new(Tag::Other), leaf_text: None }
    }

    /// Whether no element is open (before the root, or after it closed).
    pub(super) fn outside_root(&self) -> bool {
        self.stack.as_slice().is_empty()
    }

    /// An element opened, and at once closed again when `empty`. `no_text`
    /// is an empty slice of the body where its text would be (after `>`,
    /// or at the `/` of `/>`), so that a page can point an empty string
    /// into the body like any other.
    pub(super) fn open(&mut self, tag: Tag, empty: bool, no_text: &'a str) -> Result<()> {
        self.stack.push(tag)?;
        self.sink.start(self.stack.as_slice())?;
        if empty {
            self.sink.leaf(self.stack.as_slice(), Cow::Borrowed(no_text))?;
            self.stack.pop();
            // The parent now has a child, so it is not a leaf.
            self.leaf_text = None;
        } else {
            self.leaf_text = Some(Cow::Borrowed(no_text));
        }
        Ok(())
    }

    /// An element holding only `text` (plain: no entity, no markup), opened
    /// and closed at once: what `open`, `text` and `close` would do.
    pub(super) fn leaf(&mut self, tag: Tag, text: &'a str) -> Result<()> {
        self.stack.push(tag)?;
        self.sink.plain_leaf(self.stack.as_slice(), text)?;
        self.stack.pop();
        // The parent now has a child, so it is not a leaf.
        self.leaf_text = None;
        Ok(())
    }

    pub(super) fn close(&mut self) -> Result<()> {
        if let Some(text) = self.leaf_text.take() {
            self.sink.leaf(self.stack.as_slice(), text)?;
        }
        self.stack.pop();
        Ok(())
    }

    /// Whether text here belongs to a leaf (else it is layout, to skip).
    pub(super) fn wants_text(&self) -> bool {
        self.leaf_text.is_some()
    }

    pub(super) fn text(&mut self, piece: Cow<'a, str>) {
        if let Some(leaf) = self.leaf_text.as_mut() {
            if leaf.is_empty() {
                *leaf = piece;
            } else {
                leaf.to_mut().push_str(&piece);
            }
        }
    }

    /// The end of the body: an element still open means it was cut short.
    pub(super) fn finish(&self, body_len: usize) -> Result<()> {
        match self.stack.as_slice().last() {
            None => Ok(()),
            Some(open) => Err(parse_error(format!(
                "response body ended after {body_len} bytes inside an open element ({open:?}): truncated?"
            ))),
        }
    }
}
