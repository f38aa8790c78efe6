//! A regression test for a write-loss found by the fault tests: on a full
//! disk SQLite refuses a COMMIT and rolls the transaction back by itself;
//! sqlx still counted the transaction as open, so every later transaction
//! on that connection became a savepoint inside it and its "commit" was
//! acknowledged without being written. The pool now closes such a
//! connection (`Db`'s release check): what is acknowledged is stored, what
//! is refused is not.

use std::io::Write;

use yuesou_centre::Db;

#[tokio::test]
async fn commits_refused_on_a_full_disk_leave_no_phantom_acknowledgements() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        println!("SKIPPED: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let db = Db::open_sqlite(dir.path()).await.unwrap();
    sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(db.pool())
        .await
        .unwrap();
    let filler = dir.path().join("filler");
    {
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
    }
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for i in 0..200 {
        let body = format!("{i} {}", "满".repeat(2000));
        let result: Result<(), sqlx::Error> = async {
            let mut tx = db.pool().begin().await?;
            sqlx::query("INSERT INTO notes (body) VALUES ($1)")
                .bind(&body)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await;
        match result {
            Ok(()) => acknowledged.push(i),
            Err(_) => refused += 1,
        }
    }
    assert!(refused > 0, "the disk never filled");
    std::fs::remove_file(&filler).unwrap();
    db.close().await;
    // A fresh connection sees exactly what was acknowledged.
    let db = Db::open_sqlite(dir.path()).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM notes ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let stored: Vec<i32> = rows
        .iter()
        .filter_map(|(b,)| b.split(' ').next()?.parse().ok())
        .collect();
    assert_eq!(stored, acknowledged, "{refused} refused");
    // And the database takes writes again.
    sqlx::query("INSERT INTO notes (body) VALUES ('after')")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let _ = std::process::Command::new("umount")
        .arg(dir.path())
        .status();
}
