//! "Are you this Ringside?" before the token leaves the client: `GET /v1/hello?nonce=<hex>`
//! is answered `{"app":"ringside","proof":"<hex>"}` where the proof is
//! HMAC-SHA256(token, "ringside-hello-v1:<port>:<nonce>"). Only a listener that knows the
//! token can answer, the client never sends it, and the port in the proof stops a program on
//! a stale port from relaying the nonce to a real Ringside on another port.
//!
//! `ringside call` proves the listener before posting its bearer token, and a starting
//! intake proves the recorded endpoint before it takes the endpoint file over.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::token::ApiToken;

/// The path of the challenge.
pub const HELLO_PATH: &str = "/v1/hello";
/// The `app` a Ringside answers with.
pub const APP: &str = "ringside";
/// Shortest and longest nonce accepted (hex characters).
pub const NONCE_HEX_MIN: usize = 16;
pub const NONCE_HEX_MAX: usize = 128;

/// HMAC-SHA256 per RFC 2104 (block size 64), over sha2 which is here already.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `nonce` is a challenge the server answers: hex, 16 to 128 characters.
pub fn valid_nonce(nonce: &str) -> bool {
    (NONCE_HEX_MIN..=NONCE_HEX_MAX).contains(&nonce.len())
        && nonce.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The proof for `nonce` from a listener on `port` (hex).
pub fn proof(token: &ApiToken, port: u16, nonce: &str) -> String {
    let message = format!("ringside-hello-v1:{port}:{nonce}");
    hex(&hmac_sha256(token.expose().as_bytes(), message.as_bytes()))
}

/// Compares a presented proof with the expected one in time independent of the contents.
pub fn proof_matches(token: &ApiToken, port: u16, nonce: &str, presented: &str) -> bool {
    let expected = proof(token, port, nonce);
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random nonce (32 hex characters).
pub fn new_nonce() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Who answers on a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Nothing accepts connections there.
    NotListening,
    /// Something listens but did not prove it knows the token (another program on a stale
    /// port, or a Ringside of another home); the reason says what it did, as a phrase that
    /// follows "the program there", e.g. "is not a Ringside".
    NotRingside(String),
    /// A Ringside with this token.
    Ringside,
}

/// Asks the listener on `127.0.0.1:port` to prove it knows `token`, without sending it.
pub async fn probe(port: u16, token: &ApiToken, timeout: Duration) -> Probe {
    let client = match reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            return Probe::NotRingside(format!("could not be asked (no HTTP client: {err})"));
        }
    };
    let nonce = new_nonce();
    let url = format!("http://127.0.0.1:{port}{HELLO_PATH}?nonce={nonce}");
    let response = match client.get(&url).send().await {
        Ok(response) => response,
        Err(err) if err.is_connect() => return Probe::NotListening,
        Err(err) if err.is_timeout() => {
            return Probe::NotRingside(format!(
                "did not answer within {} s",
                timeout.as_secs_f32()
            ));
        }
        Err(err) => return Probe::NotRingside(format!("did not answer over HTTP ({err})")),
    };
    let status = response.status();
    if !status.is_success() {
        return Probe::NotRingside(format!("answered {status} to the hello"));
    }
    let body: serde_json::Value = match response.json().await {
        Ok(body) => body,
        Err(_) => return Probe::NotRingside("answered the hello with something not JSON".into()),
    };
    if body.get("app").and_then(|v| v.as_str()) != Some(APP) {
        return Probe::NotRingside("is not a Ringside".into());
    }
    match body.get("proof").and_then(|v| v.as_str()) {
        Some(presented) if proof_matches(token, port, &nonce, presented) => Probe::Ringside,
        _ => Probe::NotRingside(
            "is a Ringside with another token (another RINGSIDE_HOME, or the token file changed)"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2 and test case 6 (a key longer than the block).
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn nonces_are_hex_of_bounded_length() {
        assert!(valid_nonce(&new_nonce()));
        assert!(!valid_nonce("abc"), "too short");
        assert!(!valid_nonce(&"a".repeat(129)), "too long");
        assert!(!valid_nonce("zzzzzzzzzzzzzzzzzzzz"), "not hex");
    }
}
