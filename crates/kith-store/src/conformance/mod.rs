//! The conformance suite: storage stories every backend must pass, written once against the
//! [`Store`](crate::Store) traits. A backend runs them all with
//! [`conformance_suite!`](crate::conformance_suite).

pub mod courses;
pub mod foundation;
pub mod measures;

/// Expands to one `#[tokio::test]` per story. `$fresh` is an async fn returning
/// `Option<T>` where `T` has a `store: Arc<dyn Store>` field and an `async fn finish(self)`;
/// `None` means the backend is not configured here and the test is skipped (it says so).
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@each $fresh; foundation;
            setup_makes_one_first_admin,
            users_memberships_and_supervision,
            invitations_are_single_use,
            sessions_rotate_and_end,
            sign_in_failures_lock_and_clear,
            second_factor_secrets_and_codes_are_single_use,
            api_tokens_are_found_by_hash_and_revoked,
            clients_never_cross_clinics,
            client_lists_follow_scope,
            idempotent_register_writes_once,
            concurrent_duplicates_write_once,
            version_checks_refuse_stale_writes,
            audit_chain_is_linear_and_verifies,
            audit_report_filters,
            audit_listener_hears_each_commit,
            meta_and_counts
        );

        // Measurement-based care and safety.
        $crate::conformance_suite!(@each $fresh; measures;
            submissions_are_all_or_nothing,
            answers_are_sealed_and_round_trip,
            one_alert_per_submission_under_retries,
            concurrent_same_key_writes_one_alert,
            concurrent_different_keys_write_one_alert_each,
            escalation_happens_once_after_the_clinic_time,
            acknowledgement_is_recorded_once,
            alert_scopes_follow_care_and_supervision,
            reliable_deterioration_raises_an_alert,
            safety_plans_are_versioned,
            measure_queries_never_cross_clinics,
            measure_tables_are_counted
        );

        // Courses of treatment.
        $crate::conformance_suite!(@each $fresh; courses;
            courses_open_with_intake_and_contract_history,
            sessions_are_held_once_and_keep_their_tasks,
            stale_note_saves_write_nothing,
            signed_notes_never_change_and_take_addenda,
            a_note_recording_risk_raises_one_alert,
            process_notes_belong_to_their_author,
            inventory_people_are_versioned_and_snapshotted,
            timeline_entries_and_onset_are_versioned,
            formulation_revisions_keep_history_and_agreement,
            goals_and_worksheets_are_versioned,
            course_records_never_cross_clinics,
            course_tables_are_counted
        );
    };
    (@each $fresh:path; $area:ident; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = $fresh().await else { return };
                $crate::conformance::$area::$name(db.store.clone()).await;
                db.finish().await;
            }
        )*
    };
}
