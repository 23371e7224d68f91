//! Writing a file so that it is either absent, the old one, or whole: a temporary beside it,
//! renamed into place. Temporaries are created safely (random name, `O_EXCL|O_NOFOLLOW`), known to
//! a process-wide registry so a signal handler can remove them, and swept by the next run when a
//! killed process left them behind.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Random characters in a temporary's name (62 possible each): nobody can plant a symlink at
/// every name in advance, and a planted one only makes us try another name.
const RANDOM_CHARS: usize = 8;
/// The longest part of the target's name kept in a temporary's name, in bytes: the rest of the
/// name (dot, pid, random part, `.tmp`) must still fit in a file name (255 bytes on Linux).
const MAX_NAME_IN_TEMPORARY: usize = 200;
const SUFFIX: &str = ".tmp";

/// Temporaries this process has created and not yet renamed or removed, for the signal handler.
struct Registry {
    paths: Vec<PathBuf>,
    /// Set by `remove_live_temporaries`: no temporary is created or renamed into place after it.
    closing: bool,
}

static LIVE: Mutex<Registry> = Mutex::new(Registry {
    paths: Vec::new(),
    closing: false,
});

/// The registry, even if a thread panicked while holding it (the list stays usable).
fn live() -> MutexGuard<'static, Registry> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes `bytes` to `target` through a temporary in the same folder,
/// `.NAME.PID.RANDOM.tmp`, created with `O_EXCL|O_NOFOLLOW` (a symlink or file planted there is
/// never opened: another name is tried). `sync` flushes the data to disk before the rename (one
/// file from `render`; a batch of thousands skips it). On failure nothing is left behind.
pub fn write_atomically(target: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
    let temporary = Temporary::create(target)?;
    let mut file = temporary.file();
    file.write_all(bytes)?;
    if sync {
        file.sync_all()?;
    }
    temporary.persist(target)
}

/// The folder a target lives in (`.` for a bare name).
fn folder_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The target's name as it appears in its temporaries' names.
fn name_in_temporary(file_name: &OsStr) -> String {
    let mut name = file_name.to_string_lossy().into_owned();
    if name.len() > MAX_NAME_IN_TEMPORARY {
        let mut end = MAX_NAME_IN_TEMPORARY;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

/// A registered temporary file; dropped unrenamed, it is removed and forgotten.
struct Temporary {
    file: Option<tempfile::NamedTempFile>,
}

impl Temporary {
    fn create(target: &Path) -> io::Result<Temporary> {
        let file_name = target.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the output is not a file name")
        })?;
        let prefix = format!(".{}.{}.", name_in_temporary(file_name), std::process::id());
        // Created and registered under the lock, so the signal handler never misses one.
        let mut live = live();
        if live.closing {
            return Err(stopping());
        }
        let file = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(SUFFIX)
            .rand_bytes(RANDOM_CHARS)
            .make_in(folder_of(target), open_new)?;
        live.paths.push(file.path().to_path_buf());
        Ok(Temporary { file: Some(file) })
    }

    fn file(&self) -> &File {
        self.file
            .as_ref()
            .expect("present until persisted")
            .as_file()
    }

    /// Renames the temporary to `target` (replacing it), unless a signal is being handled.
    fn persist(mut self, target: &Path) -> io::Result<()> {
        let file = self.file.take().expect("present until persisted");
        let mut live = live();
        if live.closing {
            // Dropping the file removes it; the handler removes it too, whichever comes first.
            return Err(stopping());
        }
        let path = file.path().to_path_buf();
        let result = file.persist(target).map(drop).map_err(|e| {
            // `e.file` is dropped here, which removes the temporary.
            e.error
        });
        live.paths.retain(|p| *p != path);
        result
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let path = file.path().to_path_buf();
            // Removed first, forgotten second: a signal in between still finds it listed.
            drop(file);
            live().paths.retain(|p| *p != path);
        }
    }
}

fn stopping() -> io::Error {
    io::Error::new(io::ErrorKind::Interrupted, "stopping on a signal")
}

/// Opens a new file for writing: `O_CREAT|O_EXCL` (an existing file or symlink is refused with
/// `AlreadyExists`) and `O_NOFOLLOW`; permissions as `File::create` gives them (0666 less the
/// umask), since the result is the user's PDF.
pub fn open_new(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Removes every temporary this process has not yet renamed or removed, and refuses new ones
/// from now on. For a signal handler about to exit (the library installs none itself).
/// Returns how many were removed.
pub fn remove_live_temporaries() -> usize {
    let mut live = live();
    live.closing = true;
    let paths = std::mem::take(&mut live.paths);
    paths
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// The temporaries this process has open now (tests, diagnostics).
pub fn live_temporaries() -> Vec<PathBuf> {
    live().paths.clone()
}

/// Reads a temporary's name: `(target name, owner pid)` for `.NAME.PID.RANDOM.tmp` and for the
/// shape older versions left, `.NAME.PID.tmp`; `None` for any other file.
pub fn temporary_owner(name: &str) -> Option<(&str, u32)> {
    let body = name.strip_prefix('.')?.strip_suffix(SUFFIX)?;
    let (rest, last) = body.rsplit_once('.')?;
    let pid_of = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
            .filter(|&pid| pid > 0 && pid <= i32::MAX as u32)
    };
    let random = last.len() == RANDOM_CHARS && last.bytes().all(|b| b.is_ascii_alphanumeric());
    if random
        && let Some((target, pid)) = rest.rsplit_once('.')
        && let Some(pid) = pid_of(pid)
        && !target.is_empty()
    {
        return Some((target, pid));
    }
    let pid = pid_of(last)?;
    (!rest.is_empty()).then_some((rest, pid))
}

/// True when `pid` is this process or any running one (one we may not signal counts too).
/// A temporary whose owner lives may be in use and is never swept.
pub fn process_is_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let status = unsafe { libc::kill(pid, 0) };
    status == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// True for a regular file named like a temporary for a target accepted by `wanted` whose owner
/// is gone.
pub fn is_stale_temporary(name: &str, wanted: impl Fn(&str) -> bool) -> bool {
    temporary_owner(name).is_some_and(|(target, pid)| wanted(target) && !process_is_alive(pid))
}

/// The most entries of a folder `remove_stale_temporaries_of` reads. Listing is the sweep's
/// whole cost and grows with the folder: 147 ms a render in a folder of 300,000 PDFs (an
/// archive exported with one `render` per article), against 8 ms for the render itself. Past
/// this many the sweep gives up; `batch` sweeps its output folder once a run instead.
pub const MAX_SWEPT_ENTRIES: usize = 10_000;

/// Removes temporaries a killed run left for `target` in its folder (`render` calls this before
/// writing), in a folder of at most `MAX_SWEPT_ENTRIES` entries: in a bigger one nothing is
/// removed, as a temporary may lie past any part read. Symlinks and folders are never touched;
/// errors are ignored (it is tidying up). Returns how many were removed.
pub fn remove_stale_temporaries_of(target: &Path) -> usize {
    let Some(file_name) = target.file_name() else {
        return 0;
    };
    let wanted = name_in_temporary(file_name);
    let Ok(entries) = std::fs::read_dir(folder_of(target)) else {
        return 0;
    };
    let mut stale = Vec::new();
    for (read, entry) in entries.flatten().enumerate() {
        if read == MAX_SWEPT_ENTRIES {
            return 0;
        }
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && is_stale_temporary(&entry.file_name().to_string_lossy(), |t| t == wanted) {
            stale.push(entry.path());
        }
    }
    stale
        .iter()
        .filter(|path| std::fs::remove_file(path).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("babrpdf-atomic-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn opening_refuses_an_existing_file_and_a_planted_symlink() {
        let dir = scratch("open");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let link = dir.join(".out.pdf.1.AAAAAAAA.tmp");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert_eq!(
            open_new(&link).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        // A dangling symlink is not followed either (O_CREAT alone would create its target).
        let dangling = dir.join(".out.pdf.1.BBBBBBBB.tmp");
        std::os::unix::fs::symlink(dir.join("created"), &dangling).unwrap();
        assert!(open_new(&dangling).is_err());
        assert!(!dir.join("created").exists());
        assert_eq!(
            open_new(&victim).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    }

    #[test]
    fn a_write_leaves_the_target_whole_and_no_temporary() {
        let dir = scratch("write");
        let target = dir.join("a.pdf");
        write_atomically(&target, b"one", false).unwrap();
        write_atomically(&target, b"two", true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.pdf"]);
        // A failed write (the folder is gone) leaves nothing registered.
        assert!(write_atomically(&dir.join("none/b.pdf"), b"x", false).is_err());
        assert!(!live_temporaries().iter().any(|p| p.starts_with(&dir)));
    }

    #[test]
    fn temporary_names_are_read_back_in_both_shapes() {
        assert_eq!(
            temporary_owner(".a1.pdf.4242.Ab3dEf9h.tmp"),
            Some(("a1.pdf", 4242))
        );
        assert_eq!(
            temporary_owner(".a1.pdf.4242.12345678.tmp"),
            Some(("a1.pdf", 4242))
        );
        assert_eq!(temporary_owner(".a1.pdf.4242.tmp"), Some(("a1.pdf", 4242)));
        assert_eq!(temporary_owner(".x.4242.tmp"), Some(("x", 4242)));
        assert_eq!(temporary_owner("a1.pdf"), None);
        assert_eq!(temporary_owner("notes.tmp"), None);
        assert_eq!(temporary_owner(".a1.pdf.x1.tmp"), None);
        assert_eq!(temporary_owner(".a1.pdf.0.tmp"), None);
        assert_eq!(temporary_owner(".a1.pdf.99999999999.tmp"), None);
        assert_eq!(temporary_owner("..4242.tmp"), None);
    }

    #[test]
    fn only_dead_owners_temporaries_are_stale() {
        assert!(process_is_alive(std::process::id()));
        // pid 1 always runs (init, or the container's first process).
        assert!(process_is_alive(1));
        let mine = format!(".a.pdf.{}.Ab3dEf9h.tmp", std::process::id());
        assert!(!is_stale_temporary(&mine, |_| true));
        let dead = dead_pid();
        let theirs = format!(".a.pdf.{dead}.Ab3dEf9h.tmp");
        assert!(is_stale_temporary(&theirs, |t| t == "a.pdf"));
        assert!(!is_stale_temporary(&theirs, |t| t == "b.pdf"));
    }

    /// The pid of a child that has exited and been reaped.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn render_sweeps_only_its_own_targets_stale_temporaries() {
        let dir = scratch("sweep");
        let dead = dead_pid();
        let me = std::process::id();
        for name in [
            format!(".out.pdf.{dead}.Ab3dEf9h.tmp"),
            format!(".out.pdf.{dead}.tmp"),
            format!(".out.pdf.{me}.Ab3dEf9h.tmp"),
            format!(".other.pdf.{dead}.Ab3dEf9h.tmp"),
            "notes.tmp".to_string(),
        ] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join(format!(".out.pdf.{dead}.Zz9yX8w7.tmp")))
            .unwrap();
        assert_eq!(remove_stale_temporaries_of(&dir.join("out.pdf")), 2);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut expected = vec![
            format!(".other.pdf.{dead}.Ab3dEf9h.tmp"),
            format!(".out.pdf.{dead}.Zz9yX8w7.tmp"),
            format!(".out.pdf.{me}.Ab3dEf9h.tmp"),
            "notes.tmp".to_string(),
            "victim".to_string(),
        ];
        expected.sort();
        assert_eq!(left, expected);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    }

    #[test]
    fn the_sweep_of_a_huge_folder_reads_a_bounded_part_and_removes_nothing() {
        let dir = scratch("sweep-huge");
        let stale = dir.join(format!(".out.pdf.{}.Ab3dEf9h.tmp", dead_pid()));
        std::fs::write(&stale, "x").unwrap();
        for i in 0..MAX_SWEPT_ENTRIES {
            std::fs::write(dir.join(format!("{i}.pdf")), "").unwrap();
        }
        assert_eq!(remove_stale_temporaries_of(&dir.join("out.pdf")), 0);
        assert!(stale.exists());
        std::fs::remove_file(dir.join("0.pdf")).unwrap();
        assert_eq!(remove_stale_temporaries_of(&dir.join("out.pdf")), 1);
        assert!(!stale.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
