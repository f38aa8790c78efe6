//! The materials crate on SQLite and PostgreSQL: what is stored, what is
//! refused (nothing stored then), dedup, quota, isolation, deletion, the
//! sweep, audited downloads and the re-encoding that strips EXIF.

use std::io::Cursor;
use std::time::Duration;

use futures_util::TryStreamExt;
use yuesou_materials::{
    Blobs, Limits, MaterialError, Materials, Owner, Received, Slot, prepare::decode,
};
use yuesou_store::Db;
use yuesou_store::testing::{TestDb, each_backend};

const ALICE: Owner<'static> = Owner {
    account_id: "acc_alice",
    actor_id: "acc_alice",
};
const BOB: Owner<'static> = Owner {
    account_id: "acc_bob",
    actor_id: "acc_bob",
};
const ANY: Slot<'static> = Slot {
    name: "id_card",
    max_files: 3,
    images: true,
    pdf: true,
};

async fn account(db: &Db, id: &str) {
    sqlx::query(
        "INSERT INTO accounts (id, kind, level, login_validity_secs, allow_password, allow_sms, \
         demo, created_at, updated_at) VALUES ($1, 'person', 2, 3600, 1, 1, 0, 0, 0)",
    )
    .bind(id)
    .execute(db.pool())
    .await
    .unwrap();
}

async fn application(db: &Db, id: &str, account: &str, status: &str) {
    sqlx::query(
        "INSERT INTO applications (id, account_id, item_id, item_title, region_code, department, \
         login_level, status, steps_json, answers_json, current_step, created_at, updated_at) \
         VALUES ($1, $2, 'rcjy-jydj-440100', '就业登记', '440100', '人社局', 1, $3, '[]', '{}', 0, 0, 0)",
    )
    .bind(id)
    .bind(account)
    .bind(status)
    .execute(db.pool())
    .await
    .unwrap();
}

/// A database with Alice (a draft `app_a`, a submitted `app_s`) and Bob
/// (a draft `app_b`), and materials over local blobs in the test's
/// directory.
async fn setup(t: &TestDb, limits: Limits) -> Materials {
    account(&t.db, "acc_alice").await;
    account(&t.db, "acc_bob").await;
    application(&t.db, "app_a", "acc_alice", "draft").await;
    application(&t.db, "app_w", "acc_alice", "waiting").await;
    application(&t.db, "app_s", "acc_alice", "submitted").await;
    application(&t.db, "app_b", "acc_bob", "draft").await;
    let blobs = Blobs::local(&t.dir.path().join("objects")).unwrap();
    Materials::new(t.db.clone(), blobs, limits, &t.dir.path().join("uploads"))
        .with_grace(Duration::ZERO)
}

async fn receive(
    m: &Materials,
    owner: Owner<'_>,
    app: &str,
    bytes: &[u8],
) -> Result<Received, MaterialError> {
    let room = m.room(owner, app).await?;
    let mut incoming = m.receive(room)?;
    // In small chunks, as a network delivers them.
    for chunk in bytes.chunks(7000) {
        incoming.write(chunk).await?;
    }
    incoming.finish().await
}

async fn upload(
    m: &Materials,
    owner: Owner<'_>,
    app: &str,
    bytes: &[u8],
) -> Result<yuesou_materials::Material, MaterialError> {
    let received = receive(m, owner, app, bytes).await?;
    m.store(owner, app, ANY, received, Some("证件.jpg".into()))
        .await
}

fn pdf(pages: usize, filler: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 1 >> endobj\n".to_vec();
    for _ in 0..pages {
        bytes.extend_from_slice(b"2 0 obj << /Type /Page /Parent 1 0 R >> endobj\n");
    }
    bytes.resize(bytes.len() + filler, b'%');
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

/// A JPEG of `w`×`h` with an APP1 EXIF segment holding a GPS IFD.
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let image =
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
    let mut plain = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg)
        .unwrap();
    // TIFF header (little endian), IFD0 with one entry: GPSInfo (0x8825)
    // pointing at a GPS IFD with GPSLatitudeRef = "N".
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes()); // LONG
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes()); // GPS IFD offset
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0001u16.to_le_bytes()); // GPSLatitudeRef
    tiff.extend_from_slice(&2u16.to_le_bytes()); // ASCII
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A PNG that claims `w`×`h` pixels: a valid signature and IHDR, then a
/// few bytes of IDAT — tiny on disk, never allocated.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn download(m: &Materials, owner: Owner<'_>, app: &str, id: &str) -> Vec<u8> {
    let (_, stream) = m.download(owner, app, id).await.unwrap();
    let chunks: Vec<bytes::Bytes> = stream.try_collect().await.unwrap();
    chunks.concat()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

#[tokio::test]
async fn a_pdf_is_stored_as_sent_deduplicated_and_downloaded_with_an_audit_row() {
    each_backend(async |t: TestDb| {
        let m = setup(&t, Limits::default()).await;
        let bytes = pdf(2, 100_000);
        let first = upload(&m, ALICE, "app_a", &bytes).await.unwrap();
        assert_eq!(first.content_type, "application/pdf");
        assert_eq!(first.size as usize, bytes.len());
        assert_eq!(first.pages, Some(2));
        assert_eq!(first.display_name.as_deref(), Some("证件.jpg"));
        assert_eq!(
            download(&m, ALICE, "app_a", &first.id).await,
            bytes,
            "{}",
            t.backend
        );
        // The same content again (another application, even): one blob.
        let second = upload(&m, ALICE, "app_w", &bytes).await.unwrap();
        assert_eq!(second.sha256, first.sha256);
        assert_ne!(second.id, first.id);
        assert_eq!(m.blobs().list().await.unwrap().len(), 1, "{}", t.backend);
        assert_eq!(
            count(
                &t.db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'material.download'"
            )
            .await,
            1
        );
        assert_eq!(m.list(ALICE, "app_a").await.unwrap(), vec![first.clone()]);
        // Nothing is left in the upload directory.
        let left = std::fs::read_dir(t.dir.path().join("uploads"))
            .unwrap()
            .count();
        assert_eq!(left, 0, "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn an_image_is_reencoded_without_its_exif_gps_block() {
    each_backend(async |t: TestDb| {
        let m = setup(&t, Limits::default()).await;
        let original = jpeg_with_gps(64, 48);
        assert!(contains(&original, b"Exif\0\0"));
        let stored = upload(&m, ALICE, "app_a", &original).await.unwrap();
        assert_eq!(stored.content_type, "image/jpeg");
        assert_eq!((stored.width, stored.height), (Some(64), Some(48)));
        let bytes = download(&m, ALICE, "app_a", &stored.id).await;
        assert_ne!(bytes, original);
        assert!(!contains(&bytes, b"Exif"), "{}: EXIF survived", t.backend);
        assert!(
            !contains(&bytes, b"II*\0"),
            "{}: a TIFF header survived",
            t.backend
        );
        // Still a picture of the same size.
        let path = t.dir.path().join("check.jpg");
        std::fs::write(&path, &bytes).unwrap();
        let image = decode(&path, yuesou_materials::Kind::Jpeg, 1_000_000).unwrap();
        assert_eq!((image.width(), image.height()), (64, 48));
    })
    .await;
}

#[tokio::test]
async fn bad_files_are_refused_and_nothing_is_stored() {
    each_backend(async |t: TestDb| {
        let m = setup(&t, Limits::default()).await;
        let mut exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
        exe.resize(4096, 0);
        let refused = upload(&m, ALICE, "app_a", &exe).await.unwrap_err();
        assert!(
            matches!(refused, MaterialError::UnsupportedType { .. }),
            "{refused}"
        );
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0".repeat(4);
        assert!(matches!(
            upload(&m, ALICE, "app_a", &heic).await,
            Err(MaterialError::Heic)
        ));
        let jpeg = jpeg_with_gps(64, 48);
        let truncated = &jpeg[..jpeg.len() * 2 / 3];
        let refused = upload(&m, ALICE, "app_a", truncated).await.unwrap_err();
        assert!(
            matches!(refused, MaterialError::BadImage),
            "{}: {refused}",
            t.backend
        );
        let bomb = png_claiming(60_000, 60_000);
        assert!(bomb.len() < 100);
        let refused = upload(&m, ALICE, "app_a", &bomb).await.unwrap_err();
        assert!(
            matches!(refused, MaterialError::TooManyPixels { .. }),
            "{}: {refused}",
            t.backend
        );
        // An image where the slot takes PDFs only.
        let received = receive(&m, ALICE, "app_a", &jpeg).await.unwrap();
        let pdf_only = Slot {
            images: false,
            ..ANY
        };
        assert!(matches!(
            m.store(ALICE, "app_a", pdf_only, received, None).await,
            Err(MaterialError::NotAccepted { kind: "image" })
        ));
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM materials").await, 0);
        assert!(m.blobs().list().await.unwrap().is_empty(), "{}", t.backend);
        let left = std::fs::read_dir(t.dir.path().join("uploads"))
            .unwrap()
            .count();
        assert_eq!(left, 0, "{}: temporary files left", t.backend);
    })
    .await;
}

#[tokio::test]
async fn limits_quota_and_slot_counts_hold() {
    each_backend(async |t: TestDb| {
        let limits = Limits {
            max_file_bytes: 40_000,
            max_application_bytes: 100_000,
            ..Limits::default()
        };
        let m = setup(&t, limits).await;
        let too_big = upload(&m, ALICE, "app_a", &pdf(1, 50_000))
            .await
            .unwrap_err();
        assert!(
            matches!(too_big, MaterialError::TooLarge { max: 40_000 }),
            "{too_big}"
        );
        for n in 0..2 {
            upload(&m, ALICE, "app_a", &pdf(1, 30_000 + n))
                .await
                .unwrap();
        }
        // About 90 KB used: a fourth file of 30 KB is past the 100 KB quota.
        upload(&m, ALICE, "app_a", &pdf(1, 30_002)).await.unwrap();
        let over = upload(&m, ALICE, "app_a", &pdf(1, 30_003))
            .await
            .unwrap_err();
        assert!(
            matches!(over, MaterialError::QuotaExceeded { max: 100_000 }),
            "{over}"
        );
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM materials").await, 3);
        // The slot takes three files.
        let received = receive(&m, ALICE, "app_w", &pdf(1, 10)).await.unwrap();
        let one = Slot {
            max_files: 1,
            ..ANY
        };
        m.store(ALICE, "app_w", one, received, None).await.unwrap();
        let received = receive(&m, ALICE, "app_w", &pdf(1, 11)).await.unwrap();
        assert!(matches!(
            m.store(ALICE, "app_w", one, received, None).await,
            Err(MaterialError::SlotFull { max: 1 })
        ));
    })
    .await;
}

#[tokio::test]
async fn other_peoples_and_submitted_applications_are_refused() {
    each_backend(async |t: TestDb| {
        let m = setup(&t, Limits::default()).await;
        let bytes = pdf(1, 10);
        assert!(matches!(
            upload(&m, ALICE, "app_b", &bytes).await,
            Err(MaterialError::NotFound)
        ));
        assert!(matches!(
            upload(&m, ALICE, "app_s", &bytes).await,
            Err(MaterialError::NotEditable { .. })
        ));
        let bobs = upload(&m, BOB, "app_b", &bytes).await.unwrap();
        // Bob's material, asked for by Alice — by her application or his.
        assert!(matches!(
            m.download(ALICE, "app_b", &bobs.id).await,
            Err(MaterialError::NotFound)
        ));
        assert!(matches!(
            m.download(ALICE, "app_a", &bobs.id).await,
            Err(MaterialError::NotFound)
        ));
        assert!(matches!(
            m.delete(ALICE, "app_b", &bobs.id).await,
            Err(MaterialError::NotFound)
        ));
        assert!(matches!(
            m.delete(ALICE, "app_a", &bobs.id).await,
            Err(MaterialError::NotFound)
        ));
        assert!(matches!(
            m.list(ALICE, "app_b").await,
            Err(MaterialError::NotFound)
        ));
        assert_eq!(m.list(BOB, "app_b").await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn deleting_removes_the_row_and_the_blob_once_unreferenced() {
    each_backend(async |t: TestDb| {
        let m = setup(&t, Limits::default()).await;
        let bytes = pdf(1, 10);
        let a = upload(&m, ALICE, "app_a", &bytes).await.unwrap();
        let b = upload(&m, ALICE, "app_w", &bytes).await.unwrap();
        m.delete(ALICE, "app_a", &a.id).await.unwrap();
        assert!(matches!(
            m.delete(ALICE, "app_a", &a.id).await,
            Err(MaterialError::NotFound)
        ));
        assert_eq!(m.blobs().list().await.unwrap().len(), 1, "still named by b");
        m.delete(ALICE, "app_w", &b.id).await.unwrap();
        assert!(m.blobs().list().await.unwrap().is_empty(), "{}", t.backend);
        // A submitted application's materials stay.
        let c = upload(&m, ALICE, "app_a", &bytes).await.unwrap();
        sqlx::query("UPDATE applications SET status = 'submitted' WHERE id = 'app_a'")
            .execute(t.db.pool())
            .await
            .unwrap();
        assert!(matches!(
            m.delete(ALICE, "app_a", &c.id).await,
            Err(MaterialError::NotEditable { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn the_sweep_removes_only_old_blobs_without_a_row() {
    each_backend(async |t: TestDb| {
        let m = setup(&t, Limits::default()).await;
        let kept = upload(&m, ALICE, "app_a", &pdf(1, 10)).await.unwrap();
        // A blob whose row never came (a crash between the two).
        let orphan = t.dir.path().join("orphan");
        std::fs::write(&orphan, b"orphan").unwrap();
        let sha = "0f".repeat(32);
        m.blobs().put(&sha, &orphan).await.unwrap();
        // And a temporary file of an upload cut off by a crash.
        let stale = t.dir.path().join("uploads/upload-cut-off");
        std::fs::write(&stale, b"%PDF-1.4 half").unwrap();
        // Within the grace period both stay.
        let patient = m.clone().with_grace(Duration::from_secs(3600));
        let report = patient.sweep().await.unwrap();
        assert_eq!((report.removed, report.temporary), (0, 0));
        assert!(stale.exists());
        let report = m.sweep().await.unwrap();
        assert_eq!(
            (report.seen, report.removed, report.temporary),
            (2, 1, 1),
            "{}",
            t.backend
        );
        assert!(!stale.exists());
        let left: Vec<String> = m
            .blobs()
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.sha256)
            .collect();
        assert_eq!(left, vec![kept.sha256.clone()]);
        assert_eq!(download(&m, ALICE, "app_a", &kept.id).await, pdf(1, 10));
    })
    .await;
}
