//! Leave of absence (use case 3): a guardian applies for their child, or a pupil aged 18 or
//! more for themselves; the other guardian confirms; an automated step reads the register and
//! routes the decision to the mentor (at most 10 school days) or the principal (skollagen
//! 7 kap. 18 §); after the decision automated steps write the granted leave to the register,
//! render the decision letter, notify the family and close the case.

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::NaiveDate;
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use shared::applications::{
    ATTACHMENT_MAX_BYTES, Attachment, LeaveApplicationForm, LeaveSummary, Submitted,
    principal_decides, validate_leave,
};
use shared::cases::{CaseFact, FactValue, Names, Outcome};
use shared::personal_number::age_on;
use uuid::Uuid;

use super::confirmation;
use crate::auth::CurrentUser;
use crate::cases;
use crate::cases::process::{
    ApplicantFacts, CaseProcess, DecisionInput, FactsReader, default_decision,
};
use crate::documents::{disposition, pdf};
use crate::error::{AppError, AppResult, Json, Path};
use crate::jobs::{JobStep, SoloStep};
use crate::state::AppState;
use crate::store::applications::{self as store, LeaveRow, NewLeave};
use crate::store::cases::{self as case_store, CaseRow, NewCase, NewDecision};
use crate::store::follow_ups as follow_up_store;
use crate::store::register as register_store;
use crate::store::{Tx, messages};
use crate::{clock, jobs, municipality};

/// The case type this process runs.
pub const CASE_TYPE: &str = "leave";
pub const ROUTE: &str = "leave.route";
pub const FINISH: &str = "leave.finish";
pub const LEGAL_BASIS: &str = "skollagen (2010:800) 7 kap. 18 §";

/// Apply for leave of absence. Creates the case at once (its number is in the answer), with a
/// PDF/A receipt of the submitted data as its first document and the attachment as its own.
#[utoipa::path(post, path = "/applications/leave", tag = "applications", request_body = LeaveApplicationForm,
    responses((status = 201, body = Submitted),
              (status = 404, description = "Not my child", body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(form): Json<LeaveApplicationForm>,
) -> AppResult<(StatusCode, Json<Submitted>)> {
    let today = clock::today();
    let valid = validate_leave(&form, today).map_err(AppError::Validation)?;
    let db = &state.db;
    let pupil = register_store::person_basic(db, form.pupil_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let adult = age_on(pupil.birth_date, today) >= 18;
    let mut co_applicants = Vec::new();
    if pupil.id == user.person_id {
        if !adult {
            return Err(AppError::field(
                "pupil_id",
                "minor_applicant",
                "a pupil under 18 applies through a guardian",
            ));
        }
    } else if register_store::has_guardianship(db, user.person_id, pupil.id, today).await? {
        if adult {
            return Err(AppError::field(
                "pupil_id",
                "adult_pupil",
                "the pupil is 18 or older and applies for themselves",
            ));
        }
        co_applicants = register_store::guardians_of(db, user.reader(), pupil.id)
            .await?
            .into_iter()
            .map(|g| g.id)
            .filter(|g| *g != user.person_id)
            .collect();
    } else {
        return Err(AppError::NotFound);
    }
    if register_store::memberships_of(db, today, &[pupil.id])
        .await?
        .is_empty()
    {
        return Err(AppError::field(
            "pupil_id",
            "not_pupil",
            "the child is not in a school class",
        ));
    }
    let school_days =
        crate::store::attendance::school_days_in(db, valid.period.from, valid.period.to)
            .await?
            .len() as u32;
    if school_days == 0 {
        return Err(AppError::field(
            "to",
            "no_school_day",
            "there is no school day in the period (weekends, breaks and holidays)",
        ));
    }
    let attachment = match form.attachment {
        // Parsing a PDF or decoding an image is CPU work: off the async workers.
        Some(a) => Some(
            tokio::task::spawn_blocking(move || decode_attachment(a))
                .await
                .map_err(anyhow::Error::from)??,
        ),
        None => None,
    };

    // Last: the guardian may override the overlap, so every refusal comes before it.
    if !form.confirm_overlap {
        let overlapping =
            store::overlapping_leaves(db, pupil.id, valid.period.from, valid.period.to).await?;
        if !overlapping.is_empty() {
            let cases = overlapping
                .iter()
                .map(|l| {
                    let number = shared::cases::CaseNumber {
                        year: l.year as u16,
                        serial: l.serial as u32,
                    };
                    let state = if l.outcome.is_some() {
                        "granted"
                    } else {
                        "pending"
                    };
                    format!("{number} ({} – {}, {state})", l.from_date, l.to_date)
                })
                .collect::<Vec<_>>()
                .join(", ");
            return Err(AppError::field(
                "from",
                "overlaps_leave",
                format!(
                    "the period overlaps the child's leave {cases}; send confirm_overlap: true \
                     to apply anyway"
                ),
            ));
        }
    }
    let second_guardian = co_applicants.first().copied();
    let status = if second_guardian.is_some() {
        "awaiting_confirmation"
    } else {
        "new"
    };
    let pupil_name = format!("{} {}", pupil.given_name, pupil.family_name);
    let title = format!("Ledighet {} – {}", valid.period.from, valid.period.to);
    let now = clock::now();
    let mut tx = db.begin().await?;
    let new_case = NewCase {
        case_type: "leave",
        status,
        title: &title,
        applicant: user.person_id,
        co_applicants: &co_applicants,
        subject: Some(pupil.id),
        actor: Some(user.person_id),
    };
    let (case_id, year, serial) = case_store::create(&mut tx, &new_case, now, today).await?;
    crate::follow_ups::subscriptions::case_created(&mut tx, case_id).await?;
    let number = shared::cases::CaseNumber {
        year: year as u16,
        serial: serial as u32,
    };
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
    store::insert_leave(
        &mut tx,
        &NewLeave {
            case_id,
            pupil_id: pupil.id,
            from: valid.period.from,
            to: valid.period.to,
            reason: &valid.reason,
            school_days: school_days as i32,
            second_guardian_id: second_guardian,
        },
        now,
    )
    .await?;

    let fields = vec![
        ("Elev".to_owned(), pupil_name.clone()),
        (
            "Sökande".to_owned(),
            format!("{} {}", user.given_name, user.family_name),
        ),
        ("Första dag".to_owned(), valid.period.from.to_string()),
        ("Sista dag".to_owned(), valid.period.to.to_string()),
        ("Skoldagar".to_owned(), school_days.to_string()),
        ("Skäl".to_owned(), valid.reason.clone()),
        (
            "Bilaga".to_owned(),
            attachment
                .as_ref()
                .map_or("Ingen".to_owned(), |a| a.file_name.clone()),
        ),
    ];
    let header = pdf::LetterHeader {
        sender: municipality::sender(&state).await?,
        case_number: number.to_string(),
        date: today,
        recipient_name: Some(format!("{} {}", user.given_name, user.family_name)),
    };
    let receipt = tokio::task::spawn_blocking(move || {
        pdf::render_receipt(&header, "Kvitto: ansökan om ledighet", now, &fields)
    })
    .await
    .map_err(anyhow::Error::from)??;
    cases::store_document(
        &state,
        &mut tx,
        case_id,
        "receipt",
        "Kvitto på ansökan om ledighet",
        &format!("kvitto-{year}-{serial:05}.pdf"),
        "application/pdf",
        receipt,
        Some(user.person_id),
    )
    .await?;
    if let Some(verified) = attachment {
        cases::store_document(
            &state,
            &mut tx,
            case_id,
            "attachment",
            "Bilaga till ansökan",
            &verified.file_name,
            verified.kind.media_type(),
            verified.bytes,
            Some(user.person_id),
        )
        .await?;
    }

    let applicant_name = format!("{} {}", user.given_name, user.family_name);
    let request = confirmation::Request {
        case_id,
        number,
        what: ("Ledighet", "leave of absence"),
        child: pupil.id,
        applicant_name: &applicant_name,
    };
    confirmation::ask(&mut tx, &state, &request, second_guardian.as_slice()).await?;
    crate::cases::notices::notify_status(&mut tx, &state, case_id, status).await?;
    if status == "new" {
        enqueue_route(&mut tx, case_id).await?;
    }
    tx.commit().await?;
    state.jobs_wakeup.notify_one();
    Ok((
        StatusCode::CREATED,
        Json(Submitted {
            case_id,
            number,
            awaiting_other_guardian: second_guardian.is_some(),
        }),
    ))
}

/// The longest file name a request may give an attachment, in characters.
pub const FILE_NAME_MAX_CHARS: usize = 255;
/// The longest base name (before the extension) an attachment is stored under.
pub const STORED_BASE_NAME_MAX_CHARS: usize = 100;
/// A PDF's object and cross-reference streams are inflated while it is parsed: at most this.
const PDF_MAX_DECOMPRESSED_BYTES: usize = 64 * 1024 * 1024;
/// An image is decoded in full to check it: at most this wide and high, and this much memory.
const IMAGE_MAX_SIDE: u32 = 12_000;
const IMAGE_MAX_ALLOC_BYTES: u64 = 256 * 1024 * 1024;

/// The kinds of file an attachment may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    fn claimed(media_type: &str) -> Option<FileKind> {
        match media_type {
            "application/pdf" => Some(FileKind::Pdf),
            "image/jpeg" => Some(FileKind::Jpeg),
            "image/png" => Some(FileKind::Png),
            _ => None,
        }
    }

    pub(crate) fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }

    /// Whether `bytes` really are a file of this kind: a PDF that parses and has a page, an
    /// image that decodes in full. Neither parser panics the request on hostile input.
    fn verify(self, bytes: &[u8]) -> bool {
        std::panic::catch_unwind(|| match self {
            FileKind::Pdf => is_pdf(bytes),
            FileKind::Jpeg => is_image(bytes, image::ImageFormat::Jpeg),
            FileKind::Png => is_image(bytes, image::ImageFormat::Png),
        })
        .unwrap_or(false)
    }
}

fn is_pdf(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"%PDF-") {
        return false;
    }
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(PDF_MAX_DECOMPRESSED_BYTES),
        ..Default::default()
    };
    match lopdf::Document::load_mem_with_options(bytes, options) {
        Ok(document) => document.catalog().is_ok() && document.page_iter().next().is_some(),
        Err(_) => false,
    }
}

fn is_image(bytes: &[u8], format: image::ImageFormat) -> bool {
    let Ok(mut reader) = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format()
    else {
        return false;
    };
    if reader.format() != Some(format) {
        return false;
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(IMAGE_MAX_SIDE);
    limits.max_image_height = Some(IMAGE_MAX_SIDE);
    limits.max_alloc = Some(IMAGE_MAX_ALLOC_BYTES);
    reader.limits(limits);
    reader.decode().is_ok()
}

/// An attachment fit to store: checked content, the media type it really has, and a file name
/// that ends in that type's extension.
#[derive(Debug)]
pub(crate) struct VerifiedAttachment {
    pub(crate) file_name: String,
    pub(crate) kind: FileKind,
    pub(crate) bytes: Vec<u8>,
}

/// Base64 → bytes, at most the size limit, and content that is what its media type says; the
/// file name is checked, then cleaned and given the verified type's extension.
pub(crate) fn decode_attachment(attachment: Attachment) -> AppResult<VerifiedAttachment> {
    check_file_name(&attachment.file_name)?;
    let bytes = STANDARD
        .decode(attachment.content_base64.trim())
        .map_err(|_| AppError::field("attachment", "invalid", "the file could not be read"))?;
    if bytes.len() > ATTACHMENT_MAX_BYTES {
        return Err(AppError::field("attachment", "too_large", "at most 5 MB"));
    }
    let kind = FileKind::claimed(&attachment.media_type)
        .filter(|kind| kind.verify(&bytes))
        .ok_or_else(|| {
            AppError::field(
                "attachment",
                "content_mismatch",
                "the file is not the PDF, JPEG or PNG it says it is",
            )
        })?;
    Ok(VerifiedAttachment {
        file_name: stored_file_name(&attachment.file_name, kind),
        kind,
        bytes,
    })
}

/// A file name as the client sent it: not too long and without control characters.
fn check_file_name(file_name: &str) -> AppResult<()> {
    if file_name.chars().count() > FILE_NAME_MAX_CHARS {
        return Err(AppError::field(
            "attachment.file_name",
            "too_long",
            format!("at most {FILE_NAME_MAX_CHARS} characters"),
        ));
    }
    if file_name.chars().any(char::is_control) {
        return Err(AppError::field(
            "attachment.file_name",
            "invalid",
            "the file name contains control characters",
        ));
    }
    Ok(())
}

/// The client's base name (its last path component, without control or bidirectional
/// formatting characters, leading dots or its own extension; at most
/// [`STORED_BASE_NAME_MAX_CHARS`] characters) with the verified type's extension; `bilaga`
/// when nothing is left.
fn stored_file_name(client_name: &str, kind: FileKind) -> String {
    let last = client_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !disposition::is_bidi_control(*c))
        .collect();
    let cleaned = cleaned.trim();
    let base = match cleaned.rsplit_once('.') {
        Some((base, extension)) if looks_like_extension(extension) => base,
        _ => cleaned,
    };
    let base: String = base.chars().take(STORED_BASE_NAME_MAX_CHARS).collect();
    let base = base.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let base = if base.is_empty() { "bilaga" } else { base };
    format!("{base}.{}", kind.extension())
}

/// `pdf`, `html`, `jpeg`, `docx`: short, ASCII letters and digits, at least one letter (so
/// `intyg 2024.03.01` keeps its date).
fn looks_like_extension(extension: &str) -> bool {
    (1..=6).contains(&extension.len())
        && extension.bytes().all(|b| b.is_ascii_alphanumeric())
        && extension.bytes().any(|b| b.is_ascii_alphabetic())
}

async fn enqueue_route(tx: &mut Tx, case_id: Uuid) -> sqlx::Result<()> {
    jobs::enqueue(tx, &Route { case_id }).await
}

/// Automated step: read the register and route the decision to the mentor or the principal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Route {
    pub case_id: Uuid,
}

impl JobStep for Route {
    const KIND: &'static str = ROUTE;

    fn key(&self) -> String {
        format!("{ROUTE}:{}", self.case_id)
    }
}

impl SoloStep for Route {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        route(state, self.case_id).await
    }
}

/// Automated steps after the decision: granted leave to the register, the decision letter,
/// the family's notice, and closing the case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finish {
    pub case_id: Uuid,
}

impl JobStep for Finish {
    const KIND: &'static str = FINISH;

    fn key(&self) -> String {
        format!("{FINISH}:{}", self.case_id)
    }
}

impl SoloStep for Finish {
    async fn run(&self, state: &AppState) -> anyhow::Result<Tx> {
        finish(state, self.case_id).await
    }
}

/// The other guardian confirms the application; it then goes on to decision.
#[utoipa::path(post, path = "/applications/leave/{id}/confirmation", tag = "applications",
    params(("id" = Uuid, Path, description = "Case id")),
    responses((status = 204, description = "Confirmed"), (status = 404, body = shared::api::ErrorEnvelope),
              (status = 409, description = "Already confirmed or withdrawn", body = shared::api::ErrorEnvelope)))]
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    if store::leave(&state.db, id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    confirmation::confirm(&state, id, user.person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A pupil's leave applications, for readers who may see the pupil (reasons only for the
/// pupil, guardians and school staff).
#[utoipa::path(get, path = "/pupils/{id}/leave", tag = "applications",
    params(("id" = Uuid, Path, description = "Pupil id")),
    responses((status = 200, body = Vec<LeaveSummary>), (status = 404, body = shared::api::ErrorEnvelope)))]
pub async fn pupil_leave_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<Vec<LeaveSummary>>> {
    let pupil = crate::access::may_read_pupil(&state, &user, id).await?;
    let direct = pupil.direct == 1;
    let mut history = Vec::new();
    for item in store::leave_history(&state.db, id).await? {
        let (Some(case), Some(leave)) = (
            case_store::get(&state.db, item.case_id).await?,
            store::leave(&state.db, item.case_id).await?,
        ) else {
            continue;
        };
        history.push(summary(&case, &leave, !pupil.is_masked(), direct));
    }
    crate::access::log_read(&state.db, &user, "leave.list", "", &[id]).await?;
    Ok(Json(history))
}

pub fn summary(
    case: &CaseRow,
    leave: &LeaveRow,
    sees_pupil: bool,
    show_reason: bool,
) -> LeaveSummary {
    LeaveSummary {
        case_id: case.id,
        number: case.number(),
        pupil: cases::subject_ref(case, sees_pupil).expect("a leave case has a subject"),
        from: leave.from_date,
        to: leave.to_date,
        school_days: leave.school_days as u32,
        reason: show_reason.then(|| leave.reason.clone()),
        status: case.status.clone(),
        outcome: case.outcome.as_deref().and_then(Outcome::parse),
    }
}

/// The leave process: the principal alone decides more than 10 school days; after the
/// decision the [`Finish`] step writes the register, the letter and the notice and closes the
/// case.
pub struct LeaveProcess;

impl CaseProcess for LeaveProcess {
    fn case_type(&self) -> &'static str {
        CASE_TYPE
    }

    fn decision<'a>(
        &'a self,
        input: DecisionInput<'a>,
    ) -> BoxFuture<'a, AppResult<NewDecision<'a>>> {
        Box::pin(async move {
            let DecisionInput {
                state,
                decider,
                case,
                ..
            } = input;
            let leave = store::leave(&state.db, case.id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !may_decide(state, &leave, decider.person_id, input.today).await? {
                return Err(AppError::Forbidden);
            }
            Ok(NewDecision {
                legal_basis: LEGAL_BASIS.into(),
                valid_from: Some(leave.from_date),
                valid_to: Some(leave.to_date),
                ..default_decision(&input)
            })
        })
    }

    fn may_decide<'a>(
        &'a self,
        state: &'a AppState,
        case: &'a CaseRow,
        person: Uuid,
        today: NaiveDate,
    ) -> BoxFuture<'a, AppResult<bool>> {
        Box::pin(async move {
            match store::leave(&state.db, case.id).await? {
                Some(leave) => may_decide(state, &leave, person, today).await,
                None => Ok(false),
            }
        })
    }

    fn deciders<'a>(
        &'a self,
        state: &'a AppState,
        case: &'a CaseRow,
        today: NaiveDate,
    ) -> BoxFuture<'a, AppResult<Vec<Uuid>>> {
        Box::pin(async move {
            let Some(leave) = store::leave(&state.db, case.id).await? else {
                return Ok(Vec::new());
            };
            let mut deciders: Vec<Uuid> =
                register_store::principals_of(&state.db, today, leave.pupil_id)
                    .await?
                    .into_iter()
                    .map(|principal| principal.id)
                    .collect();
            if !principal_decides(leave.school_days as u32) {
                for mentor in register_store::mentors_of(&state.db, today, leave.pupil_id).await? {
                    if !deciders.contains(&mentor.id) {
                        deciders.push(mentor.id);
                    }
                }
            }
            Ok(deciders)
        })
    }

    fn after_decision<'a>(
        &'a self,
        tx: &'a mut Tx,
        case_id: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<()>> {
        Box::pin(async move { jobs::enqueue(tx, &Finish { case_id }).await })
    }

    fn after_confirmation<'a>(
        &'a self,
        tx: &'a mut Tx,
        case_id: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<()>> {
        Box::pin(async move { enqueue_route(tx, case_id).await })
    }

    fn closes_itself(&self) -> bool {
        true
    }

    fn tells_decision(&self) -> bool {
        true
    }

    fn decision_hint(&self) -> Option<Names> {
        Some(Names {
            sv: "Motiveringen står i beslutsbrevet. När du har fattat beslutet skapas brevet \
                automatiskt, registret uppdateras och vårdnadshavarna får besked. Ledighet över \
                10 skoldagar beslutar rektorn om (skollagen 7 kap. 18 §)."
                .into(),
            en: "The reasons are included in the decision letter. Once you have decided, the \
                letter is created automatically, the register is updated and the guardians are \
                told. Leave of more than 10 school days is decided by the principal (Education \
                Act, chapter 7, section 18)."
                .into(),
        })
    }

    fn staff_facts<'a>(
        &'a self,
        state: &'a AppState,
        case: &'a CaseRow,
        reader: FactsReader,
    ) -> BoxFuture<'a, AppResult<Vec<CaseFact>>> {
        Box::pin(async move {
            let Some(leave) = store::leave(&state.db, case.id).await? else {
                return Ok(Vec::new());
            };
            // The reason is the family's words: it may name the child.
            Ok(facts(&leave, reader.sees_subject))
        })
    }

    fn applicant_facts<'a>(
        &'a self,
        state: &'a AppState,
        case: &'a CaseRow,
        _reader: FactsReader,
    ) -> BoxFuture<'a, AppResult<ApplicantFacts>> {
        Box::pin(async move {
            let Some(leave) = store::leave(&state.db, case.id).await? else {
                return Ok(ApplicantFacts::default());
            };
            Ok(ApplicantFacts {
                facts: facts(&leave, true),
            })
        })
    }
}

/// The period, its school days and, where the reader may read it, the reason.
fn facts(leave: &LeaveRow, with_reason: bool) -> Vec<CaseFact> {
    let fact = CaseFact::new;
    let mut facts = vec![
        fact(
            "period",
            "Period",
            "Period",
            FactValue::DateRange {
                from: leave.from_date,
                to: leave.to_date,
            },
        ),
        fact(
            "school_days",
            "Skoldagar",
            "School days",
            FactValue::Count {
                count: leave.school_days.into(),
            },
        ),
    ];
    if with_reason && !leave.reason.is_empty() {
        facts.push(fact(
            "reason",
            "Skäl",
            "Reason",
            FactValue::Text {
                text: leave.reason.clone(),
            },
        ));
    }
    facts
}

/// Leave of more than 10 school days is the principal's to decide (skollagen 7 kap. 18 §);
/// a shorter one any owner's the case was routed or handed to.
async fn may_decide(
    state: &AppState,
    leave: &LeaveRow,
    person: Uuid,
    today: NaiveDate,
) -> AppResult<bool> {
    if !principal_decides(leave.school_days as u32) {
        return Ok(true);
    }
    let principals = register_store::principals_of(&state.db, today, leave.pupil_id).await?;
    Ok(principals.iter().any(|principal| principal.id == person))
}

async fn route(state: &AppState, case_id: Uuid) -> anyhow::Result<Tx> {
    let db = &state.db;
    let today = clock::today();
    let case = case_store::get(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no case {case_id}"))?;
    let leave = store::leave(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no leave for {case_id}"))?;
    let mut tx = db.begin().await?;
    if case.status != "new" || case.owner_id.is_some() {
        // Already routed, withdrawn or distributed by hand: nothing left to do.
        return Ok(tx);
    }
    let school_days = leave.school_days;
    let principal = register_store::principals_of(db, today, leave.pupil_id)
        .await?
        .into_iter()
        .next();
    let (decider, role) = if principal_decides(school_days as u32) {
        (principal, "principal")
    } else {
        match register_store::mentors_of(db, today, leave.pupil_id)
            .await?
            .into_iter()
            .next()
        {
            Some(mentor) => (Some(mentor), "mentor"),
            None => (principal, "principal"),
        }
    };
    let now = clock::now();
    let Some(decider) = decider else {
        // Nobody in the register may decide it: it stays in the distribution queue, and the
        // case office gets an exception saying why, so that it is not left undecided.
        let missing = if role == "principal" {
            "rektor"
        } else {
            "mentor eller rektor"
        };
        case_store::record_event(
            &mut tx,
            case_id,
            None,
            "routing",
            None,
            &format!("no {role} in the register school_days={school_days}"),
            now,
        )
        .await?;
        let team = follow_up_store::ensure_team_in(&mut tx, follow_up_store::CASE_OFFICE_TEAM, now)
            .await?;
        let title = format!("Ingen kan besluta ärende {}", case.number());
        let details = format!(
            "Registret har ingen {missing} för eleven den {today}. Ledighet på {school_days} \
             skoldagar beslutas av {}. Lägg in beslutsfattaren i registret och tilldela \
             ärendet, eller lämna över det till den som får besluta.",
            if role == "principal" {
                "rektor (skollagen 7 kap. 18 §)"
            } else {
                "mentor eller rektor"
            }
        );
        let exception = follow_up_store::NewFollowUp {
            kind: shared::follow_ups::FollowUpKind::Exception.as_str(),
            title: &title,
            details: &details,
            due_date: Some(today),
            owner: None,
            assignee_person: None,
            assignee_team: Some(team),
            case_id: Some(case_id),
            job_id: None,
        };
        follow_up_store::create(&mut tx, &exception, None, now).await?;
        return Ok(tx);
    };
    case_store::assign(&mut tx, case_id, decider.id, None, now).await?;
    // Decided at the pupil's school: it leaves the case office's reach.
    let memberships = register_store::memberships_of(db, today, &[leave.pupil_id]).await?;
    let school = memberships
        .iter()
        .find(|m| m.group_kind == "class")
        .or(memberships.first())
        .map(|m| m.school_id);
    case_store::route_to(&mut tx, case_id, school, now).await?;
    let detail = format!("decider={role} school_days={school_days}");
    case_store::record_event(&mut tx, case_id, None, "routing", None, &detail, now).await?;
    match case_store::transition(&mut tx, case_id, "open", None, "", now).await? {
        case_store::Transition::Done { .. } => {}
        // Withdrawn since it was read above: nothing to route and nobody to tell.
        case_store::Transition::NotAllowed { .. } => {
            tx.rollback().await?;
            return Ok(db.begin().await?);
        }
    }
    crate::cases::notices::notify_status(&mut tx, state, case_id, "open").await?;
    let number = case.number();
    let subject = (
        format!("Ledighetsansökan {number} att besluta"),
        format!("Leave application {number} to decide"),
    );
    let body = (
        format!("En ansökan om ledighet ({school_days} skoldagar) väntar på ditt beslut."),
        format!("An application for leave ({school_days} school days) awaits your decision."),
    );
    let message = messages::NewMessage {
        person_id: decider.id,
        case_id: Some(case_id),
        subject: (&subject.0, &subject.1),
        body: (&body.0, &body.1),
    };
    crate::messages::deliver(&mut tx, state, &message).await?;
    Ok(tx)
}

async fn finish(state: &AppState, case_id: Uuid) -> anyhow::Result<Tx> {
    let db = &state.db;
    let case = case_store::get(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no case {case_id}"))?;
    if case.status != "decided" {
        return Ok(db.begin().await?);
    }
    let leave = store::leave(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no leave for {case_id}"))?;
    let decision = case_store::decision(db, case_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no decision for {case_id}"))?;
    let pupil = register_store::person_basic(db, leave.pupil_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no pupil"))?;
    let applicant = register_store::person_name(db, case.applicant_id).await?;
    let approved = decision.outcome == Outcome::Approved.as_str();
    let pupil_name = format!("{} {}", pupil.given_name, pupil.family_name);
    let letter = pdf::DecisionLetter {
        header: pdf::LetterHeader {
            sender: municipality::sender(state).await?,
            case_number: case.number().to_string(),
            date: decision.decided_on,
            recipient_name: Some(format!(
                "{} {}",
                applicant.given_name, applicant.family_name
            )),
        },
        subject: format!("Beslut om ledighet för {pupil_name}"),
        outcome_text: if approved {
            "Ansökan om ledighet beviljas."
        } else {
            "Ansökan om ledighet avslås."
        }
        .to_owned(),
        period: Some((leave.from_date, leave.to_date)),
        legal_basis: decision.legal_basis.clone(),
        motivation: decision.motivation.clone(),
        decided_by: format!(
            "{} {}",
            decision.decided_by_given_name, decision.decided_by_family_name
        ),
        decided_by_title: decider_title(state, &leave, decision.decided_by).await?,
        appeal_information: decision.appeal_information.clone(),
    };
    let bytes = tokio::task::spawn_blocking(move || pdf::render_decision_letter(&letter)).await??;
    let number = case.number();
    let file_name = format!("beslut-{}-{:05}.pdf", number.year, number.serial);

    let now = clock::now();
    let mut tx = db.begin().await?;
    if approved {
        store::record_granted_leave(
            &mut tx,
            case_id,
            leave.pupil_id,
            leave.from_date,
            leave.to_date,
            now,
        )
        .await?;
        case_store::record_event(
            &mut tx,
            case_id,
            None,
            "register",
            None,
            "granted leave written",
            now,
        )
        .await?;
    }
    cases::store_document(
        state,
        &mut tx,
        case_id,
        "decision_letter",
        "Beslutsbrev",
        &file_name,
        "application/pdf",
        bytes,
        None,
    )
    .await?;
    case_store::transition(&mut tx, case_id, "closed", None, "", now).await?;
    let (verdict_sv, verdict_en) = if approved {
        ("beviljats", "been approved")
    } else {
        ("avslagits", "been rejected")
    };
    let subject = (
        format!("Beslut i ärende {number}"),
        format!("Decision in case {number}"),
    );
    let body = (
        format!(
            "Ansökan om ledighet {} – {} har {verdict_sv}. Beslutsbrevet finns under Mina ärenden.",
            leave.from_date, leave.to_date
        ),
        format!(
            "The application for leave {} – {} has {verdict_en}. The decision letter is in My cases.",
            leave.from_date, leave.to_date
        ),
    );
    for person in case_store::parties_in(&mut tx, case_id).await? {
        let message = messages::NewMessage {
            person_id: person,
            case_id: Some(case_id),
            subject: (&subject.0, &subject.1),
            body: (&body.0, &body.1),
        };
        crate::messages::deliver(&mut tx, state, &message).await?;
    }
    Ok(tx)
}

async fn decider_title(
    state: &AppState,
    leave: &LeaveRow,
    decided_by: Uuid,
) -> anyhow::Result<String> {
    let principals =
        register_store::principals_of(&state.db, clock::today(), leave.pupil_id).await?;
    Ok(if principals.iter().any(|p| p.id == decided_by) {
        "Rektor"
    } else {
        "Mentor"
    }
    .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF written by lopdf (with a cross-reference table).
    fn minimal_pdf() -> Vec<u8> {
        use lopdf::{Object, Stream, dictionary};
        let mut document = lopdf::Document::with_version("1.7");
        let pages_id = document.new_object_id();
        let content_id = document.add_object(Stream::new(dictionary! {}, Vec::new()));
        let page_id = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        let pages = dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        };
        document.objects.insert(pages_id, Object::Dictionary(pages));
        let catalog_id = document.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
        });
        document.trailer.set("Root", catalog_id);
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        bytes
    }

    fn image(format: image::ImageFormat) -> Vec<u8> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(3, 2, image::Rgb([200, 40, 40]))
            .write_to(&mut bytes, format)
            .unwrap();
        bytes.into_inner()
    }

    fn attachment(file_name: &str, media_type: &str, bytes: &[u8]) -> Attachment {
        Attachment {
            file_name: file_name.to_owned(),
            media_type: media_type.to_owned(),
            content_base64: STANDARD.encode(bytes),
        }
    }

    fn field_error(result: AppResult<VerifiedAttachment>) -> (String, String) {
        match result {
            Err(AppError::Validation(fields)) => (fields[0].field.clone(), fields[0].code.clone()),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn real_files_pass_their_type_check() {
        assert!(FileKind::Pdf.verify(&minimal_pdf()));
        assert!(FileKind::Png.verify(&image(image::ImageFormat::Png)));
        assert!(FileKind::Jpeg.verify(&image(image::ImageFormat::Jpeg)));
    }

    #[test]
    fn files_that_only_start_like_their_type_are_refused() {
        assert!(!FileKind::Pdf.verify(b"%PDF-<html><script>alert(1)</script></html>"));
        assert!(!FileKind::Pdf.verify(b"%PDF-1.4\n%%EOF\n"));
        assert!(!FileKind::Pdf.verify(b""));
        assert!(!FileKind::Png.verify(b"\x89PNG\r\n\x1a\n<html></html>"));
        assert!(!FileKind::Jpeg.verify(b"\xFF\xD8\xFF\xE0<html></html>"));
        // A cut-off image does not decode.
        let png = image(image::ImageFormat::Png);
        assert!(!FileKind::Png.verify(&png[..png.len() - 20]));
    }

    #[test]
    fn a_file_must_be_the_type_it_claims() {
        let png = image(image::ImageFormat::Png);
        assert!(!FileKind::Jpeg.verify(&png));
        assert!(!FileKind::Pdf.verify(&png));
        assert!(!FileKind::Png.verify(&minimal_pdf()));
        let (field, code) = field_error(decode_attachment(attachment(
            "bild.jpg",
            "image/jpeg",
            &png,
        )));
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("attachment", "content_mismatch")
        );
        let (field, code) = field_error(decode_attachment(attachment(
            "evil.html",
            "application/pdf",
            b"%PDF-<html><script>alert(1)</script></html>",
        )));
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("attachment", "content_mismatch")
        );
        let (_, code) = field_error(decode_attachment(attachment(
            "x.pdf",
            "text/html",
            &minimal_pdf(),
        )));
        assert_eq!(code, "content_mismatch");
    }

    #[test]
    fn a_verified_file_is_stored_under_its_real_extension() {
        let verified =
            decode_attachment(attachment("evil.html", "application/pdf", &minimal_pdf())).unwrap();
        assert_eq!(verified.file_name, "evil.pdf");
        assert_eq!(verified.kind.media_type(), "application/pdf");
        let png = image(image::ImageFormat::Png);
        let verified = decode_attachment(attachment("Skärmbild", "image/png", &png)).unwrap();
        assert_eq!(verified.file_name, "Skärmbild.png");
        assert_eq!(verified.bytes, png);
    }

    #[test]
    fn file_names_are_cleaned() {
        let pdf = FileKind::Pdf;
        assert_eq!(stored_file_name("intyg.pdf", pdf), "intyg.pdf");
        assert_eq!(
            stored_file_name("Läkarintyg Åsa.PDF", pdf),
            "Läkarintyg Åsa.pdf"
        );
        assert_eq!(stored_file_name("foto.jpeg", FileKind::Jpeg), "foto.jpg");
        assert_eq!(stored_file_name("foto.png", FileKind::Jpeg), "foto.jpg");
        assert_eq!(stored_file_name("rapport.tar.gz", pdf), "rapport.tar.pdf");
        assert_eq!(
            stored_file_name("intyg 2024.03.01", pdf),
            "intyg 2024.03.01.pdf"
        );
        assert_eq!(stored_file_name("../../etc/passwd", pdf), "passwd.pdf");
        assert_eq!(
            stored_file_name("C:\\Users\\Eva\\intyg.pdf", pdf),
            "intyg.pdf"
        );
        assert_eq!(stored_file_name(".htaccess", pdf), "htaccess.pdf");
        assert_eq!(stored_file_name("..pdf", pdf), "bilaga.pdf");
        assert_eq!(stored_file_name("", FileKind::Png), "bilaga.png");
        assert_eq!(stored_file_name("   ", pdf), "bilaga.pdf");
        assert_eq!(stored_file_name("mapp/", pdf), "bilaga.pdf");
        assert_eq!(stored_file_name("in\u{7}tyg\r\n.pdf", pdf), "intyg.pdf");
        assert_eq!(
            stored_file_name("intyg\u{202E}fdp.exe", pdf),
            "intygfdp.pdf"
        );
        let long = format!("{}.pdf", "ö".repeat(250));
        let stored = stored_file_name(&long, pdf);
        assert_eq!(
            stored,
            format!("{}.pdf", "ö".repeat(STORED_BASE_NAME_MAX_CHARS))
        );
    }

    #[test]
    fn file_names_in_the_request_are_checked() {
        let pdf = minimal_pdf();
        let (field, code) = field_error(decode_attachment(attachment(
            &"a".repeat(200_000),
            "application/pdf",
            &pdf,
        )));
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("attachment.file_name", "too_long")
        );
        let (field, code) = field_error(decode_attachment(attachment(
            "intyg\u{7}.pdf",
            "application/pdf",
            &pdf,
        )));
        assert_eq!(
            (field.as_str(), code.as_str()),
            ("attachment.file_name", "invalid")
        );
        // 255 characters (not bytes) are allowed.
        let name = format!("{}.pdf", "å".repeat(FILE_NAME_MAX_CHARS - 4));
        let verified = decode_attachment(attachment(&name, "application/pdf", &pdf)).unwrap();
        assert_eq!(
            verified.file_name.chars().count(),
            STORED_BASE_NAME_MAX_CHARS + 4
        );
    }
}
