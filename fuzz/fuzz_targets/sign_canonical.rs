#![no_main]
//! cargo fuzz run sign_canonical (see fuzz/README.md)
include!("../harness.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| sign_canonical(data));
