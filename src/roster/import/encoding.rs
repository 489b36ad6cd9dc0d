//! Text encodings spreadsheet exports arrive in, and how we tell them apart.

use serde::Serialize;
use std::borrow::Cow;
use std::io::Read;

/// A supported input encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// UTF-16 little-endian (Excel's "Unicode Text").
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16 big-endian.
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// Windows-1252 (Excel's "CSV (Comma delimited)" on Western Windows).
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl Encoding {
    /// Every encoding, for pickers.
    pub const ALL: [Encoding; 5] = [
        Encoding::Utf8,
        Encoding::Utf8Bom,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Windows1252,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// Parses a command-line name, accepting common spellings (`cp1252`, `latin1`, `utf16`).
    pub fn parse(s: &str) -> Option<Encoding> {
        let n: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match n.as_str() {
            "utf8" => Encoding::Utf8,
            "utf8bom" | "utf8sig" => Encoding::Utf8Bom,
            "utf16" | "utf16le" | "unicode" => Encoding::Utf16Le,
            "utf16be" => Encoding::Utf16Be,
            "windows1252" | "cp1252" | "latin1" | "iso88591" | "ansi" => Encoding::Windows1252,
            _ => return None,
        })
    }

    fn bom(self) -> &'static [u8] {
        match self {
            Encoding::Utf8Bom => b"\xEF\xBB\xBF",
            Encoding::Utf16Le => b"\xFF\xFE",
            Encoding::Utf16Be => b"\xFE\xFF",
            _ => b"",
        }
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
            Encoding::Windows1252 => "Windows-1252",
        })
    }
}

/// Guesses the encoding: a byte-order mark wins; then UTF-16 by its zero bytes; then UTF-8 if
/// the bytes are valid UTF-8, else Windows-1252 (the only legacy encoding Excel writes for
/// Western locales).
pub(crate) fn detect(bytes: &[u8]) -> Encoding {
    for enc in [Encoding::Utf8Bom, Encoding::Utf16Le, Encoding::Utf16Be] {
        if bytes.starts_with(enc.bom()) {
            return enc;
        }
    }
    if let Some(enc) = bomless_utf16(bytes) {
        return enc;
    }
    if std::str::from_utf8(bytes).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::Windows1252
    }
}

/// ASCII text in UTF-16 has a zero in every other byte.
fn bomless_utf16(bytes: &[u8]) -> Option<Encoding> {
    let sample = &bytes[..bytes.len().min(512) & !1];
    if sample.len() < 8 {
        return None;
    }
    let zeros_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = sample.len() / 2;
    if zeros_at(1) * 10 >= half * 9 && zeros_at(0) == 0 {
        Some(Encoding::Utf16Le)
    } else if zeros_at(0) * 10 >= half * 9 && zeros_at(1) == 0 {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// Decodes `bytes` as `enc`, dropping its byte-order mark. UTF-8 input is borrowed; invalid
/// sequences in a forced encoding become U+FFFD rather than an error.
pub(crate) fn decode(bytes: &[u8], enc: Encoding) -> Cow<'_, str> {
    let body = bytes.strip_prefix(enc.bom()).unwrap_or(bytes);
    let codec = match enc {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            // A BOM on a file we were told is plain UTF-8 is still not data.
            let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
            return String::from_utf8_lossy(body);
        }
        Encoding::Utf16Le => encoding_rs::UTF_16LE,
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
    };
    codec.decode_without_bom_handling(body).0
}

/// [`decode`] as a stream: reads `input` (from its first byte, BOM included) and yields UTF-8,
/// so a whole file in a legacy encoding never has to be in memory. Bad input is replaced, as
/// [`decode`] replaces it. (encoding_rs_io cut a final replacement character in our tests, so
/// this drives encoding_rs's own incremental decoder.)
pub(crate) fn decode_reader<R: Read>(input: R, enc: Encoding) -> DecodeReader<R> {
    let codec = match enc {
        Encoding::Utf8 | Encoding::Utf8Bom => encoding_rs::UTF_8,
        Encoding::Utf16Le => encoding_rs::UTF_16LE,
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
    };
    DecodeReader {
        input,
        // Removes only this encoding's own BOM, like `decode`.
        decoder: codec.new_decoder_with_bom_removal(),
        raw: vec![0; 1 << 16],
        raw_at: 0,
        raw_len: 0,
        eof: false,
        out: vec![0; 1 << 16],
        out_at: 0,
        out_len: 0,
        done: false,
    }
}

/// See [`decode_reader`].
pub(crate) struct DecodeReader<R> {
    input: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    raw_at: usize,
    raw_len: usize,
    eof: bool,
    out: Vec<u8>,
    out_at: usize,
    out_len: usize,
    done: bool,
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_at < self.out_len {
                let n = buf.len().min(self.out_len - self.out_at);
                buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
                self.out_at += n;
                return Ok(n);
            }
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            if self.raw_at == self.raw_len && !self.eof {
                self.raw_len = self.input.read(&mut self.raw)?;
                self.raw_at = 0;
                self.eof = self.raw_len == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.raw[self.raw_at..self.raw_len],
                &mut self.out,
                self.eof,
            );
            self.raw_at += read;
            (self.out_at, self.out_len) = (0, written);
            self.done = self.eof && result == encoding_rs::CoderResult::InputEmpty;
        }
    }
}

/// Like [`decode`], but reuses the buffer of valid UTF-8 input instead of copying it.
pub(crate) fn decode_owned(mut bytes: Vec<u8>, enc: Encoding) -> String {
    if matches!(enc, Encoding::Utf8 | Encoding::Utf8Bom) {
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        return match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
    }
    decode(&bytes, enc).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_shape() {
        assert_eq!(detect(b"a,b\r\n"), Encoding::Utf8);
        assert_eq!(detect(b"\xEF\xBB\xBFa,b"), Encoding::Utf8Bom);
        assert_eq!(detect(b"\xFF\xFEa\0,\0b\0"), Encoding::Utf16Le);
        assert_eq!(detect(b"\xFE\xFF\0a\0,\0b"), Encoding::Utf16Be);
        assert_eq!(detect(b"Ren\xE9e,M\xFCller"), Encoding::Windows1252);
        assert_eq!(
            detect(
                "a\tb\tc\td\r\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<_>>()
                    .as_slice()
            ),
            Encoding::Utf16Le
        );
    }

    #[test]
    fn decodes_legacy_and_utf16() {
        assert_eq!(decode(b"Ren\xE9e \x80", Encoding::Windows1252), "Renée €");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Zoë".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16, Encoding::Utf16Le), "Zoë");
        assert_eq!(decode(b"\xEF\xBB\xBFx", Encoding::Utf8Bom), "x");
    }

    #[test]
    fn parses_cli_names() {
        assert_eq!(Encoding::parse("CP1252"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("utf-16"), Some(Encoding::Utf16Le));
        assert_eq!(Encoding::parse("klingon"), None);
    }

    proptest::proptest! {
        /// Streamed decoding is exactly whole-buffer decoding, whatever the bytes.
        #[test]
        fn streamed_decoding_equals_decode(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            bom in proptest::bool::ANY,
            e in 0usize..5,
        ) {
            let enc = Encoding::ALL[e];
            let bytes = if bom { [enc.bom(), &body].concat() } else { body };
            // A source that gives a few bytes at a time, to split characters across reads.
            struct Trickle<'a>(&'a [u8], usize);
            impl Read for Trickle<'_> {
                fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                    let n = self.0.len().min(buf.len()).min(self.1 % 5 + 1);
                    buf[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    self.1 += 1;
                    Ok(n)
                }
            }
            let mut streamed = Vec::new();
            decode_reader(Trickle(&bytes, 0), enc).read_to_end(&mut streamed).unwrap();
            proptest::prop_assert_eq!(
                String::from_utf8(streamed).unwrap(),
                decode(&bytes, enc).into_owned(),
                "{:?}", enc
            );
        }
    }
}
