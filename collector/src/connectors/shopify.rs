//! Shopify Admin GraphQL API: the customer's marketing consent.
//!
//! `POST /admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`
//! (shopify.dev/docs/api/admin-graphql). The customer is found by e-mail
//! (`customers(first: 1, query: "email:...")`) or created
//! (`customerCreate`); then `customerEmailMarketingConsentUpdate` and, for
//! SMS purposes, `customerSmsMarketingConsentUpdate` set `marketingState`
//! SUBSCRIBED with `marketingOptInLevel` CONFIRMED_OPT_IN after a mailbox
//! confirmation (SINGLE_OPT_IN where the registered form allows single
//! opt-in), or UNSUBSCRIBED on withdrawal and erasure, with
//! `consentUpdatedAt` from the log. Those mutations accept only SUBSCRIBED,
//! UNSUBSCRIBED and PENDING as input. Errors: `userErrors` in the payload
//! (permanent), top-level `errors` (a `THROTTLED` code is retried after the
//! wait the throttle status implies), 401 for a bad token, 429 and 5xx.
//!
//! Setting a state is idempotent; creating a customer is not, so a
//! `customerCreate` whose answer was lost is followed by "Email has already
//! been taken" on the retry, which finds the customer instead.
//! An erasure unsubscribes: the customer record (orders) is Shopify's.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};

use super::http::{excerpt, send};
use super::{Channel, Connector, Failure, Handoff, OptIn, State};

/// The API version requested unless the config names another.
pub const API_VERSION: &str = "2025-10";

const FIND: &str = "query FindCustomer($query: String!) { customers(first: 1, query: $query) { edges { node { id phone } } } }";
const CREATE: &str = "mutation CreateCustomer($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { field message } } }";
const SET_PHONE: &str = "mutation SetPhone($input: CustomerInput!) { customerUpdate(input: $input) { customer { id } userErrors { field message } } }";
const EMAIL: &str = "mutation EmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) { customerEmailMarketingConsentUpdate(input: $input) { customer { id } userErrors { field message code } } }";
const SMS: &str = "mutation SmsConsent($input: CustomerSmsMarketingConsentUpdateInput!) { customerSmsMarketingConsentUpdate(input: $input) { customer { id } userErrors { field message code } } }";

/// One shop.
pub struct Shopify {
    endpoint: String,
    token: String,
    client: reqwest::Client,
}

impl Shopify {
    /// The shop at `base` (`https://<shop>.myshopify.com`), API `version`.
    pub fn new(base: &str, version: &str, token: String, client: reqwest::Client) -> Self {
        Shopify {
            endpoint: format!(
                "{}/admin/api/{version}/graphql.json",
                base.trim_end_matches('/')
            ),
            token,
            client,
        }
    }

    /// Runs one operation; the `data` member, or the failure its answer means.
    async fn graphql(&self, query: &str, variables: Value) -> Result<Value, Failure> {
        let request = self
            .client
            .post(&self.endpoint)
            .header("x-shopify-access-token", &self.token)
            .json(&json!({"query": query, "variables": variables}));
        let answer = send("shopify", request, None).await?;
        let body: Value = serde_json::from_str(&answer.body)
            .map_err(|_| Failure::retry(format!("shopify: not JSON: {}", excerpt(&answer.body))))?;
        if let Some(errors) = body
            .get("errors")
            .and_then(Value::as_array)
            .filter(|e| !e.is_empty())
        {
            let throttled = errors.iter().any(|e| {
                e.pointer("/extensions/code").and_then(Value::as_str) == Some("THROTTLED")
            });
            let error = format!(
                "shopify: {}",
                excerpt(&Value::Array(errors.clone()).to_string())
            );
            return Err(if throttled {
                Failure::Retry {
                    error,
                    after: throttle_wait(&body),
                }
            } else {
                Failure::Permanent(error)
            });
        }
        Ok(body.get("data").cloned().unwrap_or(Value::Null))
    }

    async fn find(&self, email: &str) -> Result<Option<(String, Option<String>)>, Failure> {
        // The collector stores validated addresses; a quote would end the term.
        let query = format!("email:\"{}\"", email.replace(['"', '\\'], ""));
        let data = self.graphql(FIND, json!({"query": query})).await?;
        Ok(data.pointer("/customers/edges/0/node").map(|node| {
            let id = node["id"].as_str().unwrap_or_default().to_string();
            (id, node["phone"].as_str().map(str::to_string))
        }))
    }

    async fn customer(&self, email: &str, phone: Option<&str>) -> Result<String, Failure> {
        if let Some((id, has_phone)) = self.find(email).await? {
            if let (Some(phone), None) = (phone, has_phone) {
                let data = self
                    .graphql(SET_PHONE, json!({"input": {"id": id, "phone": phone}}))
                    .await?;
                user_errors(&data, "customerUpdate")?;
            }
            return Ok(id);
        }
        let mut input = json!({"email": email});
        if let Some(phone) = phone {
            input["phone"] = json!(phone);
        }
        let data = self.graphql(CREATE, json!({"input": input})).await?;
        match user_errors(&data, "customerCreate") {
            Ok(()) => data
                .pointer("/customerCreate/customer/id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| Failure::retry("shopify: customerCreate returned no customer")),
            // Created by an attempt whose answer was lost: find it this time.
            Err(Failure::Permanent(e)) if e.contains("taken") => self
                .find(email)
                .await?
                .map(|(id, _)| id)
                .ok_or(Failure::Permanent(e)),
            Err(e) => Err(e),
        }
    }
}

/// The `userErrors` of mutation `name`, as a permanent failure.
fn user_errors(data: &Value, name: &str) -> Result<(), Failure> {
    match data
        .pointer(&format!("/{name}/userErrors"))
        .and_then(Value::as_array)
    {
        Some(errors) if !errors.is_empty() => Err(Failure::Permanent(format!(
            "shopify: {name}: {}",
            excerpt(&Value::Array(errors.clone()).to_string())
        ))),
        _ => Ok(()),
    }
}

/// How long until the bucket holds the requested cost again.
fn throttle_wait(body: &Value) -> Option<Duration> {
    let cost = body.pointer("/extensions/cost")?;
    let requested = cost["requestedQueryCost"].as_f64()?;
    let available = cost
        .pointer("/throttleStatus/currentlyAvailable")?
        .as_f64()?;
    let rate = cost.pointer("/throttleStatus/restoreRate")?.as_f64()?;
    (rate > 0.0).then(|| Duration::from_secs_f64(((requested - available) / rate).clamp(1.0, 60.0)))
}

/// The consent input for one channel.
pub fn consent(handoff: &Handoff) -> Value {
    let change = &handoff.change;
    if change.state == State::Confirmed {
        let level = match change.opt_in {
            Some(OptIn::Single) => "SINGLE_OPT_IN",
            _ => "CONFIRMED_OPT_IN",
        };
        let at = change.confirmed_at.as_ref().unwrap_or(&change.at);
        json!({"marketingState": "SUBSCRIBED", "marketingOptInLevel": level, "consentUpdatedAt": at})
    } else {
        json!({"marketingState": "UNSUBSCRIBED", "consentUpdatedAt": change.at})
    }
}

#[async_trait]
impl Connector for Shopify {
    fn name(&self) -> &str {
        "shopify"
    }

    async fn deliver(&self, handoff: &Handoff) -> Result<(), Failure> {
        let change = &handoff.change;
        if change.state == State::Erased {
            // Both flags off, on the customer found by e-mail, if any.
            let Some((id, phone)) = self.find(&change.email).await? else {
                return Ok(());
            };
            let consent = consent(handoff);
            let data = self
                .graphql(
                    EMAIL,
                    json!({"input": {"customerId": id, "emailMarketingConsent": consent}}),
                )
                .await?;
            user_errors(&data, "customerEmailMarketingConsentUpdate")?;
            if phone.is_some() {
                let data = self
                    .graphql(
                        SMS,
                        json!({"input": {"customerId": id, "smsMarketingConsent": consent}}),
                    )
                    .await?;
                user_errors(&data, "customerSmsMarketingConsentUpdate")?;
            }
            return Ok(());
        }
        let email = change.has(Channel::Email);
        let sms = change.has(Channel::Sms) && change.phone.is_some();
        if !email && !sms {
            return Ok(());
        }
        let phone = if sms { change.phone.as_deref() } else { None };
        let id = self.customer(&change.email, phone).await?;
        let consent = consent(handoff);
        if email {
            let input = json!({"customerId": id, "emailMarketingConsent": consent});
            let data = self.graphql(EMAIL, json!({"input": input})).await?;
            user_errors(&data, "customerEmailMarketingConsentUpdate")?;
        }
        if sms {
            let input = json!({"customerId": id, "smsMarketingConsent": consent});
            let data = self.graphql(SMS, json!({"input": input})).await?;
            user_errors(&data, "customerSmsMarketingConsentUpdate")?;
        }
        Ok(())
    }
}
