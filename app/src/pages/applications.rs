//! E-services and "Mina ärenden": applying for leave, following one's cases, a pupil's leave.

mod leave;
mod my_cases;

pub use leave::{LeaveApplicationPage, LeaveHistory};
pub use my_cases::{MyCasePage, MyCasesPage};
