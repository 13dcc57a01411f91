//! Text folding for search and comparison: lower case, no accents, single spaces.

use unicode_normalization::UnicodeNormalization;

/// Lower case without diacritics: "Ștefan Łukasz D'Angelò" → "stefan lukasz d'angelo".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ı' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The words of a name or query, folded: letters and digits only, apostrophes split words.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Levenshtein distance, capped: returns `max + 1` as soon as it is exceeded.
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut before_prev: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            // Transposition of two adjacent letters counts as one typo.
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                cur[j + 1] = cur[j + 1].min(before_prev[j - 1] + 1);
            }
        }
        if cur.iter().min().copied().unwrap_or(0) > max {
            return max + 1;
        }
        before_prev = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()].min(max + 1)
}

/// "non trovato" or "non trovata", agreeing with the noun it follows ("Persona non trovata").
pub fn not_found(noun: &str) -> String {
    let last = noun
        .split_whitespace()
        .next()
        .unwrap_or(noun)
        .to_lowercase();
    let feminine = last.ends_with('a') || last.ends_with("ione");
    format!(
        "{noun} {}",
        if feminine {
            "non trovata"
        } else {
            "non trovato"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_agrees_with_its_noun() {
        assert_eq!(not_found("Persona"), "Persona non trovata");
        assert_eq!(
            not_found("Proposta di scarto"),
            "Proposta di scarto non trovata"
        );
        assert_eq!(not_found("Unione"), "Unione non trovata");
        assert_eq!(not_found("Servizio scelto"), "Servizio scelto non trovato");
    }

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(
            fold("Ștefan Łukasz D'Angelò NIÑO"),
            "stefan lukasz d'angelo nino"
        );
        assert_eq!(
            words("  D'Angelò,  Maria-Grazia "),
            vec!["d", "angelo", "maria", "grazia"]
        );
    }

    #[test]
    fn distance_counts_one_typo() {
        assert_eq!(edit_distance("rossi", "rossi", 1), 0);
        assert_eq!(edit_distance("rossi", "rosi", 1), 1);
        assert_eq!(edit_distance("rossi", "rosso", 1), 1);
        assert_eq!(edit_distance("rossi", "rsosi", 1), 1);
        assert_eq!(edit_distance("rossi", "russo", 1), 2);
        assert_eq!(edit_distance("rossi", "bianchi", 1), 2);
    }
}

/// A cell for a spreadsheet: a leading = + - @ is neutralised with an apostrophe, so that
/// spreadsheets never run text that came from a form or a bundle as a formula.
pub fn spreadsheet_safe(s: &str) -> String {
    // A negative number (−55,0 as -55,0) is a number, not a formula.
    let number = s
        .strip_prefix('-')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == ','));
    if s.starts_with(['=', '+', '-', '@']) && !number {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// "1 voce", "2 voci": a number with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A whole number with the Italian thousands separator (1.234.567).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod thousands_tests {
    #[test]
    fn groups_by_three() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1.000");
        assert_eq!(super::thousands(1234567), "1.234.567");
    }
}

/// A share in percent with one decimal, Italian style, a no-break space before the sign (so
/// that it never wraps alone): "12,5 %"; "–" of nothing.
pub fn percent(n: u64, total: u64) -> String {
    if total == 0 {
        return "–".into();
    }
    format!("{:.1}\u{a0}%", n as f64 * 100.0 / total as f64).replace('.', ",")
}

/// A change in percent with its sign: "+20,0 %", "−3,5 %"; "–" when there was nothing before.
pub fn signed_percent(g: Option<f64>) -> String {
    match g {
        None => "–".into(),
        Some(g) if g >= 0.05 => format!("+{g:.1}\u{a0}%").replace('.', ","),
        Some(g) if g <= -0.05 => format!("−{:.1}\u{a0}%", -g).replace('.', ","),
        Some(_) => "0,0\u{a0}%".into(),
    }
}

/// A percentage already computed, Italian style: "48,3 %"; "–" when there is none.
pub fn share(s: Option<f64>) -> String {
    s.map_or_else(
        || "–".into(),
        |s| format!("{s:.1}\u{a0}%").replace('.', ","),
    )
}

/// The text with its first letter upper case ("anno 2026" → "Anno 2026").
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A number with one decimal, Italian style: "12,4", "1.970,0"; "–" when there is none.
pub fn one_decimal(v: Option<f64>) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return "–".into();
    };
    let tenths = (v.abs() * 10.0).round() as u64;
    let sign = if v < 0.0 && tenths > 0 { "-" } else { "" };
    format!("{sign}{},{}", thousands(tenths / 10), tenths % 10)
}

#[cfg(test)]
mod decimal_tests {
    #[test]
    fn one_decimal_groups_thousands() {
        assert_eq!(super::one_decimal(Some(197_000.0)), "197.000,0");
        assert_eq!(super::one_decimal(Some(0.037)), "0,0");
        assert_eq!(super::one_decimal(Some(12.44)), "12,4");
        assert_eq!(super::one_decimal(None), "–");
        assert_eq!(super::spreadsheet_safe("-55,0"), "-55,0");
        assert_eq!(super::spreadsheet_safe("-cmd"), "'-cmd");
        assert_eq!(super::spreadsheet_safe("=1+1"), "'=1+1");
    }
}
