//! Skolflyt's server: the JSON API, the store on SQLite or PostgreSQL, and the SPA's host.
//! `main.rs` only parses the command line; tests and benchmarks start [`startup::Application`]
//! on port 0 the same way.

pub mod access;
pub mod applications;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod clock;
pub mod config;
pub mod demo;
pub mod documents;
pub mod e_services;
pub mod error;
pub mod follow_ups;
pub mod jobs;
pub mod messages;
pub mod municipality;
pub mod openapi;
pub mod pagination;
pub mod placements;
pub mod register;
pub mod registry;
pub mod startup;
pub mod state;
pub mod statistics;
pub mod store;

/// mimalloc instead of the C library's allocator: a list request allocates a few thousand small
/// values (rows, strings, JSON) on two threads, and glibc's malloc and free were 14 % of the
/// server's CPU under load (docs/PERFORMANCE.md). Here, so that the tests and the benchmarks
/// run with the allocator the server runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
