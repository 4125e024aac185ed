-- Alerts raised by a clinician who records identified risk in a session note, and the emergency
-- tier a clinician may choose. Same columns as the SQLite twin: an emergency alert is stored as
-- tier 'urgent' with `emergency` set, so both backends read and write it the same way.
ALTER TABLE alerts ADD COLUMN note_id UUID REFERENCES session_notes(id);
ALTER TABLE alerts ADD COLUMN risk_text BYTEA;
ALTER TABLE alerts ADD COLUMN emergency BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX alerts_note ON alerts(note_id);
