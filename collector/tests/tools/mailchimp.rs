//! Mailchimp Marketing API 3.0, list members, as documented at
//! mailchimp.com/developer/marketing/api/list-members/: Basic auth whose
//! password is the API key, `PUT /3.0/lists/{list_id}/members/{md5 of the
//! lowercased address}` (status_if_new required for a new member; status in
//! subscribed/unsubscribed/cleaned/pending/transactional; marketing
//! permission ids of the audience; ISO 8601 timestamps),
//! `POST .../actions/delete-permanent`, problem-document errors.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use base64::Engine;
use md5::{Digest, Md5};
use serde_json::{json, Value};

use super::{after, before, header, Shared, Tool};

#[derive(Clone, Debug, Default)]
pub struct Member {
    pub email: String,
    pub status: String,
    pub fields: Value,
    /// Permission id → enabled.
    pub permissions: BTreeMap<String, bool>,
    pub writes: usize,
}

pub struct Data {
    pub api_key: String,
    pub list: String,
    pub permission_ids: BTreeSet<String>,
    pub members: BTreeMap<String, Member>,
}

fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({
        "type": "https://mailchimp.com/developer/marketing/docs/errors/",
        "title": title, "status": status.as_u16(), "detail": detail, "instance": "",
    });
    (
        status,
        [("content-type", "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

fn authorized(data: &Data, headers: &HeaderMap) -> bool {
    let Some(basic) = header(headers, "authorization").and_then(|h| h.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(basic) else {
        return false;
    };
    let text = String::from_utf8_lossy(&decoded);
    text.split_once(':')
        .is_some_and(|(_, key)| key == data.api_key)
}

const STATUSES: &[&str] = &[
    "subscribed",
    "unsubscribed",
    "cleaned",
    "pending",
    "transactional",
];

async fn upsert(
    State(state): State<Shared<Data>>,
    Path((list, hash)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let hang = match before(
        &state,
        &method,
        &uri,
        &headers,
        &body,
        r#"{"title":"Too Many Requests","status":429}"#,
        None,
    )
    .await
    {
        Ok(h) => h,
        Err(r) => return r,
    };
    let answer = {
        let mut mock = state.lock().unwrap();
        let data = &mut mock.data;
        if !authorized(data, &headers) {
            return problem(
                StatusCode::UNAUTHORIZED,
                "API Key Invalid",
                "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
            );
        }
        if list != data.list {
            return problem(
                StatusCode::NOT_FOUND,
                "Resource Not Found",
                "The requested resource could not be found.",
            );
        }
        let Ok(member): Result<Value, _> = serde_json::from_slice(&body) else {
            return problem(
                StatusCode::BAD_REQUEST,
                "JSON Schema Exception",
                "We encountered an unspecified JSON parsing error.",
            );
        };
        let email = member["email_address"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if email.is_empty() {
            return problem(
                StatusCode::BAD_REQUEST,
                "Invalid Resource",
                "email_address: This value should not be blank.",
            );
        }
        if hex::encode(Md5::digest(email.to_lowercase().as_bytes())) != hash {
            return problem(
                StatusCode::BAD_REQUEST,
                "Invalid Resource",
                "The subscriber hash does not match the email address.",
            );
        }
        let existing = data.members.contains_key(&hash);
        let status = if existing {
            member.get("status")
        } else {
            member.get("status_if_new")
        };
        let Some(status) = status.and_then(Value::as_str) else {
            return problem(
                StatusCode::BAD_REQUEST,
                "Invalid Resource",
                "status_if_new is required for a new list member.",
            );
        };
        if !STATUSES.contains(&status) {
            return problem(
                StatusCode::BAD_REQUEST,
                "Invalid Resource",
                "status: Invalid value.",
            );
        }
        // "IP address the subscriber signed up from" / "confirmed their
        // opt-in status": an address, not a network.
        for key in ["ip_signup", "ip_opt"] {
            if member.get(key).is_some_and(|v| v.as_str().and_then(|ip| ip.parse::<std::net::IpAddr>().ok()).is_none()) {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "Invalid Resource",
                    &format!("{key}: not a valid IP address."),
                );
            }
        }
        for key in ["timestamp_signup", "timestamp_opt"] {
            if member.get(key).is_some_and(|v| !super::is_datetime(v)) {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "Invalid Resource",
                    &format!("{key}: not an ISO 8601 date-time."),
                );
            }
        }
        let mut permissions = data
            .members
            .get(&hash)
            .map(|m| m.permissions.clone())
            .unwrap_or_default();
        for p in member["marketing_permissions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let id = p["marketing_permission_id"].as_str().unwrap_or_default();
            if !data.permission_ids.contains(id) || !p["enabled"].is_boolean() {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "Invalid Resource",
                    "marketing_permissions: unknown marketing_permission_id or missing enabled.",
                );
            }
            permissions.insert(id.to_string(), p["enabled"].as_bool().unwrap());
        }
        let entry = data.members.entry(hash.clone()).or_default();
        entry.email = email.clone();
        entry.status = status.to_string();
        entry.fields = member.clone();
        entry.permissions = permissions;
        entry.writes += 1;
        json!({"id": hash, "email_address": email, "status": status, "list_id": list})
    };
    after(hang).await;
    Json(answer).into_response()
}

async fn delete_permanent(
    State(state): State<Shared<Data>>,
    Path((list, hash)): Path<(String, String)>,
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
        r#"{"status":429}"#,
        None,
    )
    .await
    {
        return r;
    }
    let mut mock = state.lock().unwrap();
    if !authorized(&mock.data, &headers) {
        return problem(
            StatusCode::UNAUTHORIZED,
            "API Key Invalid",
            "Your API key may be invalid.",
        );
    }
    if list != mock.data.list || mock.data.members.remove(&hash).is_none() {
        return problem(
            StatusCode::NOT_FOUND,
            "Resource Not Found",
            "The requested resource could not be found.",
        );
    }
    StatusCode::NO_CONTENT.into_response()
}

pub async fn start(api_key: &str, list: &str, permission_ids: &[&str]) -> Tool<Data> {
    let data = Data {
        api_key: api_key.into(),
        list: list.into(),
        permission_ids: permission_ids.iter().map(|s| s.to_string()).collect(),
        members: BTreeMap::new(),
    };
    Tool::start(data, |state| {
        Router::new()
            .route("/3.0/lists/{list}/members/{hash}", put(upsert))
            .route(
                "/3.0/lists/{list}/members/{hash}/actions/delete-permanent",
                post(delete_permanent),
            )
            .with_state(state)
    })
    .await
}

impl Tool<Data> {
    pub fn member(&self, email: &str) -> Option<Member> {
        let hash = hex::encode(Md5::digest(email.to_lowercase().as_bytes()));
        self.with(|d| d.members.get(&hash).cloned())
    }
}

/// The body of Mailchimp's unsubscribe webhook, as its guide shows it.
pub fn unsubscribe_webhook(list: &str, email: &str) -> String {
    let fired = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    serde_urlencoded::to_string([
        ("type", "unsubscribe"),
        ("fired_at", fired.as_str()),
        ("data[action]", "unsub"),
        ("data[reason]", "manual"),
        ("data[id]", "8a25ff1d98"),
        ("data[list_id]", list),
        ("data[email]", email),
        ("data[email_type]", "html"),
        ("data[merges][EMAIL]", email),
    ])
    .unwrap()
}
