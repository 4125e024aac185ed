-- Kith foundation schema (PostgreSQL). Same tables and columns as the SQLite schema, with native
-- types: UUID, TIMESTAMPTZ, BOOLEAN, BYTEA, BIGINT.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE clinics (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Data keys, each wrapped by the key-encryption key held outside the database.
-- scope is 'server' or the clinic id in text form; one active key per scope.
CREATE TABLE data_keys (
    id UUID PRIMARY KEY,
    scope TEXT NOT NULL,
    wrapped BYTEA NOT NULL,
    kek_id TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX data_keys_one_active ON data_keys(scope) WHERE active;

CREATE TABLE users (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    is_operator BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at TIMESTAMPTZ,
    locale TEXT,
    totp_secret BYTEA,
    totp_enrolled_at TIMESTAMPTZ,
    totp_last_step BIGINT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    user_id UUID NOT NULL REFERENCES users(id),
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    role TEXT NOT NULL CHECK (role IN ('clinic_admin', 'clinician', 'supervisor', 'client')),
    disabled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, clinic_id)
);
CREATE INDEX memberships_clinic ON memberships(clinic_id);

CREATE TABLE supervision (
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    supervisor_id UUID NOT NULL REFERENCES users(id),
    clinician_id UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (clinic_id, supervisor_id, clinician_id)
);

CREATE TABLE recovery_codes (
    user_id UUID NOT NULL REFERENCES users(id),
    code_hash BYTEA NOT NULL,
    used_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE setup_tokens (
    token_hash BYTEA PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);

CREATE TABLE invitations (
    id UUID PRIMARY KEY,
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clinic_admin', 'clinician', 'supervisor', 'client')),
    client_id UUID,
    token_hash BYTEA NOT NULL UNIQUE,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX invitations_clinic ON invitations(clinic_id);

CREATE TABLE auth_sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    clinic_id UUID,
    role TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    second_factor_at TIMESTAMPTZ,
    reauth_at TIMESTAMPTZ,
    csrf_token TEXT NOT NULL,
    source TEXT,
    user_agent TEXT,
    ended_at TIMESTAMPTZ
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at TIMESTAMPTZ,
    locked_until TIMESTAMPTZ
);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE clients (
    id UUID PRIMARY KEY,
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    display_name TEXT NOT NULL,
    date_of_birth DATE,
    contact BYTEA,
    portal_user_id UUID REFERENCES users(id),
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX clients_clinic ON clients(clinic_id);

CREATE TABLE assignments (
    client_id UUID NOT NULL REFERENCES clients(id),
    clinician_id UUID NOT NULL REFERENCES users(id),
    clinic_id UUID NOT NULL REFERENCES clinics(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_id, clinician_id)
);
CREATE INDEX assignments_clinician ON assignments(clinician_id);

-- Requests made safe to repeat: one row per (user, operation, key), written in the same
-- transaction as what the request created.
CREATE TABLE idempotency_keys (
    user_id UUID NOT NULL,
    route TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    response TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, route, key)
);

-- The audit trail: append-only and hash-chained (see kith_domain::audit).
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID,
    actor_role TEXT,
    clinic_id UUID,
    client_id UUID,
    object_type TEXT NOT NULL,
    object_id TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    source TEXT,
    detail TEXT,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL
);
CREATE INDEX audit_events_client ON audit_events(client_id, at);
CREATE INDEX audit_events_actor ON audit_events(actor_id, at);
CREATE INDEX audit_events_clinic ON audit_events(clinic_id, at);

CREATE FUNCTION kith_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION kith_audit_append_only();

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION kith_audit_append_only();
