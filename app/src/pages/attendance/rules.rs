//! `/admin/attendance-rules`: the municipality's rules for following up absence, each on or
//! off with its threshold and its window of school days (administrators).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::FieldError;
use shared::attendance::{
    AttendanceRule, AttendanceRuleInput, RULE_WINDOW_DAYS, rule_threshold_bounds,
};

use crate::I18n;
use crate::api::{self, ApiError};
use crate::components::{
    ErrorAlert, ErrorSummary, FieldErrors, FieldMessage, Loading, use_page_title,
};
use crate::format;
use crate::i18n::{t, t_string, use_i18n};
use crate::labels;
use crate::session::use_session;

const FIELDS: &[&str] = &["threshold", "window_days"];

fn problem(i18n: I18n, field: &str, code: &str) -> String {
    match (field, code) {
        ("threshold", _) => t_string!(i18n, attendance_rules.problem.threshold).to_owned(),
        ("window_days", _) => format::fill(
            t_string!(i18n, attendance_rules.problem.window_days),
            &[
                ("low", &RULE_WINDOW_DAYS.0.to_string()),
                ("high", &RULE_WINDOW_DAYS.1.to_string()),
            ],
        ),
        (_, code) => labels::field_problem(i18n, code).to_owned(),
    }
}

/// The form's numbers, checked as the server checks them.
fn check(
    code: &str,
    enabled: bool,
    threshold: &str,
    window_days: &str,
) -> Result<AttendanceRuleInput, Vec<FieldError>> {
    let threshold = threshold.trim().parse::<i32>().unwrap_or(0);
    let window_days = window_days.trim().parse::<i32>().unwrap_or(0);
    let input = AttendanceRuleInput {
        enabled,
        threshold,
        window_days,
    };
    input.check(code).map(|()| input)
}

#[component]
pub fn AttendanceRulesPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(move || t_string!(i18n, attendance_rules.title).to_owned());
    let rules = LocalResource::new(api::attendance::rules);
    view! {
        <h1>{t!(i18n, attendance_rules.title)}</h1>
        <p>{t!(i18n, attendance_rules.intro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(rules) => {
                        rules
                            .into_iter()
                            .map(|rule| view! { <RuleForm rule /> })
                            .collect_view()
                            .into_any()
                    }
                    Err(error) => view! { <ErrorAlert error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RuleForm(rule: AttendanceRule) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let code = rule.code.clone();
    let errors = FieldErrors::new(format!("rule-{code}"), problem);
    let enabled = RwSignal::new(rule.enabled);
    let threshold = RwSignal::new(rule.threshold.to_string());
    let window_days = RwSignal::new(rule.window_days.to_string());
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let save = Action::new_local({
        let code = code.clone();
        move |(csrf_token, input): &(String, AttendanceRuleInput)| {
            let (csrf_token, input, code) = (csrf_token.clone(), *input, code.clone());
            async move {
                failure.set(None);
                match api::attendance::set_rule(&csrf_token, &code, &input).await {
                    Ok(_) => {
                        errors.clear();
                        saved.set(true);
                    }
                    Err(error) => failure.set(errors.absorb(error)),
                }
            }
        }
    });
    let on_submit = {
        let code = code.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            saved.set(false);
            match (
                check(
                    &code,
                    enabled.get_untracked(),
                    &threshold.get_untracked(),
                    &window_days.get_untracked(),
                ),
                session.csrf_token(),
            ) {
                (Ok(input), Some(csrf_token)) => {
                    errors.clear();
                    save.dispatch((csrf_token, input));
                }
                (Err(problems), _) => errors.show(problems),
                (Ok(_), None) => {}
            }
        }
    };
    let (low, high) = rule_threshold_bounds(&code).unwrap_or((1, 100));
    let unit = match code.as_str() {
        "invalid_share" => t_string!(i18n, attendance_rules.unit.percent),
        "consecutive_days" => t_string!(i18n, attendance_rules.unit.days),
        _ => t_string!(i18n, attendance_rules.unit.lessons),
    };
    let uses_window = code != "consecutive_days";
    let name = rule.name.clone();
    let description = rule.description.clone();
    let heading_id = format!("rule-{code}-heading");
    let enabled_id = errors.id("enabled");
    let threshold_id = errors.id("threshold");
    let window_id = errors.id("window_days");
    let pending = save.pending();
    view! {
        <section class="card" aria-labelledby=heading_id.clone()>
            <h2 class="card-title" id=heading_id.clone()>
                {move || labels::names(i18n, &name)}
            </h2>
            <p>{move || labels::names(i18n, &description)}</p>
            <form class="stacked-form" novalidate on:submit=on_submit>
                <ErrorSummary errors fields=FIELDS />
                {move || failure.get().map(|error| view! { <ErrorAlert error /> })}
                <div class="choice">
                    <input id=enabled_id.clone() type="checkbox" bind:checked=enabled />
                    <label for=enabled_id>{t!(i18n, attendance_rules.enabled)}</label>
                </div>
                <div class="field">
                    <label for=threshold_id.clone()>
                        {move || {
                            format::fill(
                                t_string!(i18n, attendance_rules.threshold),
                                &[("unit", unit)],
                            )
                        }}
                    </label>
                    <FieldMessage errors field="threshold" />
                    <input
                        id=threshold_id
                        type="number"
                        inputmode="numeric"
                        min=low
                        max=high
                        aria-invalid=errors.invalid("threshold")
                        aria-describedby=errors.described_by("threshold", false)
                        bind:value=threshold
                    />
                </div>
                <Show when=move || uses_window>
                    <div class="field">
                        <label for=window_id.clone()>{t!(i18n, attendance_rules.window_days)}</label>
                        <FieldMessage errors field="window_days" />
                        <input
                            id=window_id.clone()
                            type="number"
                            inputmode="numeric"
                            min=RULE_WINDOW_DAYS.0
                            max=RULE_WINDOW_DAYS.1
                            aria-invalid=errors.invalid("window_days")
                            aria-describedby=errors.described_by("window_days", false)
                            bind:value=window_days
                        />
                    </div>
                </Show>
                <button type="submit" class="button" disabled=pending>
                    {t!(i18n, attendance_rules.save)}
                    <span class="visually-hidden">": " {move || labels::names(i18n, &rule.name)}</span>
                </button>
                <p class="status-message" role="status">
                    {move || saved.get().then(|| t_string!(i18n, attendance_rules.saved))}
                </p>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_checks_each_rules_bounds() {
        assert!(check("invalid_share", true, "10", "20").is_ok());
        let problems = check("invalid_share", true, "0", "2").unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["threshold", "window_days"]);
        assert!(check("consecutive_days", true, "1", "20").is_err());
        assert!(check("same_subject", false, "abc", "20").is_err());
    }
}
