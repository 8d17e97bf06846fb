//! Every signature vector made by Tencent's official Python SDK
//! (cos-python-sdk-v5, clock pinned) is reproduced byte for byte, with each
//! intermediate string, so a mismatch says exactly which step differs.

use cloud_infinite::sign::{self, Credentials, SignWindow};
use serde_json::Value;

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sign_vectors.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

fn check(v: &Value, headers: &[(String, String)]) {
    check_with_params(v, v["path"].as_str().unwrap(), &pairs(&v["params"]), headers)
}

fn check_with_params(v: &Value, path: &str, params: &[(String, String)], headers: &[(String, String)]) {
    let name = v["name"].as_str().unwrap();
    let creds = Credentials::new(v["secret_id"].as_str().unwrap(), v["secret_key"].as_str().unwrap());
    let window = SignWindow { start: v["start_time"].as_u64().unwrap(), end: v["end_time"].as_u64().unwrap() };
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sig = sign::sign(&creds, v["method"].as_str().unwrap(), path, &params, &headers, window);
    assert_eq!(sig.http_string(), v["http_string"].as_str().unwrap(), "{name}: http_string");
    assert_eq!(sig.string_to_sign(), v["string_to_sign"].as_str().unwrap(), "{name}: string_to_sign");
    if let Some(expected) = v["sign_key"].as_str() {
        assert_eq!(sign::sign_key(creds.secret_key(), window), expected, "{name}: sign_key");
    }
    assert_eq!(sig.header_list(), v["signed_header_list"].as_str().unwrap(), "{name}: header list");
    assert_eq!(sig.param_list(), v["signed_param_list"].as_str().unwrap(), "{name}: param list");
    assert_eq!(sig.authorization(), v["expected_authorization"].as_str().unwrap(), "{name}: authorization");
}

#[test]
fn every_signer_vector_is_reproduced() {
    let all = vectors();
    let vectors = all["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 40, "the vector file changed size: check it on purpose");
    for v in vectors {
        check(v, &pairs(&v["headers"]));
    }
}

#[test]
fn every_sdk_call_vector_is_reproduced() {
    let all = vectors();
    let calls = all["sdk_call_vectors"].as_array().unwrap();
    assert!(!calls.is_empty());
    for v in calls {
        // The SDK signs the URL's host and, with temporary credentials, the token header.
        let url = v["url_sent"].as_str().unwrap();
        let host = url.split("://").nth(1).unwrap().split('/').next().unwrap();
        let mut headers = vec![("host".to_owned(), host.to_owned())];
        headers.extend(pairs(&v["headers_sent"]));
        // The SDK's URL is form-encoded (a space is `+`) while its signature
        // encodes a space as %20: the service decodes `+` as a space.
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let path = &path[path.find("://").unwrap() + 3..];
        let path = &path[path.find('/').unwrap()..];
        let params: Vec<(String, String)> = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                let decode = |s: &str| sign::percent_decode(&s.replace('+', " ")).into_owned();
                (decode(k), decode(v))
            })
            .collect();
        check_with_params(v, path, &params, &headers);
    }
}

/// The wire query uses the signer's encoder: the SDK's URL and ours agree
/// wherever the SDK encodes (it sends empty keys we never send).
#[test]
fn wire_query_matches_the_sdk_url() {
    let all = vectors();
    let v = all["sdk_call_vectors"].as_array().unwrap().iter().find(|v| v["name"] == "sdk_pic_all").unwrap();
    let query = cloud_infinite::BucketQuery {
        regions: vec!["ap-chongqing".into(), "ap-shanghai".into()],
        bucket_names: vec!["demo-1253960454".into(), "demo1-1253960454".into()],
        bucket_name_prefix: Some("demo".into()),
        page_number: Some(2),
        page_size: Some(3),
    };
    let path = cloud_infinite::request::path_and_query("/picbucket", &cloud_infinite::Query::to_params(&query, cloud_infinite::Operation::Buckets(cloud_infinite::BucketList::Pic).spec()).unwrap());
    assert_eq!(format!("https://ci.ap-guangzhou.myqcloud.com{path}"), v["url_sent"].as_str().unwrap());
}

/// The copy kept in the repo is the one in `shared/` (where a checkout has it).
#[test]
fn fixture_copy_matches_shared_vectors() {
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors/sign_vectors.json");
    match std::fs::read(shared) {
        Ok(bytes) => {
            let ours = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sign_vectors.json")).unwrap();
            assert!(bytes == ours, "tests/fixtures/sign_vectors.json differs from {shared}: copy it again");
        }
        Err(e) => eprintln!("note: {shared} not found ({e}); using the repo copy only"),
    }
}
