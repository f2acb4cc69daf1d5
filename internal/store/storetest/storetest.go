// Package storetest opens real databases for tests: SQLite in t.TempDir(),
// and PostgreSQL when DUDAO_TEST_POSTGRES names a server (a fresh database
// per test, dropped afterwards). scripts/pg-test-server.sh starts one.
//
// In CI (CI set) a test that asks for PostgreSQL fails when
// DUDAO_TEST_POSTGRES is missing, so a misconfigured pipeline cannot pass by
// skipping; elsewhere it skips.
package storetest

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

// EnvPostgres names the environment variable holding the URL of a
// PostgreSQL server the tests may create databases on.
const EnvPostgres = "DUDAO_TEST_POSTGRES"

// Open returns a migrated, empty store that is closed when the test ends:
// PostgreSQL when DUDAO_TEST_POSTGRES is set, SQLite otherwise.
func Open(t testing.TB) *store.Store {
	t.Helper()
	if os.Getenv(EnvPostgres) != "" {
		return OpenPostgres(t)
	}
	return OpenSQLite(t)
}

// OpenSQLite returns a migrated, empty SQLite store in t.TempDir().
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "dudao.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// OpenPostgres returns a migrated, empty store in a new database on the
// server named by DUDAO_TEST_POSTGRES; the database is dropped when the test
// ends. Without DUDAO_TEST_POSTGRES the test fails in CI and skips elsewhere.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN creates a new, empty database on the server named by
// DUDAO_TEST_POSTGRES, dropped when the test ends, and returns its address,
// for tests that open it more than once (two processes' handles, a raw
// connection). Without DUDAO_TEST_POSTGRES the test fails in CI and skips
// elsewhere.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		const how = EnvPostgres + " is not set; run eval \"$(scripts/pg-test-server.sh)\" to start a test server"
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set and " + how)
		}
		t.Skip(how)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	ctx := context.Background()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	crand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		adb.Close()
		t.Fatalf("create test database on %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		defer adb.Close()
		if _, err := adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Each runs f twice as subtests: "sqlite" on SQLite and "postgres" on
// PostgreSQL (see OpenPostgres for when that one skips or fails).
func Each(t *testing.T, f func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, OpenPostgres(t)) })
}

// Clock is a fake clock for store.Store.Now that advances one second per
// reading, so that every batch gets its own time.
func Clock(start time.Time) func() time.Time {
	t := start.Add(-time.Second)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

// Synthetic returns n plausible school records of year spread over counties
// counties (codes under real province prefixes), ordered by county and
// school code; the same seed gives the same records. About one school in
// ten is a 九年一贯制 school, one in twenty a 完全中学, one in twenty a 教学点;
// optional per-part columns are left unreported, and a few schools leave
// their backbone teachers unreported too.
func Synthetic(year, n, counties int, seed uint64) []census.School {
	r := rand.New(rand.NewPCG(seed, uint64(year)))
	provs := make([]string, 0, len(census.ProvinceNames))
	for p := range census.ProvinceNames {
		provs = append(provs, p)
	}
	slices.Sort(provs)
	codes := make([]string, counties)
	for i := range codes {
		p := provs[i%len(provs)]
		city := 1 + (i/len(provs))%20
		county := 1 + i/(len(provs)*20)
		codes[i] = fmt.Sprintf("%s%02d%02d", p, city, county)
	}
	slices.Sort(codes)
	out := make([]census.School, 0, n)
	for i := range n {
		c := i * counties / n // schools are spread evenly and stay in code order
		s := census.NewSchool()
		s.Year = year
		s.CountyCode = codes[c]
		s.CountyName = fmt.Sprintf("县%s", codes[c])
		s.Code = fmt.Sprintf("%s%04d", codes[c], i-(c*n+counties-1)/counties+1)
		s.Name = fmt.Sprintf("第%d学校", i+1)
		s.Ownership = "公办"
		s.Location = []string{"城区", "镇区", "乡村"}[r.IntN(3)]
		switch x := r.IntN(20); {
		case x < 2:
			s.Type = census.NineYear
		case x < 3:
			s.Type = census.CompleteSecondary
		case x < 4:
			s.Type = census.TeachingPoint
		case x < 13:
			s.Type = census.Primary
		default:
			s.Type = census.Junior
		}
		st := s.Type.Stages()
		var total float64
		for _, stage := range st {
			students := float64(20 + r.IntN(1500))
			if s.Type == census.TeachingPoint {
				students = float64(5 + r.IntN(60))
			}
			total += students
			sf, _ := census.StageField("students", stage)
			s.Set(sf, students)
			set := func(family string, per100 float64) {
				f, _ := census.StageField(family, stage)
				s.Set(f, math.Round(students*per100/100*(0.6+0.8*r.Float64())))
			}
			set("classes", 2.3)
			set("teachers", 7)
			set("qualified_teachers", 5.5)
			set("backbone_teachers", 1.3)
			set("pe_art_teachers", 1.1)
			f, _ := census.StageField("oversize_classes", stage)
			s.Set(f, float64(r.IntN(3)))
		}
		if s.Type == census.CompleteSecondary {
			senior := float64(200 + r.IntN(1500))
			s.Set(census.StudentsSenior, senior)
			total += senior
		}
		if r.IntN(50) == 0 {
			s.V[census.BackboneTeachersPrimary] = math.NaN()
			s.V[census.BackboneTeachersJunior] = math.NaN()
		}
		s.Set(census.CertifiedTeachers, math.Round(total*0.07))
		s.Set(census.TeachingArea, math.Round(total*(3+4*r.Float64())*10)/10)
		s.Set(census.SportsArea, math.Round(total*(5+8*r.Float64())*10)/10)
		s.Set(census.EquipmentValue, math.Round(total*(1500+2000*r.Float64())))
		s.Set(census.MultimediaRooms, math.Round(total*0.025*(0.6+0.8*r.Float64())))
		s.Set(census.MusicRoomsStandard, float64(r.IntN(3)))
		s.Set(census.ArtRoomsStandard, float64(r.IntN(3)))
		out = append(out, s)
	}
	return out
}
