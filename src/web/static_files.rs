//! Embedded static files under /assets, with cache headers and ETags.

use crate::web::routes::{Gate, Routes};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::error::PageError;
use crate::assets::Assets;

pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let file = Assets::get(&path).ok_or(PageError::NotFound)?;
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    let cache = ("Cache-Control", "public, max-age=86400");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header(cache)
            .insert_header((header::ETAG, etag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(file.metadata.mimetype())
        .insert_header(cache)
        .insert_header((header::ETAG, etag))
        .body(file.data.into_owned()))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/assets/{path:.*}", Gate::Open, serve);
}
