// Renders an article with a running `babrpdf serve` from Node 18+ (built-in fetch):
//   BABRPDF_URL=http://127.0.0.1:3000 node render.mjs article.json article.pdf
// Retries once or twice when the service is busy (429/503, honouring Retry-After); any other
// failure prints the service's one-line message and exits 1.

import { readFile, writeFile } from "node:fs/promises";

const base = process.env.BABRPDF_URL ?? "http://127.0.0.1:3000";
const token = process.env.BABRPDF_TOKEN;
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node render.mjs ARTICLE.json OUT.pdf");
  process.exit(2);
}

const headers = { "Content-Type": "application/json" };
if (token) headers.Authorization = `Bearer ${token}`;
const article = await readFile(input);

let response;
for (let attempt = 1; ; attempt++) {
  try {
    response = await fetch(`${base}/render?profile=print&disposition=attachment`, {
      method: "POST",
      headers,
      body: article,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    console.error(`babrpdf: ${e.cause?.message ?? e.message}`);
    process.exit(1);
  }
  if ((response.status === 429 || response.status === 503) && attempt < 3) {
    const seconds = Number(response.headers.get("Retry-After") ?? 1);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    continue;
  }
  break;
}
if (response.status !== 200) {
  const text = await response.text();
  let message = text;
  try {
    message = JSON.parse(text).error ?? text;
  } catch {}
  console.error(`babrpdf: HTTP ${response.status}: ${message}`);
  process.exit(1);
}
const pdf = Buffer.from(await response.arrayBuffer());
await writeFile(output, pdf);
console.log(`${output}: ${pdf.length} bytes`);
