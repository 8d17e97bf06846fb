//! Every error kind a caller can meet, provoked through `ci-emulator`'s
//! faults, and the retry policy: what is retried, how often, and what is not.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use cloud_infinite::{BucketList, BucketQuery, Error, ErrorKind, QueueList, QueueQuery};
use support::Emulator;

fn queues(client: &cloud_infinite::Client, bucket: &str) -> Result<cloud_infinite::QueuePage, Error> {
    client.describe_queues(QueueList::Ai, bucket, &QueueQuery::default())
}

fn assert_service(e: &Error, status: u16, code: &str) {
    assert_eq!(e.kind(), ErrorKind::Service, "{e}");
    assert_eq!(e.http_status(), Some(status), "{e}");
    assert_eq!(e.code(), Some(code), "{e}");
    assert!(e.request_id().is_some_and(|id| !id.is_empty()), "a service error carries the request id: {e}");
}

#[test]
fn wrong_secret_key_is_signature_does_not_match() {
    let emu = Emulator::start();
    let client = emu.client().secret_key("not-the-key").build().unwrap();
    let e = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_service(&e, 403, "SignatureDoesNotMatch");
    assert!(!e.to_string().contains("not-the-key"), "the key never appears in an error: {e}");
    assert_eq!(emu.requests(), 1, "4xx is never retried");
}

#[test]
fn unknown_secret_id_is_invalid_access_key_id() {
    let emu = Emulator::start();
    let client = emu.client().secret_id("AKIDnobody").build().unwrap();
    assert_service(&queues(&client, "examplebucket-1250000000").unwrap_err(), 403, "InvalidAccessKeyId");
}

#[test]
fn unknown_bucket_and_wrong_region_are_no_such_bucket() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    assert_service(&queues(&client, "nosuchbucket-1250000000").unwrap_err(), 404, "NoSuchBucket");
    let elsewhere = emu.client().region("ap-beijing").build().unwrap();
    assert_service(&queues(&elsewhere, "examplebucket-1250000000").unwrap_err(), 404, "NoSuchBucket");
    assert_eq!(emu.requests(), 2);
}

#[test]
fn invalid_arguments_send_nothing() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    for bucket in ["", "a.evil.com/x", "x:80", "..", "examplebucket", "Example-1250000000", "a-1\r\nHost: evil"] {
        let e = queues(&client, bucket).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bucket:?}: {e}");
        assert!(e.message().contains("BucketName-APPID"), "{e}");
    }
    for query in [
        BucketQuery { page_size: Some(0), ..Default::default() },
        BucketQuery { page_size: Some(101), ..Default::default() },
        BucketQuery { page_number: Some(0), ..Default::default() },
        BucketQuery { regions: vec!["ap-guangzhou.evil.com".into()], ..Default::default() },
    ] {
        assert_eq!(client.describe_buckets(BucketList::Pic, &query).unwrap_err().kind(), ErrorKind::InvalidArgument);
    }
    assert_eq!(emu.requests(), 0, "nothing reached the service");
}

#[test]
fn a_flaky_bucket_succeeds_after_retries() {
    let emu = Emulator::start();
    let client = emu.client().max_retries(3).build().unwrap();
    let page = queues(&client, "flaky-1250000000").unwrap();
    assert_eq!(page.to_items().len(), 1);
    assert_eq!(emu.requests(), 3, "two 503s, then the success");
}

#[test]
fn too_few_retries_for_a_flaky_bucket_fail_with_the_last_answer() {
    let emu = Emulator::start();
    let client = emu.client().max_retries(1).build().unwrap();
    assert_service(&queues(&client, "flaky-1250000000").unwrap_err(), 503, "ServiceUnavailable");
    assert_eq!(emu.requests(), 2);
}

#[test]
fn a_permanent_5xx_fails_after_exactly_max_retries_plus_one_attempts() {
    for max_retries in [0u32, 2, 4] {
        let emu = Emulator::start();
        let client = emu.client().max_retries(max_retries).build().unwrap();
        assert_service(&queues(&client, "broken-1250000000").unwrap_err(), 500, "InternalError");
        assert_eq!(emu.requests(), u64::from(max_retries) + 1, "max_retries = {max_retries}");
    }
}

#[test]
fn throttling_is_retried() {
    let emu = Emulator::start();
    let client = emu.client().max_retries(2).build().unwrap();
    assert_service(&queues(&client, "throttled-1250000000").unwrap_err(), 503, "SlowDown");
    assert_eq!(emu.requests(), 3);
}

#[test]
fn an_armed_per_request_fault_is_retried_through() {
    let emu = Emulator::start();
    emu.arm_fault(r#"{"kind": "status", "status": 502, "times": 2, "path": "/picbucket"}"#);
    let client = emu.client().build().unwrap();
    assert_eq!(client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap().to_items().len(), 10);
    assert_eq!(emu.requests(), 3);
}

#[test]
fn a_slow_answer_past_the_timeout_is_a_timeout_within_the_timeout() {
    let emu = Emulator::start();
    let client = emu.client().timeout(Duration::from_millis(500)).build().unwrap();
    let started = Instant::now();
    let e = queues(&client, "slow-1250000000").unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(took < Duration::from_millis(1500), "gave up after {took:?}");
    // With time to spare the same bucket answers.
    let patient = emu.client().timeout(Duration::from_secs(10)).build().unwrap();
    assert_eq!(queues(&patient, "slow-1250000000").unwrap().to_items().len(), 1);
}

#[test]
fn a_connection_reset_is_a_network_error_after_retries() {
    let emu = Emulator::start();
    let client = emu.client().max_retries(2).build().unwrap();
    let e = queues(&client, "reset-1250000000").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert_eq!(emu.requests(), 3, "connection failures are retried");
}

#[test]
fn malformed_xml_is_a_parse_error_and_not_retried() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    let e = queues(&client, "malformed-1250000000").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse, "{e}");
    assert_eq!(e.http_status(), Some(200));
    assert!(e.request_id().is_some(), "the request id from the header helps a support ticket: {e}");
    assert_eq!(emu.requests(), 1);
}

#[test]
fn a_truncated_body_is_a_network_error() {
    let emu = Emulator::start();
    let client = emu.client().max_retries(1).build().unwrap();
    let e = queues(&client, "truncated-1250000000").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert_eq!(emu.requests(), 2);
}

#[test]
fn an_oversized_body_is_refused_at_the_cap() {
    let emu = Emulator::start();
    let client = emu.client().max_response_bytes(1024 * 1024).build().unwrap();
    let started = Instant::now();
    let e = queues(&client, "huge-1250000000").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ResponseTooLarge, "{e}");
    assert!(e.message().contains("1048576"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The default 16 MiB cap refuses the 64 MiB body too.
    let default_cap = emu.client().build().unwrap();
    assert_eq!(queues(&default_cap, "huge-1250000000").unwrap_err().kind(), ErrorKind::ResponseTooLarge);
}

#[test]
fn nothing_listening_is_a_network_error() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let emu = Emulator::start();
    let client = emu.client().connect_to(format!("127.0.0.1:{port}")).max_retries(1).build().unwrap();
    let e = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(e.message().contains("refused"), "{e}");
}

#[test]
fn a_server_clock_ahead_expires_our_signature_and_we_correct_once() {
    let emu = Emulator::start();
    emu.set_clock_offset(7200);
    let client = emu.client().build().unwrap();
    assert_eq!(client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap().to_items().len(), 10);
    assert!((client.clock_offset_secs() - 7200).abs() <= 2, "offset {}", client.clock_offset_secs());
    assert_eq!(emu.requests(), 2, "one refused, one signed again");
    // The correction sticks: no more refusals.
    client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    assert_eq!(emu.requests(), 3);
}

#[test]
fn a_server_clock_behind_is_request_time_too_skewed_and_corrected() {
    let emu = Emulator::start();
    emu.set_clock_offset(-7200);
    let client = emu.client().build().unwrap();
    client.describe_queues(QueueList::Ai, "examplebucket-1250000000", &QueueQuery::default()).unwrap();
    assert!((client.clock_offset_secs() + 7200).abs() <= 2);
}

#[test]
fn the_clock_is_corrected_at_most_once_per_call() {
    let emu = Emulator::start();
    emu.arm_fault(r#"{"kind": "status", "status": 403, "code": "RequestTimeTooSkewed", "times": null, "path": "/picbucket"}"#);
    let client = emu.client().build().unwrap();
    let e = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_service(&e, 403, "RequestTimeTooSkewed");
    assert_eq!(emu.requests(), 2, "one correction, then the answer stands");
}

#[test]
fn the_call_timeout_bounds_the_retries_and_keeps_the_last_answer() {
    let emu = Emulator::start();
    let client = emu
        .client()
        .max_retries(50)
        .retry_base_delay(Duration::from_millis(100))
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = queues(&client, "broken-1250000000").unwrap_err();
    let took = started.elapsed();
    assert_service(&e, 500, "InternalError");
    assert!(e.message().contains("not retried again"), "{e}");
    assert!(took < Duration::from_millis(1200), "stopped within the timeout: {took:?}");
    let attempts = emu.requests();
    assert!((2..=8).contains(&attempts), "{attempts} attempts fit in 800 ms of backoff");
}

#[test]
fn not_implemented_and_other_4xx_are_not_retried() {
    let emu = Emulator::start();
    emu.arm_fault(r#"{"kind": "status", "status": 501, "code": "NotImplemented", "times": null, "path": "/picbucket"}"#);
    let client = emu.client().build().unwrap();
    assert_service(&client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err(), 501, "NotImplemented");
    assert_eq!(emu.requests(), 1);
}

/// Calls `spec` once with a default query (queue calls on `bucket`).
fn call(client: &cloud_infinite::Client, spec: &cloud_infinite::OperationSpec, bucket: &str) -> Result<usize, Error> {
    use cloud_infinite::{CiBucketQuery, Operation};
    match spec.operation {
        Operation::Buckets(list) => client.describe_buckets(list, &BucketQuery::default()).map(|p| p.to_items().len()),
        Operation::CiBuckets => client.describe_ci_buckets(&CiBucketQuery::default()).map(|p| p.to_items().len()),
        Operation::Queues(list) => client.describe_queues(list, bucket, &QueueQuery::default()).map(|p| p.to_items().len()),
        other => panic!("{other}: a shape this test does not know"),
    }
}

#[test]
fn an_armed_fault_naming_a_path_hits_that_route_only() {
    let emu = Emulator::start();
    let client = emu.client().max_retries(1).build().unwrap();
    for spec in cloud_infinite::OPERATIONS {
        emu.reset();
        emu.arm_fault(&format!(r#"{{"kind": "status", "status": 503, "times": 1, "path": "{}"}}"#, spec.path));
        // Another route is not hit...
        let other = cloud_infinite::OPERATIONS.iter().find(|s| s.path != spec.path).unwrap();
        assert!(call(&client, other, "examplebucket-1250000000").unwrap() > 0);
        // ...this one is, once, and the retry goes through.
        assert!(call(&client, spec, "examplebucket-1250000000").unwrap() > 0, "{}", spec.name);
        let by_path = emu.requests_by_path();
        assert_eq!(by_path[spec.path].as_u64(), Some(2), "{}: the 503, then the retry", spec.name);
    }
}

#[test]
fn every_fault_kind_on_every_shape() {
    use cloud_infinite::{BucketList, Operation};
    let emu = Emulator::start();
    let shapes = [Operation::Buckets(BucketList::Doc), Operation::CiBuckets, Operation::Queues(QueueList::Media)];
    for op in shapes {
        let spec = op.spec();
        let arm = |kind: &str, extra: &str| {
            emu.reset();
            emu.arm_fault(&format!(r#"{{"kind": "{kind}", "path": "{}"{extra}}}"#, spec.path));
        };
        let bucket = "examplebucket-1250000000";

        arm("malformed", "");
        let e = call(&emu.client().build().unwrap(), spec, bucket).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse, "{}: {e}", spec.name);
        assert_eq!(emu.requests(), 1, "a parse error is not retried");

        arm("truncated", "");
        let e = call(&emu.client().max_retries(1).build().unwrap(), spec, bucket).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{}: {e}", spec.name);

        arm("oversized", r#", "size": 4194304"#);
        let e = call(&emu.client().max_response_bytes(1024 * 1024).build().unwrap(), spec, bucket).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge, "{}: {e}", spec.name);
        // Under the cap, the body is made of the call's own list element...
        arm("oversized", r#", "size": 12000"#);
        let n = call(&emu.client().build().unwrap(), spec, bucket).unwrap();
        assert!((20..=100).contains(&n), "{}: {n} made-up items", spec.name);
        // ...and more of them than a page holds is refused.
        arm("oversized", r#", "size": 300000"#);
        let e = call(&emu.client().build().unwrap(), spec, bucket).unwrap_err();
        assert!(e.kind() == ErrorKind::Parse && e.message().to_ascii_lowercase().contains(&spec.list_element.to_ascii_lowercase()), "{}: {e}", spec.name);

        arm("reset", "");
        let e = call(&emu.client().max_retries(1).build().unwrap(), spec, bucket).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{}: {e}", spec.name);
        assert_eq!(emu.requests(), 2);

        arm("delay", r#", "delay_ms": 1500"#);
        let e = call(&emu.client().timeout(Duration::from_millis(300)).build().unwrap(), spec, bucket).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{}: {e}", spec.name);

        arm("status", r#", "status": 500, "code": "InternalError""#);
        assert_service(&call(&emu.client().max_retries(0).build().unwrap(), spec, bucket).unwrap_err(), 500, "InternalError");
    }
}

#[test]
fn a_fault_bucket_faults_every_queue_route() {
    let emu = Emulator::start();
    let client = emu.client().max_retries(0).build().unwrap();
    for spec in cloud_infinite::OPERATIONS.iter().filter(|s| s.operation.shape() == cloud_infinite::Shape::Queues) {
        assert_service(&call(&client, spec, "broken-1250000000").unwrap_err(), 500, "InternalError");
        assert_eq!(call(&client, spec, "malformed-1250000000").unwrap_err().kind(), ErrorKind::Parse, "{}", spec.name);
        assert_service(&call(&client, spec, "throttled-1250000000").unwrap_err(), 503, "SlowDown");
    }
    // The flaky bucket's two 503s are counted across its routes, then every route answers.
    let patient = emu.client().max_retries(2).build().unwrap();
    for spec in cloud_infinite::OPERATIONS.iter().filter(|s| s.operation.shape() == cloud_infinite::Shape::Queues) {
        assert_eq!(call(&patient, spec, "flaky-1250000000").unwrap(), 1, "{}", spec.name);
    }
}
