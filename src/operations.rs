//! The table of Cloud Infinite describe calls: every call is one entry, and
//! the generic request builder, parser, pager, C ABI, emulator and the
//! bindings' generated declarations all read it.
//!
//! Adding a call means adding its entry here (and a variant to
//! [`BucketList`] or [`QueueList`] when it is of an existing shape), its
//! fixture data in the emulator, and tests.

use std::fmt;

/// The services that answer a list of buckets with that service enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BucketList {
    /// `DescribeMediaBuckets`, `GET /mediabucket`.
    Media,
    /// `DescribePicProcessBucket`, `GET /picbucket`.
    Pic,
    /// `DescribeAIProcessBuckets`, `GET /ai_bucket`.
    Ai,
    /// `DescribeASRProcessBuckets`, `GET /asrbucket`.
    Asr,
    /// `DescribeDocProcessBuckets`, `GET /docbucket`.
    Doc,
    /// `DescribeFileProcessBuckets`, `GET /file_bucket`.
    File,
}

/// The services whose queues of a bucket can be listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueueList {
    /// `DescribeMediaProcessQueues`, `GET /queue`.
    Media,
    /// `DescribePicProcessQueues`, `GET /picqueue`.
    Pic,
    /// `DescribeAiProcessQueues`, `GET /ai_queue`.
    Ai,
    /// `DescribeAsrProcessQueues`, `GET /asrqueue`.
    Asr,
    /// `DescribeDocProcessQueues`, `GET /docqueue`.
    Doc,
    /// `DescribeFileProcessQueues`, `GET /file_queue`.
    File,
}

/// One describe call. Its [`spec`](Operation::spec) says everything about it.
///
/// ```
/// use cloud_infinite::{BucketList, Operation};
/// let op = Operation::Buckets(BucketList::Media);
/// assert_eq!(op.spec().name, "DescribeMediaBuckets");
/// assert_eq!(op.spec().path, "/mediabucket");
/// assert_eq!(Operation::from_id(op.id()), Some(op));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// A service's bucket list, on `ci.<region>.myqcloud.com`.
    Buckets(BucketList),
    /// `DescribeCIBuckets`, `GET /cibuckets`, on `ci.<region>.myqcloud.com`.
    CiBuckets,
    /// A service's queues of one bucket, on `<BucketName-APPID>.ci.<region>.myqcloud.com`.
    Queues(QueueList),
}

/// What the answer holds, and so which page type and query a call takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// [`Bucket`](crate::Bucket) items; queried with [`BucketQuery`](crate::BucketQuery).
    Buckets,
    /// [`CiBucket`](crate::CiBucket) items; queried with [`CiBucketQuery`](crate::CiBucketQuery).
    CiBuckets,
    /// [`Queue`](crate::Queue) items and `NonExistPIDs`; queried with [`QueueQuery`](crate::QueueQuery).
    Queues,
}

/// Which host a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostLevel {
    /// `ci.<region>.myqcloud.com` (or the endpoint override).
    Service,
    /// `<BucketName-APPID>.ci.<region>.myqcloud.com` (or `<bucket>.<endpoint>`).
    Bucket,
}

/// A query parameter of a call, with its wire name and what is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    /// `regions`: a comma-joined list of region names, each checked as one.
    Regions,
    /// `bucketNames`: a comma-joined list of exact `BucketName-APPID` names.
    BucketNames,
    /// `bucketName` of the bucket lists: a name prefix, non-empty.
    BucketNamePrefix,
    /// `bucketName` of `DescribeCIBuckets`: a bucket name to match, non-empty.
    BucketName,
    /// `tagKey`: only buckets with this tag key, non-empty.
    TagKey,
    /// `region`: one region name.
    Region,
    /// `queueIds`: a comma-joined list of queue ids; the answer is then not paged.
    QueueIds,
    /// `state`: `Active` or `Paused`.
    State,
    /// `category`: the queue category, non-empty.
    Category,
    /// `pageNumber`: from 1.
    PageNumber,
    /// `pageSize`: 1 to [`MAX_PAGE_SIZE`](crate::request::MAX_PAGE_SIZE).
    PageSize,
}

impl Param {
    /// Every parameter, in the order a query sends them.
    pub const ALL: [Param; 11] = [
        Param::Regions,
        Param::BucketNames,
        Param::BucketNamePrefix,
        Param::BucketName,
        Param::TagKey,
        Param::Region,
        Param::QueueIds,
        Param::State,
        Param::Category,
        Param::PageNumber,
        Param::PageSize,
    ];

    /// The name on the wire, e.g. `bucketNames`.
    pub fn wire_name(self) -> &'static str {
        match self {
            Param::Regions => "regions",
            Param::BucketNames => "bucketNames",
            Param::BucketNamePrefix | Param::BucketName => "bucketName",
            Param::TagKey => "tagKey",
            Param::Region => "region",
            Param::QueueIds => "queueIds",
            Param::State => "state",
            Param::Category => "category",
            Param::PageNumber => "pageNumber",
            Param::PageSize => "pageSize",
        }
    }

    /// The field's name in every language's query, in snake_case
    /// (`bucket_name_prefix`); bindings derive their own spelling from it.
    pub fn field_name(self) -> &'static str {
        match self {
            Param::Regions => "regions",
            Param::BucketNames => "bucket_names",
            Param::BucketNamePrefix => "bucket_name_prefix",
            Param::BucketName => "bucket_name",
            Param::TagKey => "tag_key",
            Param::Region => "region",
            Param::QueueIds => "queue_ids",
            Param::State => "state",
            Param::Category => "category",
            Param::PageNumber => "page_number",
            Param::PageSize => "page_size",
        }
    }

    /// A bit of [`OperationSpec::param_mask`] (and of the C ABI's `params`).
    pub fn bit(self) -> u32 {
        1 << Param::ALL.iter().position(|p| *p == self).expect("ALL lists every parameter")
    }
}

/// Everything about one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationSpec {
    /// The call.
    pub operation: Operation,
    /// The stable number of the call in the C ABI (`ci_operation`), from 1.
    pub id: u32,
    /// The API's name, e.g. `DescribeMediaBuckets`.
    pub name: &'static str,
    /// The HTTP method: `GET` for every describe call.
    pub method: &'static str,
    /// The request path, e.g. `/mediabucket`.
    pub path: &'static str,
    /// The element the answer repeats for each item, e.g. `MediaBucketList`.
    pub list_element: &'static str,
    /// The parameters it takes, in the order they are sent.
    pub params: &'static [Param],
    /// The binding-neutral name the languages spell their methods from:
    /// `media_buckets` becomes `describe_media_buckets` and
    /// `iter_media_buckets` in Python, `DescribeMediaBuckets` and
    /// `MediaBucketPages` in Go, `describeMediaBuckets` and
    /// `mediaBucketPages` in Node.
    pub snake_name: &'static str,
    /// What it lists, for doc comments: "buckets with media processing enabled".
    pub summary: &'static str,
    /// The `category` values the docs list for its queues (empty when the
    /// call takes none). Other values are sent as given: the service decides.
    pub categories: &'static [&'static str],
    /// The category the service lists when none is sent (`None`: every
    /// one): `Transcoding` for media queues, as their page says.
    pub default_category: Option<&'static str>,
}

const BUCKET_PARAMS: &[Param] = &[Param::Regions, Param::BucketNames, Param::BucketNamePrefix, Param::PageNumber, Param::PageSize];
const CI_BUCKET_PARAMS: &[Param] = &[Param::BucketName, Param::TagKey, Param::Region, Param::PageNumber, Param::PageSize];
const QUEUE_PARAMS: &[Param] = &[Param::QueueIds, Param::State, Param::Category, Param::PageNumber, Param::PageSize];
const QUEUE_PARAMS_NO_CATEGORY: &[Param] = &[Param::QueueIds, Param::State, Param::PageNumber, Param::PageSize];

/// Every call, in the order of their C ABI ids.
///
/// Checked against Tencent's API pages and the official Python and Go SDKs:
/// only the media queue list documents `category` (`CateAll`,
/// `Transcoding`, `SpeedTranscoding`; the service's default is
/// `Transcoding`), so it is the only call here that takes it, where the Go
/// SDK sends it to every queue list and the Python SDK to none.
pub const OPERATIONS: &[OperationSpec] = &[
    bucket_list(BucketList::Media, 1, "DescribeMediaBuckets", "/mediabucket", "MediaBucketList", "media_buckets", "buckets with media processing enabled"),
    bucket_list(BucketList::Pic, 2, "DescribePicProcessBucket", "/picbucket", "PicBucketList", "pic_buckets", "buckets with image processing (async) enabled"),
    bucket_list(BucketList::Ai, 3, "DescribeAIProcessBuckets", "/ai_bucket", "AiBucketList", "ai_buckets", "buckets with AI content recognition enabled"),
    bucket_list(BucketList::Asr, 4, "DescribeASRProcessBuckets", "/asrbucket", "AsrBucketList", "asr_buckets", "buckets with smart audio (speech recognition) enabled"),
    bucket_list(BucketList::Doc, 5, "DescribeDocProcessBuckets", "/docbucket", "DocBucketList", "doc_buckets", "buckets with document processing enabled"),
    bucket_list(BucketList::File, 6, "DescribeFileProcessBuckets", "/file_bucket", "FileBucketList", "file_buckets", "buckets with file processing enabled"),
    OperationSpec {
        operation: Operation::CiBuckets,
        id: 7,
        name: "DescribeCIBuckets",
        method: "GET",
        path: "/cibuckets",
        list_element: "CIBucketList",
        params: CI_BUCKET_PARAMS,
        snake_name: "ci_buckets",
        summary: "buckets bound to Cloud Infinite",
        categories: &[],
        default_category: None,
    },
    OperationSpec {
        default_category: Some("Transcoding"),
        ..queue_list(QueueList::Media, 8, "DescribeMediaProcessQueues", "/queue", QUEUE_PARAMS, "media_queues", "media processing queues", &["CateAll", "Transcoding", "SpeedTranscoding"])
    },
    queue_list(QueueList::Pic, 9, "DescribePicProcessQueues", "/picqueue", QUEUE_PARAMS_NO_CATEGORY, "pic_queues", "image processing queues", &[]),
    queue_list(QueueList::Ai, 10, "DescribeAiProcessQueues", "/ai_queue", QUEUE_PARAMS_NO_CATEGORY, "ai_queues", "AI content recognition queues", &[]),
    queue_list(QueueList::Asr, 11, "DescribeAsrProcessQueues", "/asrqueue", QUEUE_PARAMS_NO_CATEGORY, "asr_queues", "speech recognition queues", &[]),
    queue_list(QueueList::Doc, 12, "DescribeDocProcessQueues", "/docqueue", QUEUE_PARAMS_NO_CATEGORY, "doc_queues", "document processing queues", &[]),
    queue_list(QueueList::File, 13, "DescribeFileProcessQueues", "/file_queue", QUEUE_PARAMS_NO_CATEGORY, "file_queues", "file processing queues", &[]),
];

const fn bucket_list(
    list: BucketList,
    id: u32,
    name: &'static str,
    path: &'static str,
    list_element: &'static str,
    snake_name: &'static str,
    summary: &'static str,
) -> OperationSpec {
    OperationSpec {
        operation: Operation::Buckets(list),
        id,
        name,
        method: "GET",
        path,
        list_element,
        params: BUCKET_PARAMS,
        snake_name,
        summary,
        categories: &[],
        default_category: None,
    }
}

#[allow(clippy::too_many_arguments)]
const fn queue_list(
    list: QueueList,
    id: u32,
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    snake_name: &'static str,
    summary: &'static str,
    categories: &'static [&'static str],
) -> OperationSpec {
    OperationSpec {
        operation: Operation::Queues(list),
        id,
        name,
        method: "GET",
        path,
        list_element: "QueueList",
        params,
        snake_name,
        summary,
        categories,
        default_category: None,
    }
}

impl Operation {
    /// Every call, in the order of their ids.
    pub fn all() -> impl Iterator<Item = Operation> {
        OPERATIONS.iter().map(|spec| spec.operation)
    }

    /// The call's entry in [`OPERATIONS`].
    pub fn spec(self) -> &'static OperationSpec {
        OPERATIONS.iter().find(|spec| spec.operation == self).expect("OPERATIONS has an entry for every operation")
    }

    /// The call with this C ABI id.
    pub fn from_id(id: u32) -> Option<Operation> {
        OPERATIONS.iter().find(|spec| spec.id == id).map(|spec| spec.operation)
    }

    /// The call's C ABI id.
    pub fn id(self) -> u32 {
        self.spec().id
    }

    /// The shape of its answer (and so its query).
    pub fn shape(self) -> Shape {
        match self {
            Operation::Buckets(_) => Shape::Buckets,
            Operation::CiBuckets => Shape::CiBuckets,
            Operation::Queues(_) => Shape::Queues,
        }
    }

    /// Which host it goes to.
    pub fn host_level(self) -> HostLevel {
        match self {
            Operation::Buckets(_) | Operation::CiBuckets => HostLevel::Service,
            Operation::Queues(_) => HostLevel::Bucket,
        }
    }
}

impl OperationSpec {
    /// Whether the call takes `param`.
    pub fn takes(&self, param: Param) -> bool {
        self.params.contains(&param)
    }

    /// The parameters it takes as a bit set of [`Param::bit`].
    pub fn param_mask(&self) -> u32 {
        self.params.iter().fold(0, |mask, p| mask | p.bit())
    }
}

impl From<BucketList> for Operation {
    fn from(list: BucketList) -> Self {
        Operation::Buckets(list)
    }
}

impl From<QueueList> for Operation {
    fn from(list: QueueList) -> Self {
        Operation::Queues(list)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec().name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_unique_and_in_table_order() {
        for (i, spec) in OPERATIONS.iter().enumerate() {
            assert_eq!(spec.id as usize, i + 1, "{}", spec.name);
            assert_eq!(spec.operation.spec(), spec, "{}: one entry per operation", spec.name);
            assert_eq!(Operation::from_id(spec.id), Some(spec.operation));
        }
        assert_eq!(Operation::from_id(0), None);
        assert_eq!(Operation::from_id(OPERATIONS.len() as u32 + 1), None);
    }

    #[test]
    fn names_paths_and_parameters_are_consistent() {
        let mut seen = std::collections::HashSet::new();
        for spec in OPERATIONS {
            assert!(seen.insert(spec.path) && seen.insert(spec.name) && seen.insert(spec.snake_name), "{} is unique", spec.name);
            assert!(spec.path.starts_with('/') && spec.name.starts_with("Describe"));
            assert!(spec.snake_name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(spec.takes(Param::PageNumber) && spec.takes(Param::PageSize), "{} is paged", spec.name);
            let order: Vec<usize> = spec.params.iter().map(|p| Param::ALL.iter().position(|q| q == p).unwrap()).collect();
            assert!(order.windows(2).all(|w| w[0] < w[1]), "{}: parameters in sending order", spec.name);
            assert_eq!(spec.categories.is_empty(), !spec.takes(Param::Category) || spec.categories.is_empty());
            if let Some(default) = spec.default_category {
                assert!(spec.categories.contains(&default), "{}: the default is one of its categories", spec.name);
            }
            match spec.operation.shape() {
                Shape::Queues => assert!(spec.takes(Param::QueueIds) && spec.list_element == "QueueList"),
                Shape::Buckets => assert!(spec.takes(Param::Regions) && spec.list_element.ends_with("BucketList")),
                Shape::CiBuckets => assert!(spec.takes(Param::TagKey)),
            }
        }
    }
}
