-- Kith foundation schema (SQLite). Ids are 16-byte UUID blobs; times are UTC text
-- 'YYYY-MM-DDTHH:MM:SS.ffffffZ' so that text order is time order; booleans are 0/1.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE clinics (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- Data keys, each wrapped by the key-encryption key held outside the database.
-- scope is 'server' or the clinic id in text form; one active key per scope.
CREATE TABLE data_keys (
    id BLOB PRIMARY KEY,
    scope TEXT NOT NULL,
    wrapped BLOB NOT NULL,
    kek_id TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX data_keys_one_active ON data_keys(scope) WHERE active = 1;

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    is_operator INTEGER NOT NULL DEFAULT 0,
    disabled_at TEXT,
    locale TEXT,
    totp_secret BLOB,
    totp_enrolled_at TEXT,
    totp_last_step INTEGER,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id BLOB NOT NULL REFERENCES users(id),
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    role TEXT NOT NULL CHECK (role IN ('clinic_admin', 'clinician', 'supervisor', 'client')),
    disabled_at TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, clinic_id)
);
CREATE INDEX memberships_clinic ON memberships(clinic_id);

CREATE TABLE supervision (
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    supervisor_id BLOB NOT NULL REFERENCES users(id),
    clinician_id BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (clinic_id, supervisor_id, clinician_id)
);

CREATE TABLE recovery_codes (
    user_id BLOB NOT NULL REFERENCES users(id),
    code_hash BLOB NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE setup_tokens (
    token_hash BLOB PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE invitations (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clinic_admin', 'clinician', 'supervisor', 'client')),
    client_id BLOB,
    token_hash BLOB NOT NULL UNIQUE,
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    revoked_at TEXT
);
CREATE INDEX invitations_clinic ON invitations(clinic_id);

CREATE TABLE auth_sessions (
    token_hash BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    clinic_id BLOB,
    role TEXT,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    second_factor_at TEXT,
    reauth_at TEXT,
    csrf_token TEXT NOT NULL,
    source TEXT,
    user_agent TEXT,
    ended_at TEXT
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TEXT,
    locked_until TEXT
);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE clients (
    id BLOB PRIMARY KEY,
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    display_name TEXT NOT NULL,
    date_of_birth TEXT,
    contact BLOB,
    portal_user_id BLOB REFERENCES users(id),
    created_by BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX clients_clinic ON clients(clinic_id);

CREATE TABLE assignments (
    client_id BLOB NOT NULL REFERENCES clients(id),
    clinician_id BLOB NOT NULL REFERENCES users(id),
    clinic_id BLOB NOT NULL REFERENCES clinics(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (client_id, clinician_id)
);
CREATE INDEX assignments_clinician ON assignments(clinician_id);

-- Requests made safe to repeat: one row per (user, operation, key), written in the same
-- transaction as what the request created.
CREATE TABLE idempotency_keys (
    user_id BLOB NOT NULL,
    route TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, route, key)
);

-- The audit trail: append-only and hash-chained (see kith_domain::audit).
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BLOB,
    actor_role TEXT,
    clinic_id BLOB,
    client_id BLOB,
    object_type TEXT NOT NULL,
    object_id TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    source TEXT,
    detail TEXT,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX audit_events_client ON audit_events(client_id, at);
CREATE INDEX audit_events_actor ON audit_events(actor_id, at);
CREATE INDEX audit_events_clinic ON audit_events(clinic_id, at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
