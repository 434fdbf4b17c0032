//! Status notices: when a case reaches a status its case type marks "notify", its parties
//! hear of it in their inbox (and by e-mail where they want it).

use uuid::Uuid;

use crate::state::AppState;
use crate::store::Tx;
use crate::store::cases as case_store;
use crate::store::messages;

/// Tells the case's parties about a status their case type marks "notify", in their inbox.
pub async fn notify_status(
    tx: &mut Tx,
    state: &AppState,
    case_id: Uuid,
    status: &str,
) -> sqlx::Result<()> {
    let Some(notice) = case_store::status_notice(tx, case_id, status).await? else {
        return Ok(());
    };
    if !notice.notify_applicant {
        return Ok(());
    }
    let number = shared::cases::CaseNumber {
        year: notice.year as u16,
        serial: notice.serial as u32,
    };
    let subject_sv = format!("Ärende {number}: {}", notice.public_name_sv);
    let subject_en = format!("Case {number}: {}", notice.public_name_en);
    let body_sv = format!(
        "Ditt ärende {number} ({}) har fått status \"{}\". Se Mina ärenden.",
        notice.type_name_sv, notice.public_name_sv
    );
    let body_en = format!(
        "Your case {number} ({}) now has the status \"{}\". See My cases.",
        notice.type_name_en, notice.public_name_en
    );
    // A guardian asked to confirm the application is sent that request instead.
    let parties = if status == crate::applications::confirmation::AWAITING {
        case_store::parties_not_asked(tx, case_id).await?
    } else {
        case_store::parties_in(tx, case_id).await?
    };
    for person in parties {
        let message = messages::NewMessage {
            person_id: person,
            case_id: Some(case_id),
            subject: (&subject_sv, &subject_en),
            body: (&body_sv, &body_en),
        };
        crate::messages::deliver(tx, state, &message).await?;
    }
    Ok(())
}
