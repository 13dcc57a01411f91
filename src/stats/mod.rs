//! Aggregations for the *osservatorio* of needs: the same tables at the desk (over its own accesses)
//! and at the district (over the pseudonymous records of every desk), so that they compare.
//! Pure functions over [`AccessRecord`]s; counts only, never a person.

pub mod aggregate;
pub mod period;
pub mod referrals;

use std::collections::{HashMap, HashSet};

pub use period::{growth, Month, Period, PeriodError};

use crate::domain::district::AccessRecord;
use crate::domain::vocabulary::Kind;

/// What a table counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Channel,
    Interlocutor,
    Reason,
    /// Accesses with at least one need in the area (ISTAT *area di utenza*).
    Area,
    /// Needs (an access may have several).
    Category,
    Urgency,
    Outcome,
    Sex,
    AgeBand,
    /// Age band and sex together (`F|35_44`): the age pyramid.
    AgeSex,
    CitizenshipArea,
    /// Comune of residence (ISTAT code).
    Comune,
    /// District: the comune of the desk that sent the record.
    Desk,
    /// Directory services chosen (service id).
    Service,
    /// Needs no service could meet, by need and reason (`category|reason`).
    Unmet,
    /// Needs no service could meet, by the service that could not take the person.
    UnmetService,
    /// Needs no service could meet, by need and comune of residence (`category|comune`).
    UnmetComune,
    /// Complaints, by the service they are about (`unknown` when not named).
    Complaint,
    /// District: needs no service could meet, by need and sending desk (`category|desk`).
    UnmetDesk,
}

impl Dimension {
    pub const DESK: [Dimension; 17] = [
        Dimension::Area,
        Dimension::Category,
        Dimension::Urgency,
        Dimension::Channel,
        Dimension::Interlocutor,
        Dimension::Reason,
        Dimension::Outcome,
        Dimension::Sex,
        Dimension::AgeBand,
        Dimension::AgeSex,
        Dimension::CitizenshipArea,
        Dimension::Comune,
        Dimension::Service,
        Dimension::Unmet,
        Dimension::UnmetService,
        Dimension::UnmetComune,
        Dimension::Complaint,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dimension::Channel => "canale",
            Dimension::Interlocutor => "interlocutore",
            Dimension::Reason => "motivo",
            Dimension::Area => "area",
            Dimension::Category => "bisogno",
            Dimension::Urgency => "urgenza",
            Dimension::Outcome => "esito",
            Dimension::Sex => "sesso",
            Dimension::AgeBand => "eta",
            Dimension::AgeSex => "eta_sesso",
            Dimension::CitizenshipArea => "cittadinanza",
            Dimension::Comune => "comune_residenza",
            Dimension::Desk => "sportello",
            Dimension::Service => "servizio_scelto",
            Dimension::Unmet => "non_soddisfatto",
            Dimension::UnmetService => "non_soddisfatto_servizio",
            Dimension::UnmetComune => "non_soddisfatto_comune",
            Dimension::Complaint => "reclamo",
            Dimension::UnmetDesk => "non_soddisfatto_sportello",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Dimension::Channel => "Accessi per canale",
            Dimension::Interlocutor => "Accessi per interlocutore",
            Dimension::Reason => "Accessi per motivo",
            Dimension::Area => "Accessi per area di utenza",
            Dimension::Category => "Bisogni rilevati",
            Dimension::Urgency => "Bisogni per urgenza",
            Dimension::Outcome => "Esiti degli accessi",
            Dimension::Sex => "Accessi per sesso",
            Dimension::AgeBand => "Accessi per fascia d'età",
            Dimension::AgeSex => "Accessi per fascia d'età e sesso",
            Dimension::CitizenshipArea => "Accessi per cittadinanza",
            Dimension::Comune => "Accessi per comune di residenza",
            Dimension::Desk => "Accessi per sportello comunale",
            Dimension::Service => "Servizi più scelti",
            Dimension::Unmet => "Bisogni non soddisfatti, per bisogno e motivo",
            Dimension::UnmetService => "Bisogni non soddisfatti, per servizio",
            Dimension::UnmetComune => "Bisogni non soddisfatti, per comune di residenza",
            Dimension::Complaint => "Reclami per servizio",
            Dimension::UnmetDesk => "Bisogni non soddisfatti, per sportello comunale",
        }
    }

    /// How a table's shares are counted, where it is not plain.
    pub fn share_note(self) -> Option<&'static str> {
        match self {
            Dimension::Area | Dimension::Outcome => Some(
                "Un accesso può rientrare in più voci: le quote sono sugli accessi e insieme possono superare il 100 %.",
            ),
            Dimension::Category | Dimension::Urgency => {
                Some("Un accesso può avere più bisogni: le quote sono sul totale dei bisogni rilevati.")
            }
            _ => None,
        }
    }

    /// What the services could offer (chosen, unmet, complaints), as against the demand.
    pub fn is_supply(self) -> bool {
        matches!(
            self,
            Dimension::Service
                | Dimension::Unmet
                | Dimension::UnmetService
                | Dimension::UnmetComune
                | Dimension::Complaint
                | Dimension::UnmetDesk
        )
    }

    /// The vocabulary its codes come from, if any (comuni are labelled by the caller).
    pub fn vocabulary(self) -> Option<Kind> {
        match self {
            Dimension::Channel => Some(Kind::Channel),
            Dimension::Interlocutor => Some(Kind::Interlocutor),
            Dimension::Reason => Some(Kind::Reason),
            Dimension::Area => Some(Kind::Area),
            Dimension::Category => Some(Kind::Category),
            Dimension::Urgency => Some(Kind::Urgency),
            Dimension::Outcome => Some(Kind::Outcome),
            Dimension::AgeBand => Some(Kind::AgeBand),
            Dimension::CitizenshipArea => Some(Kind::CitizenshipArea),
            Dimension::Sex
            | Dimension::AgeSex
            | Dimension::Comune
            | Dimension::Desk
            | Dimension::Service
            | Dimension::Unmet
            | Dimension::UnmetService
            | Dimension::UnmetComune
            | Dimension::Complaint
            | Dimension::UnmetDesk => None,
        }
    }

    /// Calls `f` with each code one record contributes (an access counts once per area, once
    /// per need).
    pub(crate) fn for_each_code(self, r: &AccessRecord, mut f: impl FnMut(&str)) {
        fn or_unknown(c: Option<&String>) -> &str {
            c.map_or("unknown", String::as_str)
        }
        match self {
            Dimension::Channel => f(&r.channel),
            Dimension::Interlocutor => f(&r.interlocutor),
            Dimension::Reason => f(&r.reason),
            Dimension::Area => {
                let mut seen: Vec<&str> = Vec::with_capacity(r.needs.len());
                for (area, _, _) in &r.needs {
                    if !seen.contains(&area.as_str()) {
                        seen.push(area);
                        f(area);
                    }
                }
            }
            Dimension::Category => r.needs.iter().for_each(|(_, c, _)| f(c)),
            Dimension::Urgency => r.needs.iter().for_each(|(_, _, u)| f(u)),
            Dimension::Outcome => r.outcomes.iter().for_each(|o| f(o)),
            Dimension::Sex => f(or_unknown(r.sex.as_ref())),
            Dimension::AgeBand => f(&r.age_band),
            Dimension::AgeSex => f(&format!("{}|{}", or_unknown(r.sex.as_ref()), r.age_band)),
            Dimension::CitizenshipArea => f(&r.citizenship_area),
            Dimension::Comune => f(or_unknown(r.comune.as_ref())),
            Dimension::Desk => f(or_unknown(r.desk.as_ref())),
            Dimension::Service => r.services.iter().for_each(|s| f(s)),
            Dimension::Unmet => r
                .unmet
                .iter()
                .for_each(|(c, reason, _)| f(&format!("{c}|{reason}"))),
            Dimension::UnmetService => r
                .unmet
                .iter()
                .filter(|(_, _, s)| !s.is_empty())
                .for_each(|(_, _, s)| f(s)),
            Dimension::UnmetComune => r
                .unmet
                .iter()
                .for_each(|(c, _, _)| f(&format!("{c}|{}", or_unknown(r.comune.as_ref())))),
            Dimension::Complaint => r
                .complaints
                .iter()
                .for_each(|s| f(if s.is_empty() { "unknown" } else { s })),
            Dimension::UnmetDesk => r
                .unmet
                .iter()
                .for_each(|(c, _, _)| f(&format!("{c}|{}", or_unknown(r.desk.as_ref())))),
        }
    }
}

/// What one month (or the whole period) counts besides the tables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    pub accesses: u64,
    /// Distinct people among the identified (a person seen twice counts once).
    pub people: u64,
    /// People seen for the first time: at this desk, or for the whole Ambito anywhere in it (a
    /// person new at two desks is new at each, and once for the Ambito).
    pub new_people: u64,
    /// Accesses without an identified person (anonymous, or a person without codice fiscale
    /// towards the district).
    pub unidentified: u64,
    /// Accesses that led to a referral to the professional social service.
    pub referred: u64,
}

impl Figures {
    /// The `k`-th figure, in the order of [`FIGURES`].
    pub fn value(&self, k: usize) -> u64 {
        match k {
            0 => self.accesses,
            1 => self.people,
            2 => self.new_people,
            3 => self.unidentified,
            _ => self.referred,
        }
    }
}

/// One row of a table: a code, its count in the period and in each of its months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub code: String,
    pub count: u64,
    pub by_month: Vec<u64>,
}

/// One table of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub dimension: Dimension,
    pub rows: Vec<Row>,
}

impl Table {
    /// The table of these per-month counts, in the order of its dimension; codes counted zero
    /// times are left out.
    pub fn ordered(
        dimension: Dimension,
        counts: impl Iterator<Item = (String, Vec<u64>)>,
    ) -> Table {
        let mut rows: Vec<Row> = counts
            .map(|(code, by_month)| Row {
                count: by_month.iter().sum(),
                code,
                by_month,
            })
            .filter(|r| r.count > 0)
            .collect();
        match dimension {
            // Ages and sexes read in their natural order, whatever the counts.
            Dimension::AgeBand | Dimension::Sex | Dimension::AgeSex => {
                rows.sort_by_key(|r| rank(dimension, &r.code))
            }
            _ => rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code))),
        }
        Table { dimension, rows }
    }

    pub fn count(&self, code: &str) -> u64 {
        self.rows
            .iter()
            .find(|r| r.code == code)
            .map_or(0, |r| r.count)
    }

    pub fn total(&self) -> u64 {
        self.rows.iter().map(|r| r.count).sum()
    }
}

/// The natural order of a code: age bands by their lower bound, then women, men, unknown last.
fn rank(dimension: Dimension, code: &str) -> (u8, u32, String) {
    if code == "unknown" {
        return (2, 0, String::new());
    }
    match dimension {
        Dimension::AgeBand => {
            let digits: String = code.chars().take_while(char::is_ascii_digit).collect();
            (0, digits.parse().unwrap_or(u32::MAX), code.to_string())
        }
        Dimension::Sex => (0, u32::from(code != "F"), code.to_string()),
        Dimension::AgeSex => {
            let (sex, band) = code.split_once('|').unwrap_or(("", code));
            let (_, age, _) = rank(Dimension::AgeBand, band);
            let (_, s, _) = rank(Dimension::Sex, sex);
            let s = if sex == "unknown" { 2 } else { s };
            (
                u8::from(band == "unknown"),
                age.saturating_mul(4).saturating_add(s),
                code.to_string(),
            )
        }
        _ => (1, 0, code.to_string()),
    }
}

/// Every figure of a period: the totals, each month, and the tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: Period,
    pub totals: Figures,
    /// One per month of the period, in order.
    pub months: Vec<Figures>,
    pub tables: Vec<Table>,
}

impl Report {
    pub fn table(&self, d: Dimension) -> Option<&Table> {
        self.tables.iter().find(|t| t.dimension == d)
    }

    /// The share of women among the accesses whose sex is known, in percent.
    pub fn women_share(&self) -> Option<f64> {
        let t = self.table(Dimension::Sex)?;
        let (f, m) = (t.count("F"), t.count("M"));
        (f + m > 0).then(|| f as f64 * 100.0 / (f + m) as f64)
    }

    /// Adds to each table, as zero, the codes that `before` counted and this period did not,
    /// so that a row that fell to nothing still shows what it was (and the columns of the year
    /// before add up).
    pub fn keep_rows_of(&mut self, before: &Report) {
        let len = self.period.len();
        for t in &mut self.tables {
            let Some(b) = before.table(t.dimension) else {
                continue;
            };
            for r in &b.rows {
                if !t.rows.iter().any(|x| x.code == r.code) {
                    t.rows.push(Row {
                        code: r.code.clone(),
                        count: 0,
                        by_month: vec![0; len],
                    });
                }
            }
            if matches!(
                t.dimension,
                Dimension::AgeBand | Dimension::Sex | Dimension::AgeSex
            ) {
                let d = t.dimension;
                t.rows.sort_by_key(|r| rank(d, &r.code));
            }
        }
    }

    /// The age pyramid from the age × sex table: (age band code, women, men, sex not given),
    /// youngest first.
    pub fn pyramid(&self) -> Vec<(String, u64, u64, u64)> {
        let mut bands: Vec<(String, u64, u64, u64)> = Vec::new();
        let Some(t) = self.table(Dimension::AgeSex) else {
            return bands;
        };
        // The table is in age order already.
        for r in &t.rows {
            let (sex, band) = r
                .code
                .split_once('|')
                .unwrap_or(("unknown", r.code.as_str()));
            let i = match bands.iter().position(|b| b.0 == band) {
                Some(i) => i,
                None => {
                    bands.push((band.to_string(), 0, 0, 0));
                    bands.len() - 1
                }
            };
            match sex {
                "F" => bands[i].1 += r.count,
                "M" => bands[i].2 += r.count,
                _ => bands[i].3 += r.count,
            }
        }
        bands
    }

    /// What a row's share is counted against: needs among needs (unmet needs, complaints and
    /// services chosen among their own), everything else among accesses (an access may fall in
    /// several areas or outcomes).
    pub fn share_base(&self, t: &Table) -> u64 {
        if matches!(
            t.dimension,
            Dimension::Category
                | Dimension::Urgency
                | Dimension::Service
                | Dimension::Unmet
                | Dimension::UnmetService
                | Dimension::UnmetComune
                | Dimension::Complaint
                | Dimension::UnmetDesk
        ) {
            t.total()
        } else {
            self.totals.accesses
        }
    }
}

/// Counts records one at a time (so that a district's million records never need to be in
/// memory together): the recount that the maintained counters must always equal.
pub struct Counter {
    period: Period,
    desk: Option<String>,
    dimensions: Vec<Dimension>,
    months: Vec<Figures>,
    people: HashSet<String>,
    people_by_month: Vec<HashSet<String>>,
    /// Each person's first month (running index) among every record added.
    first: HashMap<String, i32>,
    counts: Vec<HashMap<String, Vec<u64>>>,
}

impl Counter {
    /// Counts the records of `period` (optionally of one desk only) by `dimensions`; records of
    /// other months still tell whom the period sees for the first time.
    pub fn new(period: Period, desk: Option<&str>, dimensions: &[Dimension]) -> Counter {
        Counter {
            period,
            desk: desk.map(str::to_string),
            dimensions: dimensions.to_vec(),
            months: vec![Figures::default(); period.len()],
            people: HashSet::new(),
            people_by_month: vec![HashSet::new(); period.len()],
            first: HashMap::new(),
            counts: vec![HashMap::new(); dimensions.len()],
        }
    }

    pub fn add(&mut self, r: &AccessRecord) {
        let Some(month) = Month::parse(&r.month) else {
            return;
        };
        if let Some(d) = &self.desk {
            if r.desk.as_deref() != Some(d.as_str()) {
                return;
            }
        }
        if let Some(k) = &r.person_key {
            let first = self.first.entry(k.clone()).or_insert(month.index());
            *first = (*first).min(month.index());
        }
        let Some(i) = self.period.position(month) else {
            return;
        };
        let f = &mut self.months[i];
        f.accesses += 1;
        match &r.person_key {
            Some(k) => {
                self.people.insert(k.clone());
                self.people_by_month[i].insert(k.clone());
            }
            None => f.unidentified += 1,
        }
        if r.referred {
            f.referred += 1;
        }
        let len = self.period.len();
        for (dimension, counts) in self.dimensions.iter().zip(self.counts.iter_mut()) {
            dimension.for_each_code(r, |code| {
                counts
                    .entry(code.to_string())
                    .or_insert_with(|| vec![0; len])[i] += 1;
            });
        }
    }

    pub fn finish(mut self) -> Report {
        for (f, set) in self.months.iter_mut().zip(&self.people_by_month) {
            f.people = set.len() as u64;
        }
        for first in self.first.values() {
            if let Some(i) = self.period.position(Month::from_index(*first)) {
                self.months[i].new_people += 1;
            }
        }
        let tables = self
            .dimensions
            .iter()
            .zip(self.counts)
            .map(|(&dimension, counts)| Table::ordered(dimension, counts.into_iter()))
            .collect();
        let mut totals = sum(&self.months);
        totals.people = self.people.len() as u64;
        Report {
            period: self.period,
            totals,
            months: self.months,
            tables,
        }
    }
}

/// The top of a chart's axis: the next round number (1, 2 or 5 times a power of ten) at or
/// above `max`, so that the ticks at half and at the top are round too.
pub fn nice_ceiling(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            let v = step.saturating_mul(m);
            // 1 alone has no round half: 2 at least.
            if v >= max.max(2) {
                return v;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// The months' figures added up (distinct people excepted: they are not a sum).
pub fn sum(months: &[Figures]) -> Figures {
    let mut t = Figures::default();
    for f in months {
        t.accesses += f.accesses;
        t.new_people += f.new_people;
        t.unidentified += f.unidentified;
        t.referred += f.referred;
    }
    t
}

/// Summarizes the records of `period` (optionally of one desk only) by `dimensions`.
pub fn summarize(
    records: &[AccessRecord],
    period: Period,
    desk: Option<&str>,
    dimensions: &[Dimension],
) -> Report {
    let mut counter = Counter::new(period, desk, dimensions);
    for r in records {
        counter.add(r);
    }
    counter.finish()
}

/// Month names for the tables.
pub use crate::domain::when::MONTHS;

/// The report as CSV (semicolon-separated, as Italian spreadsheets expect), one row per code:
/// table, code, label, the period's count, the same months a year earlier, the change in
/// percent, then one column per month. `label` names a code of a dimension; `only` keeps one
/// table (`totali` or a dimension's code).
pub fn csv(
    now: &Report,
    before: &Report,
    referrals: Option<(&referrals::ReferralReport, &referrals::ReferralReport)>,
    label: &dyn Fn(Dimension, &str) -> String,
    per_thousand: &dyn Fn(Dimension, &str, u64) -> Option<f64>,
    only: Option<&str>,
) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(Vec::new());
    let mut row = |fields: Vec<String>| {
        // Codes come from the desks' bundles at the district: formulas are neutralised.
        // Writing to memory cannot fail.
        let _ = w.write_record(
            fields
                .iter()
                .map(|f| crate::domain::text::spreadsheet_safe(f)),
        );
    };
    let mut head: Vec<String> = ["tabella", "codice", "voce"].map(String::from).to_vec();
    head.push(now.period.label());
    head.push(before.period.label());
    head.push("variazione %".into());
    head.push("per 1.000 residenti".into());
    head.extend(now.period.months().map(Month::key));
    row(head);
    let decimal = |v: Option<f64>| v.map_or(String::new(), |g| format!("{g:.1}").replace('.', ","));
    let line = |table: &str,
                code: &str,
                name: &str,
                n: u64,
                b: u64,
                rate: Option<f64>,
                by_month: Vec<u64>| {
        let mut f = vec![table.to_string(), code.to_string(), name.to_string()];
        f.push(n.to_string());
        f.push(b.to_string());
        f.push(decimal(growth(n, b)));
        f.push(decimal(rate));
        f.extend(by_month.iter().map(u64::to_string));
        f
    };
    if only.is_none_or(|t| t == "totali") {
        let pick = |f: &Figures, k: usize| f.value(k);
        for (k, (code, name)) in FIGURES.iter().enumerate() {
            row(line(
                "totali",
                code,
                name,
                pick(&now.totals, k),
                pick(&before.totals, k),
                None,
                now.months.iter().map(|f| pick(f, k)).collect(),
            ));
        }
    }
    if let Some((n, b)) = referrals.filter(|_| only.is_none_or(|t| t == REFERRALS)) {
        for l in referrals::lines(n, b) {
            let num = |v: Option<f64>| match v {
                Some(v) if l.count => format!("{v:.0}"),
                Some(v) => format!("{v:.1}").replace('.', ","),
                None => String::new(),
            };
            let change = l
                .change()
                .map_or(String::new(), |g| format!("{g:.1}").replace('.', ","));
            let sent = l.code_is_sent();
            let mut f = vec![REFERRALS.to_string(), l.code, l.label];
            f.extend([num(l.now), num(l.before), change, String::new()]);
            if sent {
                f.extend(n.by_month.iter().map(u64::to_string));
            }
            row(f);
        }
    }
    for t in &now.tables {
        if only.is_some_and(|o| o != t.dimension.code()) {
            continue;
        }
        let earlier = before.table(t.dimension);
        for r in &t.rows {
            let b = earlier.map_or(0, |e| e.count(&r.code));
            row(line(
                t.dimension.code(),
                &r.code,
                &label(t.dimension, &r.code),
                r.count,
                b,
                per_thousand(t.dimension, &r.code, r.count),
                r.by_month.clone(),
            ));
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The table code of the referrals in the CSV.
pub const REFERRALS: &str = "invii";

/// The figures of [`Figures`], by code and name, in the order the report shows them.
pub const FIGURES: [(&str, &str); 5] = [
    ("accessi", "Accessi"),
    ("persone", "Persone distinte"),
    ("nuove_persone", "Persone nuove (al primo accesso qui)"),
    (
        "senza_codice_fiscale",
        "Accessi senza codice fiscale (anonimi o persone senza codice)",
    ),
    ("invii_ssp", "Invii al Servizio Sociale Professionale"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn record(
        month: &str,
        channel: &str,
        key: Option<&str>,
        areas: &[&str],
        desk: Option<&str>,
    ) -> AccessRecord {
        AccessRecord {
            id: Uuid::now_v7(),
            month: month.into(),
            channel: channel.into(),
            interlocutor: "self".into(),
            reason: "information".into(),
            needs: areas
                .iter()
                .map(|a| (a.to_string(), format!("{a}_need"), "ordinary".into()))
                .collect(),
            outcomes: vec!["information_given".into()],
            sex: Some("F".into()),
            age_band: "35_44".into(),
            citizenship_area: "italy".into(),
            comune: Some("072046".into()),
            person_key: key.map(str::to_string),
            referred: areas.contains(&"family"),
            desk: desk.map(str::to_string),
            services: Vec::new(),
            unmet: Vec::new(),
            complaints: Vec::new(),
        }
    }

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    /// A fixed dataset whose answers are worked out by hand below.
    fn dataset() -> Vec<AccessRecord> {
        vec![
            // 2025: k1 once, k3 once; an anonymous call.
            record("2025-01", "phone", Some("k1"), &["poverty"], Some("A")),
            record("2025-02", "phone", Some("k3"), &["elderly"], Some("B")),
            record("2025-02", "phone", None, &[], Some("A")),
            // 2026: January k1 twice (once by phone) and k2; February k2 again and two
            // anonymous calls; March k4 (new) at desk B.
            record(
                "2026-01",
                "in_person",
                Some("k1"),
                &["family", "family", "poverty"],
                Some("A"),
            ),
            record("2026-01", "phone", Some("k1"), &["poverty"], Some("A")),
            record("2026-01", "in_person", Some("k2"), &["elderly"], Some("B")),
            record("2026-02", "in_person", Some("k2"), &["elderly"], Some("A")),
            record("2026-02", "phone", None, &[], Some("B")),
            record("2026-02", "phone", None, &[], Some("B")),
            record("2026-03", "email", Some("k4"), &["elderly"], Some("B")),
            // Outside every period asked: still a valid month.
            record("2026-07", "phone", Some("k5"), &[], Some("A")),
        ]
    }

    #[test]
    fn months_count_accesses_people_newcomers_and_channels() {
        let period = Period::new(month("2026-01"), month("2026-03")).unwrap();
        let r = summarize(
            &dataset(),
            period,
            None,
            &[Dimension::Channel, Dimension::Area, Dimension::Category],
        );
        let accesses: Vec<u64> = r.months.iter().map(|f| f.accesses).collect();
        assert_eq!(accesses, [3, 3, 1]);
        // January: k1 and k2; February: k2; March: k4.
        let people: Vec<u64> = r.months.iter().map(|f| f.people).collect();
        assert_eq!(people, [2, 1, 1]);
        // k1 was first seen in 2025: only k2 (January) and k4 (March) are new.
        let new: Vec<u64> = r.months.iter().map(|f| f.new_people).collect();
        assert_eq!(new, [1, 0, 1]);
        let anonymous: Vec<u64> = r.months.iter().map(|f| f.unidentified).collect();
        assert_eq!(anonymous, [0, 2, 0]);
        assert_eq!(r.totals.accesses, 7);
        assert_eq!(r.totals.people, 3, "k1, k2, k4 once each");
        assert_eq!(r.totals.new_people, 2);
        assert_eq!(r.totals.referred, 1);
        // Channel × month (the seed's "telefonate in entrata" per month).
        let channel = r.table(Dimension::Channel).unwrap();
        let phone = channel.rows.iter().find(|r| r.code == "phone").unwrap();
        assert_eq!(phone.by_month, [1, 2, 0]);
        assert_eq!(phone.count, 3);
        let in_person = channel.rows.iter().find(|r| r.code == "in_person").unwrap();
        assert_eq!(in_person.by_month, [2, 1, 0]);
        assert_eq!(
            channel.rows[0].code, "in_person",
            "largest first, ties by code"
        );
        // An access counts once per area, but each need counts.
        let area = r.table(Dimension::Area).unwrap();
        assert_eq!(area.count("poverty"), 2);
        assert_eq!(area.count("family"), 1);
        assert_eq!(area.count("elderly"), 3);
        let needs = r.table(Dimension::Category).unwrap();
        assert_eq!(needs.count("family_need"), 2);
        assert_eq!(r.share_base(needs), 7);
    }

    #[test]
    fn the_year_before_gives_the_growth() {
        let now = summarize(&dataset(), Period::year(2026), None, &[]);
        let before = summarize(&dataset(), Period::year(2026).a_year_earlier(), None, &[]);
        assert_eq!(before.period, Period::year(2025));
        assert_eq!((now.totals.accesses, before.totals.accesses), (8, 3));
        // 8 against 3: +166.7 %.
        let g = growth(now.totals.accesses, before.totals.accesses).unwrap();
        assert!((g - 166.666).abs() < 0.01, "{g}");
        assert_eq!((now.totals.people, before.totals.people), (4, 2));
        assert_eq!(growth(now.totals.people, before.totals.people), Some(100.0));
        // 2026 newcomers: k2, k4, k5 (k1 came in 2025).
        assert_eq!(now.totals.new_people, 3);
    }

    #[test]
    fn one_desk_counts_its_own_and_newcomers_to_it() {
        let r = summarize(
            &dataset(),
            Period::year(2026),
            Some("A"),
            &[Dimension::Desk],
        );
        assert_eq!(r.totals.accesses, 4);
        assert_eq!(r.totals.people, 3, "k1, k2, k5 at desk A");
        // k2 was first seen at desk A in February (in January at desk B).
        assert_eq!(r.months[1].new_people, 1);
        assert_eq!(r.totals.new_people, 2, "k2 and k5; k1 came in 2025");
    }

    #[test]
    fn a_row_that_fell_to_nothing_stays_with_its_year_before() {
        let mut now = summarize(&dataset(), Period::year(2026), None, &[Dimension::Desk]);
        let before = summarize(&dataset(), Period::year(2025), None, &[Dimension::Desk]);
        let mut records = dataset();
        records.retain(|r| !(r.month.starts_with("2026") && r.desk.as_deref() == Some("B")));
        let mut only_a = summarize(&records, Period::year(2026), None, &[Dimension::Desk]);
        assert!(only_a
            .table(Dimension::Desk)
            .unwrap()
            .rows
            .iter()
            .all(|r| r.code != "B"));
        only_a.keep_rows_of(&before);
        let t = only_a.table(Dimension::Desk).unwrap();
        let b = t.rows.iter().find(|r| r.code == "B").expect("desk B kept");
        assert_eq!((b.count, b.by_month.len()), (0, 12));
        // Nothing doubles when both periods have the row.
        now.keep_rows_of(&before);
        assert_eq!(now.table(Dimension::Desk).unwrap().rows.len(), 2);
    }

    #[test]
    fn chart_axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(0), 2);
        assert_eq!(nice_ceiling(139), 200);
        assert_eq!(nice_ceiling(494), 500);
        assert_eq!(nice_ceiling(1_000), 1_000);
        assert_eq!(nice_ceiling(1_001), 2_000);
    }

    #[test]
    fn ages_and_sexes_keep_their_natural_order() {
        let t = Table::ordered(
            Dimension::AgeBand,
            [("75_plus", 9), ("unknown", 50), ("0_17", 1), ("18_24", 4)]
                .into_iter()
                .map(|(c, n)| (c.to_string(), vec![n])),
        );
        let codes: Vec<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["0_17", "18_24", "75_plus", "unknown"]);
        let t = Table::ordered(
            Dimension::Sex,
            [("M", 9), ("unknown", 50), ("F", 1)]
                .into_iter()
                .map(|(c, n)| (c.to_string(), vec![n])),
        );
        let codes: Vec<&str> = t.rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["F", "M", "unknown"]);
    }

    #[test]
    fn csv_has_totals_comparison_and_months() {
        let period = Period::new(month("2026-01"), month("2026-02")).unwrap();
        let now = summarize(&dataset(), period, None, &[Dimension::Channel]);
        let before = summarize(
            &dataset(),
            period.a_year_earlier(),
            None,
            &[Dimension::Channel],
        );
        let text = csv(
            &now,
            &before,
            None,
            &|d, c| format!("{}:{c}", d.code()),
            &|_, c, n| (c == "phone").then_some(n as f64 * 1.5),
            None,
        );
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("tabella;codice;voce;gennaio–febbraio 2026;gennaio–febbraio 2025;variazione %;per 1.000 residenti;2026-01;2026-02")
        );
        assert!(
            text.contains("totali;accessi;Accessi;6;3;100,0;;3;3\n"),
            "{text}"
        );
        assert!(
            text.contains("canale;phone;canale:phone;3;3;0,0;4,5;1;2\n"),
            "{text}"
        );
        let one = csv(
            &now,
            &before,
            None,
            &|_, c| c.to_string(),
            &|_, _, _| None,
            Some("canale"),
        );
        assert!(!one.contains("totali;") && one.contains("canale;in_person"));
    }
}
