//! Reading a batch's inputs as a stream of jobs: folders (recursively), JSON Lines files
//! (gzip'd or not, read as `zcat` reads them) and standard input.

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::article::MAX_INPUT_BYTES;
use crate::error::Error;

/// Longest JSON Lines record read, in bytes.
const MAX_LINE_BYTES: u64 = 32 * 1024 * 1024;
/// Read buffer for JSON Lines: blank runs are skipped a buffer at a time, so a bigger buffer
/// means fewer calls (and fewer decompressor calls) per gigabyte of blank input.
const READ_BUFFER: usize = 256 * 1024;
/// The reader reports how much it has read at least this often (in bytes), so the progress line
/// moves while gigabytes of blank lines are skipped and no article arrives.
const REPORT_EVERY_BYTES: u64 = 4 * 1024 * 1024;

/// One article to export: its bytes and where they came from.
pub struct Job {
    /// The file the article came from (`-` for standard input).
    pub source: String,
    /// Its line, in a JSON Lines input.
    pub line: Option<usize>,
    /// The article's bytes.
    pub bytes: Vec<u8>,
    /// Markdown with front matter rather than JSON.
    pub markdown: bool,
    /// Set when the file could not be read: the article fails, the batch goes on.
    pub unreadable: Option<Error>,
    /// The failure is the input's, not one article's (an archive cut off): every shard reports it.
    pub whole_input: bool,
}

impl Job {
    fn failed(source: &str, line: Option<usize>, error: Error) -> Job {
        Job {
            source: source.to_string(),
            line,
            bytes: Vec::new(),
            markdown: false,
            unreadable: Some(error),
            whole_input: false,
        }
    }
}

/// Inputs in order: each folder searched recursively for `*.json` and `*.md`, JSON Lines files
/// (`.jsonl`, `.jsonl.gz`) and `-` (JSON Lines on stdin). Calls `each` per job (it returns false
/// to stop) and `read` with the bytes of JSON Lines read since its last call (blank ones too).
pub fn read_inputs(
    inputs: &[String],
    mut each: impl FnMut(Job) -> bool,
    mut read: impl FnMut(u64),
) -> Result<(), Error> {
    for input in inputs {
        if input == "-" {
            let stdin = std::io::stdin().lock();
            if !read_lines("<stdin>", stdin, &mut each, &mut read)? {
                return Ok(());
            }
            continue;
        }
        let path = Path::new(input);
        let meta = std::fs::metadata(path).map_err(|e| Error::file(path, e))?;
        let open = || std::fs::File::open(path).map_err(|e| Error::file(path, e));
        let go_on = if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files).map_err(|e| Error::file(path, e))?;
            files.sort();
            let mut go_on = true;
            for f in files {
                let source = f.display().to_string();
                let job = match read_input_file(&f) {
                    Ok(bytes) => Job {
                        source,
                        line: None,
                        bytes,
                        markdown: f.extension().is_some_and(|e| e == "md"),
                        unreadable: None,
                        whole_input: false,
                    },
                    Err(e) => Job::failed(&source, None, e),
                };
                if !each(job) {
                    go_on = false;
                    break;
                }
            }
            go_on
        } else if input.ends_with(".gz") {
            // Multi-member: `cat a.gz b.gz` (or a parallel compressor's output) reads as it does
            // in zcat, every member in turn, not the first one alone.
            let gz = flate2::read::MultiGzDecoder::new(open()?);
            read_lines(
                input,
                BufReader::with_capacity(READ_BUFFER, gz),
                &mut each,
                &mut read,
            )?
        } else if input.ends_with(".jsonl") {
            let file = BufReader::with_capacity(READ_BUFFER, open()?);
            read_lines(input, file, &mut each, &mut read)?
        } else {
            let job = match read_input_file(path) {
                Ok(bytes) => Job {
                    source: input.clone(),
                    line: None,
                    bytes,
                    markdown: input.ends_with(".md"),
                    unreadable: None,
                    whole_input: false,
                },
                // Too big is the article's failure; not being able to read it stops the batch.
                Err(Error::Io(e)) => return Err(Error::file(path, e)),
                Err(e) => Job::failed(input, None, e),
            };
            each(job)
        };
        if !go_on {
            return Ok(());
        }
    }
    Ok(())
}

/// An article file's bytes, refused before they are read when it passes the input size limit:
/// the message gives its real size (`input is 104857600 bytes, more than …`). A file that
/// cannot be read is `Error::Io` (the caller names it); one too large, `Error::Input`.
pub fn read_input_file(path: &Path) -> Result<Vec<u8>, Error> {
    let max = MAX_INPUT_BYTES as u64;
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(0, |m| m.len());
    if size > max {
        return Err(Error::input(format!(
            "input is {size} bytes, more than the {max} accepted ({} MB)",
            max >> 20
        )));
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        // Grew while read, or not a regular file: its size is not known.
        return Err(Error::input(format!(
            "input is more than {} MB (the {max} bytes accepted)",
            max >> 20
        )));
    }
    Ok(bytes)
}

pub(super) fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "json" || e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads JSON Lines; `Ok(false)` when `each` asked to stop.
fn read_lines(
    name: &str,
    reader: impl BufRead,
    each: &mut impl FnMut(Job) -> bool,
    read: &mut impl FnMut(u64),
) -> Result<bool, Error> {
    read_lines_up_to(name, reader, MAX_LINE_BYTES, each, read)
}

/// Counts the bytes read and hands them to `read` every `REPORT_EVERY_BYTES`.
struct Meter<'a, F: FnMut(u64)> {
    total: u64,
    pending: u64,
    read: &'a mut F,
}

impl<F: FnMut(u64)> Meter<'_, F> {
    fn add(&mut self, n: usize) {
        self.total += n as u64;
        self.pending += n as u64;
        if self.pending >= REPORT_EVERY_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.pending > 0 {
            (self.read)(self.pending);
            self.pending = 0;
        }
    }
}

/// `read_lines` with the longest record as a parameter (tests use a small one).
fn read_lines_up_to(
    name: &str,
    mut reader: impl BufRead,
    max_line: u64,
    each: &mut impl FnMut(Job) -> bool,
    read: &mut impl FnMut(u64),
) -> Result<bool, Error> {
    let mut meter = Meter {
        total: 0,
        pending: 0,
        read,
    };
    // Lines read to their end; the record being read is line `done + 1`.
    let mut done = 0usize;
    let result = next_records(
        &mut reader,
        max_line,
        &mut done,
        &mut meter,
        &mut |line, job| {
            each(match job {
                Ok(bytes) => Job {
                    source: name.to_string(),
                    line: Some(line),
                    bytes,
                    markdown: false,
                    unreadable: None,
                    whole_input: false,
                },
                Err(e) => Job::failed(name, Some(line), e),
            })
        },
    );
    meter.flush();
    match result {
        Ok(go_on) => Ok(go_on),
        // Nothing could be read: not an archive, or unreadable: the batch cannot use it.
        Err(e) if meter.total == 0 => Err(Error::file(name, e)),
        // Cut off (a truncated download, a full disk when it was written): what was read whole
        // is rendered; the lost tail is one failure, said with the last good line, listed in
        // failures.jsonl, reported by every shard.
        Err(e) => Ok(each(Job {
            whole_input: true,
            ..Job::failed(
                name,
                None,
                Error::input(format!(
                    "cut off after line {done}: {e}; the rest of the input is lost"
                )),
            )
        })),
    }
}

/// Reads records, calling `each(line, record or why it failed alone)`; `Ok(false)` when `each`
/// asked to stop, `Err` when reading failed (`done` then holds the last whole line).
fn next_records<F: FnMut(u64)>(
    reader: &mut impl BufRead,
    max_line: u64,
    done: &mut usize,
    meter: &mut Meter<'_, F>,
    each: &mut impl FnMut(usize, Result<Vec<u8>, Error>) -> bool,
) -> io::Result<bool> {
    loop {
        // Blank input is skipped a buffer at a time, not a line at a time (a gzip of 10 GB of
        // newlines is 10 MB on disk). JSON ignores the leading white space this drops.
        skip_blank(reader, meter, done)?;
        let mut line = Vec::new();
        let n = reader
            .by_ref()
            .take(max_line)
            .read_until(b'\n', &mut line)?;
        meter.add(n);
        if n == 0 {
            return Ok(true);
        }
        let number = *done + 1;
        let ended = line.last() == Some(&b'\n');
        // A record past the limit fails alone: the rest of its line is skipped, not read as
        // more records.
        let oversized = n as u64 == max_line && !ended;
        if oversized {
            let ended = skip_line(reader, meter)?;
            *done += usize::from(ended);
            let error = Error::input(format!(
                "the record reaches the limit of {max_line} bytes; skipped"
            ));
            if !each(number, Err(error)) {
                return Ok(false);
            }
            continue;
        }
        *done += usize::from(ended);
        // The line ending is not part of the record (a cut record then reads as truncated).
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if !each(number, Ok(line)) {
            return Ok(false);
        }
    }
}

/// Skips white space a buffer at a time, counting the line ends it passes in `lines` (as it
/// goes: a cut-off archive then names the right last line).
fn skip_blank<F: FnMut(u64)>(
    reader: &mut impl BufRead,
    meter: &mut Meter<'_, F>,
    lines: &mut usize,
) -> io::Result<()> {
    loop {
        let buffer = reader.fill_buf()?;
        let blank = buffer
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(buffer.len());
        if blank == 0 {
            return Ok(());
        }
        *lines += buffer[..blank].iter().filter(|&&b| b == b'\n').count();
        let more = blank == buffer.len();
        reader.consume(blank);
        meter.add(blank);
        if !more {
            return Ok(());
        }
    }
}

/// Reads up to and including the next line end, keeping nothing; true when it found one.
fn skip_line<F: FnMut(u64)>(
    reader: &mut impl BufRead,
    meter: &mut Meter<'_, F>,
) -> io::Result<bool> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(false);
        }
        match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                meter.add(i + 1);
                return Ok(true);
            }
            None => {
                let all = buffer.len();
                reader.consume(all);
                meter.add(all);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_record_fails_alone_and_the_next_lines_keep_their_numbers() {
        let text = format!(
            "{{\"a\": 1}}\n{}\n{{\"b\": 2}}\r\n\n{{\"c\": 3}}",
            "x".repeat(100)
        );
        let mut jobs = Vec::new();
        read_lines_up_to(
            "t.jsonl",
            text.as_bytes(),
            32,
            &mut |job| {
                jobs.push(job);
                true
            },
            &mut |_| {},
        )
        .unwrap();
        let seen: Vec<(Option<usize>, String, bool)> = jobs
            .iter()
            .map(|j| {
                (
                    j.line,
                    String::from_utf8_lossy(&j.bytes).into_owned(),
                    j.unreadable.is_some(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (Some(1), "{\"a\": 1}".to_string(), false),
                (Some(2), String::new(), true),
                (Some(3), "{\"b\": 2}".to_string(), false),
                (Some(5), "{\"c\": 3}".to_string(), false),
            ]
        );
    }

    /// A reader that counts its `fill_buf` calls (the work of reading), with a small buffer.
    struct Counting<R> {
        inner: BufReader<R>,
        fills: usize,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.inner.read(buf)
        }
    }

    impl<R: Read> BufRead for Counting<R> {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            self.fills += 1;
            self.inner.fill_buf()
        }
        fn consume(&mut self, n: usize) {
            self.inner.consume(n)
        }
    }

    /// `fill_buf` calls to read `blank` newlines around two records, and the records seen.
    fn work_for(blank: usize) -> (usize, Vec<Option<usize>>, u64) {
        let text = format!("{{\"a\": 1}}\n{}\r\n  {{\"b\": 2}}\n", "\n".repeat(blank));
        let mut reader = Counting {
            inner: BufReader::with_capacity(8192, text.as_bytes()),
            fills: 0,
        };
        let mut lines = Vec::new();
        let mut reported = 0;
        read_lines_up_to(
            "t.jsonl",
            &mut reader,
            1024,
            &mut |job| {
                lines.push(job.line);
                true
            },
            &mut |n| reported += n,
        )
        .unwrap();
        (reader.fills, lines, reported)
    }

    #[test]
    fn blank_lines_are_skipped_a_buffer_at_a_time() {
        let n = 1 << 20;
        let (small, lines, reported) = work_for(n);
        assert_eq!(lines, [Some(1), Some(n + 3)]);
        assert_eq!(reported, n as u64 + 22, "every byte read is reported");
        // A line at a time this was a call per line (a million); a buffer at a time, a few
        // hundred, and four times the blank lines cost about four times as much.
        assert!(small < n / 1000, "{small} calls for {n} blank lines");
        let (large, _, _) = work_for(4 * n);
        assert!(
            large <= 5 * small,
            "{large} calls for 4n against {small} for n"
        );
    }

    #[test]
    fn progress_is_reported_while_blank_input_is_skipped() {
        let blank = vec![b'\n'; 3 * REPORT_EVERY_BYTES as usize];
        let mut calls = Vec::new();
        read_lines_up_to(
            "t.jsonl",
            BufReader::new(&blank[..]),
            1024,
            &mut |_| panic!("no article in blank input"),
            &mut |n| calls.push(n),
        )
        .unwrap();
        assert!(calls.len() >= 3, "{calls:?}");
        assert_eq!(calls.iter().sum::<u64>(), blank.len() as u64);
    }

    /// Gives `data`, then fails as a truncated deflate stream does.
    struct CutOff<'a>(&'a [u8]);

    impl Read for CutOff<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "incomplete deflate stream",
                ));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_cut_off_input_gives_its_whole_lines_then_one_failure_naming_the_last_good_line() {
        let text = b"{\"a\": 1}\n\n{\"b\": 2}\n{\"c\": ";
        let mut jobs = Vec::new();
        let go_on = read_lines_up_to(
            "t.jsonl.gz",
            BufReader::new(CutOff(text)),
            1024,
            &mut |job| {
                jobs.push(job);
                true
            },
            &mut |_| {},
        )
        .unwrap();
        assert!(go_on);
        let seen: Vec<_> = jobs
            .iter()
            .map(|j| (j.line, j.unreadable.as_ref().map(Error::to_string)))
            .collect();
        assert_eq!(
            seen,
            [
                (Some(1), None),
                (Some(3), None),
                (
                    None,
                    Some(
                        "cut off after line 3: incomplete deflate stream; the rest of the input \
                         is lost"
                            .to_string()
                    )
                ),
            ]
        );
        assert!(jobs[2].whole_input);
        // Cut off in a blank stretch: the lines skipped count.
        let mut last = None;
        read_lines_up_to(
            "t.jsonl.gz",
            BufReader::new(CutOff(b"{}\n\n\n\n")),
            1024,
            &mut |job| {
                last = job.unreadable.map(|e| e.to_string());
                true
            },
            &mut |_| {},
        )
        .unwrap();
        assert!(last.unwrap().starts_with("cut off after line 4: "));
        // Nothing readable at all: the input cannot be used, the batch stops (status 1).
        let e = read_lines_up_to(
            "t.jsonl.gz",
            BufReader::new(CutOff(b"")),
            1024,
            &mut |_| true,
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(e, Error::File { .. }), "{e:?}");
        assert_eq!(e.to_string(), "t.jsonl.gz: incomplete deflate stream");
    }
}
