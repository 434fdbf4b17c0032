//! The start page: one section for each role the signed-in person has.

mod principal;
mod teacher;

use leptos::prelude::*;
use shared::auth::Role;

use crate::I18n;
use crate::components::use_page_title;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::pages::cases::{LeaveDecisions, Queue};
use crate::pages::pupils::PupilList;
use crate::pages::units::UnitList;
use crate::session::use_session;

/// A part of the start page; the main navigation links to each by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Children,
    MyDetails,
    Groups,
    /// Leave applications routed to a mentor or principal for decision.
    LeaveDecisions,
    School,
    ProviderUnits,
    DistributionQueue,
    AllUnits,
}

impl Section {
    fn for_role(role: Role) -> &'static [Self] {
        match role {
            Role::Guardian => &[Section::Children],
            Role::Pupil => &[Section::MyDetails],
            Role::Teacher => &[Section::Groups, Section::LeaveDecisions],
            Role::Principal => &[Section::School, Section::LeaveDecisions],
            Role::ProviderAdmin => &[Section::ProviderUnits],
            Role::CaseWorker | Role::Registrar => &[Section::DistributionQueue],
            Role::Admin => &[Section::AllUnits],
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Section::Children => "children",
            Section::MyDetails => "my-details",
            Section::Groups => "groups",
            Section::LeaveDecisions => "leave-decisions",
            Section::School => "school",
            Section::ProviderUnits => "provider-units",
            Section::DistributionQueue => "distribution-queue",
            Section::AllUnits => "all-units",
        }
    }

    pub fn title(self, i18n: I18n) -> &'static str {
        match self {
            Section::Children => t_string!(i18n, guardian.title),
            Section::MyDetails => t_string!(i18n, pupil.title),
            Section::Groups => t_string!(i18n, teacher.title),
            Section::LeaveDecisions => t_string!(i18n, leave_decisions.title),
            Section::School => t_string!(i18n, principal.title),
            Section::ProviderUnits => t_string!(i18n, provider.title),
            Section::DistributionQueue => t_string!(i18n, queue.title),
            Section::AllUnits => t_string!(i18n, admin.title),
        }
    }

    /// A page of the section's own, if it has one; the main navigation links there instead.
    pub fn page(self) -> Option<&'static str> {
        match self {
            Section::DistributionQueue => Some("/cases/queue"),
            _ => None,
        }
    }

    /// The section's content; `level` is the level of the headings inside it.
    fn body(self, i18n: I18n, level: u8) -> AnyView {
        let caption = move || self.title(i18n).to_owned();
        match self {
            // A guardian sees their children; a pupil sees only themselves.
            Section::Children => view! {
                <PupilList caption empty=move || t_string!(i18n, guardian.empty) />
            }
            .into_any(),
            Section::MyDetails => view! {
                <PupilList caption empty=move || t_string!(i18n, pupil.empty) />
            }
            .into_any(),
            Section::Groups => view! { <teacher::Groups level /> }.into_any(),
            Section::LeaveDecisions => view! { <LeaveDecisions caption /> }.into_any(),
            Section::School => view! { <principal::School level /> }.into_any(),
            // The server scopes the list: the provider's own units, or all for an admin.
            Section::ProviderUnits | Section::AllUnits => view! { <UnitList caption /> }.into_any(),
            Section::DistributionQueue => view! { <Queue level /> }.into_any(),
        }
    }
}

/// The sections for a set of roles, in the order of [`Role::ALL`], each once (case workers
/// and registrars share the queue, teachers and principals the leave to decide).
pub fn sections(roles: &[Role]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for role in Role::ALL {
        if !roles.contains(&role) {
            continue;
        }
        for &section in Section::for_role(role) {
            if !sections.contains(&section) {
                sections.push(section);
            }
        }
    }
    sections
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sections = Memo::new(move |_| {
        session
            .me()
            .map(|me| sections(&me.roles))
            .unwrap_or_default()
    });
    let given_name = Memo::new(move |_| session.me().map(|me| me.given_name).unwrap_or_default());
    let roles = Memo::new(move |_| session.me().map(|me| me.roles).unwrap_or_default());
    let role_names = move || {
        roles
            .get()
            .into_iter()
            .map(|role| labels::role(i18n, role))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // With one role the page is that role's section; with several, an overview of them.
    let heading = move || match sections.get().as_slice() {
        [only] => only.title(i18n).to_owned(),
        _ => t_string!(i18n, home.title).to_owned(),
    };
    use_page_title(heading);

    view! {
        <h1>{heading}</h1>
        <p class="lead">{move || t!(i18n, home.greeting, name = move || given_name.get())}</p>
        <Show when=move || !roles.read().is_empty()>
            <p class="meta">{t!(i18n, home.roles)}": "{role_names}</p>
        </Show>
        {move || match sections.get().as_slice() {
            [] => view! { <p>{t!(i18n, home.no_roles)}</p> }.into_any(),
            [only] => {
                view! {
                    <div class="home-section" id=only.id()>
                        {only.body(i18n, 2)}
                    </div>
                }
                    .into_any()
            }
            several => {
                several
                    .iter()
                    .map(|&section| {
                        view! {
                            <section class="home-section" id=section.id()>
                                <h2>{move || section.title(i18n)}</h2>
                                {section.body(i18n, 3)}
                            </section>
                        }
                    })
                    .collect_view()
                    .into_any()
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_gets_its_sections_in_a_fixed_order() {
        assert_eq!(
            sections(&[Role::Teacher, Role::Guardian]),
            [Section::Children, Section::Groups, Section::LeaveDecisions]
        );
    }

    #[test]
    fn teachers_and_principals_share_the_leave_to_decide() {
        assert_eq!(
            sections(&[Role::Teacher, Role::Principal]),
            [Section::Groups, Section::LeaveDecisions, Section::School]
        );
    }

    #[test]
    fn case_workers_and_registrars_share_one_queue() {
        assert_eq!(
            sections(&[Role::CaseWorker, Role::Registrar]),
            [Section::DistributionQueue]
        );
    }

    #[test]
    fn no_roles_means_no_sections() {
        assert!(sections(&[]).is_empty());
    }
}
