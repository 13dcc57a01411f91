//! The details of an audit entry as the responsabile reads them: the entry keeps what was
//! written (the chain hashes it), the viewer names persons and roles instead of ids and codes.

use uuid::Uuid;

use super::instance::InstanceRole;
use super::role::Role;

/// `details` of an entry of `action` (its code) with each record id replaced by the person's
/// name when it is one (`name_of`), dropped otherwise (the subject column already says which
/// record), and, in entries about users and the setup, role and installation codes written as
/// their labels.
pub fn readable_details<'a>(
    action: &str,
    details: &str,
    name_of: impl Fn(Uuid) -> Option<&'a str>,
) -> String {
    let mut out = String::with_capacity(details.len());
    let mut rest = details;
    while let Some((at, id)) = next_uuid(rest) {
        out.push_str(&rest[..at]);
        if let Some(name) = name_of(id) {
            out.push_str(name);
        }
        rest = &rest[at + 36..];
    }
    out.push_str(rest);
    let mut text = if matches!(action, "setup" | "user.create" | "user.roles") {
        out.split(' ')
            .map(label_of_code)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        out
    };
    // What dropping an id may leave behind: doubled spaces, a space before punctuation.
    while text.contains("  ") {
        text = text.replace("  ", " ");
    }
    for p in [":", ",", ";", ")"] {
        text = text.replace(&format!(" {p}"), p);
    }
    text.trim().to_string()
}

/// A role or installation code (possibly followed by a comma or closed in brackets) as its label.
fn label_of_code(word: &str) -> String {
    let core = word.trim_matches(|c: char| matches!(c, ',' | '[' | ']' | ';'));
    let label = Role::from_code(core)
        .map(Role::label)
        .or_else(|| InstanceRole::from_code(core).map(InstanceRole::label));
    match label {
        Some(label) if !core.is_empty() => word.replacen(core, label, 1),
        _ => word.to_string(),
    }
}

/// The byte offset and value of the first UUID written in hyphenated form.
fn next_uuid(text: &str) -> Option<(usize, Uuid)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(35)).find_map(|i| {
        let window = text.get(i..i + 36)?;
        let shaped = window.bytes().enumerate().all(|(j, b)| match j {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
        let bounded = i == 0 || !bytes[i - 1].is_ascii_hexdigit();
        shaped
            .then(|| Uuid::parse_str(window).ok())
            .flatten()
            .filter(|_| bounded)
            .map(|id| (i, id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_names_or_go_and_codes_become_labels() {
        let mario = Uuid::parse_str("01a23bab-5413-7578-89be-82642ef35c5f").unwrap();
        let token = "0193a1b2-0000-7000-8000-000000000001";
        let names = |id: Uuid| (id == mario).then_some("Mario Rossi");
        let read = |action: &str, details: &str| readable_details(action, details, names);
        assert_eq!(
            read("access.print", &format!("persona {mario}")),
            "persona Mario Rossi"
        );
        assert_eq!(
            read("token.create", &format!("token {token} «integrazione»")),
            "token «integrazione»"
        );
        assert_eq!(
            read("person.merge", &format!("unita a {token}: 3 accessi")),
            "unita a: 3 accessi"
        );
        assert_eq!(
            read("user.create", "assistente_sociale, responsabile"),
            "Assistente sociale, Responsabile"
        );
        assert_eq!(
            read(
                "user.roles",
                "da [operatore] a [operatore, assistente_sociale]"
            ),
            "da [Operatore] a [Operatore, Assistente sociale]"
        );
        assert_eq!(
            read("setup", "desk – Triggiano (072046), Ambito BA05"),
            "Sportello comunale (Segretariato Sociale) – Triggiano (072046), Ambito BA05"
        );
        // Elsewhere a word that looks like a code is a word.
        assert_eq!(
            read("person.report", "chiesta dal responsabile"),
            "chiesta dal responsabile"
        );
        assert_eq!(read("person.view", ""), "");
    }
}
