//! A client whose credentials expire many times while it works: the CVM
//! role's keys from the emulator's metadata service, a 5 s lifetime, eight
//! threads calling for 60 s (`CI_ROTATION_SECS` shortens it for a quick
//! run). Every call succeeds, and each expiry causes one refresh, not one
//! per thread. Also: an ExpiredToken answer renews once and signs again.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud_infinite::credentials::CvmRoleProvider;
use cloud_infinite::{BucketList, BucketQuery, Client, ErrorKind};
use support::Emulator;

const LIFETIME_SECS: u64 = 5;
const MARGIN: Duration = Duration::from_secs(1);
const THREADS: usize = 8;

fn rotation_secs() -> u64 {
    std::env::var("CI_ROTATION_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(60)
}

/// A client on the emulator whose keys are the CVM role's.
fn role_client(emu: &Emulator) -> Client {
    let provider = CvmRoleProvider::new().endpoint(emu.metadata_endpoint());
    emu.client_without_keys().credentials_provider(provider).refresh_margin(MARGIN).build().unwrap()
}

#[test]
fn eight_threads_across_many_expiries_fail_no_call_and_refresh_once_per_expiry() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", &LIFETIME_SECS.to_string()]);
    let client = role_client(&emu);
    let secs = rotation_secs();
    let until = Instant::now() + Duration::from_secs(secs);
    let (calls, failures) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (client, calls, failures) = (client.clone(), Arc::clone(&calls), Arc::clone(&failures));
            std::thread::spawn(move || {
                while Instant::now() < until {
                    match client.describe_buckets(BucketList::Pic, &BucketQuery::default()) {
                        Ok(_) => calls.fetch_add(1, Ordering::Relaxed),
                        Err(e) => {
                            eprintln!("failed call: {e}");
                            failures.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let stats = emu.credentials();
    let issued = stats["issued"]["metadata"].as_u64().unwrap();
    let fetches = client.credential_fetches();
    // A fresh key serves LIFETIME - MARGIN seconds before it is renewed.
    let expiries = secs / LIFETIME_SECS;
    let most = secs / (LIFETIME_SECS - MARGIN.as_secs()) + 2;
    println!(
        "{secs} s, {THREADS} threads: {} calls, {} failed; {fetches} refreshes for {expiries} lifetimes, {issued} keys issued, {} ExpiredToken answers",
        calls.load(Ordering::Relaxed),
        failures.load(Ordering::Relaxed),
        stats["expired_token_answers"]
    );
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert!(calls.load(Ordering::Relaxed) > 100 * secs, "the threads kept calling");
    assert_eq!(fetches, issued, "each refresh is one fetch of one new key");
    assert!(fetches >= expiries, "at least one refresh per lifetime: {fetches}");
    assert!(fetches <= most, "one refresh per expiry, not one per thread: {fetches} > {most}");
    assert_eq!(stats["expired_token_answers"], 0, "refreshed before the keys expired");
}

#[test]
fn an_expired_token_answer_renews_the_credentials_once_and_signs_again() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", "3600"]);
    let client = role_client(&emu);
    client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    assert_eq!(client.credential_fetches(), 1);

    emu.set_credentials(r#"{"expired_token_next": 1}"#);
    client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    assert_eq!(client.credential_fetches(), 2, "renewed once");
    assert_eq!(emu.credentials()["expired_token_answers"], 1);

    // Refused again after renewing: the service's error, not a loop.
    emu.set_credentials(r#"{"expired_token_next": 2}"#);
    let e = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!((e.kind(), e.code(), e.http_status()), (ErrorKind::Service, Some("ExpiredToken"), Some(400)), "{e}");
    assert_eq!(client.credential_fetches(), 3);
}

#[test]
fn a_metadata_service_down_past_expiry_is_a_credentials_error_naming_it() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", "2"]);
    let client = role_client(&emu);
    client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    // No role bound any more: renewal fails; the old keys serve until they expire.
    emu.set_credentials(r#"{"roles": []}"#);
    client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    std::thread::sleep(Duration::from_millis(2200));
    let e = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials, "{e}");
    assert!(e.message().contains("CVM role") && e.message().contains("no CAM role bound"), "{}", e.message());
}
