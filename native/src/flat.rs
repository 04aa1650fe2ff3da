//! Flat arrays that either own their elements or borrow them from a memory-mapped file, so that a
//! saved index ([`crate::index::NameIndex::load`]) is used in place, without copying.

use memmap2::Mmap;
use std::ops::Deref;
use std::sync::Arc;

/// Element types an [`Array`] may map from a file.
///
/// # Safety
/// Implementors are plain integers, or `#[repr(C)]` structs of integers and floats without padding
/// bytes, for which every bit pattern is a valid value (a mapped file may hold any bytes).
pub unsafe trait Pod: Copy + Send + Sync + 'static {}

unsafe impl Pod for u8 {}
unsafe impl Pod for u16 {}
unsafe impl Pod for u32 {}
unsafe impl Pod for u64 {}

/// A slice of `T`: an owned vector, or `len` elements at byte `offset` of a shared read-only map.
pub enum Array<T: Pod> {
    Owned(Vec<T>),
    Mapped { map: Arc<Mmap>, offset: usize, len: usize },
}

impl<T: Pod> Array<T> {
    /// `bytes` bytes at `offset` of `map`, checked: inside the map, a whole number of elements,
    /// aligned for `T`. The error says which check failed.
    pub fn mapped(map: &Arc<Mmap>, offset: usize, bytes: usize) -> Result<Array<T>, String> {
        let size = std::mem::size_of::<T>();
        if !bytes.is_multiple_of(size) {
            return Err(format!("length {bytes} is not a multiple of the element size {size}"));
        }
        match offset.checked_add(bytes) {
            Some(end) if end <= map.len() => {}
            _ => return Err(format!("bytes {offset}..{offset}+{bytes} run past the end of the file ({} bytes)", map.len())),
        }
        if !(map.as_ptr() as usize).wrapping_add(offset).is_multiple_of(std::mem::align_of::<T>()) {
            return Err(format!("offset {offset} is not aligned to {} bytes", std::mem::align_of::<T>()));
        }
        Ok(Array::Mapped { map: Arc::clone(map), offset, len: bytes / size })
    }

    /// The elements' bytes, in host order.
    pub fn as_bytes(&self) -> &[u8] {
        let s: &[T] = self;
        // Safety: `T: Pod` has no padding, so all its bytes are initialised.
        unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) }
    }

    /// Bytes of the elements, whether owned or mapped.
    pub fn byte_len(&self) -> usize {
        std::mem::size_of_val::<[T]>(self)
    }

    pub fn is_mapped(&self) -> bool {
        matches!(self, Array::Mapped { .. })
    }
}

impl<T: Pod> Deref for Array<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Array::Owned(v) => v,
            // Safety: `mapped` checked bounds and alignment; the map is read-only and kept alive by
            // the Arc; every bit pattern is a valid `T` (Pod). The file must not be changed in place
            // while mapped (index files are only ever replaced by rename).
            Array::Mapped { map, offset, len } => unsafe { std::slice::from_raw_parts(map.as_ptr().add(*offset) as *const T, *len) },
        }
    }
}

impl<T: Pod> Default for Array<T> {
    fn default() -> Self {
        Array::Owned(Vec::new())
    }
}

impl<T: Pod> From<Vec<T>> for Array<T> {
    fn from(v: Vec<T>) -> Self {
        Array::Owned(v)
    }
}

/// A 64-bit checksum of bytes (own, stable across versions and platforms): FNV-1a's step over
/// 64-bit little-endian words, `h = rotl((h ^ w) * FNV_PRIME, 29)`, the tail zero-padded, seeded
/// with the length. Each step is a bijection of `h`, so any change of one word changes the result.
pub fn checksum(bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ (bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h ^ w).wrapping_mul(PRIME).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(buf)).wrapping_mul(PRIME).rotate_left(29);
    }
    h ^ (h >> 31)
}

/// FNV-1a (64-bit) over bytes: the names fingerprint, stable across versions and platforms.
pub fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
