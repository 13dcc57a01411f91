//! Finding persons from one search box: a codice fiscale (whole or its beginning), a temporary
//! code, or words of the name in any order — accents and case ignored, one typo per word
//! forgiven. Every lookup goes through an index; nothing scans the persons table.

use chrono::{Datelike, NaiveDate};

use std::collections::{HashMap, HashSet};
use uuid::Uuid;

use super::codec::open_id;
use super::index_keys::{IndexKeys, CODE_PREFIXES};
use super::tables::{
    PERSONS, PERSON_BY_BIRTH, PERSON_BY_CODE, PERSON_BY_CODE_PREFIX, PERSON_BY_WORD,
    PERSON_WORD_PREFIX,
};
use super::{Store, StoreError};
use crate::domain::codice_fiscale::normalize;
use crate::domain::person::{parse_date, Person};
use crate::domain::text::words;

/// Points for a query word that matches a name word exactly, by its beginning, or with one typo.
const EXACT: u32 = 30;
const PREFIX: u32 = 20;
const TYPO: u32 = 10;
/// Bounds on the work one query word may cause: distinct words scanned for a beginning, and
/// candidates kept from the rarest word.
const MAX_PREFIX_KEYS: usize = 400;
/// Longest query considered, how many of its words, and the longest word tried with a typo.
const MAX_QUERY_CHARS: usize = 120;
const MAX_QUERY_WORDS: usize = 6;
const MAX_TYPO_WORD_CHARS: usize = 24;
const MAX_IDS_PER_WORD: usize = 200_000;
/// Sealed: persons read to check a typed beginning of a code longer than the indexed one.
const MAX_CODE_CANDIDATES: usize = 2_000;
/// Up to this many candidates, a later query word is scored against each candidate's own name
/// instead of walking its posting list (a common given name has tens of thousands of ids).
const SCORE_OWN_NAMES_UP_TO: usize = 1_000;
/// Posting lists are counted only up to here to order the words (the rarest first).
const COUNT_CAP: usize = 5_000;

#[derive(Debug, Clone)]
pub struct SearchHit {
    pub person: Person,
    pub score: u32,
}

/// Every string one edit away from `word` (deletion, transposition, substitution, insertion).
fn edits1(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let mut out = Vec::with_capacity(54 * n + 25);
    for i in 0..n {
        let mut v = chars.clone();
        v.remove(i);
        out.push(v.into_iter().collect());
    }
    for i in 0..n.saturating_sub(1) {
        let mut v = chars.clone();
        v.swap(i, i + 1);
        out.push(v.into_iter().collect());
    }
    for i in 0..n {
        for c in 'a'..='z' {
            if c != chars[i] {
                let mut v = chars.clone();
                v[i] = c;
                out.push(v.into_iter().collect());
            }
        }
    }
    for i in 0..=n {
        for c in 'a'..='z' {
            let mut v = chars.clone();
            v.insert(i, c);
            out.push(v.into_iter().collect());
        }
    }
    out
}

/// The two fields of a stored person that the search scores (the rest is not decoded).
#[derive(serde::Deserialize)]
struct NameOnly {
    surname: String,
    given_names: String,
}

/// Whether `a` and `b` differ by at most one edit (deletion, insertion, substitution or the
/// swap of two neighbours): what `edits1` reaches, checked without generating the variants.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > 1 {
        return false;
    }
    let first = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if first == n.min(m) {
        return true;
    }
    if n == m {
        // One substitution, or a swap of neighbours.
        a[first + 1..] == b[first + 1..]
            || (first + 1 < n
                && a[first] == b[first + 1]
                && a[first + 1] == b[first]
                && a[first + 2..] == b[first + 2..])
    } else if n > m {
        a[first + 1..] == b[first..]
    } else {
        a[first..] == b[first + 1..]
    }
}

/// The points a query word earns against a person's name words (0: no match).
fn score_word(w: &str, name: &std::collections::BTreeSet<String>) -> u32 {
    let len = w.chars().count();
    name.iter()
        .map(|n| {
            if n == w {
                EXACT
            } else if n.starts_with(w) {
                // A single letter is an initial ("Scarano A").
                PREFIX
            } else if (3..=MAX_TYPO_WORD_CHARS).contains(&len) && within_one_edit(w, n) {
                TYPO
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0)
}

/// Whether the query looks like a code rather than a name.
fn looks_like_code(code: &str) -> bool {
    code.len() >= 4
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && (code.chars().any(|c| c.is_ascii_digit())
            || code.len() == 16
            || code.starts_with("PROVV-"))
}

/// Whether the query could be the beginning of a codice fiscale by its letters only: the six
/// letters of surname and name ("SCRNNA"), perhaps followed by more of the code.
fn looks_like_stem(code: &str) -> bool {
    (6..=15).contains(&code.len())
        && code.bytes().take(6).all(|b| b.is_ascii_alphabetic())
        && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Store {
    /// Persons matching `query`, best first, at most `limit`.
    pub fn search_persons(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        // A search box holds a name, not a novel: long input would only cost memory.
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let query = query.as_str();
        let txn = self.begin_read()?;
        let persons = txn.open_table(PERSONS)?;
        let load = |id: u128| -> Result<Option<Person>, StoreError> {
            persons
                .get(id)?
                .map(|v| open_id(txn.sealing(), PERSONS, id, v.value()))
                .transpose()
        };

        let keys = IndexKeys::of(txn.sealing())?;
        let code = normalize(query);
        let mut stem_hits = Vec::new();
        if looks_like_code(&code) || looks_like_stem(&code) {
            let by_code = txn.open_table(PERSON_BY_CODE)?;
            let mut hits = Vec::new();
            if keys.is_hashed() {
                // Hashed keys keep no order: the whole code, else an indexed beginning whose
                // persons are checked against the rest of what was typed.
                if let Some(id) = by_code.get(keys.code(&code).as_ref())? {
                    if let Some(person) = load(id.value())? {
                        hits.push(SearchHit { person, score: 120 });
                    }
                }
                let indexed = CODE_PREFIXES.into_iter().find(|n| code.len() >= *n);
                if let (true, Some(n)) = (hits.is_empty(), indexed) {
                    let by_prefix = match txn.open_multimap_table(PERSON_BY_CODE_PREFIX) {
                        Ok(t) => Some(t),
                        Err(redb::TableError::TableDoesNotExist(_)) => None,
                        Err(e) => return Err(e.into()),
                    };
                    if let Some(by_prefix) = by_prefix {
                        let prefix = keys.code_prefix(&code[..n]);
                        for id in by_prefix.get(prefix.as_ref())?.take(MAX_CODE_CANDIDATES) {
                            if hits.len() >= limit {
                                break;
                            }
                            if let Some(person) = load(id?.value())? {
                                if person.code().is_some_and(|c| c.starts_with(code.as_str())) {
                                    hits.push(SearchHit { person, score: 100 });
                                }
                            }
                        }
                    }
                }
            } else {
                for row in by_code.range(code.as_str()..)? {
                    let (k, id) = row?;
                    if !k.value().starts_with(code.as_str()) || hits.len() >= limit {
                        break;
                    }
                    if let Some(person) = load(id.value())? {
                        let score = if k.value() == code { 120 } else { 100 };
                        hits.push(SearchHit { person, score });
                    }
                }
            }
            if looks_like_code(&code) && !hits.is_empty() {
                return Ok(hits);
            }
            // Six letters may be a code's beginning or a name: both are shown, codes first.
            stem_hits = hits;
        }

        // A birth date (gg/mm/aaaa) or a birth year in the query narrows the names found.
        let by_birth = txn.open_multimap_table(PERSON_BY_BIRTH)?;
        let mut born: Option<HashSet<u128>> = None;
        let mut name_part = Vec::new();
        for token in query.split_whitespace() {
            let days = if let Some(d) = parse_date(token) {
                Some((d.num_days_from_ce(), d.num_days_from_ce()))
            } else if let Some(y) = token
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
            {
                NaiveDate::from_ymd_opt(y, 1, 1)
                    .zip(NaiveDate::from_ymd_opt(y, 12, 31))
                    .map(|(a, b)| (a.num_days_from_ce(), b.num_days_from_ce()))
            } else {
                None
            };
            match days {
                Some((from, to)) => {
                    let mut ids = HashSet::new();
                    if keys.is_hashed() {
                        // Hashed dates keep no order: a year is 365 lookups.
                        for day in from..=to {
                            for id in by_birth.get(keys.birth(day))? {
                                ids.insert(id?.value());
                            }
                        }
                    } else {
                        for row in by_birth.range(from..=to)? {
                            let (_, values) = row?;
                            for id in values {
                                ids.insert(id?.value());
                            }
                        }
                    }
                    born = Some(match born {
                        None => ids,
                        Some(prev) => prev.intersection(&ids).copied().collect(),
                    });
                }
                None => name_part.push(token),
            }
        }
        let mut query_words = words(&name_part.join(" "));
        query_words.truncate(MAX_QUERY_WORDS);
        if query_words.is_empty() {
            let mut ids: Vec<u128> = born.unwrap_or_default().into_iter().collect();
            ids.sort_unstable();
            let mut hits = Vec::new();
            for id in ids.into_iter().take(limit) {
                if let Some(person) = load(id)? {
                    hits.push(SearchHit {
                        person,
                        score: EXACT,
                    });
                }
            }
            return Ok(hits);
        }
        let by_word = txn.open_multimap_table(PERSON_BY_WORD)?;
        // Sealed: the beginnings of words have their own hashed entries.
        let prefixes = if keys.is_hashed() {
            match txn.open_multimap_table(PERSON_WORD_PREFIX) {
                Ok(t) => Some(t),
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(e.into()),
            }
        } else {
            None
        };
        // Rarest word first: its matches are the candidates; every later word only scores them,
        // so no list is ever cut short and memory stays bounded by the rarest word.
        let mut ordered: Vec<(usize, &String)> = Vec::new();
        for w in &query_words {
            ordered.push((
                by_word.get(keys.word(w).as_ref())?.take(COUNT_CAP).count(),
                w,
            ));
        }
        // An initial ("Scarano A") only narrows what the other words found.
        let initial = |w: &str| w.chars().count() == 1;
        let all_initials = query_words.iter().all(|w| initial(w));
        ordered.sort_by_key(|(count, w)| (initial(w), *count, std::cmp::Reverse(w.len())));
        // Candidates so far, when a birth date already narrowed them.
        let mut totals: Option<HashMap<u128, u32>> =
            born.as_ref().map(|b| b.iter().map(|id| (*id, 0)).collect());
        // The name words of candidates already read (only the two name fields are decoded).
        let mut names: HashMap<u128, std::collections::BTreeSet<String>> = HashMap::new();
        for (_, w) in ordered {
            if let Some(candidates) = totals
                .as_ref()
                .filter(|t| t.len() <= SCORE_OWN_NAMES_UP_TO || initial(w))
            {
                let mut next = HashMap::with_capacity(candidates.len());
                for (&id, &score) in candidates {
                    let name = match names.entry(id) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => match persons.get(id)? {
                            Some(v) => {
                                let n: NameOnly = open_id(txn.sealing(), PERSONS, id, v.value())?;
                                e.insert(
                                    words(&format!("{} {}", n.surname, n.given_names))
                                        .into_iter()
                                        .collect(),
                                )
                            }
                            None => continue,
                        },
                    };
                    let points = score_word(w, name);
                    if points > 0 {
                        next.insert(id, score + points);
                    }
                }
                totals = Some(next);
                continue;
            }
            let mut best: HashMap<u128, u32> = HashMap::new();
            let mut add = |id: u128, points: u32| {
                let wanted = match &totals {
                    Some(t) => t.contains_key(&id),
                    None => best.len() < MAX_IDS_PER_WORD || best.contains_key(&id),
                };
                if wanted {
                    let e = best.entry(id).or_insert(0);
                    *e = (*e).max(points);
                }
            };
            for id in by_word.get(keys.word(w).as_ref())? {
                add(id?.value(), EXACT);
            }
            if w.chars().count() >= 2 || all_initials {
                if let Some(prefixes) = &prefixes {
                    for word in prefixes
                        .get(keys.word_prefix(w).as_ref())?
                        .take(MAX_PREFIX_KEYS)
                    {
                        for id in by_word.get(word?.value())? {
                            add(id?.value(), PREFIX);
                        }
                    }
                } else if !keys.is_hashed() {
                    for (n, row) in by_word.range(w.as_str()..)?.enumerate() {
                        let (key, ids) = row?;
                        if n >= MAX_PREFIX_KEYS || !key.value().starts_with(w.as_str()) {
                            break;
                        }
                        for id in ids {
                            add(id?.value(), PREFIX);
                        }
                    }
                }
            }
            if (3..=MAX_TYPO_WORD_CHARS).contains(&w.chars().count()) {
                for variant in edits1(w) {
                    for id in by_word.get(keys.word(&variant).as_ref())? {
                        add(id?.value(), TYPO);
                    }
                }
            }
            // Every word of the query must match something in the name.
            totals = Some(match totals {
                None => best,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(id, score)| best.get(&id).map(|b| (id, score + b)))
                    .collect(),
            });
        }
        let mut ranked: Vec<(u128, u32)> = totals.unwrap_or_default().into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut hits = Vec::new();
        for (id, score) in ranked.into_iter().take(limit.saturating_mul(4).max(limit)) {
            if let Some(person) = load(id)? {
                hits.push(SearchHit { person, score });
            }
        }
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.person.display_name().cmp(&b.person.display_name()))
        });
        if !stem_hits.is_empty() {
            let shown: HashSet<Uuid> = stem_hits.iter().map(|h| h.person.id).collect();
            stem_hits.extend(hits.into_iter().filter(|h| !shown.contains(&h.person.id)));
            hits = stem_hits;
        }
        hits.truncate(limit);
        Ok(hits)
    }

    /// Persons by id, in the order given (missing ones skipped).
    pub fn persons_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Person>, StoreError> {
        self.snapshot()?.persons_by_ids(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codice_fiscale::compose;
    use crate::domain::person::{new_temporary_code, PersonData, Sex};
    use crate::store::test_support::temp_store;
    use chrono::{NaiveDate, Utc};

    #[test]
    fn one_edit_is_what_edits1_reaches() {
        for (a, b) in [
            ("rossi", "rosi"),
            ("rossi", "rosssi"),
            ("rossi", "rassi"),
            ("rossi", "orssi"),
            ("rossi", "rossi"),
        ] {
            assert!(within_one_edit(a, b), "{a} {b}");
            assert!(edits1(a).contains(&b.to_string()) || a == b, "{a} {b}");
        }
        for (a, b) in [
            ("rossi", "ross"),
            ("rossi", "russo"),
            ("rossi", "rsosi x"),
            ("abc", "cab"),
        ] {
            assert_eq!(
                within_one_edit(a, b),
                edits1(a).contains(&b.to_string()),
                "{a} {b}"
            );
        }
        assert!(!within_one_edit("rossi", "bianchi"));
    }

    proptest::proptest! {
        #[test]
        fn within_one_edit_agrees_with_edits1(a in "[a-e]{0,6}", b in "[a-e]{0,7}") {
            let expected = a == b || edits1(&a).contains(&b);
            proptest::prop_assert_eq!(within_one_edit(&a, &b), expected);
        }
    }

    fn person(surname: &str, names: &str, cf: bool) -> Person {
        let birth = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
        PersonData {
            codice_fiscale: cf.then(|| compose(surname, names, Sex::M, birth, "H501")),
            surname: surname.into(),
            given_names: names.into(),
            sex: Some(Sex::M),
            birth_date: Some(birth),
            birth_place: None,
            citizenship: None,
            residence_istat: None,
            domicile_istat: None,
            homeless: false,
            phone: String::new(),
            email: String::new(),
            language: String::new(),
            household: vec![],
            household_links: vec![],
            warnings: vec![],
        }
        .into_new_person(new_temporary_code(), Utc::now())
    }

    #[test]
    fn names_in_any_order_accents_typos_and_codes_find_the_person() {
        let (_dir, store) = temp_store();
        let rossi = person("Rossi", "Mario", true);
        let russo = person("Russo", "Lucia", true);
        let dangelo = person("D'Angelò", "Niccolò", false);
        for p in [&rossi, &russo, &dangelo] {
            store.create_person(p, "test").unwrap();
        }
        let names = |q: &str| -> Vec<String> {
            store
                .search_persons(q, 10)
                .unwrap()
                .into_iter()
                .map(|h| h.person.surname)
                .collect()
        };
        assert_eq!(names("rossi mario"), vec!["Rossi"]);
        assert_eq!(names("MARIO ROSSI"), vec!["Rossi"]);
        assert_eq!(names("Rosi"), vec!["Rossi"], "one letter missing");
        assert_eq!(names("rsosi"), vec!["Rossi"], "two letters swapped");
        assert_eq!(names("angelo niccolo"), vec!["D'Angelò"]);
        assert_eq!(names("ros"), vec!["Rossi"], "beginning of a word");
        // Exact beats a typo: "russo" is Russo exactly and Rossi with two edits (not found).
        assert_eq!(names("russo"), vec!["Russo"]);
        assert!(names("bianchi").is_empty());
        // A birth date or year narrows the names.
        assert_eq!(names("rossi 01/01/1980"), vec!["Rossi"]);
        assert_eq!(names("mario 1980"), vec!["Rossi"]);
        assert!(names("rossi 1981").is_empty());
        assert_eq!(
            names("01/01/1980").len(),
            3,
            "a date alone lists who was born that day"
        );
        let cf = rossi.codice_fiscale.clone().unwrap();
        assert_eq!(names(&cf.as_str().to_lowercase()), vec!["Rossi"]);
        assert_eq!(
            names(&cf.as_str()[..11]),
            vec!["Rossi"],
            "beginning of the code"
        );
        assert_eq!(
            names(dangelo.temporary_code.as_deref().unwrap()),
            vec!["D'Angelò"]
        );
    }

    #[test]
    fn a_surname_with_an_initial_and_the_six_letters_of_a_code_find_the_person() {
        let (_dir, store) = temp_store();
        let anna = person("Scarano", "Anna", true);
        let bruno = person("Scarano", "Bruno", true);
        let other = person("Scarpa", "Anna", false);
        for p in [&anna, &bruno, &other] {
            store.create_person(p, "test").unwrap();
        }
        let names = |q: &str| -> Vec<String> {
            store
                .search_persons(q, 10)
                .unwrap()
                .into_iter()
                .map(|h| h.person.display_name())
                .collect()
        };
        assert_eq!(names("Scarano A"), vec![anna.display_name()]);
        assert_eq!(names("a scarano"), vec![anna.display_name()]);
        assert_eq!(names("Scarano B."), vec![bruno.display_name()]);
        assert!(names("Scarano C").is_empty());
        // The first six letters of her codice fiscale (surname and name letters).
        assert!(anna
            .codice_fiscale
            .as_ref()
            .unwrap()
            .as_str()
            .starts_with("SCRNNA"));
        assert_eq!(names("SCRNNA"), vec![anna.display_name()]);
        assert_eq!(names("scrnna"), vec![anna.display_name()]);
        assert_eq!(names("SCRBRN"), vec![bruno.display_name()]);
        // Six letters that are a name still find the name.
        assert_eq!(names("Scarpa"), vec![other.display_name()]);
    }

    #[test]
    fn a_code_belongs_to_one_person_and_edits_keep_history_and_indexes() {
        let (_dir, store) = temp_store();
        let a = person("Rossi", "Mario", true);
        store.create_person(&a, "test").unwrap();
        let mut twin = person("Rossi", "Mario", true);
        twin.id = Uuid::now_v7();
        assert!(
            matches!(store.create_person(&twin, "test"), Err(StoreError::DuplicateCode(id)) if id == a.id)
        );

        let data = PersonData {
            codice_fiscale: a.codice_fiscale.clone(),
            surname: "Rossini".into(),
            given_names: "Mario".into(),
            sex: a.sex,
            birth_date: a.birth_date,
            birth_place: None,
            citizenship: None,
            residence_istat: None,
            domicile_istat: None,
            homeless: false,
            phone: "080 1234".into(),
            email: String::new(),
            language: String::new(),
            household: vec![],
            household_links: vec![],
            warnings: vec![],
        };
        let (after, fields) = store.update_person(a.id, data.clone(), "anna").unwrap();
        assert_eq!(fields, vec!["Cognome", "Telefono"]);
        assert_eq!(after.surname, "Rossini");
        let history = store.person_history(a.id).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].user, "anna");
        assert_eq!(history[0].changes[0].before, "Rossi");
        let found: Vec<_> = store
            .search_persons("rossini", 5)
            .unwrap()
            .into_iter()
            .map(|h| h.person.id)
            .collect();
        assert_eq!(found, vec![a.id]);
        assert_eq!(
            store.search_persons("rossi", 5).unwrap().len(),
            1,
            "typo of Rossini, old word gone"
        );
        // Duplicate check by birth date and a close name.
        let close = PersonData {
            surname: "Rosini".into(),
            codice_fiscale: None,
            ..data
        };
        assert_eq!(store.possible_duplicates(&close).unwrap().len(), 1);
    }
}
