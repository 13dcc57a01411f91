//! The statistics report to print: what a responsabile attaches to the monitoring of the Piano
//! di Zona. The same tables as `/statistiche` (same figures, same labels), with the charts drawn
//! in greys.

use chrono::NaiveDate;

use super::documents::desk_lines;
use super::{Block, Chart, Document, Table};
use crate::domain::instance::{DeskContacts, Instance};
use crate::domain::text::{capitalized, one_decimal, percent, share, signed_percent, thousands};
use crate::stats::referrals::{lines, ReferralReport};
use crate::stats::{growth, Dimension, Report, FIGURES};

/// The period's figures; `scope` names what they count ("questo sportello", "tutto l'Ambito",
/// "sportello di Capurso"); `label` names a code.
#[allow(clippy::too_many_arguments)]
pub fn statistics_report(
    instance: &Instance,
    contacts: &DeskContacts,
    scope: &str,
    now: &Report,
    before: &Report,
    referrals: (&ReferralReport, &ReferralReport),
    label: &dyn Fn(Dimension, &str) -> String,
    per_thousand: &dyn Fn(&str, u64) -> Option<f64>,
    printed: NaiveDate,
) -> Document {
    let p = now.period;
    let mut blocks = vec![
        Block::Field {
            label: "Periodo".into(),
            value: capitalized(&p.label()),
        },
        Block::Field {
            label: "A confronto con".into(),
            value: capitalized(&before.period.label()),
        },
        Block::Field {
            label: "Ambito dei dati".into(),
            value: capitalized(scope),
        },
        Block::Field {
            label: "Stampato il".into(),
            value: printed.format("%d/%m/%Y").to_string(),
        },
        Block::Paragraph(
            "Conteggi degli accessi al Segretariato Sociale: nessun nome né codice fiscale. \
             Le persone distinte sono contate una volta nel periodo anche se tornano in più mesi; \
             le persone nuove sono al primo accesso qui (allo sportello, o per l'Ambito intero in uno \
             qualsiasi dei suoi sportelli). Gli invii al Servizio Sociale Professionale sono quelli \
             partiti, non le proposte di presa in carico."
                .into(),
        ),
        Block::Heading("Totali".into()),
        Block::Table(totals(now, before)),
    ];
    if now.totals.accesses == 0 {
        blocks.push(Block::Paragraph(
            "Nessun accesso registrato in questo periodo.".into(),
        ));
    } else {
        blocks.extend(months(now, before));
        if referrals.0.sent + referrals.1.sent > 0 {
            blocks.push(Block::Heading("Invii e risposte dei servizi".into()));
            blocks.push(Block::Table(Table {
                head: vec![
                    "Voce".into(),
                    capitalized(&p.label()),
                    capitalized(&before.period.label()),
                    "Variazione".into(),
                ],
                rows: lines(referrals.0, referrals.1)
                    .into_iter()
                    .map(|l| {
                        let change = if l.count {
                            signed_percent(l.change())
                        } else {
                            String::new()
                        };
                        vec![l.label.clone(), l.text(l.now), l.text(l.before), change]
                    })
                    .collect(),
                total: false,
            }));
        }
        blocks.extend(channels(now, label));
        for (d, title) in [
            (Dimension::Channel, "Quote degli accessi per canale"),
            (Dimension::Area, "Quote degli accessi per area di utenza"),
        ] {
            if let Some(t) = now.table(d) {
                blocks.push(Block::Chart {
                    title: title.into(),
                    chart: Chart::Shares {
                        rows: t
                            .rows
                            .iter()
                            .map(|r| (label(d, &r.code), r.count))
                            .collect(),
                        base: now.share_base(t),
                    },
                });
            }
        }
        blocks.extend(pyramid(now, label));
        if p.len() <= 12 {
            for (d, title) in [
                (Dimension::Area, "Accessi per area di utenza, mese per mese"),
                (Dimension::Category, "Bisogni rilevati, mese per mese"),
            ] {
                if let Some(t) = now.table(d) {
                    blocks.push(Block::Heading(title.into()));
                    let mut head = vec!["Voce".to_string()];
                    head.extend(p.months().map(|m| m.short().to_string()));
                    head.push("Totale".into());
                    blocks.push(Block::Table(Table {
                        head,
                        rows: t
                            .rows
                            .iter()
                            .map(|r| {
                                let mut row = vec![label(d, &r.code)];
                                row.extend(r.by_month.iter().map(|n| thousands(*n)));
                                row.push(thousands(r.count));
                                row
                            })
                            .collect(),
                        total: false,
                    }));
                }
            }
        }
        for t in now
            .tables
            .iter()
            .filter(|t| t.dimension != Dimension::AgeSex && !t.dimension.is_supply())
        {
            blocks.extend(dimension_table(now, before, t, label, per_thousand));
        }
        let supply: Vec<_> = now
            .tables
            .iter()
            .filter(|t| t.dimension.is_supply() && !t.rows.is_empty())
            .collect();
        if !supply.is_empty() {
            blocks.push(Block::Heading(
                "Servizi scelti, bisogni non soddisfatti e reclami".into(),
            ));
            blocks.push(Block::Paragraph(
                "I bisogni per cui nessun servizio del territorio ha potuto rispondere, con il \
                 motivo: le lacune dell'offerta."
                    .into(),
            ));
            for t in supply {
                blocks.extend(dimension_table(now, before, t, label, per_thousand));
            }
        }
    }
    Document {
        pages: Default::default(),
        title: format!("Osservatorio dei bisogni – {}", p.label()),
        header_lines: desk_lines(instance, contacts),
        blocks,
        footer: "Dati statistici aggregati, senza dati personali: si possono allegare al monitoraggio del Piano di Zona."
            .into(),
    }
}

fn totals(now: &Report, before: &Report) -> Table {
    let mut rows: Vec<Vec<String>> = FIGURES
        .iter()
        .enumerate()
        .map(|(k, (_, name))| {
            let (n, b) = (now.totals.value(k), before.totals.value(k));
            vec![
                name.to_string(),
                thousands(n),
                thousands(b),
                signed_percent(growth(n, b)),
            ]
        })
        .collect();
    rows.push(vec![
        "Quota di donne (sugli accessi con sesso indicato)".into(),
        share(now.women_share()),
        share(before.women_share()),
        String::new(),
    ]);
    Table {
        head: vec![
            "Voce".into(),
            capitalized(&now.period.label()),
            capitalized(&before.period.label()),
            "Variazione".into(),
        ],
        rows,
        total: false,
    }
}

fn months(now: &Report, before: &Report) -> Vec<Block> {
    let p = now.period;
    let long = p.from.year != p.to.year;
    let name = |m: crate::stats::Month| {
        if long {
            format!("{} {}", m.short(), m.year % 100)
        } else {
            m.short().to_string()
        }
    };
    let mut rows: Vec<Vec<String>> = p
        .months()
        .zip(now.months.iter().zip(&before.months))
        .map(|(m, (n, b))| {
            vec![
                m.label(),
                thousands(n.accesses),
                thousands(b.accesses),
                thousands(n.people),
                thousands(n.new_people),
                thousands(n.unidentified),
                thousands(n.referred),
            ]
        })
        .collect();
    let (t, b) = (&now.totals, &before.totals);
    rows.push(vec![
        "Periodo".into(),
        thousands(t.accesses),
        thousands(b.accesses),
        thousands(t.people),
        thousands(t.new_people),
        thousands(t.unidentified),
        thousands(t.referred),
    ]);
    vec![
        Block::Heading("Andamento mese per mese".into()),
        Block::Chart {
            title: "Accessi per mese".into(),
            chart: Chart::Columns {
                series: vec![capitalized(&p.label()), capitalized(&before.period.label())],
                groups: p
                    .months()
                    .zip(now.months.iter().zip(&before.months))
                    .map(|(m, (n, b))| (name(m), vec![n.accesses, b.accesses]))
                    .collect(),
            },
        },
        Block::Table(Table {
            head: [
                "Mese",
                "Accessi",
                "Un anno prima",
                "Persone distinte",
                "Persone nuove",
                "Senza codice fiscale",
                "Invii al Servizio Sociale",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            total: true,
        }),
    ]
}

fn channels(now: &Report, label: &dyn Fn(Dimension, &str) -> String) -> Vec<Block> {
    let Some(t) = now.table(Dimension::Channel) else {
        return Vec::new();
    };
    let mut head = vec!["Mese".to_string()];
    head.extend(t.rows.iter().map(|r| label(Dimension::Channel, &r.code)));
    head.push("Totale".into());
    let mut rows: Vec<Vec<String>> = now
        .period
        .months()
        .zip(&now.months)
        .enumerate()
        .map(|(i, (m, f))| {
            let mut row = vec![m.label()];
            row.extend(t.rows.iter().map(|r| thousands(r.by_month[i])));
            row.push(thousands(f.accesses));
            row
        })
        .collect();
    let mut total = vec!["Periodo".to_string()];
    total.extend(t.rows.iter().map(|r| thousands(r.count)));
    total.push(thousands(now.totals.accesses));
    rows.push(total);
    vec![
        Block::Heading("Accessi per mese e canale".into()),
        Block::Table(Table {
            head,
            rows,
            total: true,
        }),
    ]
}

fn pyramid(now: &Report, label: &dyn Fn(Dimension, &str) -> String) -> Vec<Block> {
    let bands = now.pyramid();
    if bands.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Heading("Accessi per fascia d'età e sesso".into()),
        Block::Chart {
            title: "Piramide delle età (femmine a sinistra, maschi a destra)".into(),
            chart: Chart::Pyramid {
                rows: bands
                    .iter()
                    .map(|(b, f, m, _)| (label(Dimension::AgeBand, b), *f, *m))
                    .collect(),
            },
        },
        Block::Table(Table {
            head: ["Fascia d'età", "Femmine", "Maschi", "Non indicato"]
                .map(String::from)
                .to_vec(),
            rows: bands
                .iter()
                .map(|(b, f, m, u)| {
                    vec![
                        label(Dimension::AgeBand, b),
                        thousands(*f),
                        thousands(*m),
                        thousands(*u),
                    ]
                })
                .collect(),
            total: false,
        }),
    ]
}

/// One table of a dimension: count, share, the year before and the change.
fn dimension_table(
    now: &Report,
    before: &Report,
    t: &crate::stats::Table,
    label: &dyn Fn(Dimension, &str) -> String,
    per_thousand: &dyn Fn(&str, u64) -> Option<f64>,
) -> Vec<Block> {
    if t.rows.is_empty() {
        return Vec::new();
    }
    let base = now.share_base(t);
    let earlier = before.table(t.dimension);
    let rates = matches!(t.dimension, Dimension::Comune | Dimension::Desk);
    let mut head = vec!["Voce", "Numero", "Quota"];
    if rates {
        head.push("Per 1.000 residenti");
    }
    head.extend(["Un anno prima", "Variazione"]);
    vec![
        Block::Heading(t.dimension.title().into()),
        Block::Table(Table {
            head: head.into_iter().map(String::from).collect(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    let b = earlier.map_or(0, |e| e.count(&r.code));
                    let mut row = vec![
                        label(t.dimension, &r.code),
                        thousands(r.count),
                        percent(r.count, base),
                    ];
                    if rates {
                        row.push(one_decimal(per_thousand(&r.code, r.count)));
                    }
                    row.extend([thousands(b), signed_percent(growth(r.count, b))]);
                    row
                })
                .collect(),
            total: false,
        }),
    ]
}
