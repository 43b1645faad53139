//! A full disk under load: the data folder (keys, SQLite database, mail
//! outbox) on a small tmpfs that a filler file then fills. Submissions get a
//! JSON 503 while nothing can be written, the database stays intact
//! (`PRAGMA integrity_check`, `verify-log`), and once space is freed the same
//! process stores again. The tests run as root (CI does): they mount the tmpfs.

mod common;
mod resilience;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use resilience::{serve, Load};
use sqlx::Row;

/// A tmpfs of `size` mounted on a fresh folder, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "mount a tmpfs (the tests run as root, as CI does)");
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Writes `path` until the file system refuses (ENOSPC); returns its size.
fn fill(path: &Path) -> u64 {
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0xa5u8; 4096];
    let mut written = 0;
    while file.write_all(&chunk).is_ok() {
        written += chunk.len() as u64;
    }
    let _ = file.sync_all();
    written
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_gives_json_503s_keeps_the_database_intact_and_recovers() {
    let disk = Tmpfs::mount("6m");
    let data = disk.path().to_path_buf();
    resilience::keygen(&data);
    let database = format!("sqlite://{}", data.join("collector.db").display());
    let server = serve(&database, &data, None, &[]);
    let load = Load::start(vec![server.url.clone()], 4, "disk");
    load.until(201, 30).await;

    let filler: PathBuf = data.join("filler");
    let filled = tokio::task::spawn_blocking({
        let f = filler.clone();
        move || fill(&f)
    })
    .await
    .unwrap();
    let full_at = load.started.elapsed();
    println!("disk full at {full_at:?} ({filled} bytes of filler)");
    load.until(503, 10).await;
    std::fs::remove_file(&filler).unwrap();
    let freed_at = load.started.elapsed();
    println!("space freed at {freed_at:?}: waiting for 201s again");
    load.until(201, 30).await;
    let answers = load.stop().await;

    for a in answers.iter().filter(|a| !(200..300).contains(&a.status)) {
        assert!(a.status == 503 || a.status == 507, "a full disk gives 503 or 507: {a:?}");
        let body = a.body.as_ref().unwrap_or_else(|| panic!("a JSON body: {a:?}"));
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
    let stored = resilience::entries_per_record(&database).await;
    let acknowledged = resilience::acknowledged(&answers);
    for a in &acknowledged {
        assert_eq!(stored.get(&a.id), Some(&1), "record {} answered {} is in the log once", a.id, a.status);
    }
    drop(server);
    let pool = sqlx::AnyPool::connect(&database).await.unwrap();
    let check: String = sqlx::query("PRAGMA integrity_check").fetch_one(&pool).await.unwrap().get(0);
    pool.close().await;
    assert_eq!(check, "ok", "the SQLite database is intact");
    let (ok, report) = resilience::verify_log(&database, &data);
    assert!(ok, "verify-log: {report}");
    let refused = answers.iter().filter(|a| a.status == 503 || a.status == 507).count();
    println!(
        "filler {filled} bytes at {full_at:?}, freed at {freed_at:?}: {} answers, {refused} refused, {} acknowledged; {report}",
        answers.len(),
        acknowledged.len()
    );
}
