//! `ci_operations`: the table of operations as C sees it, so that a
//! binding can check at load time that it declares every call the library
//! offers, and a C program can list them.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use super::ffi_boundary;
use crate::operations::{HostLevel, Shape, OPERATIONS};

/// The describe calls: `ci_describe`'s `operation` argument. The numbers
/// are stable; `ci_operations()` describes each.
// Exported for C by name; the library reads ids through the core's table
// (a test holds the two to the same values).
#[allow(dead_code)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ci_operation {
    /// `DescribeMediaBuckets`, `GET /mediabucket`.
    MediaBuckets = 1,
    /// `DescribePicProcessBucket`, `GET /picbucket`.
    PicBuckets = 2,
    /// `DescribeAIProcessBuckets`, `GET /ai_bucket`.
    AiBuckets = 3,
    /// `DescribeASRProcessBuckets`, `GET /asrbucket`.
    AsrBuckets = 4,
    /// `DescribeDocProcessBuckets`, `GET /docbucket`.
    DocBuckets = 5,
    /// `DescribeFileProcessBuckets`, `GET /file_bucket`.
    FileBuckets = 6,
    /// `DescribeCIBuckets`, `GET /cibuckets`.
    CiBuckets = 7,
    /// `DescribeMediaProcessQueues`, `GET /queue`.
    MediaQueues = 8,
    /// `DescribePicProcessQueues`, `GET /picqueue`.
    PicQueues = 9,
    /// `DescribeAiProcessQueues`, `GET /ai_queue`.
    AiQueues = 10,
    /// `DescribeAsrProcessQueues`, `GET /asrqueue`.
    AsrQueues = 11,
    /// `DescribeDocProcessQueues`, `GET /docqueue`.
    DocQueues = 12,
    /// `DescribeFileProcessQueues`, `GET /file_queue`.
    FileQueues = 13,
}

/// `ci_operation_info.shape`: which item array of `ci_page` a call fills.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ci_shape {
    /// `ci_page.buckets`.
    Buckets = 1,
    /// `ci_page.ci_buckets`.
    CiBuckets = 2,
    /// `ci_page.queues` and `ci_page.non_exist_pids`.
    Queues = 3,
}

/// `ci_operation_info.host_level`: whether a call takes a bucket.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ci_host_level {
    /// `ci.<region>.myqcloud.com`: `bucket` must be NULL.
    Service = 1,
    /// `<BucketName-APPID>.ci.<region>.myqcloud.com`: `bucket` is required.
    Bucket = 2,
}

/// Bits of `ci_operation_info.params`: the `ci_query` fields a call takes.
// Exported for C by name; the library computes the bits from the core's
// table (a test holds the two to the same values).
#[allow(dead_code)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ci_param {
    /// `regions`.
    Regions = 1 << 0,
    /// `bucket_names`.
    BucketNames = 1 << 1,
    /// `bucket_name_prefix`.
    BucketNamePrefix = 1 << 2,
    /// `bucket_name`.
    BucketName = 1 << 3,
    /// `tag_key`.
    TagKey = 1 << 4,
    /// `region`.
    Region = 1 << 5,
    /// `queue_ids`.
    QueueIds = 1 << 6,
    /// `state`.
    State = 1 << 7,
    /// `category`.
    Category = 1 << 8,
    /// `page_number`.
    PageNumber = 1 << 9,
    /// `page_size`.
    PageSize = 1 << 10,
}

/// One call of `ci_operations()`: static, never freed. Strings are
/// non-NULL UTF-8.
#[repr(C)]
pub struct ci_operation_info {
    /// The `ci_operation` to pass to `ci_describe`.
    pub operation: u32,
    /// The API's name, e.g. `"DescribeMediaBuckets"`.
    pub name: *const c_char,
    /// The HTTP method, `"GET"`.
    pub method: *const c_char,
    /// The request path, e.g. `"/mediabucket"`.
    pub path: *const c_char,
    /// The element the answer repeats per item, e.g. `"MediaBucketList"`.
    pub list_element: *const c_char,
    /// The name bindings spell their methods from, e.g. `"media_buckets"`.
    pub snake_name: *const c_char,
    /// A `ci_shape`.
    pub shape: u32,
    /// A `ci_host_level`.
    pub host_level: u32,
    /// The `ci_param` bits of the `ci_query` fields it takes.
    pub params: u32,
    /// The `category` values its page documents, comma-separated (e.g.
    /// `"CateAll,Transcoding,SpeedTranscoding"`), or NULL when it takes none.
    pub categories: *const c_char,
    /// The category the service lists when none is sent, or NULL (every one).
    pub default_category: *const c_char,
}

/// The table, made once: the structs and the C strings they point into.
struct Table {
    infos: Vec<ci_operation_info>,
    _strings: Vec<CString>,
}

// SAFETY: the table is immutable once built; its pointers point into its
// own strings, which live as long as the process.
unsafe impl Sync for Table {}
// SAFETY: as above.
unsafe impl Send for Table {}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut strings = Vec::new();
        let mut c = |s: &str| -> *const c_char {
            let owned = CString::new(s).expect("the table's strings hold no NUL");
            let ptr = owned.as_ptr();
            // Moving a CString does not move its heap buffer.
            strings.push(owned);
            ptr
        };
        let infos = OPERATIONS
            .iter()
            .map(|spec| ci_operation_info {
                operation: spec.id,
                name: c(spec.name),
                method: c(spec.method),
                path: c(spec.path),
                list_element: c(spec.list_element),
                snake_name: c(spec.snake_name),
                shape: shape_id(spec.operation.shape()) as u32,
                host_level: match spec.operation.host_level() {
                    HostLevel::Service => ci_host_level::Service,
                    HostLevel::Bucket => ci_host_level::Bucket,
                } as u32,
                params: spec.param_mask(),
                categories: if spec.categories.is_empty() { std::ptr::null() } else { c(&spec.categories.join(",")) },
                default_category: spec.default_category.map_or(std::ptr::null(), &mut c),
            })
            .collect();
        Table { infos, _strings: strings }
    })
}

fn shape_id(shape: Shape) -> ci_shape {
    match shape {
        Shape::Buckets => ci_shape::Buckets,
        Shape::CiBuckets => ci_shape::CiBuckets,
        Shape::Queues => ci_shape::Queues,
    }
}

/// Every describe call the library offers, in `ci_operation` order: a
/// static array of `*len` entries (0 and NULL only if `len` is NULL).
///
/// ```c
/// size_t n = 0;
/// const ci_operation_info *ops = ci_operations(&n);
/// for (size_t i = 0; i < n; i++) printf("%s %s\n", ops[i].name, ops[i].path);
/// ```
#[no_mangle]
pub extern "C" fn ci_operations(len: *mut usize) -> *const ci_operation_info {
    ffi_boundary!(std::ptr::null(), {
        if len.is_null() {
            std::ptr::null()
        } else {
            let infos = &table().infos;
            // SAFETY: `len` is non-NULL and points to writable storage per the contract.
            unsafe { len.write(infos.len()) };
            infos.as_ptr()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{Operation, Param};

    /// The C enums are the core's table under other names: they must agree.
    #[test]
    fn c_enums_match_the_core_table() {
        let ids = [
            (ci_operation::MediaBuckets, "media_buckets"),
            (ci_operation::PicBuckets, "pic_buckets"),
            (ci_operation::AiBuckets, "ai_buckets"),
            (ci_operation::AsrBuckets, "asr_buckets"),
            (ci_operation::DocBuckets, "doc_buckets"),
            (ci_operation::FileBuckets, "file_buckets"),
            (ci_operation::CiBuckets, "ci_buckets"),
            (ci_operation::MediaQueues, "media_queues"),
            (ci_operation::PicQueues, "pic_queues"),
            (ci_operation::AiQueues, "ai_queues"),
            (ci_operation::AsrQueues, "asr_queues"),
            (ci_operation::DocQueues, "doc_queues"),
            (ci_operation::FileQueues, "file_queues"),
        ];
        assert_eq!(ids.len(), OPERATIONS.len());
        for (id, snake) in ids {
            assert_eq!(Operation::from_id(id as u32).map(|op| op.spec().snake_name), Some(snake));
        }
        let bits = [
            (ci_param::Regions, Param::Regions),
            (ci_param::BucketNames, Param::BucketNames),
            (ci_param::BucketNamePrefix, Param::BucketNamePrefix),
            (ci_param::BucketName, Param::BucketName),
            (ci_param::TagKey, Param::TagKey),
            (ci_param::Region, Param::Region),
            (ci_param::QueueIds, Param::QueueIds),
            (ci_param::State, Param::State),
            (ci_param::Category, Param::Category),
            (ci_param::PageNumber, Param::PageNumber),
            (ci_param::PageSize, Param::PageSize),
        ];
        assert_eq!(bits.len(), Param::ALL.len());
        for (bit, param) in bits {
            assert_eq!(bit as u32, param.bit(), "{param:?}");
        }
    }

    #[test]
    fn the_table_describes_every_operation() {
        let mut len = 0;
        let infos = ci_operations(&mut len);
        assert_eq!(len, OPERATIONS.len());
        // SAFETY: ci_operations returned `len` entries.
        let infos = unsafe { std::slice::from_raw_parts(infos, len) };
        for (info, spec) in infos.iter().zip(OPERATIONS) {
            // SAFETY: the table's strings are valid C strings.
            let name = unsafe { std::ffi::CStr::from_ptr(info.name) }.to_str().unwrap();
            assert_eq!((info.operation, name, info.params), (spec.id, spec.name, spec.param_mask()));
            assert_eq!(info.categories.is_null(), spec.categories.is_empty());
            assert_eq!(info.default_category.is_null(), spec.default_category.is_none());
        }
        assert!(ci_operations(std::ptr::null_mut()).is_null());
    }
}
