//! Issue 17: parsing a page allocates twice, whatever its size: the page
//! keeps the body it is given as its buffer, and adds one list of item
//! starts and one of spans. Texts with entities cost more: a buffer for
//! their decoded bytes (grown by doubling), the page's growing once to
//! hold them, plus one short-lived
//! string per such text (quick-xml's unescape), which is not yet avoided.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // This thread's only: the test harness allocates on threads of its own.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    ALLOCATIONS.with(|n| n.set(n.get() + 1));
}

// SAFETY: forwards to the system allocator, counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is System's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn queue_page(n: usize, url: &str) -> Vec<u8> {
    let mut s = format!("<Response><RequestId>r</RequestId><TotalCount>{n}</TotalCount><PageNumber>1</PageNumber><PageSize>{n}</PageSize>");
    for i in 0..n {
        s.push_str(&format!(
            "<QueueList><QueueId>p{i:05}</QueueId><Name>q-{i}</Name><State>Active</State><NotifyConfig><Url>{url}</Url>\
             <Type>Url</Type><KafkaConfig><Topic>t</Topic></KafkaConfig></NotifyConfig><MaxSize>10000</MaxSize>\
             <MaxConcurrent>10</MaxConcurrent><CreateTime>2022-08-09T16:23:11+0800</CreateTime></QueueList>"
        ));
    }
    s.push_str("</Response>");
    // Sized exactly, as a read sized by Content-Length leaves it.
    s.into_bytes().into_boxed_slice().into_vec()
}

/// Allocations (and reallocations) while parsing `body`, the page's own included.
fn allocations(body: Vec<u8>) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    let page = cloud_infinite::xml::parse_page::<cloud_infinite::Queue>(body, "QueueList", 100).unwrap();
    let after = ALLOCATIONS.with(Cell::get);
    assert!(!page.is_empty());
    after - before
}

#[test]
fn a_page_allocates_a_constant_few_times() {
    for n in [1, 10, 100] {
        let plain = allocations(queue_page(n, "http://cb.example/x"));
        assert!(plain <= 2, "{n} plain queues: {plain}");
        let decoded = allocations(queue_page(n, "http://cb.example/?a=1&amp;b=2"));
        // The decoded bytes' buffer grows by doubling: a few times.
        assert!(decoded <= 4 + n + 8, "{n} queues with an entity each: {decoded}");
    }
}
