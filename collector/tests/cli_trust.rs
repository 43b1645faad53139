//! A command line a DPO can trust: read commands never create a folder or a
//! database and name the path they looked at; each command's help lists its
//! own flags; `serve` lists every configuration problem at once.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consent-collector"))
        .args(args)
        .env_remove("CONSENT_CONFIG")
        .env_remove("CONSENT_DATA_DIR")
        .env_remove("CONSENT_DATABASE")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const READS: &[&[&str]] = &[
    &["export"],
    &["export", "--format", "iso27560"],
    &["verify-log"],
    &["history", "--subject", "marie@example.org"],
    &["access", "--subject", "marie@example.org"],
    &[
        "audit-bundle",
        "--all",
        "--output",
        "/tmp/never-written-bundle",
    ],
    &[
        "unsubscribe-link",
        "--subject",
        "marie@example.org",
        "--public-url",
        "https://c.example",
    ],
    &["prune", "--inactive", "3y"],
    &[
        "erase",
        "--subject",
        "marie@example.org",
        "--reason",
        "ticket 1",
    ],
    &["forms", "list"],
    &["forms", "held"],
    &["forms", "show", "footer-signup", "3"],
    &["forms", "approve", "footer-signup", "3"],
];

#[test]
fn read_commands_on_a_missing_folder_name_it_and_create_nothing() {
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("dta");
    for args in READS {
        let out = run(&[args, &["--data-dir", missing.to_str().unwrap()][..]].concat());
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("data folder {} does not exist", missing.display())),
            "{args:?}: {err}"
        );
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
    }
}

#[test]
fn read_commands_on_a_folder_without_a_database_name_it_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("collector.db");
    for args in READS {
        let out = run(&[args, &["--data-dir", dir.path().to_str().unwrap()][..]].concat());
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("no database at {}", db.display())),
            "{args:?}: {err}"
        );
        assert!(!db.exists(), "{args:?} created the database");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_sqlite_file_that_is_not_a_log_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("collector.db");
    std::fs::write(&db, b"").unwrap();
    let out = run(&["export", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(
        stderr(&out).contains("holds no consent-collector log"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&db).unwrap(), b"", "no table created in it");
}

#[test]
fn each_command_shows_its_own_flags() {
    let help = |args: &[&str]| String::from_utf8(run(args).stdout).unwrap();
    let serve = help(&["serve", "--help"]);
    for flag in [
        "--listen",
        "--smtp-url",
        "--allowed-origins",
        "--dashboard",
        "--admin-credential",
    ] {
        assert!(serve.contains(flag), "serve --help lacks {flag}");
    }
    for command in [
        "export",
        "verify-log",
        "history",
        "access",
        "audit-bundle",
        "erase",
        "prune",
        "unsubscribe-link",
        "keygen",
        "forms list",
        "forms held",
        "forms show",
        "forms approve",
        "forms add",
    ] {
        let args: Vec<&str> = command.split(' ').chain(["--help"]).collect();
        let text = help(&args);
        // `forms add` and `forms approve` may release proofs, whose confirmation mail they time.
        let releases = command == "forms add" || command == "forms approve";
        for flag in [
            "--listen",
            "--smtp-url",
            "--allowed-origins",
            "--rate-ip",
            "--mail-retry",
            "--admin-credential",
        ] {
            if releases && flag == "--mail-retry" {
                continue;
            }
            assert!(
                !text.contains(flag),
                "{command} --help lists the serve flag {flag}:\n{text}"
            );
        }
        assert!(
            text.lines().count() < 60,
            "{command} --help is {} lines",
            text.lines().count()
        );
    }
    assert!(help(&["verify-bundle", "--help"]).contains("--jwks"));
    assert!(
        !help(&["verify-bundle", "--help"]).contains("--data-dir"),
        "verify-bundle needs no collector"
    );
}

#[test]
fn serve_lists_every_configuration_problem_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "serve",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--listen",
        "nowhere",
        "--max-age",
        "soon",
        "--dashboard",
        "true",
        "--admin-credential",
        "short",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.starts_with("error: 5 configuration problems:\n"),
        "{err}"
    );
    for problem in [
        "  - invalid --listen: expected host:port",
        "  - no mail transport: set --smtp-url",
        "  - no allowed origins: set --allowed-origins",
        "  - invalid --max-age:",
        "  - invalid --admin-credential: too short",
    ] {
        assert!(err.contains(problem), "{problem:?} missing from:\n{err}");
    }
}
