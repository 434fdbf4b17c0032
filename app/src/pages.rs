//! One module per feature word; each page sets its title and has one `<h1>`.

pub mod applications;
mod attendance;
mod audit;
pub mod cases;
mod e_services;
pub mod follow_ups;
pub mod home;
pub mod login;
mod messages;
mod not_found;
mod operations;
mod placements;
pub mod pupils;
pub mod units;

pub use applications::{LeaveApplicationPage, MyCasePage, MyCasesPage};
pub use attendance::{
    AttendanceRulesPage, LessonRegisterPage, LessonsPage, PupilAttendancePage, SchoolCalendarPage,
};
pub use audit::AccessLogPage;
pub use cases::{CasePage, OwnCasesPage, QueuePage, SubtasksPage};
pub use e_services::{
    EServiceEditorListPage, EServiceEditorPage, EServiceRunnerPage, EServicesPage,
};
pub use follow_ups::{FollowUpPage, FollowUpsPage};
pub use home::HomePage;
pub use login::LoginPage;
pub use messages::InboxPage;
pub use not_found::NotFound;
pub use operations::OperationsPage;
pub use pupils::PupilPage;
pub use units::UnitPage;
