//! Attendance: a teacher's lessons of a day, a lesson's register grid, a pupil's week, and the
//! school calendar and absence rules administrators keep.

mod calendar;
mod lessons;
mod register;
mod report;
mod rules;
mod unregistered;
mod week;

pub use calendar::SchoolCalendarPage;
pub use lessons::LessonsPage;
pub use register::LessonRegisterPage;
pub use rules::AttendanceRulesPage;
pub use unregistered::UnregisteredLessons;
pub use week::PupilAttendancePage;

use chrono::{DateTime, FixedOffset, NaiveDate};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::attendance::{AbsenceReason, Lesson, RegisterState};

use crate::I18n;
use crate::i18n::{Locale, t_string};

/// A lesson's register state in words: not taken, taken, or changed after it was taken.
pub fn register_state(i18n: I18n, lesson: &Lesson) -> &'static str {
    match (lesson.register, lesson.changed) {
        (RegisterState::NotTaken, _) => t_string!(i18n, attendance.state.not_taken),
        (RegisterState::Taken, false) => t_string!(i18n, attendance.state.taken),
        (RegisterState::Taken, true) => t_string!(i18n, attendance.state.changed),
    }
}

/// "08:10–09:00" in the lesson's own (Swedish) time.
pub fn lesson_time(lesson: &Lesson) -> String {
    format!("{}–{}", clock(lesson.starts_at), clock(lesson.ends_at))
}

fn clock(at: DateTime<FixedOffset>) -> String {
    at.format("%H:%M").to_string()
}

/// A reason for absence by its code, in the current language; the register's list names it,
/// and a code missing from the list shows as it is.
pub fn reason_name(i18n: I18n, reasons: &[AbsenceReason], code: &str) -> String {
    match reasons.iter().find(|reason| reason.code == code) {
        Some(reason) => match i18n.get_locale() {
            Locale::sv => reason.name_sv.clone(),
            Locale::en => reason.name_en.clone(),
        },
        None => code.to_owned(),
    }
}

/// The weekday's name, Monday first.
pub fn weekday_name(i18n: I18n, day: NaiveDate) -> &'static str {
    use chrono::Datelike;
    match day.weekday() {
        chrono::Weekday::Mon => t_string!(i18n, attendance.weekday.mon),
        chrono::Weekday::Tue => t_string!(i18n, attendance.weekday.tue),
        chrono::Weekday::Wed => t_string!(i18n, attendance.weekday.wed),
        chrono::Weekday::Thu => t_string!(i18n, attendance.weekday.thu),
        chrono::Weekday::Fri => t_string!(i18n, attendance.weekday.fri),
        chrono::Weekday::Sat => t_string!(i18n, attendance.weekday.sat),
        chrono::Weekday::Sun => t_string!(i18n, attendance.weekday.sun),
    }
}

/// A date from the page's query (`?date=` or `?week=`), or `fallback` when it has none or it
/// does not parse.
pub fn use_query_date(name: &'static str, fallback: fn() -> NaiveDate) -> Memo<NaiveDate> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get(name)
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(fallback)
    })
}
