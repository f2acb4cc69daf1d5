-- A rotation's 学段 (stage) as its ledger gives it: 'primary' or 'junior',
-- '' when not given (the pages then derive it from the schools' types, see
-- rotation.StageOf), so that the school rule moves the right stage's
-- teacher counts of a 九年一贯制 or 十二年一贯制 school.

-- +goose Up
ALTER TABLE rotations ADD COLUMN stage TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE rotations DROP COLUMN stage;
