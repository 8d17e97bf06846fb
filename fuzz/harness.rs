// Fuzz harnesses: what must hold for ANY input. Included (not duplicated)
// by the cargo-fuzz targets in fuzz_targets/ and by tests/fuzz_corpus.rs,
// which replays the committed corpus on stable Rust in `make test`.

use cloud_infinite::request::{bucket_host, path_and_query, service_host, validate_bucket, validate_endpoint, validate_region};
use cloud_infinite::sign::{percent_decode, percent_encode, sign, Credentials, SignWindow};
use cloud_infinite::{AiQueueQuery, ErrorKind, PicBucketQuery};

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

/// Both page parsers: never a panic; a failure is always a Parse error
/// with a message.
pub fn parse_response(data: &[u8]) {
    match cloud_infinite::xml::parse_pic_bucket_page(data) {
        Ok(page) => assert!(page.buckets.len() <= data.len()),
        Err(e) => assert!(e.kind() == ErrorKind::Parse && !e.message().is_empty()),
    }
    match cloud_infinite::xml::parse_ai_queue_page(data) {
        Ok(page) => {
            // A string the C ABI hands out can never hold a NUL.
            for q in &page.queues {
                for s in [&q.queue_id, &q.name, &q.state, &q.category].into_iter().flatten() {
                    assert!(!s.contains('\0'));
                }
            }
        }
        Err(e) => assert!(e.kind() == ErrorKind::Parse && !e.message().is_empty()),
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
    let pic = PicBucketQuery {
        regions: f[3].split(';').map(str::to_owned).collect(),
        bucket_names: f[4].split(';').map(str::to_owned).collect(),
        bucket_name_prefix: Some(f[5].clone()),
        page_number: data.first().map(|&b| b as u64),
        page_size: data.last().map(|&b| b as u64),
    };
    let ai = AiQueueQuery { queue_ids: f[4].split(';').map(str::to_owned).collect(), category: Some(f[3].clone()), ..Default::default() };
    for params in [pic.to_params(), ai.to_params()] {
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
