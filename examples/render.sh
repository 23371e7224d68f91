#!/bin/sh
# Renders an article with a running `babrpdf serve` from the shell (curl):
#   BABRPDF_URL=http://127.0.0.1:3000 sh render.sh article.json article.pdf
# --retry retries a busy service (429/503) honouring Retry-After; --fail-with-body keeps the
# service's JSON error, printed on failure.
set -eu
[ $# -eq 2 ] || { echo "usage: sh render.sh ARTICLE.json OUT.pdf" >&2; exit 2; }
base=${BABRPDF_URL:-http://127.0.0.1:3000}
auth=""
[ -n "${BABRPDF_TOKEN:-}" ] && auth="Authorization: Bearer $BABRPDF_TOKEN"
if curl -sS --fail-with-body --retry 2 --max-time 30 \
    -H 'Content-Type: application/json' ${auth:+-H "$auth"} \
    --data-binary "@$1" -o "$2" \
    "$base/render?profile=print&disposition=attachment"; then
  echo "$2: $(wc -c < "$2") bytes"
else
  status=$?
  echo "babrpdf: $(cat "$2" 2>/dev/null)" >&2
  rm -f "$2"
  exit "$status"
fi
