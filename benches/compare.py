#!/usr/bin/env python3
"""babrpdf beside typst (through its Python binding, typst-py) on the same texts, in one run.

Run by benches/compare.sh, which builds the release binary and runs the in-process benchmark
first. Prints medians; commands compared are alternated round by round, so a burst of load on a
shared machine falls on both. Arguments: BABRPDF_BINARY REPO_ROOT [--quick].
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import typst
except ImportError:  # the comparison is optional; babrpdf's own figures are still printed
    typst = None

BINARY, ROOT = sys.argv[1], sys.argv[2]
QUICK = "--quick" in sys.argv
SAMPLES = os.path.join(ROOT, "samples")
FONTS = os.path.join(ROOT, "fonts")

# The typst document: the article's title, subtitle and paragraphs in the same PT fonts,
# justified and hyphenated in Russian, with a page-number footer. Strings from the JSON are
# inserted as text, never parsed as markup.
TEMPLATE = """#let a = json(bytes(sys.inputs.article))
#set page(paper: "a4", margin: 2cm,
  footer: context align(center, counter(page).display("1 / 1", both: true)))
#set text(font: "PT Serif", lang: "ru", size: 10pt, hyphenate: true)
#set par(justify: true, first-line-indent: 1em)
#text(size: 18pt, weight: "bold", font: "PT Sans", a.title)
#if "subtitle" in a [ #text(size: 12pt, style: "italic", a.subtitle) ]
#for p in a.body.split("\\n\\n") { par(p) }
"""

TITLES = [
    "На переправу к Ольхону вышел третий паром",
    "Байкальск после комбината: десять лет без целлюлозы",
    "В Листвянке открыли новую экотропу вдоль Байкала",
    "Глазковский мост открыли раньше срока",
    "Кругобайкальская железная дорога: 120 лет",
    "«Ангарский круг»: песни из Полтавки и бурятский ёхор",
]


def batch_articles(count):
    """Articles of 3 to 8 paragraphs of the long feature (about 1.5–6 KB), as the batch
    benchmark (benches/batch.rs) makes them."""
    with open(os.path.join(SAMPLES, "long-feature.json"), encoding="utf-8") as f:
        feature = json.load(f)
    paragraphs = [p for p in feature["body"].split("\n\n") if not p.startswith("![")]
    out = []
    for i in range(count):
        n = 3 + i % 6
        start = (i * 7) % len(paragraphs)
        body = [paragraphs[(start + k) % len(paragraphs)] for k in range(n)]
        out.append({
            "id": f"bench-{i}",
            "title": f"{TITLES[i % len(TITLES)]} ({i + 1})",
            "authors": ["Анна Соколова"],
            "published": f"2024-06-{1 + i % 30:02}T{8 + i % 12:02}:30:00+08:00",
            "section": "Общество",
            "url": f"https://babr-news.example/2024/06/{i}",
            "source": {"name": "Бабр-Новости", "url": "https://babr-news.example"},
            "tags": ["Байкал", "Иркутская область"],
            "body_format": "markdown",
            "body": "\n\n".join(body),
        })
    return out


# GNU time measures a child's peak memory from a small parent: Linux counts a parent's peak in
# that of a child it spawns (with vfork, as Python does), and this process holds typst and the
# articles.
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run(argv):
    """Runs a command; returns (seconds, peak resident MB of the command, 0 when unknown)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        wrapped = [GNU_TIME, "-f", "%M", "-o", peak.name, *argv] if GNU_TIME else argv
        start = time.perf_counter()
        status = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        elapsed = time.perf_counter() - start
        if status != 0:
            sys.exit(f"compare: {' '.join(argv)} exited with {status}")
        kb = peak.read().strip().splitlines()
    return elapsed, int(kb[-1]) / 1024 if kb else 0.0


def med(values):
    return statistics.median(values)


def alternate(rounds, commands):
    """Each round runs every command once, in turn; returns {name: [(seconds, MB), …]}."""
    results = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            results[name].append(command())
    return results


def line(what, value, unit, extra=""):
    print(f"  {what:<52} {value:>10.1f} {unit}{extra}")


def main():
    scratch = tempfile.mkdtemp(prefix="babrpdf-compare-")
    template = os.path.join(scratch, "article.typ")
    with open(template, "w", encoding="utf-8") as f:
        f.write(TEMPLATE)
    seed = os.path.join(SAMPLES, "short-news.json")
    with open(seed, encoding="utf-8") as f:
        seed_text = f.read()
    rounds = 3 if QUICK else 9
    typst_note = "" if typst else "  (typst-py not installed: pip install typst)"

    print(f"\nwhole process, seed article (3 KB), medians of {rounds} alternated runs{typst_note}")
    commands = {
        "babrpdf render": lambda: run(
            [BINARY, "render", seed, "-o", os.path.join(scratch, "seed.pdf")]),
    }
    if typst:
        script = (
            "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], "
            "font_paths=[sys.argv[3]], ignore_system_fonts=True, "
            "sys_inputs={'article': open(sys.argv[4], encoding='utf-8').read()})")
        commands["python3 -c 'import typst; typst.compile(…)'"] = lambda: run(
            [sys.executable, "-c", script, template, os.path.join(scratch, "seed-typst.pdf"),
             FONTS, seed])
    times = alternate(rounds, commands)
    ms = {name: med([t for t, _ in v]) * 1000 for name, v in times.items()}
    for name, v in ms.items():
        line(name, v, "ms")
    if typst:
        ratio = ms["babrpdf render"] / ms["python3 -c 'import typst; typst.compile(…)'"]
        print(f"  babrpdf / typst-py: {ratio:.2f}×")

    print("\nbytes of the seed article's PDF")
    line("babrpdf (download profile)", os.path.getsize(os.path.join(scratch, "seed.pdf")) / 1024,
         "KB")
    if typst:
        line("typst-py", os.path.getsize(os.path.join(scratch, "seed-typst.pdf")) / 1024, "KB")

    cores = os.cpu_count()
    for count in (300, 3000):
        articles = batch_articles(count)
        jsonl = os.path.join(scratch, f"{count}.jsonl")
        with open(jsonl, "w", encoding="utf-8") as f:
            for a in articles:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
        # The issue asks for medians of at least 7 runs; the 3,000-article batch (40 s a round
        # for typst-py) gets 7, the rest 9.
        batch_rounds = 1 if QUICK and count > 300 else (7 if count > 300 else rounds)
        print(f"\nbatch of {count} articles, articles/s, medians of {batch_rounds} alternated runs")
        out = os.path.join(scratch, "out")

        def babrpdf_batch():
            subprocess.run(["rm", "-rf", out], check=True)
            return run([BINARY, "batch", jsonl, "-o", out])

        commands = {f"babrpdf batch ({cores} cores)": babrpdf_batch}
        if typst:
            texts = [json.dumps(a, ensure_ascii=False) for a in articles]

            def typst_reused():
                # One Compiler, reused for every article: typst's cheapest way to do many.
                compiler = typst.Compiler(template, font_paths=[FONTS], ignore_system_fonts=True)
                start = time.perf_counter()
                for k, text in enumerate(texts):
                    pdf = compiler.compile(sys_inputs={"article": text})
                    with open(os.path.join(scratch, "typst-batch.pdf"), "wb") as f:
                        f.write(pdf)
                return time.perf_counter() - start, 0.0

            commands["typst-py, one Compiler reused (1 process)"] = typst_reused
        results = alternate(batch_rounds, commands)
        rates = {name: count / med([t for t, _ in v]) for name, v in results.items()}
        for name, rate in rates.items():
            peak = med([m for _, m in results[name]])
            line(name, rate, "/s", f"   peak {peak:.0f} MB" if peak else "")
        if typst:
            names = list(rates)
            print(f"  babrpdf / typst-py reused: {rates[names[0]] / rates[names[1]]:.1f}×")

    print("\none article with a 20 MB body (the long feature's text repeated), babrpdf render")
    with open(os.path.join(SAMPLES, "long-feature.json"), encoding="utf-8") as f:
        feature = json.load(f)
    text = "\n\n".join(p for p in feature["body"].split("\n\n") if not p.startswith("!["))
    body = []
    size = 0
    while size < 20 * 1024 * 1024:
        body.append(text)
        size += len(text.encode("utf-8")) + 2
    feature["body"] = "\n\n".join(body)
    feature.pop("cover", None)
    huge = os.path.join(scratch, "huge.json")
    with open(huge, "w", encoding="utf-8") as f:
        json.dump(feature, f, ensure_ascii=False)
    del body, feature
    huge_runs = 1 if QUICK else 7
    results = [run([BINARY, "render", huge, "-o", os.path.join(scratch, "huge.pdf"),
                    "--timeout", "0"]) for _ in range(huge_runs)]
    line(f"time, median of {huge_runs}", med([t for t, _ in results]), "s")
    line(f"peak resident memory, median of {huge_runs}", med([m for _, m in results]), "MB")
    subprocess.run(["rm", "-rf", scratch], check=True)


main()
