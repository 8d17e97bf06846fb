//! The emulator's credential services against the core's providers: the CVM
//! metadata role endpoints (`CvmRoleProvider`), STS AssumeRoleWithWebIdentity
//! (`OidcProvider`), the temporary credentials they issue (accepted by the CI
//! calls until they expire, then 400 ExpiredToken), the forced-ExpiredToken
//! knob, the counters, the faults on these routes, and the error envelope.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cloud_infinite::credentials::{CredentialCache, CredentialProvider, CvmRoleProvider, ExpiringCredentials, Fetched, OidcProvider};
use cloud_infinite::sign::{Credentials, SignWindow};
use cloud_infinite::{BucketList, BucketQuery, ErrorKind};
use serde_json::Value;
use support::{unix_now, Emulator, METADATA_ROLE, OIDC_PROVIDER_ID, OIDC_ROLE_ARN, STS_HEADERS, WEB_IDENTITY_TOKEN};

const SERVICE_HOST: &str = "ci.ap-guangzhou.myqcloud.com";
const ROLES_PATH: &str = "/latest/meta-data/cam/security-credentials/";

/// What `provider` found, which must be credentials.
fn found(provider: &dyn CredentialProvider) -> ExpiringCredentials {
    match provider.fetch() {
        Ok(Fetched::Found(creds)) => creds,
        other => panic!("{} found no credentials: {other:?}", provider.name()),
    }
}

/// `ExpiredTime` of fetched credentials, in Unix seconds.
fn expires_unix(creds: &ExpiringCredentials) -> u64 {
    creds.expires_at.expect("temporary credentials expire").duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A signature window around now.
fn fresh_window() -> SignWindow {
    let now = unix_now();
    SignWindow { start: now - 60, end: now + 600 }
}

/// `GET /picbucket` on the service host, signed with `creds` (and their token).
fn ci_get(emu: &Emulator, creds: &Credentials) -> (u16, String, String) {
    emu.signed_get_as(creds, fresh_window(), SERVICE_HOST, "/picbucket", &[])
}

/// The text of the first `<name>` element of an XML body.
fn element<'b>(body: &'b str, name: &str) -> Option<&'b str> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{name}>"))? + start;
    Some(&body[start..end])
}

/// A header's value from a lowercased head.
fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).map(str::trim)
}

/// Sleeps until the wall clock reaches Unix second `t`, which must be near.
fn sleep_until_unix(t: u64) {
    let target = UNIX_EPOCH + Duration::from_secs(t);
    let wait = target.duration_since(SystemTime::now()).unwrap_or_default();
    assert!(wait <= Duration::from_secs(5), "refusing to wait {wait:?}");
    std::thread::sleep(wait + Duration::from_millis(50));
}

/// A web identity token file with `contents`, removed on drop.
struct TokenFile(PathBuf);

impl TokenFile {
    fn new(name: &str, contents: &str) -> TokenFile {
        let path = std::env::temp_dir().join(format!("ci-emulator-credentials-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TokenFile(path)
    }

    fn write(&self, contents: &str) {
        std::fs::write(&self.0, contents).unwrap();
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TokenFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil),
/// to read `Expiration` back independently of the emulator's writer.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2023-06-14T05:06:57Z` as Unix seconds.
fn parse_utc(text: &str) -> i64 {
    assert!(text.len() == 20 && text.ends_with('Z') && &text[10..11] == "T", "not ISO-8601 UTC: {text:?}");
    let n = |range: std::ops::Range<usize>| text[range].parse::<i64>().unwrap();
    days_from_civil(n(0..4), n(5..7), n(8..10)) * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

#[test]
fn the_cvm_provider_gets_new_keys_each_time_and_a_client_calls_with_them() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", "600"]);
    let provider = CvmRoleProvider::new().endpoint(emu.metadata_endpoint());
    let before = unix_now();
    let a = found(&provider);
    let b = found(&provider);
    let (ca, cb) = (&a.credentials, &b.credentials);
    assert!(ca.secret_id().starts_with("AKID") && ca.session_token().is_some());
    assert_ne!(ca.secret_id(), cb.secret_id());
    assert_ne!(ca.secret_key(), cb.secret_key());
    assert_ne!(ca.session_token(), cb.session_token());
    let expiry = expires_unix(&a);
    assert!((before + 600..=unix_now() + 600).contains(&expiry), "expires {expiry}, fetched at {before}");

    let client = emu
        .client()
        .secret_id(ca.secret_id())
        .secret_key(ca.secret_key())
        .session_token(ca.session_token().unwrap())
        .build()
        .unwrap();
    let page = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    assert!(!page.to_items().is_empty());

    let stats = emu.credentials();
    assert_eq!(stats["issued"]["metadata"], 2, "{stats}");
    assert_eq!(stats["issued"]["sts"], 0);
    assert_eq!(stats["requests"]["metadata"], 4, "a role list and a role per fetch: {stats}");
    assert_eq!(stats["by_status"]["metadata"]["200"], 4);
    assert_eq!(stats["issued"]["used"], 1, "only the first pair called: {stats}");
    assert_eq!(stats["issued"]["accepted_requests"], 1);
    assert_eq!(emu.requests(), 1, "the CI stats count CI calls only");
}

#[test]
fn the_metadata_answers_are_tencents_shapes_on_any_host() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", "900"]);
    let get = |host: &str, path: &str| emu.raw(&format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
    for host in ["metadata.tencentyun.com", "127.0.0.1", "examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com"] {
        let (status, head, body) = get(host, ROLES_PATH);
        assert_eq!((status, body.as_str()), (200, METADATA_ROLE), "{host}");
        assert!(header(&head, "content-type").is_some_and(|t| t.starts_with("text/plain")), "{head}");
    }
    // cos-go-sdk-v5's spelling, without the last slash.
    assert_eq!(get("metadata.tencentyun.com", ROLES_PATH.trim_end_matches('/')).2, METADATA_ROLE);

    let before = unix_now() as i64;
    let (status, head, body) = get("metadata.tencentyun.com", &format!("{ROLES_PATH}{METADATA_ROLE}"));
    assert_eq!(status, 200, "{body}");
    assert!(header(&head, "content-type").is_some_and(|t| t.starts_with("application/json")), "{head}");
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["Code"], "Success");
    for field in ["TmpSecretId", "TmpSecretKey", "Token"] {
        assert!(json[field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {json}");
    }
    let expired_time = json["ExpiredTime"].as_i64().expect("ExpiredTime is Unix seconds");
    assert!((before + 900..=unix_now() as i64 + 900).contains(&expired_time), "{json}");
    assert_eq!(parse_utc(json["Expiration"].as_str().unwrap()), expired_time, "Expiration is ExpiredTime in UTC");

    assert_eq!(get("metadata.tencentyun.com", &format!("{ROLES_PATH}other-role")).0, 404, "an unknown role");
    assert_eq!(get("metadata.tencentyun.com", "/latest/meta-data/placement/region").0, 404);
    let (status, _, _) = emu.raw(&format!("POST {ROLES_PATH} HTTP/1.1\r\nHost: m\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    assert_eq!(status, 405);
    // The CI calls are where they were.
    assert_eq!(emu.signed_get(SERVICE_HOST, "/picbucket", &[]).0, 200);
    assert_eq!(emu.credentials()["issued"]["metadata"], 1);
}

#[test]
fn the_provider_takes_the_first_listed_role_and_checks_its_name() {
    let emu = Emulator::start_with(&["--metadata-role", "first-role", "--metadata-role", "second-role"]);
    let listing = emu.raw(&format!("GET {ROLES_PATH} HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n")).2;
    assert_eq!(listing, "first-role\nsecond-role");
    found(&CvmRoleProvider::new().endpoint(emu.metadata_endpoint()));
    found(&CvmRoleProvider::new().endpoint(emu.metadata_endpoint()).role("second-role"));

    // A hostile first line is refused by the provider, not requested.
    emu.set_credentials(r#"{"roles": ["../../etc/passwd", "second-role"]}"#);
    let e = CvmRoleProvider::new().endpoint(emu.metadata_endpoint()).fetch().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.message().contains("not a CAM role name"), "{e}");
    let stats = emu.credentials();
    assert_eq!(stats["issued"]["metadata"], 2, "{stats}");
    assert_eq!(stats["requests"]["metadata"], 5, "two fetches of two requests, one list: {stats}");
}

#[test]
fn no_role_bound_is_absent_and_an_unknown_role_is_an_error() {
    let emu = Emulator::start_with(&["--no-metadata-role"]);
    let provider = CvmRoleProvider::new().endpoint(emu.metadata_endpoint());
    match provider.fetch() {
        Ok(Fetched::Absent(why)) => assert!(why.contains("no CAM role"), "{why}"),
        other => panic!("no role bound must be absent: {other:?}"),
    }
    assert_eq!(emu.credentials()["by_status"]["metadata"]["404"], 1);

    let e = CvmRoleProvider::new().endpoint(emu.metadata_endpoint()).role("nosuch-role").fetch().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.message().contains("404"), "{e}");

    // A role bound later is found by the same provider.
    let stats = emu.set_credentials(r#"{"roles": ["late-role"]}"#);
    assert_eq!(stats["roles"], serde_json::json!(["late-role"]));
    found(&provider);
    assert_eq!(emu.credentials()["issued"]["metadata"], 1);
}

#[test]
fn the_oidc_provider_assumes_the_role_and_reads_its_token_file_each_time() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", "600"]);
    let file = TokenFile::new("oidc", &format!("{WEB_IDENTITY_TOKEN}\n"));
    let provider = OidcProvider::new("ap-guangzhou", OIDC_PROVIDER_ID, file.path(), OIDC_ROLE_ARN).endpoint(emu.sts_endpoint());
    let before = unix_now();
    let creds = found(&provider);
    assert!((before + 600..=unix_now() + 600).contains(&expires_unix(&creds)), "the emulator's lifetime, not DurationSeconds");
    let (status, _, body) = ci_get(&emu, &creds.credentials);
    assert_eq!(status, 200, "{body}");

    file.write("a-token-of-someone-else");
    let e = provider.fetch().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.message().contains("InvalidParameter.WebIdentityTokenError"), "{e}");
    assert!(!e.message().contains("someone-else"), "the token is never echoed: {e}");

    file.write(WEB_IDENTITY_TOKEN);
    let again = found(&provider);
    assert_ne!(again.credentials.secret_id(), creds.credentials.secret_id());

    let wrong_role = OidcProvider::new("ap-guangzhou", OIDC_PROVIDER_ID, file.path(), "qcs::cam::uin/1:roleName/x").endpoint(emu.sts_endpoint());
    assert!(wrong_role.fetch().unwrap_err().message().contains("InternalError.GetRoleError"));

    let stats = emu.credentials();
    assert_eq!((stats["issued"]["sts"].as_u64(), stats["requests"]["sts"].as_u64()), (Some(2), Some(4)), "{stats}");
    assert_eq!(stats["by_status"]["sts"]["200"], 4, "STS answers errors with HTTP 200: {stats}");
    assert_eq!(stats["issued"]["metadata"], 0);
}

#[test]
fn sts_refuses_what_the_service_refuses_in_its_envelope() {
    let emu = Emulator::start();
    let body = |token: &str, arn: &str, extra: &str| {
        format!(
            r#"{{"ProviderId":"{OIDC_PROVIDER_ID}","WebIdentityToken":"{token}","RoleArn":"{arn}","RoleSessionName":"cloud-infinite-1"{extra}}}"#
        )
    };
    let good = body(WEB_IDENTITY_TOKEN, OIDC_ROLE_ARN, r#","DurationSeconds":7200"#);

    let (status, ok) = emu.sts_call(STS_HEADERS, &good);
    assert_eq!(status, 200);
    let response = &ok["Response"];
    for field in ["TmpSecretId", "TmpSecretKey", "Token"] {
        assert!(response["Credentials"][field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {ok}");
    }
    assert_eq!(parse_utc(response["Expiration"].as_str().unwrap()), response["ExpiredTime"].as_i64().unwrap());
    assert!(response["RequestId"].as_str().is_some_and(|id| id.len() == 36), "{ok}");
    assert!(response.get("Error").is_none());

    let without_auth = STS_HEADERS.replace("Authorization: SKIP\r\n", "");
    assert!(emu.sts_call(&without_auth, &good).1["Response"]["Credentials"].is_object(), "no Authorization is as good as SKIP");

    let refusals: Vec<(String, String, &str)> = vec![
        (STS_HEADERS.into(), r#"{"ProviderId":"emulator-oidc-provider"}"#.into(), "InvalidParameter.ParamError"),
        (STS_HEADERS.into(), body("wrong-token", OIDC_ROLE_ARN, ""), "InvalidParameter.WebIdentityTokenError"),
        (STS_HEADERS.into(), body(WEB_IDENTITY_TOKEN, "qcs::cam::uin/1:roleName/other", ""), "InternalError.GetRoleError"),
        (STS_HEADERS.into(), good.replace(OIDC_PROVIDER_ID, "another-provider"), "InvalidParameter.ParamError"),
        (STS_HEADERS.into(), body(WEB_IDENTITY_TOKEN, OIDC_ROLE_ARN, r#","Policy":"{}""#), "UnknownParameter"),
        (STS_HEADERS.into(), body(WEB_IDENTITY_TOKEN, OIDC_ROLE_ARN, r#","DurationSeconds":0"#), "InvalidParameter.ParamError"),
        (STS_HEADERS.into(), body(WEB_IDENTITY_TOKEN, OIDC_ROLE_ARN, r#","DurationSeconds":43201"#), "InvalidParameter.ParamError"),
        (STS_HEADERS.into(), body(WEB_IDENTITY_TOKEN, OIDC_ROLE_ARN, r#","DurationSeconds":"7200""#), "InvalidParameter.ParamError"),
        (STS_HEADERS.into(), good.replace("cloud-infinite-1", "x"), "InvalidParameter.ParamError"),
        (STS_HEADERS.into(), "not json".into(), "InvalidParameter.ParamError"),
        (STS_HEADERS.replace("AssumeRoleWithWebIdentity", "AssumeRole"), good.clone(), "InvalidAction"),
        (STS_HEADERS.replace("2018-08-13", "2017-03-12"), good.clone(), "NoSuchVersion"),
        (STS_HEADERS.replace("SKIP", "TC3-HMAC-SHA256 Credential=AKID/x"), good.clone(), "AuthFailure.InvalidAuthorization"),
        (STS_HEADERS.replace("X-TC-Region: ap-guangzhou\r\n", ""), good.clone(), "MissingParameter"),
        (STS_HEADERS.replace("application/json", "application/x-www-form-urlencoded"), good.clone(), "InvalidParameter.ParamError"),
    ];
    for (headers, body, code) in &refusals {
        let (status, answer) = emu.sts_call(headers, body);
        assert_eq!(status, 200, "API 3.0 answers errors with HTTP 200: {answer}");
        let response = &answer["Response"];
        assert_eq!(response["Error"]["Code"], *code, "{body} with {headers:?}: {answer}");
        assert!(response["Error"]["Message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
        assert!(response["RequestId"].as_str().is_some_and(|id| !id.is_empty()), "{answer}");
        assert!(response.get("Credentials").is_none(), "{answer}");
    }
    let (status, missing) = emu.sts_call(STS_HEADERS, r#"{"ProviderId":"emulator-oidc-provider"}"#);
    assert_eq!(status, 200);
    assert!(missing["Response"]["Error"]["Message"].as_str().unwrap().contains("WebIdentityToken"), "{missing}");

    // A GET to `/` naming the action is STS's; without one it is a CI path.
    let (_, get_sts) = {
        let (status, _, answer) = emu.raw(&format!("GET / HTTP/1.1\r\nHost: sts.tencentcloudapi.com\r\n{STS_HEADERS}Connection: close\r\n\r\n"));
        (status, serde_json::from_str::<Value>(&answer).unwrap())
    };
    assert_eq!(get_sts["Response"]["Error"]["Code"], "UnsupportedOperation");
    let (status, _, xml) = emu.raw("GET / HTTP/1.1\r\nHost: ci.ap-guangzhou.myqcloud.com\r\nConnection: close\r\n\r\n");
    assert_eq!((status, element(&xml, "Code")), (400, Some("InvalidURI")));

    let stats = emu.credentials();
    assert_eq!(stats["issued"]["sts"], 2, "only the two good calls issued: {stats}");
    assert_eq!(stats["requests"]["sts"], 2 + refusals.len() as u64 + 2, "{stats}");
}

#[test]
fn issued_credentials_work_until_they_expire_then_answer_expired_token() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", "2"]);
    let provider = CvmRoleProvider::new().endpoint(emu.metadata_endpoint());
    let old = found(&provider);
    let (status, _, body) = ci_get(&emu, &old.credentials);
    assert_eq!(status, 200, "{body}");

    sleep_until_unix(expires_unix(&old));
    let (status, head, body) = ci_get(&emu, &old.credentials);
    assert_eq!(status, 400, "ExpiredToken is HTTP 400 in COS's table: {body}");
    assert_eq!(element(&body, "Code"), Some("ExpiredToken"), "{body}");
    assert_eq!(element(&body, "Message"), Some("The provided token has expired."));
    assert!(body.contains("<Error>") && element(&body, "Resource").is_some() && element(&body, "TraceId").is_some(), "{body}");
    let request_id = header(&head, "x-ci-request-id").expect("x-ci-request-id");
    assert_eq!(element(&body, "RequestId").map(str::to_ascii_lowercase).as_deref(), Some(request_id), "the helper lowercases the head");

    // An ended signature window is the other failure, whatever the token:
    // 403 "Request has expired" with new keys, ExpiredToken with the old.
    let now = unix_now();
    let ended = SignWindow { start: now - 700, end: now - 100 };
    let new = found(&provider);
    let (status, _, body) = emu.signed_get_as(&new.credentials, ended, SERVICE_HOST, "/picbucket", &[]);
    assert_eq!((status, element(&body, "Code"), element(&body, "Message")), (403, Some("AccessDenied"), Some("Request has expired")));
    let (status, _, body) = emu.signed_get_as(&old.credentials, ended, SERVICE_HOST, "/picbucket", &[]);
    assert_eq!((status, element(&body, "Code")), (400, Some("ExpiredToken")));
    assert_eq!(ci_get(&emu, &new.credentials).0, 200);

    // The expired token must be the one shown: a wrong one is not ExpiredToken.
    let forged = Credentials::new(old.credentials.secret_id(), old.credentials.secret_key()).with_session_token("forged-token");
    let (status, _, body) = ci_get(&emu, &forged);
    assert_eq!((status, element(&body, "Code")), (403, Some("InvalidSecurity")));

    let stats = emu.credentials();
    assert_eq!(stats["expired_token_answers"], 2, "{stats}");
    assert_eq!(stats["issued"]["live"], 1, "{stats}");
    assert_eq!(emu.signed_get(SERVICE_HOST, "/picbucket", &[]).0, 200, "long-term keys never expire");
}

#[test]
fn a_cache_over_the_cvm_provider_fetches_once_per_expiry_for_eight_threads() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", "2"]);
    let cache = CredentialCache::from_provider(std::sync::Arc::new(CvmRoleProvider::new().endpoint(emu.metadata_endpoint())), Duration::ZERO);
    let mut ids = Vec::new();
    for round in 0..3 {
        let leases: Vec<_> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        let lease = cache.current(None, Instant::now() + Duration::from_secs(10)).unwrap();
                        let (status, _, body) = ci_get(&emu, &lease.credentials.credentials);
                        assert_eq!(status, 200, "round {round}: {body}");
                        lease
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let id = leases[0].credentials.credentials.secret_id().to_owned();
        assert!(leases.iter().all(|l| l.credentials.credentials.secret_id() == id), "round {round}: one set for all threads");
        assert_eq!(emu.credentials()["issued"]["metadata"], round + 1, "round {round}: one issue, not eight");
        ids.push(id);
        sleep_until_unix(expires_unix(&leases[0].credentials));
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "a new pair per expiry: {ids:?}");
    assert_eq!(cache.fetches(), 3);
    let stats = emu.credentials();
    assert_eq!((stats["issued"]["used"].as_u64(), stats["issued"]["accepted_requests"].as_u64()), (Some(3), Some(24)), "{stats}");
    assert_eq!(stats["expired_token_answers"], 0);
}

#[test]
fn forced_expired_token_hits_only_requests_with_a_valid_token() {
    let emu = Emulator::start();
    let issued = found(&CvmRoleProvider::new().endpoint(emu.metadata_endpoint()));
    let fixture_tmp = Credentials::new(support::TMP_SECRET_ID, support::TMP_SECRET_KEY).with_session_token(support::TMP_TOKEN);
    assert_eq!(emu.set_credentials(r#"{"expired_token_next": 2}"#)["expired_token_next"], 2);

    assert_eq!(emu.signed_get(SERVICE_HOST, "/picbucket", &[]).0, 200, "long-term keys carry no token");
    let bad = Credentials::new(support::TMP_SECRET_ID, "not-the-key").with_session_token(support::TMP_TOKEN);
    assert_eq!(element(&ci_get(&emu, &bad).2, "Code"), Some("SignatureDoesNotMatch"), "a refused request uses none up");
    assert_eq!(emu.credentials()["expired_token_next"], 2);

    for creds in [&fixture_tmp, &issued.credentials] {
        let (status, head, body) = ci_get(&emu, creds);
        assert_eq!((status, element(&body, "Code")), (400, Some("ExpiredToken")), "{body}");
        assert!(header(&head, "x-ci-request-id").is_some());
    }
    assert_eq!(ci_get(&emu, &issued.credentials).0, 200, "two forced answers, then as before");
    assert_eq!(ci_get(&emu, &fixture_tmp).0, 200);
    let stats = emu.credentials();
    assert_eq!((stats["expired_token_next"].as_u64(), stats["expired_token_answers"].as_u64()), (Some(0), Some(2)), "{stats}");
    assert_eq!(emu.control_status("POST", "credentials", r#"{"expired_token_next": -1}"#), 400);
}

#[test]
fn the_lifetime_follows_the_flag_and_the_control_endpoint_and_reset_restores_it() {
    let emu = Emulator::start_with(&["--credential-lifetime-secs", "30"]);
    let provider = CvmRoleProvider::new().endpoint(emu.metadata_endpoint());
    // Seconds from just before the fetch to the expiry: the lifetime, or one
    // more when the fetch crossed a second.
    let lifetime = |creds: &ExpiringCredentials, before: u64| expires_unix(creds) - before;
    let before = unix_now();
    let first = found(&provider);
    assert!((30..=31).contains(&lifetime(&first, before)), "{}", lifetime(&first, before));

    assert_eq!(emu.set_credentials(r#"{"lifetime_secs": 100}"#)["lifetime_secs"], 100);
    let before = unix_now();
    assert!((100..=101).contains(&lifetime(&found(&provider), before)));
    for bad in [r#"{"lifetime_secs": 99999999999}"#, r#"{"roles": [""]}"#, r#"{"role_arn": ""}"#, r#"{"lifetime": 5}"#] {
        assert_eq!(emu.control_status("POST", "credentials", bad), 400, "{bad}");
    }
    let stats = emu.credentials();
    assert_eq!((stats["lifetime_secs"].as_u64(), stats["roles"].clone()), (Some(100), serde_json::json!([METADATA_ROLE])), "a bad body changes nothing");

    emu.set_credentials(r#"{"roles": [], "expired_token_next": 5, "provider_id": "p2"}"#);
    emu.reset();
    let stats = emu.credentials();
    assert_eq!(stats["lifetime_secs"], 30, "{stats}");
    assert_eq!(stats["roles"], serde_json::json!([METADATA_ROLE]));
    assert_eq!(stats["provider_id"], OIDC_PROVIDER_ID);
    assert_eq!(stats["expired_token_next"], 0);
    assert_eq!((stats["issued"]["total"].as_u64(), stats["requests"]["metadata"].as_u64()), (Some(0), Some(0)), "{stats}");
    assert_eq!(ci_get(&emu, &first.credentials).0, 200, "a reset keeps issued credentials valid");
}

#[test]
fn faults_that_name_a_credential_route_hit_it_and_others_do_not() {
    let emu = Emulator::start();
    let provider = CvmRoleProvider::new().endpoint(emu.metadata_endpoint());
    emu.arm_fault(&format!(r#"{{"kind": "status", "status": 503, "times": 2, "path": "{ROLES_PATH}"}}"#));
    found(&provider);
    let stats = emu.credentials();
    assert_eq!(stats["by_status"]["metadata"], serde_json::json!({"200": 2, "503": 2}), "the provider retried: {stats}");

    // A fault for any path is the CI calls' alone.
    emu.arm_fault(r#"{"kind": "status", "status": 500, "times": 1}"#);
    found(&provider);
    let (status, _, body) = emu.signed_get(SERVICE_HOST, "/picbucket", &[]);
    assert_eq!((status, element(&body, "Code")), (500, Some("InternalError")));

    let role_path = format!("{ROLES_PATH}{METADATA_ROLE}");
    // Three, one per attempt the provider makes (it reads a cut-off body as
    // a network failure and tries again), so that the last one shows.
    emu.arm_fault(&format!(r#"{{"kind": "oversized", "size": 1048576, "times": 3, "path": "{role_path}"}}"#));
    let e = provider.fetch().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credentials);
    assert!(e.message().contains("larger than"), "the provider caps the answer: {e}");
    emu.reset();
    emu.arm_fault(&format!(r#"{{"kind": "malformed", "times": 1, "path": "{role_path}"}}"#));
    assert!(provider.fetch().unwrap_err().message().contains("not JSON"));

    // STS is `/`: a reset connection is retried by the provider.
    let file = TokenFile::new("faults", WEB_IDENTITY_TOKEN);
    let oidc = OidcProvider::new("ap-guangzhou", OIDC_PROVIDER_ID, file.path(), OIDC_ROLE_ARN).endpoint(emu.sts_endpoint());
    emu.arm_fault(r#"{"kind": "reset", "times": 1, "path": "/"}"#);
    found(&oidc);
    let stats = emu.credentials();
    assert_eq!((stats["requests"]["sts"].as_u64(), stats["issued"]["sts"].as_u64()), (Some(2), Some(1)), "{stats}");
}
