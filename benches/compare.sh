#!/usr/bin/env bash
# babrpdf beside typst-py in one run: in-process render medians (benches/render.rs), then the
# whole process, batches of 300 and 3,000 articles, bytes per PDF and the 20 MB body
# (benches/compare.py). `benches/compare.sh --quick` for a short run. Needs `pip install typst`
# for the comparison (babrpdf's own figures are printed without it) and GNU time for peaks.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
[[ "${1:-}" == "--quick" ]] && quick=(--quick)
cargo build --release --quiet
echo "in-process render, one Engine (benches/render.rs)"
cargo bench --quiet --bench render -- "${quick[@]}" 2>/dev/null | grep -v '^$' || true
python3 benches/compare.py target/release/babrpdf . "${quick[@]}"
