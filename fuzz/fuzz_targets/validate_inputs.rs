#![no_main]
//! cargo fuzz run validate_inputs (see fuzz/README.md)
include!("../harness.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| validate_inputs(data));
