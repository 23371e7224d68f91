<?php
// Renders an article with a running `babrpdf serve` from PHP (the curl extension):
//   BABRPDF_URL=http://127.0.0.1:3000 php render.php article.json article.pdf
// Retries once or twice when the service is busy (429/503, honouring Retry-After); any other
// failure prints the service's one-line message and exits 1.

$base = getenv('BABRPDF_URL') ?: 'http://127.0.0.1:3000';
$token = getenv('BABRPDF_TOKEN');
if ($argc !== 3) {
    fwrite(STDERR, "usage: php render.php ARTICLE.json OUT.pdf\n");
    exit(2);
}
[$_, $input, $output] = $argv;
$article = file_get_contents($input);
if ($article === false) {
    fwrite(STDERR, "babrpdf: cannot read $input\n");
    exit(1);
}

$headers = ['Content-Type: application/json'];
if ($token) {
    $headers[] = "Authorization: Bearer $token";
}
for ($attempt = 1; ; $attempt++) {
    $retryAfter = 1;
    $ch = curl_init("$base/render?profile=print&disposition=attachment");
    curl_setopt_array($ch, [
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => $article,
        CURLOPT_HTTPHEADER => $headers,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_TIMEOUT => 30,
        CURLOPT_HEADERFUNCTION => function ($ch, $line) use (&$retryAfter) {
            if (stripos($line, 'Retry-After:') === 0) {
                $retryAfter = max(1, (int) trim(substr($line, 12)));
            }
            return strlen($line);
        },
    ]);
    $body = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    $error = curl_error($ch);
    curl_close($ch);
    if ($body === false) {
        fwrite(STDERR, "babrpdf: $error\n");
        exit(1);
    }
    if (($status === 429 || $status === 503) && $attempt < 3) {
        sleep($retryAfter);
        continue;
    }
    break;
}
if ($status !== 200) {
    $problem = json_decode($body, true);
    fwrite(STDERR, "babrpdf: HTTP $status: " . ($problem['error'] ?? $body) . "\n");
    exit(1);
}
file_put_contents($output, $body);
echo "$output: " . strlen($body) . " bytes\n";
