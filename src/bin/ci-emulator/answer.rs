//! The answers of the calls: one filter and one writer per shape of the
//! table (bucket lists, CI buckets, queue lists). What differs between calls
//! of a shape (the path, the list element, the parameters, the categories)
//! comes from the call's entry in [`cloud_infinite::OPERATIONS`], and the data
//! from the fixture under the call's `snake_name`.

use std::collections::HashSet;

use cloud_infinite::{OperationSpec, Param, Shape};

use crate::fixture::{BucketSpec, Fixture, QueueSpec};
use crate::query::{check_taken, list, param, Page, Params};
use crate::routes::Endpoint;
use crate::xml;

/// The `category` value that means every category (media queues document it).
pub const ALL_CATEGORIES: &str = "CateAll";

/// An answer with a `<Response>` error body.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `Code`.
    pub code: &'static str,
    /// `Message`.
    pub message: String,
}

impl ApiError {
    /// An error with this status and code.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    /// 400 InvalidArgument, the answer to any bad parameter.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        ApiError::new(400, "InvalidArgument", message)
    }
}

/// The normal answer to a routed request (errors are 400 InvalidArgument).
pub fn answer(fixture: &Fixture, endpoint: Endpoint, params: &Params<'_>, request_id: &str) -> Result<String, ApiError> {
    let spec = endpoint.spec;
    check_taken(spec, params)?;
    match (spec.operation.shape(), endpoint.bucket) {
        (Shape::Buckets, _) => buckets(fixture, spec, params, request_id),
        (Shape::CiBuckets, _) => ci_buckets(fixture, spec, params, request_id),
        (Shape::Queues, Some(bucket)) => queues(fixture, spec, bucket, params, request_id),
        // Routing gives every bucket-level call its bucket.
        (Shape::Queues, None) => Err(ApiError::new(500, "InternalError", "a queue call routed without a bucket")),
    }
}

/// A `<Response>` with the request id, what `body` writes, and the end tag.
fn response(request_id: &str, capacity: usize, body: impl FnOnce(&mut String)) -> String {
    let mut out = xml::document(64 + request_id.len() + capacity);
    xml::open(&mut out, "Response");
    xml::text_element(&mut out, "RequestId", request_id);
    body(&mut out);
    xml::close(&mut out, "Response");
    out
}

/// A bucket list (`/mediabucket`, `/picbucket`...): the buckets whose
/// `bucket_lists` name the call. `regions` and `bucketNames` match exactly,
/// `bucketName` is a prefix; all combine with AND, in fixture order.
fn buckets(fixture: &Fixture, spec: &OperationSpec, params: &Params<'_>, request_id: &str) -> Result<String, ApiError> {
    let regions = list(params, Param::Regions.wire_name());
    let names = list(params, Param::BucketNames.wire_name());
    let prefix = param(params, Param::BucketNamePrefix.wire_name());
    let page = Page::from(params)?;
    let (on_page, total) = page.select(fixture.file.buckets.iter(), |b: &BucketSpec| {
        b.bucket_lists.contains_key(spec.snake_name)
            && regions.as_ref().map_or(true, |r| r.contains(&b.region.as_str()))
            && names.as_ref().map_or(true, |n| n.contains(&b.name.as_str()))
            && prefix.map_or(true, |p| b.name.starts_with(p))
    });
    Ok(response(request_id, 64 + on_page.len() * 220, |out| {
        page.write_header(out, total);
        for b in on_page {
            xml::open(out, spec.list_element);
            xml::text_element(out, "BucketId", &b.name);
            xml::text_element(out, "Name", &b.name);
            xml::text_element(out, "Region", &b.region);
            xml::optional_element(out, "CreateTime", b.create_time.as_deref());
            let entry = &b.bucket_lists[spec.snake_name];
            xml::optional_element(out, "AliasBucketId", entry.alias_bucket_id.as_deref());
            xml::close(out, spec.list_element);
        }
    }))
}

/// `/cibuckets`: the buckets with a `ci` entry. `bucketName` matches the
/// BucketName or the whole BucketId exactly, `tagKey` one of the bucket's tag
/// keys, `region` its region; all combine with AND, in fixture order.
fn ci_buckets(fixture: &Fixture, spec: &OperationSpec, params: &Params<'_>, request_id: &str) -> Result<String, ApiError> {
    let name = param(params, Param::BucketName.wire_name());
    let tag_key = param(params, Param::TagKey.wire_name());
    let region = param(params, Param::Region.wire_name());
    let page = Page::from(params)?;
    let (on_page, total) = page.select(fixture.file.buckets.iter(), |b: &BucketSpec| {
        b.ci.as_ref().is_some_and(|ci| {
            name.map_or(true, |n| n == b.name || ci.bucket_name.as_deref() == Some(n))
                && tag_key.map_or(true, |k| ci.tags.contains_key(k))
                && region.map_or(true, |r| r == b.region)
        })
    });
    Ok(response(request_id, 64 + on_page.len() * 260, |out| {
        page.write_header(out, total);
        for b in on_page {
            let Some(ci) = &b.ci else { continue };
            xml::open(out, spec.list_element);
            xml::text_element(out, "BucketId", &b.name);
            xml::optional_element(out, "BucketName", ci.bucket_name.as_deref());
            xml::optional_element(out, "AppId", ci.app_id.as_deref());
            xml::optional_element(out, "CreateTime", b.create_time.as_deref());
            xml::text_element(out, "Region", &b.region);
            xml::optional_element(out, "Status", ci.status.as_deref());
            xml::close(out, spec.list_element);
        }
    }))
}

/// The category filter of a call: `None` lists every category.
///
/// A call whose entry lists no categories takes no `category` (and
/// [`check_taken`] refused one). One that does lists its table entry's
/// `default_category` when none is sent (Transcoding for media queues, as
/// their page says); `CateAll` lists all; any other value but the listed
/// ones is refused.
fn category_filter<'p>(spec: &OperationSpec, params: &'p Params<'_>) -> Result<Option<&'p str>, ApiError> {
    if spec.categories.is_empty() {
        return Ok(None);
    }
    match param(params, Param::Category.wire_name()) {
        Some(ALL_CATEGORIES) => Ok(None),
        Some(c) if spec.categories.contains(&c) => Ok(Some(c)),
        Some(c) => Err(ApiError::invalid_argument(format!(
            "category must be one of {}, got {c:?}",
            spec.categories.join(", ")
        ))),
        None => Ok(spec.default_category),
    }
}

/// A queue list (`/queue`, `/ai_queue`...) of one bucket: either the queues
/// named by `queueIds` (with `NonExistPIDs`, without paging, whatever else
/// is asked) or a listing filtered by `state` and, where the call takes it,
/// `category`, and paged.
fn queues(fixture: &Fixture, spec: &OperationSpec, bucket: usize, params: &Params<'_>, request_id: &str) -> Result<String, ApiError> {
    let queues = fixture.queues(bucket, spec);

    if let Some(ids) = list(params, Param::QueueIds.wire_name()) {
        let mut seen = HashSet::with_capacity(ids.len());
        let ids: Vec<&str> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
        return Ok(response(request_id, ids.len() * 600, |out| {
            let mut missing = Vec::new();
            for id in ids {
                match fixture.queue_index(bucket, spec, id) {
                    Some(q) => write_queue(out, &queues[q]),
                    None => missing.push(id),
                }
            }
            for id in missing {
                xml::text_element(out, "NonExistPIDs", id);
            }
        }));
    }

    // The official Python SDK sends `state=All` when it means every state.
    let state = match param(params, Param::State.wire_name()) {
        None | Some("All") => None,
        Some(s @ ("Active" | "Paused")) => Some(s),
        Some(other) => {
            return Err(ApiError::invalid_argument(format!("state must be Active, Paused or All, got {other:?}")))
        }
    };
    let category = category_filter(spec, params)?;
    let page = Page::from(params)?;
    let (on_page, total) = page.select(queues.iter(), |q: &QueueSpec| {
        state.map_or(true, |s| q.state.as_deref() == Some(s)) && category.map_or(true, |c| q.category.as_deref() == Some(c))
    });
    Ok(response(request_id, 64 + on_page.len() * 600, |out| {
        page.write_header(out, total);
        for q in on_page {
            write_queue(out, q);
        }
    }))
}

/// One `<QueueList>`, members in the service's order, absent ones left out.
fn write_queue(out: &mut String, q: &QueueSpec) {
    xml::open(out, "QueueList");
    xml::text_element(out, "QueueId", &q.queue_id);
    xml::optional_element(out, "Name", q.name.as_deref());
    xml::optional_element(out, "State", q.state.as_deref());
    if let Some(n) = &q.notify_config {
        xml::open(out, "NotifyConfig");
        xml::optional_element(out, "Url", n.url.as_deref());
        xml::optional_element(out, "Event", n.event.as_deref());
        xml::optional_element(out, "Type", n.kind.as_deref());
        xml::optional_element(out, "State", n.state.as_deref());
        xml::optional_element(out, "ResultFormat", n.result_format.as_deref());
        xml::optional_element(out, "MqMode", n.mq_mode.as_deref());
        xml::optional_element(out, "MqRegion", n.mq_region.as_deref());
        xml::optional_element(out, "MqName", n.mq_name.as_deref());
        if let Some(k) = &n.kafka_config {
            xml::open(out, "KafkaConfig");
            xml::optional_element(out, "Region", k.region.as_deref());
            xml::optional_element(out, "InstanceId", k.instance_id.as_deref());
            xml::optional_element(out, "Topic", k.topic.as_deref());
            xml::close(out, "KafkaConfig");
        }
        xml::close(out, "NotifyConfig");
    }
    if let Some(n) = q.max_size {
        xml::number_element(out, "MaxSize", n);
    }
    if let Some(n) = q.max_concurrent {
        xml::number_element(out, "MaxConcurrent", n);
    }
    xml::optional_element(out, "UpdateTime", q.update_time.as_deref());
    xml::optional_element(out, "CreateTime", q.create_time.as_deref());
    xml::optional_element(out, "BucketId", q.bucket_id.as_deref());
    xml::optional_element(out, "Category", q.category.as_deref());
    xml::close(out, "QueueList");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::default_fixture;
    use crate::query::parse_query;
    use cloud_infinite::{BucketList, Operation, QueueList};

    fn call(f: &Fixture, op: Operation, query: &str) -> Result<String, ApiError> {
        let bucket = (op.shape() == Shape::Queues).then_some(0);
        answer(f, Endpoint { spec: op.spec(), bucket }, &parse_query(query, false), "r")
    }

    #[test]
    fn bucket_lists_page_and_filter() {
        let f = Fixture::new(default_fixture()).unwrap();
        let pic = Operation::Buckets(BucketList::Pic);
        let body = call(&f, pic, "regions=ap-singapore&pageSize=3&pageNumber=2").unwrap();
        assert!(body.contains("<TotalCount>5</TotalCount><PageNumber>2</PageNumber><PageSize>3</PageSize>"));
        assert_eq!(body.matches("<PicBucketList>").count(), 2);
        let past = call(&f, pic, "pageNumber=99").unwrap();
        assert!(past.contains("<TotalCount>130</TotalCount>") && !past.contains("PicBucketList"));
        let doc = call(&f, Operation::Buckets(BucketList::Doc), "pageSize=100").unwrap();
        assert!(doc.contains("<AliasBucketId>preview0-1250000000</AliasBucketId>") && doc.contains("<AliasBucketId/>"));
        assert!(!call(&f, pic, "pageSize=100").unwrap().contains("AliasBucketId"));
    }

    #[test]
    fn queue_ids_and_filters() {
        let f = Fixture::new(default_fixture()).unwrap();
        let ai = Operation::Queues(QueueList::Ai);
        let ids = call(&f, ai, "queueIds=A,p4a17eeea29334bf499b7e20e2fbfd99d,A&pageSize=0").unwrap();
        assert!(!ids.contains("TotalCount"));
        assert_eq!(ids.matches("<NonExistPIDs>A</NonExistPIDs>").count(), 1);
        assert!(ids.contains("<Name>My-Queue-ai</Name>"));
        let paused = call(&f, ai, "state=Paused&pageSize=100").unwrap();
        assert!(paused.contains("<TotalCount>8</TotalCount>"));
        assert!(call(&f, ai, "state=paused").is_err());
        assert_eq!(call(&f, ai, "category=AIProcess").unwrap_err().code, "InvalidArgument");
    }

    #[test]
    fn media_categories_default_to_transcoding() {
        let f = Fixture::new(default_fixture()).unwrap();
        let media = Operation::Queues(QueueList::Media);
        let count = |q: &str| call(&f, media, q).unwrap().matches("<QueueList>").count();
        let all = count("category=CateAll&pageSize=100");
        let transcoding = count("category=Transcoding&pageSize=100");
        let speed = count("category=SpeedTranscoding&pageSize=100");
        assert_eq!(count("pageSize=100"), transcoding);
        assert_eq!(all, transcoding + speed);
        assert!(speed > 0 && transcoding > speed);
        assert_eq!(call(&f, media, "category=AIProcess").unwrap_err().code, "InvalidArgument");
    }
}
