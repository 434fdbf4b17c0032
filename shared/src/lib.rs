//! Types that cross the wire between the Skolflyt server and SPA, and the domain newtypes
//! both sides parse with.

pub mod api;
pub mod applications;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod e_services;
pub mod follow_ups;
pub mod jobs;
pub mod messages;
pub mod personal_number;
pub mod placements;
pub mod register;
pub mod statistics;
pub mod text;

pub use personal_number::PersonalNumber;
