package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dudao-edu/dudao/internal/census"
)

// Scenario is a named what-if of one county in one base year: new values of
// some census numbers of some schools. Saving one never changes the school
// records.
type Scenario struct {
	ID     int64
	County string
	Year   int
	Name   string
	// Changes maps school code → census column key → the value to use.
	Changes   map[string]map[string]float64
	Note      string
	Actor     string
	CreatedAt time.Time // UTC
	UpdatedAt time.Time // UTC
}

// validate checks a scenario before it is stored: a county, a year, a name
// of at most 100 characters, and changes to numeric census columns with
// finite values.
func (sc *Scenario) validate() error {
	sc.Name = strings.TrimSpace(sc.Name)
	switch {
	case sc.County == "" || sc.Year == 0:
		return fmt.Errorf("a scenario needs a county and a year")
	case sc.Name == "" || utf8.RuneCountInString(sc.Name) > 100:
		return fmt.Errorf("a scenario needs a name of 1 to 100 characters")
	}
	for code, cols := range sc.Changes {
		if code == "" {
			return fmt.Errorf("a change without a school code")
		}
		for key, v := range cols {
			if _, ok := census.FieldByKey(key); !ok {
				return fmt.Errorf("school %s: %q is not a numeric census column", code, key)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("school %s: %s is not a number", code, key)
			}
		}
	}
	return nil
}

// SaveScenario stores sc under its county, year and name, replacing the
// changes and note of a scenario saved before under the same name, and
// returns it as stored.
func (s *Store) SaveScenario(ctx context.Context, sc Scenario) (_ Scenario, err error) {
	defer wrap(&err, "save scenario %q of %s in %d", sc.Name, sc.County, sc.Year)
	if err := sc.validate(); err != nil {
		return Scenario{}, err
	}
	if sc.Changes == nil {
		sc.Changes = map[string]map[string]float64{}
	}
	b, err := json.Marshal(sc.Changes)
	if err != nil {
		return Scenario{}, err
	}
	at := s.now()
	err = s.db.QueryRowContext(ctx, `
		INSERT INTO scenarios (county_code, year, name, changes, note, actor, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (county_code, year, name) DO UPDATE
		SET changes = excluded.changes, note = excluded.note, actor = excluded.actor, updated_at = excluded.updated_at
		RETURNING id`,
		sc.County, sc.Year, sc.Name, string(b), sc.Note, sc.Actor, at, at).Scan(&sc.ID)
	if err != nil {
		return Scenario{}, err
	}
	return s.Scenario(ctx, sc.ID)
}

const scenarioColumns = `id, county_code, year, name, changes, note, actor, created_at, updated_at`

func scanScenario(row interface{ Scan(...any) error }) (Scenario, error) {
	var sc Scenario
	var changes string
	if err := row.Scan(&sc.ID, &sc.County, &sc.Year, &sc.Name, &changes, &sc.Note, &sc.Actor, &sc.CreatedAt, &sc.UpdatedAt); err != nil {
		return Scenario{}, err
	}
	if err := json.Unmarshal([]byte(changes), &sc.Changes); err != nil {
		return Scenario{}, fmt.Errorf("scenario %d: changes: %w", sc.ID, err)
	}
	sc.CreatedAt, sc.UpdatedAt = sc.CreatedAt.UTC(), sc.UpdatedAt.UTC()
	return sc, nil
}

// Scenario returns the scenario with id; it returns ErrNotFound if there is none.
func (s *Store) Scenario(ctx context.Context, id int64) (_ Scenario, err error) {
	defer wrap(&err, "scenario %d", id)
	sc, err := scanScenario(s.db.QueryRowContext(ctx, `SELECT `+scenarioColumns+` FROM scenarios WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Scenario{}, ErrNotFound
	}
	return sc, err
}

// Scenarios returns the scenarios of county (of year, or of every year when
// year is 0), newest first, or an empty list.
func (s *Store) Scenarios(ctx context.Context, county string, year int) (_ []Scenario, err error) {
	defer wrap(&err, "scenarios of %s", county)
	q := `SELECT ` + scenarioColumns + ` FROM scenarios WHERE county_code = $1`
	args := []any{county}
	if year != 0 {
		q += ` AND year = $2`
		args = append(args, year)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY updated_at DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Scenario{}
	for rows.Next() {
		sc, err := scanScenario(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// DeleteScenario removes the scenario with id; it returns ErrNotFound if
// there is none.
func (s *Store) DeleteScenario(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "delete scenario %d", id)
	res, err := s.db.ExecContext(ctx, `DELETE FROM scenarios WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}
