//! Salesforce-style record ids: 15-character case-sensitive ids and their
//! 18-character case-insensitive form (15 + a 3-character checksum suffix).
//!
//! The checksum follows Salesforce's published algorithm: each 5-character
//! chunk of the 15-character id gives one suffix character, whose 5 bits say
//! which of the chunk's characters are upper-case letters.

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 3-character checksum suffix of a 15-character id.
fn checksum(id15: &[u8]) -> String {
    id15.chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            SUFFIX_ALPHABET[bits] as char
        })
        .collect()
}

/// Builds the 18-character id for record number `n` of the object with `key_prefix`.
/// "Dm" stands where Salesforce puts the pod/instance characters.
pub fn make_id(key_prefix: &str, n: u64) -> String {
    let mut digits = [b'0'; 10];
    let mut rest = n;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(rest % 62) as usize];
        rest /= 62;
    }
    let mut id15 = String::with_capacity(18);
    id15.push_str(key_prefix);
    id15.push_str("Dm");
    id15.push_str(std::str::from_utf8(&digits).unwrap_or("0000000000"));
    let suffix = checksum(id15.as_bytes());
    id15 + &suffix
}

/// Turns a 15- or 18-character id as given by a client into the canonical 18-character
/// form, or `None` when it is not id-shaped. An 18-character id is matched on its first
/// 15 characters (the suffix only restores case information), so its suffix is recomputed.
pub fn canonical(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    match id.len() {
        15 | 18 => {
            let id15 = &id[..15];
            Some(format!("{id15}{}", checksum(id15.as_bytes())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_salesforce_checksum() {
        // "001A0": only index 3 upper → 8 → 'I'; "00001": none → 'A';
        // "BcDeF": indices 0, 2, 4 → 21 → 'V'.
        assert_eq!(
            canonical("001A000001BcDeF").as_deref(),
            Some("001A000001BcDeFIAV"),
            "checksum must follow Salesforce's upper-case bitmap rule"
        );
    }

    #[test]
    fn ids_are_18_chars_with_prefix_and_round_trip() {
        let id = make_id("003", 12345);
        assert_eq!(id.len(), 18, "ids are 18 characters");
        assert!(id.starts_with("003"), "key prefix first");
        assert_eq!(
            canonical(&id).as_deref(),
            Some(id.as_str()),
            "canonical form is stable"
        );
        assert_eq!(
            canonical(&id[..15]).as_deref(),
            Some(id.as_str()),
            "15-char form maps to 18"
        );
    }

    #[test]
    fn rejects_non_ids() {
        assert_eq!(canonical("abc"), None, "too short");
        assert_eq!(
            canonical("003' OR 1=1 --xx"),
            None,
            "injection-like text is not an id"
        );
        assert_eq!(canonical("😀😀😀😀"), None, "emoji is not an id");
    }
}
