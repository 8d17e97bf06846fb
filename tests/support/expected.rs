//! What each call should answer, read straight from the emulator's fixture
//! JSON (`GET /__emulator/fixture`) into the core's model types. Nothing here
//! filters or pages: tests do that themselves, so expected values never come
//! from the emulator's own filtering code.

use cloud_infinite::{Bucket, BucketList, CiBucket, KafkaConfig, NotifyConfig, Operation, Queue, QueueList};
use serde_json::Value;

use super::s;

/// The fixture's buckets, in fixture (= listing) order.
pub fn fixture_buckets(fixture: &Value) -> &Vec<Value> {
    fixture["buckets"].as_array().expect("the fixture has buckets")
}

/// Every bucket `list` lists, in order, with every element it answers.
pub fn buckets(fixture: &Value, list: BucketList) -> Vec<Bucket> {
    let key = Operation::Buckets(list).spec().snake_name;
    fixture_buckets(fixture)
        .iter()
        .filter_map(|b| b["bucket_lists"].get(key).map(|entry| (b, entry)))
        .map(|(b, entry)| {
            let mut out = Bucket::default();
            out.bucket_id = s(&b["name"]);
            out.name = s(&b["name"]);
            out.region = s(&b["region"]);
            out.create_time = s(&b["create_time"]);
            out.alias_bucket_id = s(&entry["alias_bucket_id"]);
            out
        })
        .collect()
}

/// Every bucket `DescribeCIBuckets` lists, in order, with its tag keys.
pub fn ci_buckets(fixture: &Value) -> Vec<(CiBucket, Vec<String>)> {
    fixture_buckets(fixture)
        .iter()
        .filter(|b| b["ci"].is_object())
        .map(|b| {
            let ci = &b["ci"];
            let mut out = CiBucket::default();
            out.bucket_id = s(&b["name"]);
            out.bucket_name = s(&ci["bucket_name"]);
            out.app_id = s(&ci["app_id"]);
            out.create_time = s(&b["create_time"]);
            out.region = s(&b["region"]);
            out.status = s(&ci["status"]);
            let tags = ci["tags"].as_object().map(|t| t.keys().cloned().collect()).unwrap_or_default();
            (out, tags)
        })
        .collect()
}

/// `bucket`'s queues of `list`, in order, with every element.
pub fn queues(fixture: &Value, bucket: &str, list: QueueList) -> Vec<Queue> {
    let key = Operation::Queues(list).spec().snake_name;
    let b = fixture_buckets(fixture).iter().find(|b| b["name"] == bucket).unwrap_or_else(|| panic!("no bucket {bucket}"));
    let Some(queues) = b["queues"].get(key).and_then(Value::as_array) else { return Vec::new() };
    queues.iter().map(queue).collect()
}

/// One fixture queue as the core's [`Queue`].
fn queue(q: &Value) -> Queue {
    let mut out = Queue::default();
    out.queue_id = s(&q["queue_id"]);
    out.name = s(&q["name"]);
    out.state = s(&q["state"]);
    out.max_size = q["max_size"].as_u64();
    out.max_concurrent = q["max_concurrent"].as_u64();
    out.category = s(&q["category"]);
    out.update_time = s(&q["update_time"]);
    out.create_time = s(&q["create_time"]);
    out.bucket_id = s(&q["bucket_id"]);
    out.notify_config = q["notify_config"].as_object().map(|n| {
        let f = |k: &str| n.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut c = NotifyConfig::default();
        c.url = f("url");
        c.event = f("event");
        c.r#type = f("type");
        c.state = f("state");
        c.result_format = f("result_format");
        c.mq_mode = f("mq_mode");
        c.mq_region = f("mq_region");
        c.mq_name = f("mq_name");
        c.kafka_config = n.get("kafka_config").and_then(Value::as_object).map(|k| {
            let f = |key: &str| k.get(key).and_then(Value::as_str).map(str::to_owned);
            let mut kafka = KafkaConfig::default();
            kafka.region = f("region");
            kafka.instance_id = f("instance_id");
            kafka.topic = f("topic");
            kafka
        });
        c
    });
    out
}
