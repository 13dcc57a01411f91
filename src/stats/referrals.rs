//! Referrals in a period: how many were sent, where they stand, and how long the receiving
//! services took to answer (the median, in days). Counted from the referrals themselves (a desk
//! sends tens a month, not thousands), at the desk from its own, at the district from its inbox.

use chrono::{DateTime, Local, Utc};

use super::{Month, Period};
use crate::domain::referral::{ReferralStatus, StatusChange};

/// What the report needs of one referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFacts {
    pub sent_at: DateTime<Utc>,
    /// The first answer (accepted or refused), if any.
    pub answered_at: Option<DateTime<Utc>>,
    pub status: ReferralStatus,
    /// To the professional social service of the Ambito (else to a service of the directory).
    pub to_ssp: bool,
}

impl ReferralFacts {
    /// From a referral's steps (oldest first) and its status now; `None` for one never sent.
    pub fn of(history: &[StatusChange], status: ReferralStatus, to_ssp: bool) -> Option<Self> {
        let sent_at = history
            .iter()
            .find(|h| h.status != ReferralStatus::Bozza)
            .map(|h| h.at)?;
        Some(ReferralFacts {
            sent_at,
            answered_at: first_answer(history, sent_at),
            status,
            to_ssp,
        })
    }

    /// The month it was sent, as lived at the desk.
    pub fn month(&self) -> Option<Month> {
        Month::parse(
            &self
                .sent_at
                .with_timezone(&Local)
                .format("%Y-%m")
                .to_string(),
        )
    }
}

/// The first acceptance or refusal after `sent_at`.
pub fn first_answer(steps: &[StatusChange], sent_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    steps
        .iter()
        .filter(|h| {
            matches!(
                h.status,
                ReferralStatus::Accettato | ReferralStatus::Respinto
            )
        })
        .map(|h| h.at)
        .find(|at| *at >= sent_at)
}

/// The referrals sent in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferralReport {
    pub sent: u64,
    pub to_ssp: u64,
    pub to_services: u64,
    /// Where the referrals sent in the period stand now, in the order of the statuses.
    pub by_status: Vec<(ReferralStatus, u64)>,
    /// Those answered (accepted or refused) so far.
    pub answered: u64,
    /// Median days from sending to the first answer, among those answered.
    pub median_days: Option<f64>,
    /// Sent in each month of the period.
    pub by_month: Vec<u64>,
}

pub fn summarize(period: Period, facts: impl IntoIterator<Item = ReferralFacts>) -> ReferralReport {
    let mut r = ReferralReport {
        by_month: vec![0; period.len()],
        ..Default::default()
    };
    let mut days = Vec::new();
    let mut statuses = [0u64; ReferralStatus::ALL.len()];
    for f in facts {
        let Some(i) = f.month().and_then(|m| period.position(m)) else {
            continue;
        };
        r.sent += 1;
        r.by_month[i] += 1;
        if f.to_ssp {
            r.to_ssp += 1;
        } else {
            r.to_services += 1;
        }
        if let Some(k) = ReferralStatus::ALL.iter().position(|s| *s == f.status) {
            statuses[k] += 1;
        }
        if let Some(a) = f.answered_at {
            r.answered += 1;
            days.push((a - f.sent_at).num_seconds() as f64 / 86_400.0);
        }
    }
    r.by_status = ReferralStatus::ALL
        .iter()
        .zip(statuses)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| (*s, n))
        .collect();
    r.median_days = median(&mut days);
    r
}

/// One line of the referrals' table: code, label, this period, the year before (a count, or
/// for the median a number of days).
pub struct Line {
    pub code: String,
    pub label: String,
    pub now: Option<f64>,
    pub before: Option<f64>,
    /// A count (growth makes sense), not days.
    pub count: bool,
}

impl Line {
    /// A value as the page and the PDF print it: "12", "3,5 giorni", "–".
    pub fn text(&self, v: Option<f64>) -> String {
        match v {
            None => "–".into(),
            Some(v) if self.count => crate::domain::text::thousands(v as u64),
            Some(v) => format!("{v:.1} giorni").replace('.', ","),
        }
    }

    /// The change against the year before, for a count.
    pub fn change(&self) -> Option<f64> {
        match (self.count, self.now, self.before) {
            (true, Some(a), Some(b)) => super::growth(a as u64, b as u64),
            _ => None,
        }
    }

    /// The line of all referrals sent, which the CSV gives month by month too.
    pub fn code_is_sent(&self) -> bool {
        self.code == "inviati"
    }
}

/// The table of the referrals, the same for the page, the PDF, the CSV and the API.
pub fn lines(now: &ReferralReport, before: &ReferralReport) -> Vec<Line> {
    let count = |code: &str, label: &str, f: &dyn Fn(&ReferralReport) -> u64| Line {
        code: code.into(),
        label: label.into(),
        now: Some(f(now) as f64),
        before: Some(f(before) as f64),
        count: true,
    };
    let mut out = vec![
        count("inviati", "Invii fatti nel periodo", &|r| r.sent),
        count("al_ssp", "al Servizio Sociale Professionale", &|r| r.to_ssp),
        count(
            "ad_altri_servizi",
            "ad altri servizi del territorio",
            &|r| r.to_services,
        ),
    ];
    for status in ReferralStatus::ALL {
        let n = |r: &ReferralReport| {
            r.by_status
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n)
        };
        if n(now) + n(before) > 0 {
            out.push(count(
                status.code(),
                &format!("oggi nello stato «{}»", status.label()),
                &n,
            ));
        }
    }
    out.push(count(
        "risposte",
        "con una risposta (accettati o respinti)",
        &|r| r.answered,
    ));
    out.push(Line {
        code: "giorni_risposta".into(),
        label: "Giorni per la risposta (mediana)".into(),
        now: now.median_days,
        before: before.median_days,
        count: false,
    });
    out
}

/// The median, in whole days (half-days when the middle falls between two).
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    for v in values.iter_mut() {
        *v = v.floor();
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, 10, 0, 0).unwrap()
    }

    fn step(status: ReferralStatus, when: DateTime<Utc>) -> StatusChange {
        StatusChange {
            status,
            at: when,
            by: "t".into(),
            note: String::new(),
        }
    }

    #[test]
    fn the_median_days_to_an_answer() {
        use ReferralStatus::*;
        let sent = |d: u32, m: u32, answer: Option<(ReferralStatus, u32, u32)>, ssp: bool| {
            let mut h = vec![step(Bozza, at(d, m)), step(Inviato, at(d, m))];
            let mut status = Inviato;
            if let Some((s, ad, am)) = answer {
                h.push(step(Ricevuto, at(ad, am)));
                h.push(step(s, at(ad, am)));
                status = s;
            }
            ReferralFacts::of(&h, status, ssp).unwrap()
        };
        let facts = vec![
            // Answered after 2, 10 and 5 days; one waiting; one in another month.
            sent(1, 3, Some((Accettato, 3, 3)), true),
            sent(5, 3, Some((Respinto, 15, 3)), true),
            sent(20, 3, Some((Accettato, 25, 3)), false),
            sent(28, 3, None, true),
            sent(10, 5, Some((Accettato, 11, 5)), true),
        ];
        let march = Period::new(
            Month::parse("2026-03").unwrap(),
            Month::parse("2026-04").unwrap(),
        )
        .unwrap();
        let r = summarize(march, facts.clone());
        assert_eq!((r.sent, r.to_ssp, r.to_services, r.answered), (4, 3, 1, 3));
        assert_eq!(r.by_month, [4, 0]);
        // 2, 5, 10: the median is 5.
        assert_eq!(r.median_days, Some(5.0));
        assert_eq!(r.by_status, [(Inviato, 1), (Accettato, 2), (Respinto, 1)]);
        // With the May one (1 day): 1, 2, 5, 10 → 3.5.
        let spring = Period::new(
            Month::parse("2026-03").unwrap(),
            Month::parse("2026-05").unwrap(),
        )
        .unwrap();
        assert_eq!(summarize(spring, facts).median_days, Some(3.5));
        // A draft never sent is no referral of any period.
        assert!(ReferralFacts::of(&[step(Bozza, at(1, 3))], Bozza, true).is_none());
    }
}
