//! `babrpdf batch` and `render` against a hostile or failing file system and archive: planted
//! symlinks, signals, stale temporaries, a full disk, concatenated and truncated gzip, blank input.

use crate::common;

use crate::common::{bin, run, scratch};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` (relative names), folders searched too.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else {
                found.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

fn article(i: usize) -> String {
    serde_json::json!({
        "id": format!("a{i}"),
        "title": format!("Статья номер {i}"),
        "body": format!("<p>Уникальное слово слово{i} в тексте о Байкале и Ангаре.</p>"),
    })
    .to_string()
}

fn lines(n: usize) -> String {
    (0..n).map(article).collect::<Vec<_>>().join("\n") + "\n"
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// The pid of a process that has exited and been reaped.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

// ---- 1. Temporaries ---------------------------------------------------------------------------

/// `sh -c 'plant; exec babrpdf …'`: the shell's `$$` is babrpdf's own pid, so symlinks are
/// planted at the exact names older versions used (`.NAME.PID.tmp`) before it starts.
fn run_with_planted_links(plant: &str, args: &[&str]) -> Output {
    let script = format!(
        "{plant}\nexec {} {}",
        shell_quote(Path::new(env!("CARGO_BIN_EXE_babrpdf"))),
        args.iter()
            .map(|a| shell_quote(Path::new(a)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn render_never_follows_a_symlink_planted_where_its_temporary_goes() {
    let dir = scratch("safety", "render-link");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let input = dir.join("news.json");
    std::fs::copy(common::sample_path("short-news.json"), &input).unwrap();
    let target = out.join("news.pdf");
    let plant = format!(
        "ln -s {v} {o}/.news.pdf.$$.tmp && ln -s {v} {o}/.news.pdf.$$.AAAAAAAA.tmp",
        v = shell_quote(&victim),
        o = shell_quote(&out)
    );
    let o = run_with_planted_links(
        &plant,
        &[
            "render",
            input.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!target.is_symlink(), "the PDF is a file of its own");
    assert!(std::fs::read(&target).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn batch_never_follows_symlinks_planted_where_its_temporaries_go() {
    let dir = scratch("safety", "batch-link");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let input = dir.join("a.jsonl");
    std::fs::write(&input, lines(6)).unwrap();
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let plant = (0..6)
        .map(|i| {
            format!(
                "ln -s {v} {o}/.a{i}.pdf.$$.tmp",
                v = shell_quote(&victim),
                o = shell_quote(&out)
            )
        })
        .collect::<Vec<_>>()
        .join(" && ");
    let o = run_with_planted_links(
        &plant,
        &[
            "batch",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-q",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    for i in 0..6 {
        let pdf = out.join(format!("a{i}.pdf"));
        assert!(!pdf.is_symlink());
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    }
}

#[test]
fn render_sweeps_the_temporaries_a_killed_render_left_for_its_target() {
    let dir = scratch("safety", "render-sweep");
    let input = dir.join("news.json");
    std::fs::copy(common::sample_path("short-news.json"), &input).unwrap();
    let dead = dead_pid();
    // This test process is alive: its temporary may be in use and must stay.
    let live = std::process::id();
    let stale = [
        format!(".news.pdf.{dead}.tmp"),
        format!(".news.pdf.{dead}.Xy12Ab34.tmp"),
    ];
    let kept = [
        format!(".news.pdf.{live}.Xy12Ab34.tmp"),
        format!(".other.pdf.{dead}.Xy12Ab34.tmp"),
    ];
    for name in stale.iter().chain(&kept) {
        std::fs::write(dir.join(name), "half a pdf").unwrap();
    }
    let o = run(&["render", input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut expected: Vec<String> = kept.to_vec();
    expected.extend(["news.json".to_string(), "news.pdf".to_string()]);
    expected.sort();
    assert_eq!(files_under(&dir), expected);
}

#[test]
fn batch_sweeps_only_temporaries_whose_owner_is_gone() {
    let dir = scratch("safety", "batch-sweep");
    let input = dir.join("a.jsonl");
    std::fs::write(&input, lines(2)).unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("sub")).unwrap();
    let (dead, live) = (dead_pid(), std::process::id());
    let stale = format!("sub/.x.pdf.{dead}.Xy12Ab34.tmp");
    let kept = format!("sub/.x.pdf.{live}.Xy12Ab34.tmp");
    std::fs::write(out.join(&stale), "half").unwrap();
    std::fs::write(out.join(&kept), "half").unwrap();
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = files_under(&out);
    assert!(!files.contains(&stale), "{files:?}");
    assert!(files.contains(&kept), "{files:?}");
}

/// Starts a batch over many articles, sends `signal` while a temporary is being written (or
/// after a while), and returns its exit status and what is left in OUTDIR.
fn signal_a_batch(signal: i32, name: &str) -> (Option<i32>, Vec<String>, String) {
    let dir = scratch("safety", name);
    let input = dir.join("big.jsonl");
    std::fs::write(&input, common::feature_archive(300)).unwrap();
    let out = dir.join("out");
    let child = bin()
        .args(["batch", input.to_str().unwrap(), "-o"])
        .arg(&out)
        .args(["-j", "2", "-q"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Signal it the moment a temporary is seen (after some PDFs), so it dies mid-write.
    let started = Instant::now();
    loop {
        let files = if out.is_dir() {
            files_under(&out)
        } else {
            Vec::new()
        };
        let pdfs = files.iter().filter(|f| f.ends_with(".pdf")).count();
        let writing = files.iter().any(|f| f.ends_with(".tmp"));
        if (pdfs >= 2 && writing) || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    // SAFETY: sends a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let o = child.wait_with_output().unwrap();
    let left = files_under(&out);
    assert!(
        left.iter().filter(|f| f.ends_with(".pdf")).count() < 300,
        "the signal came before the end"
    );
    (o.status.code(), left, stderr(&o))
}

#[test]
fn sigterm_during_a_batch_removes_its_temporaries_and_exits_143() {
    let (code, left, said) = signal_a_batch(libc::SIGTERM, "sigterm");
    assert_eq!(code, Some(143), "{said}");
    let temporaries: Vec<_> = left.iter().filter(|f| f.ends_with(".tmp")).collect();
    assert!(temporaries.is_empty(), "{temporaries:?}");
    assert!(said.contains("stopped by SIGTERM"), "{said}");
}

#[test]
fn sigint_during_a_batch_removes_its_temporaries_and_exits_130() {
    let (code, left, said) = signal_a_batch(libc::SIGINT, "sigint");
    assert_eq!(code, Some(130), "{said}");
    let temporaries: Vec<_> = left.iter().filter(|f| f.ends_with(".tmp")).collect();
    assert!(temporaries.is_empty(), "{temporaries:?}");
}

// ---- 2. A full disk ----------------------------------------------------------------------------

/// A tmpfs of `size` mounted at a fresh folder, unmounted when dropped.
struct TinyDisk(PathBuf);

impl TinyDisk {
    /// `Err(reason)` where it cannot be mounted (not root, no CAP_SYS_ADMIN).
    fn mount(name: &str, size: &str) -> Result<TinyDisk, String> {
        let dir = scratch("safety", name).join("disk");
        std::fs::create_dir_all(&dir).unwrap();
        let o = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !o.status.success() {
            return Err(format!(
                "mount: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Ok(TinyDisk(dir))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn on_a_full_disk_failures_jsonl_holds_whole_records_and_the_batch_says_what_it_lost() {
    let disk = match TinyDisk::mount("fulldisk", "64k") {
        Ok(disk) => disk,
        Err(why) => {
            println!("skipped: needs a tmpfs mount (run as root, as CI does): {why}");
            return;
        }
    };
    let dir = scratch("safety", "fulldisk-input");
    // 98 broken articles, each with a 2 KB id that goes into its failure record: 200 KB of
    // records for a 64 KB disk.
    let input = dir.join("broken.jsonl");
    let text: String = (0..98)
        .map(|i| {
            serde_json::json!({"id": format!("{i}-{}", "x".repeat(2000)), "title": 5}).to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&input, text).unwrap();
    let out = disk.0.join("out");
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let said = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "the report is incomplete: {said}");
    let records = std::fs::read_to_string(out.join("failures.jsonl")).unwrap();
    assert!(
        records.is_empty() || records.ends_with('\n'),
        "cut mid-record"
    );
    for line in records.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("a cut record ({e}): {}", &line[..80.min(line.len())]));
    }
    let listed = records.lines().count();
    assert!(listed < 98, "the disk was not full");
    let lost = 98 - listed;
    assert!(
        said.contains(&format!("{lost} of 98 failures could not be recorded"))
            && said.contains("No space left on device"),
        "{said}"
    );
    assert!(
        said.contains(&format!("{listed} listed in")),
        "the summary says how many are listed: {said}"
    );
}

// ---- 3. Archives -------------------------------------------------------------------------------

#[test]
fn concatenated_gzip_members_are_all_read_as_zcat_reads_them() {
    let dir = scratch("safety", "multigz");
    let first: String = (0..3).map(|i| article(i) + "\n").collect();
    let second: String = (3..6).map(|i| article(i) + "\n").collect();
    let mut bytes = gzip(first.as_bytes());
    bytes.extend(gzip(second.as_bytes()));
    let input = dir.join("m.jsonl.gz");
    std::fs::write(&input, bytes).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdfs: Vec<String> = files_under(&out)
        .into_iter()
        .filter(|f| f.ends_with(".pdf"))
        .collect();
    let expected: Vec<String> = (0..6).map(|i| format!("a{i}.pdf")).collect();
    assert_eq!(pdfs, expected);
}

#[test]
fn a_truncated_gzip_renders_its_whole_lines_and_lists_the_lost_tail() {
    let dir = scratch("safety", "cutgz");
    // Lines that do not compress to nothing, so half the file holds some of them.
    let text: String = (0..40)
        .map(|i| {
            let noise: String = (0..60)
                .map(|k| char::from(b'a' + ((i * 7919 + k * 104_729) % 26) as u8))
                .collect();
            serde_json::json!({"id": format!("a{i}"), "title": format!("T {noise}"), "body": noise})
                .to_string()
                + "\n"
        })
        .collect();
    let whole = gzip(text.as_bytes());
    let cut = &whole[..whole.len() / 2];
    let input = dir.join("cut.jsonl.gz");
    std::fs::write(&input, cut).unwrap();
    // What a reader gets from the cut file before the error: its whole lines are the good ones.
    let mut decoded = Vec::new();
    let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(cut), &mut decoded);
    let good = decoded.iter().filter(|&&b| b == b'\n').count();
    assert!(good > 0 && good < 40, "{good}");

    let out = dir.join("out");
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    let said = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains(&format!("cut.jsonl.gz: cut off after line {good}: ")),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    let pdfs = files_under(&out)
        .into_iter()
        .filter(|f| f.ends_with(".pdf"))
        .count();
    assert_eq!(pdfs, good);
    let records = std::fs::read_to_string(out.join("failures.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(records.trim()).unwrap();
    assert!(
        record["error"]
            .as_str()
            .unwrap()
            .starts_with(&format!("cut off after line {good}: ")),
        "{record}"
    );
}

#[test]
fn blank_stretches_in_a_gzip_are_skipped_and_lines_keep_their_numbers() {
    let dir = scratch("safety", "blankgz");
    const BLANK: usize = 16 << 20;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(format!("{}\n", article(0)).as_bytes())
        .unwrap();
    let newlines = vec![b'\n'; 1 << 20];
    for _ in 0..BLANK >> 20 {
        gz.write_all(&newlines).unwrap();
    }
    gz.write_all(b"  \r\n\t\n{not json\n").unwrap();
    gz.write_all(format!("   {}\n", article(1)).as_bytes())
        .unwrap();
    let input = dir.join("blank.jsonl.gz");
    std::fs::write(&input, gz.finish().unwrap()).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    let said = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    // line 1, then BLANK empty lines, two blank ones, the broken one.
    let broken = 1 + BLANK + 2 + 1;
    assert!(
        said.contains(&format!("blank.jsonl.gz:{broken}: ")),
        "{said}"
    );
    assert!(out.join("a0.pdf").is_file() && out.join("a1.pdf").is_file());
}

// ---- 4. Deadlines ------------------------------------------------------------------------------

#[test]
fn article_timeout_takes_durations_and_refuses_what_is_not_one() {
    let dir = scratch("safety", "timeout-args");
    let input = dir.join("a.jsonl");
    std::fs::write(&input, lines(1)).unwrap();
    let out = dir.join("out");
    for ok in ["0", "10s", "500ms", "2m"] {
        let o = run(&[
            "batch",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-q",
            "--article-timeout",
            ok,
        ]);
        assert!(o.status.success(), "{ok}: {}", stderr(&o));
    }
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--article-timeout",
        "10",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("duration `10`"), "{}", stderr(&o));
}

/// The engine's cooperative deadline (`Engine::layout` and `Engine::write` honour
/// `limits.timeout`) makes a runaway article one failure among others.
#[test]
fn a_runaway_article_fails_alone_at_its_deadline_and_the_batch_goes_on() {
    let dir = scratch("safety", "runaway");
    let input = dir.join("a.jsonl");
    // 20,000 paragraphs: far more than 1 ms of work.
    let big = serde_json::json!({
        "id": "big",
        "title": "Длинная",
        "body": "<p>Слово за словом о Байкале.</p>".repeat(20_000),
    })
    .to_string();
    std::fs::write(&input, format!("{}\n{big}\n{}\n", article(0), article(1))).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
        "-j",
        "1",
        "--article-timeout",
        "300ms",
    ]);
    let said = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains("a.jsonl:2: ") && said.contains("deadline"),
        "{said}"
    );
    assert!(out.join("a0.pdf").is_file() && out.join("a1.pdf").is_file());
    assert!(!out.join("big.pdf").exists());
    let records = std::fs::read_to_string(out.join("failures.jsonl")).unwrap();
    assert!(records.contains("\"id\":\"big\""), "{records}");
}
