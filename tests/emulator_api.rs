//! What every call shares against `ci-emulator`: request ids, parameters a
//! call does not take (refused by the client before sending, and by the
//! emulator when sent anyway), temporary credentials, and one client shared
//! by many threads. Each shape's own parameters and fields are in
//! `emulator_buckets.rs`, `emulator_ci_buckets.rs` and `emulator_queues.rs`.

mod support;

use cloud_infinite::{BucketList, BucketQuery, CiBucketQuery, ErrorKind, HostLevel, Operation, Param, QueueList, QueueQuery, Shape, OPERATIONS};
use support::Emulator;

const BUCKET: &str = "examplebucket-1250000000";

#[test]
fn every_request_gets_its_own_id() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    let a = client.describe_buckets(BucketList::Media, &BucketQuery::default()).unwrap();
    let b = client.describe_buckets(BucketList::Media, &BucketQuery::default()).unwrap();
    let c = client.describe_queues(QueueList::Doc, BUCKET, &QueueQuery::default()).unwrap();
    let ids = [a.request_id().map(str::to_owned).unwrap(), b.request_id().map(str::to_owned).unwrap(), c.request_id().map(str::to_owned).unwrap()];
    assert!(ids.iter().all(|id| !id.is_empty()));
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2], "{ids:?}");
}

#[test]
fn a_parameter_the_call_does_not_take_is_refused_before_anything_is_sent() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    let mut refused = 0;
    for spec in OPERATIONS {
        let e = match spec.operation {
            // Only the media queue list documents `category`.
            Operation::Queues(list) if !spec.takes(Param::Category) => {
                client.describe_queues(list, BUCKET, &QueueQuery { category: Some("AIProcess".into()), ..Default::default() }).unwrap_err()
            }
            // A query of another shape carries parameters the call does not take.
            Operation::Buckets(_) => client.describe(spec.operation, None, &CiBucketQuery { tag_key: Some("env".into()), ..Default::default() }).unwrap_err(),
            Operation::CiBuckets => client.describe(spec.operation, None, &BucketQuery { regions: vec!["ap-beijing".into()], ..Default::default() }).unwrap_err(),
            _ => continue,
        };
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{}: {e}", spec.name);
        refused += 1;
    }
    assert_eq!(refused, OPERATIONS.len() - 1, "every call but the media queue list");
    // A queue call needs its bucket, a bucket list takes none.
    assert_eq!(client.describe(Operation::Queues(QueueList::Pic), None, &QueueQuery::default()).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(client.describe(Operation::CiBuckets, Some(BUCKET), &CiBucketQuery::default()).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(emu.requests(), 0, "nothing reached the service");
}

#[test]
fn the_emulator_refuses_parameters_a_call_does_not_take() {
    let emu = Emulator::start();
    let service = "ci.ap-guangzhou.myqcloud.com";
    let bucket = format!("{BUCKET}.ci.ap-guangzhou.myqcloud.com");
    for spec in OPERATIONS {
        let host = match spec.operation.host_level() {
            HostLevel::Service => service,
            HostLevel::Bucket => bucket.as_str(),
        };
        let taken: Vec<&str> = spec.params.iter().map(|p| p.wire_name()).collect();
        let foreign = Param::ALL.iter().map(|p| p.wire_name()).filter(|w| !taken.contains(w));
        // Every parameter of the table the call does not take, the media
        // docs' old `queueId`, and one no call knows.
        for name in foreign.chain(["queueId", "foo"]) {
            let (status, _, body) = emu.signed_get(host, spec.path, &[(name, "x")]);
            assert_eq!(status, 400, "{} {name}: {body}", spec.name);
            assert!(body.contains("<Code>InvalidArgument</Code>") && body.contains(name), "{} {name}: {body}", spec.name);
        }
        // Empty, as the official Python SDK sends what it leaves unset, it is no parameter.
        let (status, _, body) = emu.signed_get(host, spec.path, &[("foo", "")]);
        assert_eq!(status, 200, "{}: {body}", spec.name);
        // Bad paging is refused by every call.
        for (name, value) in [("pageSize", "0"), ("pageSize", "101"), ("pageNumber", "0"), ("pageNumber", "x")] {
            let (status, _, body) = emu.signed_get(host, spec.path, &[(name, value)]);
            assert_eq!(status, 400, "{} {name}={value}: {body}", spec.name);
            assert!(body.contains("<Code>InvalidArgument</Code>"), "{body}");
        }
    }
}

#[test]
fn the_official_python_sdks_state_all_lists_every_state() {
    let emu = Emulator::start();
    let host = format!("{BUCKET}.ci.ap-guangzhou.myqcloud.com");
    for spec in OPERATIONS.iter().filter(|s| s.operation.shape() == Shape::Queues) {
        let (status, _, all) = emu.signed_get(&host, spec.path, &[("state", "All"), ("pageSize", "100"), ("queueIds", ""), ("pageNumber", "")]);
        assert_eq!(status, 200, "{}: {all}", spec.name);
        let (_, _, plain) = emu.signed_get(&host, spec.path, &[("pageSize", "100")]);
        let count = |body: &str| body.split("<TotalCount>").nth(1).and_then(|t| t.split('<').next()).map(str::to_owned);
        assert_eq!(count(&all), count(&plain), "{}", spec.name);
    }
}

#[test]
fn temporary_credentials_send_and_sign_the_token() {
    let emu = Emulator::start();
    let client = emu.client().secret_id(support::TMP_SECRET_ID).secret_key(support::TMP_SECRET_KEY).session_token(support::TMP_TOKEN).build().unwrap();
    client.describe_buckets(BucketList::Doc, &BucketQuery::default()).unwrap();
    client.describe_ci_buckets(&CiBucketQuery::default()).unwrap();
    client.describe_queues(QueueList::Media, BUCKET, &QueueQuery::default()).unwrap();

    let wrong = emu.client().secret_id(support::TMP_SECRET_ID).secret_key(support::TMP_SECRET_KEY).session_token("stolen").build().unwrap();
    let e = wrong.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!((e.kind(), e.http_status(), e.code()), (ErrorKind::Service, Some(403), Some("InvalidSecurity")));
    let missing = emu.client().secret_id(support::TMP_SECRET_ID).secret_key(support::TMP_SECRET_KEY).build().unwrap();
    assert_eq!(missing.describe_queues(QueueList::Asr, BUCKET, &QueueQuery::default()).unwrap_err().code(), Some("InvalidSecurity"));
}

#[test]
fn one_client_serves_many_threads() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    std::thread::scope(|scope| {
        for t in 0..8 {
            let client = &client;
            scope.spawn(move || {
                for i in 0..25 {
                    if (t + i) % 2 == 0 {
                        assert_eq!(client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap().to_items().len(), 10);
                    } else {
                        assert_eq!(client.describe_queues(QueueList::Ai, BUCKET, &QueueQuery::default()).unwrap().to_items().len(), 10);
                    }
                }
            });
        }
    });
    assert_eq!(emu.requests(), 200);
}
