//! Privacy duties: the notice (versioned text, PDF), consents, restriction (art. 18), the audit
//! viewer with CSV, the data-subject report (art. 15).

use crate::web::routes::{Gate, Routes};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::{blocking, AppState};
use super::views;
use super::views::layout::Chrome;
use crate::app::{self, AppError};
use crate::domain::Invalid;

/// The notice as PDF with the person's name and signature lines (printing is audited).
pub async fn notice_pdf(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let bytes = super::documents::privacy_notice(&state, &auth.actor, path.into_inner()).await?;
    Ok(super::respond::pdf(bytes, "informativa.pdf"))
}

/// Gives or withdraws a consent; a withdrawal takes effect at once.
pub async fn consent(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let give = match form.get("azione") {
        "dai" => true,
        "revoca" => false,
        _ => return Err(PageError::BadRequest),
    };
    app::privacy::consent(&auth.ctx(&state), id, form.get("purpose"), give)?;
    Ok(see_other(&format!("/persone/{id}?avviso=consenso")))
}

/// Restricts processing (responsabile), with the reason.
pub async fn restrict(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    app::privacy::restrict(&auth.ctx(&state), id, form.get("reason"))?;
    Ok(see_other(&format!("/persone/{id}?avviso=limitata")))
}

pub async fn lift_restriction(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    app::privacy::lift_restriction(&auth.ctx(&state), id)?;
    Ok(see_other(&format!("/persone/{id}?avviso=sbloccata")))
}

/// The privacy page (responsabile): the notice text and its versions, links to the audit.
pub async fn page(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let (version, text, versions) = app::privacy::notice_texts(&auth.ctx(&state))?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/privacy");
    Ok(ok(views::privacy::page(
        &chrome,
        version,
        &text,
        &versions,
        &Invalid::new(),
        None,
    )))
}

pub async fn save_notice(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let ctx = auth.ctx(&state);
    match app::privacy::save_notice_text(&ctx, form.get("text")) {
        Ok(_) => Ok(see_other("/privacy")),
        Err(app::AppError::Invalid(invalid)) => {
            let (version, _, versions) = app::privacy::notice_texts(&ctx)?;
            let instance = state.store.instance()?;
            let chrome = Chrome::for_user(&auth, instance.as_ref(), "/privacy");
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::privacy::page(
                    &chrome,
                    version,
                    form.get("text"),
                    &versions,
                    &invalid,
                    None,
                ),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    pub utente: String,
    #[serde(default)]
    pub azione: String,
    #[serde(default)]
    pub soggetto: String,
    #[serde(default)]
    pub persona: String,
    #[serde(default)]
    pub dal: String,
    #[serde(default)]
    pub al: String,
    /// Set by the link of a person chosen among namesakes.
    #[serde(default)]
    pub scelta: String,
}

impl AuditQuery {
    fn query(&self) -> app::privacy::AuditQuery {
        app::privacy::AuditQuery {
            user: self.utente.clone(),
            action: self.azione.clone(),
            subject: self.soggetto.clone(),
            person: self.persona.clone(),
            from: self.dal.clone(),
            to: self.al.clone(),
            chosen: uuid::Uuid::parse_str(self.scelta.trim()).ok(),
        }
    }
}

/// The audit viewer (responsabile); reading the audit is itself audited.
pub async fn audit(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    audit_view(&auth, &state, &query, Invalid::new(), None)
}

fn audit_view(
    auth: &Auth,
    state: &AppState,
    query: &AuditQuery,
    mut invalid: Invalid,
    checked: Option<&crate::domain::audit::CopyVerified>,
) -> Result<HttpResponse, PageError> {
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(auth, instance.as_ref(), "/privacy");
    let log = match app::privacy::audit_log(&auth.ctx(state), query.query(), 500, false) {
        Ok(log) => log,
        Err(app::AppError::Invalid(more)) => {
            // Only the page's own filter can be invalid here (a copy is checked unfiltered).
            if invalid.is_empty() {
                invalid = more;
            }
            app::privacy::AuditLog {
                entries: Vec::new(),
                verified: state.store.verify_audit()?,
                person: None,
                candidates: Vec::new(),
                users: Vec::new(),
                person_names: Default::default(),
            }
        }
        Err(e) => return Err(e.into()),
    };
    let status = if invalid.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(
        status,
        views::privacy::audit_page(&chrome, query, &log, &invalid, checked),
    ))
}

/// The whole log as JSON lines, for the DPO (the download is audited with its head).
pub async fn audit_copy(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let copy = app::privacy::audit_copy(&auth.ctx(&state))?;
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"registro-audit.jsonl\"",
        ))
        .body(copy.text))
}

/// Checks a copy brought back against the head noted at export.
pub async fn verify_copy(
    auth: Auth,
    state: web::Data<AppState>,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, PageError> {
    const MAX_COPY: usize = 512 * 1024 * 1024;
    let query = AuditQuery::default();
    let upload = match super::forms::upload(payload, MAX_COPY, "file troppo grande").await {
        Ok(u) => u,
        Err(message) => {
            return audit_view(&auth, &state, &query, Invalid::one("file", message), None)
        }
    };
    let Some(bytes) = upload.file.as_deref() else {
        let missing = Invalid::one("file", "Scegliere il file della copia.");
        return audit_view(&auth, &state, &query, missing, None);
    };
    let (ctx, head) = (auth.ctx(&state), upload.get("head"));
    match app::privacy::verify_audit_copy(&ctx, bytes, head) {
        Ok(done) => audit_view(&auth, &state, &query, Invalid::new(), Some(&done)),
        Err(app::AppError::Invalid(invalid)) => audit_view(&auth, &state, &query, invalid, None),
        Err(e) => Err(e.into()),
    }
}

fn csv_field(s: &str) -> String {
    // Quoted, quotes doubled, formulas neutralised.
    let safe = crate::domain::text::spreadsheet_safe(s);
    format!("\"{}\"", safe.replace('"', "\"\""))
}

pub async fn audit_csv(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let entries =
        app::privacy::audit_log(&auth.ctx(&state), query.query(), usize::MAX, true)?.entries;
    let mut out = String::from("seq;ora;utente;azione;oggetto;dettagli;hash_precedente;hash\n");
    for e in entries.iter().rev() {
        out.push_str(&format!(
            "{};{};{};{};{};{};{};{}\n",
            e.seq,
            csv_field(&e.time.to_rfc3339()),
            csv_field(&e.user),
            csv_field(&e.action),
            csv_field(&e.subject),
            csv_field(&e.details),
            e.prev_hash,
            e.hash
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"registro-audit.csv\"",
        ))
        .body(out))
}

/// The art. 15 report before it is given: what it holds, and the choice on reserved notes.
pub async fn report_review(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    review_page(
        &auth,
        &state,
        path.into_inner(),
        false,
        "",
        &Invalid::new(),
        StatusCode::OK,
    )
    .await
}

async fn review_page(
    auth: &Auth,
    state: &web::Data<AppState>,
    id: Uuid,
    withhold: bool,
    reason: &str,
    invalid: &Invalid,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let report = blocking(state, &auth.actor, move |ctx| {
        app::privacy::report_preview(ctx, id)
    })
    .await?;
    let instance = state.store.instance()?;
    let name = report.person.display_name();
    let chrome = Chrome::for_user(auth, instance.as_ref(), "/persone")
        .under(&name, format!("/persone/{id}"));
    Ok(super::respond::html(
        status,
        views::subject_report::review(&chrome, &report, withhold, reason, invalid),
    ))
}

/// The art. 15 report as released after the review (PDF, rendered off the request threads).
pub async fn report(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let withhold = form.get("withhold") == "1";
    let reason = form.get("withhold_reason").to_string();
    let held = withhold.then(|| reason.clone());
    match super::documents::subject_report(&state, &auth.actor, id, "PDF art. 15", held).await {
        Ok(bytes) => Ok(super::respond::pdf(bytes, "dati-personali.pdf")),
        Err(AppError::Invalid(invalid)) => {
            review_page(
                &auth,
                &state,
                id,
                withhold,
                &reason,
                &invalid,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Retention: the term, a dry run, the saved proposal and its approval (responsabile).
#[derive(serde::Deserialize)]
pub struct RetentionQuery {
    #[serde(default)]
    anonimizzate: Option<usize>,
    #[serde(default)]
    accessi: Option<usize>,
}

pub async fn retention(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<RetentionQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = query.anonimizzate.map(|n| {
        format!(
            "Anonimizzate {n} persone e {} accessi; i dati statistici restano.",
            query.accessi.unwrap_or(0)
        )
    });
    let view = app::retention::view(&auth.ctx(&state))?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/privacy");
    Ok(ok(views::privacy::retention_page(
        &chrome,
        &view,
        notice.as_deref(),
    )))
}

pub async fn save_retention_years(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    app::retention::set_years(&auth.ctx(&state), form.get("years"))?;
    Ok(see_other("/privacy/conservazione"))
}

pub async fn propose(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    app::retention::propose(&auth.ctx(&state))?;
    Ok(see_other("/privacy/conservazione"))
}

pub async fn proposal_pdf(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let (proposal, rows, cases) = app::retention::for_print(&auth.ctx(&state))?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let contacts = state.store.desk_contacts()?;
    let doc = crate::pdf::documents::discard_proposal(
        &instance,
        &contacts,
        proposal.years,
        &rows,
        &cases,
        proposal.created_at,
    );
    let bytes = super::documents::render_pdf(doc).await?;
    Ok(super::respond::pdf(bytes, "proposta-di-scarto.pdf"))
}

/// Approval of the discard proposal; anonymizing may take a while, so it runs off the workers.
pub async fn approve(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let confirmed_alone = form.get("da_solo") == "si";
    let (store, reference, actor) = (
        state.store.clone(),
        state.reference.clone(),
        auth.actor.clone(),
    );
    let (persons, accesses) = web::block(move || {
        app::retention::approve(&app::Ctx::new(&store, &reference, &actor), confirmed_alone)
    })
    .await??;
    Ok(see_other(&format!(
        "/privacy/conservazione?anonimizzate={persons}&accessi={accesses}"
    )))
}

/// The record of processing activities (art. 30), from the installation's settings.
pub async fn processing_record(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let r = app::privacy::processing_record(&auth.ctx(&state))?;
    let doc = crate::pdf::documents::processing_record(
        &r.instance,
        &r.contacts,
        r.retention_years,
        &r.backup_folder,
    );
    let bytes = super::documents::render_pdf(doc).await?;
    Ok(super::respond::pdf(bytes, "registro-trattamenti.pdf"))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/persone/{id}/informativa.pdf", Gate::Desk, notice_pdf);
    r.post("/persone/{id}/consensi", Gate::Desk, consent);
    r.post("/persone/{id}/limitazione", Gate::Responsabile, restrict);
    r.post(
        "/persone/{id}/limitazione/rimuovi",
        Gate::Responsabile,
        lift_restriction,
    );
    r.get("/persone/{id}/rapporto", Gate::SocialWork, report_review);
    r.post("/persone/{id}/rapporto.pdf", Gate::SocialWork, report);
    r.get("/privacy", Gate::Responsabile, page);
    r.post("/privacy/informativa", Gate::Responsabile, save_notice);
    r.get("/privacy/audit", Gate::Responsabile, audit);
    r.get("/privacy/audit.csv", Gate::Responsabile, audit_csv);
    r.get("/privacy/audit.jsonl", Gate::Responsabile, audit_copy);
    r.post("/privacy/audit/verifica", Gate::Responsabile, verify_copy);
    r.get("/privacy/conservazione", Gate::Responsabile, retention);
    r.get(
        "/privacy/registro.pdf",
        Gate::Responsabile,
        processing_record,
    );
    r.post(
        "/privacy/conservazione/termine",
        Gate::Responsabile,
        save_retention_years,
    );
    r.post(
        "/privacy/conservazione/proposta",
        Gate::Responsabile,
        propose,
    );
    r.get(
        "/privacy/conservazione/proposta.pdf",
        Gate::Responsabile,
        proposal_pdf,
    );
    r.post(
        "/privacy/conservazione/approva",
        Gate::Responsabile,
        approve,
    );
}
