//! Where the bytes of case documents live (receipts, attachments, decision letters): a local
//! directory by default, or an S3-compatible bucket so that several server instances share them.
//! The database keeps only the key, the SHA-256 and the size of each blob.

use std::sync::Arc;

use anyhow::{Context, bail};
use bytes::Bytes;
use chrono::Datelike;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::clock;

/// A handle to the blob store; cheap to clone and share between requests.
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// The URL it was opened with (it holds no secrets: S3 keys come from the environment).
    url: Arc<str>,
}

/// What [`BlobStore::put`] stored: the key to fetch it by, and what to check it against later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub key: String,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    pub size: i64,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobStore({})", self.url)
    }
}

impl BlobStore {
    /// Opens the store named by `url`:
    /// - `file:///abs/dir` or a plain path: a local directory, created if missing;
    /// - `s3://bucket` or `s3://bucket/prefix`: an S3-compatible bucket, with endpoint, region
    ///   and keys from the standard `AWS_*` environment variables (`AWS_ENDPOINT`,
    ///   `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP` …).
    pub fn from_url(url: &str) -> anyhow::Result<BlobStore> {
        let store: Arc<dyn ObjectStore> = if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                bail!("blob store URL {url:?} names no bucket");
            }
            let s3 = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .with_context(|| format!("cannot configure the S3 blob store {url:?}"))?;
            let prefix = prefix.trim_matches('/');
            if prefix.is_empty() {
                Arc::new(s3)
            } else {
                let prefix = Path::parse(prefix)
                    .with_context(|| format!("invalid prefix in blob store URL {url:?}"))?;
                Arc::new(PrefixStore::new(s3, prefix))
            }
        } else {
            let dir = if url.starts_with("file:") {
                url::Url::parse(url)
                    .ok()
                    .and_then(|parsed| parsed.to_file_path().ok())
                    .with_context(|| {
                        format!("blob store URL {url:?} is not an absolute file:// URL")
                    })?
            } else if url.contains("://") {
                bail!("unsupported blob store URL {url:?} (use file:// or s3://)");
            } else {
                std::path::PathBuf::from(url)
            };
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create blob directory {}", dir.display()))?;
            Arc::new(
                LocalFileSystem::new_with_prefix(&dir)
                    .with_context(|| format!("cannot open blob directory {}", dir.display()))?,
            )
        };
        Ok(BlobStore {
            store,
            url: url.into(),
        })
    }

    /// Stores `bytes` under a fresh key (`documents/<year>/<month>/<uuid>`); keys are never
    /// reused, so a stored blob never changes.
    pub async fn put(&self, bytes: impl Into<Bytes>) -> anyhow::Result<StoredBlob> {
        let bytes: Bytes = bytes.into();
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        let size = i64::try_from(bytes.len()).context("blob too large")?;
        let now = clock::now();
        let key = format!(
            "documents/{}/{:02}/{}",
            now.year(),
            now.month(),
            Uuid::new_v4()
        );
        self.store
            .put(&Path::from(key.as_str()), PutPayload::from(bytes))
            .await
            .with_context(|| format!("cannot store blob {key}"))?;
        Ok(StoredBlob { key, sha256, size })
    }

    /// Reads the blob stored under `key`. It checks nothing: callers that need integrity
    /// compare the SHA-256 they recorded at [`put`](Self::put).
    pub async fn get(&self, key: &str) -> anyhow::Result<Vec<u8>> {
        let location = Path::parse(key).with_context(|| format!("invalid blob key {key:?}"))?;
        let result = self
            .store
            .get(&location)
            .await
            .with_context(|| format!("cannot read blob {key}"))?;
        let bytes = result
            .bytes()
            .await
            .with_context(|| format!("cannot read blob {key}"))?;
        Ok(bytes.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stored_blob_reads_back_with_its_sha256_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::from_url(dir.path().join("blobs").to_str().unwrap()).unwrap();

        let stored = store.put(b"hello world".to_vec()).await.unwrap();

        assert_eq!(
            stored.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(stored.size, 11);
        assert!(stored.key.starts_with("documents/"), "{}", stored.key);
        assert_eq!(store.get(&stored.key).await.unwrap(), b"hello world");
        assert!(dir.path().join("blobs").join(&stored.key).is_file());
    }

    #[tokio::test]
    async fn every_put_gets_a_fresh_key_even_for_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::from_url(dir.path().to_str().unwrap()).unwrap();

        let first = store.put(Bytes::from_static(b"same")).await.unwrap();
        let second = store.put(Bytes::from_static(b"same")).await.unwrap();

        assert_ne!(first.key, second.key);
        assert_eq!(first.sha256, second.sha256);
    }

    #[tokio::test]
    async fn a_file_url_opens_the_same_directory_as_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let by_path = BlobStore::from_url(dir.path().to_str().unwrap()).unwrap();
        let url = url::Url::from_directory_path(dir.path()).unwrap();
        let by_url = BlobStore::from_url(url.as_str()).unwrap();

        let stored = by_path.put(Vec::from("kvitto")).await.unwrap();

        assert_eq!(by_url.get(&stored.key).await.unwrap(), b"kvitto");
    }

    #[tokio::test]
    async fn an_empty_blob_is_stored_too() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::from_url(dir.path().to_str().unwrap()).unwrap();

        let stored = store.put(Vec::new()).await.unwrap();

        assert_eq!(stored.size, 0);
        assert_eq!(
            stored.sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(store.get(&stored.key).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_missing_key_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::from_url(dir.path().to_str().unwrap()).unwrap();

        assert!(store.get("documents/2026/11/nothing-here").await.is_err());
    }

    #[test]
    fn an_s3_url_is_configured_without_contacting_the_bucket() {
        let store = BlobStore::from_url("s3://skolflyt-test/documents-prefix").unwrap();
        assert!(format!("{store:?}").contains("skolflyt-test"), "{store:?}");
        assert!(BlobStore::from_url("s3:///no-bucket").is_err());
        assert!(BlobStore::from_url("ftp://example/dir").is_err());
    }
}
