//! The emulator's data: the fixture file format, its validation against the
//! table of operations, and the indexes built once at startup so no request
//! scans more than it must. The built-in data is in `builtin.rs`.
//!
//! Everything that differs between calls of one shape is data keyed by the
//! call's `snake_name` from [`cloud_infinite::OPERATIONS`] (`"pic_buckets"`,
//! `"media_queues"`...), so a new call of an existing shape needs fixture
//! data, never code.

use std::collections::{BTreeMap, HashMap};

use cloud_infinite::sign::Credentials;
use cloud_infinite::{OperationSpec, Shape, OPERATIONS};
use serde::{Deserialize, Serialize};

use crate::faults::FaultSpec;

/// A fixture file, exactly as `--fixture` reads and `--dump-fixture` writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureFile {
    /// Keys the signature check accepts.
    #[serde(default)]
    pub credentials: Vec<CredentialSpec>,
    /// Buckets, in the order every listing returns them.
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

/// One bucket, and what every call knows about it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketSpec {
    /// `<BucketName-APPID>`: its `BucketId` and `Name` in every list.
    pub name: String,
    /// `Region`, e.g. `ap-guangzhou`.
    pub region: String,
    /// `CreateTime` as the service writes it; absent when `None`.
    #[serde(default)]
    pub create_time: Option<String>,
    /// The bucket lists that list it, by the call's `snake_name`
    /// (`"pic_buckets"`), with what that list alone says about it.
    #[serde(default)]
    pub bucket_lists: BTreeMap<String, ListEntry>,
    /// What `DescribeCIBuckets` says of it; not listed there when `None`.
    #[serde(default)]
    pub ci: Option<CiSpec>,
    /// Its queues of each kind, by the queue call's `snake_name`
    /// (`"media_queues"`), in listing order.
    #[serde(default)]
    pub queues: BTreeMap<String, Vec<QueueSpec>>,
    /// A fault hitting every request to this bucket's host (its queue calls).
    #[serde(default)]
    pub fault: Option<FaultSpec>,
}

/// What one bucket list, beyond the bucket itself, says of a bucket.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListEntry {
    /// `AliasBucketId` (the docs show it in `DocBucketList` only, often
    /// empty); absent when `None`.
    #[serde(default)]
    pub alias_bucket_id: Option<String>,
}

/// A bucket's `CIBucketList` entry. `BucketId`, `Region` and `CreateTime`
/// are the bucket's own.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiSpec {
    /// `BucketName`: the name without `-APPID`.
    #[serde(default)]
    pub bucket_name: Option<String>,
    /// `AppId`.
    #[serde(default)]
    pub app_id: Option<String>,
    /// `Status`, e.g. `on`.
    #[serde(default)]
    pub status: Option<String>,
    /// The bucket's tags; `tagKey` matches their keys (never written).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// One processing queue; every field but the id may be absent.
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
    /// `Category`, e.g. `Transcoding`.
    #[serde(default)]
    pub category: Option<String>,
    /// `UpdateTime`.
    #[serde(default)]
    pub update_time: Option<String>,
    /// `CreateTime`.
    #[serde(default)]
    pub create_time: Option<String>,
    /// `BucketId` (old ASR and doc answers carry it).
    #[serde(default)]
    pub bucket_id: Option<String>,
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
    /// `Type`: `Url`, `TDMQ` or `Kafka`.
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
    /// `KafkaConfig`; absent when `None`.
    #[serde(default)]
    pub kafka_config: Option<KafkaConfig>,
}

/// A NotifyConfig's CKafka destination.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConfig {
    /// `Region`.
    #[serde(default)]
    pub region: Option<String>,
    /// `InstanceId`.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// `Topic`.
    #[serde(default)]
    pub topic: Option<String>,
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
    /// Per bucket, per queue call: queue id → index in that call's queues.
    queues_by_id: Vec<HashMap<&'static str, HashMap<String, usize>>>,
}

/// The entry of the call named `snake_name` if it has this shape.
fn operation_named(snake_name: &str, shape: Shape) -> Option<&'static OperationSpec> {
    OPERATIONS.iter().find(|spec| spec.snake_name == snake_name && spec.operation.shape() == shape)
}

/// The `snake_name`s of every call of `shape`, for error messages.
fn names_of(shape: Shape) -> String {
    let names: Vec<&str> = OPERATIONS.iter().filter(|s| s.operation.shape() == shape).map(|s| s.snake_name).collect();
    names.join(", ")
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
            if let Some(list) = b.bucket_lists.keys().find(|k| operation_named(k, Shape::Buckets).is_none()) {
                return Err(format!(
                    "buckets[{i}] ({}): bucket_lists has {list:?}, which is none of {}",
                    b.name,
                    names_of(Shape::Buckets)
                ));
            }
            let mut by_call = HashMap::with_capacity(b.queues.len());
            for (list, queues) in &b.queues {
                let Some(spec) = operation_named(list, Shape::Queues) else {
                    return Err(format!(
                        "buckets[{i}] ({}): queues has {list:?}, which is none of {}",
                        b.name,
                        names_of(Shape::Queues)
                    ));
                };
                let mut ids = HashMap::with_capacity(queues.len());
                for (j, q) in queues.iter().enumerate() {
                    if q.queue_id.is_empty() {
                        return Err(format!("buckets[{i}] ({}) queues.{list}[{j}]: empty queue_id", b.name));
                    }
                    if ids.insert(q.queue_id.clone(), j).is_some() {
                        return Err(format!("buckets[{i}] ({}) queues.{list}: queue {:?} appears twice", b.name, q.queue_id));
                    }
                }
                by_call.insert(spec.snake_name, ids);
            }
            queues_by_id.push(by_call);
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

    /// Bucket `bucket`'s queues of the call `spec` (none when it has none).
    pub fn queues(&self, bucket: usize, spec: &OperationSpec) -> &[QueueSpec] {
        self.file.buckets.get(bucket).and_then(|b| b.queues.get(spec.snake_name)).map_or(&[], Vec::as_slice)
    }

    /// The index, within bucket `bucket`'s queues of `spec`, of queue `queue_id`.
    pub fn queue_index(&self, bucket: usize, spec: &OperationSpec, queue_id: &str) -> Option<usize> {
        self.queues_by_id.get(bucket)?.get(spec.snake_name)?.get(queue_id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(json: &str) -> Result<(), String> {
        let file: FixtureFile = serde_json::from_str(&format!(r#"{{"buckets": [{json}]}}"#)).map_err(|e| e.to_string())?;
        Fixture::new(file).map(drop)
    }

    #[test]
    fn lists_and_queue_kinds_must_be_calls_of_the_table() {
        assert!(bucket(r#"{"name": "a-1", "region": "r", "bucket_lists": {"pic_buckets": {}}, "queues": {"media_queues": []}}"#).is_ok());
        let e = bucket(r#"{"name": "a-1", "region": "r", "bucket_lists": {"media_queues": {}}}"#).unwrap_err();
        assert!(e.contains("media_queues") && e.contains("pic_buckets"), "{e}");
        let e = bucket(r#"{"name": "a-1", "region": "r", "queues": {"ci_buckets": []}}"#).unwrap_err();
        assert!(e.contains("ai_queues"), "{e}");
        let e = bucket(r#"{"name": "a-1", "region": "r", "queues": {"ai_queues": [{"queue_id": "p"}, {"queue_id": "p"}]}}"#).unwrap_err();
        assert!(e.contains("twice"), "{e}");
        // The same id may exist in two kinds: each call has its own queues.
        assert!(bucket(r#"{"name": "a-1", "region": "r", "queues": {"ai_queues": [{"queue_id": "p"}], "pic_queues": [{"queue_id": "p"}]}}"#).is_ok());
    }
}
