# Kith — English. Every word shown in the interface lives in these files.

## Layout
skip-to-content = Skip to content
nav-main = Main
nav-clients = Clients
nav-protocols = Protocols
nav-members = People
nav-client-directory = Client directory
nav-settings = Clinic settings
nav-audit = Audit
nav-my-care = My care
nav-account = My account
sign-out = Sign out
footer-text = Kith supports clinicians; it suggests, it does not decide. In an emergency, call your local emergency number.
idle-warning = You will be signed out in two minutes because nothing has happened for a while. Anything you have not saved will be lost.
idle-stay = Stay signed in
idle-ended = You have been signed out because of inactivity. Copy any unsaved text before you sign in again.
yes = Yes
no = No
save = Save
optional = optional
never = never
not-given = Not given
form-has-errors = Some answers need another look. Each problem is shown next to its field.

## Roles
role-clinic-admin = Clinic administrator
role-clinician = Clinician
role-supervisor = Supervisor
role-client = Client
role-operator = Server operator

## Months
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Fields
field-email = Email address
field-password = Password
field-new-password = New password
field-current-password = Current password
field-code = Six-digit code
field-recovery-code = Recovery code
field-clinic-name = Clinic name
field-your-name = Your name
field-role = Role
field-clinic = Clinic
field-token-name = Name of the token
field-crisis-text = Crisis lines and emergency instructions
field-client-mfa = Clients must also use a second factor
field-escalation-minutes = Routine and same-day alerts: minutes before one still unacknowledged goes to the supervisor
field-urgent-escalation-minutes = Urgent alerts: minutes before escalation (default 30)
field-emergency-escalation-minutes = Emergency alerts: minutes before escalation (default 0, at once)
settings-escalation-legend = When alerts go to the supervisor
settings-escalation-hint = An alert nobody has acknowledged is passed to the supervisors of the client's clinicians. Faster tiers may not wait longer than slower ones.
settings-unsupervised-warning = These clinicians have no supervisor, so an alert of their clients that stays unacknowledged would reach nobody else: { $names }.
settings-unsupervised-fix = Link a supervisor on the staff page
field-idle-minutes = Minutes of inactivity before signing out (1–15)
field-default-language = Default language
field-client-name = Name (a pseudonym is fine)
field-date-of-birth = Date of birth
field-contact = Contact details

## Columns
col-name = Name
col-started = Started
col-last-seen = Last active
col-address = Address
col-device = Device
col-actions = Actions
col-created = Created
col-last-used = Last used
col-status = Status
col-second-factor = Second factor
col-supervisors = Supervised by
col-clinicians = Clinicians
col-when = When
col-who = Who
col-client = Client
col-object = Record
col-action = Action
col-outcome = Outcome
col-measure = Measure

## Sign in
login-title = Sign in
login-submit = Sign in
login-session-ended = Your session ended. Please sign in again.
login-account-ready = Your account is ready. Please sign in.

## First start
setup-title = Set up Kith
setup-intro = This link works once. It creates your clinic and your administrator account. You will set up a second factor right after.
setup-submit = Create clinic and account
password-hint-staff = At least 8 characters; a phrase of a few words is easy to remember and hard to guess. Common passwords and passwords containing your name are refused.
password-hint-min = At least { $min } characters. A phrase of a few words works well. Common passwords and passwords containing your name are refused.
password-hint-change = Staff: at least 8 characters; clients without a second factor: at least 15. Common passwords and your own name are refused.

## Invitations
invitation-title = Join your clinic on Kith
invitation-intro = { $clinic } has invited you to join as { $role }.
invitation-for-email = This invitation is for { $email }.
invitation-password-hint = New to Kith: choose a password of at least { $min } characters. If you already use Kith with this email, enter that password instead; your name and account stay as they are.
invitation-submit = Accept invitation
invitation-accepted = Accepted
invitation-revoked = Withdrawn
invitation-expired = Expired
invitation-open-until = Open until { $date }
invitation-revoke = Withdraw
invitations-caption = Invitations

## Second factor
mfa-title = Enter your code
mfa-intro = Open your authenticator app and enter the six-digit code it shows for Kith.
mfa-submit = Continue
mfa-use-recovery = Lost your phone? Use a recovery code
mfa-recovery-submit = Use recovery code
enrol-title = Set up your second factor
enrol-intro = Staff must confirm each sign-in with a code from an authenticator app. This protects the people in your care if your password is ever stolen.
enrol-step-app = Install an authenticator app on your phone if you do not have one (any app that supports TOTP codes works).
enrol-step-scan = In the app, add an account by scanning this code.
enrol-qr-caption = QR code for your authenticator app
enrol-or-type = Or type this key:
enrol-step-code = Enter the six-digit code the app now shows.
enrol-submit = Confirm
enrol-start = Start setting up
recovery-codes-title = Your recovery codes
recovery-codes-intro = If you lose your phone, each of these codes lets you sign in once. Print them or keep them in a password manager.
recovery-codes-once = They are shown only now.
recovery-codes-continue = I have saved them — continue

## Account
account-title = My account
account-signed-in-as = Signed in as { $email }
account-clinics = Clinics
account-switch-clinic = Switch
account-password = Password
account-change-password = Change password
account-second-factor = Second factor
account-second-factor-on = Your sign-ins are confirmed with an authenticator app. Unused recovery codes: { $count }.
account-second-factor-off = You have not set up a second factor.
account-second-factor-enrol = Set it up now
account-second-factor-reset = Use a new authenticator
account-sessions = Where you are signed in
session-this-one = this browser
session-sign-out = Sign out
account-tokens = API tokens
account-tokens-intro = A token lets a program use the Kith API on your behalf, with your permissions in this clinic. Keep it secret; revoke it when it is no longer needed.
account-token-made = Copy this token now. It will not be shown again.
account-token-create = Create token
token-revoked = Revoked
token-revoke = Revoke
account-done-password = Your password was changed. Other sessions were signed out.
account-done-password-tokens = Your password was changed. Other sessions were signed out, and your API tokens were revoked: programs that used them need a new token.
account-done-saved = Saved.
reauth-title = Confirm it is you
reauth-intro = For this step, please enter your password again.
reauth-submit = Confirm

## Clinic administration
members-title = People
members-people = Members of this clinic
invite-title = Invite someone
invite-link-made = Send this link to the person you invited. It works once, for seven days.
invite-submit = Create invitation link
member-disabled = disabled
member-change-role = Change role
member-disable = Disable
member-enable = Enable
supervision-title = Supervision
supervision-add = Supervises
supervision-remove = Stops supervising
directory-title = Client directory
directory-intro = Who cares for whom. Clinical records are not shown here.
directory-empty = No clients yet.
assign-add = Assign
assign-remove = Unassign
settings-title = Clinic settings
settings-saved = Settings saved.
crisis-text-hint = Shown to clients on every portal page and beside every safety plan. Include local crisis lines, opening hours and what to do in an emergency.
audit-title = Audit
audit-intro = Every access to clinical records and every sign-in is recorded here and cannot be changed.
audit-by-person = By
audit-anyone = anyone
audit-about-client = About client
audit-any-client = any client
audit-from = From
audit-to = To
audit-show = Show
audit-count = { $count ->
    [one] One entry
   *[other] { $count } entries
}
audit-outcome-success = done
audit-outcome-denied = refused
audit-outcome-failed = failed
audit-action-create = created
audit-action-read = viewed
audit-action-update = changed
audit-action-delete = removed
audit-action-print = printed
audit-action-export = exported
audit-action-query = listed
audit-action-login = signed in
audit-action-login-failed = failed sign-in
audit-action-logout = signed out
audit-action-second-factor = second factor passed
audit-action-second-factor-failed = second factor failed
audit-action-second-factor-enrolled = second factor set up
audit-action-recovery-code-used = recovery code used
audit-action-password-changed = password changed
audit-action-session-ended = session ended
audit-action-privilege-change = permissions changed
audit-action-token-created = API token created
audit-action-token-revoked = API token revoked
audit-action-setup = clinic set up
audit-action-audit-setting = audit setting changed

## Clients
home-title = Clients
home-clients = My clients
home-clients-supervisor = Clients of the clinicians I supervise
home-no-clients = No clients yet. Register your first one below.
register-title = Register a client
register-hint = Only a name is needed. You can use a pseudonym; contact details are stored encrypted.
register-submit = Register
client-title = Client
client-details = Details
client-edit = Edit details
client-clinician-count = { $count ->
    [0] No clinician assigned
    [one] One clinician
   *[other] { $count } clinicians
}
portal-title = My care
portal-welcome = Welcome. Things your clinician shares with you will appear here.
crisis-title = If you need help now
crisis-default = If you are in danger or thinking about ending your life, call your local emergency number now.

## Protocols
protocols-title = Protocols
protocols-intro = The IPT protocols Kith can run. Each sets the sessions, phases, tasks and measures of a course.
protocol-title = Protocol
protocol-sessions = { $default } sessions (between { $min } and { $max }), { $minutes } minutes each
protocol-open-ended = Open-ended, { $minutes } minutes each
protocol-termination-lead = raise the ending { $n } sessions ahead
protocol-phases = Phases
protocol-every-session = Every session
protocol-problem-areas = Problem areas and strategies
protocol-focus-ipaf = Focus (interpersonal-affective focus)
protocol-measures = Measures
protocol-pre-session = Before the first session
protocol-session-n = Session { $n }
protocol-session-range = Sessions { $from } to { $to }
protocol-session-from = From session { $from }
protocol-session-none = Not in this contract
task-required = required
task-optional = optional
task-every-session = every session
cadence-baseline = at the start
cadence-every-session = every session
cadence-every-n = every { $n } sessions
cadence-mid = mid-course
cadence-end = at the end

## Errors
error-go-home = Go to the start page
error-reference = Reference { $id }
error-unauthenticated = Please sign in
error-second-factor-required = Please confirm your sign-in with your second factor first
error-reauth-required = Please enter your password again
error-not-found = Not found
error-forbidden = You do not have access to this
error-invalid = Some values need correcting
error-bad-credentials = Email or password not recognised
error-throttled = Too many attempts — please wait a moment
error-expired = This link has expired or was already used
error-conflict = Someone else changed this in the meantime
error-idempotency-mismatch = This request repeats an earlier one with different content
error-in-progress = The same request is still being processed
error-internal = Something went wrong on our side
error-bad-request = The request could not be understood
error-unsupported-media-type = This kind of content is not accepted here
error-csrf = This form has expired; please reload the page and try again
error-method-not-allowed = This action is not available here
error-payload-too-large = What was sent is too large
error-timeout = This took too long
error-invalid-utf8 = The request contains invalid characters
error-malformed-form = The form data could not be read
error-unknown-field = The request contains a field that is not expected
error-missing-field = A required field is missing
error-bad-field = A field has a value of the wrong kind
error-malformed-json = The JSON could not be read
error-bad-idempotency-key = The Idempotency-Key header is not valid
detail-body-unreadable = The body of the request could not be read.
detail-invalid-utf8 = Text must be sent as UTF-8.
detail-malformed-form = The form is not valid URL-encoded data.
detail-unknown-field = Unexpected field: { $field }.
detail-missing-field = Missing field: { $field }.
detail-bad-field = The field { $field } has a value of the wrong kind.
detail-malformed-json = The JSON is not valid (line { $line }).
detail-bad-json-field = The field { $field } is not valid: { $reason }.
detail-idempotency-key = The key must be 1 to 200 visible characters.

## Field messages
msg-field-required = This is required.
msg-field-too-long = This is too long (at most { $max } characters).
msg-field-control-characters = This contains characters that cannot be used here.
msg-field-not-an-email = This does not look like an email address.
msg-field-taken = This is already in use.
msg-field-out-of-range = This value is not one of the choices.
msg-field-not-a-number = Please enter a whole number.
msg-field-not-a-date = Please enter a date as year-month-day.
msg-date-out-of-range = This date is not possible.
msg-password-too-short = The password must have at least { $min } characters.
msg-password-too-long = The password can have at most { $max } characters.
msg-password-common = This password is too common. Please choose another — a phrase of a few unrelated words works well.
msg-password-contains-name = The password must not contain “{ $word }”.
msg-password-wrong = The password is not correct.
msg-totp-wrong = That code is not right. Check the time on your phone and try the newest code.
msg-totp-used = That code was already used. Please wait for the next one.
msg-recovery-code-wrong = That recovery code is not valid or was already used.
msg-role-not-allowed = This role cannot be given here.
msg-cannot-change-self = You cannot change your own access here.
msg-supervision-roles = Choose an active supervisor and an active clinician.
msg-bad-credentials = Email or password not recognised.
msg-conflict = Someone else saved a change first. Your version is shown below; please review it and save again.
msg-throttled = Too many attempts. Please wait { $seconds } seconds.
