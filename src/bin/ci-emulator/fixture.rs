//! The emulator's data: the fixture file format, the built-in default, and the
//! indexes built once at startup so no request scans more than it must.

use std::collections::HashMap;

use cloud_infinite::sign::Credentials;
use serde::{Deserialize, Serialize};

use crate::faults::{FaultKind, FaultSpec};

/// A fixture file, exactly as `--fixture` reads and `--dump-fixture` writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureFile {
    /// Keys the signature check accepts.
    #[serde(default)]
    pub credentials: Vec<CredentialSpec>,
    /// Buckets, in the order the listings return them.
    #[serde(default)]
    pub buckets: Vec<BucketSpec>,
}

/// One accepted key pair.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSpec {
    /// `q-ak`.
    pub secret_id: String,
    /// The key signatures are checked with.
    pub secret_key: String,
    /// Set for temporary credentials: requests must then carry and sign it.
    #[serde(default)]
    pub session_token: Option<String>,
}

/// One bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketSpec {
    /// `<BucketName-APPID>`, also its BucketId.
    pub name: String,
    /// Region, e.g. `ap-guangzhou`.
    pub region: String,
    /// `CreateTime` as the service writes it; absent when `None`.
    #[serde(default)]
    pub create_time: Option<String>,
    /// Whether `/picbucket` lists it.
    #[serde(default = "yes")]
    pub pic_process: bool,
    /// Its AI processing queues, in listing order.
    #[serde(default)]
    pub queues: Vec<QueueSpec>,
    /// A fault hitting this bucket's `/ai_queue` requests.
    #[serde(default)]
    pub fault: Option<FaultSpec>,
}

/// serde's default for `pic_process`.
fn yes() -> bool {
    true
}

/// One AI processing queue; every field but the id may be absent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// `QueueId`.
    pub queue_id: String,
    /// `Name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `State`: `Active` or `Paused`.
    #[serde(default)]
    pub state: Option<String>,
    /// `NotifyConfig`; absent when `None`.
    #[serde(default)]
    pub notify_config: Option<NotifyConfig>,
    /// `MaxSize`.
    #[serde(default)]
    pub max_size: Option<u64>,
    /// `MaxConcurrent`.
    #[serde(default)]
    pub max_concurrent: Option<u64>,
    /// `Category`, e.g. `AIProcess`.
    #[serde(default)]
    pub category: Option<String>,
    /// `UpdateTime`.
    #[serde(default)]
    pub update_time: Option<String>,
    /// `CreateTime`.
    #[serde(default)]
    pub create_time: Option<String>,
}

/// A queue's callback configuration; each member is written only when present.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// `Url`.
    #[serde(default)]
    pub url: Option<String>,
    /// `Event`.
    #[serde(default)]
    pub event: Option<String>,
    /// `Type`: `Url` or `TDMQ`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `State`: `On` or `Off`.
    #[serde(default)]
    pub state: Option<String>,
    /// `ResultFormat`.
    #[serde(default)]
    pub result_format: Option<String>,
    /// `MqMode`.
    #[serde(default)]
    pub mq_mode: Option<String>,
    /// `MqRegion`.
    #[serde(default)]
    pub mq_region: Option<String>,
    /// `MqName`.
    #[serde(default)]
    pub mq_name: Option<String>,
}

/// The fixture, validated and indexed.
pub struct Fixture {
    /// The data as loaded.
    pub file: FixtureFile,
    /// The fixture as pretty JSON, computed once for the control endpoint.
    pub json: String,
    buckets_by_name: HashMap<String, usize>,
    credentials_by_id: HashMap<String, usize>,
    credentials: Vec<Credentials>,
    queues_by_id: Vec<HashMap<String, usize>>,
}

impl Fixture {
    /// Validates and indexes `file`; says what is wrong with it otherwise.
    pub fn new(file: FixtureFile) -> Result<Self, String> {
        let mut credentials_by_id = HashMap::new();
        let mut credentials = Vec::with_capacity(file.credentials.len());
        for (i, c) in file.credentials.iter().enumerate() {
            if c.secret_id.is_empty() || c.secret_key.is_empty() {
                return Err(format!("credentials[{i}]: secret_id and secret_key must not be empty"));
            }
            if credentials_by_id.insert(c.secret_id.clone(), i).is_some() {
                return Err(format!("credentials[{i}]: secret_id {:?} appears twice", c.secret_id));
            }
            let mut creds = Credentials::new(c.secret_id.clone(), c.secret_key.clone());
            if let Some(token) = &c.session_token {
                creds = creds.with_session_token(token.clone());
            }
            credentials.push(creds);
        }
        let mut buckets_by_name = HashMap::new();
        let mut queues_by_id = Vec::with_capacity(file.buckets.len());
        for (i, b) in file.buckets.iter().enumerate() {
            if b.name.is_empty() || b.name.contains(['.', '/', ' ']) {
                return Err(format!("buckets[{i}]: bad bucket name {:?}", b.name));
            }
            if b.region.is_empty() || b.region.contains(['.', '/', ' ']) {
                return Err(format!("buckets[{i}] ({}): bad region {:?}", b.name, b.region));
            }
            if buckets_by_name.insert(b.name.to_ascii_lowercase(), i).is_some() {
                return Err(format!("buckets[{i}]: bucket {:?} appears twice", b.name));
            }
            if let Some(fault) = &b.fault {
                fault.validate().map_err(|e| format!("buckets[{i}] ({}): {e}", b.name))?;
            }
            let mut ids = HashMap::with_capacity(b.queues.len());
            for (j, q) in b.queues.iter().enumerate() {
                if q.queue_id.is_empty() {
                    return Err(format!("buckets[{i}] ({}) queues[{j}]: empty queue_id", b.name));
                }
                if ids.insert(q.queue_id.clone(), j).is_some() {
                    return Err(format!("buckets[{i}] ({}): queue {:?} appears twice", b.name, q.queue_id));
                }
            }
            queues_by_id.push(ids);
        }
        let json = serde_json::to_string_pretty(&file).map_err(|e| format!("cannot serialise the fixture: {e}"))?;
        Ok(Fixture { file, json, buckets_by_name, credentials_by_id, credentials, queues_by_id })
    }

    /// Reads and checks a fixture file.
    pub fn load(path: &str) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read fixture {path}: {e}"))?;
        let file: FixtureFile =
            serde_json::from_str(&text).map_err(|e| format!("fixture {path} is not valid: {e}"))?;
        Fixture::new(file).map_err(|e| format!("fixture {path}: {e}"))
    }

    /// The index of the bucket with this (lowercase) name.
    pub fn bucket_index(&self, lowercase_name: &str) -> Option<usize> {
        self.buckets_by_name.get(lowercase_name).copied()
    }

    /// The credentials whose SecretId is `secret_id`.
    pub fn credentials(&self, secret_id: &str) -> Option<&Credentials> {
        self.credentials_by_id.get(secret_id).map(|&i| &self.credentials[i])
    }

    /// The index, within bucket `bucket`, of the queue `queue_id`.
    pub fn queue_index(&self, bucket: usize, queue_id: &str) -> Option<usize> {
        self.queues_by_id.get(bucket)?.get(queue_id).copied()
    }
}

/// APPID every default bucket carries.
const APPID: &str = "1250000000";

/// The generated buckets' regions, with how many pic-process buckets each has
/// (ap-guangzhou's 50 include `examplebucket`).
const REGIONS: [(&str, usize); 5] =
    [("ap-guangzhou", 50), ("ap-shanghai", 40), ("ap-beijing", 25), ("ap-chongqing", 10), ("ap-singapore", 5)];

/// Name prefixes the generated buckets cycle through, so prefix search has
/// something to tell apart.
const PREFIXES: [&str; 4] = ["photos-", "videos-", "docs-", "archive-"];

/// A deterministic 64-bit mix (splitmix64): queue ids that look random but
/// never change between runs.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// `p` + 32 lowercase hex digits, derived from `seed`.
fn queue_id(seed: u64) -> String {
    format!("p{:016x}{:016x}", mix(seed), mix(seed ^ 0x5555_5555_5555_5555))
}

/// Unix seconds as `2019-11-15T12:12:12+0800`, the service's time format.
pub fn beijing_time(unix: i64) -> String {
    let local = unix + 8 * 3600;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+0800",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// 2019-11-15T12:12:12+0800, the docs' example bucket's creation time.
const EXAMPLE_CREATED: i64 = 1_573_791_132;

/// Shorthand for the many optional strings of the default fixture.
fn owned(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// The 25 queues of `examplebucket-1250000000`: every NotifyConfig shape,
/// both states, two categories, and names that need escaping.
fn example_queues() -> Vec<QueueSpec> {
    (0..25u64)
        .map(|i| {
            let at = 1_660_033_391 + i as i64 * 7_321; // 2022-08-09T16:23:11+0800 onwards
            let mut q = QueueSpec {
                queue_id: queue_id(1000 + i),
                name: Some(format!("queue-ai-{i:02}")),
                state: owned(if i % 3 == 1 { "Paused" } else { "Active" }),
                notify_config: None,
                max_size: Some(10_000),
                max_concurrent: Some(if i % 4 == 3 { 5 } else { 10 }),
                category: owned(if i % 7 == 5 { "MultiProcess" } else { "AIProcess" }),
                update_time: Some(beijing_time(at + 3_600)),
                create_time: Some(beijing_time(at)),
            };
            q.notify_config = match i % 5 {
                0 => Some(NotifyConfig {
                    url: owned("http://callback.demo.com"),
                    event: owned("TaskFinish,WorkflowFinish"),
                    kind: owned("Url"),
                    state: owned("On"),
                    result_format: owned("JSON"),
                    ..NotifyConfig::default()
                }),
                1 => None,
                2 => Some(NotifyConfig {
                    event: owned("TaskFinish"),
                    kind: owned("TDMQ"),
                    state: owned("On"),
                    mq_mode: owned("Queue"),
                    mq_region: owned("bj"),
                    mq_name: Some(format!("ci-queue-topic-{i}")),
                    ..NotifyConfig::default()
                }),
                3 => Some(NotifyConfig { state: owned("Off"), ..NotifyConfig::default() }),
                _ => Some(NotifyConfig {
                    url: owned("https://hooks.example.com/ci?a=1&b=2"),
                    kind: owned("Url"),
                    ..NotifyConfig::default()
                }),
            };
            match i {
                // The docs' own example queue, so their samples can be compared as-is.
                0 => {
                    q.queue_id = "p4a17eeea29334bf499b7e20e2fbfd99d".into();
                    q.name = owned("My-Queue-ai");
                    q.update_time = owned("2022-08-09T16:23:11+0800");
                    q.create_time = owned("2022-08-09T16:23:11+0800");
                }
                1 => q.name = owned("q&<tag> \"double\" 'single'"),
                2 => q.name = owned("队列-测试"),
                _ => {}
            }
            q
        })
        .collect()
}

/// One queue for a fault bucket.
fn single_queue(seed: u64) -> Vec<QueueSpec> {
    vec![QueueSpec {
        queue_id: queue_id(seed),
        name: Some(format!("queue-{seed}")),
        state: owned("Active"),
        notify_config: None,
        max_size: Some(10_000),
        max_concurrent: Some(10),
        category: owned("AIProcess"),
        update_time: Some(beijing_time(1_690_000_000 + seed as i64)),
        create_time: Some(beijing_time(1_680_000_000 + seed as i64)),
    }]
}

/// The built-in fixture: deterministic, no randomness (see README.md for it in numbers).
pub fn default_fixture() -> FixtureFile {
    let credentials = vec![
        CredentialSpec {
            secret_id: "AKIDemulatorEXAMPLE".into(),
            secret_key: "emulator-secret-key".into(),
            session_token: None,
        },
        CredentialSpec {
            secret_id: "AKIDemulatorTMP".into(),
            secret_key: "emulator-tmp-key".into(),
            session_token: owned("emulator-session-token"),
        },
    ];

    let mut buckets = Vec::with_capacity(140);
    let mut generated = 0usize;
    for (region, count) in REGIONS {
        for _ in 0..count {
            if buckets.is_empty() {
                buckets.push(BucketSpec {
                    name: format!("examplebucket-{APPID}"),
                    region: region.into(),
                    create_time: Some(beijing_time(EXAMPLE_CREATED)),
                    pic_process: true,
                    queues: example_queues(),
                    fault: None,
                });
                continue;
            }
            let prefix = PREFIXES[generated % PREFIXES.len()];
            let n = generated / PREFIXES.len() + 1;
            // 1 day, 1 hour, 1 minute and 1 second apart: distinct in every field.
            let created = 1_577_808_000 + generated as i64 * 90_061;
            buckets.push(BucketSpec {
                name: format!("{prefix}{n}-{APPID}"),
                region: region.into(),
                create_time: Some(beijing_time(created)),
                pic_process: true,
                queues: Vec::new(),
                fault: None,
            });
            generated += 1;
        }
    }

    let status = |status: u16, code: &str, times: Option<u64>| FaultSpec {
        status: Some(status),
        code: owned(code),
        times,
        ..FaultSpec::forever(FaultKind::Status)
    };
    let faults: [(&str, Option<FaultSpec>); 9] = [
        ("flaky", Some(status(503, "ServiceUnavailable", Some(2)))),
        ("broken", Some(status(500, "InternalError", None))),
        ("slow", Some(FaultSpec { delay_ms: Some(2_000), ..FaultSpec::forever(FaultKind::Delay) })),
        ("reset", Some(FaultSpec::forever(FaultKind::Reset))),
        ("malformed", Some(FaultSpec::forever(FaultKind::Malformed))),
        ("truncated", Some(FaultSpec::forever(FaultKind::Truncated))),
        (
            "huge",
            Some(FaultSpec { size: Some(crate::faults::DEFAULT_OVERSIZED), ..FaultSpec::forever(FaultKind::Oversized) }),
        ),
        ("throttled", Some(status(503, "SlowDown", None))),
        ("emptybucket", None),
    ];
    for (i, (name, fault)) in faults.into_iter().enumerate() {
        let queues = if fault.is_some() { single_queue(2000 + i as u64) } else { Vec::new() };
        buckets.push(BucketSpec {
            name: format!("{name}-{APPID}"),
            region: "ap-guangzhou".into(),
            create_time: Some(beijing_time(1_640_966_400 + i as i64 * 86_400)),
            pic_process: false,
            queues,
            fault,
        });
    }
    FixtureFile { credentials, buckets }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_format_like_the_service() {
        assert_eq!(beijing_time(EXAMPLE_CREATED), "2019-11-15T12:12:12+0800");
        assert_eq!(beijing_time(1_660_033_391), "2022-08-09T16:23:11+0800");
    }

    #[test]
    fn default_fixture_has_the_promised_shape() {
        let f = Fixture::new(default_fixture()).unwrap();
        let pic: Vec<_> = f.file.buckets.iter().filter(|b| b.pic_process).collect();
        assert_eq!(pic.len(), 130);
        for (region, n) in REGIONS {
            assert_eq!(pic.iter().filter(|b| b.region == region).count(), n, "{region}");
        }
        let mut times: Vec<_> = f.file.buckets.iter().map(|b| b.create_time.clone()).collect();
        times.sort();
        times.dedup();
        assert_eq!(times.len(), f.file.buckets.len());
        let ex = f.bucket_index("examplebucket-1250000000").unwrap();
        assert_eq!(f.file.buckets[ex].queues.len(), 25);
        for q in &f.file.buckets[ex].queues {
            assert!(q.queue_id.len() == 33 && q.queue_id.starts_with('p'));
        }
        assert!(f.credentials("AKIDemulatorTMP").unwrap().session_token().is_some());
    }
}
