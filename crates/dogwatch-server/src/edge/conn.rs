//! Accepting HTTP connections: hyper's HTTP/1.1 server with the limits `axum::serve` does not set.
//!
//! - At most `max_connections` connections are served at once; while that many are open, no more
//!   are accepted, and new clients wait in the kernel's accept queue.
//! - A client has `header_timeout` to send a request head, counted from the connection or from the
//!   end of its previous request, so an idle or half-sent connection is closed (hyper's
//!   `header_read_timeout`, which needs a timer to run at all).
//! - Request heads are read into at most [`MAX_HEAD_BYTES`]; the middleware's own 414/431 limits
//!   are lower, so hyper's limits are only reached by heads far over them.
//! - hyper answers a request it cannot parse (400), a target over 64 KiB (414) or a head over its
//!   buffer (431) by itself, before any middleware runs, with an empty body. [`JsonAutoReplies`]
//!   turns those answers into the same status with Datadog's JSON error body.
//! - On shutdown, no more connections are accepted and the open ones finish their requests.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The largest request head hyper reads before answering 431 itself.
pub const MAX_HEAD_BYTES: usize = 96 * 1024;
/// Most headers hyper parses before answering 431 itself (the middleware answers above 100).
const MAX_PARSED_HEADERS: usize = 400;
/// How long open connections get to finish their requests once shutdown has begun.
const DRAIN: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open connections finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_PARSED_HEADERS)
        // Without vectored writes every answer reaches `JsonAutoReplies` as one buffer.
        .writev(false);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(s) => s,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted: wait a
                    // moment instead of spinning, and go on.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = stream;
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(JsonAutoReplies::new(stream));
        // Handlers may ask who is calling (login limits count failures per address).
        let app = app
            .clone()
            .map_request(move |mut req: axum::extract::Request<_>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req
            });
        let conn = graceful.watch(http.serve_connection(io, TowerToHyperService::new(app)));
        tokio::spawn(async move {
            // An error here is the client's (reset, timeout, bad request) and already answered.
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "some connections were still open {} s after shutdown began; closing them",
            DRAIN.as_secs()
        );
    }
}

/// The answers hyper writes by itself: these status lines, then a head with `content-length: 0`
/// (and `connection: close`, in an order that is hyper's business).
const AUTO_REPLIES: [&[u8]; 3] = [
    b"HTTP/1.1 400 Bad Request\r\n",
    b"HTTP/1.1 414 URI Too Long\r\n",
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
];

/// What the JSON body of an automatic answer says, from the limits hyper was given.
fn auto_message(status_line: &[u8]) -> String {
    match status_line.get(9..12) {
        Some(b"414") => "the request target is longer than 64 KiB".to_owned(),
        Some(b"431") => format!(
            "the request head is larger than {} KiB or has more than {MAX_PARSED_HEADERS} headers",
            MAX_HEAD_BYTES / 1024
        ),
        _ => "the request is not valid HTTP/1.1".to_owned(),
    }
}

/// The first automatic answer in `buf`: where it starts, where its head ends, and its status line.
fn auto_reply(buf: &[u8]) -> Option<(usize, usize, &'static [u8])> {
    let mut first: Option<(usize, usize, &[u8])> = None;
    for status_line in AUTO_REPLIES {
        let mut from = 0;
        while let Some(at) = find(&buf[from..], status_line).map(|i| i + from) {
            let end = find(&buf[at..], b"\r\n\r\n").map_or(buf.len(), |i| at + i + 4);
            let head = &buf[at..end];
            if find(head, b"\r\ncontent-length: 0\r\n").is_some() {
                if first.is_none_or(|(f, ..)| at < f) {
                    first = Some((at, end, status_line));
                }
                break;
            }
            from = at + 1;
        }
    }
    first
}

/// A connection whose outgoing bytes are passed on unchanged, except hyper's automatic error
/// answers ([`AUTO_REPLIES`]), which are replaced by the same status with a JSON body.
///
/// hyper writes such an answer only when no other answer is under way, as the last thing on the
/// connection, and none of dogwatch's own answers has an error status with an empty body (the
/// `json_errors` middleware gives each one), so the match cannot hit a real answer.
pub struct JsonAutoReplies<IO> {
    io: IO,
    /// The replacement answer still to write, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<IO> JsonAutoReplies<IO> {
    pub fn new(io: IO) -> Self {
        JsonAutoReplies { io, pending: None }
    }
}

impl<IO: AsyncWrite + Unpin> JsonAutoReplies<IO> {
    /// Writes what is left of the replacement answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, done)) = &mut self.pending {
            if *done == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &bytes[*done..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *done += n;
        }
        Poll::Ready(Ok(()))
    }
}

/// The JSON answer that replaces an automatic one with this status line.
fn replacement(status_line: &[u8], message: &str) -> Vec<u8> {
    let status_line = String::from_utf8_lossy(status_line);
    let status_line = status_line.trim_end();
    let body = serde_json::json!({ "errors": [message] }).to_string();
    format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for JsonAutoReplies<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        match auto_reply(buf) {
            // Whatever precedes the automatic answer goes out first.
            Some((at, ..)) if at > 0 => Pin::new(&mut this.io).poll_write(cx, &buf[..at]),
            Some((_, end, status_line)) => {
                this.pending = Some((replacement(status_line, &auto_message(status_line)), 0));
                // Its bytes are taken now; flush and shutdown write the replacement.
                let _ = this.poll_pending(cx)?;
                Poll::Ready(Ok(end))
            }
            None => Pin::new(&mut this.io).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for JsonAutoReplies<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    async fn written(chunks: &[&[u8]]) -> String {
        let mut conn = JsonAutoReplies::new(Vec::new());
        for chunk in chunks {
            conn.write_all(chunk).await.expect("write");
        }
        conn.flush().await.expect("flush");
        String::from_utf8(conn.io).expect("utf-8")
    }

    #[tokio::test]
    async fn hypers_automatic_431_gets_a_json_body() {
        let out = written(&[
            b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Thu, 03 Dec 2026 09:00:00 GMT\r\n\r\n",
        ])
        .await;
        let (head, body) = out.split_once("\r\n\r\n").expect("head");
        assert!(
            head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
            "{head}"
        );
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        assert!(
            v["errors"][0]
                .as_str()
                .is_some_and(|m| m.contains("96 KiB")),
            "{v}"
        );
    }

    #[tokio::test]
    async fn an_answer_before_the_automatic_one_is_kept_and_others_pass_unchanged() {
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
        let mut both = ok.to_vec();
        both.extend_from_slice(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        let out = written(&[&both]).await;
        assert!(out.starts_with("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 400 Bad Request\r\ncontent-type: application/json"), "{out}");
        assert_eq!(written(&[ok]).await.as_bytes(), ok);
        let empty_ok = b"HTTP/1.1 204 No Content\r\n\r\n";
        assert_eq!(written(&[empty_ok]).await.as_bytes(), empty_ok);
        // One of dogwatch's own 414s has a body, and is left alone.
        let ours = b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n{\"errors\":[]}";
        assert_eq!(written(&[ours]).await.as_bytes(), ours);
    }
}
