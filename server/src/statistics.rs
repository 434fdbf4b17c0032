//! Statistics (use case 2): the rate table (grundbelopp) and the resource allocation per unit
//! and month it gives the providers.

pub mod allocation;
pub mod rates;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rates::current, rates::replace))
        .routes(routes!(rates::history))
        .routes(routes!(allocation::per_month))
        .routes(routes!(allocation::children))
}
