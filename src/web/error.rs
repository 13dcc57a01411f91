//! The web layer's errors: Italian pages for the browser, the JSON error shape for the API.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use super::views;
use crate::app::AppError;
use crate::domain::policy::Denial;
use crate::domain::Invalid;
use crate::store::StoreError;

/// Outcomes of a page request that are not the page itself.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("accesso richiesto")]
    LoginRequired,
    #[error("installazione da configurare")]
    NotSetUp,
    #[error("cambio password richiesto")]
    MustChangePassword,
    #[error("non autorizzato")]
    Forbidden,
    #[error("pagina non trovata")]
    NotFound,
    #[error("modulo scaduto")]
    Csrf,
    #[error("troppi tentativi")]
    TooManyRequests,
    #[error("richiesta non valida")]
    BadRequest,
    /// The person's processing is restricted (art. 18): the record may be read, not used.
    #[error("trattamento limitato")]
    Restricted,
    /// The first setup is only done on the PC that runs Sportello, never from the network.
    #[error("configurazione solo in locale")]
    SetupNotLocal,
    /// Field problems found while handling a form (the handler re-renders the form with them).
    #[error("dati non validi")]
    Invalid(crate::domain::Invalid),
    /// The policy refused, with its reason.
    #[error("{0}")]
    Denied(String),
    /// The page belongs to the other kind of installation (desk or Ambito).
    #[error("{0}")]
    NotHere(&'static str),
    /// The person's record was merged into this one.
    #[error("scheda unita")]
    Moved(uuid::Uuid),
    #[error("errore interno: {0}")]
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => PageError::NotFound,
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(_) => PageError::NotFound,
            AppError::Denied(Denial::WrongMode(why)) => PageError::NotHere(why),
            AppError::Denied(Denial::Restricted) => PageError::Restricted,
            AppError::Denied(d) => PageError::Denied(d.to_string()),
            AppError::Invalid(i) => PageError::Invalid(i),
            AppError::Store(e) => e.into(),
            AppError::Internal(detail) => PageError::Internal(detail),
            e @ (AppError::ExistingPerson(_)
            | AppError::PossibleDuplicate(_)
            | AppError::UnseenWarnings(_)) => {
                PageError::Invalid(Invalid::one("codice_fiscale", e.to_string()))
            }
            e @ (AppError::LastAdministrator | AppError::NoRoles) => {
                PageError::Invalid(Invalid::one("roles", e.to_string()))
            }
            e @ AppError::UsernameTaken(_) => {
                PageError::Invalid(Invalid::one("username", e.to_string()))
            }
            e @ AppError::AlreadyExists(_) => PageError::Invalid(Invalid::one("id", e.to_string())),
            AppError::AlreadySetUp => PageError::BadRequest,
            e @ AppError::IllegalTransition { .. } => {
                PageError::Invalid(Invalid::one("status", e.to_string()))
            }
            e @ AppError::SequenceGap(_) => PageError::Invalid(Invalid::one("file", e.to_string())),
            AppError::Conflict(why) => PageError::Invalid(Invalid::one("person", why.to_string())),
            AppError::Moved(into) => PageError::Moved(into),
        }
    }
}

/// Marks a response as a refusal, for the denial audit (`super::denials`).
#[derive(Debug, Clone)]
pub struct Denied(pub String);

impl From<actix_web::error::BlockingError> for PageError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        PageError::Internal(e.to_string())
    }
}

fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::LoginRequired
            | PageError::NotSetUp
            | PageError::MustChangePassword
            | PageError::Moved(_) => StatusCode::SEE_OTHER,
            PageError::Forbidden
            | PageError::Csrf
            | PageError::SetupNotLocal
            | PageError::Denied(_) => StatusCode::FORBIDDEN,
            PageError::NotFound | PageError::NotHere(_) => StatusCode::NOT_FOUND,
            PageError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            PageError::BadRequest => StatusCode::BAD_REQUEST,
            PageError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageError::Restricted => StatusCode::CONFLICT,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            PageError::LoginRequired => return redirect("/login"),
            PageError::Moved(into) => return redirect(&format!("/persone/{into}?avviso=rimando")),
            PageError::NotSetUp => return redirect("/setup"),
            PageError::MustChangePassword => return redirect("/password"),
            PageError::Forbidden => (
                "Accesso non consentito",
                "Il suo profilo non consente di aprire questa pagina. Se ne ha bisogno, si rivolga al responsabile o all'amministratore.",
            ),
            PageError::NotFound => (
                "Pagina non trovata",
                "La pagina richiesta non esiste o non è più disponibile.",
            ),
            PageError::Csrf => (
                "Modulo scaduto",
                "Il modulo inviato non è più valido (la sessione potrebbe essere scaduta). Torni indietro, ricarichi la pagina e riprovi: nessun dato è stato modificato.",
            ),
            PageError::TooManyRequests => (
                "Troppi tentativi",
                "Troppi tentativi di accesso da questo computer. Attenda un minuto e riprovi.",
            ),
            PageError::BadRequest => (
                "Richiesta non valida",
                "I dati inviati non sono leggibili. Torni indietro e riprovi.",
            ),
            PageError::Restricted => ("Trattamento limitato", crate::domain::privacy::RESTRICTED),
            PageError::SetupNotLocal => (
                "Configurazione da fare sul PC dello sportello",
                "Sportello non è ancora configurato. La prima configurazione si fa dal PC su cui è installato, aprendo http://127.0.0.1 con la porta indicata all'avvio (o https, se attivo): così nessun altro in rete può crearsi un utente amministratore.",
            ),
            PageError::Invalid(invalid) => (
                "Dati non validi",
                invalid.0.first().map_or(
                    "Alcuni dati inviati non sono validi. Torni indietro, li corregga e riprovi.",
                    |f| f.message.as_str(),
                ),
            ),
            PageError::Denied(why) => ("Operazione non consentita", why.as_str()),
            PageError::NotHere(why) => ("Pagina non disponibile qui", *why),
            PageError::Internal(detail) => {
                tracing::error!(%detail, "errore interno");
                (
                    "Errore del programma",
                    "Si è verificato un errore imprevisto e l'operazione non è stata completata. Riprovi; se il problema continua, avvisi l'amministratore.",
                )
            }
        };
        let mut res = HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(
                views::errors::page(None, self.status_code().as_u16(), title, message)
                    .into_string(),
            );
        res.extensions_mut().insert(ErrorPage {
            title: title.to_string(),
            message: message.to_string(),
        });
        if matches!(
            self,
            PageError::Forbidden
                | PageError::Csrf
                | PageError::Denied(_)
                | PageError::Restricted
                | PageError::NotHere(_)
        ) {
            res.extensions_mut().insert(Denied(message.to_string()));
        }
        res
    }
}

/// What an error page says, kept on its response: the error has no store to name the
/// installation with, so [`named_error_pages`] renders it again under the comune's name.
#[derive(Clone)]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
}

/// Error pages under the installation's name, like every other page.
pub async fn named_error_pages<B: actix_web::body::MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>, actix_web::Error> {
    use actix_web::body::{BoxBody, EitherBody};
    let state = req
        .app_data::<actix_web::web::Data<super::state::AppState>>()
        .cloned();
    let res = next.call(req).await?;
    let page = res.response().extensions().get::<ErrorPage>().cloned();
    let instance = match (&page, state) {
        (Some(_), Some(state)) => state.store.instance().ok().flatten(),
        _ => None,
    };
    Ok(match (page, instance) {
        (Some(page), Some(instance)) => {
            let status = res.status().as_u16();
            let body = views::errors::page(Some(&instance), status, &page.title, &page.message)
                .into_string();
            res.map_body(|_, _| EitherBody::right(BoxBody::new(body)))
        }
        _ => res.map_into_left_body(),
    })
}

/// An API error: `{"error": {"code", "message", "field"}}` with a 4xx (or 500) status.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Every field problem, when there were several.
    pub details: Vec<crate::domain::FieldError>,
    /// The record that already holds a code (409).
    pub existing_id: Option<uuid::Uuid>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    /// All field problems (`field`, `message`), when the input had several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldProblem>,
    /// For a conflict: the id of the existing record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<uuid::Uuid>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            details: Vec::new(),
            existing_id: None,
        }
    }

    /// 409: the code already belongs to the record `id`.
    pub fn conflict_existing(id: uuid::Uuid) -> Self {
        let mut e = Self::new(
            StatusCode::CONFLICT,
            "exists",
            format!("Esiste già una persona con questo codice (id {id})."),
        );
        e.field = Some("codice_fiscale".into());
        e.existing_id = Some(id);
        e
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Autenticazione richiesta: usare un token (Authorization: Bearer) o una sessione valida.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Risorsa non trovata.")
    }

    pub fn restricted() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "restricted",
            crate::domain::privacy::RESTRICTED,
        )
    }

    /// 422 naming the first bad field, with every problem in `details`.
    pub fn invalid(invalid: &Invalid) -> Self {
        let first = invalid.0.first();
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            first.map_or_else(|| "Dati non validi.".to_string(), |f| f.message.clone()),
        );
        e.field = first.map(|f| f.field.to_string());
        e.details = invalid.0.clone();
        e
    }

    fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Token CSRF mancante o non valido (intestazione X-CSRF-Token).",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{}.", crate::domain::text::not_found(what)),
            ),
            other => {
                tracing::error!(detail = %other, "errore interno (API)");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Errore interno del programma.",
                )
            }
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let message = e.to_string();
        match e {
            AppError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
            AppError::Denied(Denial::WrongMode(why)) => {
                ApiError::new(StatusCode::NOT_FOUND, "not_available", why)
            }
            AppError::Denied(Denial::Restricted) => ApiError::restricted(),
            AppError::Denied(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", message),
            AppError::Invalid(i) => ApiError::invalid(&i),
            AppError::ExistingPerson(p) => ApiError::conflict_existing(p.id),
            AppError::AlreadySetUp => {
                ApiError::new(StatusCode::CONFLICT, "already_set_up", message)
            }
            AppError::AlreadyExists(id) => {
                let mut e = ApiError::new(StatusCode::CONFLICT, "exists", message);
                e.existing_id = Some(id);
                e
            }
            AppError::PossibleDuplicate(persons) => {
                let ids: Vec<String> = persons.iter().map(|p| p.id.to_string()).collect();
                let mut e = ApiError::new(
                    StatusCode::CONFLICT,
                    "possible_duplicate",
                    format!(
                        "Esistono persone con la stessa data di nascita e un nome simile ({}): verificare, oppure ripetere con \"confirm_new\": true.",
                        ids.join(", ")
                    ),
                );
                e.existing_id = persons.first().map(|p| p.id);
                e
            }
            AppError::UnseenWarnings(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "warnings", message)
            }
            AppError::LastAdministrator => {
                ApiError::new(StatusCode::CONFLICT, "last_administrator", message)
                    .with_field("roles")
            }
            AppError::NoRoles => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
                    .with_field("roles")
            }
            AppError::UsernameTaken(_) => {
                ApiError::new(StatusCode::CONFLICT, "exists", message).with_field("username")
            }
            AppError::IllegalTransition { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "illegal_transition",
                message,
            )
            .with_field("status"),
            AppError::SequenceGap(_) => ApiError::new(StatusCode::CONFLICT, "sequence", message),
            AppError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            AppError::Moved(into) => {
                let mut e = ApiError::new(StatusCode::CONFLICT, "merged", message);
                e.existing_id = Some(into);
                e
            }
            AppError::Store(e) => e.into(),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "errore interno (API)");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Errore interno del programma.",
                )
            }
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status).json(ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                field: self.field.clone(),
                details: self
                    .details
                    .iter()
                    .map(|d| FieldProblem {
                        field: d.field.to_string(),
                        message: d.message.clone(),
                    })
                    .collect(),
                existing_id: self.existing_id,
            },
        });
        if self.status == StatusCode::FORBIDDEN
            || self.code == "restricted"
            || self.code == "not_available"
        {
            res.extensions_mut().insert(Denied(self.message.clone()));
        }
        res
    }
}
