//! Writing a file so that it is either absent, the old one, or whole: a temporary beside it,
//! renamed into place. A killed process leaves at most `.NAME.PID.tmp`, never a half file.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `target` through `.NAME.PID.tmp` in the same folder. `sync` flushes the
/// data to disk before the rename (one file from `render`; a batch of thousands skips it).
pub fn write_atomically(target: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            if sync { f.sync_all() } else { Ok(()) }
        })
        .and_then(|_| std::fs::rename(&tmp, target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
