//! Comparison keys for headers and labels: lower case, letters and digits only, Latin
//! diacritics dropped, CJK kept. Headers (crates/load/src/load/synonyms.rs) and outcome labels
//! (pipeline.rs) are compared through the same key.

/// Header text -> comparison key: `Deal - Title` -> `dealtitle`, `Probability (%)` ->
/// `probability`, `Fecha de creación` -> `fechadecreacion` (diacritics dropped, CJK kept).
pub fn key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(fold)
        .collect()
}

/// A Latin letter without its diacritic (`é` -> `e`, `ß` stays); other characters as they are.
pub(crate) fn fold(c: char) -> char {
    const FROM: &str = "àáâãäåāăąçćčďèéêëēėęěìíîïīįñńňòóôõöøōőùúûüūůűųýÿźżžšśřŕľĺłţťģķņ";
    const TO: &str = "aaaaaaaaaccccdeeeeeeeeiiiiiinnnoooooooouuuuuuuuyyzzzssrrlllttgkn";
    if c.is_ascii() {
        return c;
    }
    match FROM.chars().position(|f| f == c) {
        Some(i) => TO.chars().nth(i).unwrap_or(c),
        None => c,
    }
}
