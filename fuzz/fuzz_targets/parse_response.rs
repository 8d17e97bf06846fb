#![no_main]
//! cargo fuzz run parse_response (see fuzz/README.md)
include!("../harness.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| parse_response(data));
