//! Pull mode: the article JSON fetched from the site's CMS by id (`--article-url`), with the same
//! size and time caps as a request body. The CMS is the operator's own origin, so private
//! addresses are allowed here, unlike for images; its answers are kept for `--article-ttl`.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;

use super::respond::Problem;

/// Longest article id accepted: ids are numbers or slugs, and they go into the CMS's address.
const MAX_ID_CHARS: usize = 128;

/// Whether `id` may go into the CMS address as it is: letters, digits, `-`, `_`, `.`, not
/// starting with a dot (no `..`, no `/`, nothing to escape).
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The CMS address of article `id` from the template (`{id}` replaced).
pub(crate) fn article_url(template: &str, id: &str) -> String {
    template.replace("{id}", id)
}

/// Fetches the article JSON (blocking: run it off the async threads). No redirects are
/// followed (the CMS answers directly), no proxy is used, the body is capped at `max_bytes`
/// and the whole exchange at `deadline`.
pub(crate) fn fetch_article(
    url: &str,
    id: &str,
    max_bytes: usize,
    deadline: Instant,
) -> Result<Bytes, Problem> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(unreachable_cms(id, "no time left"));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(left.min(Duration::from_secs(60))))
        .user_agent("babrpdf")
        .accept("application/json")
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| unreachable_cms(id, &e.to_string()))?;
    match response.status().as_u16() {
        200 => response
            .body_mut()
            .with_config()
            .limit(max_bytes as u64)
            .read_to_vec()
            .map(Bytes::from)
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Problem::new(
                    StatusCode::BAD_GATEWAY,
                    format!("article {id}: the CMS sent more than {max_bytes} bytes"),
                ),
                e => unreachable_cms(id, &e.to_string()),
            }),
        404 | 410 => Err(Problem::new(
            StatusCode::NOT_FOUND,
            format!("article {id}: the CMS has no such article"),
        )),
        status => Err(unreachable_cms(
            id,
            &format!("the CMS answered HTTP {status}"),
        )),
    }
}

fn unreachable_cms(id: &str, why: &str) -> Problem {
    Problem::new(
        StatusCode::BAD_GATEWAY,
        format!("article {id}: the CMS could not be read: {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_leave_the_template_are_refused() {
        for good in [
            "261270",
            "2024-06-paром".trim_end_matches("paром"),
            "a.b_c-1",
        ] {
            assert!(valid_id(good), "{good}");
        }
        for bad in [
            "",
            "..",
            "../x",
            "a/b",
            "a?b=1",
            "a%2f",
            ".hidden",
            "ёж",
            &"1".repeat(129),
        ] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
