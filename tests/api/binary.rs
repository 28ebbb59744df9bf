//! The real binary: configuration layering, migrations, graceful shutdown.

use std::process::{Command, Stdio};
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A scratch directory for one test, removed when the test lets go of it. Bind it before
/// handing it to `Command::current_dir`: a value moved into a call is dropped when the call
/// returns, before the binary runs.
fn temp_dir() -> crate::helpers::ScratchDir {
    crate::helpers::ScratchDir::new("portcullis-bin")
}

#[tokio::test]
async fn binary_serves_with_environment_overrides_and_stops_on_sigterm() {
    let dir = temp_dir();
    let port = free_port();
    // A config file that the environment then overrides.
    std::fs::write(
        dir.join("config.toml"),
        "[server]\nbind = \"127.0.0.1:1\"\n[auth]\nusername = \"required\"\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .current_dir(&dir)
        .env("PORTCULLIS__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env(
            "PORTCULLIS__SERVER__PUBLIC_URL",
            format!("http://127.0.0.1:{port}"),
        )
        .env(
            "PORTCULLIS__DATABASE__URL",
            format!("sqlite://{}/p.db?mode=rwc", dir.display()),
        )
        .env("PORTCULLIS__AUTH__FIRST_FACTORS", "password,email_code")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the binary did not start");
    let env: serde_json::Value = http
        .get(format!("http://127.0.0.1:{port}/v1/environment"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        env["user_settings"]["attributes"]["username"]["required"], true,
        "file setting applied"
    );
    assert_eq!(
        env["user_settings"]["first_factors"],
        serde_json::json!(["password", "email_code"]),
        "list from the environment"
    );
    assert!(dir.join("p.db").exists());

    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let mut exited = None;
    for _ in 0..100 {
        if let Some(s) = child.try_wait().unwrap() {
            exited = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let exited = exited.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("no exit within 10 s of SIGTERM")
    });
    assert!(exited.success(), "graceful exit, got {exited}");
}

#[test]
fn unknown_config_keys_are_refused() {
    let dir = temp_dir();
    std::fs::write(dir.join("bad.toml"), "[server]\nbnd = \"127.0.0.1:3000\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .current_dir(&dir)
        .args(["--config", "bad.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bnd"), "the message names the key: {err}");
}

#[test]
fn a_missing_explicit_config_file_is_an_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["--config", "/nonexistent/portcullis.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn publishable_key_names_the_public_host() {
    let run = |public_url: &str| {
        let dir = temp_dir();
        Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .current_dir(&dir)
            .env("PORTCULLIS__SERVER__PUBLIC_URL", public_url)
            .arg("publishable-key")
            .output()
            .unwrap()
    };
    let out = run("https://id.example.com");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // base64("id.example.com$")
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "pk_live_aWQuZXhhbXBsZS5jb20k\n"
    );
    let out = run("http://localhost:3000");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("dotted host"));
}

#[test]
fn migrate_creates_the_schema() {
    let dir = temp_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .current_dir(&dir)
        .env(
            "PORTCULLIS__DATABASE__URL",
            format!("sqlite://{}/m.db?mode=rwc", dir.display()),
        )
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("m.db").exists());
}

#[tokio::test]
async fn clients_added_with_the_cli_authenticate() {
    use crate::helpers::{Backend, TestApp};
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let db_url = app.app.settings().database.url.clone();
    let run = |args: &[&str]| {
        let dir = temp_dir();
        let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .current_dir(&dir)
            .env("PORTCULLIS__DATABASE__URL", &db_url)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let out = run(&[
        "clients",
        "add",
        "--id",
        "reports",
        "--redirect-uri",
        "https://reports.example.com/cb",
        "--client-credentials",
        "--scope",
        "reports:read",
    ]);
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("client_secret: "))
        .expect("the secret is printed")
        .to_owned();
    assert!(run(&["clients", "list"]).contains("reports\tstored confidential"));
    use sea_orm::EntityTrait;
    let row = portcullis::store::entities::oauth_client::Entity::find_by_id("reports".to_owned())
        .one(&app.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !row.settings.contains(&secret) && row.secret_hash.as_deref() != Some(secret.as_str()),
        "only a hash is stored"
    );

    let token = |secret: String| {
        let url = app.url("/oauth/token");
        async move {
            reqwest::Client::new()
                .post(url)
                .basic_auth("reports", Some(secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "reports:read"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(token(secret.clone()).await.status(), 200);
    assert_eq!(token("wrong".into()).await.status(), 401);
    assert!(run(&["clients", "remove", "reports"]).contains("removed"));
    // The server keeps stored clients in memory and compares the database's change count
    // four times a second: a removal from a shell stops the client within a second.
    crate::helpers::answered_within(std::time::Duration::from_secs(1), 401, || async {
        token(secret.clone()).await.status().as_u16()
    })
    .await;
    // Bad input is refused with a message, not stored.
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .env("PORTCULLIS__DATABASE__URL", &db_url)
        .args([
            "clients",
            "add",
            "--id",
            "bad",
            "--redirect-uri",
            "http://evil.example.com/cb",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("http is only allowed for loopback"));
    assert!(run(&["keys", "list"]).contains("ES256\tsigning"));
}

/// Runs the binary with a config file in `dir`; returns (success, stdout, stderr).
fn cli(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .current_dir(dir)
        .args(["--config", "config.toml"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sqlite_config(dir: &std::path::Path, name: &str) {
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[server]\npublic_url = \"https://id.example.com\"\n[database]\nurl = \"sqlite://{}/{name}.db?mode=rwc\"\n",
            dir.display()
        ),
    )
    .unwrap();
}

#[test]
fn users_and_admin_keys_are_managed_from_the_shell_and_round_trip() {
    let dir = temp_dir();
    sqlite_config(&dir, "a");
    let (ok, out, err) = cli(
        &dir,
        &[
            "users",
            "create",
            "--email",
            "ada@example.com",
            "--password",
            "a long passphrase",
            "--first-name",
            "Ada",
        ],
    );
    assert!(ok, "{err}");
    let id = out.lines().last().unwrap().to_owned();
    assert!(id.starts_with("user_"), "{out}");
    let (ok, _, err) = cli(
        &dir,
        &[
            "users",
            "create",
            "--email",
            "ada@example.com",
            "--password",
            "a long passphrase",
        ],
    );
    assert!(!ok);
    assert!(err.contains("form_identifier_exists"), "{err}");
    let (ok, _, err) = cli(
        &dir,
        &[
            "users",
            "create",
            "--email",
            "bob@example.com",
            "--password",
            "short",
        ],
    );
    assert!(!ok && err.contains("password"), "{err}");
    cli(
        &dir,
        &[
            "users",
            "create",
            "--username",
            "bobby",
            "--email",
            "bob@example.com",
            "--password",
            "another passphrase",
        ],
    );
    let (ok, out, _) = cli(&dir, &["users", "list"]);
    assert!(ok);
    assert!(
        out.contains(&id) && out.contains("ada@example.com\t-\tAda"),
        "{out}"
    );
    assert!(out.contains("bobby"), "{out}");
    let (_, out, _) = cli(&dir, &["users", "list", "--query", "bob"]);
    assert_eq!(out.lines().count(), 1, "{out}");

    // Admin keys: shown once on the last line, listed by name, revoked by name.
    let (ok, out, err) = cli(&dir, &["admin-keys", "create", "--name", "ops"]);
    assert!(ok, "{err}");
    assert!(out.lines().last().unwrap().starts_with("sk_live_"), "{out}");
    let (_, out, _) = cli(&dir, &["admin-keys", "list"]);
    assert!(out.contains("\tops\tactive\tnever used"), "{out}");
    assert!(
        !out.contains("sk_live_"),
        "the key itself is never shown again"
    );
    assert!(cli(&dir, &["admin-keys", "revoke", "ops"]).0);
    assert!(
        cli(&dir, &["admin-keys", "list"])
            .1
            .contains("\tops\trevoked")
    );
    assert!(!cli(&dir, &["admin-keys", "revoke", "ops"]).0);

    // Export, import into another database, export again: the same lines.
    let (ok, exported, err) = cli(&dir, &["users", "export"]);
    assert!(ok, "{err}");
    assert_eq!(exported.lines().count(), 2);
    std::fs::write(dir.join("users.jsonl"), &exported).unwrap();
    sqlite_config(&dir, "b");
    let (ok, out, err) = cli(&dir, &["users", "import", "users.jsonl"]);
    assert!(ok, "{err}");
    assert!(out.contains("imported 2 users, skipped 0"), "{out}");
    let (_, again, _) = cli(&dir, &["users", "export"]);
    assert_eq!(again, exported);
    let (_, out, err) = cli(&dir, &["users", "import", "users.jsonl"]);
    assert!(
        out.contains("imported 0 users, skipped 2") && err.contains("already taken"),
        "{out}{err}"
    );

    // Clerk's dashboard export: ids kept, unverified addresses left out, bad rows reported.
    sqlite_config(&dir, "c");
    std::fs::write(
        dir.join("clerk.csv"),
        "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher\n\
         user_2clerkAda,Ada,Lovelace,,ada@example.com,,ada@example.com,old@example.com,,,,,\n\
         user_2clerkBad,,,,not an address,,not an address,,,,,,\n",
    )
    .unwrap();
    let (ok, out, err) = cli(&dir, &["users", "import", "--from", "clerk", "clerk.csv"]);
    assert!(ok, "{err}");
    assert!(out.contains("imported 1 users, skipped 1"), "{out}{err}");
    assert!(
        err.contains("row 3: skipped") && err.contains("1 unverified"),
        "{err}"
    );
    let (_, out, _) = cli(&dir, &["users", "list"]);
    assert!(
        out.contains("user_2clerkAda") && !out.contains("old@example.com"),
        "{out}"
    );
    let (ok, _, err) = cli(&dir, &["users", "import", "--from", "clerk", "users.jsonl"]);
    assert!(!ok && err.contains("not a Clerk user export"), "{err}");
    sqlite_config(&dir, "b");

    assert!(cli(&dir, &["users", "delete", &id]).0);
    assert!(!cli(&dir, &["users", "list"]).1.contains(&id));
    let (ok, _, err) = cli(&dir, &["users", "delete", &id]);
    assert!(!ok && err.contains("resource_not_found"), "{err}");
}

#[test]
fn config_check_explains_a_good_file_and_refuses_a_bad_one() {
    let dir = temp_dir();
    std::fs::write(
        dir.join("config.toml"),
        "[server]\npublic_url = \"https://id.example.com\"\n[database]\nurl = \"postgres://portcullis:hunter2@db.internal/portcullis\"\n[redis]\nurl = \"redis://cache.internal:6379\"\n[auth]\nsign_up_mode = \"waitlist\"\nsecond_factors = [\"totp\"]\n[providers.google]\nclient_id = \"g\"\nclient_secret = \"s\"\n",
    )
    .unwrap();
    let (ok, out, err) = cli(&dir, &["config", "check"]);
    assert!(ok, "{err}");
    for needle in [
        "config.toml: valid",
        "issuer: https://id.example.com",
        "database: PostgreSQL (postgres://portcullis:***@db.internal/portcullis)",
        "ephemeral store: Redis",
        "sign-up mode: waitlist",
        "second factors: totp",
        "providers: google",
    ] {
        assert!(out.contains(needle), "{needle:?} missing from\n{out}");
    }
    assert!(!out.contains("hunter2"), "no secret in the output");
    for (bad, why) in [
        ("[auth]\nsign_up_mode = \"sometimes\"\n", "sign_up_mode"),
        ("[auth]\nfirst_factors = [\"telepathy\"]\n", "telepathy"),
        ("[nonsense]\nx = 1\n", "nonsense"),
        ("[server\n", "config.toml"),
        // SAML connections: their metadata is fetched and read.
        (
            "[[enterprise_connections]]\nid = \"acme\"\nname = \"Acme\"\nprotocol = \"saml\"\ndomains = [\"acme.test\"]\nidp_metadata_url = \"http://127.0.0.1:9/metadata\"\n",
            "acme",
        ),
        (
            "[[enterprise_connections]]\nname = \"Acme\"\nprotocol = \"saml\"\ndomains = [\"acme.test\"]\nidp_entity_id = \"e\"\nidp_sso_url = \"https://idp.test/sso\"\nidp_certificate = \"not a certificate\"\n",
            "idp_certificate",
        ),
        (
            "[[enterprise_connections]]\nname = \"Acme\"\nprotocol = \"saml\"\ndomains = [\"acme.test\"]\nidp_metadata = \"<EntityDescriptor/>\"\n",
            "idp_metadata",
        ),
    ] {
        std::fs::write(dir.join("config.toml"), bad).unwrap();
        let (ok, _, err) = cli(&dir, &["config", "check"]);
        assert!(!ok, "{bad}");
        assert!(err.contains("invalid") && err.contains(why), "{bad}: {err}");
    }
}

#[test]
fn the_production_config_example_is_valid() {
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args([
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/config.production.toml"),
            "config",
            "check",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("database: PostgreSQL") && stdout.contains("ephemeral store: Redis"),
        "{stdout}"
    );
    assert!(
        stdout.contains("email delivery: SMTP via smtp.example.com:587"),
        "{stdout}"
    );
}

#[test]
fn the_instance_admin_role_is_granted_and_revoked_from_the_shell() {
    let dir = temp_dir();
    sqlite_config(&dir, "admins");
    let (ok, out, err) = cli(
        &dir,
        &[
            "users",
            "create",
            "--email",
            "ada@example.com",
            "--password",
            "a long passphrase",
        ],
    );
    assert!(ok, "{err}");
    let id = out.lines().last().unwrap().to_owned();
    let (ok, out, err) = cli(&dir, &["users", "grant-admin", "ada@example.com"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&id) && out.contains("is now an instance admin"),
        "{out}"
    );
    let (ok, out, _) = cli(&dir, &["users", "grant-admin", "ada@example.com"]);
    assert!(ok && out.contains("already"), "{out}");
    // Nobody has this address; a malformed one is refused as such.
    let (ok, _, err) = cli(&dir, &["users", "grant-admin", "eve@example.com"]);
    assert!(!ok && err.contains("eve@example.com"), "{err}");
    let (ok, _, err) = cli(&dir, &["users", "grant-admin", "not an address"]);
    assert!(!ok, "{err}");
    // The shell may take the last admin's role away (the dashboard may not).
    let (ok, out, err) = cli(&dir, &["users", "revoke-admin", "ada@example.com"]);
    assert!(ok && out.contains("no longer"), "{out}{err}");
    let (ok, out, _) = cli(&dir, &["users", "revoke-admin", "ada@example.com"]);
    assert!(ok && out.contains("was not"), "{out}");
}
