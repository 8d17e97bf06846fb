//! Which pointers the library handed out, and of what type.
//!
//! A type tag stored inside each object could only be read by dereferencing
//! the pointer, which is undefined behaviour (and a valgrind error) for a
//! pointer already freed or never ours. Keeping the tags here instead lets
//! `ci_free` and every handle argument be checked without touching the
//! pointer at all.
//!
//! An address can be reused by the allocator once its memory is released,
//! and then a stale pointer would name the new object. So `ci_free` runs an
//! object's destructor at once (a client's connections close then) but
//! holds its memory block back in a quarantine for the next
//! [`QUARANTINE_OBJECTS`] frees; while it is there, nothing else can be
//! given its address, and a second `ci_free` of it is recognised. The
//! quarantine empties whenever no object is live, so a program that frees
//! everything leaves nothing behind.

use std::collections::{HashMap, VecDeque};
use std::mem::MaybeUninit;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// How many freed objects keep their memory block (and so their address).
pub(crate) const QUARANTINE_OBJECTS: usize = 64;

/// The kinds of object handed out; each knows its destructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Cancel,
    Client,
    Error,
    Page,
    Pager,
    Signature,
}

impl Tag {
    /// The C type name, for messages.
    pub(crate) fn c_name(self) -> &'static str {
        match self {
            Tag::Cancel => "ci_cancel",
            Tag::Client => "ci_client",
            Tag::Error => "ci_error",
            Tag::Page => "ci_page",
            Tag::Pager => "ci_pager",
            Tag::Signature => "ci_signature",
        }
    }
}

/// How to finish off an object of one type, in two steps.
#[derive(Clone, Copy)]
struct Destructors {
    /// Drops the value in place, leaving its memory block allocated;
    /// sound once, for a pointer recorded with these destructors.
    drop_value: unsafe fn(*mut u8),
    /// Releases the memory block of a value already dropped; sound once,
    /// after `drop_value`.
    release_memory: unsafe fn(*mut u8),
}

/// A live object's tag and destructors.
struct Entry {
    tag: Tag,
    destructors: Destructors,
}

#[derive(Default)]
struct Registry {
    live: HashMap<usize, Entry>,
    /// Memory blocks of freed (already dropped) objects, oldest first.
    quarantine: VecDeque<(usize, Destructors)>,
}

fn registry() -> MutexGuard<'static, Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    // A panic while the lock is held cannot leave the maps half-updated
    // (each step is a single insert, remove or push), so poisoning is ignored.
    REGISTRY.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner())
}

/// # Safety
/// `ptr` came from `Box::<T>::into_raw` and its value was not dropped yet.
unsafe fn drop_value<T>(ptr: *mut u8) {
    // SAFETY: per the contract, `ptr` points to a live `T` owned by us.
    unsafe { std::ptr::drop_in_place(ptr.cast::<T>()) };
}

/// # Safety
/// `ptr` came from `Box::<T>::into_raw` and its value was dropped already.
unsafe fn release_memory<T>(ptr: *mut u8) {
    // SAFETY: `MaybeUninit<T>` has `T`'s layout and no destructor, so this
    // frees the block without dropping the value a second time.
    drop(unsafe { Box::from_raw(ptr.cast::<MaybeUninit<T>>()) });
}

/// Moves `value` to the heap, records it as live under `tag`, and returns
/// the pointer the C side gets.
pub(crate) fn hand_out<T: 'static>(value: T, tag: Tag) -> *mut T {
    let ptr = Box::into_raw(Box::new(value));
    let destructors = Destructors { drop_value: drop_value::<T>, release_memory: release_memory::<T> };
    registry().live.insert(ptr as usize, Entry { tag, destructors });
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
    let Some(entry) = registry().live.remove(&(ptr as usize)) else {
        return false;
    };
    // SAFETY: the entry left `live` under the lock, so no other thread can
    // borrow or release it; its value was not dropped before. The destructor
    // runs outside the lock (a client's may close sockets).
    unsafe { (entry.destructors.drop_value)(ptr) };

    let mut to_release: Vec<(usize, Destructors)> = Vec::new();
    {
        let mut reg = registry();
        reg.quarantine.push_back((ptr as usize, entry.destructors));
        while reg.quarantine.len() > QUARANTINE_OBJECTS {
            to_release.extend(reg.quarantine.pop_front());
        }
        // With nothing live, nothing can be confused with a freed object:
        // give everything back, so a host checking for leaks at exit
        // (valgrind, LSan) finds nothing of ours.
        if reg.live.is_empty() {
            to_release.extend(reg.quarantine.drain(..));
            reg.live.shrink_to_fit();
            reg.quarantine.shrink_to_fit();
        }
    }
    for (address, destructors) in to_release {
        // SAFETY: each block left the quarantine under the lock, its value
        // was dropped when it entered, and it is released only here.
        unsafe { (destructors.release_memory)(address as *mut u8) };
    }
    true
}

/// Objects currently live (for leak tests).
pub(crate) fn live_count() -> usize {
    registry().live.len()
}
