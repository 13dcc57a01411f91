//! API bearer tokens: shown once, stored only as a hash, revocable.

use crate::domain::audit::Action;
use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codec::{decode, encode};
use super::sessions::{key_of, random_secret};
use super::tables::{TOKENS, TOKENS_BY_USER, USERS};
use super::{audit, Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::user::User;

/// Prefix that makes a Sportello token recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "spt_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub label: String,
    pub created_at: DateTime<Utc>,
}

pub(super) fn revoke_all_in(txn: &WriteTransaction, user_id: Uuid) -> Result<(), StoreError> {
    let mut by_user = txn.open_multimap_table(TOKENS_BY_USER)?;
    let mut tokens = txn.open_table(TOKENS)?;
    let keys: Vec<Vec<u8>> = by_user
        .remove_all(user_id.as_u128())?
        .map(|k| k.map(|k| k.value().to_vec()))
        .collect::<Result<_, _>>()?;
    for key in keys {
        tokens.remove(key.as_slice())?;
    }
    Ok(())
}

impl Store {
    /// Creates a token for `user`; returns the secret (shown once) and its record.
    pub fn create_token(
        &self,
        user: &User,
        label: &str,
        actor: &str,
    ) -> Result<(String, ApiToken), StoreError> {
        let secret = format!("{TOKEN_PREFIX}{}", random_secret()?);
        let key = key_of(&secret);
        let token = ApiToken {
            id: Uuid::now_v7(),
            user_id: user.id,
            label: label.to_string(),
            created_at: Utc::now(),
        };
        let txn = self.begin_write()?;
        txn.open_table(TOKENS)?
            .insert(key.as_slice(), encode(&token)?.as_slice())?;
        txn.open_multimap_table(TOKENS_BY_USER)?
            .insert(user.id.as_u128(), key.as_slice())?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::TokenCreate, user.username.clone())
                .details(format!("token {} «{}»", token.id, token.label)),
        )?;
        txn.commit()?;
        Ok((secret, token))
    }

    /// The enabled user a bearer token belongs to.
    pub fn token_user(&self, secret: &str) -> Result<Option<User>, StoreError> {
        let txn = self.begin_read()?;
        let tokens = txn.open_table(TOKENS)?;
        let Some(v) = tokens.get(key_of(secret).as_slice())? else {
            return Ok(None);
        };
        let token: ApiToken = decode(v.value())?;
        let users = txn.open_table(USERS)?;
        let user: Option<User> = users
            .get(token.user_id.as_u128())?
            .map(|v| decode(v.value()))
            .transpose()?;
        Ok(user.filter(|u| !u.disabled))
    }

    /// Tokens of one user, oldest first.
    pub fn tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>, StoreError> {
        let txn = self.begin_read()?;
        let by_user = txn.open_multimap_table(TOKENS_BY_USER)?;
        let tokens = txn.open_table(TOKENS)?;
        let mut out: Vec<ApiToken> = Vec::new();
        for key in by_user.get(user_id.as_u128())? {
            if let Some(v) = tokens.get(key?.value())? {
                out.push(decode(v.value())?);
            }
        }
        out.sort_by_key(|t| t.id);
        Ok(out)
    }

    /// Revokes the token with this id; false if there is none.
    pub fn revoke_token(&self, token_id: Uuid, actor: &str) -> Result<bool, StoreError> {
        let txn = self.begin_write()?;
        let found = {
            let tokens = txn.open_table(TOKENS)?;
            let mut found = None;
            for row in tokens.iter()? {
                let (k, v) = row?;
                let t: ApiToken = decode(v.value())?;
                if t.id == token_id {
                    found = Some((k.value().to_vec(), t));
                    break;
                }
            }
            found
        };
        let Some((key, token)) = found else {
            return Ok(false);
        };
        txn.open_table(TOKENS)?.remove(key.as_slice())?;
        txn.open_multimap_table(TOKENS_BY_USER)?
            .remove(token.user_id.as_u128(), key.as_slice())?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::TokenRevoke, token.user_id.to_string())
                .details(format!("token {}", token.id)),
        )?;
        txn.commit()?;
        Ok(true)
    }
}
