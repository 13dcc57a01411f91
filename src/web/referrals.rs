//! Referrals: create from an access, follow through their lifecycle, print the letter.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Local, Utc};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::persons::require_desk;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::referrals::ReferralValues;
use crate::domain::audit::AuditEvent;
use crate::domain::referral::{Referral, ReferralStatus, StatusChange, Target};
use crate::domain::vocabulary::Kind;
use crate::domain::Invalid;
use crate::store::StoreError;

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    stato: String,
}

pub async fn list(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let status = ReferralStatus::from_code(&query.stato);
    let days = state.store.referral_overdue_days()?;
    let now = Utc::now();
    let referrals: Vec<Referral> = state
        .store
        .referrals()?
        .into_iter()
        .filter(|r| status.is_none_or(|s| r.status == s))
        .collect();
    let ids: Vec<Uuid> = referrals.iter().map(|r| r.person_id).collect();
    let persons = state.store.persons_by_ids(&ids)?;
    let rows: Vec<_> = referrals
        .into_iter()
        .map(|r| {
            let p = persons.iter().find(|p| p.id == r.person_id).cloned();
            let overdue = r.is_overdue(now, days);
            (r, p, overdue)
        })
        .collect();
    state.store.audit(
        AuditEvent::new(
            auth.user.username.clone(),
            "referral.list",
            query.stato.clone(),
        )
        .details(format!("{} invii", rows.len())),
    )?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/invii");
    Ok(ok(views::referrals::list_page(
        &chrome,
        &state.reference,
        &rows,
        status,
        days,
    )))
}

#[derive(serde::Deserialize)]
pub struct AccessQuery {
    accesso: Uuid,
}

async fn render_new(
    auth: &Auth,
    state: &AppState,
    access_id: Uuid,
    values: &ReferralValues,
    invalid: &Invalid,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let access = state.store.access(access_id)?.ok_or(PageError::NotFound)?;
    let person_id = access.person_id.ok_or(PageError::NotFound)?;
    let person = state.store.person(person_id)?.ok_or(PageError::NotFound)?;
    if person.is_restricted() {
        return Err(PageError::Restricted);
    }
    state.store.audit(
        AuditEvent::new(
            auth.user.username.clone(),
            "person.view",
            person.id.to_string(),
        )
        .details("modulo di invio"),
    )?;
    let directory = state.store.directory()?;
    // The services chosen for this access first, then the rest of the active directory.
    let mut services: Vec<_> = access
        .services
        .iter()
        .filter_map(|id| directory.services.iter().find(|s| s.id == *id))
        .collect();
    services.extend(directory.services.iter().filter(|s| {
        s.status != crate::domain::directory::ServiceStatus::Inactive
            && !access.services.contains(&s.id)
    }));
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let chrome = Chrome::for_user(auth, Some(&instance), "/invii");
    Ok(html(
        status,
        views::referrals::new_page(
            &chrome,
            &state.reference,
            &access,
            &person,
            &services,
            &instance.ambito.name,
            values,
            invalid,
        ),
    ))
}

pub async fn new_form(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AccessQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let values = ReferralValues {
        target: "ssp".into(),
        urgency: "ordinary".into(),
        ..Default::default()
    };
    render_new(
        &auth,
        &state,
        query.accesso,
        &values,
        &Invalid::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AccessQuery>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let values = ReferralValues {
        target: form.get("target").to_string(),
        reason: form.get("reason").to_string(),
        urgency: form.get("urgency").to_string(),
        draft: form.get("draft") == "1",
        privacy_override: form.get("privacy_override").to_string(),
    };
    let access = state
        .store
        .access(query.accesso)?
        .ok_or(PageError::NotFound)?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    match new_referral(
        &state,
        &access,
        &values,
        &auth.user.username,
        &instance.ambito.name,
    ) {
        Ok(referral) => {
            state
                .store
                .create_referral(&referral, &auth.user.username)?;
            Ok(see_other(&format!("/invii/{}?avviso=creato", referral.id)))
        }
        Err(invalid) => {
            render_new(
                &auth,
                &state,
                access.id,
                &values,
                &invalid,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// Checks a referral request and builds the record (used by the page and the API).
pub fn new_referral(
    state: &AppState,
    access: &crate::domain::access::Access,
    v: &ReferralValues,
    actor: &str,
    ambito: &str,
) -> Result<Referral, Invalid> {
    let mut invalid = Invalid::new();
    let person = match access.person_id {
        Some(pid) => state.store.person(pid).ok().flatten(),
        None => None,
    };
    if person.is_none() {
        invalid.add(
            "access_id",
            "Per un invio serve una persona registrata (l'accesso è anonimo).",
        );
    }
    if person.as_ref().is_some_and(|p| p.is_restricted()) {
        invalid.add("access_id", crate::domain::privacy::RESTRICTED);
    }
    let target = match v.target.trim() {
        "ssp" => Some((
            Target::Ssp,
            format!("Servizio Sociale Professionale – {ambito}"),
        )),
        other => match Uuid::parse_str(other)
            .ok()
            .and_then(|id| state.store.service(id).ok().flatten())
        {
            Some(s) => Some((Target::Service(s.id), s.name)),
            None => {
                invalid.add(
                    "target",
                    "Scegliere il servizio destinatario (o il Servizio Sociale Professionale).",
                );
                None
            }
        },
    };
    let reason = v.reason.trim().to_string();
    if reason.is_empty() {
        invalid.add("reason", "Indicare il motivo dell'invio.");
    } else if reason.chars().count() > 2000 {
        invalid.add("reason", "Il motivo può avere al massimo 2000 caratteri.");
    }
    let urgency = if v.urgency.trim().is_empty() {
        "ordinary".to_string()
    } else {
        v.urgency.trim().to_string()
    };
    if !state.reference.vocab.contains(Kind::Urgency, &urgency) {
        invalid.add("urgency", "Urgenza non prevista.");
    }
    let override_reason = v.privacy_override.trim().to_string();
    let notice_missing = person.as_ref().is_some_and(|p| p.privacy_notice.is_none());
    if notice_missing && !v.draft && override_reason.is_empty() {
        invalid.add(
            "privacy_override",
            "L'informativa privacy non risulta consegnata: consegnarla (dalla scheda della persona) o indicare il motivo per procedere.",
        );
    }
    let (Some(person), Some((target, target_name))) = (person, target) else {
        return Err(invalid);
    };
    if !invalid.is_empty() {
        return Err(invalid);
    }
    let now = Utc::now();
    let status = if v.draft {
        ReferralStatus::Bozza
    } else {
        ReferralStatus::Inviato
    };
    Ok(Referral {
        id: Uuid::now_v7(),
        access_id: access.id,
        person_id: person.id,
        target,
        target_name,
        reason,
        urgency,
        status,
        history: vec![StatusChange {
            status,
            at: now,
            by: actor.to_string(),
            note: String::new(),
        }],
        privacy_override: (notice_missing && !override_reason.is_empty())
            .then_some(override_reason),
        created_at: now,
    })
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    avviso: String,
}

async fn render_detail(
    auth: &Auth,
    state: &AppState,
    id: Uuid,
    invalid: &Invalid,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let r = state.store.referral(id)?.ok_or(PageError::NotFound)?;
    let person = state.store.person(r.person_id)?;
    let days = state.store.referral_overdue_days()?;
    let now = Utc::now();
    let needs_override = r.status == ReferralStatus::Bozza
        && r.privacy_override.is_none()
        && person.as_ref().is_some_and(|p| p.privacy_notice.is_none());
    state.store.audit(AuditEvent::new(
        auth.user.username.clone(),
        "referral.view",
        id.to_string(),
    ))?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(auth, instance.as_ref(), "/invii");
    Ok(html(
        status,
        views::referrals::detail_page(
            &chrome,
            &state.reference,
            &r,
            person.as_ref(),
            r.is_overdue(now, days),
            needs_override,
            invalid,
            notice,
            now,
        ),
    ))
}

pub async fn detail(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let notice = match query.avviso.as_str() {
        "creato" => Some("Invio registrato."),
        "stato" => Some("Stato aggiornato."),
        _ => None,
    };
    render_detail(
        &auth,
        &state,
        path.into_inner(),
        &Invalid::new(),
        notice,
        StatusCode::OK,
    )
    .await
}

pub async fn change_status(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    match advance(
        &state,
        id,
        form.get("status"),
        form.get("note"),
        form.get("privacy_override"),
        &auth.user.username,
    ) {
        Ok(_) => Ok(see_other(&format!("/invii/{id}?avviso=stato"))),
        Err(AdvanceError::Invalid(invalid)) => {
            render_detail(
                &auth,
                &state,
                id,
                &invalid,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AdvanceError::Store(StoreError::NotFound(_))) => Err(PageError::NotFound),
        Err(AdvanceError::Store(e)) => Err(e.into()),
    }
}

pub enum AdvanceError {
    Invalid(Invalid),
    Store(StoreError),
}

impl From<StoreError> for AdvanceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(msg) => AdvanceError::Invalid(Invalid::one("status", msg)),
            other => AdvanceError::Store(other),
        }
    }
}

/// One step of a referral (page and API): checks the code, the privacy rule and the lifecycle.
pub fn advance(
    state: &AppState,
    id: Uuid,
    status: &str,
    note: &str,
    privacy_override: &str,
    actor: &str,
) -> Result<Referral, AdvanceError> {
    let Some(to) = ReferralStatus::from_code(status.trim()) else {
        return Err(AdvanceError::Invalid(Invalid::one(
            "status",
            "Stato sconosciuto: bozza, inviato, ricevuto, accettato, respinto o chiuso.",
        )));
    };
    let r = state
        .store
        .referral(id)?
        .ok_or(StoreError::NotFound("Invio"))?;
    if to == ReferralStatus::Inviato
        && state
            .store
            .person(r.person_id)?
            .is_some_and(|p| p.is_restricted())
    {
        return Err(AdvanceError::Invalid(Invalid::one(
            "status",
            crate::domain::privacy::RESTRICTED,
        )));
    }
    let mut override_reason = None;
    if to == ReferralStatus::Inviato && r.privacy_override.is_none() {
        let person = state.store.person(r.person_id)?;
        if person.is_some_and(|p| p.privacy_notice.is_none()) {
            let reason = privacy_override.trim();
            if reason.is_empty() {
                return Err(AdvanceError::Invalid(Invalid::one(
                    "privacy_override",
                    "L'informativa privacy non risulta consegnata: consegnarla o indicare il motivo per procedere.",
                )));
            }
            override_reason = Some(reason);
        }
    }
    Ok(state
        .store
        .advance_referral(id, to, note, override_reason, actor)?)
}

/// The referral letter (PDF), audited.
pub async fn letter(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let r = state.store.referral(id)?.ok_or(PageError::NotFound)?;
    let person = state
        .store
        .person(r.person_id)?
        .ok_or(PageError::NotFound)?;
    if person.is_restricted() {
        return Err(PageError::Restricted);
    }
    let access = state
        .store
        .access(r.access_id)?
        .ok_or(PageError::NotFound)?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let contacts = state.store.desk_contacts()?;
    let places = state.reference.places();
    let doc = crate::pdf::documents::referral_letter(
        &instance,
        &contacts,
        &state.reference,
        &r,
        &person,
        &access,
        &places,
    );
    let bytes = web::block(move || crate::pdf::render(&doc))
        .await?
        .map_err(|e| PageError::Internal(e.to_string()))?;
    state.store.audit(AuditEvent::new(
        auth.user.username.clone(),
        "referral.print",
        id.to_string(),
    ))?;
    Ok(super::respond::pdf(bytes, "scheda-invio.pdf"))
}

/// Records that the privacy notice was given (from the person's page).
pub async fn privacy_notice(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let method = form.get("method");
    if !matches!(method, "signed" | "oral") {
        return Err(PageError::BadRequest);
    }
    let (version, _) = super::privacy::current_notice(&state)?;
    let notice = crate::domain::person::NoticeGiven {
        date: Local::now().date_naive(),
        version: version.to_string(),
        method: method.to_string(),
        recorded_by: auth.user.username.clone(),
    };
    state
        .store
        .record_privacy_notice(id, notice, &auth.user.username)?;
    Ok(see_other(&format!("/persone/{id}?avviso=informativa")))
}
