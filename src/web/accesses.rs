//! Registering accesses (full form and quick phone contact) and reading them (audited).

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::persons::person_form;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::accesses::PersonChoice;
use super::views::layout::Chrome;
use crate::app::reception::{NewAccess, Who};
use crate::app::{self, AppError};
use crate::domain::access::{AccessForm, Need};
use crate::domain::person::{Person, PersonForm};
use crate::domain::policy;
use crate::domain::Invalid;

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
        interlocutor_name: f.get("interlocutor_name").to_string(),
        interlocutor_relation: f.get("interlocutor_relation").to_string(),
        reason: f.get("reason").to_string(),
        sending_service: f.get("sending_service").to_string(),
        duration_minutes: f.get("duration_minutes").to_string(),
        needs: (0..rows)
            .map(|i| Need {
                area: at(&areas, i),
                category: at(&categories, i),
                description: at(&descriptions, i),
                urgency: at(&urgencies, i),
                service: None,
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
        appointment_operator: f.get("appointment_operator").to_string(),
    }
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
    auth.desk()?;
    let person = match query.persona {
        Some(id) => Some(app::persons::usable(
            &auth.ctx(&state),
            id,
            "modulo di nuovo accesso",
        )?),
        None => None,
    };
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
        appointment_operator: auth.user.id.to_string(),
        ..Default::default()
    };
    let operators = app::agenda::operators(&auth.ctx(&state))?;
    Ok(ok(views::accesses::form_page(
        &chrome,
        &state.reference,
        &views::accesses::AccessFormPage {
            choice: &choice,
            access: &defaults,
            person: &PersonForm::default(),
            invalid: &Invalid::new(),
            duplicates: &[],
            can_write_reserved: policy::reserved_notes(&auth.actor).is_ok(),
            operators: &operators,
            warnings: &[],
        },
    )))
}

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    auth.desk()?;
    let values = access_form(&form);
    let person_values = person_form(&form);
    let mode = form.get("person_mode");
    let who = match mode {
        "existing" => {
            Who::Existing(Uuid::parse_str(form.get("person_id")).map_err(|_| PageError::NotFound)?)
        }
        "new" => Who::New {
            form: Box::new(person_values.clone()),
            confirm_new: form.get("confirm_new") == "1",
        },
        "anonymous" => Who::Anonymous,
        _ => {
            let invalid = Invalid::one(
                "person_mode",
                "Scegliere se la persona è anonima o da registrare.",
            );
            let problems = Problems {
                invalid: &invalid,
                duplicates: &[],
                warnings: &[],
            };
            return render_form(
                &auth,
                &state,
                &form,
                StatusCode::UNPROCESSABLE_ENTITY,
                &problems,
            );
        }
    };
    let input = NewAccess {
        form: values,
        who,
        quick: false,
        warnings_seen: form.get("warnings_seen").to_string(),
    };
    let mut warnings = Vec::new();
    let (status, invalid, duplicates) =
        match app::reception::register(&auth.ctx(&state), input) {
            Ok(access) => {
                return Ok(see_other(&format!(
                    "/accessi/{}?avviso=registrato",
                    access.id
                )))
            }
            Err(AppError::Invalid(i)) => (StatusCode::UNPROCESSABLE_ENTITY, i, vec![]),
            Err(AppError::ExistingPerson(p)) => (
                StatusCode::CONFLICT,
                Invalid::one(
                    "codice_fiscale",
                    format!(
                        "Questa persona è già registrata ({}): sceglierla invece di registrarla di nuovo.",
                        p.display_name()
                    ),
                ),
                vec![*p],
            ),
            Err(AppError::PossibleDuplicate(d)) => (StatusCode::CONFLICT, Invalid::new(), d),
            Err(AppError::UnseenWarnings(w)) => {
                warnings = w;
                (StatusCode::CONFLICT, Invalid::new(), vec![])
            }
            Err(e) => return Err(e.into()),
        };
    let problems = Problems {
        invalid: &invalid,
        duplicates: &duplicates,
        warnings: &warnings,
    };
    render_form(&auth, &state, &form, status, &problems)
}

/// What a submitted access form came back with.
struct Problems<'a> {
    invalid: &'a Invalid,
    duplicates: &'a [Person],
    warnings: &'a [String],
}

/// The access form again, with what was typed, the problems and any possible duplicates.
fn render_form(
    auth: &Auth,
    state: &AppState,
    form: &Fields,
    status: StatusCode,
    problems: &Problems,
) -> Result<HttpResponse, PageError> {
    let values = access_form(form);
    let person_values = person_form(form);
    let mode = form.get("person_mode");
    let known = match mode {
        // The person chosen, read as any use of her record is (audited; not when restricted).
        "existing" => Uuid::parse_str(form.get("person_id"))
            .ok()
            .and_then(|id| app::persons::usable(&auth.ctx(state), id, "modulo di accesso").ok()),
        _ => None,
    };
    let choice = match &known {
        Some(p) => PersonChoice::Known(p),
        None => PersonChoice::Open { mode },
    };
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(auth, instance.as_ref(), "/");
    let operators = app::agenda::operators(&auth.ctx(state))?;
    Ok(html(
        status,
        views::accesses::form_page(
            &chrome,
            &state.reference,
            &views::accesses::AccessFormPage {
                choice: &choice,
                access: &values,
                person: &person_values,
                invalid: problems.invalid,
                duplicates: problems.duplicates,
                can_write_reserved: policy::reserved_notes(&auth.actor).is_ok(),
                operators: &operators,
                warnings: problems.warnings,
            },
        ),
    ))
}

pub async fn quick_form(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    auth.desk()?;
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
    auth.desk()?;
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
            service: None,
        }],
        outcomes: vec![form.get("outcome").to_string()],
        anonymous_sex: form.get("anonymous_sex").to_string(),
        anonymous_age_band: form.get("anonymous_age_band").to_string(),
        anonymous_citizenship_area: form.get("anonymous_citizenship_area").to_string(),
        ..Default::default()
    };
    let input = NewAccess {
        form: values.clone(),
        who: Who::Anonymous,
        quick: true,
        warnings_seen: String::new(),
    };
    match app::reception::register(&auth.ctx(&state), input) {
        Ok(_) => Ok(see_other("/?avviso=rapido")),
        Err(AppError::Invalid(invalid)) => {
            let instance = state.store.instance()?;
            let chrome = Chrome::for_user(&auth, instance.as_ref(), "/");
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::accesses::quick_page(&chrome, &state.reference, &values, &invalid),
            ))
        }
        Err(e) => Err(e.into()),
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
    let ctx = auth.ctx(&state);
    let file = app::reception::view(&ctx, path.into_inner(), "")?;
    let orientation = app::orientation::orientation_of(&ctx, &file.access, file.person.as_ref())?;
    let instance = state.store.instance()?;
    let name = file.person.as_ref().map(|p| (p.display_name(), p.id));
    // A registered person's access sits under Persone › her name; an anonymous one under Home.
    let section = if name.is_some() { "/persone" } else { "/" };
    let mut chrome = Chrome::for_user(&auth, instance.as_ref(), section);
    if let Some((name, id)) = &name {
        chrome = chrome.under(name, format!("/persone/{id}"));
    }
    let notice = match query.avviso.as_str() {
        "registrato" => Some("Accesso registrato."),
        "servizio" => Some("Servizio aggiunto all'orientamento."),
        "non-soddisfatto" => Some("Bisogno registrato come non soddisfatto."),
        "reclamo" => Some("Servizio oggetto del reclamo registrato."),
        "corretto" => {
            Some("Correzione salvata: la versione precedente resta nella storia dell'accesso.")
        }
        "collegato" => Some("Accesso collegato alla persona: ora si può fare un invio."),
        _ => None,
    };
    let orientation = views::accesses::Orientation {
        chosen: orientation.chosen.iter().collect(),
        groups: orientation
            .groups
            .iter()
            .map(|(need, list)| {
                (
                    *need,
                    list.iter().map(|(s, sug)| (s, sug.clone())).collect(),
                )
            })
            .collect(),
        outside_territory: orientation.outside_territory,
        without_residence: orientation.without_residence,
        referrals: file.referrals.clone(),
        all: &orientation.all,
    };
    Ok(ok(views::accesses::access_page(
        &chrome,
        &state.reference,
        &file,
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
    let access = app::reception::reserved_notes(&auth.ctx(&state), path.into_inner())?;
    let instance = state.store.instance()?;
    let crumb = views::accesses::crumb(&access);
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/")
        .under(&crumb, format!("/accessi/{}", access.id));
    Ok(ok(views::accesses::reserved_notes_page(&chrome, &access)))
}

/// The citizen's promemoria of an access, as PDF (printing is audited).
pub async fn promemoria(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let bytes = super::documents::promemoria(&state, &auth.actor, path.into_inner()).await?;
    Ok(super::respond::pdf(bytes, "promemoria.pdf"))
}

/// Adds a directory service to the access's orientation.
pub async fn add_service(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let service_id = Uuid::parse_str(form.get("service_id")).map_err(|_| PageError::BadRequest)?;
    app::orientation::choose(&auth.ctx(&state), id, service_id)?;
    Ok(see_other(&format!(
        "/accessi/{id}?avviso=servizio#h-orientation"
    )))
}

pub async fn remove_service(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, PageError> {
    let (id, service_id) = path.into_inner();
    app::orientation::remove(&auth.ctx(&state), id, service_id)?;
    Ok(see_other(&format!("/accessi/{id}#h-orientation")))
}

/// The need (its index) and the service (none when left blank) of the access page's small forms;
/// they come from the page's own selects, so anything else is a bad request.
fn need_and_service(form: &Fields) -> Result<(usize, Option<Uuid>), PageError> {
    let need = form
        .get("need")
        .parse()
        .map_err(|_| PageError::BadRequest)?;
    let service = match form.get("service") {
        "" => None,
        s => Some(Uuid::parse_str(s).map_err(|_| PageError::BadRequest)?),
    };
    Ok((need, service))
}

/// Names the directory service a complaint of the access is about.
pub async fn complaint(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (need, service) = need_and_service(&form)?;
    app::orientation::name_complaint_service(&auth.ctx(&state), id, need, service)?;
    Ok(see_other(&format!(
        "/accessi/{id}?avviso=reclamo#h-orientation"
    )))
}

/// Records that a need of the access found no service, and why.
pub async fn mark_unmet(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (need, service) = need_and_service(&form)?;
    let input = app::orientation::Unmet {
        need,
        reason: form.get("reason"),
        note: form.get("note"),
        service,
    };
    app::orientation::mark_unmet(&auth.ctx(&state), id, input)?;
    Ok(see_other(&format!(
        "/accessi/{id}?avviso=non-soddisfatto#h-orientation"
    )))
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
    let lang = if state.reference.labels.has(&query.lingua) {
        query.lingua.as_str()
    } else {
        "it"
    };
    let bytes =
        super::documents::orientation_sheet(&state, &auth.actor, path.into_inner(), lang).await?;
    Ok(super::respond::pdf(bytes, "orientamento.pdf"))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/accessi/nuovo", Gate::Desk, new_form);
    r.post("/accessi/nuovo", Gate::Desk, create);
    r.get("/accessi/rapido", Gate::Desk, quick_form);
    r.post("/accessi/rapido", Gate::Desk, quick_create);
    r.get("/accessi/{id}", Gate::Desk, view);
    r.get(
        "/accessi/{id}/note-riservate",
        Gate::SocialWork,
        reserved_notes,
    );
    r.get("/accessi/{id}/promemoria.pdf", Gate::Desk, promemoria);
    r.post("/accessi/{id}/servizi", Gate::Desk, add_service);
    r.post(
        "/accessi/{id}/servizi/{service}/rimuovi",
        Gate::Desk,
        remove_service,
    );
    r.post("/accessi/{id}/non-soddisfatto", Gate::Desk, mark_unmet);
    r.post("/accessi/{id}/reclamo", Gate::Desk, complaint);
    r.get(
        "/accessi/{id}/orientamento.pdf",
        Gate::Desk,
        orientation_pdf,
    );
}
