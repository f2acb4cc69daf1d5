package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// ListEntry is a 校外培训机构 on a published white or black list
// (internal/training.Entry), as it was when published.
type ListEntry struct {
	Credit   string `json:"credit"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Field    string `json:"field,omitempty"`
	Licence  string `json:"licence,omitempty"`
	Address  string `json:"address,omitempty"`
	Grade    string `json:"grade,omitempty"`
	Reason   string `json:"reason"`
}

// TrainingLists is one publication of a county's white and black lists of
// a grading year.
type TrainingLists struct {
	ID          int64
	County      string
	Year        int
	PublishedBy string
	PublishedAt time.Time
	Version     int64 // the registry version the lists were drawn from
	White       []ListEntry
	Black       []ListEntry
}

// PublishTrainingLists publishes county's white and black lists of year,
// drawn from registry version, as actor: a new publication, audited; the
// earlier ones stay as they were.
func (s *Store) PublishTrainingLists(ctx context.Context, actor, county string, year int, version int64, white, black []ListEntry) (_ TrainingLists, err error) {
	defer wrap(&err, "publish the lists of %s", county)
	if len(county) != 6 || year < 2000 || year > 2100 {
		return TrainingLists{}, fmt.Errorf("%w: county %q, year %d", ErrCaseInput, county, year)
	}
	if white == nil {
		white = []ListEntry{}
	}
	if black == nil {
		black = []ListEntry{}
	}
	w, err := json.Marshal(white)
	if err != nil {
		return TrainingLists{}, err
	}
	b, err := json.Marshal(black)
	if err != nil {
		return TrainingLists{}, err
	}
	l := TrainingLists{County: county, Year: year, PublishedBy: actor, PublishedAt: s.now(), Version: version, White: white, Black: black}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO training_lists (county_code, year, published_by, published_at, version_id, white, black)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, county, year, actor, l.PublishedAt, version, string(w), string(b)).Scan(&l.ID); err != nil {
			return err
		}
		return auditTx(ctx, tx, l.PublishedAt, actor, "training.publish", county, fmt.Sprintf("lists %d", l.ID),
			fmt.Sprintf("%d 年度白名单 %d 家、黑名单 %d 家", year, len(white), len(black)))
	})
	return l, err
}

// TrainingListsOf returns county's publications, newest first.
func (s *Store) TrainingListsOf(ctx context.Context, county string) (_ []TrainingLists, err error) {
	defer wrap(&err, "the published lists of %s", county)
	return listOfRows(ctx, s.db, scanTrainingLists, `SELECT id, county_code, year, published_by, published_at, version_id, white, black
		FROM training_lists WHERE county_code = $1 ORDER BY id DESC`, county)
}

// LatestTrainingLists returns county's newest publication, or ErrNotFound.
func (s *Store) LatestTrainingLists(ctx context.Context, county string) (_ TrainingLists, err error) {
	defer wrap(&err, "the published lists of %s", county)
	return found(scanTrainingLists(s.db.QueryRowContext(ctx, `SELECT id, county_code, year, published_by, published_at, version_id, white, black
		FROM training_lists WHERE county_code = $1 ORDER BY id DESC LIMIT 1`, county)))
}

func scanTrainingLists(sc interface{ Scan(...any) error }) (TrainingLists, error) {
	var l TrainingLists
	var w, b string
	if err := sc.Scan(&l.ID, &l.County, &l.Year, &l.PublishedBy, &l.PublishedAt, &l.Version, &w, &b); err != nil {
		return l, err
	}
	l.PublishedAt = l.PublishedAt.UTC()
	if err := json.Unmarshal([]byte(w), &l.White); err != nil {
		return l, err
	}
	return l, json.Unmarshal([]byte(b), &l.Black)
}
