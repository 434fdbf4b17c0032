//! The register API: pupils, units and groups, each item only for readers within reach,
//! with protected identities masked and every read of a pupil's data in the access log.

use std::collections::HashMap;

use axum::extract::State;
use serde::Deserialize;
use shared::api::Page;
use shared::personal_number::age_on;
use shared::register::{
    Address, GroupKind, GroupRef, GroupRelation, GroupSummary, NamedRef, OwnerKind, Placement,
    PlacementKind, PupilDetail, PupilRef, PupilSummary, SchoolForm, StaffMember, UnitDetail,
    UnitGroup, UnitPlacement, UnitSummary,
};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::clock;
use crate::error::{AppError, AppResult, Json, Path, Query};
use crate::pagination::{ListScope, next_cursor, page_limit};
use crate::state::AppState;
use crate::store::register::{
    self as store, MembershipRow, PersonNameRow, PlacementRow, PupilPosition, PupilRow,
    UnitPosition, UnitRow,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_pupils))
        .routes(routes!(get_pupil))
        .routes(routes!(list_units))
        .routes(routes!(get_unit))
        .routes(routes!(list_groups))
        .routes(routes!(list_staff))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Items per page, 1–200 (default 50).
    limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PupilParams {
    /// Only members of this group.
    group: Option<Uuid>,
    cursor: Option<String>,
    limit: Option<u32>,
}

/// Pupils the signed-in user may see, by name; those they see masked come last.
#[utoipa::path(get, path = "/pupils", tag = "register", params(PupilParams),
    responses((status = 200, body = Page<PupilSummary>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn list_pupils(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<PupilParams>,
) -> AppResult<Json<Page<PupilSummary>>> {
    let limit = page_limit(params.limit)?;
    let list = ListScope::new("pupils", user.person_id).with("group", params.group);
    let after: Option<PupilPosition> = state.cursors.open(&list, params.cursor.as_deref())?;
    let reader = user.reader();
    let rows =
        store::visible_pupils(&state.db, reader, params.group, after.as_ref(), limit).await?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let memberships = group_by_person(
        store::memberships_of(&state.db, reader.today, &ids).await?,
        |m| m.person_id,
    );
    let placements = group_by_person(
        store::placements_of(&state.db, reader.today, &ids).await?,
        |p| p.child_id,
    );
    let detail = params
        .group
        .map(|g| format!("group={g}"))
        .unwrap_or_default();
    crate::access::log_read(&state.db, &user, "pupil.list", &detail, &ids).await?;
    let next_cursor = next_cursor(&state.cursors, &list, &rows, limit, PupilPosition::of);
    let items: Vec<PupilSummary> = rows
        .iter()
        .map(|row| {
            summary(
                row,
                memberships.get(&row.id).map_or(&[][..], Vec::as_slice),
                placements.get(&row.id).map_or(&[][..], Vec::as_slice),
            )
        })
        .collect();
    Ok(Json(Page { items, next_cursor }))
}

/// One pupil, if within the signed-in user's reach (otherwise 404).
#[utoipa::path(get, path = "/pupils/{id}", tag = "register",
    params(("id" = Uuid, Path, description = "Pupil id")),
    responses((status = 200, body = PupilDetail),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn get_pupil(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<PupilDetail>> {
    let reader = user.reader();
    let row = crate::access::may_read_pupil(&state, &user, id).await?;
    let memberships = store::memberships_of(&state.db, reader.today, &[id]).await?;
    let placements = store::placements_of(&state.db, reader.today, &[id]).await?;
    let summary = summary(&row, &memberships, &placements);
    crate::access::log_read(&state.db, &user, "pupil.read", "", &[id]).await?;
    if summary.masked {
        return Ok(Json(PupilDetail {
            summary,
            personal_number: None,
            protected_identity: true,
            age: None,
            address: None,
            guardians: Vec::new(),
            mentors: Vec::new(),
            placements: Vec::new(),
        }));
    }
    let family = store::is_self_or_guardian(&state.db, reader, id).await?;
    let address_visible = family || (row.direct == 1 && !row.protected_identity);
    Ok(Json(PupilDetail {
        personal_number: Some(row.personal_number.clone()),
        protected_identity: row.protected_identity,
        age: Some(age_on(row.birth_date, reader.today)),
        address: address_visible.then(|| Address {
            street: row.street.clone(),
            postal_code: row.postal_code.clone(),
            city: row.city.clone(),
        }),
        guardians: named(store::guardians_of(&state.db, reader, id).await?),
        mentors: named(store::mentors_of(&state.db, reader.today, id).await?),
        placements: placements.iter().map(placement).collect(),
        summary,
    }))
}

/// Units the signed-in user works in or with, or where their children are.
#[utoipa::path(get, path = "/units", tag = "register", params(PageParams),
    responses((status = 200, body = Page<UnitSummary>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 422, body = shared::api::ErrorEnvelope)))]
async fn list_units(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<PageParams>,
) -> AppResult<Json<Page<UnitSummary>>> {
    let limit = page_limit(params.limit)?;
    let list = ListScope::new("units", user.person_id);
    let after: Option<UnitPosition> = state.cursors.open(&list, params.cursor.as_deref())?;
    let rows = store::visible_units(&state.db, user.reader(), after.as_ref(), limit).await?;
    let next_cursor = next_cursor(&state.cursors, &list, &rows, limit, UnitPosition::of);
    let items: Vec<UnitSummary> = rows.iter().map(unit_summary).collect();
    Ok(Json(Page { items, next_cursor }))
}

/// One unit with its groups and the current placements the user may see (otherwise 404).
#[utoipa::path(get, path = "/units/{id}", tag = "register",
    params(("id" = Uuid, Path, description = "Unit id")),
    responses((status = 200, body = UnitDetail),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 404, body = shared::api::ErrorEnvelope)))]
async fn get_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Json<UnitDetail>> {
    let reader = user.reader();
    let row = store::visible_unit(&state.db, reader, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let groups = store::groups_at(&state.db, reader.today, id).await?;
    let placements = store::placements_at(&state.db, reader.today, id).await?;
    let children: Vec<Uuid> = placements.iter().map(|p| p.child_id).collect();
    let visible: HashMap<Uuid, PupilRow> =
        store::visible_pupils_among(&state.db, reader, &children)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
    let shown: Vec<&PlacementRow> = placements
        .iter()
        .filter(|p| visible.contains_key(&p.child_id))
        .collect();
    let shown_ids: Vec<Uuid> = shown.iter().map(|p| p.child_id).collect();
    crate::access::log_read(
        &state.db,
        &user,
        "placement.list",
        &format!("unit={id}"),
        &shown_ids,
    )
    .await?;
    Ok(Json(UnitDetail {
        summary: unit_summary(&row),
        groups: groups
            .into_iter()
            .map(|g| UnitGroup {
                id: g.id,
                kind: group_kind(&g.kind),
                name: g.name,
                member_count: g.member_count,
            })
            .collect(),
        placements: shown
            .into_iter()
            .map(|p| UnitPlacement {
                placement: placement(p),
                pupil: pupil_ref(p.child_id, visible.get(&p.child_id)),
            })
            .collect(),
    }))
}

/// The groups the signed-in member of staff teaches, mentors, or leads through their school
/// or provider.
#[utoipa::path(get, path = "/groups", tag = "register",
    responses((status = 200, body = Page<GroupSummary>),
              (status = 401, body = shared::api::ErrorEnvelope)))]
async fn list_groups(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Page<GroupSummary>>> {
    let rows = store::staff_groups(&state.db, user.reader()).await?;
    let items = rows
        .into_iter()
        .map(|g| GroupSummary {
            id: g.id,
            kind: group_kind(&g.kind),
            name: g.name,
            unit: NamedRef {
                id: g.unit_id,
                name: g.unit_name,
            },
            school: NamedRef {
                id: g.school_id,
                name: g.school_name,
            },
            relation: match g.relation {
                3 => GroupRelation::Mentor,
                2 => GroupRelation::Teacher,
                _ => GroupRelation::Organisation,
            },
            member_count: g.member_count,
        })
        .collect();
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Colleagues with a current duty, for members of staff only (e.g. to give a subtask).
#[utoipa::path(get, path = "/staff", tag = "register",
    responses((status = 200, body = Vec<StaffMember>),
              (status = 401, body = shared::api::ErrorEnvelope),
              (status = 403, body = shared::api::ErrorEnvelope)))]
async fn list_staff(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<StaffMember>>> {
    let rows = store::staff(&state.db, clock::today()).await?;
    if !rows.iter().any(|(id, ..)| *id == user.person_id) {
        return Err(AppError::Forbidden);
    }
    let mut staff: Vec<StaffMember> = Vec::new();
    for (id, given, family, duty) in rows {
        match staff.last_mut() {
            Some(last) if last.id == id => last.duties.push(duty),
            _ => staff.push(StaffMember {
                id,
                name: format!("{given} {family}"),
                duties: vec![duty],
            }),
        }
    }
    Ok(Json(staff))
}

fn group_by_person<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut map: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

fn summary(
    row: &PupilRow,
    memberships: &[MembershipRow],
    placements: &[PlacementRow],
) -> PupilSummary {
    if row.is_masked() {
        return PupilSummary {
            id: row.id,
            masked: true,
            given_name: None,
            family_name: None,
            birth_date: None,
            school: None,
            unit: None,
            groups: Vec::new(),
        };
    }
    // A pupil's school is their class's; a child without a class, their placement's.
    let class = memberships
        .iter()
        .find(|m| m.group_kind == "class")
        .or(memberships.first());
    let (school, unit) = match (class, placements.first()) {
        (Some(m), _) => (
            Some(NamedRef {
                id: m.school_id,
                name: m.school_name.clone(),
            }),
            Some(NamedRef {
                id: m.unit_id,
                name: m.unit_name.clone(),
            }),
        ),
        (None, Some(p)) => (
            Some(NamedRef {
                id: p.school_id,
                name: p.school_name.clone(),
            }),
            Some(NamedRef {
                id: p.unit_id,
                name: p.unit_name.clone(),
            }),
        ),
        (None, None) => (None, None),
    };
    PupilSummary {
        id: row.id,
        masked: false,
        given_name: Some(row.given_name.clone()),
        family_name: Some(row.family_name.clone()),
        birth_date: Some(row.birth_date),
        school,
        unit,
        groups: memberships
            .iter()
            .map(|m| GroupRef {
                id: m.group_id,
                name: m.group_name.clone(),
                kind: group_kind(&m.group_kind),
            })
            .collect(),
    }
}

fn pupil_ref(id: Uuid, row: Option<&PupilRow>) -> PupilRef {
    match row {
        Some(row) if !row.is_masked() => PupilRef {
            id,
            masked: false,
            name: Some(format!("{} {}", row.given_name, row.family_name)),
        },
        _ => PupilRef {
            id,
            masked: true,
            name: None,
        },
    }
}

fn named(rows: Vec<PersonNameRow>) -> Vec<NamedRef> {
    rows.into_iter()
        .map(|p| NamedRef {
            id: p.id,
            name: format!("{} {}", p.given_name, p.family_name),
        })
        .collect()
}

fn placement(row: &PlacementRow) -> Placement {
    Placement {
        id: row.id,
        kind: if row.kind == "preschool" {
            PlacementKind::Preschool
        } else {
            PlacementKind::AfterSchool
        },
        unit: NamedRef {
            id: row.unit_id,
            name: row.unit_name.clone(),
        },
        start_date: row.start_date,
        end_date: row.end_date,
        hours_per_week: row.hours_per_week,
    }
}

fn group_kind(kind: &str) -> GroupKind {
    if kind == "class" {
        GroupKind::Class
    } else {
        GroupKind::TeachingGroup
    }
}

fn unit_summary(row: &UnitRow) -> UnitSummary {
    UnitSummary {
        id: row.id,
        name: row.name.clone(),
        school_form: SchoolForm::parse(&row.school_form).unwrap_or(SchoolForm::Grundskola),
        school: NamedRef {
            id: row.school_id,
            name: row.school_name.clone(),
        },
        owner: NamedRef {
            id: row.owner_id,
            name: row.owner_name.clone(),
        },
        owner_kind: if row.owner_kind == "independent" {
            OwnerKind::Independent
        } else {
            OwnerKind::Municipal
        },
        unit_code: row.unit_code.clone(),
    }
}
