//! Brevo's contacts API, as documented at developers.brevo.com/reference/create-contact:
//! `api-key` header, `POST /v3/contacts` (email or attributes.SMS required;
//! attributes must exist in the account; listIds must exist; an existing
//! contact without `updateEnabled: true` is 400 `duplicate_parameter`;
//! 201 `{id}` when created, 204 when updated), `DELETE /v3/contacts/{identifier}`
//! (204, 404 `document_not_found`), errors `{code, message}`, 429 with
//! `x-sib-ratelimit-reset`.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{after, before, header, Shared, Tool};

#[derive(Clone, Debug, Default)]
pub struct Contact {
    pub id: i64,
    pub attributes: BTreeMap<String, Value>,
    pub lists: BTreeSet<i64>,
    pub email_blacklisted: bool,
    pub sms_blacklisted: bool,
    pub writes: usize,
}

pub struct Data {
    pub api_key: String,
    pub lists: BTreeSet<i64>,
    pub attributes: BTreeSet<String>,
    pub contacts: BTreeMap<String, Contact>,
    pub next_id: i64,
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

async fn create(
    State(state): State<Shared<Data>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let limited =
        r#"{"code":"too_many_requests","message":"The expected rate limit is exceeded."}"#;
    let hang = match before(
        &state,
        &method,
        &uri,
        &headers,
        &body,
        limited,
        Some("x-sib-ratelimit-reset"),
    )
    .await
    {
        Ok(h) => h,
        Err(r) => return r,
    };
    let answer = {
        let mut mock = state.lock().unwrap();
        let data = &mut mock.data;
        if header(&headers, "api-key") != Some(data.api_key.as_str()) {
            return error(StatusCode::UNAUTHORIZED, "unauthorized", "Key not found");
        }
        let Ok(c): Result<Value, _> = serde_json::from_slice(&body) else {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "Input must be a valid JSON object",
            );
        };
        let Some(email) = c["email"].as_str().map(str::to_lowercase) else {
            return error(
                StatusCode::BAD_REQUEST,
                "missing_parameter",
                "email or SMS attribute is required",
            );
        };
        let attributes = c["attributes"].as_object().cloned().unwrap_or_default();
        if let Some(name) = attributes.keys().find(|k| !data.attributes.contains(*k)) {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                &format!("Attribute {name} does not exist"),
            );
        }
        let lists: Vec<i64> = c["listIds"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        if lists.iter().any(|l| !data.lists.contains(l)) {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                "List ID does not exist",
            );
        }
        let exists = data.contacts.contains_key(&email);
        if exists && c["updateEnabled"] != json!(true) {
            return error(
                StatusCode::BAD_REQUEST,
                "duplicate_parameter",
                "Contact already exist",
            );
        }
        data.next_id += 1;
        let next = data.next_id;
        let contact = data.contacts.entry(email).or_insert_with(|| Contact {
            id: next,
            ..Default::default()
        });
        contact.attributes.extend(attributes);
        contact.lists.extend(lists);
        if let Some(b) = c["emailBlacklisted"].as_bool() {
            contact.email_blacklisted = b;
        }
        if let Some(b) = c["smsBlacklisted"].as_bool() {
            contact.sms_blacklisted = b;
        }
        contact.writes += 1;
        (!exists).then_some(contact.id)
    };
    after(hang).await;
    match answer {
        Some(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn remove(
    State(state): State<Shared<Data>>,
    Path(identifier): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = before(
        &state,
        &method,
        &uri,
        &headers,
        &body,
        "{}",
        Some("x-sib-ratelimit-reset"),
    )
    .await
    {
        return r;
    }
    let mut mock = state.lock().unwrap();
    if header(&headers, "api-key") != Some(mock.data.api_key.as_str()) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "Key not found");
    }
    match mock.data.contacts.remove(&identifier.to_lowercase()) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "document_not_found",
            "Contact does not exist",
        ),
    }
}

pub async fn start(api_key: &str, lists: &[i64], attributes: &[&str]) -> Tool<Data> {
    let data = Data {
        api_key: api_key.into(),
        lists: lists.iter().copied().collect(),
        attributes: attributes
            .iter()
            .map(|s| s.to_string())
            .chain(["SMS".to_string()])
            .collect(),
        contacts: BTreeMap::new(),
        next_id: 0,
    };
    Tool::start(data, |state| {
        Router::new()
            .route("/v3/contacts", post(create))
            .route("/v3/contacts/{identifier}", delete(remove))
            .with_state(state)
    })
    .await
}

impl Tool<Data> {
    pub fn contact(&self, email: &str) -> Option<Contact> {
        self.with(|d| d.contacts.get(email).cloned())
    }
}
