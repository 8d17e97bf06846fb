#![no_main]
//! cargo fuzz run parse_error_body (see fuzz/README.md)
include!("../harness.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| parse_error_body(data));
