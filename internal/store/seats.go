package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/seats"
)

// ErrSeatsInput is a set of 学位 inputs that cannot be stored as given; the
// error says what to fix.
var ErrSeatsInput = errors.New("bad school places input")

// SeatsImport is one import of a county's 学位 inputs.
type SeatsImport struct {
	ID     int64
	County string
	Files  []string
	Tables []seats.Table
	Rows   int
	Actor  string
	At     time.Time // UTC
}

func seatsErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSeatsInput}, args...)...)
}

func knownStage(s seats.Stage) bool { return s.Grades() > 0 }

// ReplaceSeats stores d as county's 学位 inputs in one transaction: each
// table d carries replaces the county's rows of it, and the import is
// recorded with the actor and files. After the replacement every
// enrolment row, and every project without a catchment, must name a
// stored school of its stage; otherwise, or when a row is given twice,
// nothing is stored and the error (ErrSeatsInput) names the row. The forecast's own checks (a project's
// catchment, the history's shape) are the forecast's: they show on the
// page, not here, so that a county may store its tables one at a time.
func (s *Store) ReplaceSeats(ctx context.Context, actor, county string, files []string, d seats.Records) (_ SeatsImport, err error) {
	defer wrap(&err, "store school places of %s", county)
	if len(county) != 6 {
		return SeatsImport{}, seatsErr("%q is not a county code", county)
	}
	if len(d.Tables) == 0 {
		return SeatsImport{}, seatsErr("no table to store")
	}
	for _, t := range d.Tables {
		if !slices.Contains(seats.Tables, t) {
			return SeatsImport{}, seatsErr("unknown table %q", t)
		}
	}
	for _, sc := range d.Schools {
		if !knownStage(sc.Stage) {
			return SeatsImport{}, seatsErr("school %s: unknown stage %q", sc.Code, sc.Stage)
		}
	}
	for _, e := range d.Enrolment {
		if !knownStage(e.Stage) {
			return SeatsImport{}, seatsErr("enrolment of %s: unknown stage %q", e.School, e.Stage)
		}
	}
	for _, p := range d.Projects {
		if !knownStage(p.Stage) {
			return SeatsImport{}, seatsErr("project %q: unknown stage %q", p.Name, p.Stage)
		}
	}
	imp := SeatsImport{County: county, Files: files, Tables: d.Tables, Rows: d.Rows(), Actor: actor, At: s.now()}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for _, t := range d.Tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM seats_`+string(t)+` WHERE county_code = $1`, county); err != nil {
				return err
			}
		}
		if d.Has(seats.TableBirths) {
			for _, b := range d.Births {
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO seats_births (county_code, catchment, year, births, registered, resident)
					VALUES ($1, $2, $3, $4, $5, $6)`,
					county, b.Catchment, b.Year, b.Births, nullInt(b.Registered), nullInt(b.Resident)); err != nil {
					return dupErr(err, "births of catchment %s born %d given twice", b.Catchment, b.Year)
				}
			}
		}
		if d.Has(seats.TableSchools) {
			for _, sc := range d.Schools {
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO seats_schools (county_code, stage, code, name, catchment, places, classes, class_size)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
					county, string(sc.Stage), sc.Code, sc.Name, sc.Catchment, sc.Places, sc.Classes, sc.ClassSize); err != nil {
					return dupErr(err, "school %s (%s) given twice", sc.Code, sc.Stage.ZH())
				}
			}
		}
		if d.Has(seats.TableEnrolment) {
			for _, e := range d.Enrolment {
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO seats_enrolment (county_code, stage, school, year, grade, students)
					VALUES ($1, $2, $3, $4, $5, $6)`,
					county, string(e.Stage), e.School, e.Year, e.Grade, e.Students); err != nil {
					return dupErr(err, "school %s year %d grade %d given twice", e.School, e.Year, e.Grade)
				}
			}
		}
		if d.Has(seats.TableProjects) {
			for i, p := range d.Projects {
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO seats_projects (county_code, stage, seq, name, school, catchment, open_year, places, classes)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
					county, string(p.Stage), i+1, p.Name, p.School, p.Catchment, p.OpenYear, p.Places, p.Classes); err != nil {
					return err
				}
			}
		}
		// Every enrolment row names a school of its stage.
		var school, stage string
		var year, grade int
		err := tx.QueryRowContext(ctx, `
			SELECT e.school, e.stage, e.year, e.grade FROM seats_enrolment e
			WHERE e.county_code = $1 AND NOT EXISTS (
				SELECT 1 FROM seats_schools s WHERE s.county_code = e.county_code AND s.stage = e.stage AND s.code = e.school)
			ORDER BY e.stage, e.school, e.year, e.grade LIMIT 1`, county).Scan(&school, &stage, &year, &grade)
		switch {
		case err == nil:
			return seatsErr("the enrolment of school %s (%s, %d, grade %d) names no school of that stage among the schools: add the school to the schools table, or correct its code",
				school, seats.Stage(stage).ZH(), year, grade)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		// Every extension given without its catchment names a school of
		// its stage (a new school's project has its catchment).
		var name string
		err = tx.QueryRowContext(ctx, `
			SELECT p.name, p.school, p.stage FROM seats_projects p
			WHERE p.county_code = $1 AND p.catchment = '' AND NOT EXISTS (
				SELECT 1 FROM seats_schools s WHERE s.county_code = p.county_code AND s.stage = p.stage AND s.code = p.school)
			ORDER BY p.stage, p.seq LIMIT 1`, county).Scan(&name, &school, &stage)
		switch {
		case err == nil:
			return seatsErr("project %q extends school %s (%s), which is not among the schools, and gives no catchment: add the school, or give the project's catchment",
				name, school, seats.Stage(stage).ZH())
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		return tx.QueryRowContext(ctx, `
			INSERT INTO seats_imports (county_code, files, tables, row_count, actor, at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			county, strings.Join(files, ","), joinTables(d.Tables), imp.Rows, actor, imp.At).Scan(&imp.ID)
	})
	if err != nil {
		return SeatsImport{}, err
	}
	return imp, nil
}

// dupErr turns a primary-key violation into an ErrSeatsInput saying what
// was given twice.
func dupErr(err error, format string, args ...any) error {
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "unique") || strings.Contains(msg, "duplicate") || strings.Contains(msg, "primary key") {
		return seatsErr(format, args...)
	}
	return err
}

func joinTables(ts []seats.Table) string {
	var b []string
	for _, t := range ts {
		b = append(b, string(t))
	}
	return strings.Join(b, ",")
}

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

// Seats returns every stored 学位 input of county, every table carried,
// in a stable order (births by catchment and year; schools by stage and
// code; enrolment by stage, school, year and grade; projects by stage and
// their place in the list). A county with none returns empty tables.
func (s *Store) Seats(ctx context.Context, county string) (_ seats.Records, err error) {
	defer wrap(&err, "read school places of %s", county)
	d := seats.Records{Tables: slices.Clone(seats.Tables)}
	rows, err := s.db.QueryContext(ctx, `
		SELECT catchment, year, births, registered, resident FROM seats_births
		WHERE county_code = $1 ORDER BY catchment, year`, county)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var b seats.Births
		var reg, res sql.NullInt64
		if err := rows.Scan(&b.Catchment, &b.Year, &b.Births, &reg, &res); err != nil {
			rows.Close()
			return d, err
		}
		b.Registered, b.Resident = intPtr(reg), intPtr(res)
		d.Births = append(d.Births, b)
	}
	if err := closeRows(rows); err != nil {
		return d, err
	}
	rows, err = s.db.QueryContext(ctx, `
		SELECT stage, code, name, catchment, places, classes, class_size FROM seats_schools
		WHERE county_code = $1 ORDER BY stage, code`, county)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var sc seats.StageSchool
		if err := rows.Scan(&sc.Stage, &sc.Code, &sc.Name, &sc.Catchment, &sc.Places, &sc.Classes, &sc.ClassSize); err != nil {
			rows.Close()
			return d, err
		}
		d.Schools = append(d.Schools, sc)
	}
	if err := closeRows(rows); err != nil {
		return d, err
	}
	rows, err = s.db.QueryContext(ctx, `
		SELECT stage, school, year, grade, students FROM seats_enrolment
		WHERE county_code = $1 ORDER BY stage, school, year, grade`, county)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var e seats.StageEnrolment
		if err := rows.Scan(&e.Stage, &e.School, &e.Year, &e.Grade, &e.Students); err != nil {
			rows.Close()
			return d, err
		}
		d.Enrolment = append(d.Enrolment, e)
	}
	if err := closeRows(rows); err != nil {
		return d, err
	}
	rows, err = s.db.QueryContext(ctx, `
		SELECT stage, name, school, catchment, open_year, places, classes FROM seats_projects
		WHERE county_code = $1 ORDER BY stage, seq`, county)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var p seats.StageProject
		if err := rows.Scan(&p.Stage, &p.Name, &p.School, &p.Catchment, &p.OpenYear, &p.Places, &p.Classes); err != nil {
			rows.Close()
			return d, err
		}
		d.Projects = append(d.Projects, p)
	}
	return d, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// SeatsStages lists the stages of county's stored schools, in the order
// primary, junior, kindergarten; none when it has no 学位 inputs.
func (s *Store) SeatsStages(ctx context.Context, county string) (_ []seats.Stage, err error) {
	defer wrap(&err, "read school places stages of %s", county)
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT stage FROM seats_schools WHERE county_code = $1`, county)
	if err != nil {
		return nil, err
	}
	have := map[seats.Stage]bool{}
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			rows.Close()
			return nil, err
		}
		have[seats.Stage(st)] = true
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	var out []seats.Stage
	for _, st := range []seats.Stage{seats.Primary, seats.Junior, seats.Kindergarten} {
		if have[st] {
			out = append(out, st)
		}
	}
	return out, nil
}

// SeatsImports returns county's 学位 imports, newest first (none when it
// has none).
func (s *Store) SeatsImports(ctx context.Context, county string) (_ []SeatsImport, err error) {
	defer wrap(&err, "read school places imports of %s", county)
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, files, tables, row_count, actor, at FROM seats_imports
		WHERE county_code = $1 ORDER BY id DESC`, county)
	if err != nil {
		return nil, err
	}
	var out []SeatsImport
	for rows.Next() {
		im := SeatsImport{County: county}
		var files, tables string
		if err := rows.Scan(&im.ID, &files, &tables, &im.Rows, &im.Actor, &im.At); err != nil {
			rows.Close()
			return nil, err
		}
		if files != "" {
			im.Files = strings.Split(files, ",")
		}
		for _, t := range strings.Split(tables, ",") {
			if t != "" {
				im.Tables = append(im.Tables, seats.Table(t))
			}
		}
		im.At = im.At.UTC()
		out = append(out, im)
	}
	return out, closeRows(rows)
}
