//! The case types Skolflyt starts with. They are data: seeded once, editable afterwards.

use crate::store::cases::{CaseTypeSeed, StatusSeed};

const fn status(
    code: &'static str,
    name: (&'static str, &'static str),
    public_name: (&'static str, &'static str),
    notify: bool,
) -> StatusSeed {
    StatusSeed {
        code,
        name,
        public_name,
        notify,
    }
}

/// The Flyt flow every type shares: new (waiting for distribution) → open (with an owner)
/// → decided → closed, or withdrawn by the applicant before a decision. An e-service whose
/// every acting guardian must confirm starts its case in awaiting_confirmation.
const FLOW: &[StatusSeed] = &[
    status(
        "awaiting_confirmation",
        (
            "Väntar på vårdnadshavares godkännande",
            "Awaiting the guardians' confirmation",
        ),
        (
            "Väntar på den andra vårdnadshavaren",
            "Waiting for the other guardian",
        ),
        true,
    ),
    status(
        "new",
        ("Ny, för fördelning", "New, for distribution"),
        ("Mottagen", "Received"),
        true,
    ),
    status(
        "open",
        ("Under handläggning", "In progress"),
        ("Handläggs", "Being handled"),
        true,
    ),
    status(
        "decided",
        ("Beslutad", "Decided"),
        ("Beslut fattat", "Decision made"),
        true,
    ),
    status(
        "closed",
        ("Avslutad", "Closed"),
        ("Avslutad", "Closed"),
        false,
    ),
    status(
        "withdrawn",
        ("Återkallad", "Withdrawn"),
        ("Återkallad", "Withdrawn"),
        true,
    ),
];

const FLOW_TRANSITIONS: &[(&str, &str)] = &[
    ("awaiting_confirmation", "new"),
    ("awaiting_confirmation", "withdrawn"),
    ("new", "open"),
    ("new", "withdrawn"),
    ("open", "decided"),
    ("open", "withdrawn"),
    ("decided", "closed"),
];

/// Leave names its steps after its own flow: the other guardian confirms, the school decides.
const LEAVE_FLOW: &[StatusSeed] = &[
    status(
        "awaiting_confirmation",
        (
            "Väntar på andra vårdnadshavaren",
            "Awaiting the other guardian",
        ),
        (
            "Väntar på den andra vårdnadshavaren",
            "Waiting for the other guardian",
        ),
        true,
    ),
    status("new", ("Ny", "New"), ("Mottagen", "Received"), true),
    status(
        "open",
        ("För beslut", "For decision"),
        ("Handläggs", "Being handled"),
        true,
    ),
    status(
        "decided",
        ("Beslutad", "Decided"),
        ("Beslut fattat", "Decision made"),
        true,
    ),
    status(
        "closed",
        ("Avslutad", "Closed"),
        ("Avslutad", "Closed"),
        false,
    ),
    status(
        "withdrawn",
        ("Återkallad", "Withdrawn"),
        ("Återkallad", "Withdrawn"),
        true,
    ),
];

const APPLICATION_DOCUMENTS: &[(&str, (&str, &str), &str)] = &[
    (
        "receipt",
        ("Kvitto på ansökan", "Application receipt"),
        "restricted",
    ),
    ("attachment", ("Bilaga", "Attachment"), "restricted"),
    (
        "decision_letter",
        ("Beslutsbrev", "Decision letter"),
        "restricted",
    ),
    ("memo", ("Tjänsteanteckning", "Memo"), "restricted"),
];

/// Decisions on pupils' schooling are kept for a limited time unless the type says otherwise.
const RESULTS_DISPOSE_AFTER_2: &[(&str, Option<i32>)] = &[
    ("approved", Some(2)),
    ("rejected", Some(2)),
    ("dismissed", Some(2)),
    ("withdrawn", Some(2)),
];

/// Placements, school choice and IKE decisions are kept ten years (IKE for the invoice audit);
/// withdrawn applications two.
const RESULTS_DISPOSE_AFTER_10: &[(&str, Option<i32>)] = &[
    ("approved", Some(10)),
    ("rejected", Some(10)),
    ("dismissed", Some(10)),
    ("withdrawn", Some(2)),
];

pub const SEEDS: &[CaseTypeSeed] = &[
    CaseTypeSeed {
        code: "leave",
        name: ("Ledighet", "Leave of absence"),
        handling_days: 14,
        publicity_class: "restricted",
        statuses: LEAVE_FLOW,
        transitions: FLOW_TRANSITIONS,
        document_types: APPLICATION_DOCUMENTS,
        result_types: RESULTS_DISPOSE_AFTER_2,
    },
    CaseTypeSeed {
        code: "placement_change",
        name: ("Placeringsändring", "Placement change"),
        handling_days: 30,
        publicity_class: "restricted",
        statuses: FLOW,
        transitions: FLOW_TRANSITIONS,
        document_types: APPLICATION_DOCUMENTS,
        result_types: RESULTS_DISPOSE_AFTER_10,
    },
    CaseTypeSeed {
        code: "school_choice",
        name: ("Skolval", "School choice"),
        handling_days: 60,
        publicity_class: "restricted",
        statuses: FLOW,
        transitions: FLOW_TRANSITIONS,
        document_types: APPLICATION_DOCUMENTS,
        result_types: RESULTS_DISPOSE_AFTER_10,
    },
    CaseTypeSeed {
        code: "ike",
        name: (
            "Interkommunal ersättning (IKE)",
            "Inter-municipal compensation (IKE)",
        ),
        handling_days: 30,
        publicity_class: "restricted",
        statuses: FLOW,
        transitions: FLOW_TRANSITIONS,
        document_types: APPLICATION_DOCUMENTS,
        result_types: RESULTS_DISPOSE_AFTER_10,
    },
    CaseTypeSeed {
        code: "grade_catalogue",
        name: ("Betygskatalog", "Grade catalogue"),
        handling_days: 30,
        publicity_class: "confidential",
        statuses: FLOW,
        transitions: FLOW_TRANSITIONS,
        document_types: &[(
            "grade_catalogue",
            ("Signerad betygskatalog", "Signed grade catalogue"),
            "confidential",
        )],
        // The grade catalogue is kept permanently.
        result_types: &[
            ("approved", None),
            ("rejected", None),
            ("dismissed", None),
            ("withdrawn", None),
        ],
    },
];
