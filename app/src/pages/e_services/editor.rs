//! The e-service editor (administrators): the list of every e-service with its state, and one
//! e-service's draft — its texts, who may use it, what a submission becomes, its steps and
//! questions — beside a live preview on a phone-sized frame. Saving checks the draft with the
//! very `EServiceDefinition::check` the server runs; publishing makes the draft the next
//! version applicants see. Every definition is also JSON through the API
//! (`GET`/`PUT /api/e-services/{code}/draft`), so a municipality can keep them in version
//! control.

mod draft;
mod inputs;
mod messages;
mod preview;
mod steps;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::api::FieldError;
use shared::e_services::{
    AssignTo, CaseTypeInfo, EServiceDefinition, EServiceDraft, EServiceOverview, IntakeMode,
    Signing, WhoMayApply,
};
use shared::follow_ups::Team;
use shared::register::UnitSummary;

use self::draft::{Draft, Problems, blank};
use self::inputs::{NamesInput, ProblemAt, TextInput};
use self::messages::message;
use self::preview::Preview;
use self::steps::{StepsEditor, request_focus};
use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{DataTable, ErrorAlert, Loading, focus_element, use_page_title};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

/// The address of the editor's list, and of one e-service in it.
pub const LIST: &str = "/admin/e-services";

fn editor_path(code: &str) -> String {
    format!("{LIST}/{code}")
}

/// `/admin/e-services`.
#[component]
pub fn EServiceEditorListPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, e_service_editor.title).to_owned());
    let services = LocalResource::new(api::e_services::overview);
    view! {
        <h1>{t!(i18n, e_service_editor.title)}</h1>
        <p class="lead">{t!(i18n, e_service_editor.intro)}</p>
        <p>
            <A href=editor_path("new") attr:class="button">
                {t!(i18n, e_service_editor.new)}
            </A>
        </p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match services.await {
                    Ok(services) if services.is_empty() => {
                        view! { <p class="empty-state">{t!(i18n, e_service_editor.empty)}</p> }
                            .into_any()
                    }
                    Ok(services) => view! { <OverviewTable services /> }.into_any(),
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OverviewTable(services: Vec<EServiceOverview>) -> impl IntoView {
    let i18n = use_i18n();
    let caption = Signal::derive(move || t_string!(i18n, e_service_editor.title).to_owned());
    let rows = services
        .into_iter()
        .map(|service| {
            let title = service.title.clone();
            let intake_mode = service.intake_mode;
            let code = service.code.clone();
            let updated = format::date_time(service.updated_at);
            let state = move || state_text(i18n, &service);
            view! {
                <tr>
                    <th scope="row">
                        <A href=editor_path(&code)>{move || labels::names(i18n, &title)}</A>
                    </th>
                    <td><code>{code.clone()}</code></td>
                    <td>{state}</td>
                    <td>{move || intake_name(i18n, intake_mode)}</td>
                    <td>{updated}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, e_service_editor.column.title)}</th>
                    <th scope="col">{t!(i18n, e_service_editor.column.code)}</th>
                    <th scope="col">{t!(i18n, e_service_editor.column.state)}</th>
                    <th scope="col">{t!(i18n, e_service_editor.column.intake)}</th>
                    <th scope="col">{t!(i18n, e_service_editor.column.updated)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </DataTable>
    }
}

fn state_text(i18n: I18n, service: &EServiceOverview) -> String {
    match (service.published_version, service.unpublished_changes) {
        (None, _) => t_string!(i18n, e_service_editor.state.unpublished).to_owned(),
        (Some(version), changed) => {
            let published = format::fill(
                t_string!(i18n, e_service_editor.state.published),
                &[("version", &version.to_string())],
            );
            if changed {
                format!(
                    "{published}, {}",
                    t_string!(i18n, e_service_editor.state.changed)
                )
            } else {
                published
            }
        }
    }
}

fn intake_name(i18n: I18n, mode: IntakeMode) -> &'static str {
    match mode {
        IntakeMode::NewCase => t_string!(i18n, e_service_editor.intake.new_case),
        IntakeMode::ExistingCase => t_string!(i18n, e_service_editor.intake.existing_case),
        IntakeMode::Assignment => t_string!(i18n, e_service_editor.intake.assignment),
    }
}

fn who_name(i18n: I18n, who: WhoMayApply) -> &'static str {
    match who {
        WhoMayApply::Guardian => t_string!(i18n, e_service_editor.who.guardian),
        WhoMayApply::AdultStudent => t_string!(i18n, e_service_editor.who.adult_student),
        WhoMayApply::Pupil => t_string!(i18n, e_service_editor.who.pupil),
        WhoMayApply::AnyoneLoggedIn => t_string!(i18n, e_service_editor.who.anyone),
    }
}

/// What the editor needs: the draft (none for a new e-service), and the choices its intake
/// offers.
#[derive(Debug, Clone)]
struct Loaded {
    draft: Option<EServiceDraft>,
    case_types: Vec<CaseTypeInfo>,
    teams: Vec<Team>,
    units: Vec<UnitSummary>,
}

async fn load(code: String) -> Result<Loaded, ApiError> {
    let draft = if code == "new" {
        None
    } else {
        Some(api::e_services::draft(&code).await?)
    };
    Ok(Loaded {
        draft,
        case_types: api::cases::case_types().await?,
        // Only staff see teams; an administrator without a duty picks none.
        teams: api::follow_ups::teams().await.unwrap_or_default(),
        units: api::register::units(None)
            .await
            .map(|page| page.items)
            .unwrap_or_default(),
    })
}

/// `/admin/e-services/:code` (`new` for a new one).
#[component]
pub fn EServiceEditorPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = Memo::new(move |_| params.read().get("code").unwrap_or_default());
    let loaded = LocalResource::new(move || load(code.get()));
    let title = move || {
        if code.get() == "new" {
            t_string!(i18n, e_service_editor.new).to_owned()
        } else {
            format::fill(
                t_string!(i18n, e_service_editor.edit_title),
                &[("code", &code.get())],
            )
        }
    };
    use_page_title(title);
    // Kept here, so that "published" is still said after a new e-service moves to its address.
    let outcome = RwSignal::new(None::<Outcome>);
    view! {
        <p class="breadcrumb">
            <A href=LIST>{t!(i18n, e_service_editor.back)}</A>
        </p>
        <h1>{title}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(loaded) => {
                        view! { <Editor code=code.get_untracked() loaded outcome /> }.into_any()
                    }
                    Err(error) if error.is_not_found() => {
                        view! { <p class="notice">{t!(i18n, e_service_editor.not_found)}</p> }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the last save, publication or copy came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Saved,
    Published(i32),
    Unpublished,
}

#[component]
fn Editor(code: String, loaded: Loaded, outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let is_new = code == "new";
    let Loaded {
        draft: saved,
        case_types,
        teams,
        units,
    } = loaded;
    let published_version = RwSignal::new(saved.as_ref().and_then(|d| d.published_version));
    let definition = saved.map(|d| d.definition).unwrap_or_else(blank);
    let draft = Draft::new(definition);
    let new_code = RwSignal::new(if is_new { String::new() } else { code.clone() });
    let problems = Problems::new();
    let attempted = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let live = Memo::new(move |_| draft.definition());

    // After a failed save, the problems follow the edits.
    Effect::new(move |_| {
        let definition = with_code(live.get(), &new_code.get());
        if attempted.get() {
            problems.show(&draft, definition.check().err().unwrap_or_default());
        }
    });

    let save = Action::new_local(move |(csrf_token, publish): &(String, bool)| {
        let (csrf_token, publish) = (csrf_token.clone(), *publish);
        let navigate = navigate.clone();
        async move {
            let code = new_code.get_untracked();
            let definition = with_code(draft.definition_untracked(), &code);
            if let Err(errors) = definition.check() {
                attempted.set(true);
                problems.show(&draft, errors);
                request_focus("ed-summary".to_owned());
                return;
            }
            problems.clear();
            failure.set(None);
            let result = async {
                api::e_services::save_draft(&csrf_token, &code, &definition).await?;
                if publish {
                    let published = api::e_services::publish(&csrf_token, &code).await?;
                    return Ok::<_, ApiError>(Outcome::Published(published.version));
                }
                Ok(Outcome::Saved)
            }
            .await;
            match result {
                Ok(done) => {
                    if let Outcome::Published(version) = done {
                        published_version.set(Some(version));
                    }
                    outcome.set(Some(done));
                    if is_new {
                        navigate(
                            &editor_path(&code),
                            NavigateOptions {
                                replace: true,
                                ..Default::default()
                            },
                        );
                    }
                }
                Err(error) if error.status == 422 && !error.error.fields.is_empty() => {
                    attempted.set(false);
                    problems.show(&draft, error.error.fields);
                    request_focus("ed-summary".to_owned());
                }
                Err(error) => failure.set(Some(error)),
            }
        }
    });
    let unpublish = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        async move {
            match api::e_services::unpublish(&csrf_token, &new_code.get_untracked()).await {
                Ok(()) => {
                    published_version.set(None);
                    outcome.set(Some(Outcome::Unpublished));
                }
                Err(error) => failure.set(Some(error)),
            }
        }
    });
    let dispatch = move |publish: bool| {
        if let Some(csrf_token) = session.csrf_token() {
            outcome.set(None);
            save.dispatch((csrf_token, publish));
        }
    };
    let pending = save.pending();
    let status = move || {
        outcome.get().map(|outcome| match outcome {
            Outcome::Saved => t_string!(i18n, e_service_editor.saved).to_owned(),
            Outcome::Published(version) => format::fill(
                t_string!(i18n, e_service_editor.published),
                &[("version", &version.to_string())],
            ),
            Outcome::Unpublished => t_string!(i18n, e_service_editor.unpublished).to_owned(),
        })
    };
    let published_text = move || match published_version.get() {
        Some(version) => format::fill(
            t_string!(i18n, e_service_editor.state.published),
            &[("version", &version.to_string())],
        ),
        None => t_string!(i18n, e_service_editor.state.unpublished).to_owned(),
    };
    let code_for_links = code.clone();

    view! {
        <div class="editor-layout">
            <div class="editor-main">
            <form class="editor-form" on:submit=move |ev| {
                ev.prevent_default();
                dispatch(false);
            }>
                <Summary problems />
                <p class="editor-state">{published_text}</p>
                {is_new.then(|| view! {
                    <TextInput
                        problems
                        id="ed-code".to_owned()
                        label=t_string!(i18n, e_service_editor.code).to_owned()
                        hint=t_string!(i18n, e_service_editor.code_hint).to_owned()
                        value=String::new()
                        on_change=move |code| new_code.set(code.trim().to_owned())
                    />
                })}
                <HeadEditor draft problems case_types teams />
                <StepsEditor draft problems />
                {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
                <p class="status-message" role="status">{status}</p>
                <div class="button-row editor-actions">
                    <button type="submit" class="button" disabled=pending>
                        {t!(i18n, e_service_editor.save)}
                    </button>
                    <button
                        type="button"
                        class="button secondary"
                        disabled=pending
                        on:click=move |_| dispatch(true)
                    >
                        {t!(i18n, e_service_editor.publish)}
                    </button>
                    {move || published_version.get().is_some().then(|| view! {
                        <button
                            type="button"
                            class="button secondary"
                            on:click=move |_| {
                                if let Some(csrf_token) = session.csrf_token() {
                                    unpublish.dispatch(csrf_token);
                                }
                            }
                        >
                            {t!(i18n, e_service_editor.unpublish)}
                        </button>
                    })}
                </div>
            </form>
            {(!is_new).then(|| view! {
                <p>
                    <a href=format!("/api/e-services/{code_for_links}/draft") download=format!("{code_for_links}.json")>
                        {t!(i18n, e_service_editor.json)}
                    </a>
                </p>
                <CopyForm draft />
            })}
            </div>
            <Preview definition=live units />
        </div>
    }
}

/// The definition with the code the administrator gave (a new one) and a version `check`
/// accepts (the server numbers versions itself).
fn with_code(mut definition: EServiceDefinition, code: &str) -> EServiceDefinition {
    definition.code = code.to_owned();
    definition.version = definition.version.max(1);
    definition
}

/// "Det finns fel i e-tjänsten": every problem, each linking to its input.
#[component]
fn Summary(problems: Problems) -> impl IntoView {
    let i18n = use_i18n();
    let items = move || {
        problems
            .all()
            .into_iter()
            .map(|placed| {
                let text = message(i18n, &placed.error);
                let anchor = placed.anchor.clone();
                let href = format!("#{anchor}");
                view! {
                    <li>
                        <a
                            href=href
                            on:click=move |ev| {
                                ev.prevent_default();
                                focus_element(&anchor);
                            }
                        >
                            {where_label(i18n, &placed.error)}
                            {text}
                        </a>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div
            class="alert error-summary"
            role="alert"
            tabindex="-1"
            id="ed-summary"
            hidden=move || problems.is_empty()
        >
            <p class="alert-title">{t!(i18n, e_service_editor.summary_title)}</p>
            <ul>{items}</ul>
        </div>
    }
}

/// "Steg 2, fråga 3: " before a problem inside a step.
fn where_label(i18n: I18n, error: &FieldError) -> String {
    let number = |after: &str| -> Option<usize> {
        let rest = error.field.split(after).nth(1)?;
        rest.split(']').next()?.parse::<usize>().ok().map(|n| n + 1)
    };
    match (number("steps["), number("fields[")) {
        (Some(step), Some(field)) => format::fill(
            t_string!(i18n, e_service_editor.where_field),
            &[("step", &step.to_string()), ("number", &field.to_string())],
        ),
        (Some(step), None) => format::fill(
            t_string!(i18n, e_service_editor.where_step),
            &[("step", &step.to_string())],
        ),
        _ => String::new(),
    }
}

/// The e-service's own texts, who may use it and what a submission becomes.
#[component]
fn HeadEditor(
    draft: Draft,
    problems: Problems,
    case_types: Vec<CaseTypeInfo>,
    teams: Vec<Team>,
) -> impl IntoView {
    let i18n = use_i18n();
    let head = draft.head.get_untracked();
    let mode = Memo::new(move |_| draft.head.with(|h| h.intake.mode));
    let case_type = Memo::new(move |_| draft.head.with(|h| h.intake.case_type.clone()));
    let case_types = StoredValue::new(case_types);
    let teams = StoredValue::new(teams);
    let select_value = |ev: &leptos::ev::Event| {
        let value = event_target_value(ev);
        (!value.is_empty()).then_some(value)
    };
    let document_types = move || {
        let chosen = case_type.get();
        case_types.with_value(|types| {
            types
                .iter()
                .find(|t| Some(&t.code) == chosen.as_ref())
                .map(|t| t.document_types.clone())
                .unwrap_or_default()
        })
    };
    let current_team = head.intake.assign_to.as_ref().and_then(|a| a.team_id);
    let current_case_type = head.intake.case_type.clone();
    view! {
        <h2>{t!(i18n, e_service_editor.about)}</h2>
        <NamesInput
            problems
            id="ed-title".to_owned()
            label=t_string!(i18n, e_service_editor.service_title).to_owned()
            value=head.title.clone()
            on_change=move |title| draft.head.update(|h| h.title = title)
        />
        <NamesInput
            problems
            id="ed-description".to_owned()
            label=t_string!(i18n, e_service_editor.description).to_owned()
            value=head.description.clone()
            multiline=true
            on_change=move |description| draft.head.update(|h| h.description = description)
        />
        <div class="field-row">
            <div class="field">
                <label for="ed-who_may_apply">{t!(i18n, e_service_editor.who_may_apply)}</label>
                <select
                    id="ed-who_may_apply"
                    on:change=move |ev| {
                        let who = serde_json::from_value(serde_json::Value::String(event_target_value(&ev)));
                        if let Ok(who) = who {
                            draft.head.update(|h| h.who_may_apply = who);
                        }
                    }
                >
                    {[WhoMayApply::Guardian, WhoMayApply::AdultStudent, WhoMayApply::Pupil, WhoMayApply::AnyoneLoggedIn]
                        .into_iter()
                        .map(|who| view! {
                            <option value=code_of(&who) selected=head.who_may_apply == who>
                                {move || who_name(i18n, who)}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="ed-signing">{t!(i18n, e_service_editor.signing)}</label>
                <ProblemAt problems anchor="ed-signing".to_owned() />
                <select
                    id="ed-signing"
                    on:change=move |ev| {
                        let signing = if event_target_value(&ev) == "all_guardians" {
                            Signing::AllGuardians
                        } else {
                            Signing::OneGuardian
                        };
                        draft.head.update(|h| h.signing = signing);
                    }
                >
                    <option value="one_guardian" selected=head.signing == Signing::OneGuardian>
                        {t!(i18n, e_service_editor.signing_one)}
                    </option>
                    <option value="all_guardians" selected=head.signing == Signing::AllGuardians>
                        {t!(i18n, e_service_editor.signing_all)}
                    </option>
                </select>
            </div>
        </div>
        <h2>{t!(i18n, e_service_editor.intake_heading)}</h2>
        <fieldset>
            <legend>{t!(i18n, e_service_editor.intake_mode)}</legend>
            {[IntakeMode::NewCase, IntakeMode::ExistingCase, IntakeMode::Assignment]
                .into_iter()
                .map(|m| {
                    let id = format!("ed-intake-mode-{}", code_of(&m));
                    view! {
                        <div class="choice">
                            <input
                                type="radio"
                                name="ed-intake-mode"
                                id=id.clone()
                                prop:checked=head.intake.mode == m
                                on:change=move |_| draft.head.update(|h| h.intake.mode = m)
                            />
                            <label for=id>{move || intake_name(i18n, m)}</label>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
        <div class="field-row">
            <div class="field">
                <label for="ed-intake-case_type">{t!(i18n, e_service_editor.case_type)}</label>
                <ProblemAt problems anchor="ed-intake-case_type".to_owned() />
                <select
                    id="ed-intake-case_type"
                    aria-invalid=move || problems.at("ed-intake-case_type").is_some().then_some("true")
                    on:change=move |ev| {
                        let value = select_value(&ev);
                        draft.head.update(|h| {
                            h.intake.case_type = value;
                            h.intake.document_type = None;
                        });
                    }
                >
                    <option value="" selected=current_case_type.is_none()>
                        {move || match mode.get() {
                            IntakeMode::NewCase => t_string!(i18n, e_service_editor.choose),
                            _ => t_string!(i18n, e_service_editor.none),
                        }}
                    </option>
                    {case_types
                        .get_value()
                        .into_iter()
                        .map(|t| {
                            let selected = current_case_type.as_deref() == Some(t.code.as_str());
                            view! {
                                <option value=t.code.clone() selected=selected>
                                    {move || labels::names(i18n, &t.name)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="ed-intake-document_type">{t!(i18n, e_service_editor.document_type)}</label>
                <ProblemAt problems anchor="ed-intake-document_type".to_owned() />
                <select
                    id="ed-intake-document_type"
                    on:change=move |ev| {
                        let value = select_value(&ev);
                        draft.head.update(|h| h.intake.document_type = value);
                    }
                >
                    <option value="">{t!(i18n, e_service_editor.document_type_default)}</option>
                    {move || {
                        let current = draft.head.with_untracked(|h| h.intake.document_type.clone());
                        document_types()
                            .into_iter()
                            .map(|d| {
                                let selected = current.as_deref() == Some(d.code.as_str());
                                let name = d.name.clone();
                                view! {
                                    <option value=d.code.clone() selected=selected>
                                        {move || labels::names(i18n, &name)}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
        </div>
        <div class="field">
            <label for="ed-intake-assign_to">{t!(i18n, e_service_editor.assign_to)}</label>
            <p class="hint" id="ed-intake-assign_to-hint">{t!(i18n, e_service_editor.assign_to_hint)}</p>
            <ProblemAt problems anchor="ed-intake-assign_to".to_owned() />
            <select
                id="ed-intake-assign_to"
                aria-describedby="ed-intake-assign_to-hint"
                aria-invalid=move || problems.at("ed-intake-assign_to").is_some().then_some("true")
                on:change=move |ev| {
                    let team = select_value(&ev).and_then(|id| id.parse().ok());
                    draft.head.update(|h| {
                        let persons = h.intake.assign_to.as_ref().and_then(|a| a.person_ids.clone());
                        h.intake.assign_to = (team.is_some() || persons.is_some()).then_some(AssignTo {
                            team_id: team,
                            person_ids: persons,
                        });
                    });
                }
            >
                <option value="" selected=current_team.is_none()>{t!(i18n, e_service_editor.none)}</option>
                {teams
                    .get_value()
                    .into_iter()
                    .map(|team| view! {
                        <option value=team.id.to_string() selected=current_team == Some(team.id)>
                            {team.name.clone()}
                        </option>
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The serde name of a unit enum value (`new_case`, `adult_student` …).
fn code_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// "Kopiera till en ny e-tjänst": the draft as it is now, under a new code.
#[component]
fn CopyForm(draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let target = RwSignal::new(String::new());
    let problems = Problems::new();
    let failure = RwSignal::new(None::<ApiError>);
    let copy = Action::new_local(move |csrf_token: &String| {
        let csrf_token = csrf_token.clone();
        let navigate = navigate.clone();
        async move {
            let code = target.get_untracked();
            let definition = with_code(draft.definition_untracked(), &code);
            if let Err(errors) = definition.check() {
                let on_code: Vec<FieldError> =
                    errors.into_iter().filter(|e| e.field == "code").collect();
                if !on_code.is_empty() {
                    problems.show(&draft, on_code);
                    request_focus("ed-copy-code".to_owned());
                    return;
                }
            }
            problems.clear();
            match api::e_services::save_draft(&csrf_token, &code, &definition).await {
                Ok(_) => navigate(&editor_path(&code), Default::default()),
                Err(error) => failure.set(Some(error)),
            }
        }
    });
    view! {
        <details class="editor-copy">
            <summary>{t!(i18n, e_service_editor.copy)}</summary>
            <div class="field">
                <label for="ed-copy-code">{t!(i18n, e_service_editor.copy_code)}</label>
                <p class="hint" id="ed-copy-code-hint">{t!(i18n, e_service_editor.code_hint)}</p>
                <ProblemAt problems anchor="ed-code".to_owned() />
                <input
                    type="text"
                    id="ed-copy-code"
                    autocomplete="off"
                    aria-describedby="ed-copy-code-hint"
                    on:input=move |ev| target.set(event_target_value(&ev).trim().to_owned())
                />
            </div>
            {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
            <button
                type="button"
                class="button secondary"
                on:click=move |_| {
                    if let Some(csrf_token) = session.csrf_token() {
                        copy.dispatch(csrf_token);
                    }
                }
            >
                {t!(i18n, e_service_editor.copy_button)}
            </button>
        </details>
    }
}
