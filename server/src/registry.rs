//! The one place where the kinds of automated steps and the case processes are registered.
//! A new e-service that needs steps of its own adds its module's `register` call here; the
//! job runner and the case core learn of it from the registries, never by name.

use crate::applications::{ike, leave};
use crate::attendance::{follow_up, notices, planning};
use crate::cases::process::CaseProcesses;
use crate::follow_ups::subscriptions;
use crate::jobs::schedules;
use crate::jobs::steps::{JobSteps, Noop};
use crate::messages;
use crate::placements::process as placements;
use crate::statistics;

/// What the process modules seed at start-up (their e-services and reference data).
pub async fn seed(db: &crate::store::Db) -> anyhow::Result<()> {
    ike::seed(db).await?;
    statistics::rates::seed(db).await
}

/// Every kind of job step the runner can run.
pub fn job_steps() -> JobSteps {
    let mut steps = JobSteps::default();
    steps
        .batch::<Noop>()
        .batch::<subscriptions::CaseCreated>()
        .solo::<messages::SendEmail>()
        .solo::<leave::Route>()
        .solo::<leave::Finish>()
        .batch::<ike::ReadRegister>()
        .solo::<ike::Finish>()
        .solo::<ike::NotifyMunicipality>()
        .batch::<notices::AbsenceNotice>()
        .solo::<follow_up::AbsenceFollowUp>()
        .solo::<planning::PlanningExport>()
        .solo::<placements::Notify>();
    // Last: the schedules fill in a placeholder for every seed no feature has a step for.
    schedules::register(&mut steps);
    steps
}

/// The process of every case type that has one of its own (the others run the default).
pub fn case_processes() -> CaseProcesses {
    let mut processes = CaseProcesses::default();
    processes
        .register(leave::LeaveProcess)
        .register(ike::IkeProcess)
        .register(placements::PlacementChangeProcess);
    processes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::case_types::SEEDS;

    #[test]
    fn every_schedule_has_a_step() {
        let steps = job_steps();
        for seed in schedules::SEEDS {
            assert!(steps.handler(seed.job_kind).is_some(), "{}", seed.code);
        }
    }

    #[test]
    fn every_process_runs_a_seeded_case_type() {
        let processes = case_processes();
        for case_type in processes.case_types() {
            assert!(
                SEEDS.iter().any(|seed| seed.code == case_type),
                "{case_type} is not a case type"
            );
        }
        assert!(processes.case_types().any(|t| t == leave::CASE_TYPE));
    }
}
