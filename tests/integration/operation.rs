//! Zero-IT operation: listening on the office network only with HTTPS, the certificate and its
//! fingerprint, Secure cookies, and the health checks (`doctor` and the admin page).

use crate::common::*;

fn initialized_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = init_desk(&data);
    assert!(out.status.success(), "init failed: {}", stderr(&out));
    (dir, data)
}

#[test]
fn lan_bind_without_tls_is_refused() {
    let (_dir, data) = initialized_dir();
    let out = cli(&data, &["--bind", "0.0.0.0:18080", "serve"], &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("rifiutato"), "{err}");
    assert!(err.contains("--tls"), "{err}");
}

#[actix_rt::test]
async fn lan_with_tls_serves_https_with_secure_cookies_and_shows_the_fingerprint() {
    let (_dir, data) = initialized_dir();
    let mut server = Server::on_with(&data, "0.0.0.0", &["--tls"]);
    assert!(server.base.starts_with("https://"));

    let cert = sportello::tls::inspect(&data.join("tls/cert.pem"), true).unwrap();
    assert!(
        cert.names.iter().any(|n| n == "127.0.0.1"),
        "{:?}",
        cert.names
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("tls/key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private key readable by others");
    }

    // A client that trusts only this certificate connects and is served.
    let mut c = server.tls_client();
    let health = c.get("/healthz").await;
    assert_eq!(health.status, 200, "{}", health.body);

    // Every cookie carries Secure: the form token and the session.
    let login_page = c.get("/login").await;
    assert!(!login_page.set_cookies.is_empty());
    assert!(
        login_page.set_cookies.iter().all(|c| c.contains("Secure")),
        "{:?}",
        login_page.set_cookies
    );
    let logged = c.login(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(logged.location(), "/", "{}", logged.body);
    assert!(!logged.set_cookies.is_empty());
    assert!(
        logged.set_cookies.iter().all(|c| c.contains("Secure")),
        "{:?}",
        logged.set_cookies
    );

    // The admin page shows the fingerprint to compare with the browser's, and the health panel.
    let admin = c.get("/amministrazione").await;
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert!(
        admin.body.contains(&cert.fingerprint),
        "fingerprint missing"
    );
    assert!(
        admin.body.contains("Stato dell&#39;installazione")
            || admin.body.contains("Stato dell'installazione")
    );
    assert!(
        admin.body.contains("ultimo controllo completo del file il"),
        "integrity line missing"
    );
    assert!(admin.body.contains("nessun backup configurato"));

    // Plain HTTP on the HTTPS port is not served.
    {
        use std::io::{Read, Write};
        let addr = server.base.trim_start_matches("https://").to_string();
        let mut tcp = std::net::TcpStream::connect(&addr).unwrap();
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut reply = Vec::new();
        let _ = tcp.read_to_end(&mut reply);
        assert!(!String::from_utf8_lossy(&reply).contains("200 OK"));
    }

    // While it runs, `doctor` points to the admin page instead of fighting over the database.
    let busy = cli(&data, &["doctor"], &[]);
    assert!(!busy.status.success());
    assert!(
        stderr(&busy).contains("Amministrazione"),
        "{}",
        stderr(&busy)
    );

    assert!(server.stop(), "server did not stop cleanly");

    // Restarted, it keeps the same certificate (colleagues accepted it once).
    let server = Server::on_with(&data, "127.0.0.1", &["--tls"]);
    let again = sportello::tls::inspect(&data.join("tls/cert.pem"), true).unwrap();
    assert_eq!(again.fingerprint, cert.fingerprint);
    let mut c = server.tls_client();
    assert_eq!(c.get("/healthz").await.status, 200);
}

#[actix_rt::test]
async fn doctor_reports_each_check_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = cli(&dir.path().join("nessuna"), &["doctor"], &[]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("Nessuna installazione"));

    let (_dir, data) = initialized_dir();
    let out = cli(&data, &["doctor"], &[]);
    let text = stdout(&out);
    // No backup yet: a problem, so the exit status says so.
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("[OK] Spazio su disco: "), "{text}");
    assert!(
        text.contains(
            "[OK] Integrità del database: file verificato ora; registro degli accessi integro"
        ),
        "{text}"
    );
    assert!(
        text.contains("[Problema] Backup: nessun backup configurato"),
        "{text}"
    );
    assert!(text.contains("→ In Amministrazione, «Backup»"), "{text}");
    assert!(text.contains("[OK] Orologio del PC"), "{text}");
    assert!(
        text.contains("[OK] Certificato HTTPS: HTTPS non attivo"),
        "{text}"
    );
    assert!(
        text.contains("[Attenzione] Chiavi per gli scambi"),
        "{text}"
    );
    assert!(text.contains("[OK] Invii all'Ambito"), "{text}");

    // After a backup the installation is in order apart from things to do soon.
    let file = dir.path().join("backup.age");
    let made = cli(
        &data,
        &["backup", "--out", file.to_str().unwrap()],
        &[(
            "SPORTELLO_BACKUP_PASSPHRASE",
            "una-password-di-backup-lunga",
        )],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let out = cli(&data, &["doctor"], &[]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        text.contains("[OK] Backup: ultimo backup riuscito il"),
        "{text}"
    );

    // With the certificate made by --tls, doctor shows its expiry and fingerprint.
    let mut server = Server::on_with(&data, "127.0.0.1", &["--tls"]);
    // Answering means its signal handling is in place: the stop below is a clean one.
    assert_eq!(server.tls_client().get("/healthz").await.status, 200);
    assert!(server.stop());
    let cert = sportello::tls::inspect(&data.join("tls/cert.pem"), true).unwrap();
    let out = cli(&data, &["doctor"], &[]);
    let text = stdout(&out);
    assert!(
        text.contains("[OK] Certificato HTTPS: valido fino al"),
        "{text}"
    );
    assert!(text.contains(&cert.fingerprint), "{text}");
}

/// This PC's address on the office network, if it has one (the source address of the default
/// route; no packet is sent).
fn lan_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

#[actix_rt::test]
async fn the_first_setup_is_refused_from_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::on_with(&data, "0.0.0.0", &["--tls"]);
    // On this PC the wizard opens.
    let mut local = server.tls_client();
    assert_eq!(local.get("/setup").await.status, 200);
    let Some(ip) = lan_ip() else {
        eprintln!("no network address on this machine: the remote half of this test needs one");
        return;
    };
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let mut remote = server.tls_client().at(&format!("https://{ip}:{port}"));
    let page = remote.get("/setup").await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page
        .body
        .contains("Configurazione da fare sul PC dello sportello"));
    let post = remote
        .post_form("/setup", &[("admin_username", "intruso")])
        .await;
    assert_eq!(post.status, 403);
    // Nothing was set up.
    assert_eq!(local.get("/setup").await.status, 200);
}

#[actix_rt::test]
async fn an_answered_page_has_its_audit_entry_on_disk_even_if_the_server_is_killed() {
    let mut server = Server::with_users(&[("operatore1", "operatore")]);
    let mut op = server.logged_in("operatore1").await;
    let created = op
        .submit(
            "/persone/nuova",
            "/persone/nuova",
            &[
                ("surname", "Durevole"),
                ("given_names", "Anna"),
                ("sex", "F"),
                ("birth_date", "02/03/1960"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let page = created.location().to_string();
    let id = page
        .trim_start_matches("/persone/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // Concurrent readers share group commits; each answer still waits for its own entry.
    let mut readers = Vec::new();
    for _ in 0..4 {
        let mut c = op.clone_session();
        let path = format!("/persone/{id}");
        readers.push(actix_rt::spawn(async move {
            for _ in 0..10 {
                assert_eq!(c.get(&path).await.status, 200);
            }
        }));
    }
    for r in readers {
        r.await.unwrap();
    }
    server.kill();

    let store = sportello::store::Store::open(&server.data).unwrap();
    let views = store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "person.view" && e.subject == id)
        .count();
    assert_eq!(views, 40, "every answered page has its audit entry");
    assert!(store.verify_audit().unwrap().is_ok());
}
