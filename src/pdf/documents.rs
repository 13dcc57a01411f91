//! The documents handed to citizens, built from records as plain `Document`s.

use chrono::{DateTime, Datelike, Local, Utc};

use super::{Block, Document};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::instance::{DeskContacts, Instance, InstanceRole};
use crate::domain::person::Person;
use crate::domain::reference::Reference;
use crate::domain::vocabulary::Kind;

fn when(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%d/%m/%Y alle %H:%M")
        .to_string()
}

/// An appointment's time as the citizen reads it: "giovedì 10 dicembre 2026 alle 10:30".
fn when_long(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    format!(
        "{} alle {}",
        crate::domain::when::long_date(local.date_naive()),
        local.format("%H:%M")
    )
}

/// The office, its Ambito and how to reach it: the small lines at the top of every document.
pub fn desk_lines(instance: &Instance, contacts: &DeskContacts) -> Vec<String> {
    let office = format!("{} – {}", instance.administration(), instance.office());
    let mut lines = vec![office];
    if instance.role == InstanceRole::Desk {
        lines.push(instance.ambito.title());
    }
    lines.extend(contacts.lines());
    lines
}

fn footer(instance: &Instance) -> String {
    format!(
        "Rilasciato dal Segretariato Sociale del Comune di {}. I dati personali sono trattati \
         secondo l'informativa consegnata (Reg. UE 2016/679).",
        instance.comune.name
    )
}

fn person_value(p: &Person) -> String {
    match p.code() {
        Some(code) => format!("{} {} ({code})", p.given_names, p.surname),
        None => format!("{} {}", p.given_names, p.surname),
    }
}

fn appointment_blocks(a: &Appointment) -> Vec<Block> {
    let mut blocks = vec![Block::Field {
        label: "Quando".into(),
        value: when_long(a.start),
    }];
    blocks.push(Block::Field {
        label: "Con".into(),
        value: a.operator_name.clone(),
    });
    if !a.place.is_empty() {
        blocks.push(Block::Field {
            label: "Dove".into(),
            value: a.place.clone(),
        });
    }
    if !a.purpose.is_empty() {
        blocks.push(Block::Field {
            label: "Per".into(),
            value: a.purpose.clone(),
        });
    }
    blocks
}

/// The citizen's *promemoria* of an access: when, what was asked, what comes next.
pub fn access_promemoria(
    instance: &Instance,
    contacts: &DeskContacts,
    reference: &Reference,
    access: &Access,
    person: &Person,
    appointment: Option<&Appointment>,
) -> Document {
    let mut blocks = vec![
        Block::Field {
            label: "Data del colloquio".into(),
            value: when_long(access.time),
        },
        Block::Field {
            label: "Persona".into(),
            value: person_value(person),
        },
        Block::Field {
            label: "Ha parlato con".into(),
            value: access.operator_name.clone(),
        },
        Block::Heading("Che cosa ha chiesto".into()),
        Block::Bullets(
            access
                .needs
                .iter()
                .map(|n| {
                    let category = reference.label(Kind::Category, &n.category);
                    if n.description.is_empty() {
                        category.to_string()
                    } else {
                        format!("{category}: {}", n.description)
                    }
                })
                .collect(),
        ),
        Block::Heading("Esito e prossimi passi".into()),
        Block::Bullets(
            access
                .outcomes
                .iter()
                .map(|o| reference.label(Kind::Outcome, o).to_string())
                .collect(),
        ),
    ];
    if let Some(a) = appointment.filter(|a| !a.cancelled) {
        blocks.push(Block::Heading("Prossimo appuntamento".into()));
        blocks.extend(appointment_blocks(a));
        blocks.push(Block::Spacer);
        blocks.push(Block::Paragraph(format!(
            "Se non può venire, avvisi {}: l'appuntamento sarà spostato.",
            whom_to_tell(contacts)
        )));
    }
    Document {
        pages: Default::default(),
        title: "Promemoria del colloquio".into(),
        header_lines: desk_lines(instance, contacts),
        blocks,
        footer: footer(instance),
    }
}

/// Whom a citizen tells when she cannot come, with how to reach them when it is known.
fn whom_to_tell(contacts: &DeskContacts) -> String {
    if contacts.reachable() {
        format!("il Segretariato Sociale ({})", contacts.reach())
    } else {
        "il Segretariato Sociale, allo sportello o al centralino del Comune".into()
    }
}

/// The appointment reminder.
pub fn appointment_reminder(
    instance: &Instance,
    contacts: &DeskContacts,
    appointment: &Appointment,
    person: &Person,
) -> Document {
    let mut blocks = vec![Block::Field {
        label: "Persona".into(),
        value: person_value(person),
    }];
    blocks.extend(appointment_blocks(appointment));
    blocks.push(Block::Spacer);
    blocks.push(Block::Paragraph(format!(
        "Porti con sé un documento di identità e i documenti di cui si è parlato. Se non può venire, \
         avvisi {}: l'appuntamento sarà spostato.",
        whom_to_tell(contacts)
    )));
    Document {
        pages: Default::default(),
        title: "Promemoria dell'appuntamento".into(),
        header_lines: desk_lines(instance, contacts),
        blocks,
        footer: footer(instance),
    }
}

/// The *scheda di orientamento*: the services chosen for the person, with where (or, for
/// confidential places, only a phone), when, what to bring and how to apply — in `lang`.
pub fn orientation_sheet(
    instance: &Instance,
    contacts: &DeskContacts,
    reference: &Reference,
    lang: &str,
    sheet: &crate::app::orientation::Sheet,
    when_printed: DateTime<Utc>,
) -> Document {
    let (person, services) = (sheet.person.as_ref(), &sheet.services);
    let l = |key| reference.labels.get(lang, key).to_string();
    let weekdays: [&str; 7] = [1, 2, 3, 4, 5, 6, 7].map(|d| {
        reference.labels.get(
            lang,
            [
                "weekday_1",
                "weekday_2",
                "weekday_3",
                "weekday_4",
                "weekday_5",
                "weekday_6",
                "weekday_7",
            ][d - 1],
        )
    });
    let mut blocks = vec![Block::Paragraph(l("intro"))];
    if let Some(p) = person {
        blocks.push(Block::Field {
            label: l("for"),
            value: format!("{} {}", p.given_names, p.surname),
        });
    }
    let printed = when_printed.with_timezone(&Local).date_naive();
    blocks.push(Block::Field {
        label: l("date"),
        value: format!(
            "{} {} {} {}",
            weekdays[printed.weekday().num_days_from_monday() as usize],
            printed.day(),
            reference
                .labels
                .get(lang, &format!("month_{}", printed.month())),
            printed.year()
        ),
    });
    for (s, org) in services {
        blocks.push(Block::Heading(if s.example {
            format!("{} ({})", s.name, l("example"))
        } else {
            s.name.clone()
        }));
        if let Some(o) = org {
            blocks.push(Block::Field {
                label: l("organization"),
                value: o.name.clone(),
            });
        }
        if !s.description.is_empty() {
            blocks.push(Block::Paragraph(s.description.clone()));
        }
        if !s.alert.is_empty() {
            blocks.push(Block::Field {
                label: l("alert"),
                value: s.alert.clone(),
            });
        }
        let mut phones: Vec<String> = s.phones.clone();
        for loc in &s.locations {
            if loc.confidential {
                // The address of a shelter or anti-violence centre never leaves the desk.
                blocks.push(Block::Field {
                    label: l("address"),
                    value: l("confidential"),
                });
            } else {
                blocks.push(Block::Field {
                    label: l("address"),
                    value: loc.full_address(),
                });
                if !loc.transportation.is_empty() {
                    blocks.push(Block::Field {
                        label: l("directions"),
                        value: loc.transportation.clone(),
                    });
                }
                if !loc.accessibility.is_empty() {
                    blocks.push(Block::Field {
                        label: l("accessibility"),
                        value: loc.accessibility.clone(),
                    });
                }
            }
            for p in &loc.phones {
                if !phones.contains(p) {
                    phones.push(p.clone());
                }
            }
        }
        if !phones.is_empty() {
            blocks.push(Block::Field {
                label: l("phone"),
                value: phones.join(", "),
            });
        }
        if !s.email.is_empty() {
            blocks.push(Block::Field {
                label: l("email"),
                value: s.email.clone(),
            });
        }
        let mut hours = s.hours_lines_in(&weekdays).join("\n");
        if hours.is_empty() {
            hours = l("no_hours");
        }
        for c in &s.closures {
            if c.to >= when_printed.with_timezone(&Local).date_naive() {
                hours.push_str(&format!(
                    "\n{} {}–{}{}",
                    l("closed"),
                    c.from.format("%d/%m/%Y"),
                    c.to.format("%d/%m/%Y"),
                    if c.note.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", c.note)
                    }
                ));
            }
        }
        blocks.push(Block::Field {
            label: l("hours"),
            value: hours,
        });
        if !s.eligibility.is_empty() {
            blocks.push(Block::Field {
                label: l("eligibility"),
                value: s.eligibility.clone(),
            });
        }
        if !s.application_process.is_empty() {
            blocks.push(Block::Field {
                label: l("how_to_apply"),
                value: s.application_process.clone(),
            });
        }
        if !s.fees.is_empty() {
            blocks.push(Block::Field {
                label: l("fees"),
                value: s.fees.clone(),
            });
        }
        if !s.required_documents.is_empty() {
            blocks.push(Block::Field {
                label: l("documents"),
                value: String::new(),
            });
            blocks.push(Block::Bullets(s.required_documents.clone()));
        }
    }
    blocks.push(Block::Heading(l("desk")));
    blocks.push(Block::Paragraph(desk_lines(instance, contacts).join("\n")));
    Document {
        pages: crate::pdf::PageWords {
            page: l("page"),
            of: l("page_of"),
        },
        title: l("title"),
        header_lines: desk_lines(instance, contacts),
        blocks,
        footer: l("footer"),
    }
}

/// The *scheda di invio*: what the receiving service needs to take the person on.
pub fn referral_letter(
    instance: &Instance,
    contacts: &DeskContacts,
    reference: &Reference,
    referral: &crate::domain::referral::Referral,
    person: &Person,
    access: &Access,
) -> Document {
    let places = &reference.places();
    let field = |label: &str, value: String| Block::Field {
        label: label.into(),
        value,
    };
    let mut blocks = vec![
        field("Destinatario", referral.target_name.clone()),
        field("Data", when(referral.created_at)),
        field(
            "Urgenza",
            reference
                .label(Kind::Urgency, &referral.urgency)
                .to_string(),
        ),
        field("Stato", referral.status.label().to_string()),
        Block::Heading("Persona".into()),
        field(
            "Cognome e nome",
            format!("{} {}", person.surname, person.given_names),
        ),
    ];
    if let Some(code) = person.code() {
        blocks.push(field("Codice fiscale", code.to_string()));
    }
    if let Some(d) = person.birth_date {
        let place = person
            .birth_place
            .as_deref()
            .map(|p| format!(", {}", places.birth_place_label(p)))
            .unwrap_or_default();
        blocks.push(field("Nascita", format!("{}{place}", d.format("%d/%m/%Y"))));
    }
    if let Some(c) = &person.citizenship {
        blocks.push(field("Cittadinanza", places.citizenship_label(c)));
    }
    let residence = match (&person.residence_istat, person.homeless) {
        (_, true) => "Senza fissa dimora".to_string(),
        (Some(c), _) => places.comune_label(c),
        _ => "non indicata".to_string(),
    };
    blocks.push(field("Residenza", residence));
    if !person.phone.is_empty() {
        blocks.push(field("Telefono", person.phone.clone()));
    }
    if !person.language.is_empty() {
        blocks.push(field("Lingua", person.language.clone()));
    }
    blocks.push(Block::Heading("Motivo dell'invio".into()));
    blocks.push(Block::Paragraph(referral.reason.clone()));
    blocks.push(Block::Heading("Bisogni registrati".into()));
    blocks.push(Block::Bullets(
        access
            .needs
            .iter()
            .map(|n| {
                let head = format!(
                    "{} – {} ({})",
                    reference.label(Kind::Category, &n.category),
                    reference.label(Kind::Area, &n.area),
                    reference.label(Kind::Urgency, &n.urgency).to_lowercase()
                );
                if n.description.is_empty() {
                    head
                } else {
                    format!("{head}: {}", n.description)
                }
            })
            .collect(),
    ));
    blocks.push(Block::Heading("Già fatto dallo sportello".into()));
    blocks.push(Block::Bullets(
        access
            .outcomes
            .iter()
            .map(|o| reference.label(Kind::Outcome, o).to_string())
            .collect(),
    ));
    blocks.push(Block::Heading("Privacy".into()));
    blocks.push(Block::Paragraph(
        match (&person.privacy_notice, &referral.privacy_override) {
            (Some(n), _) => format!(
                "Informativa (versione {}) consegnata il {}, {}.",
                n.version,
                n.date.format("%d/%m/%Y"),
                n.method_label()
            ),
            (None, Some(reason)) => format!("Invio senza informativa registrata. Motivo: {reason}"),
            (None, None) => "Informativa non ancora consegnata.".into(),
        },
    ));
    blocks.push(Block::Heading("Chi invia".into()));
    blocks.push(Block::Paragraph(format!(
        "{}\n{}",
        access.operator_name,
        desk_lines(instance, contacts).join("\n")
    )));
    blocks.push(Block::SignatureLines(vec![
        "L'operatore".into(),
        "Per ricevuta, il servizio".into(),
    ]));
    Document {
        pages: Default::default(),
        title: "Scheda di invio".into(),
        header_lines: desk_lines(instance, contacts),
        blocks,
        footer: "Documento con dati personali: da trasmettere solo al servizio destinatario."
            .into(),
    }
}

/// The privacy notice to hand over and sign, with the person's name.
pub fn privacy_notice(
    instance: &Instance,
    contacts: &DeskContacts,
    text: &str,
    version: u32,
    person: &Person,
    today: chrono::NaiveDate,
) -> Document {
    const TITLE: &str = "Informativa sul trattamento dei dati personali";
    let mut paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    // The text opens with the title the page already prints: keep only what follows it.
    if let Some(first) = paragraphs.first_mut() {
        let (head, rest) = first.split_once('\n').unwrap_or((first.as_str(), ""));
        if head.trim().to_lowercase() == TITLE.to_lowercase() {
            *first = rest.trim().to_string();
        }
    }
    let mut blocks: Vec<Block> = paragraphs
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| Block::Paragraph(p.replace('\n', " ")))
        .collect();
    // The optional consents, to be ticked by the person and then recorded on her page.
    blocks.push(Block::Heading("Consensi facoltativi".into()));
    blocks.push(Block::Paragraph(
        "Si possono dare o negare liberamente e revocare in ogni momento; negarli non cambia il \
         servizio ricevuto."
            .into(),
    ));
    for (_, label) in crate::domain::privacy::CONSENT_PURPOSES {
        blocks.push(Block::Paragraph(format!(
            "☐ acconsento   ☐ non acconsento — {label}"
        )));
    }
    blocks.push(Block::Spacer);
    blocks.push(Block::Field {
        label: "Consegnata a".into(),
        value: format!("{} {}", person.given_names, person.surname),
    });
    if let Some(code) = person.code() {
        blocks.push(Block::Field {
            label: "Codice".into(),
            value: code.to_string(),
        });
    }
    blocks.push(Block::Field {
        label: "Data".into(),
        value: today.format("%d/%m/%Y").to_string(),
    });
    blocks.push(Block::Field {
        label: "Versione dell'informativa".into(),
        value: version.to_string(),
    });
    blocks.push(Block::Spacer);
    blocks.push(Block::SignatureLines(vec![
        "Firma della persona interessata".into(),
        "L'operatore".into(),
    ]));
    Document {
        pages: Default::default(),
        title: TITLE.into(),
        header_lines: desk_lines(instance, contacts),
        blocks,
        footer: format!("Informativa versione {version} – Reg. UE 2016/679, art. 13"),
    }
}

/// Everything held about a person and who looked at it (GDPR art. 15).
pub fn subject_report(
    instance: &Instance,
    contacts: &DeskContacts,
    reference: &Reference,
    report: &crate::app::privacy::SubjectReport,
) -> Document {
    let crate::app::privacy::SubjectReport {
        person,
        change_history: history,
        accesses,
        referrals,
        appointments,
        audit,
        generated_at: now,
        information,
        reserved_notes_withheld,
    } = report;
    let now = *now;
    let places = reference.places();
    let f = |label: &str, value: String| Block::Field {
        label: label.into(),
        value,
    };
    let mut b = vec![
        Block::Paragraph(format!(
            "Dati personali trattati da {} – {} al {}, e registro di chi li ha consultati, come chiede l'art. 15 del Regolamento europeo sulla protezione dei dati (GDPR).",
            instance.administration(),
            instance.office(),
            now.with_timezone(&Local).format("%d/%m/%Y")
        )),
        Block::Heading("Dati anagrafici e di contatto".into()),
        f("Cognome e nome", format!("{} {}", person.surname, person.given_names)),
        f("Codice", person.code().unwrap_or("").to_string()),
        f("Sesso", person.sex.map_or("non indicato", |s| s.label()).to_string()),
        f("Nascita", format!(
            "{}{}",
            person.birth_date.map_or("non indicata".to_string(), |d| d.format("%d/%m/%Y").to_string()),
            person.birth_place.as_deref().map(|p| format!(", {}", places.birth_place_label(p))).unwrap_or_default()
        )),
        f("Cittadinanza", person.citizenship.as_deref().map_or("non indicata".to_string(), |c| places.citizenship_label(c))),
        f("Residenza", person.residence_istat.as_deref().map_or("non indicata".to_string(), |c| places.comune_label(c))),
        f("Senza fissa dimora", if person.homeless { "sì" } else { "no" }.into()),
        f("Telefono", person.phone.clone()),
        f("E-mail", person.email.clone()),
        f("Lingua", person.language.clone()),
    ];
    if !person.household.is_empty() {
        b.push(f(
            "Nucleo familiare",
            person
                .household
                .iter()
                .map(|m| format!("{} ({})", m.name, m.relation))
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    b.push(Block::Heading("Privacy".into()));
    b.push(f(
        "Informativa",
        person
            .privacy_notice
            .as_ref()
            .map_or("non ancora consegnata".to_string(), |n| {
                format!(
                    "versione {} consegnata il {} ({})",
                    n.version,
                    n.date.format("%d/%m/%Y"),
                    n.method_label()
                )
            }),
    ));
    for c in &person.consents {
        b.push(f(
            crate::domain::privacy::purpose_label(&c.purpose),
            format!(
                "consenso dato il {}{}",
                c.given_on.format("%d/%m/%Y"),
                c.withdrawn_on
                    .map(|d| format!(", revocato il {}", d.format("%d/%m/%Y")))
                    .unwrap_or_default()
            ),
        ));
    }
    if let Some(r) = &person.restriction {
        b.push(f(
            "Limitazione del trattamento",
            format!("dal {}: {}", r.since.format("%d/%m/%Y"), r.reason),
        ));
    }
    // What art. 15.1 asks to tell besides the data, on the first pages, before the histories.
    b.push(Block::Heading(
        "Informazioni sul trattamento (art. 15.1 GDPR)".into(),
    ));
    for s in information {
        b.push(Block::Paragraph(s.title.clone()));
        b.push(Block::Bullets(s.lines.clone()));
    }
    b.push(Block::Heading(format!("Accessi ({})", accesses.len())));
    for a in accesses {
        let mut lines = vec![format!(
            "{} – {} – con {}",
            when(a.time),
            reference.label(Kind::Channel, &a.channel),
            a.operator_name
        )];
        for n in &a.needs {
            lines.push(format!(
                "Bisogno: {} – {}{}",
                reference.label(Kind::Category, &n.category),
                reference.label(Kind::Area, &n.area),
                if n.description.is_empty() {
                    String::new()
                } else {
                    format!(": {}", n.description)
                }
            ));
        }
        lines.push(format!(
            "Esito: {}",
            a.outcomes
                .iter()
                .map(|o| reference.label(Kind::Outcome, o))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        if !a.notes.is_empty() {
            lines.push(format!("Note: {}", a.notes));
        }
        if !a.reserved_notes.is_empty() {
            lines.push(format!("Note riservate: {}", a.reserved_notes));
        }
        b.push(Block::Bullets(vec![lines.join("\n")]));
    }
    b.push(Block::Heading(format!("Invii ({})", referrals.len())));
    for r in referrals {
        let steps: Vec<String> = r
            .history
            .iter()
            .map(|h| format!("{} {} ({})", h.status.label(), when(h.at), h.by))
            .collect();
        b.push(Block::Bullets(vec![format!(
            "{} – {}: {}\n{}",
            when(r.created_at),
            r.target_name,
            r.reason,
            steps.join("; ")
        )]));
    }
    b.push(Block::Heading(format!(
        "Appuntamenti ({})",
        appointments.len()
    )));
    b.push(Block::Bullets(
        appointments
            .iter()
            .map(|a| {
                format!(
                    "{} con {}{}{}",
                    when(a.start),
                    a.operator_name,
                    if a.purpose.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", a.purpose)
                    },
                    if a.cancelled { " (annullato)" } else { "" }
                )
            })
            .collect(),
    ));
    b.push(Block::Heading(format!(
        "Modifiche ai dati ({})",
        history.len()
    )));
    b.push(Block::Bullets(
        history
            .iter()
            .map(|h| {
                format!(
                    "{} da {}: {}",
                    when(h.time),
                    h.user,
                    h.changes
                        .iter()
                        .map(|c| format!("{} da «{}» a «{}»", c.field, c.before, c.after))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })
            .collect(),
    ));
    b.push(Block::Heading(format!(
        "Chi ha consultato o modificato i dati ({})",
        audit.len()
    )));
    b.push(Block::Bullets(
        audit.iter().map(|e| e.sentence.clone()).collect(),
    ));
    if *reserved_notes_withheld {
        b.push(Block::Paragraph(
            "Alcune note riservate degli operatori non sono riportate perché riguardano altre persone \
             e darle lederebbe i loro diritti (art. 15.4 GDPR). La decisione è registrata; \
             si può chiedere un riesame al titolare o proporre reclamo al Garante."
                .into(),
        ));
    }

    Document {
        pages: Default::default(),
        title: "Dati personali trattati (art. 15 GDPR)".into(),
        header_lines: desk_lines(instance, contacts),
        blocks: b,
        footer: "Documento riservato all'interessato.".into(),
    }
}

/// The *proposta di scarto* sent to the archival authority before anonymization.
pub fn discard_proposal(
    instance: &Instance,
    contacts: &DeskContacts,
    years: u32,
    rows: &[(Person, DateTime<Utc>)],
    cases: &[(crate::domain::district::InboxReferral, DateTime<Utc>)],
    created_at: DateTime<Utc>,
) -> Document {
    let mut blocks = vec![
        Block::Paragraph(format!(
            "Fascicoli del Segretariato Sociale del Comune di {} il cui ultimo contatto risale a più di {years} anni fa. \
             Dopo il nulla osta, i dati identificativi saranno cancellati e resteranno solo i dati statistici anonimi.",
            instance.comune.name
        )),
        Block::Field { label: "Data della proposta".into(), value: created_at.with_timezone(&Local).format("%d/%m/%Y").to_string() },
        Block::Field { label: "Fascicoli".into(), value: (rows.len() + cases.len()).to_string() },
        Block::Heading("Elenco".into()),
    ];
    if !cases.is_empty() {
        blocks.push(Block::Bullets(
            cases
                .iter()
                .map(|(e, last)| {
                    format!(
                        "{} {} – caso ricevuto da {} – ultima attività {}",
                        e.record.person.surname,
                        e.record.person.given_names,
                        e.comune_name,
                        last.with_timezone(&Local).format("%d/%m/%Y")
                    )
                })
                .collect(),
        ));
    }
    blocks.push(Block::Bullets(
        rows.iter()
            .map(|(p, last)| {
                format!(
                    "{} {} – {} – ultimo contatto {}",
                    p.surname,
                    p.given_names,
                    p.code().unwrap_or("senza codice"),
                    last.with_timezone(&Local).format("%d/%m/%Y")
                )
            })
            .collect(),
    ));
    blocks.push(Block::SignatureLines(vec![
        "Il responsabile del servizio".into(),
        "Per l'archivio".into(),
    ]));
    Document {
        pages: Default::default(),
        title: "Proposta di scarto".into(),
        header_lines: desk_lines(instance, contacts),
        blocks,
        footer: "Documento con dati personali: uso interno e per l'autorità archivistica.".into(),
    }
}

/// The record of processing activities (GDPR art. 30) of this installation.
pub fn processing_record(
    instance: &Instance,
    contacts: &DeskContacts,
    retention_years: u32,
    backup_folder: &str,
) -> Document {
    let f = |label: &str, value: &str| Block::Field {
        label: label.into(),
        value: value.into(),
    };
    let blocks = vec![
        f("Titolare", &format!("Comune di {} (ISTAT {})", instance.comune.name, instance.comune.istat)),
        f("Trattamento", "Segretariato Sociale: accoglienza, registrazione della domanda, orientamento e invio ai servizi"),
        f("Ambito", &format!("{} ({})", instance.ambito.title(), instance.ambito.code)),
        Block::Heading("Finalità e basi giuridiche".into()),
        Block::Bullets(crate::domain::privacy::PURPOSES.iter().map(|s| s.to_string()).collect()),
        Block::Heading("Interessati e categorie di dati".into()),
        Block::Bullets(
            std::iter::once("Cittadini che si rivolgono allo sportello e componenti del loro nucleo familiare")
                .chain(crate::domain::privacy::DATA_CATEGORIES)
                .map(str::to_string)
                .collect(),
        ),
        Block::Heading("Destinatari".into()),
        Block::Bullets(vec![
            "Servizio Sociale Professionale dell'Ambito: solo i casi inviati; dati statistici pseudonimi per gli altri accessi".into(),
            "Servizi a cui la persona è inviata: i dati necessari all'invio".into(),
            "Nessun trasferimento fuori dall'Unione europea".into(),
        ]),
        Block::Heading("Conservazione".into()),
        Block::Paragraph(format!(
            "Dati identificativi: {retention_years} anni dall'ultimo contatto, poi proposta di scarto all'autorità archivistica e \
             anonimizzazione; i dati statistici anonimi restano. Il registro degli accessi (audit) non viene mai modificato."
        )),
        Block::Heading("Misure di sicurezza".into()),
        Block::Bullets(vec![
            "Accesso con credenziali personali, password cifrate con argon2id, blocco dopo tentativi falliti, sessioni revocabili".into(),
            "Profili di autorizzazione (operatore, assistente sociale, responsabile, amministratore); l'amministratore non legge i dati personali".into(),
            "Registro di ogni lettura, modifica, stampa ed esportazione dei dati, con catena di hash verificabile".into(),
            "Limitazione del trattamento (art. 18), rapporto all'interessato (art. 15), rettifiche con storico".into(),
            format!(
                "Backup cifrati (age) ogni notte{}; pacchetti per l'Ambito firmati e cifrati",
                if backup_folder.is_empty() { " (cartella da configurare)".to_string() } else { format!(" in {backup_folder}") }
            ),
            "Programma installato sul PC dell'ufficio, raggiungibile solo in locale o in rete cifrata (TLS)".into(),
        ]),
    ];
    Document {
        pages: Default::default(),
        title: "Registro delle attività di trattamento (art. 30 GDPR)".into(),
        header_lines: desk_lines(instance, contacts),
        blocks,
        footer: format!(
            "Generato da Sportello {} dalle impostazioni dell'installazione.",
            env!("CARGO_PKG_VERSION")
        ),
    }
}
