//! Aggregations for the *osservatorio* of needs: the same tables at the desk (over its own accesses)
//! and at the district (over the pseudonymous records of every desk), so that they compare.
//! Pure functions over [`AccessRecord`]s; counts only, never a person.

pub mod aggregate;

use std::collections::{BTreeSet, HashMap, HashSet};

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
    CitizenshipArea,
    /// Comune of residence (ISTAT code).
    Comune,
    /// District: the comune of the desk that sent the record.
    Desk,
}

impl Dimension {
    pub const DESK: [Dimension; 11] = [
        Dimension::Area,
        Dimension::Category,
        Dimension::Urgency,
        Dimension::Channel,
        Dimension::Interlocutor,
        Dimension::Reason,
        Dimension::Outcome,
        Dimension::Sex,
        Dimension::AgeBand,
        Dimension::CitizenshipArea,
        Dimension::Comune,
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
            Dimension::CitizenshipArea => "cittadinanza",
            Dimension::Comune => "comune_residenza",
            Dimension::Desk => "sportello",
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
            Dimension::CitizenshipArea => "Accessi per cittadinanza",
            Dimension::Comune => "Accessi per comune di residenza",
            Dimension::Desk => "Accessi per sportello comunale",
        }
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
            Dimension::Sex | Dimension::Comune | Dimension::Desk => None,
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
            Dimension::CitizenshipArea => f(&r.citizenship_area),
            Dimension::Comune => f(or_unknown(r.comune.as_ref())),
            Dimension::Desk => f(or_unknown(r.desk.as_ref())),
        }
    }
}

/// One table: codes with their counts, largest first (ties by code, so the order is stable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub dimension: Dimension,
    pub rows: Vec<(String, usize)>,
}

impl Table {
    /// The table of these counts, in its order; codes counted zero times are left out.
    pub fn sorted<N: TryInto<usize>>(
        dimension: Dimension,
        counts: impl Iterator<Item = (String, N)>,
    ) -> Table {
        let mut rows: Vec<(String, usize)> = counts
            .filter_map(|(code, n)| Some((code, n.try_into().ok()?)))
            .filter(|(_, n)| *n > 0)
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Table { dimension, rows }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The year summarized.
    pub year: i32,
    pub accesses: usize,
    /// Distinct people among the accesses of identified persons.
    pub people: usize,
    /// Accesses without an identified person (anonymous, or a person without codice fiscale
    /// towards the district).
    pub unidentified: usize,
    /// Accesses that led to a referral to the professional social service.
    pub referred: usize,
    /// Accesses per month, January to December.
    pub by_month: [usize; 12],
    /// Distinct people per month (among the identified).
    pub people_by_month: [usize; 12],
    pub tables: Vec<Table>,
}

/// The year and month index (0 = January) of a record's month `YYYY-MM`; `None` for anything
/// else, which no view counts.
pub fn period_of(month: &str) -> Option<(i32, usize)> {
    let (y, m) = month.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let m: usize = m.parse().ok()?;
    let y: i32 = y.parse().ok()?;
    (1..=12).contains(&m).then(|| (y, m - 1))
}

/// Counts records one at a time, so that a district's million records never need to be in
/// memory together.
pub struct Counter {
    year: i32,
    desk: Option<String>,
    dimensions: Vec<Dimension>,
    years: BTreeSet<i32>,
    desks: BTreeSet<String>,
    accesses: usize,
    people: HashSet<String>,
    people_by_month: Vec<HashSet<String>>,
    unidentified: usize,
    referred: usize,
    by_month: [usize; 12],
    counts: Vec<HashMap<String, usize>>,
}

impl Counter {
    /// Counts the records of `year` (optionally of one desk only) by `dimensions`.
    pub fn new(year: i32, desk: Option<&str>, dimensions: &[Dimension]) -> Counter {
        Counter {
            year,
            desk: desk.map(str::to_string),
            dimensions: dimensions.to_vec(),
            years: BTreeSet::new(),
            desks: BTreeSet::new(),
            accesses: 0,
            people: HashSet::new(),
            people_by_month: vec![HashSet::new(); 12],
            unidentified: 0,
            referred: 0,
            by_month: [0; 12],
            counts: vec![HashMap::new(); dimensions.len()],
        }
    }

    pub fn add(&mut self, r: &AccessRecord) {
        let Some((year, month)) = period_of(&r.month) else {
            return;
        };
        self.years.insert(year);
        if let Some(d) = &r.desk {
            if !self.desks.contains(d) {
                self.desks.insert(d.clone());
            }
        }
        if year != self.year {
            return;
        }
        if let Some(d) = &self.desk {
            if r.desk.as_deref() != Some(d.as_str()) {
                return;
            }
        }
        self.accesses += 1;
        self.by_month[month] += 1;
        match &r.person_key {
            Some(k) => {
                if !self.people.contains(k) {
                    self.people.insert(k.clone());
                }
                if !self.people_by_month[month].contains(k) {
                    self.people_by_month[month].insert(k.clone());
                }
            }
            None => self.unidentified += 1,
        }
        if r.referred {
            self.referred += 1;
        }
        for (dimension, counts) in self.dimensions.iter().zip(self.counts.iter_mut()) {
            dimension.for_each_code(r, |code| match counts.get_mut(code) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(code.to_string(), 1);
                }
            });
        }
    }

    /// The years seen in every record added (whatever the filter), newest first.
    pub fn years(&self) -> Vec<i32> {
        self.years.iter().rev().copied().collect()
    }

    /// The sending desks seen in every record added (district), by ISTAT code.
    pub fn desks(&self) -> Vec<String> {
        self.desks.iter().cloned().collect()
    }

    pub fn finish(self) -> Summary {
        let tables = self
            .dimensions
            .iter()
            .zip(self.counts)
            .map(|(&dimension, counts)| Table::sorted(dimension, counts.into_iter()))
            .collect();
        let mut people_by_month = [0; 12];
        for (n, set) in people_by_month.iter_mut().zip(&self.people_by_month) {
            *n = set.len();
        }
        Summary {
            year: self.year,
            accesses: self.accesses,
            people: self.people.len(),
            people_by_month,
            unidentified: self.unidentified,
            referred: self.referred,
            by_month: self.by_month,
            tables,
        }
    }
}

/// The years present in the records, newest first.
pub fn years(records: &[AccessRecord]) -> Vec<i32> {
    let set: BTreeSet<i32> = records
        .iter()
        .filter_map(|r| period_of(&r.month).map(|(y, _)| y))
        .collect();
    set.into_iter().rev().collect()
}

/// Summarizes the records of `year` (optionally of one desk only) by `dimensions`.
pub fn summarize(
    records: &[AccessRecord],
    year: i32,
    desk: Option<&str>,
    dimensions: &[Dimension],
) -> Summary {
    let mut counter = Counter::new(year, desk, dimensions);
    for r in records {
        counter.add(r);
    }
    counter.finish()
}

/// Month names for the tables.
pub const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// The summary as CSV (semicolon-separated, as Italian spreadsheets expect): table, code,
/// label, count. `label` names a code of a dimension.
pub fn csv(summary: &Summary, label: &dyn Fn(Dimension, &str) -> String) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let mut row = |fields: [&str; 4]| {
        // Codes come from the desks' bundles at the district: formulas are neutralised.
        // Writing to memory cannot fail.
        let _ = w.write_record(fields.map(crate::domain::text::spreadsheet_safe));
    };
    row(["tabella", "codice", "voce", "valore"]);
    let year = summary.year.to_string();
    row(["totali", "anno", "Anno", &year]);
    for (code, name, n) in [
        ("accessi", "Accessi", summary.accesses),
        ("persone", "Persone distinte", summary.people),
        (
            "senza_codice_fiscale",
            "Accessi senza codice fiscale (anonimi o persone senza codice)",
            summary.unidentified,
        ),
        (
            "invii_ssp",
            "Invii al Servizio Sociale Professionale",
            summary.referred,
        ),
    ] {
        row(["totali", code, name, &n.to_string()]);
    }
    for (i, n) in summary.by_month.iter().enumerate() {
        row(["mese", &format!("{:02}", i + 1), MONTHS[i], &n.to_string()]);
    }
    for t in &summary.tables {
        for (code, n) in &t.rows {
            row([
                t.dimension.code(),
                code,
                &label(t.dimension, code),
                &n.to_string(),
            ]);
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn record(month: &str, key: Option<&str>, areas: &[&str], desk: Option<&str>) -> AccessRecord {
        AccessRecord {
            id: Uuid::now_v7(),
            month: month.into(),
            channel: "in_person".into(),
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
        }
    }

    #[test]
    fn counts_people_accesses_areas_and_needs() {
        let records = vec![
            record(
                "2026-01",
                Some("k1"),
                &["family", "family", "poverty"],
                Some("072046"),
            ),
            record("2026-01", Some("k1"), &["poverty"], Some("072046")),
            record("2026-03", None, &[], Some("072043")),
            record("2026-12", Some("k2"), &["elderly"], Some("072043")),
            record("2025-12", Some("k3"), &["elderly"], Some("072043")),
        ];
        let s = summarize(
            &records,
            2026,
            None,
            &[Dimension::Area, Dimension::Category, Dimension::Desk],
        );
        assert_eq!(s.accesses, 4);
        assert_eq!(s.people, 2);
        assert_eq!(s.unidentified, 1);
        assert_eq!(s.referred, 1);
        assert_eq!(s.by_month[0], 2);
        assert_eq!(s.by_month[2], 1);
        assert_eq!(s.by_month[11], 1);
        assert_eq!(s.by_month.iter().sum::<usize>(), 4);
        // An access counts once per area, but each need counts.
        let area = &s.tables[0].rows;
        assert_eq!(area[0], ("poverty".to_string(), 2));
        assert!(area.contains(&("family".to_string(), 1)));
        let needs = &s.tables[1].rows;
        assert_eq!(needs[0], ("family_need".to_string(), 2));
        assert_eq!(
            s.tables[2].rows,
            vec![("072043".to_string(), 2), ("072046".to_string(), 2)]
        );
        assert_eq!(years(&records), vec![2026, 2025]);

        let one_desk = summarize(&records, 2026, Some("072043"), &[]);
        assert_eq!(one_desk.accesses, 2);
        assert_eq!(one_desk.people, 1);
    }

    #[test]
    fn csv_has_totals_months_and_labelled_rows() {
        let records = vec![record("2026-02", Some("k1"), &["poverty"], None)];
        let s = summarize(&records, 2026, None, &[Dimension::Area]);
        let text = csv(&s, &|d, c| format!("{}:{c}", d.code()));
        assert!(text.starts_with("tabella;codice;voce;valore\n"));
        assert!(text.contains("totali;accessi;Accessi;1\n"));
        assert!(text.contains("mese;02;febbraio;1\n"));
        assert!(text.contains("area;poverty;area:poverty;1\n"));
    }
}
