//! Skolflyt's server: the JSON API, the store on SQLite or PostgreSQL, and the SPA's host.
//! `main.rs` only parses the command line; tests and benchmarks start [`startup::Application`]
//! on port 0 the same way.

pub mod applications;
pub mod auth;
pub mod cases;
pub mod clock;
pub mod config;
pub mod demo;
pub mod documents;
pub mod error;
pub mod follow_ups;
pub mod jobs;
pub mod messages;
pub mod openapi;
pub mod register;
pub mod startup;
pub mod store;
