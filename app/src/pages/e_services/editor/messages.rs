//! What is wrong with a definition, in the administrator's language. `EServiceDefinition::check`
//! and the server name each problem by its path and a code; the words here depend on the last
//! part of the path (what kind of input it is) and the code.

use shared::api::FieldError;
use shared::e_services::{Lang, Problem, describe};

use crate::I18n;
use crate::i18n::t_string;

use super::super::errors::lang;

/// The message for one problem of a definition.
pub fn message(i18n: I18n, error: &FieldError) -> String {
    let last = last_part(&error.field);
    let code = error.code.as_str();
    let text = match (last, code) {
        ("sv", "required") => t_string!(i18n, e_service_editor.problem.swedish_required),
        ("en", "required") => t_string!(i18n, e_service_editor.problem.english_required),
        (_, "too_long") => t_string!(i18n, e_service_editor.problem.too_long),
        (_, "control_character") => t_string!(i18n, e_service_editor.problem.control_character),
        ("code", _) => t_string!(i18n, e_service_editor.problem.code),
        ("key", "duplicate") => t_string!(i18n, e_service_editor.problem.key_duplicate),
        ("key", _) => t_string!(i18n, e_service_editor.problem.key),
        ("steps", _) => t_string!(i18n, e_service_editor.problem.no_steps),
        ("fields", _) => t_string!(i18n, e_service_editor.problem.no_fields),
        ("options", _) => t_string!(i18n, e_service_editor.problem.no_options),
        ("value", "duplicate") => t_string!(i18n, e_service_editor.problem.option_duplicate),
        ("value", _) => t_string!(i18n, e_service_editor.problem.option_value),
        ("max", _) => t_string!(i18n, e_service_editor.problem.max_below_min),
        ("max_length", _) => t_string!(i18n, e_service_editor.problem.max_length),
        ("max_files", _) => t_string!(i18n, e_service_editor.problem.max_files),
        ("field", "not_earlier") => t_string!(i18n, e_service_editor.problem.not_earlier),
        ("field", _) => t_string!(i18n, e_service_editor.problem.unknown_field),
        ("equals", _) => t_string!(i18n, e_service_editor.problem.condition_value),
        (_, "unknown_document_type") => {
            t_string!(i18n, e_service_editor.problem.unknown_document_type)
        }
        ("case_type", "required") => t_string!(i18n, e_service_editor.problem.case_type_required),
        ("case_type", _) => t_string!(i18n, e_service_editor.problem.case_type_unknown),
        ("assign_to", _) => t_string!(i18n, e_service_editor.problem.assign_to),
        ("team_id" | "person_ids", _) => t_string!(i18n, e_service_editor.problem.team_unknown),
        ("signing", _) => t_string!(i18n, e_service_editor.problem.signing),
        _ => {
            return match Problem::from_code(code) {
                Some(problem) => describe(problem, lang(i18n)).to_owned(),
                None if lang(i18n) == Lang::Sv => format!("Fel: {code}"),
                None => format!("Problem: {code}"),
            };
        }
    };
    text.to_owned()
}

/// `label` of `steps[0].fields[1].label`, `sv` of `title.sv`, `value` of `options[2].value`.
fn last_part(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

#[cfg(test)]
mod tests {
    use super::last_part;

    #[test]
    fn the_last_part_names_the_input() {
        assert_eq!(last_part("code"), "code");
        assert_eq!(last_part("steps"), "steps");
        assert_eq!(last_part("steps[0].fields"), "fields");
        assert_eq!(last_part("steps[0].fields[1].options"), "options");
        assert_eq!(last_part("steps[0].fields[1].options[2].value"), "value");
        assert_eq!(last_part("steps[0].fields[1].label.sv"), "sv");
        assert_eq!(last_part("intake.assign_to.team_id"), "team_id");
    }
}
