//! Case documents: where their bytes are kept ([`blob_store`]) and the letters Skolflyt writes
//! as PDF/A ([`pdf`]: receipts of e-service submissions, decision letters), and how a download
//! names its file ([`disposition`]).

pub mod blob_store;
pub mod disposition;
pub mod pdf;

pub use blob_store::{BlobStore, StoredBlob};
pub use pdf::{DecisionLetter, LetterHeader, Logo, Sender, render_decision_letter, render_receipt};
