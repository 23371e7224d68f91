//! Build step: prepares the embedded data once, when the crate is built, instead of in every
//! process at start-up. The TrueType fonts lose their hinting (src/text/dehint.rs: parsing and
//! stripping them cost each `babrpdf render` about 2 ms, 14% of the process) and the hyphenation
//! pattern files become flat tries (src/text/pattern_trie.rs: about 1 ms). Both use the very code
//! fonts added at run time go through, included here by path.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/text/dehint.rs"]
mod dehint;
#[allow(dead_code)]
#[path = "src/text/pattern_trie.rs"]
mod pattern_trie;

/// The embedded TrueType faces (src/text/fonts.rs); the colour emoji font has no outlines to
/// strip and is embedded as it is.
const FONTS: [&str; 10] = [
    "PTF55F.ttf",
    "PTF56F.ttf",
    "PTF75F.ttf",
    "PTF76F.ttf",
    "PTS55F.ttf",
    "PTS56F.ttf",
    "PTS75F.ttf",
    "PTS76F.ttf",
    "PTM55F.ttf",
    "DejaVuSans.ttf",
];

/// Pattern files compiled to `<name>.trie` (src/text/patterns.rs).
const PATTERNS: [&str; 2] = ["hyph_ru_RU", "hyph_en_GB"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for code in ["src/text/dehint.rs", "src/text/pattern_trie.rs"] {
        println!("cargo::rerun-if-changed={code}");
    }
    for name in FONTS {
        let source = Path::new("fonts").join(name);
        println!("cargo::rerun-if-changed={}", source.display());
        let font = read(&source);
        let stripped = dehint::dehint(&font)
            .unwrap_or_else(|| panic!("{}: not a TrueType font dehint reads", source.display()));
        write(&out.join(name), &stripped);
    }
    for name in PATTERNS {
        let source = Path::new("data").join(format!("{name}.dic"));
        println!("cargo::rerun-if-changed={}", source.display());
        let text = String::from_utf8(read(&source))
            .unwrap_or_else(|_| panic!("{}: not UTF-8", source.display()));
        let trie = pattern_trie::FlatTrie::compile(&text);
        write(&out.join(format!("{name}.trie")), &trie.to_bytes());
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
