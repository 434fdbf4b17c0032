//! The register's and the case handling's codes in the current language.

use shared::auth::Role;
use shared::cases::{Names, Outcome, SubtaskStatus};
use shared::register::{GroupKind, GroupRelation, OwnerKind, PlacementKind, SchoolForm};

use crate::I18n;
use crate::i18n::{Locale, t_string};

/// A name the server gives in both languages, in the current one.
pub fn names(i18n: I18n, names: &Names) -> String {
    match i18n.get_locale() {
        Locale::sv => names.sv.clone(),
        Locale::en => names.en.clone(),
    }
}

/// The case types the platform knows, for filtering lists.
pub const CASE_TYPES: [&str; 5] = [
    "leave",
    "placement_change",
    "school_choice",
    "ike",
    "grade_catalogue",
];

/// A case type by its code; a type the app does not know yet shows its code.
pub fn case_type(i18n: I18n, code: &str) -> String {
    let name = match code {
        "leave" => t_string!(i18n, case_type.leave),
        "placement_change" => t_string!(i18n, case_type.placement_change),
        "school_choice" => t_string!(i18n, case_type.school_choice),
        "ike" => t_string!(i18n, case_type.ike),
        "grade_catalogue" => t_string!(i18n, case_type.grade_catalogue),
        other => return other.to_owned(),
    };
    name.to_owned()
}

/// The statuses a case owner's open cases can have, for filtering lists.
pub const OWNER_STATUSES: [&str; 2] = ["open", "decided"];

/// A case status by its code, as case handlers call it.
pub fn status(i18n: I18n, code: &str) -> String {
    let name = match code {
        "awaiting_confirmation" => t_string!(i18n, status.awaiting_confirmation),
        "new" => t_string!(i18n, status.new),
        "open" => t_string!(i18n, status.open),
        "decided" => t_string!(i18n, status.decided),
        "closed" => t_string!(i18n, status.closed),
        "withdrawn" => t_string!(i18n, status.withdrawn),
        other => return other.to_owned(),
    };
    name.to_owned()
}

pub fn outcome(i18n: I18n, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Approved => t_string!(i18n, outcome.approved),
        Outcome::Rejected => t_string!(i18n, outcome.rejected),
        Outcome::Dismissed => t_string!(i18n, outcome.dismissed),
        Outcome::Withdrawn => t_string!(i18n, outcome.withdrawn),
    }
}

pub fn subtask_status(i18n: I18n, status: SubtaskStatus) -> &'static str {
    match status {
        SubtaskStatus::New => t_string!(i18n, subtask_status.new),
        SubtaskStatus::Open => t_string!(i18n, subtask_status.open),
        SubtaskStatus::Solved => t_string!(i18n, subtask_status.solved),
    }
}

/// A member of staff's duty (`GET /api/staff`).
pub fn duty(i18n: I18n, code: &str) -> String {
    let name = match code {
        "teacher" => t_string!(i18n, duty.teacher),
        "mentor" => t_string!(i18n, duty.mentor),
        "principal" => t_string!(i18n, duty.principal),
        "case_worker" => t_string!(i18n, duty.case_worker),
        "provider_admin" => t_string!(i18n, duty.provider_admin),
        "registrar" => t_string!(i18n, duty.registrar),
        "administrator" => t_string!(i18n, duty.administrator),
        other => return other.to_owned(),
    };
    name.to_owned()
}

/// What is wrong with a field, by the problem's code, when the form has nothing more
/// specific to say.
pub fn field_problem(i18n: I18n, code: &str) -> &'static str {
    match code {
        "required" => t_string!(i18n, problem.required),
        "too_long" => t_string!(i18n, problem.too_long),
        "in_past" => t_string!(i18n, problem.in_past),
        "before_from" => t_string!(i18n, problem.before_from),
        _ => t_string!(i18n, problem.invalid),
    }
}

pub fn role(i18n: I18n, role: Role) -> &'static str {
    match role {
        Role::Guardian => t_string!(i18n, role.guardian),
        Role::Pupil => t_string!(i18n, role.pupil),
        Role::Teacher => t_string!(i18n, role.teacher),
        Role::Principal => t_string!(i18n, role.principal),
        Role::ProviderAdmin => t_string!(i18n, role.provider_admin),
        Role::CaseWorker => t_string!(i18n, role.case_worker),
        Role::Registrar => t_string!(i18n, role.registrar),
        Role::Admin => t_string!(i18n, role.admin),
    }
}

pub fn school_form(i18n: I18n, form: SchoolForm) -> &'static str {
    match form {
        SchoolForm::Forskola => t_string!(i18n, school_form.forskola),
        SchoolForm::Grundskola => t_string!(i18n, school_form.grundskola),
        SchoolForm::Fritidshem => t_string!(i18n, school_form.fritidshem),
        SchoolForm::Gymnasieskola => t_string!(i18n, school_form.gymnasieskola),
        SchoolForm::Komvux => t_string!(i18n, school_form.komvux),
    }
}

pub fn owner_kind(i18n: I18n, kind: OwnerKind) -> &'static str {
    match kind {
        OwnerKind::Municipal => t_string!(i18n, owner_kind.municipal),
        OwnerKind::Independent => t_string!(i18n, owner_kind.independent),
    }
}

pub fn group_kind(i18n: I18n, kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Class => t_string!(i18n, group_kind.class),
        GroupKind::TeachingGroup => t_string!(i18n, group_kind.teaching_group),
    }
}

pub fn group_relation(i18n: I18n, relation: GroupRelation) -> &'static str {
    match relation {
        GroupRelation::Teacher => t_string!(i18n, relation.teacher),
        GroupRelation::Mentor => t_string!(i18n, relation.mentor),
        GroupRelation::Organisation => t_string!(i18n, relation.organisation),
    }
}

pub fn placement_kind(i18n: I18n, kind: PlacementKind) -> &'static str {
    match kind {
        PlacementKind::Preschool => t_string!(i18n, placement_kind.preschool),
        PlacementKind::AfterSchool => t_string!(i18n, placement_kind.after_school),
    }
}
