-- Alerts raised by a clinician who records identified risk in a session note, and the emergency
-- tier a clinician may choose.
--
-- note_id: the note that raised the alert (at most one alert per note, whatever its saves).
-- risk_text: what the clinician wrote about the risk when the alert was raised (sealed).
-- emergency: 1 for the emergency tier. The tier column's check predates that tier, and SQLite
-- cannot change a check without rebuilding the table, so an emergency alert is stored as tier
-- 'urgent' with this flag set; storage reads the two back as one tier.
ALTER TABLE alerts ADD COLUMN note_id BLOB REFERENCES session_notes(id);
ALTER TABLE alerts ADD COLUMN risk_text BLOB;
ALTER TABLE alerts ADD COLUMN emergency INTEGER NOT NULL DEFAULT 0 CHECK (emergency IN (0, 1));
CREATE UNIQUE INDEX alerts_note ON alerts(note_id);
