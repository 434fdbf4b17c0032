//! E-services defined as data: the list of published ones, and the runner that shows any
//! definition as a form of steps (`shared::e_services` holds the model and its validation).

mod editor;
mod errors;
mod fields;
mod list;
mod review;
mod runner;

pub use editor::{EServiceEditorListPage, EServiceEditorPage};
pub use list::EServicesPage;
pub use runner::EServiceRunnerPage;
