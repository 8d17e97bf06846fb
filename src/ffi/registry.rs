//! Which pointers the library handed out, and of what type.
//!
//! A type tag stored inside each object could only be read by dereferencing
//! the pointer, which is undefined behaviour (and a valgrind error) for a
//! pointer already freed or never ours. Keeping the tags here instead lets
//! `ci_free` and every handle argument be checked without touching the
//! pointer at all.
//!
//! An address can be reused by the allocator once its object is freed, and
//! then a stale pointer would name the new object. To keep stale pointers
//! detectable for a while, freed objects wait in a quarantine (the last
//! [`QUARANTINE_OBJECTS`] frees, up to [`QUARANTINE_BYTES`]) before their
//! memory goes back to the allocator; the quarantine empties whenever no
//! object is live, so a program that frees everything leaves nothing behind.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// How many freed objects keep their memory (and so their address) reserved.
pub(crate) const QUARANTINE_OBJECTS: usize = 64;
/// How much freed memory the quarantine may hold; larger objects skip it.
pub(crate) const QUARANTINE_BYTES: usize = 4 << 20;

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

/// An object's tag, its approximate size and the function that frees it.
struct Entry {
    tag: Tag,
    bytes: usize,
    /// Frees the object; sound only for the pointer it was recorded with, once.
    drop_fn: unsafe fn(*mut u8),
}

#[derive(Default)]
struct Registry {
    live: HashMap<usize, Entry>,
    /// Freed objects whose memory is not yet released, oldest first.
    quarantine: VecDeque<(usize, Entry)>,
    quarantine_bytes: usize,
}

fn registry() -> MutexGuard<'static, Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    // A panic while the lock is held cannot leave the maps half-updated
    // (each step is a single insert, remove or push), so poisoning is ignored.
    REGISTRY.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner())
}

/// Moves `value` to the heap, records it as live under `tag`, and returns
/// the pointer the C side gets. `heap_bytes` is what `value` owns beyond its
/// own size (buffers), for the quarantine's budget.
pub(crate) fn hand_out<T: 'static>(value: T, tag: Tag, heap_bytes: usize) -> *mut T {
    /// # Safety
    /// `ptr` came from `Box::<T>::into_raw` and is released exactly once.
    unsafe fn drop_box<T>(ptr: *mut u8) {
        // SAFETY: `ptr` came from `Box::into_raw` of a `Box<T>` in `hand_out`
        // and left the registry, so this is its only release.
        drop(unsafe { Box::from_raw(ptr.cast::<T>()) });
    }
    let ptr = Box::into_raw(Box::new(value));
    let entry = Entry { tag, bytes: std::mem::size_of::<T>() + heap_bytes, drop_fn: drop_box::<T> };
    let mut reg = registry();
    // The allocator may hand back an address still quarantined only if it
    // was released; a quarantined block is still allocated, so no clash.
    reg.live.insert(ptr as usize, entry);
    ptr
}

/// Runs `f` on the live object at `ptr` if it is one of type `tag`, holding
/// the registry lock so that a concurrent `ci_free` cannot release it
/// meanwhile. `f` must be quick (a clone, a field read).
pub(crate) fn with_live<T, R>(ptr: *const T, tag: Tag, f: impl FnOnce(&T) -> R) -> Option<R> {
    let reg = registry();
    match reg.live.get(&(ptr as usize)) {
        // SAFETY: the registry says `ptr` is a live `Box<T>` of this tag
        // (tags map one-to-one to types), and the lock keeps it alive.
        Some(entry) if entry.tag == tag => Some(f(unsafe { &*ptr })),
        _ => None,
    }
}

/// The tag of the live object at `ptr`, if it is one.
pub(crate) fn tag_of(ptr: *const u8) -> Option<Tag> {
    registry().live.get(&(ptr as usize)).map(|e| e.tag)
}

/// Releases the live object at `ptr`; false if it is not one (never made
/// here, or freed already and still remembered as such).
pub(crate) fn release(ptr: *mut u8) -> bool {
    let mut to_drop: Vec<(usize, Entry)> = Vec::new();
    {
        let mut reg = registry();
        let Some(entry) = reg.live.remove(&(ptr as usize)) else {
            return false;
        };
        if entry.bytes > QUARANTINE_BYTES / 4 {
            to_drop.push((ptr as usize, entry));
        } else {
            reg.quarantine_bytes += entry.bytes;
            reg.quarantine.push_back((ptr as usize, entry));
        }
        while reg.quarantine.len() > QUARANTINE_OBJECTS || reg.quarantine_bytes > QUARANTINE_BYTES {
            let Some(old) = reg.quarantine.pop_front() else { break };
            reg.quarantine_bytes -= old.1.bytes;
            to_drop.push(old);
        }
        // With nothing live, nothing can be confused with a freed object:
        // give everything back, so a host checking for leaks at exit
        // (valgrind, LSan) finds nothing of ours.
        if reg.live.is_empty() {
            to_drop.extend(reg.quarantine.drain(..));
            reg.quarantine_bytes = 0;
            reg.live.shrink_to_fit();
            reg.quarantine.shrink_to_fit();
        }
    }
    for (address, entry) in to_drop {
        // SAFETY: each entry left the registry under the lock, so no other
        // thread can release or borrow it; `drop_fn` matches its type. The
        // destructors run outside the lock.
        unsafe { (entry.drop_fn)(address as *mut u8) };
    }
    true
}

/// Objects currently live (for leak tests).
pub(crate) fn live_count() -> usize {
    registry().live.len()
}
