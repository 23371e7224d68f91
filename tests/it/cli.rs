//! The `babrpdf` command as a user runs it: outputs, exit codes, one-line errors, no debris.

use crate::common;

use crate::common::{bin, sample_path, scratch};

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn render_writes_pdf_next_to_input_by_default() {
    let dir = scratch("cli", "default");
    let input = dir.join("news.json");
    std::fs::copy(common::sample_path("short-news.json"), &input).unwrap();
    let out = bin().arg("render").arg(&input).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(dir.join("news.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 1000);
    assert_eq!(files_in(&dir), ["news.json", "news.pdf"]);
}

#[test]
fn stdin_to_stdout() {
    let json = std::fs::read(common::sample_path("short-news.json")).unwrap();
    let out = run_with_stdin(bin().args(["render", "-", "-o", "-"]), &json);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.starts_with(b"%PDF-"));
    assert!(out.stdout.ends_with(b"%%EOF") || out.stdout.ends_with(b"%%EOF\n"));
}

#[test]
fn explicit_output_and_paper() {
    let dir = scratch("cli", "paper");
    let target = dir.join("a5.pdf");
    let out = bin()
        .arg("render")
        .arg(common::sample_path("short-news.json"))
        .arg("-o")
        .arg(&target)
        .args(["--paper", "a5"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc = common::load(&std::fs::read(&target).unwrap());
    let page = doc.get_pages()[&1];
    let mediabox = doc
        .get_object(page)
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let width = mediabox[2].as_float().unwrap();
    assert!((width - 419.5).abs() < 1.0, "A5 width {width}");
}

#[test]
fn a_theme_that_is_a_device_is_refused_not_read_for_ever() {
    // /dev/zero never ends: reading it whole used to hang and grow without bound.
    let mut child = bin()
        .args(["render", sample_path("short-news.json").to_str().unwrap()])
        .args(["--theme", "/dev/zero", "-o", "-"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("--theme /dev/zero still running after 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("/dev/zero") && stderr.contains("not a regular file"),
        "{stderr}"
    );
}

#[test]
fn the_paper_typed_on_the_command_line_wins_over_the_themes() {
    let dir = scratch("cli", "theme-paper");
    let theme = dir.join("small.json");
    std::fs::write(&theme, r#"{"paper": "a5", "header_text": "Бабр"}"#).unwrap();
    let width = |extra: &[&str]| {
        let target = dir.join("out.pdf");
        let out = bin()
            .arg("render")
            .arg(common::sample_path("short-news.json"))
            .arg("-o")
            .arg(&target)
            .arg("--theme")
            .arg(&theme)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        common::first_page_width(&std::fs::read(&target).unwrap())
    };
    // Nothing typed: the theme's paper.
    let themed = width(&[]);
    assert!(
        (themed - 419.5).abs() < 1.0,
        "the theme's A5, got width {themed}"
    );
    // Typed: the person's paper, though the theme names another.
    for (paper, expected) in [("a4", 595.3), ("letter", 612.0)] {
        let typed = width(&["--paper", paper]);
        assert!(
            (typed - expected).abs() < 1.0,
            "--paper {paper} with a theme on A5 gave width {typed}, not {expected}"
        );
    }
}

#[test]
fn bad_inputs_fail_cleanly() {
    let cases: [(&str, &[u8], &str); 8] = [
        ("invalid", b"{\"title\": \"x\", body: 1}", "line 1"),
        (
            "truncated",
            "{\"title\": \"Заголовок\",\n\"body\": \"текст".as_bytes(),
            "line 2",
        ),
        ("empty", b"", "empty"),
        ("no-title", b"{\"body\": \"text\"}", "title"),
        (
            "blank-title",
            b"{\"title\": \"   \", \"body\": \"text\"}",
            "title",
        ),
        (
            "body-type",
            b"{\"title\": \"t\", \"body\": [1, 2]}",
            "invalid type",
        ),
        (
            "utf8",
            b"{\"title\": \"\xd0\xd0\", \"body\": \"x\"}",
            "UTF-8",
        ),
        ("array", b"[1, 2, 3]", "found an array"),
    ];
    for (name, content, needle) in cases {
        let dir = scratch("cli", name);
        let input = dir.join(format!("{name}.json"));
        std::fs::write(&input, content).unwrap();
        let out = bin().arg("render").arg(&input).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: succeeded");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "{name}: not one line: {stderr}"
        );
        assert!(
            stderr.contains(&format!("{name}.json")),
            "{name}: input not named: {stderr}"
        );
        assert!(
            stderr.contains(needle),
            "{name}: {stderr:?} lacks {needle:?}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert_eq!(
            files_in(&dir),
            [format!("{name}.json")],
            "{name}: debris left"
        );
    }
}

#[test]
fn missing_input_and_unwritable_output_are_reported() {
    let out = bin()
        .args(["render", "/nonexistent/article.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/article.json"));
    let out = bin()
        .arg("render")
        .arg(common::sample_path("short-news.json"))
        .args(["-o", "/nonexistent/dir/out.pdf"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/dir/out.pdf"));
}

#[test]
fn help_shows_examples() {
    let out = bin().args(["render", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("Examples") && text.contains("babrpdf render"),
        "{text}"
    );
}

#[test]
fn markdown_article_files_render() {
    let dir = scratch("cli", "markdown");
    let input = dir.join("news.md");
    std::fs::copy(common::sample_path("short-news.md"), &input).unwrap();
    let out = bin().arg("render").arg(&input).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = common::pdf_text(&common::load(&std::fs::read(dir.join("news.pdf")).unwrap()));
    assert!(text.contains("Листвянк"), "{text}");
    // Markdown on stdin is recognised without an extension.
    let md = "---\ntitle: Заметка\n---\n\nТекст заметки.\n";
    let out = run_with_stdin(bin().args(["render", "-", "-o", "-"]), md.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(common::pdf_text(&common::load(&out.stdout)).contains("Текст заметки."));
    // A broken front matter is one line naming the file.
    std::fs::write(&input, "---\ntitle: [oops\n---\nx").unwrap();
    let out = bin().arg("render").arg(&input).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("news.md") && stderr.contains("front matter"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn twenty_thousand_paragraphs_and_a_five_megabyte_word_render() {
    let dir = scratch("cli", "hostile-size");
    let paragraphs: Vec<String> = (0..20_000)
        .map(|i| format!("Абзац {i}: короткий текст о событиях в Иркутске."))
        .collect();
    let many = serde_json::json!({"title": "Много абзацев", "body": paragraphs.join("\n\n"), "body_format": "text"});
    let word = serde_json::json!({"title": "Слово", "body": format!("Начало {} конец.", "ы".repeat(2_600_000)), "body_format": "text"});
    for (name, article) in [("many", many), ("word", word)] {
        let input = dir.join(format!("{name}.json"));
        std::fs::write(&input, article.to_string()).unwrap();
        let out = bin().arg("render").arg(&input).output().unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pdf = std::fs::read(dir.join(format!("{name}.pdf"))).unwrap();
        let doc = common::load(&pdf);
        assert!(
            doc.get_pages().len() > 10,
            "{name}: {} pages",
            doc.get_pages().len()
        );
    }
}

#[test]
fn an_input_past_the_size_limit_is_reported_with_its_real_size() {
    let dir = scratch("cli", "huge");
    let input = dir.join("huge.json");
    // A sparse 100 MB file: nothing is written, and babrpdf must not read it either.
    std::fs::File::create(&input)
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    let out = bin().arg("render").arg(&input).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("huge.json: input is 104857600 bytes, more than the 33554432 accepted"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "{said}");

    // Standard input is not read past the limit: its size is not known.
    let mut child = bin()
        .args(["render", "-", "-o", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // babrpdf stops reading at the limit: the rest of the write may fail (a broken pipe).
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = pipe.write_all(&vec![b' '; (32 << 20) + 4096]);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("<stdin>: input is more than 32 MB"), "{said}");
    assert!(!said.contains("33554433"), "{said}");
}

#[test]
fn render_timeout_takes_a_duration() {
    let dir = scratch("cli", "timeout");
    let input = dir.join("news.json");
    std::fs::copy(common::sample_path("short-news.json"), &input).unwrap();
    for ok in ["0", "30s", "1500ms", "1m"] {
        let out = bin()
            .args(["render", "--timeout", ok])
            .arg(&input)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{ok}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for bad in ["10", "ten", "-1s", "5 days"] {
        let out = bin()
            .args(["render", &format!("--timeout={bad}")])
            .arg(&input)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{bad}: {said}");
        assert!(said.contains("--timeout"), "{said}");
    }
}
