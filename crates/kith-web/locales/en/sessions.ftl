# course-sessions: sessions, the pre-session brief, session and process notes, worksheets,
# termination and the end-of-treatment summary.

crumbs-label = You are here
course-closed-note = This course is closed. Its records can still be read.
print-this-page = Print
print-hint = Use your browser's Print command for a clean A4 copy.

## Sessions

sessions-title = Sessions
sessions-block-title = Sessions
sessions-next = Next:
sessions-next-of = Session { $number } of { $of }
sessions-brief-link = Pre-session brief
sessions-none = No sessions yet.
sessions-caption = Sessions of this course
sessions-col-session = Session
sessions-col-when = When
sessions-col-phase = Phase
sessions-col-status = Status
sessions-col-note = Note
sessions-note-link = Session note
sessions-manage = Schedule or record a session
sessions-worksheets = Worksheets and between-session tasks
sessions-measure-link = Record a questionnaire for this session
sessions-overdue-count = { $count ->
    [one] one overdue
   *[other] { $count } overdue
}
sessions-due-count = { $count ->
    [one] one due this week
   *[other] { $count } due this week
}
sessions-termination = Ending and review
sessions-summary = End-of-treatment summary
sessions-process-notes = My process notes
sessions-raise-ending-now = Kith suggests raising the ending at the next session: the protocol asks for it at least three sessions before the last one, and it has not been recorded yet.
sessions-go-termination = Record it
sessions-ending-late = The ending has not been recorded as raised, although the protocol asks for it by session { $raise_by } (the last session is { $last }). Kith suggests raising it now.
sessions-ending-raised-at = The ending was raised at session { $number }.
sessions-schedule-title = Schedule a session
sessions-field-at = Date and time
sessions-times-utc = Times are in UTC.
sessions-field-status = This session is
sessions-status-choice-scheduled = planned (scheduled)
sessions-status-choice-held = already held
sessions-field-number = Session number
sessions-number-hint = Leave empty for the next session of the contract.
sessions-schedule-submit = Save session
session-title = Session
session-n = Session { $number }
session-pre = Preparatory meeting
session-facts = About this session
session-status-held = Held
session-status-missed = Missed
session-status-cancelled = Cancelled
session-status-scheduled = Scheduled
session-reason-client-unwell = The client was unwell
session-reason-client-unavailable = The client could not come
session-reason-client-did-not-attend = The client did not come and did not let us know
session-reason-clinician-unavailable = The clinician could not be there
session-reason-travel-or-weather = Travel or weather
session-reason-crisis-elsewhere = A crisis elsewhere needed attention
session-reason-other = Another reason
session-hold-title = Record as held
session-field-held-at = Held at
session-hold-submit = Record as held
session-call-off-title = Missed or cancelled
session-call-off-what = What happened
session-field-reason = Reason
session-call-off-submit = Save
session-tasks-title = Protocol tasks done in this session
session-tasks-none = No protocol tasks recorded yet. Signing the session note records what it shows.
session-task-from-note = from the note, “{ $section }”
session-task-by-hand = ticked by hand
session-tick-legend = Tasks the note does not show: tick those done
session-tick-submit = Save ticks
task-raise-ending = Raise the ending

## Pre-session brief

brief-title = Pre-session brief
brief-remaining-label = Sessions left
brief-remaining = { $count ->
    [one] one session left in the contract
   *[other] { $count } sessions left in the contract
}
brief-open-ended = Open-ended contract
brief-last-label = Last session
brief-last-session = { $session }, { $when }
brief-no-session-yet = No session held yet.
brief-measures-title = Scores and safety
brief-no-measures = No questionnaires recorded in this course yet.
brief-col-latest = Latest
brief-col-change = Change since the one before
brief-col-safety = Safety item
brief-first-score = first score
brief-safety-positive = answered above zero — review risk
brief-safety-negative = not endorsed
brief-last-note-risk = Risk in the last session's note:
brief-no-risk-check = no risk check recorded
brief-since-title = Since the last session
brief-done-last = Tasks done last time
brief-tasks-due = Between-session tasks due
brief-completed = Worksheets completed
brief-inventory = Changes to the interpersonal inventory
brief-person-added = added to the inventory
brief-person-edited = details changed
brief-person-removed = removed from the inventory
brief-events = New events on the timeline
brief-incidents-later = Incidents the client logs in the portal will appear here once the portal log is available.
brief-nothing = Nothing.
brief-agenda-title = This session
brief-required = Tasks of this phase
brief-task-late = still to do from an earlier session
brief-optional = Optional tasks
brief-strategies = Strategies for the focus
brief-measures-due = Questionnaires due
brief-decisions = Decisions due
brief-warning-ending-not-raised = The ending has not been raised yet.
brief-warning-formulation-not-agreed = The formulation has not been agreed with the client yet.
brief-warning-two-problem-areas = Two problem areas are chosen; the manuals aim for one.
brief-warning-deficits-with-death-near-onset = Interpersonal deficits is chosen while a death sits close to the onset: Kith suggests checking for grief.
brief-warning-beyond-protocol-max = The course is going beyond the protocol's largest number of sessions.
brief-warning-beyond-contract = The next session is past the agreed contract: Kith suggests renegotiating it explicitly.
brief-warning-no-baseline-measure = A baseline questionnaire is missing: { $missing }.
brief-warning-dispute-stage-missing = The stage of the role dispute is not recorded.
brief-warning-decision-point-pending = A decision the protocol schedules is still to be recorded.

## Session notes

note-title = Session note
note-state-none = not started
note-state-draft = draft
note-state-signed = signed
note-signed-by = Signed by { $name }, { $when }.
note-integrity-intact = Unchanged since it was signed
note-integrity-tampered = Warning: this note no longer matches what was signed
note-integrity-draft = Draft
note-required = needed before signing
note-choose = Choose…
note-risk-status = Risk
note-risk-actions = Actions taken
note-risk-not-assessed = Not asked about in this session
note-risk-no-risk-identified = Asked about; no risk identified
note-risk-risk-identified = Risk identified
note-risk-actions-were = Actions taken: { $actions }
note-risk-recorded = This note records identified risk. Kith has recorded it for the clinician; follow your clinic's safety procedure and review the safety plan.
note-mood-range = Rating from { $min } to { $max }
note-mood-of = { $value } of { $max }
note-no-worksheets = No worksheets in this course yet.
note-nothing-to-choose = Nothing to choose.
note-worksheet-suggested = { $title } (suggested here)
note-linked-worksheet = Open the linked worksheet
note-save = Save draft
note-save-sign = Save and sign
note-sign-hint = A signed note cannot be changed; corrections are added as addenda.
note-saved-not-signed = The draft was saved, but it could not be signed yet:
note-conflict-intro = This note was saved in another window or tab after you opened it. Nothing you wrote is lost: it is still in the form below.
note-conflict-title = The version saved meanwhile
note-conflict-other = Saved by { $name }, { $when }:
note-conflict-yours = Your text is kept in the form below. Compare the two, then save again to keep yours.
note-ticks-title = Protocol tasks this note shows
note-ticks-draft = They count as done when the note is signed.
note-ticks-signed = Recorded as done in this session.
note-addenda-title = Addenda
note-addenda-none = No addenda.
note-addendum-field = Add a correction or addition
note-addendum-submit = Add addendum
note-signoff-title = Supervisor sign-off
note-signoff-none = Not signed off yet.
note-signed-off-by = Signed off by { $name }, { $when }
note-signoff-comment = Comment
note-signoff-submit = Sign off

## Process notes

pnote-title = Process note
pnote-list-title = My process notes
pnote-for-session = My process note (private)
pnote-private = Only you can read your process notes. They are not part of the clinical record and never appear in summaries, the client's portal or exports.
pnote-field = Process note
pnote-none = You have no process notes about this client.
pnote-new = Write a process note
pnote-about-session = About a session
pnote-about-client = About the client
pnote-saved-at = Last saved { $when }.

## Worksheets

ws-list-title = Worksheets
ws-title = Worksheet
ws-none = No worksheets in this course yet.
ws-list-caption = Worksheets and between-session tasks
ws-col-worksheet = Worksheet
ws-col-due = Due
ws-task = between-session task
ws-status-draft = Draft
ws-status-complete = Complete
ws-status-reviewed = Reviewed
ws-due-on = due { $date }
ws-overdue-since = overdue since { $date }
ws-start-title = Start a worksheet
ws-field-kind = Worksheet
ws-suggested = Suggested for this focus
ws-all-kinds = All worksheets
ws-field-session = Session it belongs to
ws-no-session = None
ws-field-due = Due date, to set it as a between-session task
ws-due-hint = Leave empty to fill it in now, in session.
ws-field-visibility = Who can see it
ws-visibility-shared = The client and the clinical team
ws-visibility-private = The clinical team only
ws-start-submit = Start
ws-clients-own = the client's own work
ws-private = clinical team only
ws-required = needed to complete
ws-choose = Choose…
ws-no-people = Nobody to choose yet: add people to the interpersonal inventory first.
ws-answer-yes = Yes
ws-answer-no = No
ws-answer-unsure = Not sure
ws-entry-n = Entry { $number }
ws-entry-new = Entry { $number } (new)
ws-more-rows = Blank entries are left out when you save; save to get more blank entries.
ws-comment = Clinician's comment
ws-save = Save
ws-complete = Save and mark complete
ws-reopen = Reopen as draft
ws-review-title = Review at a session
ws-review-session = Reviewed at
ws-review-no-session = A worksheet is reviewed at a session that was held.
ws-review-submit = Mark reviewed
ws-reviewed-at = reviewed at { $session }
ws-conflict = This worksheet was saved elsewhere after you opened it. Your answers are kept below; save again to keep them.
ws-whole-worksheet = The worksheet
ws-path-entry = { $field }, entry { $number }
ws-person-gone = (no longer in the inventory)
ws-field-definition-version = Worksheet version
ws-field-due-on = Due date
ws-field-reviewed-at-session = Reviewed at
ws-field-status = Status
ws-field-clinician-comment = Clinician's comment
ws-field-updated-at = Last change
ws-field-people = People
ws-field-goals = Goals

## Termination

term-title = Ending and review
term-ending-title = Raising the ending
term-used-of = { $used } of { $of } sessions used.
term-used-open = { $used } sessions so far (open-ended contract).
term-ending-at = The ending was raised at session
term-ending-submit = Record
term-measures-title = Scores at the start and now
term-measures-caption = Every questionnaire of this course: the first score and the latest
term-col-baseline = At the start
term-col-now = Now
term-col-change = Change
term-col-response = Response
term-col-remission = Remission
term-col-reliable = Reliable change
term-not-taken = Not taken in this course.
term-finding-suggested = suggested
term-finding-not-suggested = not suggested
term-finding-cannot-tell = cannot tell yet
term-reliable-improvement = reliable improvement suggested
term-reliable-deterioration = reliable worsening suggested
term-findings-hint = These are suggestions from the clinic's change rules (response: a drop of at least half from the start; remission and reliable change by the questionnaire's figures). The clinician decides.
term-circle-title = Closeness circle: then and now
term-circle-caption = From the intake snapshot ({ $before }) to the latest ({ $after }).
term-circle-table = Who moved on the closeness circle
term-circle-missing = The closeness circle can be compared once there is an intake snapshot of the inventory and a later one.
term-circle-empty = Nobody is on the circle.
term-col-person = Person
term-col-before = Then
term-col-after = Now
term-col-what = Change
term-ring-1 = Closest
term-ring-2 = Close
term-ring-3 = Further out
term-support = support
term-conflict-none = no conflict
term-conflict-low = little conflict
term-conflict-moderate = some conflict
term-conflict-high = a lot of conflict
term-status-current = current
term-status-past = past
term-status-deceased = died
term-status-estranged = estranged
term-change-moved-inward = Moved closer
term-change-moved-outward = Moved further away
term-change-joined = New
term-change-left = No longer in the circle
term-change-unchanged = Same place
term-goals-title = Goals
term-no-goals = No goals recorded for this course.
term-goal-status = Where it stands
term-goal-review = Review
term-goal-submit = Save review
term-goal-active = Still being worked on
term-goal-achieved = Achieved
term-goal-partly = Partly achieved
term-goal-not-achieved = Not achieved
term-goal-dropped = Set aside
term-plan-none = No relapse-prevention plan yet.
term-plan-start = Start the plan
term-plan-open = Open the plan
term-close-title = Closing the course
term-close-hint = Closing records how the course ended. If treatment did not help enough, it is the treatment that fell short, not the client.
term-close-outcome = What comes next
term-outcome-ended = Treatment ends
term-outcome-continuation = A continuation contract follows
term-outcome-maintenance = A maintenance course follows
term-close-submit = Close the course
term-closed-with = Course closed: { $outcome }.
term-summary-link = Printable end-of-treatment summary
term-sessions-line = { $held } held, { $missed } missed, { $cancelled } cancelled
term-dates = { $from } to { $to }
term-fidelity-share = { $done } of { $expected } required tasks done

## End-of-treatment summary

summary-title = End-of-treatment summary
summary-printed-on = Printed { $date }
summary-course = The course
summary-sessions = Sessions
summary-dates = Dates
summary-diagnosis = Diagnosis
summary-focus = Focus
summary-outcome = Next step
summary-still-open = The course is still open.
summary-formulation = The formulation, as shared with the client
summary-goal = Goal
summary-plan = Staying-well plan
summary-fidelity = Protocol tasks done, by phase

## Problems with what was entered (value-<code>)

value-conflict = Someone saved a change first. Please look at the page again and repeat your change.
value-other = This could not be saved ({ $code }).
value-field-required = This is needed.
value-field-unknown = “{ $key }” is not part of this form.
value-field-wrong-type = This is not the right kind of answer (expected { $expected }).
value-field-bad-format = This is not a valid { $expected }.
value-field-too-long = This is too long: { $length } characters, at most { $max }.
value-field-control-characters = This contains characters that cannot be used here.
value-field-out-of-range = Please give a whole number from { $min } to { $max }.
value-field-unknown-option = “{ $value }” is not one of the choices.
value-field-duplicate = “{ $value }” is given twice.
value-field-too-few-entries = Please add at least { $min } { $min ->
    [one] entry
   *[other] entries
}.
value-field-too-many-entries = At most { $max } entries.
value-field-actions-required = Risk was identified: please write down the actions taken before signing.
value-field-not-a-datetime = Please give a date and a time.
value-field-not-a-number = Please enter a whole number.
value-field-not-a-date = Please enter a date as year-month-day.
value-worksheet-wrong-definition = This worksheet's version is not the current one.
value-worksheet-author-not-allowed = This kind of worksheet is filled in by someone else.
value-worksheet-not-a-task = This worksheet cannot be set as a between-session task.
value-worksheet-client-work-private = This is the client's own work, so it cannot be hidden from them.
value-worksheet-updated-before-created = The dates of this worksheet do not fit together.
value-worksheet-comment = The comment is too long or contains characters that cannot be used.
value-worksheet-kind-unknown = Kith has no worksheet of this kind.
value-worksheet-definition-gone = This worksheet's version is no longer available.
value-worksheet-status-move = A worksheet cannot go from “{ $from }” to “{ $to }” directly.
value-worksheet-unknown = This worksheet is not part of this course.
value-person-unknown = This person is not in the client's interpersonal inventory.
value-goal-unknown = This goal is not one of this course's goals.
value-session-unknown = This session is not part of this course.
value-session-not-held = A note can be signed once its session is recorded as held.
value-session-status-not-allowed = This change of session status is not possible.
value-session-reason-unknown = Please choose a reason.
value-session-already-held = This session is already recorded as held.
value-date-in-future = This date is in the future.
value-unknown-task = This task is not part of the protocol.
value-note-signed = This note is signed and can no longer be changed; add an addendum instead.
value-note-not-signed = Addenda are added to signed notes; this one is still a draft.
value-note-already-signed-off = This note is already signed off.
value-course-closed = This course is closed.
value-no-pre-session = This protocol has no preparatory meeting.
value-section-id-invalid = This section is not part of the note.
value-kind-text = text
value-kind-integer = a whole number
value-kind-boolean = yes or no
value-kind-list = a list
value-kind-object = a set of answers
value-kind-date = date
value-kind-time = time
value-kind-datetime = date and time
value-kind-person-id = person from the inventory
value-kind-goal-id = goal of the course
value-kind-worksheet-id = worksheet of the course
