//! Contacts as typed on any form (a person's, a service's, an organisation's, the desk's own):
//! one rule each, so every form accepts and refuses the same text.

/// A website as typed: "www.comune.it" is completed to "https://www.comune.it", as a browser
/// would; only what cannot be an address (spaces, no dot, another scheme) is refused.
pub fn website(typed: &str) -> Result<String, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let lower = t.to_ascii_lowercase();
    let url = if lower.starts_with("https://") || lower.starts_with("http://") {
        t.to_string()
    } else if t.contains("://") || lower.starts_with("javascript:") || lower.starts_with("data:") {
        return Err("L'indirizzo del sito inizia con https://".into());
    } else {
        format!("https://{t}")
    };
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    if host.contains('.') && !url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(url)
    } else {
        Err("Indirizzo del sito non valido (es. www.comune.esempio.it).".into())
    }
}

/// An e-mail address as a desk can check it without sending: something before the @, a dotted
/// domain after it, no spaces.
pub fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_website_without_the_scheme_is_completed() {
        assert_eq!(
            website("www.comune.triggiano.ba.it").as_deref(),
            Ok("https://www.comune.triggiano.ba.it")
        );
        assert_eq!(
            website(" https://caritas.it/sportello ").as_deref(),
            Ok("https://caritas.it/sportello")
        );
        assert_eq!(
            website("http://old.example.it").as_deref(),
            Ok("http://old.example.it")
        );
        assert_eq!(website(""), Ok(String::new()));
        for bad in [
            "javascript:alert(1)",
            "ftp://x.it",
            "comune",
            "www.comune .it",
            "data:text/html,x",
        ] {
            assert!(website(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_email_needs_a_name_and_a_dotted_domain() {
        for good in ["a@b.it", "ufficio.servizi@comune.triggiano.ba.it"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in ["", "a@b", "@b.it", "a@.it", "a@b.", "a b@c.it", "ab.it"] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
