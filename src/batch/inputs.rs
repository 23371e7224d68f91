//! Reading a batch's inputs as a stream of jobs: folders (recursively), JSON Lines files
//! (gzip'd or not) and standard input.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Longest JSON Lines record read, in bytes.
const MAX_LINE_BYTES: u64 = 32 * 1024 * 1024;

/// One article to export: its bytes and where they came from.
pub struct Job {
    pub source: String,
    pub line: Option<usize>,
    pub bytes: Vec<u8>,
    pub markdown: bool,
    /// Set when the file could not be read: the article fails, the batch goes on.
    pub unreadable: Option<String>,
}

/// Inputs in order: each folder searched recursively for `*.json` and `*.md`, JSON Lines files
/// (`.jsonl`, `.jsonl.gz`) and `-` (JSON Lines on stdin). Calls `each` per job; stops on `Err`.
pub fn read_inputs(inputs: &[String], mut each: impl FnMut(Job) -> bool) -> Result<(), String> {
    for input in inputs {
        if input == "-" {
            read_lines("<stdin>", std::io::stdin().lock(), &mut each)?;
            continue;
        }
        let path = Path::new(input);
        let meta = std::fs::metadata(path).map_err(|e| format!("{input}: {e}"))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files).map_err(|e| format!("{input}: {e}"))?;
            files.sort();
            for f in files {
                let markdown = f.extension().is_some_and(|e| e == "md");
                let (bytes, unreadable) = match std::fs::read(&f) {
                    Ok(bytes) => (bytes, None),
                    Err(e) => (Vec::new(), Some(e.to_string())),
                };
                if !each(Job {
                    source: f.display().to_string(),
                    line: None,
                    bytes,
                    markdown,
                    unreadable,
                }) {
                    return Ok(());
                }
            }
        } else if input.ends_with(".jsonl.gz") || input.ends_with(".gz") {
            let file = std::fs::File::open(path).map_err(|e| format!("{input}: {e}"))?;
            read_lines(
                input,
                BufReader::new(flate2::read::GzDecoder::new(file)),
                &mut each,
            )?;
        } else if input.ends_with(".jsonl") {
            let file = std::fs::File::open(path).map_err(|e| format!("{input}: {e}"))?;
            read_lines(input, BufReader::new(file), &mut each)?;
        } else {
            let markdown = input.ends_with(".md");
            let bytes = std::fs::read(path).map_err(|e| format!("{input}: {e}"))?;
            each(Job {
                source: input.clone(),
                line: None,
                bytes,
                markdown,
                unreadable: None,
            });
        }
    }
    Ok(())
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

fn read_lines(
    name: &str,
    reader: impl BufRead,
    each: &mut impl FnMut(Job) -> bool,
) -> Result<(), String> {
    read_lines_up_to(name, reader, MAX_LINE_BYTES, each)
}

/// `read_lines` with the longest record as a parameter (tests use a small one).
fn read_lines_up_to(
    name: &str,
    reader: impl BufRead,
    max_line: u64,
    each: &mut impl FnMut(Job) -> bool,
) -> Result<(), String> {
    let mut reader = reader;
    let mut n = 0usize;
    loop {
        let mut line = Vec::new();
        let read = reader
            .by_ref()
            .take(max_line)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("{name}: {e}"))?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        // A record past the limit fails alone: the rest of its line is skipped, not read as
        // more records.
        let oversized = read as u64 == max_line && line.last() != Some(&b'\n');
        if oversized {
            skip_line(&mut reader).map_err(|e| format!("{name}: {e}"))?;
            line = Vec::new();
        }
        // The line ending is not part of the record (a cut record then reads as truncated).
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        if !oversized && line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if !each(Job {
            source: name.to_string(),
            line: Some(n),
            bytes: line,
            markdown: false,
            unreadable: oversized
                .then(|| format!("the record reaches the limit of {max_line} bytes; skipped")),
        }) {
            return Ok(());
        }
    }
}

/// Reads up to and including the next line end, keeping nothing.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let all = buffer.len();
                reader.consume(all);
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
        read_lines_up_to("t.jsonl", text.as_bytes(), 32, &mut |job| {
            jobs.push(job);
            true
        })
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
}
