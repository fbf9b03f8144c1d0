//! Webhook calls: a JSON POST over http or https (hyper's client with rustls and the webpki roots),
//! delivered when the receiver answers 2xx.

use std::time::Duration;

use axum::body::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, USER_AGENT};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::json;

use super::Failure;
use crate::store::{NotificationRow, WebhookRow};

pub struct Client {
    http: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl Client {
    pub fn new(timeout: Duration) -> Client {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Client {
            http: HyperClient::builder(TokioExecutor::new()).build(https),
            timeout,
        }
    }

    /// POSTs the notification to `hook`: `{"text": subject + "\n" + body}` when it is
    /// Slack-compatible, else the stored payload (or `{"subject", "body"}` when there is none).
    pub async fn post(&self, hook: &WebhookRow, n: &NotificationRow) -> Result<(), Failure> {
        let body = body_for(hook, n);
        let req = hyper::Request::post(&hook.url)
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, concat!("dogwatch/", env!("CARGO_PKG_VERSION")))
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Failure::permanent(format!("webhook {}: bad URL: {e}", hook.name)))?;
        match tokio::time::timeout(self.timeout, self.http.request(req)).await {
            Err(_) => Err(Failure::transient(format!(
                "webhook {}: no answer within {} s",
                hook.name,
                self.timeout.as_secs_f32()
            ))),
            Ok(Err(e)) => Err(Failure::transient(format!(
                "webhook {}: {}",
                hook.name,
                describe(&e)
            ))),
            Ok(Ok(res)) if res.status().is_success() => Ok(()),
            Ok(Ok(res)) => Err(Failure::transient(format!(
                "webhook {} answered {}",
                hook.name,
                res.status()
            ))),
        }
    }
}

fn body_for(hook: &WebhookRow, n: &NotificationRow) -> String {
    if hook.slack_compatible {
        let text = format!("{}\n{}", n.subject, n.body);
        json!({ "text": slack_escaped(&text) }).to_string()
    } else {
        n.payload
            .clone()
            .unwrap_or_else(|| json!({ "subject": n.subject, "body": n.body }).to_string())
    }
}

/// Text as Slack reads it literally: `&`, `<` and `>` escaped, so that user text cannot make
/// links (`<javascript:…|click>`) or mentions (`<!channel>`). Slack's "Escaping text" rules.
fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// hyper's client errors say "client error (Connect)"; the cause is in the source chain.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        // Some errors already print their cause; say each thing once.
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Channel, DeliveryState};

    #[test]
    fn slack_gets_user_text_escaped_and_other_receivers_get_it_as_a_json_string() {
        let text = "<img src=x onerror=alert(1)> <javascript:alert(1)|click> <!channel> & co";
        let n = NotificationRow {
            id: 1,
            dedupe_key: "k".into(),
            channel: Channel::Webhook,
            target: "ops".into(),
            subject: "Re: cpu".into(),
            body: text.into(),
            payload: None,
            snapshot_id: None,
            created_ms: 0,
            next_attempt_ms: 0,
            attempts: 0,
            state: DeliveryState::Pending,
            last_error: None,
            sent_ms: None,
        };
        let mut hook = WebhookRow {
            name: "ops".into(),
            url: "http://127.0.0.1:9".into(),
            slack_compatible: true,
        };
        let slack: serde_json::Value = serde_json::from_str(&body_for(&hook, &n)).expect("json");
        assert_eq!(
            slack["text"],
            "Re: cpu\n&lt;img src=x onerror=alert(1)&gt; &lt;javascript:alert(1)|click&gt; \
             &lt;!channel&gt; &amp; co"
        );
        hook.slack_compatible = false;
        let plain: serde_json::Value = serde_json::from_str(&body_for(&hook, &n)).expect("json");
        assert_eq!(
            plain,
            serde_json::json!({"subject": "Re: cpu", "body": text})
        );
    }
}
