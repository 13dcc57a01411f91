//! The documents handed to citizens, built from records as plain `Document`s.

use chrono::{DateTime, Local, Utc};

use super::{Block, Document};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::instance::{Instance, InstanceRole};
use crate::domain::person::Person;
use crate::domain::reference::Reference;
use crate::domain::vocabulary::Kind;

fn when(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%d/%m/%Y alle %H:%M")
        .to_string()
}

fn desk_lines(instance: &Instance) -> Vec<String> {
    let office = match instance.role {
        InstanceRole::Desk => format!("Comune di {} – Segretariato Sociale", instance.comune.name),
        InstanceRole::District => {
            format!("{} – Servizio Sociale Professionale", instance.ambito.name)
        }
    };
    vec![
        office,
        format!("Ambito territoriale: {}", instance.ambito.name),
    ]
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
        value: when(a.start),
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
    reference: &Reference,
    access: &Access,
    person: &Person,
    appointment: Option<&Appointment>,
) -> Document {
    let mut blocks = vec![
        Block::Field {
            label: "Data del colloquio".into(),
            value: when(access.time),
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
        blocks.push(Block::Paragraph(
            "Se non può venire, avvisi il Segretariato Sociale: l'appuntamento sarà spostato."
                .into(),
        ));
    }
    Document {
        title: "Promemoria del colloquio".into(),
        header_lines: desk_lines(instance),
        blocks,
        footer: footer(instance),
    }
}

/// The appointment reminder.
pub fn appointment_reminder(
    instance: &Instance,
    appointment: &Appointment,
    person: &Person,
) -> Document {
    let mut blocks = vec![Block::Field {
        label: "Persona".into(),
        value: person_value(person),
    }];
    blocks.extend(appointment_blocks(appointment));
    blocks.push(Block::Spacer);
    blocks.push(Block::Paragraph(
        "Porti con sé un documento di identità e i documenti di cui si è parlato. Se non può venire, \
         avvisi il Segretariato Sociale: l'appuntamento sarà spostato."
            .into(),
    ));
    Document {
        title: "Promemoria dell'appuntamento".into(),
        header_lines: desk_lines(instance),
        blocks,
        footer: footer(instance),
    }
}
