//! Every binding's generated file is what `ci-codegen` writes today from
//! the header and the table of operations: a stale one fails here, as a
//! stale header fails tests/header.rs.

#[test]
fn generated_files_are_up_to_date() {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ci-codegen")).arg("--check").status().expect("run ci-codegen");
    assert!(status.success(), "run `make generate` and commit the result");
}
