//! Render speed: ms per article for a 3 KB and a 40 KB article, in-process with one `Engine`, and
//! the whole `babrpdf render` process for the 3 KB one. Prints medians; never asserts on time.

use std::path::Path;
use std::time::{Duration, Instant};

use babrpdf::{Article, Engine, RenderOptions};

fn sample(name: &str) -> Article {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    Article::from_json(&std::fs::read(path).unwrap()).unwrap()
}

/// Runs `f` for about `budget`, at least `min_runs` times; returns sorted durations.
fn measure(budget: Duration, min_runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    f(); // warm-up: shape plans, page cache
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < min_runs || start.elapsed() < budget {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times
}

fn report(what: &str, times: &[Duration], extra: &str) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let q = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "{what:<44} median {:>8.3} ms   p10 {:>8.3}   p90 {:>8.3}   ({} runs){extra}",
        ms(q(0.5)),
        ms(q(0.1)),
        ms(q(0.9)),
        times.len()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this file without it, and
    // then it is only a smoke test (every measurement once). `-- --quick` shortens the budget.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        return smoke();
    }
    let quick = args.iter().any(|a| a == "--quick");
    let budget = Duration::from_secs(if quick { 1 } else { 5 });
    let engine = Engine::new().unwrap();
    let options = RenderOptions::default();

    let short = sample("short-news.json");
    // A 40 KB article: the long feature's body written out until it is 40 KB.
    let mut long = sample("long-feature.json");
    let body = long.body.clone();
    while long.body.len() < 40 * 1024 {
        long.body.push_str("\n\n");
        long.body.push_str(&body);
    }
    long.body.truncate(
        long.body
            .char_indices()
            .take_while(|(i, _)| *i < 40 * 1024)
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8()),
    );

    for (name, article) in [
        ("3 KB article (short-news.json)", &short),
        ("40 KB article (long feature, extended)", &long),
    ] {
        let size = engine.render(article, &options).unwrap().pdf.len();
        let pages = engine.layout(article, &options).unwrap().pages.len();
        let times = measure(budget, 20, || {
            std::hint::black_box(engine.render(article, &options).unwrap().pdf);
        });
        report(
            &format!("render {name}"),
            &times,
            &format!("   {pages} page(s), {:.1} KB PDF", size as f64 / 1024.0),
        );
        let times = measure(budget / 2, 20, || {
            std::hint::black_box(engine.layout(article, &options).unwrap());
        });
        report("  of which layout (to display list)", &times, "");
    }

    let print = RenderOptions {
        profile: babrpdf::Profile::Print,
        ..RenderOptions::default()
    };
    let size = engine.render(&short, &print).unwrap().pdf.len();
    let times = measure(budget, 20, || {
        std::hint::black_box(engine.render(&short, &print).unwrap().pdf);
    });
    report(
        "render 3 KB article, print profile",
        &times,
        &format!("   {:.1} KB PDF", size as f64 / 1024.0),
    );

    let t = Instant::now();
    let fresh = Engine::new().unwrap();
    println!(
        "Engine::new (faces are parsed on first use)    {:>8.3} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    drop(fresh);

    // The whole process, as the site's print button would run it.
    let bin = env!("CARGO_BIN_EXE_babrpdf");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/short-news.json");
    let out = std::env::temp_dir().join(format!("babrpdf-bench-{}.pdf", std::process::id()));
    let times = measure(budget, 20, || {
        let status = std::process::Command::new(bin)
            .arg("render")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
    });
    report("process: babrpdf render short-news.json", &times, "");
    let _ = std::fs::remove_file(out);
}

/// Under `cargo test`: render both articles once so the benchmark code cannot rot.
fn smoke() {
    let engine = Engine::new().unwrap();
    for name in ["short-news.json", "long-feature.json"] {
        let pdf = engine
            .render(&sample(name), &RenderOptions::default())
            .unwrap()
            .pdf;
        assert!(pdf.starts_with(b"%PDF-"));
    }
    println!("bench smoke test ok");
}
