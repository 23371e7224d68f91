//! `babrpdf batch`: many articles in, one PDF each out, failures listed, reruns skip finished work.

use crate::common;

use crate::common::{bin, run, scratch};

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

/// Ten good articles (ids a0..a9), one broken line after the third, one repeated id.
fn archive_lines() -> String {
    let mut lines: Vec<String> = (0..10)
        .map(|i| {
            serde_json::json!({
                "id": format!("a{i}"),
                "title": format!("Статья номер {i}"),
                "body": format!("<p>Уникальное слово слово{i} в тексте о Байкале.</p>"),
                "published": format!("2024-0{}-15", 1 + i % 3),
            })
            .to_string()
        })
        .collect();
    lines.insert(3, "{not json".to_string());
    lines.push(r#"{"id": "a1", "title": "Повтор", "body": "Тот же id"}"#.to_string());
    lines.join("\n") + "\n"
}

fn pdfs_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "pdf") {
                found.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_good_article_becomes_a_pdf_with_its_own_text_and_the_broken_line_is_listed() {
    let dir = scratch("batch", "jsonl");
    let input = dir.join("archive.jsonl");
    std::fs::write(&input, archive_lines()).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-j",
        "2",
        "-q",
    ]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "some failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Even under -q, each failure is said: one line with the file and line it came from.
    let said = String::from_utf8_lossy(&o.stderr);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with("babrpdf: ") && said.contains("archive.jsonl:4: "),
        "{said}"
    );
    let mut expected: Vec<String> = (0..10).map(|i| format!("a{i}.pdf")).collect();
    expected.push("a1-2.pdf".into());
    expected.sort();
    assert_eq!(pdfs_under(&out), expected);
    for i in [0, 5, 9] {
        let doc = common::load(&std::fs::read(out.join(format!("a{i}.pdf"))).unwrap());
        assert!(
            common::pdf_text(&doc).contains(&format!("слово{i}")),
            "a{i}.pdf holds its own article"
        );
    }
    // Names follow input order, not which worker finished first: the later a1 is a1-2.
    let duplicate = common::load(&std::fs::read(out.join("a1-2.pdf")).unwrap());
    assert!(common::pdf_text(&duplicate).contains("Повтор"));
    let failures = std::fs::read_to_string(out.join("failures.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = failures
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["line"], 4);
    assert!(
        records[0]["input"]
            .as_str()
            .unwrap()
            .ends_with("archive.jsonl")
    );
}

#[test]
fn a_rerun_skips_what_is_done_and_redoes_what_changed() {
    let dir = scratch("batch", "rerun");
    let input = dir.join("archive.jsonl");
    std::fs::write(&input, archive_lines()).unwrap();
    let out = dir.join("out");
    let args = [
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-j",
        "2",
    ];
    run(&args);
    let first = std::fs::metadata(out.join("a2.pdf"))
        .unwrap()
        .modified()
        .unwrap();
    let o = run(&args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("0 rendered, 11 skipped"), "{stderr}");
    assert_eq!(
        std::fs::metadata(out.join("a2.pdf"))
            .unwrap()
            .modified()
            .unwrap(),
        first
    );
    // One article edited: only it is rendered again.
    std::fs::write(&input, archive_lines().replace("слово2", "новое2")).unwrap();
    let o = run(&args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("1 rendered, 10 skipped"), "{stderr}");
    let doc = common::load(&std::fs::read(out.join("a2.pdf")).unwrap());
    assert!(common::pdf_text(&doc).contains("новое2"));
    // Other options make other PDFs: everything is rendered again, then skipped again.
    let a5 = [&args[..], &["--paper", "a5"]].concat();
    let o = run(&a5);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("11 rendered, 0 skipped"), "{stderr}");
    let o = run(&a5);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("0 rendered, 11 skipped"), "{stderr}");
    // So do other fonts.
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    let with_fonts = [&a5[..], &["--font-dir", fonts.to_str().unwrap()]].concat();
    let o = run(&with_fonts);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("11 rendered, 0 skipped"), "{stderr}");
}

#[test]
fn shards_split_the_work_without_overlap_and_name_templates_make_folders() {
    let dir = scratch("batch", "shards");
    let input = dir.join("archive.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(archive_lines().as_bytes()).unwrap();
    std::fs::write(&input, gz.finish().unwrap()).unwrap();
    let mut all = Vec::new();
    let mut failures = 0;
    for k in 1..=3 {
        let out = dir.join(format!("out{k}"));
        let shard = format!("{k}/3");
        run(&[
            "batch",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--shard",
            &shard,
            "-q",
            "--name",
            "{published:%Y/%m}/{id}",
        ]);
        all.extend(pdfs_under(&out));
        failures += std::fs::read_to_string(out.join("failures.jsonl"))
            .unwrap()
            .lines()
            .count();
    }
    all.sort();
    assert_eq!(all.len(), 11, "every article exactly once: {all:?}");
    assert_eq!(failures, 1, "the broken line is reported by one shard only");
    assert!(all.contains(&"2024/02/a1.pdf".to_string()), "{all:?}");
    assert!(all.contains(&"undated/a1.pdf".to_string()), "{all:?}");
}

#[test]
fn a_folder_of_articles_and_standard_input_both_work() {
    let dir = scratch("batch", "folder");
    let articles = dir.join("in");
    std::fs::create_dir_all(&articles).unwrap();
    std::fs::copy(
        common::sample_path("short-news.json"),
        articles.join("one.json"),
    )
    .unwrap();
    std::fs::copy(
        common::sample_path("short-news.md"),
        articles.join("two.md"),
    )
    .unwrap();
    std::fs::create_dir_all(articles.join("2024")).unwrap();
    std::fs::write(articles.join("2024/bad.json"), "{\"title\": ").unwrap();
    let out = dir.join("out");
    let o = run(&[
        "batch",
        articles.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
        "--name",
        "{slug}",
    ]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(pdfs_under(&out).len(), 2);
    let failures = std::fs::read_to_string(out.join("failures.jsonl")).unwrap();
    assert!(
        failures.contains("bad.json") && failures.lines().count() == 1,
        "{failures}"
    );

    let out = dir.join("stdin-out");
    let mut child = bin()
        .args(["batch", "-", "-o", out.to_str().unwrap(), "-q"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(archive_lines().as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(pdfs_under(&out).len(), 11);
}

#[test]
fn a_missing_input_is_a_one_line_error() {
    let dir = scratch("batch", "missing");
    let o = run(&[
        "batch",
        dir.join("nope.jsonl").to_str().unwrap(),
        "-o",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("nope.jsonl") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[test]
fn a_batch_killed_midway_and_rerun_renders_every_article_once_and_every_pdf_is_valid() {
    let dir = scratch("batch", "kill");
    let input = dir.join("big.jsonl");
    std::fs::write(&input, common::feature_archive(40)).unwrap();
    let out = dir.join("out");
    let args = [
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-j",
        "2",
        "-q",
    ];
    let mut child = bin().args(args).stdin(Stdio::null()).spawn().unwrap();
    // Kill it once some, but not all, PDFs are out (or at the latest after a while).
    let started = std::time::Instant::now();
    while !(out.is_dir() && pdfs_under(&out).len() >= 3) && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix: no chance to clean up
    child.wait().unwrap();
    let before = pdfs_under(&out).len();
    assert!(before < 40, "the kill came before the end ({before} done)");

    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut expected: Vec<String> = (0..40).map(|i| format!("k{i}.pdf")).collect();
    expected.sort();
    assert_eq!(
        pdfs_under(&out),
        expected,
        "each article exactly once, no -2 copies"
    );
    for name in &expected {
        let bytes = std::fs::read(out.join(name)).unwrap();
        lopdf::Document::load_mem(&bytes)
            .unwrap_or_else(|e| panic!("{name} is not a valid PDF: {e}"));
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_warning_is_printed_with_the_articles_place_and_is_not_a_failure() {
    let dir = scratch("batch", "warn");
    let input = dir.join("one.jsonl");
    let line = serde_json::json!({
        "id": "w1", "title": "С картинкой", "body": "Текст.",
        "cover": {"src": "missing.jpg", "caption": "Подпись"},
    });
    std::fs::write(&input, format!("\n{line}\n")).unwrap();
    let out = dir.join("out");
    let o = run(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning")
            && stderr.contains("one.jsonl:2")
            && stderr.contains("missing.jpg"),
        "{stderr}"
    );
    assert_eq!(pdfs_under(&out), ["w1.pdf"]);
}

#[test]
fn nothing_to_read_or_a_mistyped_name_template_stops_the_batch_with_status_1() {
    let dir = scratch("batch", "nothing");
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "не статья").unwrap();
    let input = dir.join("archive.jsonl");
    std::fs::write(&input, archive_lines()).unwrap();
    let out = dir.join("out");
    for (args, needle) in [
        (vec![empty.to_str().unwrap()], "no article found"),
        (
            vec![input.to_str().unwrap(), "--name", "{ID}"],
            "unknown field `{ID}`",
        ),
        (
            vec![input.to_str().unwrap(), "--name", "{published:%Y/%B}"],
            "%Y, %m and %d only",
        ),
    ] {
        let o = run(&[&["batch", "-o", out.to_str().unwrap()], &args[..]].concat());
        let said = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {said}");
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.contains(needle), "{said}");
        assert!(pdfs_under(&out).is_empty(), "{args:?}: nothing rendered");
    }
    let o = run(&["batch", "-o", out.to_str().unwrap(), "--shard", "0/3", "x"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a usage error is a batch that could not run"
    );
}

#[test]
fn the_library_reports_a_batch_as_events_and_the_caller_decides_what_to_show() {
    use babrpdf::batch::{BatchOptions, Event};
    let dir = scratch("batch", "events");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("a.json"),
        r#"{"id": "a", "title": "Статья", "body": "Текст."}"#,
    )
    .unwrap();
    std::fs::write(input.join("b.json"), r#"{"id": "b", "title": ""#).unwrap();
    std::fs::write(
        input.join("c.json"),
        r#"{"id": "c", "title": "Звонок", "body": "Текст\u0007."}"#,
    )
    .unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let sink = |e: Event<'_>| {
        let line = match e {
            Event::Started { total } => format!("started {total:?}"),
            Event::Handled => "handled".to_string(),
            Event::Progress { .. } => return,
            Event::Warning { place, warning } => {
                assert_eq!(warning.kind, babrpdf::WarningKind::Text);
                format!("warning {place}: {warning}")
            }
            Event::Alert(l) => format!("alert {l}"),
            Event::Info(l) => format!("info {l}"),
        };
        seen.lock().unwrap().push(line);
    };
    let options = BatchOptions {
        out_dir: dir.join("out"),
        jobs: 1,
        shard: None,
        name: "{id}".into(),
        volume: None,
        volume_title: None,
    };
    let summary = babrpdf::batch::run(
        common::engine(),
        &babrpdf::RenderOptions::default(),
        &[input.to_str().unwrap().to_string()],
        &options,
        &sink,
    )
    .unwrap();
    assert_eq!((summary.rendered, summary.failed), (2, 1));
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen[0], "started Some(3)");
    assert_eq!(seen.iter().filter(|l| *l == "handled").count(), 3);
    assert!(
        seen.iter()
            .any(|l| l.starts_with("warning ")
                && l.contains("c.json: U+0007 is a control character")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|l| l.starts_with("alert ") && l.contains("b.json") && l.contains("truncated")),
        "{seen:?}"
    );
    assert!(
        seen.last()
            .unwrap()
            .starts_with("info 2 rendered, 0 skipped (up to date), 1 failed"),
        "{seen:?}"
    );
}
