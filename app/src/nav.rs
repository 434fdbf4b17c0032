//! The main navigation: the start page's sections and the pages each role works in.

use shared::auth::Role;

use crate::I18n;
use crate::i18n::t_string;
use crate::pages::home::{Section, sections};

/// A page of its own in the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// "Lektioner": the day's lessons and their registers (teachers, principals).
    Lessons,
    /// The leave e-service (guardians, pupils).
    ApplyForLeave,
    /// "E-tjänster": the published e-services (everyone signed in; each e-service says whom
    /// it is for).
    EServices,
    /// "Mina ärenden": what I applied for.
    MyApplications,
    /// "Mina ärenden": the cases I own as a case worker.
    MyCases,
    /// The same page for someone who also applies; two links with one name would mislead.
    HandledCases,
    /// "Mina deluppgifter".
    Subtasks,
    /// "Uppföljning": exceptions, tasks and notifications.
    FollowUps,
    /// "Bygg e-tjänster": the e-service editor (administrators).
    EServiceEditor,
    /// "Frånvaroregler": the rules for following up absence (administrators).
    AttendanceRules,
    /// "Skolkalender": terms, breaks and holidays (administrators).
    SchoolCalendar,
    /// "Drift": schedules and the job queue (administrators).
    Operations,
    Inbox,
}

impl Page {
    pub fn href(self) -> &'static str {
        match self {
            Page::Lessons => "/lessons",
            Page::ApplyForLeave => "/leave/new",
            Page::EServices => "/e-services",
            Page::MyApplications => "/my/cases",
            Page::MyCases | Page::HandledCases => "/cases",
            Page::Subtasks => "/subtasks",
            Page::FollowUps => "/follow-ups",
            Page::EServiceEditor => "/admin/e-services",
            Page::AttendanceRules => "/admin/attendance-rules",
            Page::SchoolCalendar => "/admin/calendar",
            Page::Operations => "/operations",
            Page::Inbox => "/inbox",
        }
    }

    pub fn title(self, i18n: I18n) -> &'static str {
        match self {
            Page::Lessons => t_string!(i18n, attendance.lessons_title),
            Page::ApplyForLeave => t_string!(i18n, leave.title),
            Page::EServices => t_string!(i18n, e_services.title),
            Page::MyApplications => t_string!(i18n, my_cases.title),
            Page::MyCases => t_string!(i18n, cases.mine_title),
            Page::HandledCases => t_string!(i18n, cases.handled_title),
            Page::Subtasks => t_string!(i18n, subtasks.title),
            Page::FollowUps => t_string!(i18n, follow_ups.title),
            Page::EServiceEditor => t_string!(i18n, e_service_editor.title),
            Page::AttendanceRules => t_string!(i18n, attendance_rules.title),
            Page::SchoolCalendar => t_string!(i18n, calendar.title),
            Page::Operations => t_string!(i18n, operations.title),
            Page::Inbox => t_string!(i18n, inbox.title),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavLink {
    /// A part of the start page, or the page it has of its own.
    Section(Section),
    Page(Page),
}

fn any_of(roles: &[Role], wanted: &[Role]) -> bool {
    wanted.iter().any(|role| roles.contains(role))
}

/// What the main navigation offers after "Start", in a fixed order.
pub fn links(roles: &[Role]) -> Vec<NavLink> {
    let applicant = any_of(roles, &[Role::Guardian, Role::Pupil]);
    let case_office = any_of(roles, &[Role::CaseWorker, Role::Registrar]);
    let staff = any_of(
        roles,
        &[
            Role::Teacher,
            Role::Principal,
            Role::ProviderAdmin,
            Role::CaseWorker,
            Role::Registrar,
            Role::Admin,
        ],
    );
    let mut links: Vec<NavLink> = sections(roles).into_iter().map(NavLink::Section).collect();
    if any_of(roles, &[Role::Teacher, Role::Principal]) {
        links.push(NavLink::Page(Page::Lessons));
    }
    if applicant {
        links.push(NavLink::Page(Page::ApplyForLeave));
    }
    links.push(NavLink::Page(Page::EServices));
    if applicant {
        links.push(NavLink::Page(Page::MyApplications));
    }
    if case_office {
        links.push(NavLink::Page(if applicant {
            Page::HandledCases
        } else {
            Page::MyCases
        }));
    }
    if staff {
        links.push(NavLink::Page(Page::Subtasks));
        links.push(NavLink::Page(Page::FollowUps));
    }
    if roles.contains(&Role::Admin) {
        links.push(NavLink::Page(Page::EServiceEditor));
        links.push(NavLink::Page(Page::AttendanceRules));
        links.push(NavLink::Page(Page::SchoolCalendar));
        links.push(NavLink::Page(Page::Operations));
    }
    links.push(NavLink::Page(Page::Inbox));
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guardians_apply_follow_their_cases_and_read_messages() {
        assert_eq!(
            links(&[Role::Guardian]),
            [
                NavLink::Section(Section::Children),
                NavLink::Page(Page::ApplyForLeave),
                NavLink::Page(Page::EServices),
                NavLink::Page(Page::MyApplications),
                NavLink::Page(Page::Inbox),
            ]
        );
    }

    #[test]
    fn case_workers_distribute_handle_and_solve_subtasks() {
        assert_eq!(
            links(&[Role::CaseWorker]),
            [
                NavLink::Section(Section::DistributionQueue),
                NavLink::Page(Page::EServices),
                NavLink::Page(Page::MyCases),
                NavLink::Page(Page::Subtasks),
                NavLink::Page(Page::FollowUps),
                NavLink::Page(Page::Inbox),
            ]
        );
    }

    #[test]
    fn teachers_decide_leave_from_the_start_page() {
        assert_eq!(
            links(&[Role::Teacher]),
            [
                NavLink::Section(Section::Groups),
                NavLink::Section(Section::LeaveDecisions),
                NavLink::Page(Page::Lessons),
                NavLink::Page(Page::EServices),
                NavLink::Page(Page::Subtasks),
                NavLink::Page(Page::FollowUps),
                NavLink::Page(Page::Inbox),
            ]
        );
    }

    #[test]
    fn a_case_worker_who_is_also_a_guardian_gets_two_distinct_case_links() {
        let links = links(&[Role::Guardian, Role::CaseWorker]);
        assert!(links.contains(&NavLink::Page(Page::MyApplications)));
        assert!(links.contains(&NavLink::Page(Page::HandledCases)));
        assert!(!links.contains(&NavLink::Page(Page::MyCases)));
    }

    #[test]
    fn only_administrators_see_operations() {
        assert!(links(&[Role::Admin]).contains(&NavLink::Page(Page::Operations)));
        assert!(links(&[Role::Admin]).contains(&NavLink::Page(Page::EServiceEditor)));
        assert!(links(&[Role::Admin]).contains(&NavLink::Page(Page::SchoolCalendar)));
        assert!(!links(&[Role::Principal]).contains(&NavLink::Page(Page::SchoolCalendar)));
        assert!(!links(&[Role::CaseWorker]).contains(&NavLink::Page(Page::EServiceEditor)));
        assert!(!links(&[Role::CaseWorker]).contains(&NavLink::Page(Page::Operations)));
        assert!(!links(&[Role::Guardian]).contains(&NavLink::Page(Page::FollowUps)));
    }

    #[test]
    fn teachers_and_principals_take_registers_guardians_do_not() {
        assert!(links(&[Role::Principal]).contains(&NavLink::Page(Page::Lessons)));
        assert!(!links(&[Role::Guardian]).contains(&NavLink::Page(Page::Lessons)));
    }

    #[test]
    fn everyone_has_e_services_and_an_inbox() {
        assert_eq!(
            links(&[]),
            [NavLink::Page(Page::EServices), NavLink::Page(Page::Inbox)]
        );
    }
}
