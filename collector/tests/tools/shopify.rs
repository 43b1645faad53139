//! Shopify's Admin GraphQL API, the part the connector uses, as documented at
//! shopify.dev/docs/api/admin-graphql: `POST /admin/api/{version}/graphql.json`
//! with `X-Shopify-Access-Token` (401 otherwise), `{query, variables}`;
//! `customers(query:)`, `customerCreate` (unique e-mail: "Email has already
//! been taken"), `customerUpdate`, `customerEmailMarketingConsentUpdate` and
//! `customerSmsMarketingConsentUpdate` (input states SUBSCRIBED, UNSUBSCRIBED,
//! PENDING only; opt-in levels SINGLE_OPT_IN, CONFIRMED_OPT_IN, UNKNOWN;
//! `consentUpdatedAt` a DateTime, not in the future; the customer must have
//! the e-mail or phone). Invalid variables are top-level `errors`; business
//! rules are `userErrors`; throttling is a `THROTTLED` error with the cost.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{after, before, header, Shared, Tool};

/// (state, opt-in level, consentUpdatedAt).
pub type Consent = (String, Option<String>, Option<String>);

#[derive(Clone, Debug, Default)]
pub struct Customer {
    pub email: String,
    pub phone: Option<String>,
    pub email_consent: Option<Consent>,
    pub sms_consent: Option<Consent>,
}

pub struct Data {
    pub token: String,
    pub version: String,
    pub customers: BTreeMap<String, Customer>,
    pub creates: usize,
    /// Answer the next request with THROTTLED.
    pub throttle_next: bool,
}

fn invalid_variable(message: &str) -> Value {
    json!({"errors": [{"message": message, "extensions": {"code": "INVALID_VARIABLE"}}]})
}

fn payload(name: &str, customer: Option<&str>, errors: Vec<Value>) -> Value {
    json!({"data": {name: {"customer": customer.map(|id| json!({"id": id})), "userErrors": errors}}})
}

fn consent_input(input: &Value, key: &str) -> Result<Consent, String> {
    let c = &input[key];
    let state = c["marketingState"].as_str().unwrap_or_default();
    if !["SUBSCRIBED", "UNSUBSCRIBED", "PENDING"].contains(&state) {
        return Err(format!("Variable $input of type ... was provided invalid value for {key}.marketingState (Expected one of SUBSCRIBED, UNSUBSCRIBED, PENDING)"));
    }
    let level = c.get("marketingOptInLevel").and_then(Value::as_str);
    if level.is_some_and(|l| !["SINGLE_OPT_IN", "CONFIRMED_OPT_IN", "UNKNOWN"].contains(&l)) {
        return Err(format!("invalid value for {key}.marketingOptInLevel"));
    }
    let at = c.get("consentUpdatedAt");
    if at.is_some_and(|a| !super::is_datetime(a)) {
        return Err(format!(
            "invalid value for {key}.consentUpdatedAt (DateTime)"
        ));
    }
    Ok((
        state.into(),
        level.map(str::to_string),
        at.and_then(Value::as_str).map(str::to_string),
    ))
}

fn run(data: &mut Data, query: &str, vars: &Value) -> Value {
    let declares = |decl: &str| query.contains(decl);
    if query.contains("customers(first: 1, query: $query)") && declares("$query: String!") {
        let q = vars["query"].as_str().unwrap_or_default();
        let email = q
            .strip_prefix("email:")
            .unwrap_or_default()
            .trim_matches('"')
            .to_lowercase();
        let edges: Vec<Value> = data
            .customers
            .iter()
            .filter(|(_, c)| c.email == email)
            .take(1)
            .map(|(id, c)| json!({"node": {"id": id, "phone": c.phone}}))
            .collect();
        return json!({"data": {"customers": {"edges": edges}}});
    }
    let input = &vars["input"];
    if query.contains("customerCreate(input: $input)") && declares("$input: CustomerInput!") {
        let email = input["email"].as_str().unwrap_or_default().to_lowercase();
        if !email.contains('@') {
            return payload(
                "customerCreate",
                None,
                vec![json!({"field": ["email"], "message": "Email is invalid"})],
            );
        }
        if data.customers.values().any(|c| c.email == email) {
            return payload(
                "customerCreate",
                None,
                vec![json!({"field": ["email"], "message": "Email has already been taken"})],
            );
        }
        data.creates += 1;
        let id = format!("gid://shopify/Customer/{}", 1000 + data.customers.len());
        data.customers.insert(
            id.clone(),
            Customer {
                email,
                phone: input["phone"].as_str().map(str::to_string),
                ..Default::default()
            },
        );
        return payload("customerCreate", Some(&id), vec![]);
    }
    if query.contains("customerUpdate(input: $input)") && declares("$input: CustomerInput!") {
        let id = input["id"].as_str().unwrap_or_default();
        let Some(c) = data.customers.get_mut(id) else {
            return payload(
                "customerUpdate",
                None,
                vec![json!({"field": ["id"], "message": "Customer does not exist"})],
            );
        };
        c.phone = input["phone"]
            .as_str()
            .map(str::to_string)
            .or(c.phone.take());
        return payload("customerUpdate", Some(id), vec![]);
    }
    for (name, decl, key, sms) in [
        (
            "customerEmailMarketingConsentUpdate",
            "$input: CustomerEmailMarketingConsentUpdateInput!",
            "emailMarketingConsent",
            false,
        ),
        (
            "customerSmsMarketingConsentUpdate",
            "$input: CustomerSmsMarketingConsentUpdateInput!",
            "smsMarketingConsent",
            true,
        ),
    ] {
        if !(query.contains(&format!("{name}(input: $input)")) && declares(decl)) {
            continue;
        }
        let consent = match consent_input(input, key) {
            Ok(c) => c,
            Err(e) => return invalid_variable(&e),
        };
        let id = input["customerId"].as_str().unwrap_or_default();
        let Some(c) = data.customers.get_mut(id) else {
            return payload(
                name,
                None,
                vec![
                    json!({"field": ["customerId"], "message": "Customer not found", "code": "INVALID"}),
                ],
            );
        };
        if consent
            .2
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|t| t > chrono::Utc::now())
        {
            return payload(
                name,
                None,
                vec![
                    json!({"field": ["input", key, "consentUpdatedAt"], "message": "Consent updated at cannot be in the future", "code": "INVALID"}),
                ],
            );
        }
        if sms && c.phone.is_none() {
            return payload(
                name,
                None,
                vec![
                    json!({"field": ["customerId"], "message": "Phone number is required to update SMS marketing consent", "code": "MISSING_ARGUMENT"}),
                ],
            );
        }
        if sms {
            c.sms_consent = Some(consent)
        } else {
            c.email_consent = Some(consent)
        }
        return payload(name, Some(id), vec![]);
    }
    json!({"errors": [{"message": "Field doesn't exist on type 'Mutation' or 'QueryRoot'", "extensions": {"code": "undefinedField"}}]})
}

async fn graphql(
    State(state): State<Shared<Data>>,
    Path(version): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let hang = match before(&state, &method, &uri, &headers, &body, r#"{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}"#, None).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let answer = {
        let mut mock = state.lock().unwrap();
        let data = &mut mock.data;
        if header(&headers, "x-shopify-access-token") != Some(data.token.as_str()) {
            return (StatusCode::UNAUTHORIZED, Json(json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}))).into_response();
        }
        if version != data.version {
            return (StatusCode::NOT_FOUND, Json(json!({"errors": "Not Found"}))).into_response();
        }
        if !header(&headers, "content-type").is_some_and(|c| c.starts_with("application/json")) {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"errors": {"query": "Required parameter missing or invalid"}})),
            )
                .into_response();
        }
        let Ok(request): Result<Value, _> = serde_json::from_slice(&body) else {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"errors": {"query": "Required parameter missing or invalid"}})),
            )
                .into_response();
        };
        if std::mem::take(&mut data.throttle_next) {
            return Json(json!({
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": {"cost": {"requestedQueryCost": 12, "actualQueryCost": null, "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 10, "restoreRate": 50.0}}}
            })).into_response();
        }
        run(
            data,
            request["query"].as_str().unwrap_or_default(),
            &request["variables"],
        )
    };
    after(hang).await;
    Json(answer).into_response()
}

pub async fn start(token: &str, version: &str) -> Tool<Data> {
    let data = Data {
        token: token.into(),
        version: version.into(),
        customers: BTreeMap::new(),
        creates: 0,
        throttle_next: false,
    };
    Tool::start(data, |state| {
        Router::new()
            .route("/admin/api/{version}/graphql.json", post(graphql))
            .with_state(state)
    })
    .await
}

impl Tool<Data> {
    pub fn customer(&self, email: &str) -> Option<Customer> {
        self.with(|d| d.customers.values().find(|c| c.email == email).cloned())
    }
}

/// A `customers/email_marketing_consent_update` delivery, signed as Shopify signs it.
pub fn consent_webhook(
    secret: &[u8],
    email: &str,
    state: &str,
) -> (Vec<(&'static str, String)>, String) {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let body = json!({
        "customer_id": 1001, "email_address": email,
        "email_marketing_consent": {"state": state, "opt_in_level": "confirmed_opt_in", "consent_updated_at": chrono::Utc::now().to_rfc3339()},
    })
    .to_string();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(body.as_bytes());
    let hmac = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let headers = vec![
        (
            "x-shopify-topic",
            "customers/email_marketing_consent_update".to_string(),
        ),
        ("x-shopify-hmac-sha256", hmac),
        (
            "x-shopify-shop-domain",
            "boutique.myshopify.com".to_string(),
        ),
        (
            "x-shopify-webhook-id",
            format!("wh-{}", rand::random::<u32>()),
        ),
        ("content-type", "application/json".to_string()),
    ];
    (headers, body)
}
