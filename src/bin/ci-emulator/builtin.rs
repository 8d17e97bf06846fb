//! The built-in fixture: deterministic data for every call of the table (no
//! randomness, so every run and every language's tests see the same answers).
//! README.md beside this file describes it in numbers.

use std::collections::BTreeMap;

use crate::faults::{FaultKind, FaultSpec};
use crate::fixture::{BucketSpec, CiSpec, CredentialSpec, FixtureFile, KafkaConfig, ListEntry, NotifyConfig, QueueSpec};

/// APPID every default bucket carries.
const APPID: &str = "1250000000";

/// The listed buckets' regions, with how many buckets each has (ap-guangzhou's
/// 50 include `examplebucket`). All of them are pic buckets.
const REGIONS: [(&str, usize); 5] =
    [("ap-guangzhou", 50), ("ap-shanghai", 40), ("ap-beijing", 25), ("ap-chongqing", 10), ("ap-singapore", 5)];

/// Name prefixes the generated buckets cycle through, so prefix search has
/// something to tell apart.
const PREFIXES: [&str; 4] = ["photos-", "videos-", "docs-", "archive-"];

/// Whether a list lists the `i`-th listed bucket.
type Listed = fn(usize) -> bool;

/// Which bucket lists list the `i`-th listed bucket (0 = `examplebucket`, in
/// every list): each service a different subset, so a test that reads the
/// wrong list's answer sees different buckets. The periods are prime to the
/// 4 name prefixes, so every list has buckets of every prefix.
const BUCKET_LISTS: [(&str, Listed); 6] = [
    ("pic_buckets", |_| true),
    ("media_buckets", |i| i % 3 != 1),
    ("ai_buckets", |i| i % 3 == 0),
    ("asr_buckets", |i| i % 5 == 0),
    ("doc_buckets", |i| i % 7 == 0),
    ("file_buckets", |i| i % 11 == 0),
];

/// Tag keys of the CI buckets: the `i`-th bucket has key `k` when `i % every == rest`.
/// `项目` makes `tagKey` need percent-encoding.
const TAGS: [(&str, &str, usize, usize); 4] =
    [("env", "prod", 2, 0), ("team", "media", 3, 0), ("cost-center", "cc-42", 5, 1), ("项目", "万象", 7, 3)];

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

/// 2022-08-09T16:23:11+0800, the docs' example queues' times.
const QUEUES_CREATED: i64 = 1_660_033_391;

/// Shorthand for the many optional strings of the default fixture.
fn owned(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// The docs' full Url callback.
fn url_callback() -> NotifyConfig {
    NotifyConfig {
        url: owned("http://callback.demo.com"),
        event: owned("TaskFinish,WorkflowFinish"),
        kind: owned("Url"),
        state: owned("On"),
        result_format: owned("JSON"),
        ..NotifyConfig::default()
    }
}

/// A TDMQ callback, with every Mq* member.
fn tdmq_callback(i: u64) -> NotifyConfig {
    NotifyConfig {
        event: owned("TaskFinish"),
        kind: owned("TDMQ"),
        state: owned("On"),
        mq_mode: owned(if i % 2 == 0 { "Queue" } else { "Topic" }),
        mq_region: owned("bj"),
        mq_name: Some(format!("ci-queue-topic-{i}")),
        ..NotifyConfig::default()
    }
}

/// The AI queues of `examplebucket-1250000000`, unchanged since the emulator
/// served only `/ai_queue`: every NotifyConfig shape but Kafka, both states,
/// two categories, and names that need escaping.
fn example_ai_queues() -> Vec<QueueSpec> {
    (0..25u64)
        .map(|i| {
            let at = QUEUES_CREATED + i as i64 * 7_321;
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
                bucket_id: None,
            };
            q.notify_config = match i % 5 {
                0 => Some(url_callback()),
                1 => None,
                2 => Some(NotifyConfig { mq_mode: owned("Queue"), ..tdmq_callback(i) }),
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

/// How the queues of one kind look: the docs' example first, then generated ones.
struct QueueKind {
    /// The queue call's `snake_name`.
    list: &'static str,
    /// `Name` stem of the generated queues.
    stem: &'static str,
    /// The categories the kind's queues cycle through (the first most often).
    categories: &'static [&'static str],
    /// Whether its queues answer `BucketId` (the old ASR and doc examples do).
    bucket_id: bool,
    /// The docs' example queue: id and name.
    example: (&'static str, &'static str),
    /// Where its queue ids and times start, so kinds never collide.
    seed: u64,
}

/// The kinds besides AI (whose queues predate this table, see
/// [`example_ai_queues`]), with the categories each kind's docs show.
const KINDS: [QueueKind; 5] = [
    QueueKind {
        list: "media_queues",
        stem: "queue-media",
        categories: &["Transcoding", "Transcoding", "SpeedTranscoding"],
        bucket_id: false,
        // The media docs reuse the AI example's id: a queue id is per kind.
        example: ("p4a17eeea29334bf499b7e20e2fbfd99d", "queue-1"),
        seed: 3000,
    },
    QueueKind {
        list: "pic_queues",
        stem: "queue-pic-process",
        categories: &["PicProcessing"],
        bucket_id: false,
        example: ("p8366c460c67b4c65a9bf81b41eaa3c4b", "queue-pic-process-1"),
        seed: 4000,
    },
    QueueKind {
        list: "asr_queues",
        stem: "queue-speech",
        categories: &["Speeching"],
        bucket_id: true,
        example: ("pd0a7e02988c24db88b61551cf540444c", "queue-speech-1"),
        seed: 5000,
    },
    QueueKind {
        list: "doc_queues",
        stem: "queue-doc-process",
        // The doc page shows both spellings; most answers say DocProcessing.
        categories: &["DocProcessing", "DocProcessing", "DocProcessing", "DocProcess"],
        bucket_id: true,
        example: ("p2505d57bdf4c4329804b58a6a5fb1572", "queue-doc-process-1"),
        seed: 6000,
    },
    QueueKind {
        list: "file_queues",
        stem: "queue-file",
        categories: &["FileProcess"],
        bucket_id: false,
        // So do the file docs.
        example: ("p4a17eeea29334bf499b7e20e2fbfd99d", "My-Queue-file"),
        seed: 7000,
    },
];

/// `count` queues of `kind` for `bucket`: both states, every NotifyConfig
/// variant (Url, TDMQ, Kafka, the docs' empty `<Url/><Event/><Type/>` with
/// State Off, absent), and on the fourth a name with XML's special characters.
fn queues_of(kind: &QueueKind, bucket: &str, count: u64, seed: u64) -> Vec<QueueSpec> {
    (0..count)
        .map(|i| {
            let at = QUEUES_CREATED + (seed as i64 - 3000) * 3_600 + i as i64 * 5_003;
            let category = kind.categories[i as usize % kind.categories.len()];
            let notify_config = match (i + seed / 1000) % 6 {
                0 => Some(url_callback()),
                1 => Some(tdmq_callback(i)),
                2 => Some(NotifyConfig {
                    kind: owned("Kafka"),
                    state: owned("On"),
                    event: owned("TaskFinish"),
                    result_format: owned("JSON"),
                    kafka_config: Some(KafkaConfig {
                        region: owned("ap-guangzhou"),
                        instance_id: Some(format!("ckafka-{:08x}", mix(seed + i) as u32)),
                        topic: Some(format!("ci-{}-results", kind.stem)),
                    }),
                    ..NotifyConfig::default()
                }),
                3 => None,
                4 => Some(NotifyConfig {
                    url: owned(""),
                    event: owned(""),
                    kind: owned(""),
                    state: owned("Off"),
                    ..NotifyConfig::default()
                }),
                // The media docs' Url callback with empty Mq* members.
                _ => Some(NotifyConfig { mq_mode: owned(""), mq_region: owned(""), mq_name: owned(""), ..url_callback() }),
            };
            let mut q = QueueSpec {
                queue_id: queue_id(seed + i),
                name: Some(format!("{}-{}", kind.stem, i + 1)),
                state: owned(if i % 4 == 1 { "Paused" } else { "Active" }),
                notify_config,
                max_size: Some(if i % 5 == 2 { 5_000 } else { 10_000 }),
                max_concurrent: Some(if i % 3 == 2 { 20 } else { 10 }),
                category: owned(category),
                update_time: Some(beijing_time(at + 600)),
                create_time: Some(beijing_time(at)),
                bucket_id: kind.bucket_id.then(|| bucket.to_owned()),
            };
            match i {
                0 if seed == kind.seed => {
                    q.queue_id = kind.example.0.into();
                    q.name = owned(kind.example.1);
                }
                3 => q.name = Some(format!("{} <&> \"q\" '{}'", kind.stem, i + 1)),
                _ => {}
            }
            q
        })
        .collect()
}

/// How many queues of each kind `examplebucket-1250000000` has (AI: 25).
const EXAMPLE_QUEUES: [u64; 5] = [23, 12, 7, 11, 4];

/// One queue of every kind for a fault bucket: its fault hits them all.
fn fault_bucket_queues(n: u64) -> BTreeMap<String, Vec<QueueSpec>> {
    let seed = 2000 + n;
    let mut queues = BTreeMap::new();
    queues.insert(
        "ai_queues".to_owned(),
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
            bucket_id: None,
        }],
    );
    for (k, kind) in KINDS.iter().enumerate() {
        let q = queues_of(kind, "", 1, 10_000 + 100 * n + k as u64).remove(0);
        queues.insert(kind.list.to_owned(), vec![QueueSpec { bucket_id: None, ..q }]);
    }
    queues
}

/// What `DescribeCIBuckets` says of the `i`-th bucket called `name`.
fn ci_entry(i: usize, name: &str) -> CiSpec {
    let (short, appid) = name.rsplit_once('-').unwrap_or((name, ""));
    let tags = TAGS
        .iter()
        .filter(|(_, _, every, rest)| i % every == *rest)
        .map(|(k, v, _, _)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    CiSpec { bucket_name: owned(short), app_id: owned(appid), status: owned(if i % 10 == 9 { "off" } else { "on" }), tags }
}

/// The bucket lists that list the `i`-th listed bucket; doc buckets cycle
/// through an alias, the docs' empty `<AliasBucketId/>`, and none.
fn bucket_lists(i: usize) -> BTreeMap<String, ListEntry> {
    BUCKET_LISTS
        .iter()
        .filter(|(_, listed)| listed(i))
        .map(|(list, _)| {
            let alias_bucket_id = match (*list, i % 3) {
                ("doc_buckets", 0) => Some(format!("preview{i}-{APPID}")),
                ("doc_buckets", 1) => owned(""),
                _ => None,
            };
            ((*list).to_owned(), ListEntry { alias_bucket_id })
        })
        .collect()
}

/// The built-in fixture (see README.md for it in numbers).
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

    let mut buckets: Vec<BucketSpec> = Vec::with_capacity(140);
    for (region, count) in REGIONS {
        for _ in 0..count {
            let i = buckets.len();
            let (name, created) = if i == 0 {
                (format!("examplebucket-{APPID}"), EXAMPLE_CREATED)
            } else {
                let generated = i - 1;
                let prefix = PREFIXES[generated % PREFIXES.len()];
                // 1 day, 1 hour, 1 minute and 1 second apart: distinct in every field.
                (format!("{prefix}{}-{APPID}", generated / PREFIXES.len() + 1), 1_577_808_000 + generated as i64 * 90_061)
            };
            let mut queues = BTreeMap::new();
            if i == 0 {
                queues.insert("ai_queues".to_owned(), example_ai_queues());
                for (kind, count) in KINDS.iter().zip(EXAMPLE_QUEUES) {
                    queues.insert(kind.list.to_owned(), queues_of(kind, &name, count, kind.seed));
                }
            } else if i == 1 {
                // A second bucket with queues, so answers are seen to be per bucket.
                for kind in [&KINDS[0], &KINDS[4]] {
                    queues.insert(kind.list.to_owned(), queues_of(kind, &name, 3, kind.seed + 500));
                }
            }
            buckets.push(BucketSpec {
                ci: Some(ci_entry(i, &name)),
                name,
                region: region.into(),
                create_time: Some(beijing_time(created)),
                bucket_lists: bucket_lists(i),
                queues,
                fault: None,
            });
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
    for (n, (name, fault)) in faults.into_iter().enumerate() {
        let name = format!("{name}-{APPID}");
        let queues = if fault.is_some() { fault_bucket_queues(n as u64) } else { BTreeMap::new() };
        buckets.push(BucketSpec {
            ci: Some(ci_entry(buckets.len(), &name)),
            name,
            region: "ap-guangzhou".into(),
            create_time: Some(beijing_time(1_640_966_400 + n as i64 * 86_400)),
            bucket_lists: BTreeMap::new(),
            queues,
            fault,
        });
    }
    FixtureFile { credentials, buckets }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fixture;
    use cloud_infinite::{Shape, OPERATIONS};

    #[test]
    fn times_format_like_the_service() {
        assert_eq!(beijing_time(EXAMPLE_CREATED), "2019-11-15T12:12:12+0800");
        assert_eq!(beijing_time(QUEUES_CREATED), "2022-08-09T16:23:11+0800");
    }

    #[test]
    fn default_fixture_has_the_promised_shape() {
        let f = Fixture::new(default_fixture()).unwrap();
        let listed = |list: &str| f.file.buckets.iter().filter(|b| b.bucket_lists.contains_key(list)).count();
        assert_eq!(listed("pic_buckets"), 130);
        for (region, n) in REGIONS {
            assert_eq!(f.file.buckets.iter().filter(|b| b.bucket_lists.contains_key("pic_buckets") && b.region == region).count(), n);
        }
        let counts: Vec<usize> = BUCKET_LISTS.iter().map(|(list, _)| listed(list)).collect();
        assert_eq!(counts, [130, 87, 44, 26, 19, 12]);
        assert_eq!(f.file.buckets.iter().filter(|b| b.ci.is_some()).count(), 139);
        let mut times: Vec<_> = f.file.buckets.iter().map(|b| b.create_time.clone()).collect();
        times.sort();
        times.dedup();
        assert_eq!(times.len(), f.file.buckets.len());
        // Every queue call has queues in the example bucket, with unique ids
        // (the index would have refused duplicates) of the `p` + 32 hex form.
        let ex = &f.file.buckets[f.bucket_index("examplebucket-1250000000").unwrap()];
        for spec in OPERATIONS.iter().filter(|s| s.operation.shape() == Shape::Queues) {
            let queues = &ex.queues[spec.snake_name];
            assert!(queues.len() >= 4, "{}", spec.name);
            for q in queues {
                assert!(q.queue_id.len() == 33 && q.queue_id.starts_with('p'), "{}", q.queue_id);
            }
        }
        assert_eq!(ex.queues["ai_queues"].len(), 25);
        assert!(f.credentials("AKIDemulatorTMP").unwrap().session_token().is_some());
    }
}
