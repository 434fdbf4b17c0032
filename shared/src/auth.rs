//! Login, session and the signed-in person.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Name of the header that must carry the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// What a signed-in user may act as. Derived from the register on every request, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Guardian,
    Pupil,
    Teacher,
    Principal,
    ProviderAdmin,
    CaseWorker,
    Registrar,
    Admin,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Guardian,
        Role::Pupil,
        Role::Teacher,
        Role::Principal,
        Role::ProviderAdmin,
        Role::CaseWorker,
        Role::Registrar,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guardian => "guardian",
            Role::Pupil => "pupil",
            Role::Teacher => "teacher",
            Role::Principal => "principal",
            Role::ProviderAdmin => "provider_admin",
            Role::CaseWorker => "case_worker",
            Role::Registrar => "registrar",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Sv,
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Sv => "sv",
            Locale::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "sv" => Some(Locale::Sv),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
}

/// `GET /api/me` and the login response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub person_id: Uuid,
    pub username: String,
    pub given_name: String,
    pub family_name: String,
    /// Sorted; empty for an account with no current relation in the register.
    pub roles: Vec<Role>,
    pub locale: Locale,
    /// Send back in the `x-csrf-token` header on every POST/PUT/PATCH/DELETE.
    pub csrf_token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocaleUpdate {
    pub locale: Locale,
}
