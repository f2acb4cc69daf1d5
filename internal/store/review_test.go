package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

// reviewFixture imports 2024 schools of two counties of one city and a
// county record for each, and opens a task for 2024 over the city.
func reviewFixture(t *testing.T, s *store.Store) (task int64, schools []census.School, counties []string) {
	t.Helper()
	ctx := context.Background()
	s.Now = storetest.Clock(time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC))
	all := storetest.Synthetic(2024, 40, 2, 7)
	// Both counties into one city: rewrite the codes.
	for i := range all {
		all[i].CountyCode = "3402" + all[i].CountyCode[4:]
		if all[i].CountyCode != "340201" {
			all[i].CountyCode = "340202"
		}
		all[i].Code = fmt.Sprintf("%s%04d", all[i].CountyCode, i)
	}
	var recs []census.CountyRecord
	for _, c := range []string{"340201", "340202"} {
		r := countyRec(c)
		recs = append(recs, r)
	}
	if _, err := s.Import(ctx, "admin", []store.FileBatch{{File: "s.csv", Schools: all}, {File: "c.csv", Kind: "county", Counties: recs}}); err != nil {
		t.Fatal(err)
	}
	id, n, err := s.CreateTask(ctx, "city", store.Task{Title: "2024年义务教育学校填报", Year: 2024, Kinds: []string{"school", "county"},
		Region: "340200", OpenerLevel: review.LevelCity, Due: "2024-09-20", RemindDays: []int{7, 3, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(all)+2 {
		t.Fatalf("units %d, want %d", n, len(all)+2)
	}
	return id, all, []string{"340201", "340202"}
}

func TestReviewChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, schools, counties := reviewFixture(t, s)
		sc := schools[0]
		step := func(by review.Level, in store.StepInput) review.State {
			t.Helper()
			in.TaskID = id
			to, err := s.Step(ctx, "u-"+by.String(), by, in)
			if err != nil {
				t.Fatalf("%s %s: %v", in.Action, in.Code, err)
			}
			return to
		}
		edit := func(v float64) error {
			rec := sc
			rec.V[census.TeachersPrimary] = v
			_, err := s.SaveRecord(ctx, "school", &rec, false, nil)
			return err
		}
		if err := edit(31); err != nil {
			t.Fatalf("edit before submitting: %v", err)
		}
		step(review.LevelUnit, store.StepInput{Kind: review.Unit, Code: sc.Code, Action: review.Submit})
		var le *store.LockedError
		if err := edit(32); !errors.As(err, &le) || !strings.Contains(err.Error(), "已锁定") {
			t.Fatalf("edit of submitted data: %v", err)
		}
		// Returned with a reason on one field.
		step(review.LevelCounty, store.StepInput{Kind: review.Unit, Code: sc.Code, Action: review.Return, Reason: "请核对",
			Comments: []store.FieldComment{{RecordKind: census.KindSchool, Column: "teachers_primary", Reason: "与人事台账不符"}}})
		if err := edit(33); err != nil {
			t.Fatalf("edit of returned data: %v", err)
		}
		step(review.LevelUnit, store.StepInput{Kind: review.Unit, Code: sc.Code, Action: review.Submit})
		steps, err := s.Steps(ctx, id, sc.Code)
		if err != nil || len(steps) != 3 {
			t.Fatalf("steps %v %v", steps, err)
		}
		if c := steps[1].Comments; len(c) != 1 || c[0].Column != "teachers_primary" || c[0].Reason != "与人事台账不符" || steps[1].Reason != "请核对" {
			t.Fatalf("return step %+v", steps[1])
		}
		if steps[0].Round != 1 || steps[2].Round != 2 {
			t.Errorf("rounds %d %d", steps[0].Round, steps[2].Round)
		}
		// A county cannot go up before its units are approved.
		if _, err := s.Step(ctx, "c", review.LevelCounty, store.StepInput{TaskID: id, Kind: review.County, Code: sc.CountyCode, Action: review.Submit}); !errors.Is(err, store.ErrUnitsPending) {
			t.Fatalf("county submit early: %v", err)
		}
		// A school cannot approve itself.
		if _, err := s.Step(ctx, "s", review.LevelUnit, store.StepInput{TaskID: id, Kind: review.Unit, Code: sc.Code, Action: review.Approve}); !errors.Is(err, review.ErrLevel) {
			t.Fatalf("self approval: %v", err)
		}
		for _, x := range schools {
			if x.CountyCode != sc.CountyCode {
				continue
			}
			if x.Code != sc.Code {
				step(review.LevelCounty, store.StepInput{Kind: review.Unit, Code: x.Code, Action: review.Submit})
			}
			step(review.LevelCounty, store.StepInput{Kind: review.Unit, Code: x.Code, Action: review.Approve})
		}
		step(review.LevelCounty, store.StepInput{Kind: review.County, Code: sc.CountyCode, Action: review.Submit})
		if st := step(review.LevelCity, store.StepInput{Kind: review.County, Code: sc.CountyCode, Action: review.Accept}); st != review.Accepted {
			t.Fatalf("accept: %s", st)
		}
		ds, err := s.CountyDataStatus(ctx, sc.CountyCode, 2024)
		if err != nil || !ds.Official() || ds.Approved != ds.Units || ds.Units == 0 {
			t.Fatalf("data status %+v %v", ds, err)
		}
		if ds, _ := s.CountyDataStatus(ctx, counties[1], 2024); ds.Official() || ds.Task != id {
			t.Fatalf("other county %+v", ds)
		}
		if off, cov, err := s.OfficialCounties(ctx, 2024, "3402"); off != 1 || cov != 2 || err != nil {
			t.Fatalf("official counties %d of %d, %v", off, cov, err)
		}
		// Locked data: an import that changes a record is refused whole;
		// one that carries it unchanged is not.
		cur, err := s.Record(ctx, "school", 2024, sc.Code)
		if err != nil {
			t.Fatal(err)
		}
		same := *cur.(*census.School)
		changed := same
		changed.V[census.Books] = 99999
		other := schools[len(schools)-1]
		other.V[census.Books] = 123
		if _, err := s.Import(ctx, "x", []store.FileBatch{{File: "again.csv", Schools: []census.School{other, changed}}}); !errors.As(err, &le) {
			t.Fatalf("import over a lock: %v", err)
		}
		if r, _ := s.Record(ctx, "school", 2024, other.Code); r.Values()[census.Books] == 123 {
			t.Fatal("a refused import changed a record")
		}
		if _, err := s.Import(ctx, "x", []store.FileBatch{{File: "same.csv", Schools: []census.School{same}}}); err != nil {
			t.Fatalf("unchanged import: %v", err)
		}
		cr := countyRec(sc.CountyCode)
		cr.V[census.CTeacherPay] = 1
		if _, err := s.SaveRecord(ctx, "c", &cr, false, nil); !errors.As(err, &le) {
			t.Fatalf("county record edit after acceptance: %v", err)
		}
		// The county may not unlock what the city accepted; the city
		// unlocks with a reason, reopening one school.
		if _, err := s.Step(ctx, "c", review.LevelCounty, store.StepInput{TaskID: id, Kind: review.County, Code: sc.CountyCode, Action: review.Unapprove, Reason: "x"}); !errors.Is(err, review.ErrLevel) {
			t.Fatalf("county unlock: %v", err)
		}
		if _, err := s.Step(ctx, "c", review.LevelCity, store.StepInput{TaskID: id, Kind: review.County, Code: sc.CountyCode, Action: review.Unapprove}); !errors.Is(err, review.ErrReason) {
			t.Fatalf("unlock without reason: %v", err)
		}
		step(review.LevelCity, store.StepInput{Kind: review.County, Code: sc.CountyCode, Action: review.Unapprove, Reason: "教师数需更正", Also: []string{sc.Code}})
		if err := edit(34); err != nil {
			t.Fatalf("edit after unlock: %v", err)
		}
		u, _ := s.TaskUnit(ctx, id, review.Unit, sc.Code)
		if u.State != review.Returned {
			t.Fatalf("reopened school is %s", u.State)
		}
		log, err := s.AuditLog(ctx, "", 200)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			if strings.HasPrefix(e.Action, "review.") || e.Action == "task.create" {
				actions = append(actions, e.Action)
			}
		}
		for _, want := range []string{"task.create", "review.submit", "review.return", "review.approve", "review.accept", "review.unapprove", "review.reopen"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit lacks %s: %v", want, actions)
			}
		}
	})
}

func TestReviewConcurrentSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, schools, _ := reviewFixture(t, s)
		code := schools[1].Code
		if _, err := s.Step(ctx, "s", review.LevelUnit, store.StepInput{TaskID: id, Kind: review.Unit, Code: code, Action: review.Submit}); err != nil {
			t.Fatal(err)
		}
		// Eight reviewers approve and return at once: exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for i := range 8 {
			wg.Go(func() {
				in := store.StepInput{TaskID: id, Kind: review.Unit, Code: code, Action: review.Approve}
				if i%2 == 1 {
					in.Action, in.Reason = review.Return, "r"
				}
				if _, err := s.Step(ctx, "c", review.LevelCounty, in); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				} else if !errors.Is(err, review.ErrNotAllowed) {
					t.Errorf("step: %v", err)
				}
			})
		}
		wg.Wait()
		steps, _ := s.Steps(ctx, id, code)
		if ok != 1 || len(steps) != 2 {
			t.Fatalf("%d steps succeeded, %d recorded", ok, len(steps))
		}
	})
}

func TestSpotCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, schools, counties := reviewFixture(t, s)
		c, err := s.DrawSpotCheck(ctx, "city", id, counties[0], 10, 20240921)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Sample) != review.SampleSize(len(c.Population), 10) || len(c.Sample) == 0 {
			t.Fatalf("sample %v of %d", c.Sample, len(c.Population))
		}
		if again := review.Sample(c.Population, len(c.Sample), c.Seed); !slices.Equal(again, c.Sample) {
			t.Fatalf("the draw does not show again: %v vs %v", again, c.Sample)
		}
		code := c.Sample[0]
		for _, x := range schools {
			if x.CountyCode == counties[0] {
				s.Step(ctx, "c", review.LevelCounty, store.StepInput{TaskID: id, Kind: review.Unit, Code: x.Code, Action: review.Submit})
				s.Step(ctx, "c", review.LevelCounty, store.StepInput{TaskID: id, Kind: review.Unit, Code: x.Code, Action: review.Approve})
			}
		}
		if _, err := s.Step(ctx, "c", review.LevelCounty, store.StepInput{TaskID: id, Kind: review.County, Code: counties[0], Action: review.Submit}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordSpotFinding(ctx, "city", review.LevelCity, c.ID, code, "学籍系统", false, ""); !errors.Is(err, store.ErrTaskInput) {
			t.Fatalf("discrepancy without finding: %v", err)
		}
		if err := s.RecordSpotFinding(ctx, "city", review.LevelCity, c.ID, "999999999999", "学籍系统", true, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("finding on a unit not drawn: %v", err)
		}
		if err := s.RecordSpotFinding(ctx, "city", review.LevelCity, c.ID, code, "学籍系统", false, "在校生数比学籍系统多 12 人"); err != nil {
			t.Fatal(err)
		}
		u, _ := s.TaskUnit(ctx, id, review.Unit, code)
		cu, _ := s.TaskUnit(ctx, id, review.County, counties[0])
		if u.State != review.Returned || cu.State != review.Returned {
			t.Fatalf("after the finding: unit %s, county %s", u.State, cu.State)
		}
		steps, _ := s.Steps(ctx, id, code)
		if last := steps[len(steps)-1]; last.Action != review.Reopen || !strings.Contains(last.Reason, "多 12 人") {
			t.Fatalf("reopen step %+v", last)
		}
		checks, err := s.SpotChecks(ctx, id, counties[0])
		if err != nil || len(checks) != 1 || checks[0].Items[slices.IndexFunc(checks[0].Items, func(it store.SpotItem) bool { return it.Code == code })].Result != "discrepancy" {
			t.Fatalf("checks %+v %v", checks, err)
		}
	})
}

func TestReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, schools, counties := reviewFixture(t, s)
		at := func(day string, hour int) time.Time {
			d, _ := time.Parse(time.DateOnly, day)
			return d.Add(time.Duration(hour-8) * time.Hour) // Beijing hour
		}
		send := func(now time.Time) int {
			t.Helper()
			n, err := s.SendReminders(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// One to each school, one to each county counting its schools,
		// one to the city counting its counties.
		if n := send(at("2024-09-12", 9)); n != 0 {
			t.Fatalf("8 days before: %d sent", n)
		}
		if n, want := send(at("2024-09-13", 9)), len(schools)+len(counties)+1; n != want {
			t.Fatalf("7 days before: %d sent, want %d", n, want)
		}
		if n := send(at("2024-09-13", 10)); n != 0 {
			t.Fatalf("the same reminder again: %d sent", n)
		}
		// One school submits; it gets no more reminders.
		if _, err := s.Step(ctx, "s", review.LevelUnit, store.StepInput{TaskID: id, Kind: review.Unit, Code: schools[0].Code, Action: review.Submit}); err != nil {
			t.Fatal(err)
		}
		if n, want := send(at("2024-09-17", 9)), len(schools)-1+len(counties)+1; n != want {
			t.Fatalf("3 days before: %d sent, want %d", n, want)
		}
		if n, want := send(at("2024-09-21", 9)), len(schools)-1+len(counties)+1; n != want {
			t.Fatalf("overdue: %d sent, want %d", n, want)
		}
		ns, err := s.Notices(ctx, schools[1].CountyCode, schools[1].Code, 10)
		if err != nil || len(ns) != 3 || !strings.Contains(ns[0].Text, "逾期") {
			t.Fatalf("notices of a school: %+v %v", ns, err)
		}
		if ns, _ := s.Notices(ctx, schools[0].CountyCode, schools[0].Code, 10); len(ns) != 1 {
			t.Fatalf("notices of the school that submitted: %+v", ns)
		}
		if ns, _ := s.Notices(ctx, schools[0].CountyCode, "", 10); len(ns) != 3 || !strings.Contains(ns[1].Text, "个单位尚未提交") {
			t.Fatalf("the county's notices: %+v", ns)
		}
		if ns, _ := s.Notices(ctx, "340200", "", 100); len(ns) != 3 || !strings.Contains(ns[0].Text, "2 个县区尚未上报") {
			t.Fatalf("the city's notices: %+v", ns)
		}
		u, _ := s.TaskUnit(ctx, id, review.Unit, schools[0].Code)
		task, _ := s.Task(ctx, id)
		if got := review.TimelinessOf(task.Deadline(), u.FirstSubmitted, at("2024-09-22", 0)); got != review.OnTime {
			t.Errorf("timeliness %s", got)
		}
	})
}

func TestCreateTaskRefusals(t *testing.T) {
	s := storetest.OpenSQLite(t)
	ctx := context.Background()
	ok := store.Task{Title: "t", Year: 2024, Kinds: []string{"school"}, Region: "340200", OpenerLevel: review.LevelCity, Due: "2024-09-20"}
	for name, mod := range map[string]func(*store.Task){
		"no title":     func(t *store.Task) { t.Title = " " },
		"bad due":      func(t *store.Task) { t.Due = "9/20" },
		"no kinds":     func(t *store.Task) { t.Kinds = nil },
		"unknown kind": func(t *store.Task) { t.Kinds = []string{"hospital"} },
		"bad region":   func(t *store.Task) { t.Region = "34" },
		"bad year":     func(t *store.Task) { t.Year = 24 },
	} {
		task := ok
		mod(&task)
		if _, _, err := s.CreateTask(ctx, "x", task); !errors.Is(err, store.ErrTaskInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if tasks, _ := s.Tasks(ctx, ""); len(tasks) != 0 {
		t.Errorf("refused tasks were stored: %v", tasks)
	}
}
