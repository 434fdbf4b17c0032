//! The register's codes in the current language.

use shared::auth::Role;
use shared::register::{GroupKind, GroupRelation, OwnerKind, PlacementKind, SchoolForm};

use crate::I18n;
use crate::i18n::t_string;

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
