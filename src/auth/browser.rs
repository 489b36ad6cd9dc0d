//! Opening the browser (detached, honouring `$BROWSER` through xdg-open) and copying a URL
//! to the clipboard with OSC 52, which works over SSH too.

use base64::Engine;

/// Starts the user's browser on `url` without waiting for it. An error is only advisory:
/// the URL is always shown as well.
pub(crate) fn open(url: &str) -> Result<(), String> {
    open::that_detached(url)
        .map_err(|e| format!("could not start a browser ({e}); open the URL shown by hand"))
}

/// The OSC 52 escape sequence that puts `text` on the terminal's clipboard.
pub(crate) fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{b64}\x07")
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_encodes_the_text() {
        assert_eq!(super::osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
