"""Renders an article with a running `babrpdf serve` from Python (standard library only):

    BABRPDF_URL=http://127.0.0.1:3000 python3 render.py article.json article.pdf

Retries once or twice when the service is busy (429/503, honouring Retry-After); any other
failure prints the service's one-line message and exits 1.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request


def render(base, article, token=None, attempts=3):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = f"{base}/render?profile=print&disposition=attachment"
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=article, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            body = e.read()
            if e.code in (429, 503) and attempt < attempts:
                time.sleep(int(e.headers.get("Retry-After", "1")))
                continue
            try:
                message = json.loads(body)["error"]
            except (ValueError, KeyError):
                message = body.decode("utf-8", "replace")
            raise SystemExit(f"babrpdf: HTTP {e.code}: {message}")
        except urllib.error.URLError as e:
            raise SystemExit(f"babrpdf: {e.reason}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: python3 render.py ARTICLE.json OUT.pdf")
    base = os.environ.get("BABRPDF_URL", "http://127.0.0.1:3000")
    with open(sys.argv[1], "rb") as f:
        article = f.read()
    pdf = render(base, article, os.environ.get("BABRPDF_TOKEN"))
    with open(sys.argv[2], "wb") as f:
        f.write(pdf)
    print(f"{sys.argv[2]}: {len(pdf)} bytes")


if __name__ == "__main__":
    main()
