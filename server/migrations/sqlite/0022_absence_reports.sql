-- A guardian's (or an adult pupil's own) report of absence: who reported it and their note
-- (no medical details). The report is an absence of kind 'reported_absence'.
ALTER TABLE absences ADD COLUMN reported_by BLOB REFERENCES persons (id);
ALTER TABLE absences ADD COLUMN note TEXT;
