#![no_main]
//! cargo fuzz run parse_differential corpus/parse_response (see fuzz/README.md)
//!
//! The scanner in src/xml.rs against quick-xml's reader on every input: the
//! same pages and error-body fields, and a failure only where both fail.
//! It shares parse_response's corpus, which the crate's own tests replay
//! through the same comparison.

libfuzzer_sys::fuzz_target!(|data: &[u8]| cloud_infinite::xml::reference::assert_same(data));
