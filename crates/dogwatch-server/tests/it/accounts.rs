//! Accounts and access: every route of the table refuses whoever may not call it; logins, sessions,
//! passwords, roles and keys behave as a browser and Datadog's clients use them; the first admin and
//! the operator commands work on a real binary; no secret reaches the log.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use dogwatch_core::wire::{KeyAnswer, KeyList, Me, Role};
use dogwatch_server::access::Access;
use dogwatch_server::{app, auth, routes};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::real_server::{RealServer, exchange};
use crate::support::{API_KEY, Env, env, first_error, now_secs};

/// A request as a browser page of this site sends it: the session cookie when there is one, and
/// `Origin` on changes.
pub(crate) fn browser(
    method: Method,
    uri: &str,
    session: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut req = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = session {
        req = req.header(header::COOKIE, format!("{}={token}", auth::COOKIE));
    }
    if method != Method::GET {
        req = req.header(header::ORIGIN, "http://localhost");
    }
    req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .expect("request")
}

/// Sends a request: status, `Set-Cookie` (if any) and the JSON body.
pub(crate) async fn exchange_app(
    env: &Env,
    req: Request<Body>,
) -> (StatusCode, Option<String>, Value) {
    let res = app(env.state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        cookie,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A user with a password, made straight in the store.
async fn user_with_password(env: &Env, handle: &str, role: Role, password: &str) {
    env.user(handle, role).await;
    let hash = auth::hash_password(password).expect("hash");
    env.state
        .store
        .set_password(handle.into(), hash, None)
        .await
        .expect("password");
}

/// Logs in; the session token from the cookie.
async fn login(env: &Env, handle: &str, password: &str) -> Result<String, (StatusCode, Value)> {
    let body = json!({"handle": handle, "password": password});
    let (status, cookie, answer) = exchange_app(
        env,
        browser(Method::POST, "/api/v1/dogwatch/login", None, Some(body)),
    )
    .await;
    if status != StatusCode::OK {
        return Err((status, answer));
    }
    let cookie = cookie.expect("a Set-Cookie");
    let token = cookie
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("dogwatch_session="))
        .expect("the session cookie");
    Ok(token.to_owned())
}

async fn me(env: &Env, session: &str) -> StatusCode {
    exchange_app(
        env,
        browser(Method::GET, "/api/v1/dogwatch/me", Some(session), None),
    )
    .await
    .0
}

/// A concrete path for a routed one: every `{parameter}` becomes `1`.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        out.push('1');
        rest = rest[open..].split_once('}').map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    format!("/api{out}")
}

#[tokio::test]
async fn every_route_refuses_whoever_may_not_call_it() {
    let env = env();
    let table = routes::table(env.state.clone());
    assert!(table.len() > 40, "the whole table: {}", table.len());
    let reader = env.session_for("reader", Role::ReadOnly).await;
    let editor = env.session_for("editor", Role::Standard).await;
    let admin = env.admin_session().await;
    let forbidden = json!({"errors": ["Forbidden"]});
    for route in &table {
        let uri = concrete(route.path);
        let call =
            |session: Option<&str>| browser(route.method.clone(), &uri, session, Some(json!({})));
        let (status, _, body) = exchange_app(&env, call(None)).await;
        // Public routes, and those reached by a link (a snapshot's: `1` is none, so 404), answer
        // whoever asks; the link routes' own refusal is tested in snapshots.rs.
        if matches!(route.access, Access::Public | Access::Link) {
            assert_ne!(
                status,
                StatusCode::FORBIDDEN,
                "{} {uri}: {body}",
                route.method
            );
            continue;
        }
        assert_eq!(
            (status, &body),
            (StatusCode::FORBIDDEN, &forbidden),
            "{} {uri} without a credential",
            route.method
        );
        if route.access == Access::Intake {
            // A session is not an API key.
            let (status, _, _) = exchange_app(&env, call(Some(&admin))).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{} {uri}", route.method);
            continue;
        }
        for (who, session, may) in [
            ("read_only", &reader, route.access == Access::Read),
            ("standard", &editor, route.access != Access::Admin),
            ("admin", &admin, true),
        ] {
            let (status, _, body) = exchange_app(&env, call(Some(session))).await;
            // The inbox route lets only its owner (or an admin) in: `1` is nobody's.
            let own_only = route.path.contains("/inbox/") && who != "admin";
            // A GET that stores a snapshot takes keys, never a cookie a link could send.
            let keys_only = route.path == "/v1/graph/snapshot";
            if may && !own_only && !keys_only {
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{who}: {} {uri}: {body}",
                    route.method
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{who}: {} {uri}: {body}",
                    route.method
                );
            }
        }
    }
}

#[tokio::test]
async fn login_me_logout_and_one_message_for_every_wrong_login() {
    let env = env();
    user_with_password(&env, "carol", Role::Standard, "carols long password").await;
    let (status, cookie, body) = exchange_app(
        &env,
        browser(
            Method::POST,
            "/api/v1/dogwatch/login",
            None,
            Some(json!({"handle": "carol", "password": "carols long password"})),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = cookie.expect("Set-Cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let me_answer: Me = serde_json::from_value(body).expect("a Me");
    assert_eq!(
        (me_answer.handle.as_str(), me_answer.role),
        ("carol", Role::Standard)
    );
    let token = login(&env, "carol", "carols long password")
        .await
        .expect("login");
    let (status, _, body) = exchange_app(
        &env,
        browser(Method::GET, "/api/v1/dogwatch/me", Some(&token), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["handle"], "carol");

    let wrong_password = login(&env, "carol", "not her password")
        .await
        .expect_err("refused");
    let unknown_user = login(&env, "mallory", "carols long password")
        .await
        .expect_err("refused");
    assert_eq!(wrong_password.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password, unknown_user, "the same answer for both");
    assert_eq!(first_error(&wrong_password.1), "wrong handle or password");
    // A user without a password (an @mention contact from before accounts) cannot sign in.
    env.session_for("nopass", Role::Standard).await;
    assert_eq!(
        login(&env, "nopass", "").await.expect_err("refused").0,
        StatusCode::UNAUTHORIZED
    );

    let (status, cookie, _) = exchange_app(
        &env,
        browser(Method::POST, "/api/v1/dogwatch/logout", Some(&token), None),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(cookie.is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(me(&env, &token).await, StatusCode::FORBIDDEN, "logged out");
}

#[tokio::test]
async fn failed_logins_are_limited_per_handle() {
    let env = env();
    user_with_password(&env, "dave", Role::Standard, "daves long password").await;
    for _ in 0..10 {
        let refused = login(&env, "dave", "guess guess guess")
            .await
            .expect_err("refused");
        assert_eq!(refused.0, StatusCode::UNAUTHORIZED);
    }
    // The eleventh try within the minute is refused without checking, even with the right one.
    let limited = login(&env, "dave", "daves long password")
        .await
        .expect_err("limited");
    assert_eq!(limited.0, StatusCode::TOO_MANY_REQUESTS, "{}", limited.1);
    assert!(first_error(&limited.1).starts_with("too many failed logins"));
}

#[tokio::test]
async fn sessions_expire_when_idle_and_a_password_change_ends_the_others() {
    let mut env = env();
    user_with_password(&env, "erin", Role::Standard, "erins long password").await;
    let first = login(&env, "erin", "erins long password")
        .await
        .expect("login");
    let second = login(&env, "erin", "erins long password")
        .await
        .expect("login");
    let change =
        json!({"current_password": "erins long password", "new_password": "erins new password"});
    let (status, _, body) = exchange_app(
        &env,
        browser(
            Method::POST,
            "/api/v1/dogwatch/me/password",
            Some(&second),
            Some(change.clone()),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        me(&env, &first).await,
        StatusCode::FORBIDDEN,
        "the other session ended"
    );
    assert_eq!(
        me(&env, &second).await,
        StatusCode::OK,
        "the changing one stays"
    );
    assert!(login(&env, "erin", "erins long password").await.is_err());
    let (status, _, body) = exchange_app(
        &env,
        browser(
            Method::POST,
            "/api/v1/dogwatch/me/password",
            Some(&second),
            Some(change),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the current password is checked: {body}"
    );

    // Sessions unused for longer than the idle time end.
    let mut sessions = (*env.state.sessions).clone();
    sessions.idle = Duration::from_millis(200);
    env.state.sessions = std::sync::Arc::new(sessions);
    let fresh = login(&env, "erin", "erins new password")
        .await
        .expect("login");
    assert_eq!(me(&env, &fresh).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        me(&env, &fresh).await,
        StatusCode::FORBIDDEN,
        "idle too long"
    );

    // And a session ends at its absolute limit however busy it is.
    let mut sessions = (*env.state.sessions).clone();
    sessions.idle = Duration::from_secs(3600);
    sessions.max_age = Duration::from_millis(500);
    env.state.sessions = std::sync::Arc::new(sessions);
    let busy = login(&env, "erin", "erins new password")
        .await
        .expect("login");
    for _ in 0..3 {
        assert_eq!(me(&env, &busy).await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(me(&env, &busy).await, StatusCode::FORBIDDEN, "too old");
}

/// Behind `--public-url https://…` the session cookie is `Secure`.
#[test]
fn behind_an_https_public_url_the_cookie_is_secure() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(
        data.path(),
        &[
            "--admin-password",
            "the admins long password",
            "--public-url",
            "https://dogwatch.example.com",
        ],
    );
    let (status, head, _) = post_login(&server.http, "admin", "the admins long password");
    assert_eq!(status, 200, "{head}");
    let cookie = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("Set-Cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn roles_decide_who_changes_what() {
    let env = env();
    let reader = env.session_for("reader", Role::ReadOnly).await;
    let editor = env.session_for("editor", Role::Standard).await;
    let board = json!({"title": "t", "layout_type": "ordered", "widgets": []});
    let monitor = json!({"type": "metric alert", "query": "avg(last_5m):avg:m{*} > 1"});
    let user = json!({"handle": "newbie", "email": "n@example.com"});
    let key = json!({"data": {"type": "api_keys", "attributes": {"name": "ci"}}});
    let status = |session: String, uri: &'static str, body: Value| {
        let env = &env;
        async move {
            exchange_app(env, browser(Method::POST, uri, Some(&session), Some(body)))
                .await
                .0
        }
    };
    assert_eq!(
        status(reader.clone(), "/api/v1/dashboard", board.clone()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(reader.clone(), "/api/v1/monitor", monitor.clone()).await,
        StatusCode::FORBIDDEN
    );
    // What an editor makes carries their name, as Datadog's `author_handle` and `creator`.
    let (made_status, _, made) = exchange_app(
        &env,
        browser(
            Method::POST,
            "/api/v1/dashboard",
            Some(&editor),
            Some(board),
        ),
    )
    .await;
    assert_eq!(made_status, StatusCode::OK, "{made}");
    assert_eq!(made["author_handle"], "editor");
    let (_, _, list) = exchange_app(
        &env,
        browser(Method::GET, "/api/v1/dashboard", Some(&editor), None),
    )
    .await;
    assert_eq!(list["dashboards"][0]["author_handle"], "editor");
    let (made_status, _, made) = exchange_app(
        &env,
        browser(
            Method::POST,
            "/api/v1/monitor",
            Some(&editor),
            Some(monitor),
        ),
    )
    .await;
    assert_eq!(made_status, StatusCode::OK, "{made}");
    assert_eq!(
        made["creator"],
        json!({"handle": "editor", "name": "editor", "email": "editor@example.com"})
    );
    assert_eq!(
        status(editor.clone(), "/api/v1/dogwatch/users", user.clone()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(editor, "/api/v2/api_keys", key.clone()).await,
        StatusCode::FORBIDDEN
    );
    let admin = env.admin_session().await;
    assert_eq!(
        status(admin.clone(), "/api/v1/dogwatch/users", user).await,
        StatusCode::OK
    );
    assert_eq!(
        status(admin, "/api/v2/api_keys", key).await,
        StatusCode::CREATED
    );
    // The reader still reads.
    let (status, _, _) = exchange_app(
        &env,
        browser(Method::GET, "/api/v1/dashboard", Some(&reader), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn keys_are_shown_once_listed_by_their_last_four_and_refused_once_revoked() {
    let env = env();
    let admin = env.admin_session().await;
    let create = json!({"data": {"type": "api_keys", "attributes": {"name": "ci"}}});
    let (status, _, made) = exchange_app(
        &env,
        browser(Method::POST, "/api/v2/api_keys", Some(&admin), Some(create)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let made: KeyAnswer = serde_json::from_value(made).expect("a key");
    let key = made
        .data
        .attributes
        .key
        .clone()
        .expect("the whole key, once");
    assert_eq!(key.len(), 32);
    assert_eq!(made.data.attributes.last4, key[28..]);
    assert_eq!(
        made.data.relationships.created_by.data.id,
        crate::support::ADMIN
    );
    let (_, _, list) = exchange_app(
        &env,
        browser(Method::GET, "/api/v2/api_keys", Some(&admin), None),
    )
    .await;
    let list: KeyList = serde_json::from_value(list).expect("a list");
    assert_eq!(list.data.len(), 1);
    assert_eq!(list.data[0].attributes.key, None, "never again in full");
    assert!(!serde_json::to_string(&list).expect("json").contains(&key));

    // Metrics go in with the new key…
    let series = json!({"series": [{"metric": "m", "points": [[now_secs(), 1.0]]}]}).to_string();
    let intake = |key: &str| {
        Request::post("/api/v1/series")
            .header("DD-API-KEY", key)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(series.clone()))
            .expect("request")
    };
    assert_eq!(
        exchange_app(&env, intake(&key)).await.0,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        exchange_app(&env, intake(API_KEY)).await.0,
        StatusCode::ACCEPTED,
        "keys.json's still works"
    );
    // …and not after it is revoked.
    let uri = format!("/api/v2/api_keys/{}", made.data.id);
    let (status, _, _) =
        exchange_app(&env, browser(Method::DELETE, &uri, Some(&admin), None)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        exchange_app(&env, intake(&key)).await.0,
        StatusCode::FORBIDDEN
    );

    // An application key acts as its maker, with the maker's role.
    let reader = env.session_for("reader", Role::ReadOnly).await;
    let create = json!({"data": {"type": "application_keys", "attributes": {"name": "script"}}});
    let (status, _, made) = exchange_app(
        &env,
        browser(
            Method::POST,
            "/api/v2/current_user/application_keys",
            Some(&reader),
            Some(create),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let app_key = made["data"]["attributes"]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let with_app_key = |method: Method, uri: &str, body: Option<Value>| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("DD-API-KEY", API_KEY)
            .header("DD-APPLICATION-KEY", app_key.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request")
    };
    let (status, _, who) =
        exchange_app(&env, with_app_key(Method::GET, "/api/v1/dogwatch/me", None)).await;
    assert_eq!(
        (status, who["handle"].as_str()),
        (StatusCode::OK, Some("reader"))
    );
    let board = json!({"title": "t", "layout_type": "ordered", "widgets": []});
    let (status, _, _) = exchange_app(
        &env,
        with_app_key(Method::POST, "/api/v1/dashboard", Some(board)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a read_only user's key changes nothing"
    );
}

/// The first admin on a real binary: made once with a random password printed on stderr, which
/// signs in over HTTP; a second start makes none.
#[test]
fn the_first_start_makes_an_admin_whose_password_is_printed_once() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &[]);
    let log = server.log();
    let password = log
        .split("with password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no password printed: {log}"));
    let (status, head, _) = post_login(&server.http, "admin", password);
    assert_eq!(status, 200, "{head}");
    let db = std::fs::read(data.path().join("dogwatch.sqlite3")).expect("db");
    assert!(
        !String::from_utf8_lossy(&db).contains(password),
        "the password is stored only hashed"
    );
    drop(server);
    let again = RealServer::start(data.path(), &["--admin-password", "another long one"]);
    assert!(!again.log().contains("with password"), "printed only once");
    let (status, _, _) = post_login(&again.http, "admin", "another long one");
    assert_eq!(
        status, 401,
        "--admin-password counts only when there is no admin"
    );
}

/// `dogwatch users add` and `reset-password` on the data directory of a running server, then
/// signing in over HTTP; and a full run's log holds none of the secrets it handled.
#[test]
fn operators_add_users_from_the_command_line_and_no_secret_is_logged() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(
        data.path(),
        &["--admin-password", "the admins long password"],
    );
    let users = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dogwatch"))
            .arg("users")
            .args(args)
            .arg("--data")
            .arg(data.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run dogwatch users");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write");
        child.wait_with_output().expect("output")
    };
    let added = users(
        &[
            "add",
            "--handle",
            "frank",
            "--email",
            "frank@example.com",
            "--role",
            "read_only",
        ],
        "franks long password\n",
    );
    assert!(added.status.success(), "{added:?}");
    let (status, head, body) = post_login(&server.http, "frank", "franks long password");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "read_only");
    let token = session_of(&head);
    let reset = users(
        &["reset-password", "--handle", "frank"],
        "franks newer password\n",
    );
    assert!(reset.status.success(), "{reset:?}");
    assert_eq!(
        get_me(&server.http, &token),
        403,
        "the reset ended the session"
    );
    let (status, head, _) = post_login(&server.http, "frank", "franks newer password");
    assert_eq!(status, 200);
    let token = session_of(&head);
    let short = users(&["reset-password", "--handle", "frank"], "short\n");
    assert!(!short.status.success());

    // A key made and used, a failed login: then look for every secret in the log.
    let (status, _, made) = exchange(
        &server.http,
        with_cookie(
            "POST",
            "/api/v2/api_keys",
            &server.http,
            &session_of(&post_login(&server.http, "admin", "the admins long password").1),
            r#"{"data":{"type":"api_keys","attributes":{"name":"ci"}}}"#,
        )
        .as_bytes(),
    );
    assert_eq!(status, 201, "{made}");
    let key = made["data"]["attributes"]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let (status, _, _) = post_login(&server.http, "frank", "a wrong password!!");
    assert_eq!(status, 401);
    let log = server.log();
    for secret in [
        "the admins long password",
        "franks long password",
        "franks newer password",
        "a wrong password!!",
        token.as_str(),
        key.as_str(),
    ] {
        assert!(!log.contains(secret), "`{secret}` is in the log:\n{log}");
    }
    assert!(
        log.contains("failed login"),
        "failed logins are logged (without the password)"
    );
}

fn post_login(addr: &str, handle: &str, password: &str) -> (u16, String, Value) {
    let body = json!({"handle": handle, "password": password}).to_string();
    let request = format!(
        "POST /api/v1/dogwatch/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Connection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(addr, request.as_bytes())
}

fn with_cookie(method: &str, path: &str, addr: &str, token: &str, body: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\n\
         Cookie: dogwatch_session={token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn get_me(addr: &str, token: &str) -> u16 {
    let request = format!(
        "GET /api/v1/dogwatch/me HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Cookie: dogwatch_session={token}\r\n\r\n"
    );
    exchange(addr, request.as_bytes()).0
}

/// The session token of a login answer's `Set-Cookie`.
fn session_of(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie:")
                .then(|| l.split_once("dogwatch_session=").map(|(_, r)| r))
                .flatten()
        })
        .and_then(|r| r.split(';').next())
        .unwrap_or_else(|| panic!("no session cookie in {head}"))
        .to_owned()
}
