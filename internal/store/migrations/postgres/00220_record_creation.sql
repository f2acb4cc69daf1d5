-- A record's creation (which batch added it, and when) moves from a row
-- of record_changes with column_key '' onto the record's own row: a first
-- import wrote one history row per record, into three B-trees (the table
-- and its two indexes), which made most of its writes. created_batch is
-- the batch that added the record; created_at is NULL when the record was
-- created at its batch's imported_at (every creation an import or an edit
-- makes), and the time otherwise. created_batch has no REFERENCES: it is
-- the batch_id the row was inserted with, which batch_id's own key checks.
-- record_changes keeps the changed columns, and any creation row this
-- migration could not place on a record (there is none unless records
-- were removed by hand), which History still reads from there.
--
-- record_changes_batch goes: no query reads the history by batch, and
-- batches are never deleted, so the foreign key never looks it up.

-- +goose Up
ALTER TABLE school_records ADD COLUMN created_batch BIGINT, ADD COLUMN created_at TIMESTAMPTZ;
ALTER TABLE kindergarten_records ADD COLUMN created_batch BIGINT, ADD COLUMN created_at TIMESTAMPTZ;
ALTER TABLE county_records ADD COLUMN created_batch BIGINT, ADD COLUMN created_at TIMESTAMPTZ;

-- each record's first creation row
CREATE TEMPORARY TABLE record_created ON COMMIT DROP AS
SELECT DISTINCT ON (c.kind, c.year, c.school_code)
    c.id, c.kind, c.year, c.school_code, c.batch_id, NULLIF(c.changed_at, b.imported_at) AS created_at
FROM record_changes c JOIN import_batches b ON b.id = c.batch_id
WHERE c.column_key = ''
ORDER BY c.kind, c.year, c.school_code, c.id;

UPDATE school_records r SET created_batch = f.batch_id, created_at = f.created_at
FROM record_created f
WHERE f.kind = 'school' AND f.year = r.year AND f.school_code = r.school_code;
UPDATE kindergarten_records r SET created_batch = f.batch_id, created_at = f.created_at
FROM record_created f
WHERE f.kind = 'kindergarten' AND f.year = r.year AND f.school_code = r.kindergarten_code;
UPDATE county_records r SET created_batch = f.batch_id, created_at = f.created_at
FROM record_created f
WHERE f.kind = 'county' AND f.year = r.year AND f.school_code = r.county_code;

-- the creation rows just placed
DELETE FROM record_changes c USING record_created f
WHERE c.id = f.id AND CASE f.kind
    WHEN 'school' THEN EXISTS (SELECT 1 FROM school_records r
        WHERE r.year = f.year AND r.school_code = f.school_code)
    WHEN 'kindergarten' THEN EXISTS (SELECT 1 FROM kindergarten_records r
        WHERE r.year = f.year AND r.kindergarten_code = f.school_code)
    WHEN 'county' THEN EXISTS (SELECT 1 FROM county_records r
        WHERE r.year = f.year AND r.county_code = f.school_code)
    ELSE false END;

DROP INDEX record_changes_batch;

-- +goose Down
CREATE INDEX record_changes_batch ON record_changes (batch_id);

INSERT INTO record_changes (batch_id, year, school_code, column_key, old_value, new_value, changed_at, kind)
SELECT r.created_batch, r.year, r.school_code, '', NULL, NULL, COALESCE(r.created_at, b.imported_at), 'school'
FROM school_records r JOIN import_batches b ON b.id = r.created_batch;
INSERT INTO record_changes (batch_id, year, school_code, column_key, old_value, new_value, changed_at, kind)
SELECT r.created_batch, r.year, r.kindergarten_code, '', NULL, NULL, COALESCE(r.created_at, b.imported_at), 'kindergarten'
FROM kindergarten_records r JOIN import_batches b ON b.id = r.created_batch;
INSERT INTO record_changes (batch_id, year, school_code, column_key, old_value, new_value, changed_at, kind)
SELECT r.created_batch, r.year, r.county_code, '', NULL, NULL, COALESCE(r.created_at, b.imported_at), 'county'
FROM county_records r JOIN import_batches b ON b.id = r.created_batch;

-- Number the history again in the order the old schema wrote it: by
-- batch, and within a batch a record's creation before any change (a file
-- or an edit names a record once, so this only puts creations back in
-- front of the changes of other records of their batch).
UPDATE record_changes SET id = -id;
UPDATE record_changes c SET id = n.rn
FROM (SELECT id, row_number() OVER (ORDER BY batch_id, column_key <> '', -id) AS rn FROM record_changes) AS n
WHERE c.id = n.id;
SELECT setval(pg_get_serial_sequence('record_changes', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM record_changes;

ALTER TABLE county_records DROP COLUMN created_at, DROP COLUMN created_batch;
ALTER TABLE kindergarten_records DROP COLUMN created_at, DROP COLUMN created_batch;
ALTER TABLE school_records DROP COLUMN created_at, DROP COLUMN created_batch;
