//! Giving memory that a large load freed back to the system.
//!
//! glibc keeps freed blocks in its per-thread arenas for reuse, and after a large block is
//! freed it raises the size it trims at: after a million-row load about a fifth of the
//! wizard's resident memory was free space kept that way. `malloc_trim` returns it. The
//! allocators of macOS and Windows give free pages back on their own; there this does nothing.

/// Returns the allocator's free memory to the system where the allocator would keep it.
pub fn release_free() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::trim();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }

    pub(super) fn trim() {
        // SAFETY: glibc's malloc_trim takes any pad and only works on its own free lists.
        unsafe {
            malloc_trim(0);
        }
    }
}
