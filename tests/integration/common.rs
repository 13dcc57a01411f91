//! Fixture: the real `sportello` binary on a temporary data dir and a free port, and a small
//! cookie-keeping HTTP client that does not follow redirects.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sportello");
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "una-password-lunga-1";
pub const USER_PASSWORD: &str = "password-di-prova-1";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Runs the CLI on `data` with extra environment variables.
pub fn cli(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data").arg(data).args(args);
    cmd.env_remove("SPORTELLO_ADMIN_PASSWORD")
        .env_remove("SPORTELLO_PASSWORD")
        .env_remove("SPORTELLO_DATA")
        .env_remove("SPORTELLO_BIND");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null()).output().expect("run sportello")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `sportello init` for a desk in Triggiano with the test administrator.
pub fn init_desk(data: &Path) -> Output {
    cli(
        data,
        &[
            "init",
            "--role",
            "desk",
            "--comune-istat",
            "072046",
            "--ambito-code",
            "BA05",
            "--ambito-name",
            "Ambito territoriale di Triggiano",
            "--admin",
            ADMIN,
            "--admin-full-name",
            "Anna Amministratrice",
        ],
        &[("SPORTELLO_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    )
}

pub struct Server {
    child: Option<Child>,
    pub base: String,
    pub data: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// A server on a brand-new, empty data directory (the setup wizard is pending).
    pub fn fresh() -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let mut s = Server::on(&data);
        s._dir = Some(dir);
        s
    }

    /// A server on a data directory set up with `sportello init`.
    pub fn initialized() -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let out = init_desk(&data);
        assert!(out.status.success(), "init failed: {}", stderr(&out));
        let mut s = Server::on(&data);
        s._dir = Some(dir);
        s
    }

    /// A server set up with `init` plus these users (username, role), all with `USER_PASSWORD`.
    pub fn with_users(users: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let out = init_desk(&data);
        assert!(out.status.success(), "init failed: {}", stderr(&out));
        for (username, role) in users {
            let full_name = format!("Utente {username}");
            let out = cli(
                &data,
                &[
                    "user",
                    "add",
                    "--username",
                    username,
                    "--full-name",
                    &full_name,
                    "--role",
                    role,
                ],
                &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
            );
            assert!(out.status.success(), "user add failed: {}", stderr(&out));
        }
        let mut s = Server::on(&data);
        s._dir = Some(dir);
        s
    }

    /// A logged-in client for `username` (created with `with_users`).
    pub async fn logged_in(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c.login(username, USER_PASSWORD).await;
        assert_eq!(r.location(), "/", "login of {username} failed: {}", r.body);
        c
    }

    /// Starts the server on `data` (which the caller keeps alive).
    pub fn on(data: &Path) -> Server {
        Server::on_with(data, "127.0.0.1", &[])
    }

    /// Starts the server on `data` listening on `host` (a free port), with extra arguments;
    /// `--tls` among them makes the base address https.
    pub fn on_with(data: &Path, host: &str, args: &[&str]) -> Server {
        let port = free_port();
        let scheme = if args.contains(&"--tls") {
            "https"
        } else {
            "http"
        };
        let child = Command::new(BIN)
            .arg("--data")
            .arg(data)
            .arg("--bind")
            .arg(format!("{host}:{port}"))
            .args(args)
            .env_remove("SPORTELLO_TLS")
            .env("SPORTELLO_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start server");
        let server = Server {
            child: Some(child),
            base: format!("{scheme}://127.0.0.1:{port}"),
            data: data.to_path_buf(),
            _dir: None,
        };
        server.wait_healthy();
        server
    }

    /// Starts the server on `data` with its log at the most verbose level, written (stdout and
    /// stderr) to `log`.
    pub fn logged_to(data: &Path, log: &Path) -> Server {
        let port = free_port();
        let file = std::fs::File::create(log).expect("log file");
        let child = Command::new(BIN)
            .arg("--data")
            .arg(data)
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .env_remove("SPORTELLO_TLS")
            .env("SPORTELLO_LOG", "trace")
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .expect("start server");
        let server = Server {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            data: data.to_path_buf(),
            _dir: None,
        };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&self) {
        let addr = self
            .base
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .to_string();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(&addr).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server did not start on {addr}");
    }

    /// Sends SIGTERM and waits for a clean exit; returns whether it exited successfully.
    pub fn stop(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Kills the server at once (SIGKILL): nothing is flushed or closed on the way out.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client over HTTPS that trusts only the certificate the server made in `<data>/tls`.
    pub fn tls_client(&self) -> Client {
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        let pem = self.data.join("tls/cert.pem");
        for cert in rustls::pki_types::CertificateDer::pem_file_iter(&pem).expect("cert.pem") {
            roots.add(cert.expect("certificate")).expect("add root");
        }
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let http = awc::Client::builder()
            .connector(awc::Connector::new().rustls_0_23(std::sync::Arc::new(config)))
            .disable_redirects()
            .timeout(Duration::from_secs(30))
            .finish();
        Client {
            base: self.base.clone(),
            http,
            cookies: HashMap::new(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

macro_rules! collect {
    ($client:expr, $resp:expr) => {{
        let mut resp = $resp;
        let status = resp.status().as_u16();
        let mut headers = HashMap::new();
        let mut set_cookies = Vec::new();
        for (k, v) in resp.headers().iter() {
            let v = v.to_str().unwrap_or("").to_string();
            if k.as_str() == "set-cookie" {
                set_cookies.push(v.clone());
            }
            headers.insert(k.as_str().to_string(), v);
        }
        $client.keep_cookies(set_cookies.clone());
        // Downloads (the audit log's copy after a long hostile run) are large; pages are not.
        let body = resp.body().limit(256 * 1024 * 1024).await.expect("body");
        Resp {
            status,
            headers,
            set_cookies,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }};
}

pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    /// Every Set-Cookie header, as sent.
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_lowercase()).map(String::as_str)
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }

    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("csrf field in page") + marker.len();
        let end = self.body[start..].find('"').expect("end of csrf value") + start;
        self.body[start..end].to_string()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

/// A browser-like client: keeps cookies, never follows redirects.
pub struct Client {
    base: String,
    http: awc::Client,
    pub cookies: HashMap<String, String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: awc::Client::builder()
                .disable_redirects()
                .timeout(Duration::from_secs(30))
                .finish(),
            cookies: HashMap::new(),
        }
    }

    /// A client whose connections come from another loopback address (another office PC).
    pub fn from_address(base: &str, source: &str) -> Client {
        let ip: std::net::IpAddr = source.parse().expect("source address");
        Client {
            base: base.to_string(),
            http: awc::Client::builder()
                .connector(awc::Connector::new().local_address(ip))
                .disable_redirects()
                .timeout(Duration::from_secs(30))
                .finish(),
            cookies: HashMap::new(),
        }
    }

    /// The same browser (cookies, session) pointed at a restarted server.
    pub fn rebase(&mut self, base: &str) {
        self.base = base.to_string();
    }

    /// Another client with the same cookies (the same session), for concurrent requests.
    pub fn clone_session(&self) -> Client {
        let mut c = Client::new(&self.base);
        c.cookies = self.cookies.clone();
        c
    }

    /// The same client, talking to another address of the same server.
    pub fn at(mut self, base: &str) -> Client {
        self.base = base.to_string();
        self
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn with_cookies(&self, req: awc::ClientRequest) -> awc::ClientRequest {
        if self.cookies.is_empty() {
            req
        } else {
            req.insert_header(("Cookie", self.cookie_header()))
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn keep_cookies(&mut self, set_cookies: Vec<String>) {
        for raw in set_cookies {
            let (pair, attrs) = raw.split_once(';').unwrap_or((raw.as_str(), ""));
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let removed = attrs.to_lowercase().contains("max-age=0") || value.is_empty();
            if removed {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_string(), value.trim().to_string());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = self.http.get(self.url(path));
        let req = self.with_cookies(req);
        let resp = req.send().await.expect("GET");
        collect!(self, resp)
    }

    /// The raw bytes of a GET (for PDFs).
    pub async fn get_bytes(&mut self, path: &str) -> Vec<u8> {
        let req = self.with_cookies(self.http.get(self.url(path)));
        let mut resp = req.send().await.expect("GET");
        resp.body()
            .limit(16 * 1024 * 1024)
            .await
            .expect("body")
            .to_vec()
    }

    /// The raw bytes of a GET with extra headers (an API PDF with a bearer token).
    pub async fn get_bytes_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Vec<u8> {
        let mut req = self.with_cookies(self.http.get(self.url(path)));
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        let mut resp = req.send().await.expect("GET");
        resp.body()
            .limit(16 * 1024 * 1024)
            .await
            .expect("body")
            .to_vec()
    }

    pub async fn put_json(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> Resp {
        let mut req = self.with_cookies(self.http.put(self.url(path)));
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        let resp = req.send_json(body).await.expect("PUT");
        collect!(self, resp)
    }

    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.with_cookies(self.http.get(self.url(path)));
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        let resp = req.send().await.expect("GET");
        collect!(self, resp)
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let req = self.http.post(self.url(path));
        let req = self.with_cookies(req);
        let resp = req.send_form(&fields).await.expect("POST");
        collect!(self, resp)
    }

    /// Posts one file as `multipart/form-data` (field `file`) to `action`, which carries the CSRF
    /// token in its query string, as the pages' upload forms do.
    pub async fn upload(&mut self, action: &str, filename: &str, bytes: &[u8]) -> Resp {
        self.upload_with(action, filename, bytes, &[]).await
    }

    /// A multipart upload of `bytes` as field `file`, with text fields before it.
    pub async fn upload_with(
        &mut self,
        action: &str,
        filename: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> Resp {
        let boundary = "sportello-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .with_cookies(self.http.post(self.url(action)))
            .insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            ));
        let resp = req.send_body(body).await.expect("POST");
        collect!(self, resp)
    }

    pub async fn post_json(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> Resp {
        let mut req = self.with_cookies(self.http.post(self.url(path)));
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        let resp = req.send_json(body).await.expect("POST");
        collect!(self, resp)
    }

    /// Any method, with extra headers and an optional body of the given content type.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> Resp {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.with_cookies(self.http.request(method, self.url(path)));
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        let resp = match body {
            Some((content_type, bytes)) => req
                .insert_header(("Content-Type", content_type))
                .send_body(bytes.to_vec())
                .await
                .expect("request"),
            None => req.send().await.expect("request"),
        };
        collect!(self, resp)
    }

    /// A JSON body sent with any method.
    pub async fn post_json_method(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> Resp {
        let bytes = serde_json::to_vec(body).expect("JSON");
        self.request(method, path, headers, Some(("application/json", &bytes)))
            .await
    }

    /// A raw request that may be cut off (a body the server refuses before reading it all):
    /// the status, or `None` when no answer came.
    pub async fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        content_type: &str,
        body: &[u8],
    ) -> Option<u16> {
        let method = awc::http::Method::from_bytes(method.as_bytes()).ok()?;
        let mut req = self.with_cookies(self.http.request(method, self.url(path)));
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        let mut resp = req
            .insert_header(("Content-Type", content_type))
            .send_body(body.to_vec())
            .await
            .ok()?;
        let _ = resp.body().limit(8 * 1024 * 1024).await;
        Some(resp.status().as_u16())
    }

    /// A JSON request that may fail (the server killed under it): `None` unless a whole answer
    /// came back.
    pub async fn try_json(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Option<(u16, serde_json::Value)> {
        let method = awc::http::Method::from_bytes(method.as_bytes()).ok()?;
        let mut req = self.with_cookies(self.http.request(method, self.url(path)));
        for (k, v) in headers {
            req = req.insert_header((k.to_string(), v.to_string()));
        }
        let mut resp = match body {
            Some(b) => req.send_json(b).await.ok()?,
            None => req.send().await.ok()?,
        };
        let status = resp.status().as_u16();
        let bytes = resp.body().limit(8 * 1024 * 1024).await.ok()?;
        Some((status, serde_json::from_slice(&bytes).unwrap_or_default()))
    }

    /// Logs in through the form; returns the response to the POST.
    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        let csrf = page.csrf();
        self.post_form(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Posts a form found at `page_path`, using that page's CSRF token.
    /// The raw bytes answered to a form posted from `page_path` (a PDF made after a review).
    pub async fn submit_bytes(
        &mut self,
        page_path: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> (u16, Vec<u8>) {
        let page = self.get(page_path).await;
        assert_eq!(page.status, 200, "GET {page_path}: {}", page.body);
        let csrf = page.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        let req = self.with_cookies(self.http.post(self.url(action)));
        let mut resp = req.send_form(&all).await.expect("POST");
        let status = resp.status().as_u16();
        let body = resp.body().limit(16 * 1024 * 1024).await.expect("body");
        (status, body.to_vec())
    }

    pub async fn submit(&mut self, page_path: &str, action: &str, fields: &[(&str, &str)]) -> Resp {
        let page = self.get(page_path).await;
        assert_eq!(page.status, 200, "GET {page_path}: {}", page.body);
        let csrf = page.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }
}

/// The text of a PDF by pdftotext (poppler-utils), or `None` where it is not installed.
pub fn pdf_text(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).ok()?;
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Makes every session of a stopped server's database an hour idle (expired), as if the user
/// had left the page open: the server must be stopped (it holds the file).
pub fn expire_sessions(data: &Path) {
    let db = redb::Database::open(data.join("sportello.redb")).expect("open database");
    let def: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("sessions");
    let txn = db.begin_write().unwrap();
    {
        let mut table = txn.open_table(def).unwrap();
        let rows: Vec<(Vec<u8>, Vec<u8>)> = redb::ReadableTable::iter(&table)
            .unwrap()
            .map(|r| {
                let (k, v) = r.unwrap();
                (k.value().to_vec(), v.value().to_vec())
            })
            .collect();
        let an_hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
        for (k, v) in rows {
            assert_eq!(v[0], 1, "codec format of a session");
            let mut session: sportello::domain::session::Session =
                rmp_serde::from_slice(&v[1..]).unwrap();
            session.last_seen = an_hour_ago;
            let mut out = vec![1u8];
            rmp_serde::encode::write_named(&mut out, &session).unwrap();
            table.insert(k.as_slice(), out.as_slice()).unwrap();
        }
    }
    txn.commit().unwrap();
}

/// Every statistical counter of a data directory (every scope, every year with data): what every
/// table of `/statistiche` is read from.
pub fn stat_rows(store: &sportello::store::Store) -> Vec<(String, String, String, String, u64)> {
    let mut rows = store
        .stat_counters(None, "0000-01", "9999-12")
        .unwrap()
        .rows;
    rows.sort();
    rows
}
