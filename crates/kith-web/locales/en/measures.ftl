# Kith — English: measures, safety alerts, safety plans and the client's portal pages.

## Navigation and the alert banner
nav-alerts = Alerts
alerts-banner = { $count ->
    [one] You have an open safety alert. Please look at it today.
   *[other] You have { $count } open safety alerts. Please look at them today.
}

## Columns
col-date = Date
col-score = Score
col-band = Band
col-item = Item
col-answer = Answer
col-safety = Safety
col-tier = Urgency
col-reasons = Why
col-raised = Raised
col-version = Version

## Urgency of an alert
tier-review = Review
tier-alert = Same-day review
tier-urgent = Urgent
tier-emergency = Emergency
risk-urgency-routine = Routine
risk-urgency-urgent = Urgent
risk-urgency-emergency = Emergency

## Measures
measures-title = Measures
measures-all = All measures and history
measures-none = No questionnaires recorded yet.
measures-over-time = Scores over time
measures-history = Every questionnaire, newest first
measure-enter = Enter a questionnaire
measure-new-title = Enter a questionnaire
measure-choose = Choose a questionnaire
measure-clinician-rated = rated by the clinician
measure-labels-only = item wording needs the clinic's licence; short labels are shown
measure-taken-on = Date the answers were given
measure-session = Session these answers belong to
measure-session-none = Not tied to a session
measure-session-option = Session { $n } · { $date }
measure-not-applicable = Does not apply
measure-submit = Record the answers
measure-result-title = Questionnaire result
measure-score = Score
measure-total-of = { $total } of { $max }
measure-baseline-was = { $score } on { $date }
measure-change-title = Change since the first score
measure-change = { $change } points
measure-change-percent = { $change } points ({ $percent } % improvement)
measure-alert = Alert
measure-alert-raised = An alert was raised for the client's clinicians.
measure-open-alert = Open the alert
measure-no-alert = No alert was raised.
measure-safety-flag = A safety question needs attention
measure-safety-next = Please review risk with the client today and go over their safety plan together.
measure-history-title = History on record
measure-history-intro = A question about the client’s whole life, answered the same way before: it is kept as history and raised no new alert this time.
measure-item-reversed = Scored in reverse, as on the paper form: the first answer scores { $first }, the last { $last }. Choose the score printed beside the answer that was ticked.
measure-see-safety-plan = Open the safety plan
measure-flagged = safety question
measure-answers = Answers
measure-diary = The week's diary
crisis-resources-title = Crisis resources

## Charts
chart-title = { $instrument } scores
chart-score-axis = Score
chart-date-axis = Date
chart-scores = Scores
chart-baseline = First score
chart-latest = Latest
chart-response-line = Response line
chart-remission-line = Remission line
chart-events = Life events
chart-no-data = No scores yet
chart-table-caption = { $instrument } scores as a table

## What the scores suggest
findings-title = What the scores suggest
findings-hint = These are suggestions computed from the scores with the clinic's change rules, each with its reason. They are for you to weigh with everything else you know; they decide nothing.
finding-response = Response
finding-remission = Remission
finding-reliable-improvement = Reliable improvement
finding-reliable-deterioration = Reliable deterioration
finding-not-on-track = Not on track
finding-status-suggested = suggested
finding-status-not-suggested = not suggested
finding-status-cannot-tell = cannot tell yet
finding-reason-no-scores = there are no scores yet.
finding-reason-only-baseline = there is only the first score so far.
finding-reason-rule-not-set = the clinic has not set a threshold for this.
finding-reason-baseline-not-positive = a percentage cannot be taken of a first score of zero.
finding-reason-percent-improvement = improvement of { $percent } % since the first score; the threshold is { $threshold } %.
finding-reason-latest-score = the latest score is { $latest }; the threshold is { $cutoff }.
finding-reason-points-better = { $points } points better than the first score; reliable change needs { $threshold }.
finding-reason-points-worse = { $points } points worse than the first score; reliable change needs { $threshold }.
finding-reason-points-not-better = not better than the first score; reliable change needs { $threshold } points.
finding-reason-points-not-worse = not worse than the first score; reliable change needs { $threshold } points.
finding-reason-no-decision-point = this needs the course's mid-course decision session, which is not known for these scores.
finding-reason-decision-point-not-reached = the decision session ({ $session }) has not been reached yet.
finding-reason-no-score-by-decision-point = there is no score after the first one by session { $session }.
cutoff-below = below { $value }
cutoff-at-most = { $value } or less
cutoff-at-least = { $value } or more
cutoff-above = above { $value }

## The social-rhythm diary
diary-hint = Fill in the days you have. For each activity give the time, or tick “did not do”, and who was involved. Days left empty are skipped.
diary-day = Day { $n }
diary-date = Date
diary-mood = Mood that day
diary-mood-lowest = { $value } (very low)
diary-mood-highest = { $value } (very high)
diary-activity = Activity
diary-time = Time
diary-not-done = Did not do
diary-people = Who was involved
diary-people-0 = Alone
diary-people-1 = Others present
diary-people-2 = Others actively involved
diary-people-3 = Others very stimulating

## Alerts
alerts-title = Safety alerts
alerts-intro = Alerts stay open until someone caring for the client acknowledges them with a note of what was done. Most urgent first.
alerts-none = No open alerts.
alerts-open-count = { $count ->
    [one] One open alert
   *[other] { $count } open alerts
}
alerts-admin-counts = Open alerts in this clinic: { $open }. Passed to a supervisor: { $escalated }.
alerts-admin-hint = Only the client's clinicians and their supervisors see what an alert is about.
alert-title = Safety alert
alert-open = Open
alert-escalated = Passed to the supervisor
alert-status-open = Open
alert-status-acknowledged = Acknowledged
alert-action-note = What was done
alert-acknowledged-at = { $when }, { $by }
alert-by-you = by you
alert-by-colleague = by a colleague
alert-see-answers = See the answers
alert-acknowledge-title = Acknowledge
alert-acknowledge-hint = Write what you did: contact made, risk assessed, safety plan reviewed, sessions increased, referral or emergency services. The note is kept encrypted with the alert.
alert-acknowledge-submit = Acknowledge the alert
alert-reason-safety-item = { $instrument }, item { $item } ({ $label }): answered “{ $answer }” · { $tier }
alert-reason-reliable-deterioration = { $instrument }: { $worsening } points worse than the first score ({ $baseline } → { $latest }); reliable change is { $threshold } points
alert-short-deterioration = { $instrument } · reliably worse
alert-short-clinician-risk = Session note · risk identified
alert-reason-clinician-risk = The clinician recorded identified risk in a session note · urgency: { $urgency }
alert-risk-text = What the clinician wrote
alert-see-note = Open the session note
client-open-alerts = Open safety alerts

## Safety plan
plan-title = Safety plan
plan-open = Open the safety plan
plan-none = No safety plan has been written yet.
plan-write = Write the safety plan with the client
plan-edit = Update the plan with the client
plan-edit-title = Safety plan
plan-edit-intro = Write the plan together with the client, in their words. Each save keeps the earlier versions. Empty rows are left out.
plan-save = Save this version
plan-about = Version { $version } of { $latest } · { $status } · saved { $when }
plan-older-version = This is an earlier version. The latest is version { $latest }.
plan-see-latest = See the latest version
plan-versions = Earlier versions
plan-section-empty = Nothing written here yet.
plan-print-hint = To print, use your browser's print command; only the plan and the crisis resources are printed.
plan-status-draft = Draft
plan-status-complete = Complete
plan-conflict = Someone saved the plan while you were writing. Your text is kept below; compare it with the version saved meanwhile, then save again.
plan-conflict-theirs = The version saved meanwhile
plan-conflict-hint = Saving now makes your text the next version; the one above stays in the history.
plan-section-warning-signs = Warning signs that a crisis may be starting
plan-section-internal-coping = Things I can do on my own to take my mind off my problems
plan-section-distractions = People and places that help take my mind off things
plan-section-help-contacts = People I can ask for help
plan-section-professionals = Professionals and crisis lines I can contact
plan-section-environment-safety = Making my surroundings safer
plan-section-reasons-for-living = My reasons for living
plan-hint-warning-signs = Thoughts, feelings, situations or behaviour that come before things get very hard.
plan-hint-internal-coping = Things to do alone: a walk, music, a shower, a familiar routine.
plan-hint-distractions = People to be with, or places to go, that help.
plan-hint-help-contacts = Family or friends who can help when things are hard.
plan-hint-professionals = Clinicians, services and crisis lines, with when they can be reached.
plan-hint-environment-safety = Steps to keep away from things that could be used to cause harm, and who will help.
plan-hint-reasons-for-living = What matters most; what is worth living for.
plan-warning-signs-text = Warning sign
plan-internal-coping-text = What I can do
plan-distractions-text = Person or place
plan-distractions-contact = How to reach them or where it is
plan-help-contacts-text = Name
plan-help-contacts-phone = Phone
plan-professionals-text = Professional or service
plan-professionals-phone = Phone
plan-professionals-hours = When they can be reached
plan-environment-safety-text = Step
plan-environment-safety-contact = Who will help
plan-reasons-for-living-text = Reason

## The client's portal
portal-plan-title = My safety plan
portal-plan-intro = This is the plan you made with your clinician. It is here whenever you need it.
portal-plan-saved = Last updated { $date }.
portal-plan-none = You and your clinician have not written a safety plan yet. You can make one together at your next session.
portal-plan-none-yet = You have not made a safety plan with your clinician yet. It can help to make one together at your next session.
portal-plan-link-hint = The plan you made with your clinician, and who to contact if things get hard.
portal-questionnaires-title = Questionnaires
portal-questionnaires-intro = Short questionnaires about how you have been. Your answers help you and your clinician see how things are going.
portal-questionnaire-title = Questionnaire
portal-questionnaire-intro = There are no right or wrong answers. Choose the answer that fits best for you.
portal-questionnaire-submit = Send my answers
portal-answered-title = Thank you
portal-answered-thanks = Thank you for answering the { $questionnaire }.
portal-when-seen = Your clinician will look at your answers with you, usually at or before your next session. Answers here are not watched around the clock, so if you need help now, please use the numbers on this page.
portal-support-title = Thank you for telling us
portal-support-intro = Thank you for answering so honestly. This is what you told us:
portal-support-answer = { $question } You answered: “{ $answer }”.
portal-support-after = It can be hard to put these things into words, and you are not alone with them: many people go through times like this, and help is there. If you feel you might hurt yourself, please reach out now, using the numbers below.
portal-back-home = Back to my care

## Problems with answers, safety plans and alerts
msg-answer-unknown-item = This questionnaire has no such item.
msg-course-not-of-client = This course is not one of this client’s.
msg-session-not-of-client = This session is not one of this client’s.
msg-session-not-in-course = This session belongs to another course.
msg-answer-duplicate = This item was answered more than once.
msg-answer-missing = Please choose an answer.
msg-answer-out-of-range = The answer { $value } is not possible here (from { $min } to { $max }).
msg-answer-not-applicable-not-allowed = “Does not apply” is not an answer for this item.
msg-answer-not-an-integer = The answer must be a whole number.
msg-answer-no-value = Please give an answer.
msg-answer-value-and-not-applicable = Give either an answer or “does not apply”, not both.
msg-answer-value-ambiguous = This item is scored in reverse, and it is not clear whether this answer is the option’s position or the score printed on the form. Please give the printed score (reload the form, or send “score” in the API).
msg-answer-value-and-score = Give either the printed score or the position, not both.
msg-answer-malformed = This answer could not be read.
msg-answers-all-not-applicable = At least one item must be answered.
msg-answers-wrong-kind = These answers do not fit this questionnaire.
msg-answers-too-many = Too many answers (at most { $max }).
msg-answers-or-diary = Give either the answers or the diary.
msg-instrument-unknown = There is no such questionnaire.
msg-instrument-version-mismatch = This questionnaire has changed; please reload the page.
msg-instrument-clinician-rated = This scale is rated by the clinician.
msg-mode-not-allowed = This way of answering is not possible here.
msg-taken-at-in-future = This date is in the future.
msg-taken-at-too-early = This date is too far back; answers can be dated from { $earliest } on.
msg-field-not-a-time = Please give a date and time (RFC 3339).
msg-field-not-an-id = This is not a valid id.
msg-diary-empty = Please fill in at least one day.
msg-diary-too-many-days = At most { $max } days.
msg-diary-span-too-long = The days from { $first } to { $last } span more than one week.
msg-diary-day-duplicate = This day is there twice.
msg-diary-day-malformed = This day could not be read.
msg-diary-activity-unknown = The diary has no such activity.
msg-diary-activity-duplicate = This activity is there twice.
msg-diary-activity-missing = Please give the time, or tick “did not do”.
msg-diary-activity-malformed = Give the time and who was involved, or that it was not done.
msg-diary-time-invalid = Please give the time as hours:minutes, for example 07:30.
msg-diary-time-and-not-done = Give either a time or “did not do”, not both.
msg-diary-people-missing = Please choose who was involved.
msg-diary-people-out-of-range = { $value } is not one of the choices for who was involved.
msg-diary-mood-missing = Please choose the mood for this day.
msg-diary-mood-out-of-range = The mood { $value } is not possible (from −5 to +5).
msg-alert-already-acknowledged = This alert was already acknowledged.
msg-plan-too-many-entries = At most { $max } entries in this section.
msg-plan-phone-invalid = A phone number can have digits, spaces and + - ( ) . only.
msg-plan-nothing-filled = A complete plan needs at least one entry.
