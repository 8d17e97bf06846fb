'use strict';
// What each call should answer, read straight from the emulator's fixture
// JSON (GET /__emulator/fixture) into this package's result shapes. Nothing
// here filters or pages: the tests do that themselves, so expected values
// never come from the emulator's own filtering code.

const orNull = (v) => (v === undefined ? null : v);

/** Every bucket the bucket list `snakeName` lists, in order, with every field. */
function buckets(fixture, snakeName) {
  return fixture.buckets
    .filter((b) => b.bucket_lists && Object.hasOwn(b.bucket_lists, snakeName))
    .map((b) => ({
      bucketId: b.name,
      name: b.name,
      region: b.region,
      createTime: orNull(b.create_time),
      aliasBucketId: orNull(b.bucket_lists[snakeName].alias_bucket_id),
    }));
}

/** Every bucket DescribeCIBuckets lists, in order, with its tag keys (not part of the answer). */
function ciBuckets(fixture) {
  return fixture.buckets
    .filter((b) => b.ci)
    .map((b) => ({
      bucket: {
        bucketId: b.name,
        bucketName: orNull(b.ci.bucket_name),
        appId: orNull(b.ci.app_id),
        createTime: orNull(b.create_time),
        region: b.region,
        status: orNull(b.ci.status),
      },
      tags: Object.keys(b.ci.tags || {}),
    }));
}

function notifyConfig(n) {
  if (!n) return null;
  const k = n.kafka_config;
  return {
    url: orNull(n.url),
    event: orNull(n.event),
    type: orNull(n.type),
    state: orNull(n.state),
    resultFormat: orNull(n.result_format),
    mqMode: orNull(n.mq_mode),
    mqRegion: orNull(n.mq_region),
    mqName: orNull(n.mq_name),
    kafkaConfig: k ? { region: orNull(k.region), instanceId: orNull(k.instance_id), topic: orNull(k.topic) } : null,
  };
}

/** `bucket`'s queues of the queue list `snakeName`, in order, with every field. */
function queues(fixture, bucket, snakeName) {
  const b = fixture.buckets.find((x) => x.name === bucket);
  if (!b) throw new Error(`no bucket ${bucket} in the fixture`);
  return ((b.queues || {})[snakeName] || []).map((q) => ({
    queueId: q.queue_id,
    name: orNull(q.name),
    state: orNull(q.state),
    notifyConfig: notifyConfig(q.notify_config),
    maxSize: orNull(q.max_size),
    maxConcurrent: orNull(q.max_concurrent),
    category: orNull(q.category),
    updateTime: orNull(q.update_time),
    createTime: orNull(q.create_time),
    bucketId: orNull(q.bucket_id),
  }));
}

module.exports = { buckets, ciBuckets, queues };
