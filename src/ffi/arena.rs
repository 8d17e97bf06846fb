//! `Arena`: NUL-terminated copies of strings in a few buffers that never
//! move, for results whose strings are not in a buffer of their own
//! (signatures).

use std::ffi::c_char;

/// The strings of one result, NUL-terminated, in a few buffers that never
/// grow once a string is in them, so a pointer to a string stays valid for
/// as long as the arena lives (moving the arena moves only the headers).
#[derive(Default)]
pub(super) struct Arena {
    chunks: Vec<Vec<u8>>,
}

impl Arena {
    /// An arena whose first buffer holds `bytes` without a second allocation.
    pub(super) fn with_capacity(bytes: usize) -> Self {
        Arena { chunks: vec![Vec::with_capacity(bytes)] }
    }

    /// Copies `s` in and returns its C string.
    pub(super) fn add(&mut self, s: &str) -> *const c_char {
        let needed = s.len() + 1;
        if !self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= needed) {
            let grown = self.chunks.last().map_or(0, |c| c.capacity() * 2);
            self.chunks.push(Vec::with_capacity(needed.max(grown).max(1024)));
        }
        let chunk = self.chunks.last_mut().expect("a chunk with room was just ensured");
        let at = chunk.len();
        // The parser rejects NUL in text, so each string is one C string.
        chunk.extend_from_slice(s.as_bytes());
        chunk.push(0);
        // SAFETY: `at` is within the chunk, which had room for the string,
        // so it was not reallocated and never will be.
        unsafe { chunk.as_ptr().add(at).cast() }
    }
}

