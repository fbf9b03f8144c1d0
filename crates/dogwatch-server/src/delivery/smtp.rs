//! Email over SMTP with lettre: `smtp://host:port` (plain, for local relays and tests) or
//! `smtps://user:pass@host:port` (implicit TLS, rustls with the webpki roots). Plain-text bodies;
//! a mail that shares a snapshot also has an HTML alternative showing its picture inline (a
//! `multipart/related` part, `cid:graph`), in which every word of the text is escaped.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Failure;

/// How long one SMTP conversation may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A configured SMTP server. The password lives only inside the transport: `Debug` and the settings
/// API show host, port, TLS and sender.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `true` for `smtps://` (implicit TLS).
    pub tls: bool,
    pub from: String,
    from_mailbox: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// Reads `--smtp-url` and `--smtp-from`; the error names the flag and never repeats the URL
    /// (it may hold a password).
    pub fn parse(url: &str, from: Option<&str>) -> Result<SmtpConfig, String> {
        let parsed = url::Url::parse(url).map_err(|e| {
            format!(
                "--smtp-url is not a URL ({e}); use smtp://host:port or smtps://user:pass@host:port"
            )
        })?;
        let (tls, default_port) = match parsed.scheme() {
            "smtp" => (false, 25),
            "smtps" => (true, 465),
            other => {
                return Err(format!(
                    "--smtp-url must start with smtp:// or smtps://, not {other}://"
                ));
            }
        };
        if parsed.query().is_some() {
            return Err(
                "--smtp-url takes no query (smtp:// is plain, smtps:// is implicit TLS)".into(),
            );
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("--smtp-url has no host")?
            .to_owned();
        let port = parsed.port().unwrap_or(default_port);
        let from = from.ok_or("--smtp-from ADDR is required with --smtp-url")?;
        let from_mailbox: Mailbox = from
            .parse()
            .map_err(|e| format!("--smtp-from is not an email address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("--smtp-url: {e}"))?
            .port(port)
            .timeout(Some(TIMEOUT))
            .build();
        Ok(SmtpConfig {
            host,
            port,
            tls,
            from: from.to_owned(),
            from_mailbox,
            transport,
        })
    }

    /// Sends one mail, plain text, with `picture` (a PNG) inline when there is one; `Ok` only once
    /// the server accepted it (250 after DATA).
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        picture: Option<Vec<u8>>,
    ) -> Result<(), Failure> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| Failure::permanent(format!("invalid email address `{to}`: {e}")))?;
        let builder = Message::builder()
            .from(self.from_mailbox.clone())
            .to(to)
            .subject(subject);
        let built = match picture {
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(body.to_owned()),
            Some(png) => builder.multipart(with_picture(subject, body, png)),
        };
        let message =
            built.map_err(|e| Failure::permanent(format!("cannot build the email: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::permanent(format!("SMTP: {e}"))),
            Err(e) => Err(Failure::transient(format!("SMTP: {}", describe(&e)))),
        }
    }
}

/// The text, and as its alternative the same text escaped into HTML above the picture.
fn with_picture(subject: &str, body: &str, png: Vec<u8>) -> MultiPart {
    let html = format!(
        "<!DOCTYPE html><html><body>\
         <div style=\"white-space:pre-wrap;font-family:sans-serif\">{}</div>\
         <p><img src=\"cid:graph\" alt=\"{}\"></p></body></html>",
        ammonia::clean_text(body),
        ammonia::clean_text(subject),
    );
    let png_type = ContentType::parse("image/png").unwrap_or(ContentType::TEXT_PLAIN);
    MultiPart::alternative()
        .singlepart(SinglePart::plain(body.to_owned()))
        .multipart(
            MultiPart::related()
                .singlepart(SinglePart::html(html))
                .singlepart(Attachment::new_inline("graph".to_owned()).body(png, png_type)),
        )
}

/// lettre's errors print their kind; the cause (connection refused, timeout) is in the source chain.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
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

    #[test]
    fn urls_are_read_and_the_password_never_shows() {
        let c = SmtpConfig::parse(
            "smtps://me:s3cret@mail.example.com",
            Some("dogwatch@example.com"),
        )
        .expect("smtps");
        assert_eq!(
            (c.host.as_str(), c.port, c.tls),
            ("mail.example.com", 465, true)
        );
        assert!(!format!("{c:?}").contains("s3cret"));
        let c = SmtpConfig::parse("smtp://127.0.0.1:2525", Some("a@b.c")).expect("smtp");
        assert_eq!((c.host.as_str(), c.port, c.tls), ("127.0.0.1", 2525, false));

        for (url, from, want) in [
            (
                "http://me:s3cret@x:1",
                Some("a@b.c"),
                "--smtp-url must start with smtp:// or smtps://",
            ),
            (
                "smtp://x:1?tls=required",
                Some("a@b.c"),
                "--smtp-url takes no query",
            ),
            ("mail.example.com", Some("a@b.c"), "--smtp-url is not a URL"),
            ("smtp://x:1", None, "--smtp-from ADDR is required"),
            (
                "smtps://me:s3cret@x:1",
                Some("nobody"),
                "--smtp-from is not an email address",
            ),
        ] {
            let err = SmtpConfig::parse(url, from).expect_err(url);
            assert!(err.starts_with(want), "{url}: {err}");
            assert!(!err.contains("s3cret"), "{err}");
        }
    }
}
