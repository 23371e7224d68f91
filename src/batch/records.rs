//! Line-per-record files a batch keeps (`failures.jsonl`, the rerun manifest), written so that a
//! full disk leaves them whole: a record is one write of one whole line, and a write that fails
//! is cut back to the last whole record. What could not be recorded is counted, never hidden.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

/// A file that can be cut back to a length (and goes on writing there).
pub(super) trait Truncate {
    fn cut(&mut self, len: u64) -> io::Result<()>;
}

impl Truncate for File {
    fn cut(&mut self, len: u64) -> io::Result<()> {
        self.set_len(len)?;
        // A file not opened for appending would go on at its old position, past the new end,
        // and leave a hole of zeros before the next record.
        self.seek(SeekFrom::Start(len)).map(drop)
    }
}

/// Whole records, one a line, appended to `out`.
pub(super) struct Records<W> {
    out: W,
    /// The file's length up to the end of its last whole record.
    whole: u64,
    /// Records that could not be written.
    lost: usize,
    /// Why the first one could not.
    error: Option<io::Error>,
    /// The file could not be cut back and may end in a piece of a record: nothing more is
    /// written to it (every later record is lost too).
    broken: bool,
}

impl<W: Write + Truncate> Records<W> {
    /// `whole`: the file's length now, which must end with a whole record (or be 0).
    pub(super) fn new(out: W, whole: u64) -> Self {
        Records {
            out,
            whole,
            lost: 0,
            error: None,
            broken: false,
        }
    }

    /// Appends `record` and a line end; false when it could not be recorded.
    pub(super) fn append(&mut self, record: &str) -> bool {
        if self.broken {
            self.lost += 1;
            return false;
        }
        // One buffer, one `write_all`: records from several workers never interleave, and a
        // short write is seen whole.
        let mut line = String::with_capacity(record.len() + 1);
        line.push_str(record);
        line.push('\n');
        match self
            .out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.flush())
        {
            Ok(()) => {
                self.whole += line.len() as u64;
                true
            }
            Err(e) => {
                self.lost += 1;
                self.error.get_or_insert(e);
                if self.out.cut(self.whole).is_err() {
                    self.broken = true;
                }
                false
            }
        }
    }

    pub(super) fn lost(&self) -> usize {
        self.lost
    }

    /// Why records were lost: the first error, as the OS said it.
    pub(super) fn error(&self) -> Option<&io::Error> {
        self.error.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disk with room for `room` bytes: writes past it fail with ENOSPC, after writing what fits.
    pub(crate) struct FullDisk {
        pub(crate) data: Vec<u8>,
        pub(crate) room: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let fits = buf.len().min(self.room.saturating_sub(self.data.len()));
            if fits == 0 && !buf.is_empty() {
                return Err(io::Error::from_raw_os_error(libc::ENOSPC));
            }
            self.data.extend_from_slice(&buf[..fits]);
            Ok(fits)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Truncate for FullDisk {
        fn cut(&mut self, len: u64) -> io::Result<()> {
            self.data.truncate(len as usize);
            Ok(())
        }
    }

    fn record(i: usize) -> String {
        serde_json::json!({"input": "a.jsonl", "line": i, "id": null, "error": "expected value"})
            .to_string()
    }

    #[test]
    fn a_full_disk_leaves_whole_records_and_counts_the_rest() {
        let one = record(10).len() + 1;
        // Room for 33 records and a half: the 34th is cut back, the rest are counted as lost.
        let mut records = Records::new(
            FullDisk {
                data: Vec::new(),
                room: one * 33 + one / 2,
            },
            0,
        );
        let written = (10..108).filter(|&i| records.append(&record(i))).count();
        assert_eq!(written, 33);
        assert_eq!(records.lost(), 65);
        assert_eq!(
            records.error().and_then(io::Error::raw_os_error),
            Some(libc::ENOSPC)
        );
        let text = String::from_utf8(records.out.data.clone()).unwrap();
        assert!(text.ends_with('\n'));
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("a whole record");
        }
        assert_eq!(text.lines().count(), 33);
    }

    #[test]
    fn a_file_that_cannot_be_cut_back_takes_no_more_records() {
        struct NoCut(FullDisk);
        impl Write for NoCut {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0.write(buf)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        impl Truncate for NoCut {
            fn cut(&mut self, _: u64) -> io::Result<()> {
                Err(io::Error::other("cannot cut"))
            }
        }
        let mut records = Records::new(
            NoCut(FullDisk {
                data: Vec::new(),
                room: 10,
            }),
            0,
        );
        assert!(!records.append("0123456789abc"));
        records.out.0.room = 1000;
        assert!(!records.append("x"));
        assert_eq!(records.lost(), 2);
        assert_eq!(records.out.0.data, b"0123456789");
    }
}
