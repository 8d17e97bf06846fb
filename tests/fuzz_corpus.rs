//! Replays every input in fuzz/corpus/ (seeds, and what fuzzing runs found
//! and kept) through the fuzz harnesses on stable Rust, so a regression on
//! any of them fails `make test` without a fuzzer installed.

include!(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/harness.rs"));

fn replay(target: &str, harness: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| harness(&data)) {
            panic!("{target}: {} fails the harness: {panic:?}", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "no corpus for {target}");
    eprintln!("{target}: {count} inputs replayed");
}

#[test]
fn parse_response_corpus() {
    replay("parse_response", parse_response);
}

#[test]
fn parse_error_body_corpus() {
    replay("parse_error_body", parse_error_body);
}

#[test]
fn sign_canonical_corpus() {
    replay("sign_canonical", sign_canonical);
}

#[test]
fn validate_inputs_corpus() {
    replay("validate_inputs", validate_inputs);
}
