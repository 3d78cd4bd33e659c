//! Netstrings (`<length>:<payload>,`), the framing of baresip's `ctrl_tcp`.
//! An incremental decoder: bytes arrive in arbitrary pieces from TCP; whole
//! frames come out. A frame longer than the limit, a length that is not a
//! number, or a missing `,` is an error: after one, the stream cannot be
//! trusted to be in step again, so the caller drops the connection.
//! See <https://cr.yp.to/proto/netstrings.txt>.

use thiserror::Error;

/// Largest payload accepted: baresip's events are a few hundred bytes.
pub const MAX_FRAME: usize = 64 * 1024;

/// Why the byte stream is not netstrings.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NetstringError {
    #[error("a netstring length must be decimal digits before `:`, found byte 0x{0:02x}")]
    BadLength(u8),
    #[error("a netstring announces {len} bytes; at most {max} are accepted")]
    TooLong { len: usize, max: usize },
    #[error("a netstring of {len} bytes is not followed by `,` (found byte 0x{found:02x})")]
    MissingComma { len: usize, found: u8 },
    #[error("the stream ended inside a netstring ({have} of {need} bytes received)")]
    Truncated { have: usize, need: usize },
}

/// Turns a byte stream into netstring payloads.
#[derive(Debug)]
pub struct NetstringDecoder {
    buffer: Vec<u8>,
    max: usize,
}

impl Default for NetstringDecoder {
    fn default() -> Self {
        NetstringDecoder::new(MAX_FRAME)
    }
}

impl NetstringDecoder {
    pub fn new(max: usize) -> Self {
        NetstringDecoder {
            buffer: Vec::new(),
            max,
        }
    }

    /// Adds bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole payload, `Ok(None)` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, NetstringError> {
        // More digits than any usize has cannot be a length worth waiting for.
        const MAX_DIGITS: usize = 20;
        let mut len: usize = 0;
        let mut colon = None;
        for (i, &byte) in self.buffer.iter().enumerate() {
            match byte {
                b'0'..=b'9' if i < MAX_DIGITS => {
                    len = len
                        .saturating_mul(10)
                        .saturating_add(usize::from(byte - b'0'));
                }
                b'0'..=b'9' => {
                    return Err(NetstringError::TooLong { len, max: self.max });
                }
                b':' if i > 0 => {
                    colon = Some(i);
                    break;
                }
                other => return Err(NetstringError::BadLength(other)),
            }
        }
        if len > self.max {
            // Refused on the announced length alone, before buffering the payload.
            return Err(NetstringError::TooLong { len, max: self.max });
        }
        let Some(colon) = colon else {
            return Ok(None);
        };
        let start = colon + 1;
        let end = start + len;
        if self.buffer.len() <= end {
            return Ok(None);
        }
        if self.buffer[end] != b',' {
            return Err(NetstringError::MissingComma {
                len,
                found: self.buffer[end],
            });
        }
        let payload = self.buffer[start..end].to_vec();
        self.buffer.drain(..=end);
        Ok(Some(payload))
    }

    /// At end of stream: an error if a frame was cut off.
    pub fn finish(&self) -> Result<(), NetstringError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let colon = self.buffer.iter().position(|b| *b == b':');
        let need = colon
            .and_then(|c| {
                std::str::from_utf8(&self.buffer[..c])
                    .ok()?
                    .parse::<usize>()
                    .ok()
            })
            .map_or(0, |len| len + 1);
        let have = colon.map_or(0, |c| self.buffer.len() - c - 1);
        Err(NetstringError::Truncated { have, need })
    }
}

/// Frames one payload.
pub fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = format!("{}:", payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out.push(b',');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_anywhere_come_out_whole() {
        let mut wire = encode(br#"{"event":true}"#);
        wire.extend(encode(b""));
        wire.extend(encode(b"x"));
        for split in 0..wire.len() {
            let mut decoder = NetstringDecoder::default();
            let mut frames = Vec::new();
            for piece in [&wire[..split], &wire[split..]] {
                decoder.push(piece);
                while let Some(frame) = decoder.next_frame().expect("valid stream") {
                    frames.push(frame);
                }
            }
            assert_eq!(
                frames,
                [br#"{"event":true}"#.to_vec(), b"".to_vec(), b"x".to_vec()],
                "split at {split}"
            );
            decoder.finish().expect("nothing left over");
        }
    }

    #[test]
    fn broken_streams_are_errors_not_panics() {
        type Expect = fn(&NetstringError) -> bool;
        let cases: [(&[u8], Expect); 5] = [
            (b"abc:xyz,", |e| {
                matches!(e, NetstringError::BadLength(b'a'))
            }),
            (b":x,", |e| matches!(e, NetstringError::BadLength(b':'))),
            (b"3:abcX", |e| {
                matches!(
                    e,
                    NetstringError::MissingComma {
                        len: 3,
                        found: b'X'
                    }
                )
            }),
            (b"70000:", |e| {
                matches!(e, NetstringError::TooLong { len: 70000, .. })
            }),
            (b"99999999999999999999999:", |e| {
                matches!(e, NetstringError::TooLong { .. })
            }),
        ];
        for (wire, expected) in cases {
            let mut decoder = NetstringDecoder::default();
            decoder.push(wire);
            let err = decoder.next_frame().expect_err("broken stream");
            assert!(
                expected(&err),
                "{:?} gives {err:?}",
                String::from_utf8_lossy(wire)
            );
        }
    }

    #[test]
    fn a_megabyte_announcement_is_refused_before_it_is_buffered() {
        let mut decoder = NetstringDecoder::default();
        decoder.push(b"1048576:");
        assert_eq!(
            decoder.next_frame(),
            Err(NetstringError::TooLong {
                len: 1_048_576,
                max: MAX_FRAME
            }),
            "refused on the length alone"
        );
    }

    #[test]
    fn truncation_at_end_of_stream_is_reported() {
        let mut decoder = NetstringDecoder::default();
        decoder.push(b"10:abc");
        assert_eq!(decoder.next_frame(), Ok(None), "waits for more");
        assert_eq!(
            decoder.finish(),
            Err(NetstringError::Truncated { have: 3, need: 11 }),
            "the cut-off frame is named"
        );
    }
}
