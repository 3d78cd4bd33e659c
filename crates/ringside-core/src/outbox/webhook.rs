//! The optional dead-letter alert: a Slack-compatible incoming-webhook POST
//! (`{"text": "…"}`) for each new dead letter, so an admin channel hears about a call that
//! did not reach Salesforce. The message names the call id, the error code, Salesforce's
//! message and the replay command; never the agent's notes. A webhook URL is a secret (it
//! lets anyone post to the channel), so it is never logged or put in an error.
//!
//! Slack reads `<…>` in message text as markup (`<!channel>` pings everyone, `<url|text>`
//! is a disguised link), and the call id and Salesforce's message are data, so each goes
//! through [`slack_escape`] first, as Slack documents:
//! <https://api.slack.com/reference/surfaces/formatting#escaping>.

use std::time::Duration;

/// Where alerts go.
#[derive(Clone, PartialEq, Eq)]
pub struct DeadLetterWebhook {
    url: url::Url,
}

impl std::fmt::Debug for DeadLetterWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeadLetterWebhook(<redacted>)")
    }
}

impl DeadLetterWebhook {
    /// Accepts an `https://` URL, or `http://` on a loopback host (tests, local relays).
    pub fn parse(text: &str) -> Result<DeadLetterWebhook, String> {
        let url = url::Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        match url.scheme() {
            "https" => Ok(DeadLetterWebhook { url }),
            "http" if loopback => Ok(DeadLetterWebhook { url }),
            _ => Err("a webhook must be an https:// URL".into()),
        }
    }

    /// Posts one alert; failures are logged (without the URL) and otherwise ignored: an
    /// alert must never hold up the queue.
    pub(crate) async fn alert(&self, queue_id: i64, call_id: &str, code: &str, message: &str) {
        let text = alert_text(queue_id, call_id, code, message);
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(client) => client,
            Err(e) => {
                tracing::warn!(error = %e.without_url(), "dead-letter webhook client could not be built");
                return;
            }
        };
        let sent = client
            .post(self.url.clone())
            .json(&serde_json::json!({ "text": text }))
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => {}
            Ok(answer) => {
                tracing::warn!(
                    status = answer.status().as_u16(),
                    "dead-letter webhook refused the alert"
                )
            }
            Err(e) => tracing::warn!(error = %e.without_url(), "dead-letter webhook unreachable"),
        }
    }
}

/// The alert's text; every data-derived part is escaped with [`slack_escape`].
fn alert_text(queue_id: i64, call_id: &str, code: &str, message: &str) -> String {
    let (call_id, code, message) = (
        slack_escape(call_id),
        slack_escape(code),
        slack_escape(message),
    );
    format!(
        "Ringside: the call log {call_id} could not be written to Salesforce and is now a dead letter ({code}: {message}). Fix it and run `ringside queue replay {queue_id}`."
    )
}

/// Slack's three control characters in message text, escaped as Slack asks: `&` → `&amp;`,
/// `<` → `&lt;`, `>` → `&gt;`. Nothing else is touched, so names in any script stay as written.
pub fn slack_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_alert_escapes_slack_mentions_and_links_from_data() {
        let text = alert_text(
            7,
            "c-<!channel>",
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "see <https://evil.example|Salesforce login> & <@U123> 山田 > ok",
        );
        assert!(
            !text.contains('<') && !text.contains('>'),
            "no `<…>` from data may reach Slack, or it pings the channel or hides a link: {text}"
        );
        assert!(
            text.contains("c-&lt;!channel&gt;"),
            "the call id is shown escaped: {text}"
        );
        assert!(
            text.contains(
                "see &lt;https://evil.example|Salesforce login&gt; &amp; &lt;@U123&gt; 山田 &gt; ok"
            ),
            "the message is escaped, `&` first so nothing is escaped twice: {text}"
        );
        assert!(
            text.contains("`ringside queue replay 7`"),
            "the replay command stays as written: {text}"
        );
        assert_eq!(
            slack_escape("&lt;"),
            "&amp;lt;",
            "an escape already in the data is shown as typed, not decoded by Slack"
        );
    }

    #[test]
    fn only_https_or_loopback_and_never_printed() {
        assert!(DeadLetterWebhook::parse("https://hooks.example.com/T0/B0/secret").is_ok());
        assert!(DeadLetterWebhook::parse("http://127.0.0.1:9/hook").is_ok());
        assert!(
            DeadLetterWebhook::parse("http://hooks.example.com/x").is_err(),
            "plain http would expose the alert and the URL on the network"
        );
        assert!(DeadLetterWebhook::parse("hooks").is_err());
        let hook = DeadLetterWebhook::parse("https://hooks.example.com/T0/B0/secret").unwrap();
        assert!(
            !format!("{hook:?}").contains("secret"),
            "Debug hides the URL"
        );
    }
}
