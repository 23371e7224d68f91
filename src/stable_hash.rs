//! FNV-1a: a hash that is the same on every run and machine (document ids, shards, the rerun
//! manifest), unlike std's randomly seeded one.

/// Where every FNV-1a hash starts.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of `bytes`, continued from `seed` (`FNV_START` for a fresh hash).
pub fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// FNV-1a over several texts, each closed by a 0xff byte (never in UTF-8), so ("ab", "c") and
/// ("a", "bc") differ.
pub fn fnv1a_fields<'a>(seed: u64, fields: impl IntoIterator<Item = &'a str>) -> u64 {
    fields
        .into_iter()
        .fold(seed, |h, f| fnv1a(fnv1a(h, f.as_bytes()), &[0xff]))
}
