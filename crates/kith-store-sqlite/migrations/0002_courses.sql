-- Kith courses of treatment (SQLite): courses and contracts, sessions and the protocol tasks done in
-- them, session notes with addenda and sign-off, process notes, the interpersonal inventory and its
-- snapshots, the timeline, formulation revisions, goals and worksheets.
--
-- Every row carries clinic_id and every query filters by it. Free text is never stored in clear:
-- each table keeps a few plain metadata columns (ids, status codes, versions, times, session
-- numbers, protocol and problem-area ids) and one sealed `body` (or `intake`, `text`) column
-- holding the content. Codes kept plain are ids from the protocol files, not anything a person
-- typed, so that caseload and outcome queries can group by them.

CREATE TABLE courses (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    client_id BLOB NOT NULL REFERENCES clients(id),
    protocol_id TEXT NOT NULL,
    protocol_version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    outcome TEXT CHECK (outcome IN ('ended', 'continuation', 'maintenance')),
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    created_by BLOB NOT NULL REFERENCES users(id),
    -- Sealed JSON: diagnosis, psychoeducation, sick role, medication, concurrent treatment.
    intake BLOB,
    -- The contract in force. contract_sessions is NULL for an open-ended contract.
    contract_sessions INTEGER,
    contract_frequency TEXT NOT NULL,
    contract_planned_end TEXT,
    contract_agreed_at_session INTEGER,
    -- Sealed JSON: focus text and participants.
    contract_body BLOB NOT NULL,
    ending_raised_at_session INTEGER,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX courses_client ON courses(clinic_id, client_id);

-- Every change of an agreed contract, never edited: the terms before and after and the reason
-- are sealed in body.
CREATE TABLE course_contract_changes (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    course_id BLOB NOT NULL REFERENCES courses(id),
    at_session INTEGER NOT NULL,
    on_date TEXT,
    from_sessions INTEGER,
    to_sessions INTEGER,
    body BLOB NOT NULL,
    changed_by BLOB NOT NULL REFERENCES users(id),
    changed_at TEXT NOT NULL
);
CREATE INDEX course_contract_changes_course ON course_contract_changes(course_id, changed_at);

CREATE TABLE course_sessions (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    course_id BLOB NOT NULL REFERENCES courses(id),
    number INTEGER NOT NULL CHECK (number >= 0),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'missed', 'cancelled')),
    scheduled_for TEXT,
    held_at TEXT,
    -- A reason code for a missed or cancelled session (a code, not free text).
    reason TEXT,
    -- Phase id as the engine derived it when the session was held, kept for history.
    phase TEXT,
    version INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX course_sessions_course ON course_sessions(course_id, number);
-- A contract place is held once.
CREATE UNIQUE INDEX course_sessions_held_once ON course_sessions(course_id, number) WHERE status = 'held';

-- Protocol tasks done in a session: ticked by hand or evidenced by a section of the signed note.
CREATE TABLE session_tasks (
    session_id BLOB NOT NULL REFERENCES course_sessions(id),
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    task_id TEXT NOT NULL,
    how TEXT NOT NULL CHECK (how IN ('ticked', 'note')),
    note_section TEXT,
    marked_by BLOB NOT NULL REFERENCES users(id),
    marked_at TEXT NOT NULL,
    PRIMARY KEY (session_id, task_id)
);

-- One clinical note per session. Once signed_at is set the row never changes again (trigger
-- below); content_hash is the SHA-256 of the signed canonical content, checked on every read.
CREATE TABLE session_notes (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    course_id BLOB NOT NULL REFERENCES courses(id),
    session_id BLOB NOT NULL UNIQUE REFERENCES course_sessions(id),
    template TEXT NOT NULL,
    -- Sealed JSON: the sections (section id -> value) and the task ids the note ticks.
    body BLOB NOT NULL,
    author_id BLOB NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    signed_by BLOB REFERENCES users(id),
    signed_at TEXT,
    content_hash BLOB
);

CREATE TRIGGER session_notes_signed_no_update BEFORE UPDATE ON session_notes
WHEN OLD.signed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a signed note is append-only: corrections go in an addendum');
END;

CREATE TRIGGER session_notes_signed_no_delete BEFORE DELETE ON session_notes
WHEN OLD.signed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a signed note is append-only: corrections go in an addendum');
END;

CREATE TABLE note_addenda (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    note_id BLOB NOT NULL REFERENCES session_notes(id),
    text BLOB NOT NULL,
    author_id BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX note_addenda_note ON note_addenda(note_id, created_at);

CREATE TRIGGER note_addenda_no_update BEFORE UPDATE ON note_addenda
BEGIN
    SELECT RAISE(ABORT, 'note addenda are append-only');
END;

CREATE TRIGGER note_addenda_no_delete BEFORE DELETE ON note_addenda
BEGIN
    SELECT RAISE(ABORT, 'note addenda are append-only');
END;

-- A supervisor's sign-off of a signed note (at most one per note).
CREATE TABLE note_signoffs (
    note_id BLOB PRIMARY KEY REFERENCES session_notes(id),
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    supervisor_id BLOB NOT NULL REFERENCES users(id),
    comment BLOB,
    signed_off_at TEXT NOT NULL
);

-- A clinician's private process notes: every query names the author.
CREATE TABLE process_notes (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    client_id BLOB NOT NULL REFERENCES clients(id),
    course_id BLOB REFERENCES courses(id),
    session_id BLOB REFERENCES course_sessions(id),
    author_id BLOB NOT NULL REFERENCES users(id),
    text BLOB NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX process_notes_author ON process_notes(clinic_id, author_id, client_id);

-- People of a client's interpersonal inventory (sealed JSON of the person). Removal is soft.
CREATE TABLE inventory_people (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    client_id BLOB NOT NULL REFERENCES clients(id),
    body BLOB NOT NULL,
    version INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX inventory_people_client ON inventory_people(clinic_id, client_id);

-- The inventory as a whole (completed date, clinician's summary, who seems to be missing), one
-- sealed document per client.
CREATE TABLE inventory_notes (
    client_id BLOB PRIMARY KEY REFERENCES clients(id),
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    body BLOB NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- A sealed copy of the whole inventory at a moment of a course.
CREATE TABLE inventory_snapshots (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    client_id BLOB NOT NULL REFERENCES clients(id),
    course_id BLOB NOT NULL REFERENCES courses(id),
    label TEXT NOT NULL CHECK (label IN ('intake', 'mid-course', 'termination', 'custom')),
    body BLOB NOT NULL,
    taken_by BLOB NOT NULL REFERENCES users(id),
    taken_at TEXT NOT NULL
);
CREATE INDEX inventory_snapshots_course ON inventory_snapshots(course_id, taken_at);

-- Life events, mood entries and mood episodes of a client's timeline. Removal is soft.
CREATE TABLE timeline_entries (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    client_id BLOB NOT NULL REFERENCES clients(id),
    kind TEXT NOT NULL CHECK (kind IN ('event', 'mood', 'episode')),
    body BLOB NOT NULL,
    version INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX timeline_entries_client ON timeline_entries(clinic_id, client_id);

-- Onset of the current episode, one per client (body NULL once cleared).
CREATE TABLE timeline_onsets (
    client_id BLOB PRIMARY KEY REFERENCES clients(id),
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    body BLOB,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- Every revision of a course's formulation, never edited. primary_area is a protocol area id.
CREATE TABLE formulations (
    course_id BLOB NOT NULL REFERENCES courses(id),
    revision INTEGER NOT NULL,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    primary_area TEXT,
    at_session INTEGER,
    body BLOB NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (course_id, revision)
);

-- The client's agreement to one revision of the formulation.
CREATE TABLE formulation_agreements (
    course_id BLOB NOT NULL,
    revision INTEGER NOT NULL,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    agreed_on TEXT NOT NULL,
    at_session INTEGER NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (course_id, revision),
    FOREIGN KEY (course_id, revision) REFERENCES formulations(course_id, revision)
);

CREATE TABLE goals (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    course_id BLOB NOT NULL REFERENCES courses(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'achieved', 'partly', 'not-achieved', 'dropped')),
    body BLOB NOT NULL,
    version INTEGER NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX goals_course ON goals(course_id, created_at);

-- Worksheet instances: kind and definition version name a worksheet definition; the answers,
-- the clinician's comment and the links to people and goals are sealed in body.
CREATE TABLE worksheets (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    client_id BLOB NOT NULL REFERENCES clients(id),
    course_id BLOB NOT NULL REFERENCES courses(id),
    session_id BLOB REFERENCES course_sessions(id),
    kind TEXT NOT NULL,
    definition_version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'complete', 'reviewed')),
    visibility TEXT NOT NULL CHECK (visibility IN ('shared', 'clinician-private')),
    created_by BLOB NOT NULL REFERENCES users(id),
    created_by_role TEXT NOT NULL CHECK (created_by_role IN ('client', 'clinician')),
    due_on TEXT,
    reviewed_session_id BLOB REFERENCES course_sessions(id),
    body BLOB NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT
);
CREATE INDEX worksheets_course ON worksheets(course_id, created_at);
CREATE INDEX worksheets_due ON worksheets(clinic_id, due_on) WHERE due_on IS NOT NULL;
