//! Where image bytes come from, safely: `data:` URIs, files under the asset root (no `..`, no
//! absolute paths, no `file:` URIs, no symlinks leaving the root), and nothing from the network
//! unless the caller allows the host.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;

use crate::error::{AssetError, AssetErrorKind};
use crate::fetch;
/// The address checks remote images go through, before anything is resolved: whether an
/// address would be fetched (`check_url`, which gives the [`Target`]) and whether a host is
/// allowed (`host_allowed`, IDNA-aware).
pub use crate::fetch::{Target, check_url, host_allowed};

/// Largest image file read, in bytes: a 40-megapixel JPEG is well under this.
pub const MAX_IMAGE_BYTES: u64 = 50 * 1024 * 1024;

/// The caller's rules for reading images.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    /// Folder relative image paths resolve in; `None`: only `data:` URIs are read.
    pub root: Option<PathBuf>,
    /// Hosts whose http(s) images may be fetched.
    pub allow_hosts: Vec<String>,
    /// Images handed over with the article (a service request's form parts), by the name the
    /// article uses for them; looked up before the asset folder.
    pub uploaded: Uploaded,
}

/// Images that came with the article, by name. `Debug` lists names and sizes, not bytes.
#[derive(Clone, Default)]
pub struct Uploaded(pub std::collections::BTreeMap<String, std::sync::Arc<[u8]>>);

impl std::fmt::Debug for Uploaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, bytes)| (name, bytes.len())))
            .finish()
    }
}

impl Assets {
    /// Images beside an article file: relative paths resolve in the file's folder (`.` for a
    /// bare file name); nothing is fetched from the network.
    pub fn beside(article_file: &Path) -> Assets {
        let folder = article_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Assets {
            root: Some(folder.to_path_buf()),
            ..Assets::default()
        }
    }

    /// The bytes of an image `src`, or why they cannot be had (a kind and one line).
    pub fn load(&self, src: &str) -> Result<Vec<u8>, AssetError> {
        let src = src.trim();
        if let Some(rest) = strip_prefix_ci(src, "data:") {
            return decode_data_uri(rest);
        }
        if strip_prefix_ci(src, "http://").is_some()
            || strip_prefix_ci(src, "https://").is_some()
            || src.starts_with("//")
        {
            let target = self.check_remote(src)?;
            return fetch::fetch(&target.url, &self.allow_hosts)
                .map_err(|e| e.context("remote image"));
        }
        if strip_prefix_ci(src, "file:").is_some() {
            return Err(refused(
                "file: URIs are refused; give a path relative to the article",
            ));
        }
        if src.contains("://") {
            return Err(AssetError::new(
                AssetErrorKind::Unsupported,
                "unsupported URI scheme",
            ));
        }
        if let Some(bytes) = self.uploaded.0.get(src) {
            return Ok(bytes.to_vec());
        }
        let root = self
            .root
            .as_ref()
            .ok_or_else(|| not_found("no asset folder was given for relative image paths"))?;
        let path = Path::new(src);
        if path.is_absolute() || src.starts_with('\\') {
            return Err(refused(
                "absolute paths are refused; give a path relative to the article",
            ));
        }
        if path.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::Prefix(_) | Component::RootDir
            )
        }) {
            return Err(refused("paths with `..` are refused"));
        }
        let root = root
            .canonicalize()
            .map_err(|e| not_found(format!("asset folder {}: {e}", root.display())))?;
        let full = root.join(path);
        // Resolving links before checking: a symlink inside the root may point anywhere.
        let real = full.canonicalize().map_err(unreadable)?;
        if !real.starts_with(&root) {
            return Err(refused(
                "the path leads outside the asset folder (a symbolic link?)",
            ));
        }
        // A FIFO or a device would block `open` or never end: only regular files are opened,
        // and without waiting (O_NONBLOCK) in case one is swapped in after the check.
        let kind = std::fs::metadata(&real).map_err(unreadable)?;
        if !kind.is_file() {
            return Err(refused("not a regular file"));
        }
        let file = {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&real)
                .map_err(unreadable)?
        };
        if file.metadata().map(|m| !m.is_file()).unwrap_or(true) {
            return Err(refused("not a regular file"));
        }
        let mut bytes = Vec::new();
        file.take(MAX_IMAGE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > MAX_IMAGE_BYTES {
            return Err(too_large(format!(
                "larger than {} MB",
                MAX_IMAGE_BYTES >> 20
            )));
        }
        Ok(bytes)
    }

    /// Refuses a remote `src` whose host is not allowed, before anything is resolved: the
    /// fetcher's own check (`fetch::check_url`, one URL parser), so case and IDNA spelling
    /// (`ёж.рф`, `xn--f1a7c.xn--p1ai`) do not matter. A scheme-relative `//host/…` is https.
    fn check_remote(&self, src: &str) -> Result<Target, AssetError> {
        let url = if src.starts_with("//") {
            format!("https:{src}")
        } else {
            src.to_string()
        };
        fetch::check_url(&url, &self.allow_hosts).map_err(|e| e.context("remote image not fetched"))
    }
}

fn refused(message: impl Into<String>) -> AssetError {
    AssetError::new(AssetErrorKind::Refused, message)
}

fn not_found(message: impl Into<String>) -> AssetError {
    AssetError::new(AssetErrorKind::NotFound, message)
}

fn too_large(message: impl Into<String>) -> AssetError {
    AssetError::new(AssetErrorKind::TooLarge, message)
}

/// A file that cannot be read: the system's words, as before.
fn unreadable(e: std::io::Error) -> AssetError {
    not_found(e.to_string())
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

/// `image/png;base64,....` or a percent-encoded payload.
fn decode_data_uri(rest: &str) -> Result<Vec<u8>, AssetError> {
    let (meta, payload) = rest.split_once(',').ok_or_else(|| {
        AssetError::new(AssetErrorKind::Damaged, "malformed data: URI (no comma)")
    })?;
    if payload.len() as u64 > MAX_IMAGE_BYTES * 4 / 3 + 4 {
        return Err(too_large(format!(
            "data: URI larger than {} MB",
            MAX_IMAGE_BYTES >> 20
        )));
    }
    if meta.to_ascii_lowercase().ends_with(";base64") {
        let cleaned: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(cleaned.trim_end_matches('='))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(cleaned.trim_end_matches('='))
            })
            .map_err(|e| {
                AssetError::new(
                    AssetErrorKind::Damaged,
                    format!("data: URI is not valid base64: {e}"),
                )
            })
    } else {
        Ok(percent_decode(payload))
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or(""), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("babrpdf-assets-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn escapes_are_refused_before_anything_is_opened() {
        let root = scratch("escape");
        std::fs::write(root.join("ok.jpg"), b"x").unwrap();
        let a = Assets {
            root: Some(root.clone()),
            allow_hosts: vec![],
            ..Default::default()
        };
        assert_eq!(a.load("ok.jpg").unwrap(), b"x");
        for (bad, kind) in [
            ("../secret.jpg", AssetErrorKind::Refused),
            ("img/../../x.jpg", AssetErrorKind::Refused),
            ("/etc/passwd", AssetErrorKind::Refused),
            ("file:///etc/passwd", AssetErrorKind::Refused),
            ("FILE:/etc/hosts", AssetErrorKind::Refused),
            ("ftp://x/y.jpg", AssetErrorKind::Unsupported),
        ] {
            let e = a.load(bad).expect_err(bad);
            assert_eq!(e.kind, kind, "{bad}: {e}");
        }
        assert_eq!(
            a.load("gone.jpg").unwrap_err().kind,
            AssetErrorKind::NotFound
        );
        let remote = a.load("https://evil.example/x.jpg").unwrap_err();
        assert_eq!(remote.kind, AssetErrorKind::Refused);
        assert!(remote.message.contains("not allowed"), "{remote}");
    }

    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let root = scratch("symlink");
        let outside = scratch("symlink-outside");
        std::fs::write(outside.join("secret.jpg"), b"secret").unwrap();
        std::os::unix::fs::symlink(outside.join("secret.jpg"), root.join("link.jpg")).unwrap();
        let a = Assets {
            root: Some(root),
            allow_hosts: vec![],
            ..Default::default()
        };
        let e = a.load("link.jpg").unwrap_err();
        assert_eq!(e.kind, AssetErrorKind::Refused);
        assert!(e.message.contains("outside"), "{e}");
    }

    #[test]
    fn refused_hosts_are_named_as_people_write_them() {
        for (url, host) in [
            ("http://[::1]:8080/x.jpg", "::1"),
            ("https://user:pw@host.example/x.jpg", "host.example"),
            ("//cdn.example:443/a.png?x=1", "cdn.example"),
            ("http://a@b@evil.example/x.jpg", "evil.example"),
            ("HTTP://ЁЖ.рф/a.jpg", "ёж.рф (xn--f1a7c.xn--p1ai)"),
        ] {
            let e = Assets::default().load(url).unwrap_err();
            assert_eq!(e.kind, AssetErrorKind::Refused, "{url}: {e}");
            assert_eq!(
                e.message,
                format!("remote image not fetched: host {host} is not allowed (--allow-host)"),
                "{url}"
            );
        }
    }

    #[test]
    fn an_article_file_reads_images_from_its_folder() {
        assert_eq!(
            Assets::beside(Path::new("news/2024/a.json")).root,
            Some(PathBuf::from("news/2024"))
        );
        assert_eq!(
            Assets::beside(Path::new("a.json")).root,
            Some(PathBuf::from("."))
        );
    }

    #[test]
    fn an_allowed_host_matches_in_either_spelling() {
        for allowed in ["ёж.рф", "ЁЖ.РФ", "xn--f1a7c.xn--p1ai"] {
            let a = Assets {
                root: None,
                allow_hosts: vec![allowed.to_string()],
                ..Default::default()
            };
            for src in ["http://ёж.рф/a.jpg", "https://XN--F1A7C.xn--p1ai/a.jpg"] {
                assert!(a.check_remote(src).is_ok(), "{allowed} refused {src}");
            }
            assert!(a.check_remote("http://ёжик.рф/a.jpg").is_err());
        }
    }

    #[test]
    fn data_uris() {
        let a = Assets::default();
        assert_eq!(a.load("data:image/png;base64,aGVsbG8=").unwrap(), b"hello");
        assert_eq!(a.load("data:text/plain,a%20b").unwrap(), b"a b");
        assert!(a.load("data:image/png;base64,!!!").is_err());
        let e = a.load("data:image/png;base64,!!!").unwrap_err();
        assert_eq!(e.kind, AssetErrorKind::Damaged);
        let e = a.load("photo.jpg").unwrap_err();
        assert!(e.message.contains("no asset folder"), "{e}");
    }
}
