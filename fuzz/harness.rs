// Fuzz harnesses: what must hold for ANY input. Included (not duplicated)
// by the cargo-fuzz targets in fuzz_targets/ and by tests/fuzz_corpus.rs,
// which replays the committed corpus on stable Rust in `make test`.

use cloud_infinite::request::{bucket_host, path_and_query, service_host, validate_bucket, validate_endpoint, validate_region};
use cloud_infinite::sign::{percent_decode, percent_encode, sign, Credentials, SignWindow};
use cloud_infinite::{Bucket, BucketList, BucketQuery, CiBucket, CiBucketQuery, ErrorKind, Operation, Query, Queue, QueueList, QueueQuery, Shape};

/// Splits fuzz bytes into up to `n` text fields on 0xFF (never valid UTF-8,
/// so it cannot appear inside a field), decoding each lossily.
fn fields(data: &[u8], n: usize) -> Vec<String> {
    let mut out: Vec<String> = data.splitn(n, |&b| b == 0xFF).map(|f| String::from_utf8_lossy(f).into_owned()).collect();
    out.resize(n, String::new());
    out
}

/// Bytes that may appear in a host name we build: nothing that could end
/// the authority, start a path, carry credentials or break a header.
fn host_is_safe(host: &str) -> bool {
    !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b':')
}

/// The page parser, for every call's list element and item type: never a
/// panic; never more items than a page holds; a failure is always a Parse
/// error with a message (or the Service error of a 2xx answer's `<Code>`).
pub fn parse_response(data: &[u8]) {
    use cloud_infinite::xml::{parse_page, Item, MAX_ITEMS_PER_PAGE};
    fn check<T: Item>(data: &[u8], list: &str, strings: impl Fn(&T) -> Vec<Option<String>>) {
        match parse_page::<T>(data.to_vec(), list, MAX_ITEMS_PER_PAGE) {
            Ok(page) => {
                assert!(page.to_items().len() <= MAX_ITEMS_PER_PAGE && page.non_exist_pids().map(str::to_owned).collect::<Vec<_>>().len() <= MAX_ITEMS_PER_PAGE);
                // A string the C ABI hands out can never hold a NUL.
                for item in &page.to_items() {
                    assert!(strings(item).iter().flatten().all(|s| !s.contains('\0')));
                }
            }
            Err(e) => assert!(matches!(e.kind(), ErrorKind::Parse | ErrorKind::Service) && !e.message().is_empty()),
        }
    }
    for spec in cloud_infinite::OPERATIONS {
        match spec.operation.shape() {
            Shape::Buckets => check::<Bucket>(data, spec.list_element, |b| vec![b.bucket_id.clone(), b.name.clone(), b.alias_bucket_id.clone()]),
            Shape::CiBuckets => check::<CiBucket>(data, spec.list_element, |b| vec![b.bucket_name.clone(), b.app_id.clone(), b.status.clone()]),
            Shape::Queues => check::<Queue>(data, spec.list_element, |q| {
                let notify = q.notify_config.clone().unwrap_or_default();
                vec![q.queue_id.clone(), q.name.clone(), q.state.clone(), q.category.clone(), notify.url, notify.kafka_config.unwrap_or_default().topic]
            }),
        }
    }
}

/// The error-body parser: never a panic; what it reads has no NUL.
pub fn parse_error_body(data: &[u8]) {
    if let Some(body) = cloud_infinite::xml::parse_error_body(data) {
        for s in [&body.code, &body.message, &body.request_id, &body.resource, &body.trace_id].into_iter().flatten() {
            assert!(!s.contains('\0'));
        }
    }
}

/// The signer: deterministic, lists sorted lowercase names, and the
/// encoder round-trips and only emits unreserved characters and escapes.
pub fn sign_canonical(data: &[u8]) {
    let f = fields(data, 8);
    for s in &f {
        let encoded = percent_encode(s);
        assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)), "{encoded}");
        assert_eq!(percent_decode(&encoded), s.as_str());
    }
    let creds = Credentials::new(&f[0], &f[1]);
    let params = [(f[2].as_str(), f[3].as_str()), (f[4].as_str(), f[5].as_str())];
    let headers = [("host", f[6].as_str()), (f[7].as_str(), "v")];
    let window = SignWindow { start: data.len() as u64, end: data.len() as u64 + 60 };
    let a = sign(&creds, "GET", "/picbucket", &params, &headers, window);
    let b = sign(&creds, "GET", "/picbucket", &params, &headers, window);
    assert_eq!(a, b);
    assert_eq!(a.signature().len(), 40);
    let names: Vec<&str> = a.param_list().split(';').filter(|s| !s.is_empty()).collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted and unique: {names:?}");
    assert!(a.param_list().bytes().all(|c| !c.is_ascii_uppercase()));
    if creds.validate().is_ok() {
        assert!(a.authorization().bytes().all(|c| c.is_ascii_graphic()), "the header value is printable ASCII");
    }
}

/// Validation: whatever passes can only ever name a safe host and a safe
/// request target; nothing panics.
pub fn validate_inputs(data: &[u8]) {
    let f = fields(data, 6);
    let (bucket, region, endpoint) = (&f[0], &f[1], &f[2]);
    let endpoint_ok = validate_endpoint(endpoint).is_ok();
    if validate_region(region).is_ok() {
        assert!(host_is_safe(&service_host(region, None)));
        if validate_bucket(bucket).is_ok() {
            assert!(host_is_safe(&bucket_host(bucket, region, None)));
            if endpoint_ok {
                assert!(host_is_safe(&bucket_host(bucket, region, Some(endpoint))));
            }
        }
    }
    let pic = BucketQuery {
        regions: f[3].split(';').map(str::to_owned).collect(),
        bucket_names: f[4].split(';').map(str::to_owned).collect(),
        bucket_name_prefix: Some(f[5].clone()),
        page_number: data.first().map(|&b| b as u64),
        page_size: data.last().map(|&b| b as u64),
    };
    let queues = QueueQuery { queue_ids: f[4].split(';').map(str::to_owned).collect(), category: Some(f[3].clone()), ..Default::default() };
    let ci = CiBucketQuery { bucket_name: Some(f[5].clone()), tag_key: Some(f[4].clone()), region: Some(f[3].clone()), ..Default::default() };
    let media = Operation::Queues(QueueList::Media).spec();
    let results = [
        pic.to_params(Operation::Buckets(BucketList::Pic).spec()),
        queues.to_params(media),
        queues.to_params(Operation::Queues(QueueList::Ai).spec()),
        ci.to_params(Operation::CiBuckets.spec()),
    ];
    for params in results {
        match params {
            Ok(params) => {
                let target = path_and_query("/picbucket", &params);
                assert!(target.bytes().all(|b| b.is_ascii_graphic() && b != b'#'), "{target}");
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidArgument),
        }
    }
    let built = cloud_infinite::Client::builder()
        .secret_id(f[0].as_str())
        .secret_key(f[1].as_str())
        .region(f[1].as_str())
        .endpoint(f[2].as_str())
        .user_agent_suffix(f[3].as_str())
        .build();
    if let Err(e) = built {
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}
