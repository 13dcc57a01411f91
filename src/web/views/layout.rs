//! The page frame: Bootstrap Italia header, navigation, footer.

use maud::{html, Markup, DOCTYPE};

use crate::domain::instance::Instance;
use crate::domain::policy::Actor;
use crate::web::routes::Gate;
use crate::web::session::Auth;

/// What the frame of every page needs to know.
pub struct Chrome<'a> {
    pub user_name: Option<&'a str>,
    /// The user as the policy sees them (none before login).
    pub actor: Option<&'a Actor>,
    pub instance: Option<&'a Instance>,
    pub csrf: &'a str,
    /// Path of the current section, to mark it in the navigation.
    pub current: &'a str,
    pub must_change_password: bool,
    /// The page's own path: below the first level it gets breadcrumbs.
    pub path: &'a str,
    /// A level between the section and the page (the person of an access, …).
    pub parent: Option<(&'a str, String)>,
}

impl<'a> Chrome<'a> {
    pub fn anonymous(instance: Option<&'a Instance>, csrf: &'a str) -> Self {
        Chrome {
            user_name: None,
            actor: None,
            instance,
            csrf,
            current: "",
            must_change_password: false,
            path: "",
            parent: None,
        }
    }

    pub fn for_user(auth: &'a Auth, instance: Option<&'a Instance>, current: &'a str) -> Self {
        Chrome {
            user_name: Some(&auth.user.full_name),
            actor: Some(&auth.actor),
            instance,
            csrf: &auth.session.csrf_token,
            current,
            must_change_password: auth.user.must_change_password,
            path: &auth.path,
            parent: None,
        }
    }

    /// The same frame with a level between the section and the page.
    pub fn under(mut self, label: &'a str, href: String) -> Self {
        self.parent = Some((label, href));
        self
    }

    /// Whether the user passes `gate` (the same question the route asks), to offer a link or a
    /// button only to who may use it.
    pub fn may(&self, gate: Gate) -> bool {
        self.actor.is_some_and(|a| gate.allows(a).is_ok())
    }
}

/// A section of the navigation, shown to users who pass the gate of its route.
struct Section {
    path: &'static str,
    label: &'static str,
    gate: Gate,
}

/// Only sections that work are listed; each later feature adds its own.
const SECTIONS: &[Section] = &[
    Section {
        path: "/",
        label: "Sportello",
        gate: Gate::User,
    },
    Section {
        path: "/persone",
        label: "Persone",
        gate: Gate::Desk,
    },
    Section {
        path: "/servizi",
        label: "Servizi",
        gate: Gate::Directory,
    },
    Section {
        path: "/invii",
        label: "Invii",
        gate: Gate::Desk,
    },
    Section {
        path: "/agenda",
        label: "Agenda",
        gate: Gate::Desk,
    },
    Section {
        path: "/ambito",
        label: "Invii ricevuti",
        gate: Gate::District,
    },
    Section {
        path: "/statistiche",
        label: "Statistiche",
        gate: Gate::Responsabile,
    },
    Section {
        path: "/privacy",
        label: "Privacy",
        gate: Gate::Responsabile,
    },
    Section {
        path: "/scambi",
        label: "Scambi",
        gate: Gate::Exchange,
    },
    Section {
        path: "/amministrazione",
        label: "Amministrazione",
        gate: Gate::Admin,
    },
];

pub fn icon(name: &str, class: &str) -> Markup {
    html! {
        svg class={"icon " (class)} aria-hidden="true" focusable="false" {
            use href={"/assets/svg/sprites.svg#" (name)} {}
        }
    }
}

/// Hidden CSRF field for a form.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// Bootstrap Italia breadcrumbs on every page below the first level of the navigation.
fn breadcrumbs(chrome: &Chrome, title: &str) -> Markup {
    let first_level = chrome.path.is_empty()
        || chrome.must_change_password
        || SECTIONS.iter().any(|s| s.path == chrome.path);
    if first_level || chrome.user_name.is_none() {
        return html! {};
    }
    let section = SECTIONS
        .iter()
        .find(|s| s.path == chrome.current && s.path != "/");
    html! {
        nav class="breadcrumb-container" aria-label="Percorso di navigazione" {
            ol class="breadcrumb p-0" {
                li class="breadcrumb-item" { a href="/" { "Home" } span class="separator" { "/" } }
                @if let Some(s) = section {
                    li class="breadcrumb-item" { a href=(s.path) { (s.label) } span class="separator" { "/" } }
                }
                @if let Some((label, href)) = &chrome.parent {
                    li class="breadcrumb-item" { a href=(href) { (label) } span class="separator" { "/" } }
                }
                li class="breadcrumb-item active" aria-current="page" { (title) }
            }
        }
    }
}

pub fn page(chrome: &Chrome, title: &str, content: Markup) -> Markup {
    // Bootstrap Italia: the administration is the title, the office the tagline.
    let administration = chrome.instance.map(|i| i.administration());
    let office = chrome
        .instance
        .map_or("Segretariato Sociale", |i| i.office());
    // The slim bar names what the administration belongs to (or leads).
    let parent = chrome.instance.map(|i| match i.role {
        crate::domain::instance::InstanceRole::Desk => i.ambito.title(),
        crate::domain::instance::InstanceRole::District => {
            format!("Comune capofila: {}", i.comune.name)
        }
    });
    html! {
        (DOCTYPE)
        html lang="it" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Sportello" }
                link rel="icon" href="/assets/svg/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/assets/css/fonts.css";
                link rel="stylesheet" href="/assets/css/bootstrap-italia.min.css";
                link rel="stylesheet" href="/assets/css/bi-nojs.css";
                link rel="stylesheet" href="/assets/css/sportello.css";
            }
            body {
                div class="skiplinks" {
                    a class="visually-hidden-focusable" href="#main" { "Vai al contenuto principale" }
                }
                header class="it-header-wrapper" {
                    div class="it-header-slim-wrapper" {
                        div class="container" { div class="row" { div class="col-12" {
                            div class="it-header-slim-wrapper-content" {
                                span class="navbar-brand d-none d-lg-inline" { (parent.as_deref().unwrap_or("Segretariato Sociale")) }
                                @if let Some(name) = chrome.user_name {
                                    div class="it-header-slim-right-zone" {
                                        span class="text-white me-3 d-none d-sm-inline" {
                                            (icon("it-user", "icon-white icon-sm me-1")) (name)
                                        }
                                        @if !chrome.must_change_password {
                                            a class="text-white me-3 d-none d-md-inline" href="/password" { "Cambia password" }
                                        }
                                        form method="post" action="/logout" class="d-inline" {
                                            (csrf_field(chrome.csrf))
                                            button type="submit" class="btn btn-primary btn-sm" { "Esci" }
                                        }
                                    }
                                }
                            }
                        } } }
                    }
                    div class="it-nav-wrapper" {
                        div class="it-header-center-wrapper" {
                            div class="container" { div class="row" { div class="col-12" {
                                div class="it-header-center-content-wrapper" {
                                    div class="it-brand-wrapper" {
                                        a href="/" {
                                            (icon("it-pa", ""))
                                            div class="it-brand-text" {
                                                div class="it-brand-title" { (administration.as_deref().unwrap_or("Sportello")) }
                                                div class="it-brand-tagline d-none d-md-block" { (office) }
                                            }
                                        }
                                    }
                                }
                            } } }
                        }
                        @if chrome.user_name.is_some() && !chrome.must_change_password {
                            div class="it-header-navbar-wrapper" {
                                div class="container" { div class="row" { div class="col-12" {
                                    nav class="navbar navbar-expand-lg" aria-label="Navigazione principale" {
                                        div class="navbar-collapsable" { div class="menu-wrapper" {
                                            ul class="navbar-nav" {
                                                @for s in SECTIONS.iter().filter(|s| chrome.may(s.gate)) {
                                                    li class="nav-item" {
                                                        @if s.path == chrome.current {
                                                            a class="nav-link active" aria-current="page" href=(s.path) { span { (s.label) } }
                                                        } @else {
                                                            a class="nav-link" href=(s.path) { span { (s.label) } }
                                                        }
                                                    }
                                                }
                                            }
                                        } }
                                    }
                                } } }
                            }
                        }
                    }
                }
                main id="main" class="container my-4" {
                    (breadcrumbs(chrome, title))
                    (content)
                }
                footer class="it-footer" {
                    div class="it-footer-small-prints clearfix" {
                        div class="container" {
                            p class="text-white py-3 mb-0" {
                                "Sportello " (env!("CARGO_PKG_VERSION"))
                                " – Segretariato Sociale ai sensi della L. 328/2000"
                            }
                        }
                    }
                }
            }
        }
    }
}
