//! The committed C header is exactly what build.rs generates from src/ffi/.

#[test]
fn committed_header_matches_the_generated_one() {
    let generated = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/cloud_infinite.h")).expect("build.rs wrote the header");
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/cloud_infinite.h");
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    if committed != generated {
        let line = committed.lines().zip(generated.lines()).position(|(a, b)| a != b).map_or_else(
            || format!("the files differ in length ({} vs {} lines)", committed.lines().count(), generated.lines().count()),
            |i| format!("first difference at line {}:\n  committed: {:?}\n  generated: {:?}", i + 1, committed.lines().nth(i).unwrap_or(""), generated.lines().nth(i).unwrap_or("")),
        );
        panic!("{committed_path} is stale: run `make header` and commit it.\n{line}");
    }
}
