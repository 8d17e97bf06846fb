//! Which pointers the library handed out, and of what type.
//!
//! A type tag stored inside each object could only be read by dereferencing
//! the pointer, which is undefined behaviour (and a valgrind error) for a
//! pointer already freed or never ours. Keeping the tags here instead lets
//! `ci_free` and every handle argument be checked without touching the
//! pointer at all.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The kinds of object handed out; each knows its destructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Client,
    Error,
    PicBucketPage,
    AiQueuePage,
    PicBucketPager,
    AiQueuePager,
    Signature,
}

impl Tag {
    /// The C type name, for messages.
    pub(crate) fn c_name(self) -> &'static str {
        match self {
            Tag::Client => "ci_client",
            Tag::Error => "ci_error",
            Tag::PicBucketPage => "ci_pic_bucket_page",
            Tag::AiQueuePage => "ci_ai_queue_page",
            Tag::PicBucketPager => "ci_pic_bucket_pager",
            Tag::AiQueuePager => "ci_ai_queue_pager",
            Tag::Signature => "ci_signature",
        }
    }
}

/// A live object's tag and the function that frees it.
struct Entry {
    tag: Tag,
    drop_fn: unsafe fn(*mut u8),
}

fn live() -> MutexGuard<'static, HashMap<usize, Entry>> {
    static LIVE: OnceLock<Mutex<HashMap<usize, Entry>>> = OnceLock::new();
    // A panic while the lock is held cannot leave the map half-updated
    // (each operation is a single insert or remove), so poisoning is ignored.
    LIVE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner())
}

/// Moves `value` to the heap, records it as live under `tag`, and returns
/// the pointer the C side gets.
pub(crate) fn hand_out<T: 'static>(value: T, tag: Tag) -> *mut T {
    unsafe fn drop_box<T>(ptr: *mut u8) {
        // SAFETY: `ptr` came from `Box::into_raw` of a `Box<T>` in `hand_out`
        // and was removed from the registry, so this is its only release.
        drop(unsafe { Box::from_raw(ptr.cast::<T>()) });
    }
    let ptr = Box::into_raw(Box::new(value));
    live().insert(ptr as usize, Entry { tag, drop_fn: drop_box::<T> });
    ptr
}

/// Runs `f` on the live object at `ptr` if it is one of type `tag`, holding
/// the registry lock so that a concurrent `ci_free` cannot release it
/// meanwhile. `f` must be quick (a clone, a field read).
pub(crate) fn with_live<T, R>(ptr: *const T, tag: Tag, f: impl FnOnce(&T) -> R) -> Option<R> {
    let map = live();
    match map.get(&(ptr as usize)) {
        // SAFETY: the registry says `ptr` is a live `Box<T>` of this tag
        // (tags map one-to-one to types), and the lock keeps it alive.
        Some(entry) if entry.tag == tag => Some(f(unsafe { &*ptr })),
        _ => None,
    }
}

/// The tag of the live object at `ptr`, if it is one.
pub(crate) fn tag_of(ptr: *const u8) -> Option<Tag> {
    live().get(&(ptr as usize)).map(|e| e.tag)
}

/// Releases the live object at `ptr`; false if it is not one.
pub(crate) fn release(ptr: *mut u8) -> bool {
    let entry = {
        let mut map = live();
        let entry = map.remove(&(ptr as usize));
        // With nothing live, give the table back: a host checking for leaks
        // at exit (valgrind, LSan) then finds nothing of ours.
        if map.is_empty() {
            map.shrink_to_fit();
        }
        entry
    };
    match entry {
        Some(entry) => {
            // SAFETY: the entry was removed under the lock, so no other
            // thread can release or borrow it; `drop_fn` matches its type.
            // The destructor runs outside the lock.
            unsafe { (entry.drop_fn)(ptr) };
            true
        }
        None => false,
    }
}

/// Objects currently live (for leak tests).
pub(crate) fn live_count() -> usize {
    live().len()
}
