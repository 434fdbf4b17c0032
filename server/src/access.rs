//! The access seam: what a reader is to a case and what they may see of it, and the logged
//! read. Handlers that answer with a pupil's data ask here, so the rules live in one place.
//!
//! Need to know, for a case's subject (the pupil it is about):
//! - a party (the pupil themselves, an acting guardian who applied) sees them;
//! - the pupil's own teachers, mentor and principal (a direct relation in the register) see
//!   them, whatever their role on the case;
//! - anyone else handling the case sees a protected identity masked, the owner too, until the
//!   owner states their need to see it ([`crate::cases`]' identity disclosure, logged);
//! - a registrar sees the registry's metadata: a subject only on a public case.
//!
//! Where the subject is masked, so is everything on the case that names the family: the
//! applicant, the parties' names in the history, file names, and the documents themselves.

use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::Db;
use crate::store::audit::{self, Access};
use crate::store::cases::{self as case_store, CaseRelation, CaseRow};
use crate::store::register as register_store;

/// The reader's relations to one case and whether they may see who it is about.
#[derive(Debug, Clone, Copy)]
pub struct CaseAccess {
    pub relation: CaseRelation,
    pub sees_subject: bool,
}

impl CaseAccess {
    pub async fn of(state: &AppState, user: &CurrentUser, row: &CaseRow) -> AppResult<CaseAccess> {
        let relation =
            case_store::relation(&state.db, user.person_id, row.id, clock::today()).await?;
        Self::with(state, user, row, relation).await
    }

    /// As [`CaseAccess::of`] for a relation already read.
    pub async fn with(
        state: &AppState,
        user: &CurrentUser,
        row: &CaseRow,
        relation: CaseRelation,
    ) -> AppResult<CaseAccess> {
        let sees_subject = sees_subject(state, user, row, relation).await?;
        Ok(CaseAccess {
            relation,
            sees_subject,
        })
    }

    /// Reads only the registry's metadata (a registrar who does not handle the case).
    pub fn metadata_only(&self) -> bool {
        self.relation.registrar && !self.relation.is_staff() && !self.relation.party
    }
}

async fn sees_subject(
    state: &AppState,
    user: &CurrentUser,
    row: &CaseRow,
    relation: CaseRelation,
) -> AppResult<bool> {
    let Some(subject) = row.subject_id else {
        return Ok(true);
    };
    if relation.party {
        return Ok(true);
    }
    let protected = row.subject_protected.unwrap_or(true);
    if !relation.is_staff() {
        // The registry shows parties as the publicity class allows.
        return Ok(relation.registrar && !protected && row.publicity_class == "public");
    }
    if !protected || (relation.owner && relation.identity_disclosed) {
        return Ok(true);
    }
    Ok(
        register_store::visible_pupil(&state.db, user.reader(), subject)
            .await?
            .is_some_and(|pupil| !pupil.is_masked()),
    )
}

/// The pupil, if the reader may read their data (the register's reach: guardians, the pupil,
/// their school's staff, case workers with the duty); 404 otherwise, so that whether a pupil
/// exists outside one's reach is not learnt. A masked row (protected identity, no direct
/// relation) is returned as such: the caller shows only what a masked pupil may show.
pub async fn may_read_pupil(
    state: &AppState,
    user: &CurrentUser,
    pupil: Uuid,
) -> AppResult<register_store::PupilRow> {
    register_store::visible_pupil(&state.db, user.reader(), pupil)
        .await?
        .ok_or(crate::error::AppError::NotFound)
}

/// Writes the access log: `user` read the data of `subjects` (`action` and `detail` say what).
/// Every answer that carries a pupil's data goes through here before it is sent.
pub async fn log_read(
    db: &Db,
    user: &CurrentUser,
    action: &str,
    detail: &str,
    subjects: &[Uuid],
) -> AppResult<()> {
    if subjects.is_empty() {
        return Ok(());
    }
    let access = Access {
        actor: user.person_id,
        action,
        detail,
    };
    Ok(audit::record(db, access, subjects, clock::now()).await?)
}

/// The reader Skolflyt itself is in the access log, when an automated step hands pupils' data
/// to another system (the planning export).
pub const AUTOMATION: Uuid = Uuid::nil();

/// Writes the access log for an automated disclosure: Skolflyt passed the data of `subjects`
/// on (`action` and `detail` say what and to whom).
pub async fn log_disclosure(
    db: &Db,
    action: &str,
    detail: &str,
    subjects: &[Uuid],
) -> sqlx::Result<()> {
    let access = Access {
        actor: AUTOMATION,
        action,
        detail,
    };
    audit::record(db, access, subjects, clock::now()).await
}

/// Administrators only (the e-service editor, the job queue, the legal bases); 403 otherwise.
pub async fn require_admin(state: &AppState, user: &CurrentUser) -> AppResult<()> {
    let roles = crate::auth::roles_of(&state.db, user.person_id).await?;
    if roles.contains(&shared::auth::Role::Admin) {
        Ok(())
    } else {
        Err(crate::error::AppError::Forbidden)
    }
}
