//! Decoding a chunked request body (RFC 9112 §7.1), incrementally.

/// Longest chunk-size line (size plus extensions) or trailer line accepted.
const MAX_LINE: usize = 4096;

/// Why a chunked body is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChunkError {
    /// The chunk size is not hex or overflows.
    BadSize,
    /// A line does not end in CRLF, or chunk data is not followed by CRLF.
    BadLineEnding,
    /// A size line or trailer line is longer than 4096 bytes.
    LineTooLong,
    /// The decoded body would pass the body limit.
    TooLarge,
}

impl ChunkError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            ChunkError::BadSize => "invalid chunk size",
            ChunkError::BadLineEnding => "chunk framing without CRLF",
            ChunkError::LineTooLong => "chunk size or trailer line too long",
            ChunkError::TooLarge => "body too large",
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum State {
    /// Reading hex digits of the size.
    Size {
        digits: usize,
    },
    /// In chunk extensions, up to CR.
    Ext,
    /// Expecting LF after the size line's CR.
    SizeLf,
    /// Reading `remaining` bytes of data.
    Data {
        remaining: u64,
    },
    /// Expecting CR then LF after data.
    DataCr,
    DataLf,
    /// At the start of a trailer line (or the final empty line).
    TrailerStart,
    /// Inside a trailer line.
    Trailer,
    /// Expecting LF to end a trailer line (`last` = it was the empty line).
    TrailerLf {
        last: bool,
    },
    Done,
}

/// Decodes a chunked body as its bytes arrive, across reads.
#[derive(Debug)]
pub(crate) struct ChunkedDecoder {
    state: State,
    size: u64,
    line: usize,
}

impl ChunkedDecoder {
    pub(crate) fn new() -> ChunkedDecoder {
        ChunkedDecoder {
            state: State::Size { digits: 0 },
            size: 0,
            line: 0,
        }
    }

    /// Decodes what it can of `input` into `body`. Returns the bytes
    /// consumed and whether the body (with its trailers) is complete.
    pub(crate) fn decode(
        &mut self,
        input: &[u8],
        body: &mut Vec<u8>,
        max_body: usize,
    ) -> Result<(usize, bool), ChunkError> {
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            match self.state {
                State::Size { digits } => {
                    let d = match b {
                        b'0'..=b'9' => b - b'0',
                        b'a'..=b'f' => b - b'a' + 10,
                        b'A'..=b'F' => b - b'A' + 10,
                        b';' | b' ' | b'\t' if digits > 0 => {
                            self.state = State::Ext;
                            self.line = 0;
                            i += 1;
                            continue;
                        }
                        b'\r' if digits > 0 => {
                            self.state = State::SizeLf;
                            i += 1;
                            continue;
                        }
                        b'\n' => return Err(ChunkError::BadLineEnding),
                        _ => return Err(ChunkError::BadSize),
                    };
                    if digits >= 15 {
                        return Err(ChunkError::BadSize);
                    }
                    self.size = self.size * 16 + u64::from(d);
                    self.state = State::Size { digits: digits + 1 };
                    i += 1;
                }
                State::Ext => {
                    match b {
                        b'\r' => self.state = State::SizeLf,
                        b'\n' => return Err(ChunkError::BadLineEnding),
                        _ => {
                            self.line += 1;
                            if self.line > MAX_LINE {
                                return Err(ChunkError::LineTooLong);
                            }
                        }
                    }
                    i += 1;
                }
                State::SizeLf => {
                    if b != b'\n' {
                        return Err(ChunkError::BadLineEnding);
                    }
                    i += 1;
                    if self.size == 0 {
                        self.state = State::TrailerStart;
                    } else {
                        if body.len() as u64 + self.size > max_body as u64 {
                            return Err(ChunkError::TooLarge);
                        }
                        self.state = State::Data {
                            remaining: self.size,
                        };
                    }
                }
                State::Data { remaining } => {
                    let n = remaining.min((input.len() - i) as u64) as usize;
                    body.extend_from_slice(&input[i..i + n]);
                    i += n;
                    let left = remaining - n as u64;
                    self.state = if left == 0 {
                        State::DataCr
                    } else {
                        State::Data { remaining: left }
                    };
                }
                State::DataCr | State::DataLf => {
                    let (want, next) = match self.state {
                        State::DataCr => (b'\r', State::DataLf),
                        _ => (b'\n', State::Size { digits: 0 }),
                    };
                    if b != want {
                        return Err(ChunkError::BadLineEnding);
                    }
                    self.size = 0;
                    self.state = next;
                    i += 1;
                }
                State::TrailerStart => {
                    self.line = 0;
                    self.state = match b {
                        b'\r' => State::TrailerLf { last: true },
                        b'\n' => return Err(ChunkError::BadLineEnding),
                        _ => State::Trailer,
                    };
                    i += 1;
                }
                State::Trailer => {
                    match b {
                        b'\r' => self.state = State::TrailerLf { last: false },
                        b'\n' => return Err(ChunkError::BadLineEnding),
                        _ => {
                            self.line += 1;
                            if self.line > MAX_LINE {
                                return Err(ChunkError::LineTooLong);
                            }
                        }
                    }
                    i += 1;
                }
                State::TrailerLf { last } => {
                    if b != b'\n' {
                        return Err(ChunkError::BadLineEnding);
                    }
                    i += 1;
                    if last {
                        self.state = State::Done;
                        return Ok((i, true));
                    }
                    self.state = State::TrailerStart;
                }
                State::Done => return Ok((i, true)),
            }
        }
        Ok((i, matches!(self.state, State::Done)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(input: &[u8], step: usize) -> Result<(Vec<u8>, usize), ChunkError> {
        let mut d = ChunkedDecoder::new();
        let mut body = Vec::new();
        let mut pos = 0;
        while pos < input.len() {
            let end = (pos + step).min(input.len());
            let (n, done) = d.decode(&input[pos..end], &mut body, 1 << 20)?;
            pos += n;
            if done {
                return Ok((body, pos));
            }
        }
        Err(ChunkError::BadLineEnding)
    }

    #[test]
    fn decodes_in_any_split() {
        let input =
            b"4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\nNEXT";
        for step in 1..input.len() {
            let (body, used) = decode_all(input, step).unwrap();
            assert_eq!(body, b"Wikipedia in\r\n\r\nchunks.");
            assert_eq!(&input[used..], b"NEXT");
        }
    }

    #[test]
    fn rejects_malformed() {
        let cases: [(&[u8], ChunkError); 6] = [
            (b"x\r\n", ChunkError::BadSize),
            (b"\r\n", ChunkError::BadSize),
            (b"4\nWiki\r\n0\r\n\r\n", ChunkError::BadLineEnding),
            (b"4\r\nWikiXX", ChunkError::BadLineEnding),
            (b"1000000000000000\r\n", ChunkError::BadSize),
            (b"0\r\n\n", ChunkError::BadLineEnding),
        ];
        for (input, err) in cases {
            assert_eq!(
                decode_all(input, 64).unwrap_err(),
                err,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        let mut d = ChunkedDecoder::new();
        assert_eq!(
            d.decode(b"10\r\n", &mut Vec::new(), 15).unwrap_err(),
            ChunkError::TooLarge
        );
    }
}
