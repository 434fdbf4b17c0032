//! E-services defined as data: administrators write a definition (steps of typed fields, who
//! may apply, the intake), publish it as an immutable version, and applicants submit answers
//! that the same validation as the browser's checks (`shared::e_services`). A submission
//! becomes what the definition's intake says (seed 003's three modes): a new case with the
//! answers as a PDF/A receipt and the attachments as its documents, documents added to one of
//! the applicant's existing cases, or an assignment (a follow-up task) for a team or persons.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Duration;
use shared::applications::Attachment;
use shared::cases::CaseNumber;
use shared::e_services::{
    Answers, EServiceDefinition, EServiceDraft, EServiceOverview, EServiceSummary, FieldType,
    IntakeMode, Published, SavedAnswers, SavedAnswersRequest, Signing, SubmissionContext,
    SubmissionReceipt, SubmissionRequest, ValidAnswers, ValidValue, WhoMayApply,
    refers_to_unknown_child,
};
use shared::personal_number::age_on;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::applications::confirmation;
use crate::applications::leave::{self, VerifiedAttachment};
use crate::auth::CurrentUser;
use crate::cases::process::Submission;
use crate::documents::pdf;
use crate::error::{AppError, AppResult, Json, Path};
use crate::state::AppState;
use crate::store::cases::{self as case_store, NewCase};
use crate::store::e_services::{self as store, NewSavedAnswers, NewSubmission};
use crate::store::follow_ups::{self as follow_up_store, NewFollowUp};
use crate::store::register as register_store;
use crate::{access, clock, municipality};

/// The document types a submission's receipt (unless the intake names another) and its
/// attachments are filed as.
const RECEIPT: &str = "receipt";
const ATTACHMENT: &str = "attachment";

/// Saved answers are kept this long after their last save.
const SAVED_ANSWERS_DAYS: i64 = 30;

/// Seeds an e-service a process module brings (IKE) as published version 1, unless an
/// e-service with its code exists (then the administrators' edits stand).
pub async fn seed(db: &crate::store::Db, definition: &EServiceDefinition) -> anyhow::Result<()> {
    if store::service(db, &definition.code).await?.is_some() {
        return Ok(());
    }
    definition.check().map_err(|errors| {
        anyhow::anyhow!(
            "the seeded e-service {} is invalid: {errors:?}",
            definition.code
        )
    })?;
    let json = serde_json::to_string(definition)?;
    let now = clock::now();
    let mut tx = db.begin().await?;
    store::save_draft(&mut tx, &definition.code, &json, None, now).await?;
    store::publish(
        &mut tx,
        &definition.code,
        definition.version,
        &json,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(overview))
        .routes(routes!(definition))
        .routes(routes!(submit))
        .routes(routes!(draft, save_draft))
        .routes(routes!(publish))
        .routes(routes!(unpublish))
        .routes(routes!(saved_answers, save_answers, discard_saved_answers))
        // Ten attachments of 5 MB are about 67 MB in base64; a submission may carry that.
        .layer(axum::extract::DefaultBodyLimit::max(72 * 1024 * 1024))
}

/// The published e-services.
#[utoipa::path(get, path = "/e-services", tag = "e-services",
    responses((status = 200, body = Vec<EServiceSummary>), (status = 401, body = shared::api::ErrorEnvelope)))]
async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> AppResult<Json<Vec<EServiceSummary>>> {
    let mut services = Vec::new();
    for row in store::published(&state.db).await? {
        let definition = parse(&row.definition)?;
        services.push(EServiceSummary {
            code: row.code,
            version: row.version,
            title: definition.title,
            intake_mode: definition.intake.mode,
            description: Some(definition.description),
            who_may_apply: Some(definition.who_may_apply),
        });
    }
    Ok(Json(services))
}

/// Every e-service with its draft and published state (administrators): the editor's list.
#[utoipa::path(get, path = "/e-service-drafts", tag = "e-services",
    responses((status = 200, body = Vec<EServiceOverview>), (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope)))]
async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<EServiceOverview>>> {
    access::require_admin(&state, &user).await?;
    let mut services = Vec::new();
    for row in store::services_with_published(&state.db).await? {
        let draft = parse(&row.draft)?;
        let published = row.published.as_deref().map(parse).transpose()?;
        services.push(EServiceOverview {
            unpublished_changes: published
                .as_ref()
                .is_none_or(|published| !draft.same_content(published)),
            code: row.code,
            title: draft.title,
            intake_mode: draft.intake.mode,
            who_may_apply: draft.who_may_apply,
            published_version: row.published_version,
            updated_at: row.updated_at,
        });
    }
    Ok(Json(services))
}

/// The published version of an e-service: what the runner asks.
#[utoipa::path(get, path = "/e-services/{code}", tag = "e-services",
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 200, body = EServiceDefinition), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn definition(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Json<EServiceDefinition>> {
    let row = store::published_version(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(parse(&row.definition)?))
}

fn parse(json: &str) -> anyhow::Result<EServiceDefinition> {
    Ok(serde_json::from_str(json)?)
}

/// Submit answers to the published version. A child who is not the applicant's (or an
/// applicant the e-service is not for) is 404; bad answers are 422, one entry per field.
#[utoipa::path(post, path = "/e-services/{code}/submissions", tag = "e-services",
    request_body = SubmissionRequest,
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 201, body = SubmissionReceipt),
              (status = 403, description = "The e-service is not for the applicant", body = shared::api::ErrorEnvelope),
              (status = 404, description = "No such published e-service, or not the applicant's child or case", body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(request): Json<SubmissionRequest>,
) -> AppResult<(StatusCode, Json<SubmissionReceipt>)> {
    let row = submitted_version(&state, &user, &code).await?;
    let definition = parse(&row.definition)?;
    let today = clock::today();
    let applicant = Applicant::of(&state, &user, definition.who_may_apply).await?;
    let children = applicant
        .children_among(&state, &user, &definition, &request.answers)
        .await?;
    let units = store::existing_units(&state.db, &unit_ids(&definition, &request.answers)).await?;
    let context = SubmissionContext {
        children: &children,
        units: &units,
        today,
    };
    let valid = shared::e_services::validate(&definition, &request.answers, &context).map_err(
        |errors| {
            if refers_to_unknown_child(&errors) {
                AppError::NotFound
            } else {
                AppError::Validation(errors)
            }
        },
    )?;
    let attachments = decode_attachments(&valid).await?;
    let child = valid.children().next();
    let subject = child.or(applicant.is_subject.then_some(user.person_id));
    // Every acting guardian signs: the others are asked before the case goes on.
    let co_applicants = match child {
        Some(child)
            if definition.signing == Signing::AllGuardians
                && definition.intake.mode == IntakeMode::NewCase =>
        {
            confirmation::other_guardians(&state, &user, child).await?
        }
        _ => Vec::new(),
    };
    let status = if co_applicants.is_empty() {
        "new"
    } else {
        confirmation::AWAITING
    };

    let now = clock::now();
    let id = Uuid::new_v4();
    let mut tx = state.db.begin().await?;
    let mut receipt = SubmissionReceipt {
        id,
        case_id: None,
        case_number: None,
        follow_up_id: None,
        awaiting_confirmation: false,
    };
    match definition.intake.mode {
        IntakeMode::NewCase => {
            let case_type = definition
                .intake
                .case_type
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("a new_case e-service without a case type"))?;
            let title = definition.title.sv.clone();
            let new_case = NewCase {
                case_type,
                status,
                title: &title,
                applicant: user.person_id,
                co_applicants: &co_applicants,
                subject,
                actor: Some(user.person_id),
            };
            let (case_id, year, serial) =
                case_store::create(&mut tx, &new_case, now, today).await?;
            case_store::record_event(
                &mut tx,
                case_id,
                Some(user.person_id),
                "created",
                None,
                &format!("status={status}"),
                now,
            )
            .await?;
            crate::follow_ups::subscriptions::case_created(&mut tx, case_id).await?;
            let number = CaseNumber {
                year: year as u16,
                serial: serial as u32,
            };
            add_documents(
                &state,
                &mut tx,
                &user,
                &definition,
                &valid,
                attachments,
                case_id,
                number,
            )
            .await?;
            state
                .processes
                .of(case_type)
                .after_submission(
                    &mut tx,
                    Submission {
                        case_id,
                        applicant: user.person_id,
                        answers: &valid,
                    },
                )
                .await?;
            if let Some(child) = child {
                let applicant_name = format!("{} {}", user.given_name, user.family_name);
                let request = confirmation::Request {
                    case_id,
                    number,
                    what: (&definition.title.sv, &definition.title.en),
                    child,
                    applicant_name: &applicant_name,
                };
                confirmation::ask(&mut tx, &state, &request, &co_applicants).await?;
            }
            crate::cases::notices::notify_status(&mut tx, &state, case_id, status).await?;
            receipt.awaiting_confirmation = !co_applicants.is_empty();
            receipt.case_id = Some(case_id);
            receipt.case_number = Some(number);
        }
        IntakeMode::ExistingCase => {
            let case_id = request.case_id.ok_or_else(|| {
                AppError::field("case_id", "required", "name the case this adds to")
            })?;
            let case = case_store::get(&state.db, case_id)
                .await?
                .filter(|case| !matches!(case.status.as_str(), "closed" | "withdrawn"))
                .ok_or(AppError::NotFound)?;
            if case_store::party_role(&state.db, case_id, user.person_id)
                .await?
                .is_none()
            {
                return Err(AppError::NotFound);
            }
            add_documents(
                &state,
                &mut tx,
                &user,
                &definition,
                &valid,
                attachments,
                case_id,
                case.number(),
            )
            .await?;
            receipt.case_id = Some(case_id);
            receipt.case_number = Some(case.number());
        }
        IntakeMode::Assignment => {
            let assign_to = definition
                .intake
                .assign_to
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("an assignment e-service without assignees"))?;
            let title = format!(
                "{}: {} {}",
                definition.title.sv, user.given_name, user.family_name
            );
            let details = answers_text(&definition, &valid);
            let persons = assign_to.person_ids.clone().unwrap_or_default();
            let follow_up = NewFollowUp {
                kind: "task",
                title: &title,
                details: &details,
                due_date: None,
                owner: persons.first().copied(),
                assignee_person: if assign_to.team_id.is_none() {
                    persons.first().copied()
                } else {
                    None
                },
                assignee_team: assign_to.team_id,
                case_id: None,
                job_id: None,
            };
            receipt.follow_up_id = Some(
                follow_up_store::create(&mut tx, &follow_up, Some(user.person_id), now).await?,
            );
        }
    }
    let stored_answers = serde_json::to_string(&without_file_contents(valid.to_answers()))
        .map_err(anyhow::Error::from)?;
    store::insert_submission(
        &mut tx,
        &NewSubmission {
            id,
            code: &code,
            version: row.version,
            person: user.person_id,
            answers: &stored_answers,
            case_id: receipt.case_id,
            follow_up_id: receipt.follow_up_id,
        },
        now,
    )
    .await?;
    store::delete_saved_answers(&mut tx, user.person_id, &code).await?;
    tx.commit().await?;
    state.jobs_wakeup.notify_one();
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// The version a submission answers: the one the applicant's saved answers were started on,
/// else the published one (404 when neither; an unpublished e-service takes no submissions).
async fn submitted_version(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> AppResult<store::VersionRow> {
    let published = store::published_version(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(saved) = store::saved_answers(&state.db, user.person_id, code, clock::now()).await?
        && saved.version != published.version
        && let Some(row) = store::version(&state.db, code, saved.version).await?
    {
        return Ok(row);
    }
    Ok(published)
}

/// Who is applying, as the definition's `who_may_apply` sees them.
struct Applicant {
    /// The applicant is whom the submission is about (an adult student, a pupil).
    is_subject: bool,
}

impl Applicant {
    async fn of(state: &AppState, user: &CurrentUser, who: WhoMayApply) -> AppResult<Applicant> {
        let today = clock::today();
        let person = register_store::person_basic(&state.db, user.person_id)
            .await?
            .ok_or(AppError::Forbidden)?;
        let adult = age_on(person.birth_date, today) >= 18;
        let is_pupil = !register_store::memberships_of(&state.db, today, &[user.person_id])
            .await?
            .is_empty();
        let allowed = match who {
            WhoMayApply::Guardian | WhoMayApply::AnyoneLoggedIn => true,
            // An adult who studies here (komvux): a guardian who is not a student may not.
            WhoMayApply::AdultStudent => adult && is_pupil,
            WhoMayApply::Pupil => is_pupil,
        };
        if !allowed {
            return Err(AppError::Forbidden);
        }
        Ok(Applicant {
            is_subject: matches!(who, WhoMayApply::AdultStudent | WhoMayApply::Pupil),
        })
    }

    /// The children among the answers the applicant may apply for: their own children under
    /// guardianship, or themselves where they apply for themselves.
    async fn children_among(
        &self,
        state: &AppState,
        user: &CurrentUser,
        definition: &EServiceDefinition,
        answers: &Answers,
    ) -> AppResult<Vec<Uuid>> {
        let today = clock::today();
        let mut mine = Vec::new();
        for child in answered_ids(definition, answers, &[FieldType::Child]) {
            let may = if self.is_subject {
                child == user.person_id
            } else {
                register_store::has_guardianship(&state.db, user.person_id, child, today).await?
            };
            if may {
                mine.push(child);
            }
        }
        Ok(mine)
    }
}

/// The ids answered in `child` fields (unparsable ones are the validation's business).
fn answered_ids(
    definition: &EServiceDefinition,
    answers: &Answers,
    types: &[FieldType],
) -> Vec<Uuid> {
    let mut ids = BTreeSet::new();
    for field in definition
        .fields()
        .filter(|f| types.contains(&f.field_type))
    {
        match answers.get(&field.key) {
            Some(shared::e_services::Answer::Text(text)) => {
                ids.extend(text.trim().parse::<Uuid>().ok());
            }
            Some(shared::e_services::Answer::List(items)) => {
                ids.extend(
                    items
                        .iter()
                        .filter_map(|item| item.trim().parse::<Uuid>().ok()),
                );
            }
            _ => {}
        }
    }
    ids.into_iter().collect()
}

fn unit_ids(definition: &EServiceDefinition, answers: &Answers) -> Vec<Uuid> {
    answered_ids(
        definition,
        answers,
        &[FieldType::Unit, FieldType::RankedUnits],
    )
}

/// Every attachment decoded and its bytes checked against its type, off the async workers;
/// a bad one is that field's 422.
async fn decode_attachments(valid: &ValidAnswers) -> AppResult<Vec<VerifiedAttachment>> {
    let mut files = Vec::new();
    for (key, value) in &valid.values {
        let ValidValue::Attachments(answers) = value else {
            continue;
        };
        for answer in answers {
            let attachment = Attachment {
                file_name: answer.name.clone(),
                media_type: answer.media_type.clone(),
                content_base64: answer.content_base64.clone(),
            };
            let key = key.clone();
            let verified =
                tokio::task::spawn_blocking(move || leave::decode_attachment(attachment))
                    .await
                    .map_err(anyhow::Error::from)?
                    .map_err(|error| for_field(error, &key))?;
            files.push(verified);
        }
    }
    Ok(files)
}

/// An attachment check's error under the e-service field's key.
fn for_field(error: AppError, key: &str) -> AppError {
    match error {
        AppError::Validation(mut errors) => {
            for error in &mut errors {
                error.field = key.to_owned();
            }
            AppError::Validation(errors)
        }
        other => other,
    }
}

/// What was stored of the answers: a file by its name and type, not its content (which is a
/// document of the case).
fn without_file_contents(mut answers: Answers) -> Answers {
    for answer in answers.values_mut() {
        if let shared::e_services::Answer::Attachments(files) = answer {
            for file in files {
                file.content_base64.clear();
            }
        }
    }
    answers
}

/// The answers as label–value pairs in Swedish (the receipt's language), in field order.
fn answer_rows(definition: &EServiceDefinition, valid: &ValidAnswers) -> Vec<(String, String)> {
    definition
        .fields()
        .filter_map(|field| {
            let value = valid.get(&field.key)?;
            Some((field.label.sv.clone(), shown(field, value)))
        })
        .collect()
}

fn answers_text(definition: &EServiceDefinition, valid: &ValidAnswers) -> String {
    answer_rows(definition, valid)
        .into_iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An answer as the receipt shows it.
fn shown(field: &shared::e_services::Field, value: &ValidValue) -> String {
    let option_label = |value: &str| {
        field
            .options
            .iter()
            .find(|option| option.value == value)
            .map_or_else(|| value.to_owned(), |option| option.label.sv.clone())
    };
    let yes_no = |yes: bool| if yes { "Ja" } else { "Nej" }.to_owned();
    match value {
        ValidValue::Text(text) => text.clone(),
        ValidValue::Number(number) => number.to_string().replace('.', ","),
        ValidValue::Date(date) => date.to_string(),
        ValidValue::DateRange { from, to } => format!("{from} – {to}"),
        ValidValue::Choice(value) => option_label(value),
        ValidValue::Choices(values) => values
            .iter()
            .map(|value| option_label(value))
            .collect::<Vec<_>>()
            .join(", "),
        ValidValue::YesNo(yes) | ValidValue::Declaration(yes) => yes_no(*yes),
        ValidValue::Child(id) | ValidValue::Unit(id) => id.to_string(),
        ValidValue::RankedUnits(ids) => ids
            .iter()
            .enumerate()
            .map(|(rank, id)| format!("{}. {id}", rank + 1))
            .collect::<Vec<_>>()
            .join(", "),
        ValidValue::Attachments(files) => files
            .iter()
            .map(|file| file.name.clone())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The receipt (the answers, PDF/A) and the attachments as the case's documents.
#[allow(clippy::too_many_arguments)]
async fn add_documents(
    state: &AppState,
    tx: &mut crate::store::Tx,
    user: &CurrentUser,
    definition: &EServiceDefinition,
    valid: &ValidAnswers,
    attachments: Vec<VerifiedAttachment>,
    case_id: Uuid,
    number: CaseNumber,
) -> AppResult<()> {
    let mut rows = vec![(
        "Sökande".to_owned(),
        format!("{} {}", user.given_name, user.family_name),
    )];
    rows.extend(answer_rows(definition, valid));
    let header = pdf::LetterHeader {
        sender: municipality::sender(state).await?,
        case_number: number.to_string(),
        date: clock::today(),
        recipient_name: Some(format!("{} {}", user.given_name, user.family_name)),
    };
    let title = format!("Kvitto: {}", definition.title.sv);
    let now = clock::now();
    let pdf = tokio::task::spawn_blocking(move || pdf::render_receipt(&header, &title, now, &rows))
        .await
        .map_err(anyhow::Error::from)??;
    let document_type = definition
        .intake
        .document_type
        .as_deref()
        .unwrap_or("receipt");
    crate::cases::store_document(
        state,
        tx,
        case_id,
        document_type,
        &format!("Kvitto: {}", definition.title.sv),
        &format!("kvitto-{}-{:05}.pdf", number.year, number.serial),
        "application/pdf",
        pdf,
        Some(user.person_id),
    )
    .await?;
    for file in attachments {
        crate::cases::store_document(
            state,
            tx,
            case_id,
            ATTACHMENT,
            &format!("Bilaga: {}", definition.title.sv),
            &file.file_name,
            file.kind.media_type(),
            file.bytes,
            Some(user.person_id),
        )
        .await?;
    }
    Ok(())
}

/// The definition being edited (administrators).
#[utoipa::path(get, path = "/e-services/{code}/draft", tag = "e-services",
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 200, body = EServiceDraft), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Json<EServiceDraft>> {
    access::require_admin(&state, &user).await?;
    let row = store::service(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(EServiceDraft {
        definition: parse(&row.draft)?,
        published_version: row.published_version,
        updated_at: row.updated_at,
    }))
}

/// Write the whole draft (administrators); a new code creates the e-service. Applicants see
/// nothing of it until it is published.
#[utoipa::path(put, path = "/e-services/{code}/draft", tag = "e-services",
    request_body = EServiceDefinition,
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 200, description = "Saved", body = EServiceDraft),
              (status = 201, description = "Created", body = EServiceDraft),
              (status = 403, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn save_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(mut definition): Json<EServiceDefinition>,
) -> AppResult<(StatusCode, Json<EServiceDraft>)> {
    access::require_admin(&state, &user).await?;
    definition.code = code.clone();
    let published = store::service(&state.db, &code)
        .await?
        .and_then(|row| row.published_version);
    // The draft becomes the version after the latest; the number is fixed when published.
    definition.version = published.unwrap_or(0) + 1;
    definition.check().map_err(AppError::Validation)?;
    check_intake(&state, &definition).await?;
    let now = clock::now();
    let json = serde_json::to_string(&definition).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    let created = store::save_draft(&mut tx, &code, &json, Some(user.person_id), now).await?;
    tx.commit().await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(EServiceDraft {
            definition,
            published_version: published,
            updated_at: now,
        }),
    ))
}

/// What the definition's intake names exists, and what is not built is refused.
async fn check_intake(state: &AppState, definition: &EServiceDefinition) -> AppResult<()> {
    let intake = &definition.intake;
    if let Some(case_type) = &intake.case_type
        && !store::case_type_exists(&state.db, case_type).await?
    {
        return Err(AppError::field(
            "intake.case_type",
            "unknown",
            "no such case type",
        ));
    }
    if let Some(case_type) = &intake.case_type {
        let receipt = intake.document_type.as_deref().unwrap_or(RECEIPT);
        let with_files = definition
            .fields()
            .any(|field| field.field_type == FieldType::Attachment);
        let needed = std::iter::once(("intake.document_type", receipt))
            .chain(with_files.then_some(("intake.case_type", ATTACHMENT)));
        for (field, document_type) in needed {
            if !store::document_type_exists(&state.db, case_type, document_type).await? {
                return Err(AppError::field(
                    field,
                    "unknown_document_type",
                    format!("the case type has no document type {document_type}"),
                ));
            }
        }
    }
    if let Some(team) = intake.assign_to.as_ref().and_then(|a| a.team_id)
        && !store::team_exists(&state.db, team).await?
    {
        return Err(AppError::field(
            "intake.assign_to.team_id",
            "unknown",
            "no such team",
        ));
    }
    if let Some(persons) = intake.assign_to.as_ref().and_then(|a| a.person_ids.clone()) {
        let unique: Vec<Uuid> = persons
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !store::persons_exist(&state.db, &unique).await? {
            return Err(AppError::field(
                "intake.assign_to.person_ids",
                "unknown",
                "no such person",
            ));
        }
    }
    if definition.signing == Signing::AllGuardians
        && let Some(case_type) = &intake.case_type
        && !store::waits_for_confirmation(&state.db, case_type).await?
    {
        return Err(AppError::field(
            "signing",
            "no_confirmation_step",
            "the case type has no step awaiting_confirmation → new for the guardians to confirm",
        ));
    }
    Ok(())
}

/// Publish the draft as the next version (administrators). Versions never change; a
/// submission records the version it answered.
#[utoipa::path(post, path = "/e-services/{code}/publish", tag = "e-services",
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 200, body = Published), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope), (status = 422, body = shared::api::ErrorEnvelope)))]
async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Json<Published>> {
    access::require_admin(&state, &user).await?;
    let row = store::service(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut definition = parse(&row.draft)?;
    // Checked again: what the draft names may have gone since it was saved.
    definition.check().map_err(AppError::Validation)?;
    check_intake(&state, &definition).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let version = store::latest_version(&mut tx, &code).await?.unwrap_or(0) + 1;
    definition.version = version;
    let json = serde_json::to_string(&definition).map_err(anyhow::Error::from)?;
    store::publish(&mut tx, &code, version, &json, Some(user.person_id), now).await?;
    tx.commit().await?;
    Ok(Json(Published { code, version }))
}

/// Take the e-service down (administrators): applicants no longer see it; its versions and
/// submissions stay.
#[utoipa::path(post, path = "/e-services/{code}/unpublish", tag = "e-services",
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 204, description = "Unpublished"), (status = 403, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn unpublish(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<StatusCode> {
    access::require_admin(&state, &user).await?;
    let mut tx = state.db.begin().await?;
    if !store::set_published(&mut tx, &code, None, clock::now()).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My saved answers for the e-service, on the version they were started on.
#[utoipa::path(get, path = "/e-services/{code}/saved-answers", tag = "e-services",
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 200, body = SavedAnswers), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn saved_answers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Json<SavedAnswers>> {
    let row = store::saved_answers(&state.db, user.person_id, &code, clock::now())
        .await?
        .ok_or(AppError::NotFound)?;
    let answers: Answers = serde_json::from_str(&row.answers).map_err(anyhow::Error::from)?;
    let children = answered_children(&state, &code, row.version, &answers).await?;
    access::log_read(
        &state.db,
        &user,
        "e_service.saved_answers.read",
        &format!("e_service={code}"),
        &children,
    )
    .await?;
    Ok(Json(SavedAnswers {
        code,
        version: row.version,
        answers,
        step: row.step.max(0) as u32,
        expires_at: row.expires_at,
    }))
}

async fn answered_children(
    state: &AppState,
    code: &str,
    version: i32,
    answers: &Answers,
) -> AppResult<Vec<Uuid>> {
    Ok(match store::version(&state.db, code, version).await? {
        Some(row) => answered_ids(&parse(&row.definition)?, answers, &[FieldType::Child]),
        None => Vec::new(),
    })
}

/// Save my answers to continue later (kept 30 days after the last save). Answers are not
/// validated until submitted, but must be the e-service's fields; a child that is not mine
/// is 404. Saved answers started on an older version stay on it.
#[utoipa::path(put, path = "/e-services/{code}/saved-answers", tag = "e-services",
    request_body = SavedAnswersRequest,
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 200, body = SavedAnswers), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn save_answers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(request): Json<SavedAnswersRequest>,
) -> AppResult<Json<SavedAnswers>> {
    let now = clock::now();
    let version = match store::saved_answers(&state.db, user.person_id, &code, now).await? {
        Some(saved) => saved.version,
        None => {
            store::published_version(&state.db, &code)
                .await?
                .ok_or(AppError::NotFound)?
                .version
        }
    };
    let row = store::version(&state.db, &code, version)
        .await?
        .ok_or(AppError::NotFound)?;
    let definition = parse(&row.definition)?;
    let unknown: Vec<_> = request
        .answers
        .keys()
        .filter(|key| definition.field(key).is_none())
        .map(|key| {
            shared::api::FieldError::new(key, "unknown_field", "the e-service has no such field")
        })
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::Validation(unknown));
    }
    let step_count = definition.steps.len() as u32;
    if request.step >= step_count {
        return Err(AppError::field("step", "out_of_range", "no such step"));
    }
    let applicant = Applicant::of(&state, &user, definition.who_may_apply).await?;
    let answered = answered_ids(&definition, &request.answers, &[FieldType::Child]);
    let mine = applicant
        .children_among(&state, &user, &definition, &request.answers)
        .await?;
    if answered.iter().any(|child| !mine.contains(child)) {
        return Err(AppError::NotFound);
    }
    let answers = serde_json::to_string(&request.answers).map_err(anyhow::Error::from)?;
    let expires_at = now + Duration::days(SAVED_ANSWERS_DAYS);
    let mut tx = state.db.begin().await?;
    store::save_answers(
        &mut tx,
        &NewSavedAnswers {
            person: user.person_id,
            code: &code,
            version,
            answers: &answers,
            step: request.step as i32,
            expires_at,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(SavedAnswers {
        code,
        version,
        answers: request.answers,
        step: request.step,
        expires_at,
    }))
}

/// Discard my saved answers.
#[utoipa::path(delete, path = "/e-services/{code}/saved-answers", tag = "e-services",
    params(("code" = String, Path, description = "E-service code")),
    responses((status = 204, description = "Discarded"), (status = 404, body = shared::api::ErrorEnvelope)))]
async fn discard_saved_answers(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    if !store::delete_saved_answers(&mut tx, user.person_id, &code).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
