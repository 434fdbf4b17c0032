//! Black-box API tests: each starts the real app on port 0 with a fresh database, filled with a
//! small demo municipality, and talks HTTP to it. Every test runs on SQLite and on PostgreSQL
//! (`SKOLFLYT_TEST_POSTGRES_URL`, see `helpers::Backend`).

mod helpers;

mod access;
mod applications;
mod attendance;
mod auth;
mod calendar;
mod cases;
mod e_services;
mod follow_ups;
mod handover;
mod headers;
mod ike;
mod jobs;
mod messages;
mod placements;
mod register;
mod smtp_sink;
mod store;
mod uploads;
