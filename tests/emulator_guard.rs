//! The guard: every operation the library lists is served by the emulator,
//! answers the fixture's data for it, and is counted under its own path. A
//! new table entry without a route, fixture data or a shape the emulator
//! knows fails here.

mod support;

use cloud_infinite::{BucketQuery, CiBucketQuery, HostLevel, Operation, Param, QueueQuery, OPERATIONS};
use support::{expected, Emulator};

const BUCKET: &str = "examplebucket-1250000000";

#[test]
fn every_operation_is_served_with_its_fixture_data() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    for spec in OPERATIONS {
        // One page as big as the service allows, compared with the fixture's
        // items for the call (the first 100 of them).
        let first_100 = |n: usize| n.min(100);
        let (got, want_len, total) = match spec.operation {
            Operation::Buckets(list) => {
                let want = expected::buckets(&fixture, list);
                let page = client.describe_buckets(list, &BucketQuery { page_size: Some(100), ..Default::default() });
                let page = page.unwrap_or_else(|e| panic!("{}: {e}", spec.name));
                assert_eq!(page.to_items(), want[..first_100(want.len())], "{}", spec.name);
                (page.to_items().len(), want.len(), page.total_count)
            }
            Operation::CiBuckets => {
                let want: Vec<_> = expected::ci_buckets(&fixture).into_iter().map(|(b, _)| b).collect();
                let page = client.describe_ci_buckets(&CiBucketQuery { page_size: Some(100), ..Default::default() });
                let page = page.unwrap_or_else(|e| panic!("{}: {e}", spec.name));
                assert_eq!(page.to_items(), want[..first_100(want.len())], "{}", spec.name);
                (page.to_items().len(), want.len(), page.total_count)
            }
            Operation::Queues(list) => {
                // CateAll where the call takes a category, so every queue is listed.
                let category = spec.takes(Param::Category).then(|| "CateAll".to_string());
                let want = expected::queues(&fixture, BUCKET, list);
                let page = client.describe_queues(list, BUCKET, &QueueQuery { category, page_size: Some(100), ..Default::default() });
                let page = page.unwrap_or_else(|e| panic!("{}: {e}", spec.name));
                assert_eq!(page.to_items(), want[..first_100(want.len())], "{}", spec.name);
                (page.to_items().len(), want.len(), page.total_count)
            }
            other => panic!("{other}: a shape of operation this guard (and the emulator) does not know"),
        };
        assert!(got > 0, "{}: the fixture has data for it", spec.name);
        assert_eq!(total, Some(want_len as u64), "{}", spec.name);
    }
    let by_path = emu.requests_by_path();
    for spec in OPERATIONS {
        assert_eq!(by_path.get(spec.path).and_then(|n| n.as_u64()), Some(1), "{} counted under {}", spec.name, spec.path);
    }
    assert_eq!(emu.requests(), OPERATIONS.len() as u64);
}

#[test]
fn every_operation_is_refused_at_the_other_host_level() {
    let emu = Emulator::start();
    let service = "ci.ap-guangzhou.myqcloud.com";
    let bucket = format!("{BUCKET}.ci.ap-guangzhou.myqcloud.com");
    for spec in OPERATIONS {
        let (right, wrong) = match spec.operation.host_level() {
            HostLevel::Service => (service, bucket.as_str()),
            HostLevel::Bucket => (bucket.as_str(), service),
        };
        let (status, _, body) = emu.signed_get(wrong, spec.path, &[]);
        assert_eq!(status, 400, "{}: {body}", spec.name);
        assert!(body.contains("<Code>InvalidURI</Code>"), "{}: {body}", spec.name);
        let (status, head, body) = emu.signed_get(right, spec.path, &[]);
        assert_eq!(status, 200, "{}: {body}", spec.name);
        assert!(body.contains(&format!("<{}>", spec.list_element)), "{}: {body}", spec.name);
        // x-ci-request-id is the body's RequestId.
        let id = head.lines().find_map(|l| l.strip_prefix("x-ci-request-id: ")).expect("x-ci-request-id").to_owned();
        assert!(body.to_ascii_lowercase().contains(&format!("<requestid>{id}</requestid>")), "{}: {id} {body}", spec.name);
    }
}
