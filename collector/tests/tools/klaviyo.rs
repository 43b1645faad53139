//! Klaviyo's Bulk Subscribe / Bulk Unsubscribe Profiles, as documented at
//! developers.klaviyo.com/en/reference/bulk_subscribe_profiles: `Authorization:
//! Klaviyo-API-Key <private key>`, a required `revision` header
//! (YYYY-MM-DD), `Content-Type: application/vnd.api+json`, the JSON:API job
//! body (type, profiles with email or phone_number, consent SUBSCRIBED or
//! UNSUBSCRIBED, `consented_at` only with `historical_import`, a list
//! relationship of type `list`), 202 with no body, JSON:API errors.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use super::{after, before, header, Shared, Tool};

#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// Channel ("email", "sms") → (consent, consented_at).
    pub consent: BTreeMap<String, (String, Option<String>)>,
    pub lists: BTreeSet<String>,
    pub phone: Option<String>,
    pub jobs: usize,
}

pub struct Data {
    pub private_key: String,
    pub lists: BTreeSet<String>,
    pub profiles: BTreeMap<String, Profile>,
}

fn error(status: StatusCode, code: &str, title: &str, detail: &str, pointer: &str) -> Response {
    let body = json!({"errors": [{
        "id": "00000000-0000-0000-0000-000000000000", "status": status.as_u16(), "code": code,
        "title": title, "detail": detail, "source": {"pointer": pointer},
    }]});
    (
        status,
        [("content-type", "application/vnd.api+json")],
        body.to_string(),
    )
        .into_response()
}

fn invalid(detail: &str, pointer: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid",
        "Invalid input.",
        detail,
        pointer,
    )
}

async fn job(
    state: Shared<Data>,
    subscribe: bool,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let throttled = r#"{"errors":[{"status":429,"code":"throttled","title":"Request was throttled.","detail":"Request was throttled. Expected available in 1 second."}]}"#;
    let hang = match before(&state, &method, &uri, &headers, &body, throttled, None).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    {
        let mut mock = state.lock().unwrap();
        let data = &mut mock.data;
        let key =
            header(&headers, "authorization").and_then(|h| h.strip_prefix("Klaviyo-API-Key "));
        if key != Some(data.private_key.as_str()) {
            return error(
                StatusCode::UNAUTHORIZED,
                "not_authenticated",
                "Authentication credentials were not provided.",
                "Missing or invalid private key.",
                "/data/",
            );
        }
        let revision = header(&headers, "revision").unwrap_or_default();
        if chrono::NaiveDate::parse_from_str(revision.get(..10).unwrap_or_default(), "%Y-%m-%d")
            .is_err()
        {
            return invalid(
                "A valid revision header is required (YYYY-MM-DD).",
                "/headers/revision",
            );
        }
        if header(&headers, "content-type") != Some("application/vnd.api+json") {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type.",
                "Use application/vnd.api+json.",
                "/data/",
            );
        }
        let Ok(doc): Result<Value, _> = serde_json::from_slice(&body) else {
            return error(
                StatusCode::BAD_REQUEST,
                "parse_error",
                "Malformed request.",
                "JSON parse error.",
                "/data/",
            );
        };
        let kind = if subscribe {
            "profile-subscription-bulk-create-job"
        } else {
            "profile-subscription-bulk-delete-job"
        };
        if doc.pointer("/data/type").and_then(Value::as_str) != Some(kind) {
            return error(
                StatusCode::CONFLICT,
                "conflict",
                "Conflict.",
                &format!("The resource type must be {kind}."),
                "/data/type",
            );
        }
        let historical = doc
            .pointer("/data/attributes/historical_import")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let list = match doc.pointer("/data/relationships/list/data") {
            None => None,
            Some(l)
                if l["type"] == "list"
                    && l["id"].as_str().is_some_and(|id| data.lists.contains(id)) =>
            {
                l["id"].as_str().map(str::to_string)
            }
            Some(_) => {
                return error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "Not found.",
                    "The list does not exist.",
                    "/data/relationships/list/data/id",
                )
            }
        };
        let Some(profiles) = doc
            .pointer("/data/attributes/profiles/data")
            .and_then(Value::as_array)
        else {
            return invalid(
                "'profiles' is a required field.",
                "/data/attributes/profiles",
            );
        };
        if profiles.is_empty() || profiles.len() > 1000 {
            return invalid(
                "Between 1 and 1000 profiles.",
                "/data/attributes/profiles/data",
            );
        }
        let want = if subscribe {
            "SUBSCRIBED"
        } else {
            "UNSUBSCRIBED"
        };
        let mut updates = Vec::new();
        for (i, p) in profiles.iter().enumerate() {
            let at = format!("/data/attributes/profiles/data/{i}");
            if p["type"] != "profile" {
                return invalid("type must be profile", &format!("{at}/type"));
            }
            let attrs = &p["attributes"];
            let Some(email) = attrs["email"].as_str().map(str::to_lowercase) else {
                return invalid(
                    "An email or phone_number is required.",
                    &format!("{at}/attributes"),
                );
            };
            let mut consent = BTreeMap::new();
            let subs = attrs["subscriptions"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            if subs.is_empty() {
                return invalid(
                    "'subscriptions' is a required field.",
                    &format!("{at}/attributes/subscriptions"),
                );
            }
            for (channel, value) in subs {
                if !["email", "sms"].contains(&channel.as_str())
                    || value.pointer("/marketing/consent").and_then(Value::as_str) != Some(want)
                {
                    return invalid(
                        &format!("consent must be {want}"),
                        &format!("{at}/attributes/subscriptions/{channel}"),
                    );
                }
                if channel == "sms"
                    && !attrs["phone_number"]
                        .as_str()
                        .is_some_and(|p| p.starts_with('+'))
                {
                    return invalid(
                        "phone_number in E.164 is required for SMS.",
                        &format!("{at}/attributes/phone_number"),
                    );
                }
                let consented_at = value.pointer("/marketing/consented_at");
                match (consented_at, historical) {
                    (Some(_), false) => {
                        return invalid(
                            "consented_at can only be provided with historical_import.",
                            &format!(
                                "{at}/attributes/subscriptions/{channel}/marketing/consented_at"
                            ),
                        )
                    }
                    (None, true) if subscribe => {
                        return invalid(
                            "consented_at is required for a historical import.",
                            &format!("{at}/attributes/subscriptions/{channel}/marketing"),
                        )
                    }
                    (Some(t), true) if !super::is_datetime(t) => {
                        return invalid(
                            "consented_at must be a date-time.",
                            &format!(
                                "{at}/attributes/subscriptions/{channel}/marketing/consented_at"
                            ),
                        )
                    }
                    _ => {}
                }
                consent.insert(
                    channel,
                    (
                        want.to_string(),
                        consented_at.and_then(Value::as_str).map(str::to_string),
                    ),
                );
            }
            updates.push((
                email,
                consent,
                attrs["phone_number"].as_str().map(str::to_string),
            ));
        }
        for (email, consent, phone) in updates {
            let profile = data.profiles.entry(email).or_default();
            profile.consent.extend(consent);
            profile.jobs += 1;
            if phone.is_some() {
                profile.phone = phone;
            }
            if let Some(list) = &list {
                profile.lists.insert(list.clone());
            }
        }
    }
    after(hang).await;
    StatusCode::ACCEPTED.into_response()
}

async fn create(
    State(s): State<Shared<Data>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    job(s, true, m, u, h, b).await
}

async fn delete(
    State(s): State<Shared<Data>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
    b: Bytes,
) -> Response {
    job(s, false, m, u, h, b).await
}

pub async fn start(private_key: &str, lists: &[&str]) -> Tool<Data> {
    let data = Data {
        private_key: private_key.into(),
        lists: lists.iter().map(|s| s.to_string()).collect(),
        profiles: BTreeMap::new(),
    };
    Tool::start(data, |state| {
        Router::new()
            .route("/api/profile-subscription-bulk-create-jobs", post(create))
            .route("/api/profile-subscription-bulk-delete-jobs", post(delete))
            .with_state(state)
    })
    .await
}

impl Tool<Data> {
    pub fn profile(&self, email: &str) -> Option<Profile> {
        self.with(|d| d.profiles.get(email).cloned())
    }
}
