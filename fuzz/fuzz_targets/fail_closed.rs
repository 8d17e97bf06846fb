#![no_main]
//! cargo fuzz run fail_closed (see fuzz/README.md)
include!("../fail_closed_harness.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| fail_closed(data));
