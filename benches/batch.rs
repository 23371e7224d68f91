//! Batch throughput: articles per second and the process's peak memory for `babrpdf batch` over
//! 300 real-size articles (a folder and JSON Lines), 3,000 (ten times more), and 300 bound into
//! a volume. Prints medians; never asserts on time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The binary measured: this build's, or another one named by `BABRPDF_BENCH_BIN` (to compare).
fn bin() -> String {
    std::env::var("BABRPDF_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_babrpdf").into())
}

/// Article bodies cut from the samples' texts: 3 to 8 paragraphs each, so sizes vary like a
/// regional site's news (about 1.5 to 6 KB), no images.
fn articles(count: usize) -> Vec<serde_json::Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let feature: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("long-feature.json")).unwrap()).unwrap();
    let paragraphs: Vec<&str> = feature["body"]
        .as_str()
        .unwrap()
        .split("\n\n")
        .filter(|p| !p.starts_with("!["))
        .collect();
    let titles = [
        "На переправу к Ольхону вышел третий паром",
        "Байкальск после комбината: десять лет без целлюлозы",
        "В Листвянке открыли новую экотропу вдоль Байкала",
        "Глазковский мост открыли раньше срока",
        "Кругобайкальская железная дорога: 120 лет",
        "«Ангарский круг»: песни из Полтавки и бурятский ёхор",
    ];
    (0..count)
        .map(|i| {
            let n = 3 + i % 6;
            let start = (i * 7) % paragraphs.len();
            let body: Vec<&str> = (0..n)
                .map(|k| paragraphs[(start + k) % paragraphs.len()])
                .collect();
            serde_json::json!({
                "id": format!("bench-{i}"),
                "title": format!("{} ({})", titles[i % titles.len()], i + 1),
                "authors": ["Анна Соколова"],
                "published": format!("2024-06-{:02}T{:02}:30:00+08:00", 1 + i % 30, 8 + i % 12),
                "section": "Общество",
                "url": format!("https://babr-news.example/2024/06/{i}"),
                "source": {"name": "Бабр-Новости", "url": "https://babr-news.example"},
                "tags": ["Байкал", "Иркутская область"],
                "body_format": "markdown",
                "body": body.join("\n\n"),
            })
        })
        .collect()
}

fn write_jsonl(path: &Path, articles: &[serde_json::Value]) {
    let text: String = articles.iter().map(|a| format!("{a}\n")).collect();
    std::fs::write(path, text).unwrap();
}

fn write_folder(dir: &Path, articles: &[serde_json::Value]) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, a) in articles.iter().enumerate() {
        std::fs::write(dir.join(format!("{i:05}.json")), a.to_string()).unwrap();
    }
}

/// One run of the batch into a fresh folder: (wall time, peak resident memory in MB).
fn run_batch(input: &Path, out: &Path, extra: &[&str]) -> (Duration, f64) {
    let _ = std::fs::remove_dir_all(out);
    let started = Instant::now();
    let child = Command::new(bin())
        .arg("batch")
        .arg(input)
        .arg("-o")
        .arg(out)
        .arg("-q")
        .args(extra)
        .spawn()
        .unwrap();
    let (status, peak_kb) = wait_with_peak_memory(child);
    let elapsed = started.elapsed();
    assert_eq!(status, 0, "batch over {} failed", input.display());
    (elapsed, peak_kb as f64 / 1024.0)
}

/// Waits for the child and reads its own peak RSS (not the benchmark's) from `wait4`.
fn wait_with_peak_memory(child: std::process::Child) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 only writes into the two out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: `pid` is our own unwaited child; the pointers live for the call.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    std::mem::forget(child);
    (libc::WEXITSTATUS(status), usage.ru_maxrss)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("babrpdf-bench-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the benchmark's inputs into `dir`: a folder of 300 files, 300 and 3,000 JSON Lines.
fn generate(dir: &Path) {
    let small = articles(300);
    write_folder(&dir.join("folder"), &small);
    write_jsonl(&dir.join("300.jsonl"), &small);
    write_jsonl(&dir.join("3000.jsonl"), &articles(3000));
    let mean_kb = small
        .iter()
        .map(|a| a["body"].as_str().unwrap().len())
        .sum::<usize>() as f64
        / small.len() as f64
        / 1024.0;
    std::fs::write(dir.join("mean-kb"), format!("{mean_kb:.2}")).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench");
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        return generate(Path::new(&args[i + 1]));
    }
    let dir = scratch();
    if !bench {
        // Under `cargo test`: one small batch with a volume, so this code cannot rot.
        let few = articles(12);
        write_jsonl(&dir.join("few.jsonl"), &few);
        let volume = dir.join("few.pdf");
        run_batch(
            &dir.join("few.jsonl"),
            &dir.join("out"),
            &["--volume", volume.to_str().unwrap()],
        );
        assert!(std::fs::read(&volume).unwrap().starts_with(b"%PDF-"));
        let _ = std::fs::remove_dir_all(&dir);
        println!("batch bench smoke test ok");
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs = if quick { 1 } else { 5 };
    // The inputs are written by a child process: Linux reports a spawned process's peak memory
    // as at least its parent's, so this process must stay small while it measures.
    let status = Command::new(std::env::current_exe().unwrap())
        .arg("--generate")
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success(), "generating the inputs");
    let mean_kb: f64 = std::fs::read_to_string(dir.join("mean-kb"))
        .unwrap()
        .parse()
        .unwrap();
    println!("{cores} cores; articles of {mean_kb:.1} KB of text on average, no images");
    let volume = dir.join("volume.pdf");
    let volume_arg = ["--volume", volume.to_str().unwrap()];
    let cases: [(&str, PathBuf, usize, &[&str], usize); 4] = [
        (
            "300 articles, a folder of .json",
            dir.join("folder"),
            300,
            &[],
            runs,
        ),
        (
            "300 articles, JSON Lines",
            dir.join("300.jsonl"),
            300,
            &[],
            runs,
        ),
        (
            "3,000 articles, JSON Lines",
            dir.join("3000.jsonl"),
            3000,
            &[],
            runs.min(3),
        ),
        (
            "300 articles, JSON Lines, --volume",
            dir.join("300.jsonl"),
            300,
            &volume_arg,
            runs,
        ),
    ];
    for (what, input, count, extra, runs) in cases {
        let mut rates = Vec::new();
        let mut peaks = Vec::new();
        for _ in 0..runs {
            let (elapsed, peak) = run_batch(&input, &dir.join("out"), extra);
            rates.push(count as f64 / elapsed.as_secs_f64());
            peaks.push(peak);
        }
        println!(
            "{what:<40} median {:>6.0} articles/s   peak memory median {:>6.1} MB   ({runs} runs)",
            median(rates),
            median(peaks)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
