-- Measures, safety alerts and safety plans (PostgreSQL). Same tables and columns as the SQLite
-- twin, with native types.
--
-- What stays plain and why: totals (in hundredths, the domain's fixed-point form), bands and the
-- codes of safety items that fired are needed by outcome queries, charts and dashboards, so they
-- are not sealed. They are numbers and codes, never free text. Every answer, every diary, every
-- action note and every safety plan is sealed with the clinic's data key.
-- Course and session ids are plain ids checked by the application (no foreign keys to course
-- tables).

-- One row per client: the order in which that client's submissions were recorded. Writing it
-- first in a submission's transaction also makes concurrent submissions for one client take turns.
CREATE TABLE measure_client_seq (
    client_id UUID PRIMARY KEY REFERENCES clients(id),
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    last_seq BIGINT NOT NULL
);

CREATE TABLE measure_submissions (
    id UUID PRIMARY KEY,
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    client_id UUID NOT NULL REFERENCES clients(id),
    seq BIGINT NOT NULL,
    instrument TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    language TEXT NOT NULL,
    respondent_id UUID NOT NULL REFERENCES users(id),
    respondent_role TEXT NOT NULL CHECK (respondent_role IN ('client', 'clinician')),
    mode TEXT NOT NULL CHECK (mode IN ('self', 'clinician-entered', 'proxy')),
    taken_at TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    course_id UUID,
    session_id UUID,
    -- Server-computed score in hundredths (plain: outcome queries use it).
    total_hundredths BIGINT NOT NULL,
    band TEXT,
    -- JSON list of {item, tier} for safety items that fired: codes only, no values.
    safety_flags TEXT NOT NULL,
    UNIQUE (client_id, seq)
);
CREATE INDEX measure_submissions_series ON measure_submissions(clinic_id, client_id, instrument, taken_at);

-- Item answers, one row per answered item; the answer itself is sealed.
CREATE TABLE measure_answers (
    id UUID PRIMARY KEY,
    submission_id UUID NOT NULL REFERENCES measure_submissions(id),
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    item TEXT NOT NULL,
    position BIGINT NOT NULL,
    answer BYTEA NOT NULL,
    UNIQUE (submission_id, item)
);

-- A social-rhythm diary week, sealed JSON of its days.
CREATE TABLE measure_diaries (
    submission_id UUID PRIMARY KEY REFERENCES measure_submissions(id),
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    body BYTEA NOT NULL
);

-- Safety alerts. At most one per submission (the unique constraint is the last guard against a
-- retried or duplicated submission raising a second alert).
CREATE TABLE alerts (
    id UUID PRIMARY KEY,
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    client_id UUID NOT NULL REFERENCES clients(id),
    submission_id UUID UNIQUE REFERENCES measure_submissions(id),
    tier TEXT NOT NULL CHECK (tier IN ('review', 'alert', 'urgent')),
    -- JSON list of reasons: codes, item ids and scores only.
    reasons TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged')),
    raised_at TIMESTAMPTZ NOT NULL,
    escalated_at TIMESTAMPTZ,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by UUID REFERENCES users(id),
    action_note BYTEA,
    CHECK ((status = 'open' AND acknowledged_at IS NULL AND acknowledged_by IS NULL AND action_note IS NULL)
        OR (status = 'acknowledged' AND acknowledged_at IS NOT NULL AND acknowledged_by IS NOT NULL AND action_note IS NOT NULL))
);
CREATE INDEX alerts_clinic_status ON alerts(clinic_id, status);
CREATE INDEX alerts_client ON alerts(client_id);

-- The clinicians responsible for an alert: those assigned to the client when it was raised.
CREATE TABLE alert_clinicians (
    alert_id UUID NOT NULL REFERENCES alerts(id),
    clinician_id UUID NOT NULL REFERENCES users(id),
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    PRIMARY KEY (alert_id, clinician_id)
);

-- One safety plan per client; every save adds a version.
CREATE TABLE safety_plans (
    id UUID PRIMARY KEY,
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    client_id UUID NOT NULL UNIQUE REFERENCES clients(id),
    current_version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE safety_plan_versions (
    id UUID PRIMARY KEY,
    plan_id UUID NOT NULL REFERENCES safety_plans(id),
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    version BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'complete')),
    saved_by UUID NOT NULL REFERENCES users(id),
    saved_at TIMESTAMPTZ NOT NULL,
    -- Sealed JSON of the plan.
    body BYTEA NOT NULL,
    UNIQUE (plan_id, version)
);
