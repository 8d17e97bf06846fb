//! Response bodies: a whole one, a deliberately truncated one, and a huge one
//! that is streamed from a shared chunk so its size never reaches memory.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use cloud_infinite::{OperationSpec, Shape, OPERATIONS};
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

use crate::xml;

/// How long a truncated body waits after its half before breaking the
/// connection, so hyper flushes the half first instead of dropping it.
const TRUNCATE_PAUSE: Duration = Duration::from_millis(50);

/// The error that ends a truncated body and, with it, the connection.
#[derive(Debug)]
pub struct Aborted;

impl fmt::Display for Aborted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response deliberately cut short by a fault")
    }
}

impl std::error::Error for Aborted {}

/// Every body the emulator sends.
pub enum RespBody {
    /// A complete body, sent in one frame.
    Full(Option<Bytes>),
    /// Half a body under the full body's Content-Length.
    Truncated(Truncated),
    /// A streamed body of a fixed, possibly enormous, size.
    Oversized(Oversized),
}

impl RespBody {
    /// A complete body.
    pub fn full(data: impl Into<Bytes>) -> Self {
        RespBody::Full(Some(data.into()))
    }

    /// The first half of `body`, announced with `body`'s full length.
    pub fn truncated(body: Bytes) -> Self {
        let full_len = body.len() as u64;
        let half = body.slice(..body.len() / 2);
        RespBody::Truncated(Truncated { half: Some(half), full_len, pause: None })
    }
}

/// State of a truncated body.
pub struct Truncated {
    half: Option<Bytes>,
    full_len: u64,
    pause: Option<Pin<Box<Sleep>>>,
}

/// State of an oversized body: head, then `filler_left` bytes cut from a
/// shared chunk of whole elements (then spaces), then the tail.
pub struct Oversized {
    head: Option<Bytes>,
    filler_left: u64,
    tail: Option<Bytes>,
    total: u64,
    chunk: &'static Filler,
}

/// A chunk made of whole repeated elements, and the length of one element.
pub struct Filler {
    chunk: Bytes,
    element_len: usize,
}

/// Spaces to pad the filler to the exact size; longer than any element.
static SPACES: [u8; 1024] = [b' '; 1024];

/// About 64 KiB of whole elements per frame: big enough to stream fast,
/// small enough that hyper's write buffer bounds the memory used.
fn filler(element: &str) -> Filler {
    let element_len = element.len();
    let chunk = element.repeat((64 * 1024 / element_len).max(1));
    Filler { chunk: Bytes::from(chunk), element_len }
}

/// One made-up item of a call's list element, shaped as the call's shape
/// answers it.
fn filler_element(spec: &OperationSpec) -> String {
    let item = match spec.operation.shape() {
        Shape::Buckets => "<BucketId>huge-1250000000</BucketId><Name>huge-1250000000</Name>\
             <Region>ap-guangzhou</Region><CreateTime>2022-01-07T00:00:00+0800</CreateTime>",
        Shape::CiBuckets => "<BucketId>huge-1250000000</BucketId><BucketName>huge</BucketName><AppId>1250000000</AppId>\
             <CreateTime>2022-01-07T00:00:00+0800</CreateTime><Region>ap-guangzhou</Region><Status>on</Status>",
        Shape::Queues => "<QueueId>p00000000000000000000000000000000</QueueId><Name>huge</Name>\
             <State>Active</State><MaxSize>10000</MaxSize><MaxConcurrent>10</MaxConcurrent>\
             <UpdateTime>2022-01-07T00:00:00+0800</UpdateTime><CreateTime>2022-01-07T00:00:00+0800</CreateTime>",
    };
    format!("<{0}>{item}</{0}>", spec.list_element)
}

/// The filler of every call, in table order, built once.
fn filler_of(spec: &OperationSpec) -> &'static Filler {
    static FILLERS: OnceLock<Vec<Filler>> = OnceLock::new();
    let fillers = FILLERS.get_or_init(|| OPERATIONS.iter().map(|s| filler(&filler_element(s))).collect());
    let index = OPERATIONS.iter().position(|s| s.operation == spec.operation).unwrap_or(0);
    &fillers[index]
}

impl Oversized {
    /// A `size`-byte body shaped like an answer of `spec` (a queue list's
    /// without paging fields, as if it answered `queueIds`).
    pub fn new(size: u64, request_id: &str, spec: &OperationSpec) -> Self {
        let queues = spec.operation.shape() == Shape::Queues;
        let mut head = xml::document(128);
        xml::open(&mut head, "Response");
        xml::text_element(&mut head, "RequestId", request_id);
        if !queues {
            // The largest page, so that it is the item cap (not a PageSize
            // the items contradict) that refuses a body of too many items.
            xml::number_element(&mut head, "TotalCount", 1);
            xml::number_element(&mut head, "PageNumber", 1);
            xml::number_element(&mut head, "PageSize", cloud_infinite::request::MAX_PAGE_SIZE);
        }
        Oversized::framed(size, head, "</Response>", filler_of(spec))
    }

    /// A `size`-byte JSON object, `{"Padding":"AAAA…"}`: what an oversized
    /// answer of the credential services (metadata, STS) looks like.
    pub fn json(size: u64) -> Self {
        static PADDING: OnceLock<Filler> = OnceLock::new();
        let chunk = PADDING.get_or_init(|| filler("A"));
        Oversized::framed(size, "{\"Padding\":\"".to_owned(), "\"}", chunk)
    }

    /// `head`, then filler cut from `chunk`, then `tail`: exactly `size` bytes.
    fn framed(size: u64, mut head: String, tail: &'static str, chunk: &'static Filler) -> Self {
        let fixed = (head.len() + tail.len()) as u64;
        if size < fixed {
            // Too small to be well-formed: send the first `size` bytes of it.
            head.push_str(tail);
            head.truncate(size as usize);
            return Oversized { head: Some(Bytes::from(head)), filler_left: 0, tail: None, total: size, chunk };
        }
        Oversized {
            head: Some(Bytes::from(head)),
            filler_left: size - fixed,
            tail: Some(Bytes::from_static(tail.as_bytes())),
            total: size,
            chunk,
        }
    }

    /// The next frame's bytes, `None` once all `total` were handed out.
    fn next(&mut self) -> Option<Bytes> {
        if let Some(head) = self.head.take() {
            return Some(head);
        }
        if self.filler_left > 0 {
            let chunk = &self.chunk.chunk;
            let piece = if self.filler_left >= chunk.len() as u64 {
                chunk.clone()
            } else {
                let left = self.filler_left as usize;
                let whole = left / self.chunk.element_len * self.chunk.element_len;
                if whole > 0 {
                    chunk.slice(..whole)
                } else {
                    Bytes::from_static(&SPACES[..left.min(SPACES.len())])
                }
            };
            self.filler_left -= piece.len() as u64;
            return Some(piece);
        }
        self.tail.take()
    }
}

impl Body for RespBody {
    type Data = Bytes;
    type Error = Aborted;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Aborted>>> {
        match self.get_mut() {
            RespBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            RespBody::Oversized(o) => Poll::Ready(o.next().map(|d| Ok(Frame::data(d)))),
            RespBody::Truncated(t) => {
                if let Some(half) = t.half.take() {
                    if !half.is_empty() {
                        return Poll::Ready(Some(Ok(Frame::data(half))));
                    }
                }
                let pause = t.pause.get_or_insert_with(|| Box::pin(tokio::time::sleep(TRUNCATE_PAUSE)));
                match pause.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Aborted))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            RespBody::Full(data) => data.is_none(),
            RespBody::Oversized(o) => o.head.is_none() && o.filler_left == 0 && o.tail.is_none(),
            RespBody::Truncated(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RespBody::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            RespBody::Oversized(o) => SizeHint::with_exact(o.total),
            RespBody::Truncated(t) => SizeHint::with_exact(t.full_len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything the body would send, in one buffer (test sizes only).
    fn drain(mut o: Oversized) -> Vec<u8> {
        let mut all = Vec::new();
        while let Some(b) = o.next() {
            all.extend_from_slice(&b);
        }
        all
    }

    #[test]
    fn oversized_is_exactly_its_size() {
        for size in [0u64, 10, 200, 201, 1000, 70_000, 1 << 20, (1 << 20) + 7] {
            for spec in OPERATIONS {
                let all = drain(Oversized::new(size, "rid", spec));
                assert_eq!(all.len() as u64, size);
                if size > 200 {
                    assert!(all.ends_with(b"</Response>"));
                }
                if size > 70_000 {
                    let text = String::from_utf8(all).unwrap();
                    assert!(text.contains(&format!("<{}><", spec.list_element)), "{}", spec.name);
                }
            }
            let json = drain(Oversized::json(size));
            assert_eq!(json.len() as u64, size);
            if size > 20 {
                let text = String::from_utf8(json).unwrap();
                assert!(text.starts_with("{\"Padding\":\"AAAA") && text.ends_with("A\"}"), "{size}");
            }
        }
    }
}
