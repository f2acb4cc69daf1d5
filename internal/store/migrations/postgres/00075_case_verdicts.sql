-- A recognition case keeps the verdict each step was taken on (自评, 复核,
-- 评估, 复查, 认定: the verdict at each stage), and an inspection keeps the
-- people drawn for its 座谈会 (forum) beside the schools it visits.

-- +goose Up
ALTER TABLE case_events ADD COLUMN verdict TEXT NOT NULL DEFAULT ''; -- JSON: the verdict when the step was taken
ALTER TABLE inspections ADD COLUMN panel TEXT NOT NULL DEFAULT '';   -- JSON: the 座谈会 participants drawn

-- +goose Down
ALTER TABLE inspections DROP COLUMN panel;
ALTER TABLE case_events DROP COLUMN verdict;
