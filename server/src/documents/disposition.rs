//! `Content-Disposition` for document downloads (RFC 6266 with RFC 5987/8187 `filename*`):
//! an ASCII `filename` for old clients and the exact UTF-8 name, percent-encoded, for the rest.

use std::fmt::Write;

/// At most this many characters of a name are sent (its extension kept).
pub const MAX_CHARS: usize = 150;
/// The name sent for a document whose name is empty once cleaned.
const FALLBACK: &str = "dokument";

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>`.
/// The result is always visible ASCII, so it is a valid header value whatever the name.
pub fn attachment(file_name: &str) -> String {
    let name = clean(file_name);
    let mut header = String::with_capacity(name.len() * 3 + 48);
    header.push_str("attachment; filename=\"");
    header.push_str(&ascii_fallback(&name));
    header.push_str("\"; filename*=UTF-8''");
    for byte in name.bytes() {
        if is_attr_char(byte) {
            header.push(byte as char);
        } else {
            write!(header, "%{byte:02X}").expect("writing to a String");
        }
    }
    header
}

/// Without control characters (also bidirectional overrides) and path separators, and at most
/// [`MAX_CHARS`] characters, keeping a short extension.
fn clean(file_name: &str) -> String {
    let cleaned: String = file_name
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .map(|c| if c == '/' || c == '\\' { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return FALLBACK.to_owned();
    }
    if cleaned.chars().count() <= MAX_CHARS {
        return cleaned.to_owned();
    }
    match cleaned.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=10).contains(&ext.chars().count())
                && ext.chars().all(char::is_alphanumeric) =>
        {
            let keep = MAX_CHARS - ext.chars().count() - 1;
            let stem: String = stem.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        _ => cleaned.chars().take(MAX_CHARS).collect(),
    }
}

/// Swedish (and other common Latin) letters without their marks; anything else outside
/// printable ASCII, and the quote and backslash, become `_`.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => 'a',
            'Å' | 'Ä' | 'Á' | 'À' | 'Â' | 'Ã' => 'A',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
            'Ö' | 'Ø' | 'Ó' | 'Ò' | 'Ô' | 'Õ' => 'O',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'Ü' | 'Ú' | 'Ù' | 'Û' => 'U',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'ñ' => 'n',
            'Ñ' => 'N',
            'ç' => 'c',
            'Ç' => 'C',
            '"' | '\\' => '_',
            ' '..='~' => c,
            _ => '_',
        })
        .collect()
}

/// RFC 5987 `attr-char`: sent as is in `filename*`; every other byte is percent-encoded.
fn is_attr_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        )
}

/// Characters that reorder text on screen (`intyg\u{202E}fdp.exe` shows as `intygexe.pdf`).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_are_sent_twice_unchanged() {
        assert_eq!(
            attachment("kvitto-2025-00001.pdf"),
            "attachment; filename=\"kvitto-2025-00001.pdf\"; filename*=UTF-8''kvitto-2025-00001.pdf"
        );
    }

    #[test]
    fn swedish_letters_are_percent_encoded_with_an_ascii_fallback() {
        assert_eq!(
            attachment("Läkarintyg för Åsa Öberg.pdf"),
            "attachment; filename=\"Lakarintyg for Asa Oberg.pdf\"; \
             filename*=UTF-8''L%C3%A4karintyg%20f%C3%B6r%20%C3%85sa%20%C3%96berg.pdf"
        );
        assert_eq!(
            attachment("räkning.pdf"),
            "attachment; filename=\"rakning.pdf\"; filename*=UTF-8''r%C3%A4kning.pdf"
        );
    }

    #[test]
    fn quotes_backslashes_and_separators_cannot_break_out() {
        let header = attachment("a\"; filename=evil.html; x=\"\\..\\b.pdf");
        assert_eq!(
            header,
            "attachment; filename=\"a_; filename=evil.html; x=__.._b.pdf\"; \
             filename*=UTF-8''a%22%3B%20filename%3Devil.html%3B%20x%3D%22_.._b.pdf"
        );
        // One quoted string only: the fallback holds no quote of its own.
        let fallback = header
            .strip_prefix("attachment; filename=\"")
            .and_then(|rest| rest.split_once('"'))
            .map(|(fallback, _)| fallback)
            .unwrap();
        assert!(!fallback.contains(['"', '\\']));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(
            attachment("in\r\ntyg\u{7}\u{0}.pdf"),
            "attachment; filename=\"intyg.pdf\"; filename*=UTF-8''intyg.pdf"
        );
        assert_eq!(
            attachment("intyg\u{202E}fdp.exe"),
            "attachment; filename=\"intygfdp.exe\"; filename*=UTF-8''intygfdp.exe"
        );
        assert_eq!(
            attachment("\r\n\t"),
            "attachment; filename=\"dokument\"; filename*=UTF-8''dokument"
        );
    }

    #[test]
    fn the_header_is_always_visible_ascii() {
        for name in ["日本語.pdf", "emoji 🎉.png", "tab\there", "ÅÄÖ åäö"] {
            let header = attachment(name);
            assert!(
                header.bytes().all(|b| (b' '..=b'~').contains(&b)),
                "{header}"
            );
            assert!(axum::http::HeaderValue::from_str(&header).is_ok());
        }
        assert_eq!(
            attachment("日本語.pdf"),
            "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf"
        );
    }

    #[test]
    fn very_long_names_are_truncated_keeping_the_extension() {
        let long = format!("{}.pdf", "å".repeat(400));
        let name = clean(&long);
        assert_eq!(name.chars().count(), MAX_CHARS);
        assert!(name.ends_with("å.pdf"), "{name}");
        let header = attachment(&long);
        assert!(header.ends_with("%C3%A5.pdf"), "{header}");

        let no_extension = "x".repeat(400);
        assert_eq!(clean(&no_extension), "x".repeat(MAX_CHARS));
        // A name of exactly the limit is kept whole.
        let exact = format!("{}.png", "b".repeat(MAX_CHARS - 4));
        assert_eq!(clean(&exact), exact);
    }
}
