//! Correcting an access (its form and its submission) and attaching an anonymous access to the
//! person it turns out to be.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use uuid::Uuid;

use super::accesses::access_form;
use super::error::PageError;
use super::forms::Fields;
use super::persons::person_form;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use crate::app::corrections::{self, Identity};
use crate::app::{self, AppError};
use crate::domain::person::{Person, PersonForm};
use crate::domain::Invalid;

pub async fn edit_form(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let file = corrections::editable(&auth.ctx(&state), path.into_inner())?;
    let instance = state.store.instance()?;
    let crumb = views::accesses::crumb(&file.access);
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/")
        .under(&crumb, format!("/accessi/{}", file.access.id));
    Ok(ok(views::corrections::edit_page(
        &chrome,
        &state.reference,
        &file.access,
        &corrections::form_of(&file.access),
        &Invalid::new(),
        file.reads_reserved,
    )))
}

pub async fn edit_submit(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let values = access_form(&form);
    // The field is on the form only for those who may write reserved notes.
    let reserved = form.all("reserved_notes").first().map(|s| (*s).to_string());
    match corrections::edit(&auth.ctx(&state), id, values.clone(), reserved) {
        Ok(_) => Ok(see_other(&format!("/accessi/{id}?avviso=corretto"))),
        Err(AppError::Invalid(invalid)) => {
            let file = corrections::editable(&auth.ctx(&state), id)?;
            let instance = state.store.instance()?;
            let crumb = views::accesses::crumb(&file.access);
            let chrome = Chrome::for_user(&auth, instance.as_ref(), "/")
                .under(&crumb, format!("/accessi/{id}"));
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::corrections::edit_page(
                    &chrome,
                    &state.reference,
                    &file.access,
                    &values,
                    &invalid,
                    file.reads_reserved,
                ),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

/// The page that attaches an anonymous access: search, results, a new-person form.
fn identify_page(
    auth: &Auth,
    state: &AppState,
    id: Uuid,
    query: &str,
    person: &PersonForm,
    invalid: &Invalid,
    duplicates: &[Person],
) -> Result<Option<maud::Markup>, PageError> {
    let ctx = auth.ctx(state);
    let file = corrections::editable(&ctx, id)?;
    if file.access.person_id.is_some() {
        return Ok(None);
    }
    let hits = app::persons::search(&ctx, query)?;
    let instance = state.store.instance()?;
    let crumb = views::accesses::crumb(&file.access);
    let chrome =
        Chrome::for_user(auth, instance.as_ref(), "/").under(&crumb, format!("/accessi/{id}"));
    Ok(Some(views::corrections::identify_page(
        &chrome,
        &state.reference,
        &views::corrections::IdentifyPage {
            access: &file.access,
            query,
            hits: &hits,
            person,
            invalid,
            duplicates,
        },
    )))
}

pub async fn identify_form(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<FindQuery>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let page = match identify_page(
        &auth,
        &state,
        id,
        &query.q,
        &PersonForm::default(),
        &Invalid::new(),
        &[],
    )? {
        Some(page) => page,
        // Already attached (another tab, a colleague): the access says to whom.
        None => return Ok(see_other(&format!("/accessi/{id}"))),
    };
    Ok(ok(page))
}

pub async fn identify_existing(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let person = Uuid::parse_str(form.get("person_id")).map_err(|_| PageError::BadRequest)?;
    corrections::identify(&auth.ctx(&state), id, Identity::Existing(person))?;
    Ok(see_other(&format!("/accessi/{id}?avviso=collegato")))
}

pub async fn identify_new(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let person = person_form(&form);
    let who = Identity::New {
        form: Box::new(person.clone()),
        confirm_new: form.get("confirm_new") == "1",
    };
    let (status, invalid, duplicates) = match corrections::identify(&auth.ctx(&state), id, who) {
        Ok(_) => return Ok(see_other(&format!("/accessi/{id}?avviso=collegato"))),
        Err(AppError::Invalid(i)) => (StatusCode::UNPROCESSABLE_ENTITY, i, vec![]),
        Err(AppError::ExistingPerson(p)) => (
            StatusCode::CONFLICT,
            Invalid::one(
                "codice_fiscale",
                format!(
                    "Questa persona è già registrata ({}): cercarla qui sopra e collegarla.",
                    p.display_name()
                ),
            ),
            vec![*p],
        ),
        Err(AppError::PossibleDuplicate(d)) => (StatusCode::CONFLICT, Invalid::new(), d),
        Err(e) => return Err(e.into()),
    };
    match identify_page(&auth, &state, id, "", &person, &invalid, &duplicates)? {
        Some(page) => Ok(html(status, page)),
        None => Ok(see_other(&format!("/accessi/{id}"))),
    }
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/accessi/{id}/modifica", Gate::Desk, edit_form);
    r.post("/accessi/{id}/modifica", Gate::Desk, edit_submit);
    r.get("/accessi/{id}/persona", Gate::Desk, identify_form);
    r.post("/accessi/{id}/persona", Gate::Desk, identify_existing);
    r.post("/accessi/{id}/persona/nuova", Gate::Desk, identify_new);
}
