//! Registering accesses (full form and quick phone contact) and reading them (audited).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Local, Utc};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::persons::{person_form, require_desk};
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::accesses::PersonChoice;
use super::views::layout::Chrome;
use crate::domain::access::{Access, AccessData, AccessForm, AnonymousProfile, Need};
use crate::domain::appointment::{Appointment, DEFAULT_MINUTES};
use crate::domain::audit::AuditEvent;
use crate::domain::person::{new_temporary_code, Person, PersonForm};
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::domain::Invalid;
use crate::store::StoreError;

/// Roles that read (and write) reserved notes.
pub const RESERVED_ROLES: [Role; 2] = [Role::AssistenteSociale, Role::Responsabile];

pub fn access_form(f: &Fields) -> AccessForm {
    let areas = f.all("need_area");
    let categories = f.all("need_category");
    let descriptions = f.all("need_description");
    let urgencies = f.all("need_urgency");
    let rows = areas.len().max(categories.len()).max(descriptions.len());
    let at = |v: &Vec<&str>, i: usize| v.get(i).unwrap_or(&"").to_string();
    AccessForm {
        date: f.get("date").to_string(),
        time: f.get("time").to_string(),
        channel: f.get("channel").to_string(),
        interlocutor: f.get("interlocutor").to_string(),
        reason: f.get("reason").to_string(),
        sending_service: f.get("sending_service").to_string(),
        duration_minutes: f.get("duration_minutes").to_string(),
        needs: (0..rows)
            .map(|i| Need {
                area: at(&areas, i),
                category: at(&categories, i),
                description: at(&descriptions, i),
                urgency: at(&urgencies, i),
            })
            .collect(),
        outcomes: f.all("outcome").iter().map(|s| s.to_string()).collect(),
        notes: f.get("notes").to_string(),
        reserved_notes: f.get("reserved_notes").to_string(),
        anonymous_sex: f.get("anonymous_sex").to_string(),
        anonymous_age_band: f.get("anonymous_age_band").to_string(),
        anonymous_citizenship_area: f.get("anonymous_citizenship_area").to_string(),
        appointment_date: f.get("appointment_date").to_string(),
        appointment_time: f.get("appointment_time").to_string(),
        appointment_purpose: f.get("appointment_purpose").to_string(),
    }
}

/// The access record and its follow-up appointment, from checked data.
pub fn build_access(
    data: AccessData,
    person_id: Option<Uuid>,
    anonymous: Option<AnonymousProfile>,
    operator: &User,
    quick: bool,
) -> (Access, Option<Appointment>) {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let appointment = match (data.appointment, person_id) {
        (Some((start, purpose)), Some(pid)) => Some(Appointment {
            id: Uuid::now_v7(),
            person_id: pid,
            access_id: Some(id),
            operator_id: operator.id,
            operator_name: operator.full_name.clone(),
            start,
            duration_minutes: DEFAULT_MINUTES,
            place: String::new(),
            purpose,
            cancelled: false,
            created_at: now,
        }),
        _ => None,
    };
    let mut outcomes = data.outcomes;
    if appointment.is_some() && !outcomes.iter().any(|o| o == "appointment_set") {
        outcomes.push("appointment_set".into());
    }
    let access = Access {
        id,
        time: data.time,
        channel: data.channel,
        interlocutor: data.interlocutor,
        reason: data.reason,
        sending_service: data.sending_service,
        person_id,
        anonymous,
        operator_id: operator.id,
        operator_name: operator.full_name.clone(),
        duration_minutes: data.duration_minutes,
        needs: data.needs,
        outcomes,
        notes: data.notes,
        reserved_notes: data.reserved_notes,
        appointment_id: appointment.as_ref().map(|a| a.id),
        quick,
        created_at: now,
        services: Vec::new(),
        unmet: Vec::new(),
    };
    (access, appointment)
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    persona: Option<Uuid>,
}

pub async fn new_form(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let person = match query.persona {
        Some(id) => Some(state.store.person(id)?.ok_or(PageError::NotFound)?),
        None => None,
    };
    if person.as_ref().is_some_and(|p| p.is_restricted()) {
        return Err(PageError::Restricted);
    }
    if let Some(p) = &person {
        state.store.audit(
            AuditEvent::new(auth.user.username.clone(), "person.view", p.id.to_string())
                .details("modulo di nuovo accesso"),
        )?;
    }
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/");
    let choice = match &person {
        Some(p) => PersonChoice::Known(p),
        None => PersonChoice::Open { mode: "anonymous" },
    };
    let defaults = AccessForm {
        channel: "in_person".into(),
        interlocutor: "user".into(),
        reason: "spontaneous".into(),
        anonymous_age_band: "unknown".into(),
        anonymous_citizenship_area: "unknown".into(),
        ..Default::default()
    };
    Ok(ok(views::accesses::form_page(
        &chrome,
        &state.reference,
        &choice,
        &defaults,
        &PersonForm::default(),
        &Invalid::new(),
        &[],
        auth.user.has_any_role(&RESERVED_ROLES),
    )))
}

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let mut values = access_form(&form);
    let can_reserved = auth.user.has_any_role(&RESERVED_ROLES);
    if !can_reserved {
        values.reserved_notes.clear();
    }
    let person_values = person_form(&form);
    let mode = form.get("person_mode");
    let known: Option<Person> = match mode {
        "existing" => {
            let id = Uuid::parse_str(form.get("person_id")).map_err(|_| PageError::NotFound)?;
            let p = state.store.person(id)?.ok_or(PageError::NotFound)?;
            if p.is_restricted() {
                return Err(PageError::Restricted);
            }
            Some(p)
        }
        _ => None,
    };
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/");
    let render = |status, invalid: &Invalid, dups: &[Person]| {
        let choice = match &known {
            Some(p) => PersonChoice::Known(p),
            None => PersonChoice::Open { mode },
        };
        html(
            status,
            views::accesses::form_page(
                &chrome,
                &state.reference,
                &choice,
                &values,
                &person_values,
                invalid,
                dups,
                can_reserved,
            ),
        )
    };

    let anonymous = mode == "anonymous";
    let mut invalid = Invalid::new();
    if !matches!(mode, "existing" | "new" | "anonymous") {
        invalid.add(
            "person_mode",
            "Scegliere se la persona è anonima o da registrare.",
        );
    }
    let access = values.validate(&state.reference.vocab, Utc::now(), anonymous);
    let new_person = if mode == "new" {
        match person_values.validate(&state.reference.places(), Local::now().date_naive()) {
            Ok(d) => Some(d),
            Err(e) => {
                invalid.0.extend(e.0);
                None
            }
        }
    } else {
        None
    };
    let (data, profile) = match access {
        Ok(ok) if invalid.is_empty() => ok,
        Ok(_) => return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &invalid, &[])),
        Err(e) => {
            invalid.0.extend(e.0);
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &invalid, &[]));
        }
    };

    let new_person = match new_person {
        Some(d) => {
            let duplicates = state.store.possible_duplicates(&d)?;
            if let Some(same) = duplicates
                .iter()
                .find(|p| p.codice_fiscale.is_some() && p.codice_fiscale == d.codice_fiscale)
            {
                let msg = format!(
                    "Questa persona è già registrata ({}): sceglierla invece di registrarla di nuovo.",
                    same.display_name()
                );
                super::persons::audit_shown(
                    &state,
                    &auth.user.username,
                    &duplicates,
                    "possibili doppioni",
                )?;
                return Ok(render(
                    StatusCode::CONFLICT,
                    &Invalid::one("codice_fiscale", msg),
                    &duplicates,
                ));
            }
            if !duplicates.is_empty() && form.get("confirm_new") != "1" {
                super::persons::audit_shown(
                    &state,
                    &auth.user.username,
                    &duplicates,
                    "possibili doppioni",
                )?;
                return Ok(render(StatusCode::CONFLICT, &Invalid::new(), &duplicates));
            }
            Some(d.into_new_person(new_temporary_code(), Utc::now()))
        }
        None => None,
    };
    let person_id = known.as_ref().or(new_person.as_ref()).map(|p| p.id);
    let (access, appointment) = build_access(data, person_id, profile, &auth.user, false);
    match state.store.create_access(
        &access,
        new_person.as_ref(),
        appointment.as_ref(),
        &auth.user.username,
    ) {
        Ok(()) => Ok(see_other(&format!(
            "/accessi/{}?avviso=registrato",
            access.id
        ))),
        Err(StoreError::DuplicateCode(_)) => Ok(render(
            StatusCode::CONFLICT,
            &Invalid::one(
                "codice_fiscale",
                "Questo codice appartiene già a una persona registrata: sceglierla dalla ricerca.",
            ),
            &[],
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn quick_form(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/");
    let defaults = AccessForm {
        interlocutor: "user".into(),
        anonymous_age_band: "unknown".into(),
        anonymous_citizenship_area: "unknown".into(),
        ..Default::default()
    };
    Ok(ok(views::accesses::quick_page(
        &chrome,
        &state.reference,
        &defaults,
        &Invalid::new(),
    )))
}

pub async fn quick_create(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let values = AccessForm {
        channel: "phone".into(),
        reason: "spontaneous".into(),
        interlocutor: form.get("interlocutor").to_string(),
        duration_minutes: form.get("duration_minutes").to_string(),
        needs: vec![Need {
            area: form.get("need_area").to_string(),
            category: form.get("need_category").to_string(),
            description: form.get("need_description").to_string(),
            urgency: "ordinary".into(),
        }],
        outcomes: vec![form.get("outcome").to_string()],
        anonymous_sex: form.get("anonymous_sex").to_string(),
        anonymous_age_band: form.get("anonymous_age_band").to_string(),
        anonymous_citizenship_area: form.get("anonymous_citizenship_area").to_string(),
        ..Default::default()
    };
    match values.validate(&state.reference.vocab, Utc::now(), true) {
        Ok((data, profile)) => {
            let (access, _) = build_access(data, None, profile, &auth.user, true);
            state
                .store
                .create_access(&access, None, None, &auth.user.username)?;
            Ok(see_other("/?avviso=rapido"))
        }
        Err(invalid) => {
            let instance = state.store.instance()?;
            let chrome = Chrome::for_user(&auth, instance.as_ref(), "/");
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::accesses::quick_page(&chrome, &state.reference, &values, &invalid),
            ))
        }
    }
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    avviso: String,
}

pub async fn view(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let access = state.store.access(id)?.ok_or(PageError::NotFound)?;
    let person = match access.person_id {
        Some(pid) => state.store.person(pid)?,
        None => None,
    };
    let can_reserved = auth.user.has_any_role(&RESERVED_ROLES);
    let reads_reserved = can_reserved && access.has_reserved_notes();
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "access.view", id.to_string()).details(
            if reads_reserved {
                "con note riservate"
            } else {
                ""
            },
        ),
    )?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/");
    let notice = match query.avviso.as_str() {
        "registrato" => Some("Accesso registrato."),
        "servizio" => Some("Servizio aggiunto all'orientamento."),
        "non-soddisfatto" => Some("Bisogno registrato come non soddisfatto."),
        _ => None,
    };
    let directory = state.store.directory()?;
    let need = need_profile(&access, person.as_ref());
    let now = Local::now().naive_local();
    let mut suggestions: Vec<_> = directory
        .services
        .iter()
        .filter_map(|s| crate::domain::directory::suggest(s, &need, now).map(|sug| (s, sug)))
        .collect();
    suggestions.sort_by(|a, b| {
        b.1.score
            .cmp(&a.1.score)
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    suggestions.truncate(8);
    let chosen = access
        .services
        .iter()
        .filter_map(|id| directory.services.iter().find(|s| s.id == *id))
        .collect();
    let referrals = state.store.referrals_of_access(id)?;
    let orientation = views::accesses::Orientation {
        chosen,
        suggestions,
        referrals,
    };
    Ok(ok(views::accesses::access_page(
        &chrome,
        &state.reference,
        &access,
        person.as_ref(),
        can_reserved,
        notice,
        &orientation,
    )))
}

/// The reserved notes on their own address: refused (and audited) for those who may not read them.
pub async fn reserved_notes(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let access = state.store.access(id)?.ok_or(PageError::NotFound)?;
    if !auth.user.has_any_role(&RESERVED_ROLES) {
        state.store.audit(
            AuditEvent::new(
                auth.user.username.clone(),
                "access.reserved_notes.denied",
                id.to_string(),
            )
            .details("accesso negato: ruolo non autorizzato"),
        )?;
        return Err(PageError::Forbidden);
    }
    state.store.audit(AuditEvent::new(
        auth.user.username.clone(),
        "access.reserved_notes.view",
        id.to_string(),
    ))?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/");
    Ok(ok(views::accesses::reserved_notes_page(&chrome, &access)))
}

/// The citizen's promemoria of an access, as PDF (printing is audited).
pub async fn promemoria(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let access = state.store.access(id)?.ok_or(PageError::NotFound)?;
    let person_id = access.person_id.ok_or(PageError::NotFound)?;
    let person = state.store.person(person_id)?.ok_or(PageError::NotFound)?;
    if person.is_restricted() {
        return Err(PageError::Restricted);
    }
    let appointment = match access.appointment_id {
        Some(a) => state.store.appointment(a)?,
        None => None,
    };
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let contacts = state.store.desk_contacts()?;
    let doc = crate::pdf::documents::access_promemoria(
        &instance,
        &contacts,
        &state.reference,
        &access,
        &person,
        appointment.as_ref(),
    );
    let bytes = web::block(move || crate::pdf::render(&doc))
        .await?
        .map_err(|e| PageError::Internal(e.to_string()))?;
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "access.print", id.to_string())
            .details(format!("persona {person_id}")),
    )?;
    Ok(super::respond::pdf(bytes, "promemoria.pdf"))
}

/// What suggestions are matched against: the access's needs and the person's age, comune, language.
pub fn need_profile(
    access: &Access,
    person: Option<&Person>,
) -> crate::domain::directory::NeedProfile {
    let today = Local::now().date_naive();
    crate::domain::directory::NeedProfile {
        areas: access.needs.iter().map(|n| n.area.clone()).collect(),
        categories: access.needs.iter().map(|n| n.category.clone()).collect(),
        age: person.and_then(|p| p.age_on(today)).or_else(|| {
            access
                .anonymous
                .as_ref()
                .and_then(|a| crate::domain::vocabulary::age_of_band(&a.age_band))
        }),
        comune_istat: person.and_then(|p| {
            p.residence_istat
                .clone()
                .or_else(|| p.domicile_istat.clone())
        }),
        language: person
            .and_then(|p| crate::domain::hsds::language_code(&p.language))
            .filter(|code| *code != "it")
            .map(str::to_string),
    }
}

/// Adds a directory service to the access's orientation.
pub async fn add_service(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let service_id = Uuid::parse_str(form.get("service_id")).map_err(|_| PageError::BadRequest)?;
    let service = state
        .store
        .service(service_id)?
        .ok_or(PageError::NotFound)?;
    state.store.modify_access(
        id,
        &auth.user.username,
        "access.orientation",
        &format!("servizio aggiunto: {}", service.name),
        |a| {
            if !a.services.contains(&service_id) {
                a.services.push(service_id);
            }
            if !a.outcomes.iter().any(|o| o == "oriented") {
                a.outcomes.push("oriented".into());
            }
            Ok(())
        },
    )?;
    Ok(see_other(&format!(
        "/accessi/{id}?avviso=servizio#h-orientation"
    )))
}

pub async fn remove_service(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let (id, service_id) = path.into_inner();
    state.store.modify_access(
        id,
        &auth.user.username,
        "access.orientation",
        &format!("servizio tolto: {service_id}"),
        |a| {
            a.services.retain(|s| *s != service_id);
            Ok(())
        },
    )?;
    Ok(see_other(&format!("/accessi/{id}#h-orientation")))
}

/// Records that a need of the access found no service, and why.
pub async fn mark_unmet(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let need: usize = form
        .get("need")
        .parse()
        .map_err(|_| PageError::BadRequest)?;
    let reason = form.get("reason").to_string();
    if !crate::domain::directory::UNMET_REASONS
        .iter()
        .any(|(c, _)| *c == reason)
    {
        return Err(PageError::BadRequest);
    }
    let note: String = form.get("note").trim().chars().take(300).collect();
    let user = auth.user.username.clone();
    let result =
        state
            .store
            .modify_access(id, &auth.user.username, "access.unmet_need", &reason, |a| {
                if need >= a.needs.len() {
                    return Err(StoreError::NotFound("Bisogno"));
                }
                a.unmet.retain(|u| u.need != need);
                a.unmet.push(crate::domain::access::UnmetNeed {
                    need,
                    reason: reason.clone(),
                    note,
                    recorded_by: user,
                    at: Utc::now(),
                });
                Ok(())
            });
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/accessi/{id}?avviso=non-soddisfatto#h-orientation"
        ))),
        Err(StoreError::NotFound(_)) => Err(PageError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    lingua: String,
}

/// The orientation sheet of an access, as PDF in the language asked (printing is audited).
pub async fn orientation_pdf(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let lang = if state.reference.labels.has(&query.lingua) {
        query.lingua.clone()
    } else {
        "it".to_string()
    };
    let bytes = orientation_bytes(&state, id, &lang).await?;
    state.store.audit(
        AuditEvent::new(
            auth.user.username.clone(),
            "access.print_orientation",
            id.to_string(),
        )
        .details(format!("lingua {lang}")),
    )?;
    Ok(super::respond::pdf(bytes, "orientamento.pdf"))
}

/// Renders the orientation sheet of access `id` (shared by the page and the API).
pub async fn orientation_bytes(
    state: &AppState,
    id: Uuid,
    lang: &str,
) -> Result<Vec<u8>, PageError> {
    let access = state.store.access(id)?.ok_or(PageError::NotFound)?;
    let person = match access.person_id {
        Some(pid) => state.store.person(pid)?,
        None => None,
    };
    if person.as_ref().is_some_and(|p| p.is_restricted()) {
        return Err(PageError::Restricted);
    }
    let directory = state.store.directory()?;
    let services: Vec<_> = access
        .services
        .iter()
        .filter_map(|sid| directory.services.iter().find(|s| s.id == *sid))
        .map(|s| {
            (
                s.clone(),
                directory
                    .organizations
                    .iter()
                    .find(|o| o.id == s.organization_id)
                    .cloned(),
            )
        })
        .collect();
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let contacts = state.store.desk_contacts()?;
    let doc = crate::pdf::documents::orientation_sheet(
        &instance,
        &contacts,
        &state.reference,
        lang,
        person.as_ref(),
        Utc::now(),
        &services,
    );
    web::block(move || crate::pdf::render(&doc))
        .await?
        .map_err(|e| PageError::Internal(e.to_string()))
}
