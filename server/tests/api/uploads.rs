//! Attachments are accepted only when they really are the PDF, JPEG or PNG they claim to be,
//! are stored under the verified type's extension, and are downloaded under an RFC 6266 name.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Days;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Backend, Session, TestApp, minimal_pdf, pdf_of_size, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    only_real_pdfs_and_images_are_accepted,
    bad_file_names_get_a_field_error,
);

/// guardian1's child in a school class.
async fn child_in_a_class(app: &TestApp) -> Uuid {
    let pupils = app
        .query_ids("SELECT DISTINCT person_id FROM group_memberships")
        .await;
    *app.account("guardian1")
        .children
        .iter()
        .find(|c| pupils.contains(c))
        .expect("a child of guardian1 in a class")
}

fn png() -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(4, 3, image::Rgb([30, 120, 200]))
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

async fn apply_with(
    app: &TestApp,
    session: &Session,
    child: Uuid,
    file_name: &str,
    media_type: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let from = crate::helpers::school_week(app).await;
    session
        .post_json(
            "/api/applications/leave",
            json!({
                "pupil_id": child, "from": from, "to": from + Days::new(1),
                "reason": "Läkarbesök",
                // Every try applies for the same days: the overlap has its own test.
                "confirm_overlap": true,
                "attachment": { "file_name": file_name, "media_type": media_type,
                                "content_base64": STANDARD.encode(bytes) },
            }),
        )
        .await
}

async fn field_errors(response: reqwest::Response) -> (StatusCode, Vec<(String, String)>) {
    let status = response.status();
    let body: Value = response.json().await.expect("an error envelope");
    let fields = crate::helpers::field_codes(&body);
    (status, fields)
}

/// The stored attachment of a submitted case: its name, media type, download headers, bytes.
async fn stored_attachment(
    session: &Session,
    submitted: reqwest::Response,
) -> (Value, reqwest::header::HeaderMap, Vec<u8>) {
    assert_eq!(submitted.status(), StatusCode::CREATED);
    let submitted: Value = submitted.json().await.unwrap();
    let case = submitted["case_id"].as_str().unwrap();
    let mine = session.get_json(&format!("/api/my/cases/{case}")).await;
    let document = mine["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["document_type"] == "attachment")
        .expect("the attachment")
        .clone();
    let download = session
        .get(&format!(
            "/api/cases/{case}/documents/{}",
            document["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    let headers = download.headers().clone();
    (document, headers, download.bytes().await.unwrap().to_vec())
}

async fn only_real_pdfs_and_images_are_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = child_in_a_class(&app).await;
    let guardian = app.login("guardian1").await;

    // A real PDF, under a name with another extension: stored as .pdf.
    let pdf = minimal_pdf();
    let submitted = apply_with(
        &app,
        &guardian,
        child,
        "Läkarintyg för Åsa.html",
        "application/pdf",
        &pdf,
    )
    .await;
    let (document, headers, bytes) = stored_attachment(&guardian, submitted).await;
    assert_eq!(
        document["file_name"], "Läkarintyg för Åsa.pdf",
        "{document}"
    );
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"Lakarintyg for Asa.pdf\"; \
         filename*=UTF-8''L%C3%A4karintyg%20f%C3%B6r%20%C3%85sa.pdf"
    );
    assert_eq!(bytes, pdf);

    // Only the start of a PDF, followed by HTML.
    let fake = b"%PDF-<html><body><script>alert(document.cookie)</script></body></html>";
    let (status, fields) = field_errors(
        apply_with(&app, &guardian, child, "evil.html", "application/pdf", fake).await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields,
        [("attachment".to_owned(), "content_mismatch".to_owned())]
    );
    // The old, header-only check's example.
    let (status, fields) = field_errors(
        apply_with(
            &app,
            &guardian,
            child,
            "intyg.pdf",
            "application/pdf",
            b"%PDF-1.4\n%%EOF\n",
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, fields[0].1.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "content_mismatch")
    );

    // A real PNG: accepted, named .png; claimed as a JPEG it is refused.
    let image = png();
    let submitted = apply_with(&app, &guardian, child, "skärmbild", "image/png", &image).await;
    let (document, headers, bytes) = stored_attachment(&guardian, submitted).await;
    assert_eq!(document["file_name"], "skärmbild.png");
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(bytes, image);
    let (status, fields) =
        field_errors(apply_with(&app, &guardian, child, "foto.jpg", "image/jpeg", &image).await)
            .await;
    assert_eq!(
        (status, fields[0].1.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "content_mismatch")
    );

    // A large (4 MiB) real PDF gets through the body limit and the check.
    let large = pdf_of_size(4 * 1024 * 1024);
    assert_eq!(large.len(), 4 * 1024 * 1024);
    let submitted = apply_with(
        &app,
        &guardian,
        child,
        "stor.pdf",
        "application/pdf",
        &large,
    )
    .await;
    let (document, _, bytes) = stored_attachment(&guardian, submitted).await;
    assert_eq!(document["size"], 4 * 1024 * 1024);
    assert_eq!(bytes, large);

    // A name that is nothing once cleaned.
    let submitted = apply_with(&app, &guardian, child, "../", "application/pdf", &pdf).await;
    let (document, _, _) = stored_attachment(&guardian, submitted).await;
    assert_eq!(document["file_name"], "bilaga.pdf");
}

async fn bad_file_names_get_a_field_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let child = child_in_a_class(&app).await;
    let guardian = app.login("guardian1").await;
    let pdf = minimal_pdf();
    let cases_before = app.query_ids("SELECT id FROM cases").await.len();

    let long = format!("{}.pdf", "a".repeat(200_000));
    for (name, code) in [
        (long.as_str(), "too_long"),
        ("intyg\u{0007}.pdf", "invalid"),
        ("intyg\r\n.pdf", "invalid"),
    ] {
        let (status, fields) =
            field_errors(apply_with(&app, &guardian, child, name, "application/pdf", &pdf).await)
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name:.20}");
        assert_eq!(
            fields,
            [("attachment.file_name".to_owned(), code.to_owned())],
            "{name:.20}"
        );
    }
    assert_eq!(
        app.query_ids("SELECT id FROM cases").await.len(),
        cases_before,
        "no case is created for a refused attachment"
    );

    // 255 characters are allowed; the stored name keeps 100 of them and the extension.
    let longest = format!("{}.pdf", "ö".repeat(251));
    let submitted = apply_with(&app, &guardian, child, &longest, "application/pdf", &pdf).await;
    let (document, headers, _) = stored_attachment(&guardian, submitted).await;
    assert_eq!(
        document["file_name"],
        format!("{}.pdf", "ö".repeat(100)).as_str()
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with("%C3%B6.pdf")
    );
}
