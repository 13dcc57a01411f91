//! The data subject's rights: the art. 15 report of everything held and who accessed it.

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use super::{check_len, AppError, Ctx};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::audit::sentence;
use crate::domain::audit::AuditEntry;
use crate::domain::audit::{compare_with_log, verify_copy, Action, ChainError, CopyVerified};
use crate::domain::person::{Person, PersonChange};
use crate::domain::policy;
use crate::domain::privacy::{
    art15_information, Consent, Restriction, SubjectFacts, CONSENT_PURPOSES,
};
use crate::domain::referral::Referral;
use crate::domain::user::described;
use crate::domain::Invalid;
use crate::store::Store;
use crate::store::{AuditFilter, StoreError};

/// Everything held about a person (art. 15), with who accessed it, in words the person reads:
/// users by name and role, operations as sentences, never a code or a username alone.
#[derive(Debug, Serialize)]
pub struct SubjectReport {
    pub generated_at: chrono::DateTime<Utc>,
    pub person: Person,
    pub change_history: Vec<PersonChange>,
    pub accesses: Vec<Access>,
    pub referrals: Vec<Referral>,
    pub appointments: Vec<Appointment>,
    /// Every audited read, change or print of the person's records: who and when.
    pub audit: Vec<AuditLine>,
    /// What art. 15.1 a–h asks to tell besides the data: purposes, recipients, retention, rights.
    pub information: Vec<InformationSection>,
    /// Reserved notes were left out (art. 15.4: they would harm others); the reason is in
    /// the audit log, not here (it could itself tell about others).
    pub reserved_notes_withheld: bool,
}

/// One audited operation on the person's records, as a sentence.
#[derive(Debug, Clone, Serialize)]
pub struct AuditLine {
    pub time: chrono::DateTime<Utc>,
    /// Full name and role.
    pub by: String,
    /// "12/03/2026 10:14 — Maria Rossi (operatore) ha consultato la scheda della persona".
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InformationSection {
    pub title: String,
    pub lines: Vec<String>,
}

/// How the report is to be given: its format and channel (audited), and whether the reserved
/// notes are withheld, with the reason (recorded in the audit and told in the report).
#[derive(Debug, Default)]
pub struct Release<'a> {
    pub how: &'a str,
    pub withhold_reserved: Option<&'a str>,
}

/// The longest reason for withholding reserved notes.
pub const MAX_WITHHOLD_REASON: usize = 500;

/// The art. 15 report, for a social worker or the responsabile; giving it is audited with how
/// and with any reserved notes withheld.
pub fn report(ctx: &Ctx, id: Uuid, release: &Release) -> Result<SubjectReport, AppError> {
    policy::subject_report(ctx.actor)?;
    let reason = match release.withhold_reserved.map(str::trim) {
        None => None,
        Some("") => {
            let mut invalid = Invalid::new();
            invalid.add(
                "withhold_reason",
                "Indicare perché le note riservate non vengono date (art. 15.4: diritti di altre persone).",
            );
            return Err(AppError::Invalid(invalid));
        }
        Some(r) => {
            let mut invalid = Invalid::new();
            check_len(
                &mut invalid,
                "withhold_reason",
                "Motivo",
                r,
                MAX_WITHHOLD_REASON,
            );
            if !invalid.is_empty() {
                return Err(AppError::Invalid(invalid));
            }
            Some(r.to_string())
        }
    };
    let mut report = subject_report(ctx.store, id)?;
    if reason.is_some() {
        for a in &mut report.accesses {
            a.reserved_notes.clear();
        }
        report.reserved_notes_withheld = true;
    }
    let details = match &reason {
        Some(r) => format!("{}; note riservate non date: {r}", release.how),
        None => release.how.to_string(),
    };
    ctx.audit_about(Action::PersonReport, [id], id.to_string(), &details)?;
    Ok(report)
}

/// What will be given, for the review before release: the whole report, reserved notes
/// included (the read is audited as such, not as a report given).
pub fn report_preview(ctx: &Ctx, id: Uuid) -> Result<SubjectReport, AppError> {
    policy::subject_report(ctx.actor)?;
    let report = subject_report(ctx.store, id)?;
    ctx.audit_about(
        Action::PersonView,
        [id],
        id.to_string(),
        "verifica del rapporto art. 15 prima della consegna",
    )?;
    Ok(report)
}

fn subject_report(store: &Store, id: Uuid) -> Result<SubjectReport, AppError> {
    let snap = store.snapshot()?;
    let person = snap.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    let accesses = snap.accesses_of(id)?;
    let referrals = snap.referrals_of_person(id)?;
    let appointments = snap.appointments_of(id)?;
    // Records of the same person merged into this one: what was done with them is hers too.
    let mut audit = snap.audit_of_person(id)?;
    for m in store.merges_into(id)?.iter().filter(|m| m.undone.is_none()) {
        audit.extend(snap.audit_of_person(m.merged)?);
    }
    audit.sort_by_key(|e| e.seq);
    audit.dedup_by_key(|e| e.seq);
    let names = super::names::Names::load(store)?;
    let name = |username: &str| names.of(username);
    let audit = audit.iter().map(|e| audit_line(e, &name)).collect();
    let mut change_history = snap.person_history(id)?;
    for c in &mut change_history {
        c.user = name(&c.user);
    }
    let mut person = person;
    for c in &mut person.consents {
        c.recorded_by = name(&c.recorded_by);
    }
    if let Some(n) = &mut person.privacy_notice {
        n.recorded_by = name(&n.recorded_by);
    }
    if let Some(r) = &mut person.restriction {
        r.by = name(&r.by);
    }
    let mut accesses = accesses;
    for a in &mut accesses {
        for u in &mut a.unmet {
            u.recorded_by = name(&u.recorded_by);
        }
    }
    let mut referrals = referrals;
    for r in &mut referrals {
        for h in &mut r.history {
            h.by = name(&h.by);
        }
    }
    let mut appointments = appointments;
    for a in &mut appointments {
        for h in &mut a.history {
            h.by = name(&h.by);
        }
    }
    let instance = store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let contacts = store.desk_contacts()?;
    let controller = format!("{} – {}", instance.administration(), instance.office());
    let ambito = instance.ambito.title();
    let mut referred_to: Vec<String> = referrals.iter().map(|r| r.target_name.clone()).collect();
    referred_to.sort();
    referred_to.dedup();
    let facts = SubjectFacts {
        controller: &controller,
        ambito: &ambito,
        retention_years: store.retention_years()?,
        referred_to,
        dpo: &contacts.dpo,
        office_contact: &contacts.reach(),
    };
    let information = art15_information(&facts)
        .into_iter()
        .map(|(title, lines)| InformationSection {
            title: title.to_string(),
            lines,
        })
        .collect();
    Ok(SubjectReport {
        generated_at: Utc::now(),
        change_history,
        audit,
        person,
        accesses,
        referrals,
        appointments,
        information,
        reserved_notes_withheld: false,
    })
}

fn audit_line(e: &AuditEntry, name: &impl Fn(&str) -> String) -> AuditLine {
    let by = name(&e.user);
    let when = e
        .time
        .with_timezone(&chrono::Local)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    AuditLine {
        time: e.time,
        sentence: sentence(&when, &by, &e.action, &e.subject),
        by,
    }
}

/// What the responsabile asks of the audit log, as typed: `person` is a name, a codice fiscale,
/// a temporary code or a record id, resolved through the person index; `from` and `to` are
/// dates (gg/mm/aaaa), read here so a wrong one is named instead of ignored.
#[derive(Debug, Default)]
pub struct AuditQuery {
    pub user: String,
    pub action: String,
    pub subject: String,
    pub person: String,
    pub from: String,
    pub to: String,
    /// The person picked from a list of namesakes: kept while `person` is still her name.
    pub chosen: Option<Uuid>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, AppError> {
        let (start, end) = crate::domain::when::read_period(&self.from, &self.to)?;
        let midnight =
            |d: chrono::NaiveDate| crate::domain::access::local_instant(d, chrono::NaiveTime::MIN);
        Ok(AuditFilter {
            user: self.user.trim().to_string(),
            action: self.action.trim().to_string(),
            subject: self.subject.trim().to_string(),
            person: None,
            from: start.and_then(midnight),
            to: end.and_then(|d| midnight(d + chrono::Duration::days(1))),
        })
    }
}

pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
    pub verified: Result<(u64, String), ChainError>,
    /// The person the log was filtered on.
    pub person: Option<Person>,
    /// Persons whose names match what was typed, when more than one: the responsabile picks.
    pub candidates: Vec<Person>,
    /// Every user of the installation (username, name and roles), for the filter and the lines.
    pub users: Vec<(String, String)>,
    /// The names of the persons the shown entries concern.
    pub person_names: std::collections::HashMap<Uuid, String>,
}

impl AuditLog {
    /// How a username is shown: name and roles.
    pub fn who(&self, username: &str) -> String {
        self.users
            .iter()
            .find(|(u, _)| u == username)
            .map_or_else(|| described(username, None), |(_, d)| d.clone())
    }

    /// Who made `e`: as [`AuditLog::who`], and a login attempt under an unknown name as typed.
    pub fn who_made(&self, e: &AuditEntry) -> String {
        match self.users.iter().find(|(u, _)| *u == e.user) {
            Some((_, d)) => d.clone(),
            None if e.action.starts_with("auth.") => {
                crate::domain::user::described_at_login(&e.user, None)
            }
            None => described(&e.user, None),
        }
    }

    /// The persons an entry concerns, by name.
    pub fn persons_of(&self, e: &AuditEntry) -> Vec<&str> {
        e.persons
            .iter()
            .filter_map(|id| self.person_names.get(id).map(String::as_str))
            .collect()
    }
}

/// How many persons a name typed in the audit filter may match before asking for more.
const AUDIT_PERSON_CANDIDATES: usize = 20;

/// The audit viewer and its CSV (`export`): responsabile only; reading the log is audited too.
pub fn audit_log(
    ctx: &Ctx,
    query: AuditQuery,
    limit: usize,
    export: bool,
) -> Result<AuditLog, AppError> {
    policy::responsabile(ctx.actor)?;
    let mut filter = query.filter()?;
    let wanted = query.person.trim();
    let users: Vec<(String, String)> = ctx
        .store
        .users()?
        .iter()
        .map(|u| (u.username.clone(), described(&u.username, Some(u))))
        .collect();
    let mut candidates = Vec::new();
    let person = if wanted.is_empty() {
        None
    } else {
        // A record id or a code is one person; a name may be several, to choose from.
        let picked = match query.chosen {
            Some(id) => ctx.store.person(id)?.filter(|p| p.display_name() == wanted),
            None => None,
        };
        let found = match (picked, Uuid::parse_str(wanted)) {
            (Some(p), _) => Some(p),
            (None, Ok(id)) => ctx.store.person(id)?,
            (None, Err(_)) => ctx.store.person_by_code(&wanted.to_uppercase())?,
        };
        let found = match found {
            Some(p) => Some(p),
            None => {
                let mut hits: Vec<Person> = ctx
                    .store
                    .search_persons(wanted, AUDIT_PERSON_CANDIDATES)?
                    .into_iter()
                    .map(|h| h.person)
                    .collect();
                if hits.len() == 1 {
                    hits.pop()
                } else {
                    candidates = hits;
                    None
                }
            }
        };
        match found {
            Some(person) => {
                filter.person = Some(person.id);
                Some(person)
            }
            None if candidates.is_empty() => {
                return Err(AppError::Invalid(Invalid::one(
                    "persona",
                    "Nessuna persona con questo nome o codice.",
                )))
            }
            None => None,
        }
    };
    // With several persons to choose from, nothing is listed until one is chosen.
    let entries = if candidates.is_empty() {
        ctx.store.audit_filtered(&filter, limit)?
    } else {
        Vec::new()
    };
    let mut ids: Vec<Uuid> = entries
        .iter()
        .flat_map(|e| e.persons.iter().copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let person_names = ctx
        .store
        .persons_by_ids(&ids)?
        .into_iter()
        .map(|p| (p.id, p.display_name()))
        .collect();
    let verified = ctx.store.verify_audit()?;
    let (action, what) = if export {
        (Action::AuditExport, ("voce in CSV", "voci in CSV"))
    } else {
        (Action::AuditView, ("voce mostrata", "voci mostrate"))
    };
    ctx.audit_about(
        action,
        person.as_ref().map(|p| p.id),
        "audit",
        crate::domain::text::count(entries.len(), what.0, what.1),
    )?;
    Ok(AuditLog {
        entries,
        verified,
        person,
        candidates,
        users,
        person_names,
    })
}

/// The copy of the whole log for the DPO, with what to note down to verify it later.
pub struct AuditCopy {
    pub text: String,
    pub count: usize,
    pub head: String,
}

pub fn audit_copy(ctx: &Ctx) -> Result<AuditCopy, AppError> {
    policy::responsabile(ctx.actor)?;
    let entries = ctx.store.audit_entries()?;
    let head = entries.last().map_or_else(String::new, |e| e.hash.clone());
    ctx.audit(
        Action::AuditExport,
        "audit",
        format!("copia di {} voci, ultimo hash {head}", entries.len()),
    )?;
    Ok(AuditCopy {
        text: crate::domain::audit::copy_lines(&entries),
        count: entries.len(),
        head,
    })
}

/// Verifies a copy brought back (e.g. by the DPO) against the head noted at export.
pub fn verify_audit_copy(
    ctx: &Ctx,
    bytes: &[u8],
    noted_head: &str,
) -> Result<CopyVerified, AppError> {
    policy::responsabile(ctx.actor)?;
    let text = std::str::from_utf8(bytes).map_err(|_| {
        AppError::Invalid(Invalid::one(
            "file",
            "Il file non è una copia del registro (testo non leggibile).",
        ))
    })?;
    if noted_head.trim().is_empty() {
        return Err(AppError::Invalid(Invalid::one(
            "head",
            "Indicare l'ultimo hash annotato quando la copia è stata esportata: senza, una copia \
             tagliata alla fine sembrerebbe integra.",
        )));
    }
    let live = ctx.store.audit_entries()?;
    let checked = verify_copy(text, Some(noted_head)).and_then(|v| {
        compare_with_log(text, &live)?;
        Ok(v)
    });
    // Who checked which copy, against which head, and what it showed.
    let outcome = match &checked {
        Ok(v) => format!(
            "integra: {} voci, hash annotato {}",
            v.count,
            noted_head.trim()
        ),
        Err(e) => format!("non valida ({e}); hash annotato {}", noted_head.trim()),
    };
    ctx.audit(Action::AuditVerifyCopy, "audit", outcome)?;
    checked.map_err(|e| AppError::Invalid(Invalid::one("file", format!("Copia NON valida: {e}."))))
}

/// Years identified records are kept after the last access (shown in the default notice).
pub const DEFAULT_RETENTION_YEARS: u32 = 10;

/// The notice in force: the latest edited version, else the default (version 1).
pub fn current_notice(store: &Store) -> Result<(u32, String), AppError> {
    if let Some(n) = store.notice_texts()?.last() {
        return Ok((n.version, n.text.clone()));
    }
    let instance = store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let file = crate::assets::Assets::get("privacy/informativa.txt")
        .ok_or_else(|| AppError::Internal("informativa assente".into()))?;
    let template = String::from_utf8_lossy(&file.data).into_owned();
    Ok((
        1,
        crate::domain::privacy::default_notice(
            &template,
            &instance.comune.name,
            &instance.ambito.title(),
            DEFAULT_RETENTION_YEARS,
        ),
    ))
}

/// The privacy notice to print for a person: the person, the version in force and its text.
pub fn notice_for(ctx: &Ctx, id: Uuid) -> Result<(Person, u32, String), AppError> {
    policy::desk_records(ctx.actor)?;
    let person = ctx.store.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    let (version, text) = current_notice(ctx.store)?;
    ctx.audit_about(
        Action::PersonPrintNotice,
        [id],
        id.to_string(),
        format!("versione {version}"),
    )?;
    Ok((person, version, text))
}

/// The longest reason for a restriction (art. 18), as the form's field.
pub const MAX_RESTRICTION_REASON: usize = 500;

/// Gives or withdraws a consent (`purpose` one of `CONSENT_PURPOSES`); a withdrawal takes effect
/// at once. Refused for a restricted person.
pub fn consent(ctx: &Ctx, id: Uuid, purpose: &str, give: bool) -> Result<(), AppError> {
    policy::desk_records(ctx.actor)?;
    if !CONSENT_PURPOSES.iter().any(|(c, _)| *c == purpose) {
        return Err(AppError::Invalid(Invalid::one(
            "purpose",
            "Finalità del consenso sconosciuta.",
        )));
    }
    let today = chrono::Local::now().date_naive();
    let user = ctx.actor.username.clone();
    let action = if give {
        Action::PersonConsentGiven
    } else {
        Action::PersonConsentWithdrawn
    };
    ctx.store
        .modify_person_privacy(id, &ctx.actor.username, action, purpose, |p| {
            // A withdrawal only reduces processing, so it stays possible under art. 18.
            if give && p.is_restricted() {
                return Err(StoreError::Restricted);
            }
            if give {
                if !p.consents_to(purpose) {
                    p.consents.push(Consent {
                        purpose: purpose.to_string(),
                        given_on: today,
                        withdrawn_on: None,
                        recorded_by: user,
                    });
                }
            } else {
                for c in p
                    .consents
                    .iter_mut()
                    .filter(|c| c.purpose == purpose && c.is_active())
                {
                    c.withdrawn_on = Some(today);
                }
            }
            Ok(())
        })?;
    Ok(())
}

/// Restricts processing (art. 18, responsabile), with the reason.
pub fn restrict(ctx: &Ctx, id: Uuid, reason: &str) -> Result<(), AppError> {
    policy::responsabile(ctx.actor)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Invalid(Invalid::one(
            "reason",
            "Indicare il motivo della limitazione.",
        )));
    }
    if reason.chars().count() > MAX_RESTRICTION_REASON {
        return Err(super::too_long("reason", "Il motivo", MAX_RESTRICTION_REASON).into());
    }
    let restriction = Restriction {
        since: chrono::Local::now().date_naive(),
        reason: reason.to_string(),
        by: ctx.actor.username.clone(),
    };
    ctx.store.modify_person_privacy(
        id,
        &ctx.actor.username,
        Action::PersonRestrict,
        reason,
        |p| {
            p.restriction = Some(restriction);
            Ok(())
        },
    )?;
    Ok(())
}

pub fn lift_restriction(ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
    policy::responsabile(ctx.actor)?;
    ctx.store.modify_person_privacy(
        id,
        &ctx.actor.username,
        Action::PersonRestrictionLifted,
        "",
        |p| {
            p.restriction = None;
            Ok(())
        },
    )?;
    Ok(())
}

/// The notice page: the version in force, its text and every version.
pub fn notice_texts(
    ctx: &Ctx,
) -> Result<(u32, String, Vec<crate::domain::privacy::NoticeText>), AppError> {
    policy::responsabile(ctx.actor)?;
    let (version, text) = current_notice(ctx.store)?;
    let names = super::names::Names::load(ctx.store)?;
    let mut versions = ctx.store.notice_texts()?;
    for v in &mut versions {
        v.by = names.of(&v.by);
    }
    Ok((version, text, versions))
}

/// A new version of the notice text (from 200 to 20,000 characters); returns its number.
pub fn save_notice_text(ctx: &Ctx, text: &str) -> Result<u32, AppError> {
    policy::responsabile(ctx.actor)?;
    let text = text.trim().replace("\r\n", "\n");
    let n = text.chars().count();
    if !(200..=20_000).contains(&n) {
        return Err(Invalid::one(
            "text",
            "Il testo dell'informativa deve avere da 200 a 20.000 caratteri.",
        )
        .into());
    }
    Ok(ctx.store.add_notice_text(&text, &ctx.actor.username)?)
}

/// What the record of processing activities (art. 30) is made from.
pub struct ProcessingRecord {
    pub instance: crate::domain::instance::Instance,
    pub contacts: crate::domain::instance::DeskContacts,
    pub retention_years: u32,
    pub backup_folder: String,
}

pub fn processing_record(ctx: &Ctx) -> Result<ProcessingRecord, AppError> {
    policy::responsabile(ctx.actor)?;
    Ok(ProcessingRecord {
        instance: ctx
            .store
            .instance()?
            .ok_or(AppError::NotFound("Installazione"))?,
        contacts: ctx.store.desk_contacts()?,
        retention_years: ctx.store.retention_years()?,
        backup_folder: ctx.store.backup_settings()?.folder,
    })
}

/// Records that the privacy notice was given to a person (`method`: `signed` or `oral`;
/// `version`: the notice's version, by default the one in force). Refused for a restricted
/// person, whose records are not changed (art. 18).
pub fn record_notice(
    ctx: &Ctx,
    id: Uuid,
    method: &str,
    version: Option<&str>,
) -> Result<(), AppError> {
    policy::desk_records(ctx.actor)?;
    if !matches!(method, "signed" | "oral") {
        return Err(Invalid::one(
            "method",
            "Modalità: «signed» (firmata) o «oral» (letta a voce).",
        )
        .into());
    }
    let person = ctx.store.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    policy::act_on(&person)?;
    let version = match version.map(str::trim) {
        Some(v) if v.chars().count() > 40 => {
            return Err(super::too_long("version", "La versione", 40).into())
        }
        Some(v) if !v.is_empty() => v.to_string(),
        _ => current_notice(ctx.store)?.0.to_string(),
    };
    let notice = crate::domain::person::NoticeGiven {
        date: chrono::Local::now().date_naive(),
        version,
        method: method.to_string(),
        recorded_by: ctx.actor.username.clone(),
    };
    ctx.store
        .record_privacy_notice(id, notice, &ctx.actor.username)?;
    Ok(())
}
