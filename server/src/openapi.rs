//! The OpenAPI document's frame; each feature's routes add their own paths and schemas.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Skolflyt API",
        description = "JSON API of Skolflyt. Conventions (errors, pagination, dates): docs/API.md. \
                       State-changing requests need the session's CSRF token in `x-csrf-token`."
    ),
    tags(
        (name = "auth", description = "Sign-in, session and the signed-in person"),
        (name = "register", description = "Pupils, units and groups within the reader's reach"),
        (name = "cases", description = "Case handling: distribution, owners, subtasks, decisions, documents"),
        (name = "applications", description = "E-services, My cases and the inbox"),
        (name = "attendance", description = "Lessons, the register per lesson, reopenings and a pupil's attendance"),
        (name = "audit", description = "The access log as the people in it see it (GDPR art. 15)"),
        (name = "follow_ups", description = "Exceptions, tasks and notifications; teams"),
        (name = "placements", description = "Providers' placement reports and the placements at a unit as of a day"),
        (name = "statistics", description = "The rate table and the resource allocation per unit and month"),
        (name = "jobs", description = "Automation for operators: schedules and the job queue"),
    ),
    // Query parameters' enums, which `IntoParams` refers to but does not register.
    components(schemas(crate::cases::ListView, crate::follow_ups::DashboardView))
)]
pub struct ApiDoc;
