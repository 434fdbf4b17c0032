//! One module per feature word; each page sets its title and has one `<h1>`.

pub mod home;
mod login;
mod not_found;
mod placements;
pub mod pupils;
pub mod units;

pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use pupils::PupilPage;
pub use units::UnitPage;
