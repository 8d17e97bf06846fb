//! A client for Tencent Cloud Infinite (CI)'s describe calls, and the core
//! behind the C, Python, Go and Node bindings of `cloud-infinite`.
//!
//! Every call is one entry of [`OPERATIONS`]: the six services' bucket
//! lists ([`Client::describe_buckets`] with a [`BucketList`]),
//! `DescribeCIBuckets` ([`Client::describe_ci_buckets`]) and the six
//! services' queue lists of a bucket ([`Client::describe_queues`] with a
//! [`QueueList`]), each with a page iterator. Every answer is a [`Page`].
//!
//! Requests carry the `q-sign-algorithm=sha1` signature of [`sign`], which
//! is also public for calls this crate does not wrap.
//!
//! ```no_run
//! use cloud_infinite::{QueueList, QueueQuery, QueueState};
//! let client = cloud_infinite::ClientBuilder::from_env().build()?;
//! let page = client.describe_queues(
//!     QueueList::Media,
//!     "examplebucket-1250000000",
//!     &QueueQuery { state: Some(QueueState::Active), ..Default::default() },
//! )?;
//! println!("{} queues of {:?}", page.len(), page.total_count);
//! for queue in page.items() {
//!     println!("{:?} {:?}", queue.queue_id(), queue.state());
//! }
//! # Ok::<(), cloud_infinite::Error>(())
//! ```

#![deny(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]
#![warn(missing_docs)]

mod cancel;
mod decimal;
pub mod client;
pub mod credentials;
pub mod error;
// The C ABI: its symbols are exported from the cdylib and staticlib; it is
// not part of the Rust API (Rust callers use the types above).
mod ffi;
pub mod model;
mod page;
mod views;
pub mod operations;
pub mod request;
pub mod sign;
pub mod xml;

pub use cancel::CancelToken;
pub use client::{AsyncPages, Call, Client, ClientBuilder, Pages, ProxyConfig, Scheme};
pub use error::{Error, ErrorKind, Result, ServiceDetails};
pub use model::{Bucket, BucketPage, CiBucket, CiBucketPage, KafkaConfig, NotifyConfig, Page, Queue, QueuePage};
pub use page::Items;
pub use views::{BucketRef, CiBucketRef, KafkaConfigRef, NotifyConfigRef, QueueRef};
pub use operations::{BucketList, HostLevel, Operation, OperationSpec, Param, QueueList, Shape, OPERATIONS};
pub use request::{BucketQuery, CiBucketQuery, Query, QueueQuery, QueueState};
