//! HTTPS: certificates are verified by default, and a CA file names whom
//! else to trust. The emulator serves TLS with a certificate from a test CA
//! (tests/fixtures/tls) for the production host names.

mod support;

use cloud_infinite::{BucketList, BucketQuery, ErrorKind, Scheme};
use support::Emulator;

const TLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");

fn tls_emulator() -> Emulator {
    Emulator::start_with(&["--tls-cert", &format!("{TLS}/server.pem"), "--tls-key", &format!("{TLS}/server.key")])
}

#[test]
fn an_untrusted_certificate_is_refused_by_default() {
    let emu = tls_emulator();
    let client = emu.client().scheme(Scheme::Https).max_retries(0).build().unwrap();
    let e = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(e.message().to_lowercase().contains("certificate") || e.message().to_lowercase().contains("issuer"), "{e}");
    assert_eq!(emu.requests(), 0, "no request was sent over the untrusted connection");
}

#[test]
fn a_ca_file_that_trusts_it_is_accepted() {
    let emu = tls_emulator();
    let client = emu.client().scheme(Scheme::Https).ca_file(format!("{TLS}/ca.pem")).build().unwrap();
    assert_eq!(client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap().total_count, Some(130));
}

#[test]
fn a_ca_file_for_someone_else_is_refused() {
    let emu = tls_emulator();
    // The server's own certificate is not a CA: trusting it as one does not
    // make the chain valid.
    let client = emu.client().scheme(Scheme::Https).ca_file(format!("{TLS}/server.pem")).max_retries(0).build().unwrap();
    assert_eq!(client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err().kind(), ErrorKind::Network);
}

#[test]
fn a_bad_ca_file_is_an_invalid_argument() {
    let emu = tls_emulator();
    for (path, needle) in [("/nonexistent/ca.pem", "cannot be read"), (concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"), "no PEM certificate")] {
        let e = emu.client().ca_file(path).build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains(needle), "{e}");
    }
}
