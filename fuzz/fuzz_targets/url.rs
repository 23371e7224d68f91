//! Image addresses and allow-list entries → URL and host checks, never a panic, never a
//! connection: `check_url` and `host_allowed` are pure, and `Assets::load` of an `http://`
//! address with an empty allow list refuses it before anything is looked up.
#![no_main]

use babrpdf::assets::{Assets, check_url, host_allowed};
use libfuzzer_sys::fuzz_target;

/// Hosts the checks may accept: ASCII, Unicode, an IPv4 and a bracketed IPv6 address.
fn allow() -> Vec<String> {
    ["example.com", "ёж.рф", "127.0.0.1", "[::1]"]
        .map(String::from)
        .to_vec()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let allow = allow();
    for candidate in [text.to_string(), format!("http://{text}")] {
        match check_url(&candidate, &allow) {
            Ok(target) => {
                // What passes is ASCII, names an allowed host, and is http(s).
                assert!(target.url.is_ascii(), "{target:?}");
                assert!(host_allowed(&target.host, &allow), "{target:?}");
                assert!(
                    target
                        .url
                        .starts_with(if target.https { "https://" } else { "http://" })
                );
            }
            Err(e) => assert!(!e.message.contains('\n') && !e.message.is_empty(), "{e:?}"),
        }
    }
    // The input as an allow-list entry, against a fixed address and as a host.
    let as_entry = [text.to_string()];
    let _ = check_url("http://example.com/a.jpg", &as_entry);
    let _ = host_allowed(&text, &allow);
    // Nothing is allowed, so nothing may be fetched: every remote address is refused.
    let assets = Assets::default();
    for candidate in [
        format!("http://{text}"),
        format!("https://{text}"),
        format!("//{text}"),
    ] {
        let e = assets.load(&candidate);
        assert!(e.is_err(), "{candidate:?} fetched with an empty allow list");
    }
});
