//! Form fields in Bootstrap Italia style, with the Italian error message next to the field.

use maud::{html, Markup};

use crate::domain::Invalid;

/// A labelled input. `kind` is the input type (text, password, ...).
pub fn input(
    kind: &str,
    name: &str,
    label: &str,
    value: &str,
    invalid: &Invalid,
    help: Option<&str>,
    autocomplete: &str,
) -> Markup {
    let error = invalid.message(name);
    let id = format!("f-{name}");
    let described = match (error.is_some(), help.is_some()) {
        (true, _) => Some(format!("{id}-error")),
        (false, true) => Some(format!("{id}-help")),
        _ => None,
    };
    html! {
        div class="form-group" {
            // Without JavaScript the label must stay lifted above the input.
            label class="active" for=(id) { (label) }
            input type=(kind) class=(if error.is_some() { "form-control is-invalid" } else { "form-control" })
                id=(id) name=(name) value=(value) autocomplete=(autocomplete)
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[described];
            @if let Some(msg) = error {
                div class="invalid-feedback d-block" id={(id) "-error"} role="alert" { (msg) }
            } @else if let Some(help) = help {
                small class="form-text" id={(id) "-help"} { (help) }
            }
        }
    }
}

/// A general message about the form (not tied to one field).
pub fn alert(kind: &str, message: &str) -> Markup {
    html! {
        div class={"alert alert-" (kind)} role="alert" { (message) }
    }
}

/// Summary shown above a form that came back with errors: each problem links to the message
/// next to its field, and the summary takes the focus (`autofocus` works without scripts), so the
/// browser scrolls to it however far down the form is.
pub fn error_summary(invalid: &Invalid) -> Markup {
    html! {
        @if !invalid.is_empty() {
            div class="alert alert-danger" role="alert" id="riepilogo-errori" tabindex="-1" autofocus {
                p class="mb-1" {
                    strong {
                        "Controllare i campi evidenziati: "
                        (invalid.0.len())
                        @if invalid.0.len() == 1 { " problema." } @else { " problemi." }
                    }
                }
                ul class="mb-0" {
                    @for e in &invalid.0 {
                        li { a href={"#" (error_anchor(e.field))} { (e.message) } }
                    }
                }
            }
        }
    }
}

/// The id of the message shown next to `field` (what the summary links to).
pub fn error_anchor(field: &str) -> String {
    format!("f-{field}-error")
}

/// A labelled select; `blank` adds an empty first choice with that text.
pub fn select(
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    selected: &str,
    invalid: &Invalid,
    blank: Option<&str>,
) -> Markup {
    let error = invalid.message(name);
    let id = format!("f-{name}");
    html! {
        div class="select-wrapper mb-3 mt-4" {
            label for=(id) { (label) }
            select id=(id) name=(name) class=[error.map(|_| "is-invalid")]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| format!("{id}-error"))] {
                @if let Some(text) = blank {
                    option value="" selected[selected.is_empty()] { (text) }
                }
                @for (code, text) in options {
                    option value=(code) selected[*code == selected] { (text) }
                }
            }
            @if let Some(msg) = error {
                div class="invalid-feedback d-block" id={(id) "-error"} role="alert" { (msg) }
            }
        }
    }
}

/// A labelled text area.
pub fn textarea(
    name: &str,
    label: &str,
    value: &str,
    invalid: &Invalid,
    help: Option<&str>,
    rows: u8,
) -> Markup {
    textarea_capped(name, label, value, invalid, help, rows, None)
}

/// A text area with a cap: the browser stops at it, and the help says how much room is left
/// (counted on the server: the pages work without scripts).
pub fn textarea_max(
    name: &str,
    label: &str,
    value: &str,
    invalid: &Invalid,
    help: Option<&str>,
    rows: u8,
    max: usize,
) -> Markup {
    textarea_capped(name, label, value, invalid, help, rows, Some(max))
}

fn textarea_capped(
    name: &str,
    label: &str,
    value: &str,
    invalid: &Invalid,
    help: Option<&str>,
    rows: u8,
    max: Option<usize>,
) -> Markup {
    let room = max.map(|max| {
        let left = max.saturating_sub(value.chars().count());
        match help {
            Some(h) => format!("{h} Al massimo {max} caratteri, ne restano {left}."),
            None => format!("Al massimo {max} caratteri, ne restano {left}."),
        }
    });
    let help = room.as_deref().or(help);
    let error = invalid.message(name);
    let id = format!("f-{name}");
    let described = match (error.is_some(), help.is_some()) {
        (true, _) => Some(format!("{id}-error")),
        (false, true) => Some(format!("{id}-help")),
        _ => None,
    };
    html! {
        div class="form-group" {
            label class="active" for=(id) { (label) }
            textarea id=(id) name=(name) rows=(rows) maxlength=[max]
                class=(if error.is_some() { "form-control is-invalid" } else { "form-control" })
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[described] { (value) }
            @if let Some(msg) = error {
                div class="invalid-feedback d-block" id={(id) "-error"} role="alert" { (msg) }
            } @else if let Some(help) = help {
                small class="form-text" id={(id) "-help"} { (help) }
            }
        }
    }
}

/// A single checkbox.
pub fn checkbox(name: &str, value: &str, label: &str, checked: bool, id: &str) -> Markup {
    html! {
        div class="form-check" {
            input type="checkbox" name=(name) value=(value) id=(id) checked[checked];
            label for=(id) { (label) }
        }
    }
}

/// Messages for a field that collects several (e.g. one per need row), under one anchor.
pub fn field_errors(invalid: &Invalid, field: &str) -> Markup {
    let mut messages = invalid.0.iter().filter(|e| e.field == field).peekable();
    html! {
        @if messages.peek().is_some() {
            div id=(error_anchor(field)) {
                @for e in messages {
                    div class="invalid-feedback d-block" role="alert" { (e.message) }
                }
            }
        }
    }
}

/// Warnings to confirm before saving (the form is sent again to confirm them), with focus.
pub fn warnings_box(warnings: &[String], button: &str) -> Markup {
    html! {
        @if !warnings.is_empty() {
            div class="alert alert-warning" role="alert" id="avvisi" tabindex="-1" autofocus {
                p { strong { "Da controllare prima di salvare:" } }
                ul { @for w in warnings { li { (w) } } }
                p class="mb-0" { "Se va bene così, premere di nuovo «" (button) "»." }
            }
        }
    }
}

/// Inside the form: which warnings the user has now seen (so the next submission confirms them).
pub fn warnings_seen(warnings: &[String]) -> Markup {
    html! {
        @if !warnings.is_empty() {
            input type="hidden" name="warnings_seen" value=(crate::domain::person::warnings_fingerprint(warnings));
        }
    }
}
