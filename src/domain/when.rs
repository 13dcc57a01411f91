//! Dates and times as typed at the desk: one reader for every form, so every field gives the
//! same answer to the same text ("Il 31/02/2024 non esiste", not "use the format").

use chrono::{Datelike, NaiveDate, NaiveTime};
use thiserror::Error;

/// Italian weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica",
];

/// Italian month names, January first.
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

/// A date as a letter writes it: "giovedì 10 dicembre 2026".
pub fn long_date(d: NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

/// Why a typed date was not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("Data non valida: usare il formato gg/mm/aaaa.")]
    Format,
    /// Written in the right shape, but no such day in the calendar.
    #[error("Il {0} non esiste.")]
    NoSuchDay(String),
    #[error("Data fuori dal calendario gestito (anni 1800–2200).")]
    OutOfRange,
}

/// Why a typed time was not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeError {
    #[error("Ora non valida (00:00–23:59).")]
    Invalid,
}

/// Reads 01/03/2024 (also 1/3/2024, 01.03.2024, 01-03-2024) or 2024-03-01 (ISO, as APIs send it).
pub fn read_date(text: &str) -> Result<NaiveDate, DateError> {
    let t = text.trim();
    let parts: Vec<&str> = t.split(['/', '.', '-']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(DateError::Format);
    };
    let short = |p: &str| is_digits(p, 1, 2);
    let year = |p: &str| is_digits(p, 4, 4);
    // ISO when the four-digit year comes first, Italian day/month/year otherwise.
    let (day, month, year) = if year(a) && short(b) && short(c) {
        (c, b, a)
    } else if short(a) && short(b) && year(c) {
        (a, b, c)
    } else {
        return Err(DateError::Format);
    };
    let n = |p: &str| p.parse::<u32>().map_err(|_| DateError::Format);
    let (day, month, year) = (n(day)?, n(month)?, n(year)?);
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| DateError::NoSuchDay(format!("{day:02}/{month:02}/{year:04}")))?;
    // Dates the desk deals with; far-off years would only overflow date arithmetic.
    if (1800..=2200).contains(&date.year()) {
        Ok(date)
    } else {
        Err(DateError::OutOfRange)
    }
}

/// Reads 09:30, 9.30 or 09:30:00; hours 00–23, minutes 00–59.
pub fn read_time(text: &str) -> Result<NaiveTime, TimeError> {
    let t = text.trim();
    let parts: Vec<&str> = t.split([':', '.']).collect();
    let (h, m, s) = match parts.as_slice() {
        [h, m] if is_digits(h, 1, 2) && is_digits(m, 2, 2) => (*h, *m, "0"),
        [h, m, s] if is_digits(h, 1, 2) && is_digits(m, 2, 2) && is_digits(s, 2, 2) => (*h, *m, *s),
        _ => return Err(TimeError::Invalid),
    };
    let n = |p: &str| p.parse::<u32>().map_err(|_| TimeError::Invalid);
    NaiveTime::from_hms_opt(n(h)?, n(m)?, n(s)?).ok_or(TimeError::Invalid)
}

fn is_digits(p: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
}

/// A period typed as two optional dates (a filter's "dal" and "al"): each read as every date
/// is, and the end not before the start, so a wrong filter says so instead of showing nothing.
pub fn read_period(
    from: &str,
    to: &str,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), super::validation::Invalid> {
    let mut invalid = super::validation::Invalid::new();
    let mut one = |field: &'static str, text: &str| match text.trim() {
        "" => None,
        t => read_date(t)
            .map_err(|e| invalid.add(field, e.to_string()))
            .ok(),
    };
    let (start, end) = (one("dal", from), one("al", to));
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            invalid.add(
                "al",
                format!(
                    "La fine del periodo ({}) è prima del suo inizio ({}).",
                    e.format("%d/%m/%Y"),
                    s.format("%d/%m/%Y")
                ),
            );
        }
    }
    invalid.into_result((start, end))
}

/// Every clock time written in a free text ("lun–ven 9:00–12:30") must be a real one.
pub fn check_times_in(text: &str) -> Result<(), String> {
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let sep = bytes.get(i).copied();
            let minutes: String = bytes.iter().skip(i + 1).take(2).collect();
            let after = bytes.get(i + 3).copied();
            if sep == Some(':')
                && minutes.len() == 2
                && minutes.chars().all(|c| c.is_ascii_digit())
                && !after.is_some_and(|c| c.is_ascii_digit())
            {
                let written: String = bytes[start..i + 3].iter().collect();
                if read_time(&written).is_err() {
                    return Err(format!("Orario «{written}» non valido (00:00–23:59)."));
                }
                i += 3;
            }
        } else {
            i += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_date_has_its_weekday() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        assert_eq!(long_date(d), "giovedì 10 dicembre 2026");
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()),
            "lunedì 1 marzo 2027"
        );
    }

    #[test]
    fn a_date_in_the_right_shape_that_does_not_exist_says_so() {
        assert_eq!(
            read_date("31/02/2024").unwrap_err().to_string(),
            "Il 31/02/2024 non esiste."
        );
        assert_eq!(
            read_date("29/02/2023").unwrap_err(),
            DateError::NoSuchDay("29/02/2023".into())
        );
        assert_eq!(
            read_date("2024-13-01").unwrap_err(),
            DateError::NoSuchDay("01/13/2024".into())
        );
        assert_eq!(
            read_date("29/02/2024"),
            NaiveDate::from_ymd_opt(2024, 2, 29).ok_or(DateError::Format)
        );
        assert_eq!(
            read_date("1/3/2024"),
            NaiveDate::from_ymd_opt(2024, 3, 1).ok_or(DateError::Format)
        );
        assert_eq!(
            read_date("2024-03-01"),
            NaiveDate::from_ymd_opt(2024, 3, 1).ok_or(DateError::Format)
        );
        assert_eq!(
            read_date("01.03.2024"),
            NaiveDate::from_ymd_opt(2024, 3, 1).ok_or(DateError::Format)
        );
    }

    #[test]
    fn a_period_names_the_wrong_date_or_the_reversed_order() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(read_period("", ""), Ok((None, None)));
        assert_eq!(read_period("01/03/2024", " "), Ok((day(2024, 3, 1), None)));
        let bad = read_period("31/02/2024", "ieri").unwrap_err();
        assert_eq!(bad.message("dal"), Some("Il 31/02/2024 non esiste."));
        assert_eq!(
            bad.message("al"),
            Some("Data non valida: usare il formato gg/mm/aaaa.")
        );
        let reversed = read_period("10/03/2024", "01/03/2024").unwrap_err();
        assert_eq!(
            reversed.message("al"),
            Some("La fine del periodo (01/03/2024) è prima del suo inizio (10/03/2024).")
        );
        assert_eq!(reversed.message("dal"), None);
    }

    #[test]
    fn other_shapes_ask_for_the_format() {
        for t in [
            "",
            "ieri",
            "31/02",
            "03/01/24",
            "2024/3",
            "1/1/1/2024",
            "١/٣/٢٠٢٤",
            "+1/03/2024",
        ] {
            assert_eq!(read_date(t), Err(DateError::Format), "{t}");
        }
        assert_eq!(read_date("01/01/1700"), Err(DateError::OutOfRange));
    }

    #[test]
    fn times_are_real_clock_times() {
        for t in [
            "25:00", "24:00", "12:60", "9", "9:5", "ore 9", "-1:00", "12:00:61",
        ] {
            assert_eq!(read_time(t), Err(TimeError::Invalid), "{t}");
        }
        assert_eq!(
            read_time("25:00").unwrap_err().to_string(),
            "Ora non valida (00:00–23:59)."
        );
        assert_eq!(
            read_time("9.30"),
            NaiveTime::from_hms_opt(9, 30, 0).ok_or(TimeError::Invalid)
        );
        assert_eq!(
            read_time("23:59:59"),
            NaiveTime::from_hms_opt(23, 59, 59).ok_or(TimeError::Invalid)
        );
        assert_eq!(read_time(" 00:00 "), Ok(NaiveTime::MIN));
    }

    #[test]
    fn times_in_free_text_are_checked() {
        assert!(check_times_in("lun–ven 9:00–12:30, gio 15:00-17:00").is_ok());
        assert!(check_times_in("su appuntamento; tel. 0733 123456").is_ok());
        assert_eq!(
            check_times_in("lun 9:00-25:00"),
            Err("Orario «25:00» non valido (00:00–23:59).".into())
        );
        assert!(check_times_in("mar 14:75").is_err());
    }
}
