//! Files the person picks in a form, read in the browser.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use shared::applications::Attachment;
use wasm_bindgen_futures::JsFuture;

/// The picked file's name, media type (as the browser guesses it, possibly empty) and size,
/// before anything is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub file_name: String,
    pub media_type: String,
    pub size: f64,
}

impl Picked {
    pub fn of(file: &web_sys::File) -> Self {
        Self {
            file_name: file.name(),
            media_type: file.type_(),
            size: file.size(),
        }
    }
}

/// Reads a file into an attachment, its content base64-encoded as the API takes it. `None`
/// when the browser could not read it (e.g. it was removed since it was picked).
pub async fn read_attachment(file: &web_sys::File) -> Option<Attachment> {
    let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let picked = Picked::of(file);
    Some(Attachment {
        file_name: picked.file_name,
        media_type: picked.media_type,
        content_base64: STANDARD.encode(bytes),
    })
}
