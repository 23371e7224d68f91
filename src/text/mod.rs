//! Text stages: fonts, shaping, hyphenation, break opportunities and the line breaker.

pub mod dehint;
pub mod fonts;
pub mod hyphen;
pub mod linebreak;
pub mod pattern_trie;
pub mod patterns;
pub mod shape;
pub mod typography;
