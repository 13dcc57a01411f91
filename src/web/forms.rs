//! Submitted HTML forms, read leniently: missing fields are empty, repeated fields are lists.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

use super::error::PageError;

/// The fields of an `application/x-www-form-urlencoded` body, in order.
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name` (checkbox groups).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl FromRequest for Fields {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|_| PageError::BadRequest)?;
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .map(Fields)
                .map_err(|_| PageError::BadRequest)
        })
    }
}

/// A multipart upload: the file of field `file` (none when empty) and the other text fields.
pub struct Upload {
    pub file: Option<Vec<u8>>,
    pub fields: Vec<(String, String)>,
}

impl Upload {
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Reads a multipart upload, refusing (with `too_big`) a file over `max` bytes; text fields are
/// kept up to 4 KB each.
pub async fn upload(
    mut payload: actix_multipart::Multipart,
    max: usize,
    too_big: &str,
) -> Result<Upload, String> {
    use futures_util::StreamExt;
    const MAX_FIELD: usize = 4096;
    // The upload forms have a file and a few short fields: more parts are not a form of ours,
    // and would only hold memory.
    const MAX_PARTS: usize = 16;
    let mut parts = 0;
    let mut out = Upload {
        file: None,
        fields: Vec::new(),
    };
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| format!("invio del file non riuscito: {e}"))?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err("modulo con troppi campi: usare il modulo della pagina".into());
        }
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" && out.file.is_some() {
            return Err("un file alla volta".into());
        }
        let limit = if name == "file" { max } else { MAX_FIELD };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| format!("invio del file non riuscito: {e}"))?;
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    too_big.to_string()
                } else {
                    format!("campo «{name}» troppo lungo")
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "file" {
            if out.file.is_none() && !bytes.is_empty() {
                out.file = Some(bytes);
            }
        } else {
            out.fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(out)
}
