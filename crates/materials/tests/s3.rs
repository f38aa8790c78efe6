//! The S3 path against an S3-compatible server: `YUESOU_TEST_S3` (default
//! `http://127.0.0.1:9000`, what `.ci/run` starts: moto's server from
//! PyPI). Without a server it prints `SKIPPED` with the reason — unless
//! `YUESOU_REQUIRE_S3=1`, where it fails.

use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yuesou_materials::Blobs;

fn endpoint() -> String {
    std::env::var("YUESOU_TEST_S3").unwrap_or_else(|_| "http://127.0.0.1:9000".to_owned())
}

/// Creates `bucket` with a bare `PUT /bucket` (S3 mocks take it unsigned);
/// `Err` with the reason when the server is not there.
async fn create_bucket(endpoint: &str, bucket: &str) -> Result<(), String> {
    let host = endpoint
        .strip_prefix("http://")
        .ok_or("YUESOU_TEST_S3 must be an http:// URL")?
        .trim_end_matches('/');
    let connect = tokio::net::TcpStream::connect(host);
    let mut stream = tokio::time::timeout(std::time::Duration::from_secs(2), connect)
        .await
        .map_err(|_| format!("{host}: timed out"))?
        .map_err(|e| format!("{host}: {e}"))?;
    let request = format!(
        "PUT /{bucket} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .map_err(|e| e.to_string())?;
    if answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        Err(format!(
            "creating the bucket: {}",
            answer.lines().next().unwrap_or("")
        ))
    }
}

#[tokio::test]
async fn blobs_round_trip_through_an_s3_compatible_server() {
    let endpoint = endpoint();
    let mut random = [0u8; 6];
    getrandom::fill(&mut random).unwrap();
    let bucket = format!("yuesou-test-{}", hex::encode(random));
    if let Err(why) = create_bucket(&endpoint, &bucket).await {
        if std::env::var("YUESOU_REQUIRE_S3").is_ok_and(|v| v == "1") {
            panic!("an S3-compatible server is required at {endpoint}: {why}");
        }
        println!("SKIPPED (S3): no S3-compatible server at {endpoint}: {why}");
        return;
    }
    let builder = AmazonS3Builder::new()
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .with_bucket_name(&bucket);
    let blobs = Blobs::s3_with(builder, "materials").unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Over one 5 MiB part: the multipart path.
    let big: Vec<u8> = (0..6 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    let small = b"%PDF-1.4\n%%EOF\n".to_vec();
    for (sha, bytes) in [("a1".repeat(32), &big), ("b2".repeat(32), &small)] {
        let file = dir.path().join(&sha);
        std::fs::write(&file, bytes).unwrap();
        blobs.put(&sha, &file).await.unwrap();
        let got: Vec<bytes::Bytes> = blobs.get(&sha).await.unwrap().try_collect().await.unwrap();
        assert_eq!(&got.concat(), bytes);
        assert!(blobs.modified(&sha).await.unwrap().is_some());
    }
    let mut listed: Vec<String> = blobs
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.sha256)
        .collect();
    listed.sort();
    assert_eq!(listed, vec!["a1".repeat(32), "b2".repeat(32)]);
    blobs.delete(&"a1".repeat(32)).await.unwrap();
    assert_eq!(blobs.list().await.unwrap().len(), 1);
    assert_eq!(blobs.modified(&"a1".repeat(32)).await.unwrap(), None);
}
