package survey

import (
	"errors"
	"math/big"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/standards"
)

func national(t *testing.T) standards.SurveySample {
	t.Helper()
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	return r.Settings.SurveySample
}

func TestShippedQuestionnaires(t *testing.T) {
	for _, id := range Standards() {
		q, err := Standard(id)
		if err != nil {
			t.Fatal(err)
		}
		first, second := "认可", "比较认可"
		if id == AfterSchool {
			first, second = "满意", "比较满意" // a satisfaction survey
		}
		if q.Scale[0] != first || q.Scale[1] != second || q.Positive != 2 {
			t.Errorf("%s: scale %v positive %d", id, q.Scale, q.Positive)
		}
		rev := false
		for _, x := range q.Questions {
			rev = rev || x.Reverse
		}
		if !rev {
			t.Errorf("%s: no reversed question: straight-lining cannot be told", id)
		}
	}
	if q, _ := Standard(AfterSchool); q.BasisStandard() != "yzjh2017" {
		t.Errorf("the 课后服务 survey is planned from %s", q.BasisStandard())
	}
	if _, err := Standard("nope"); err == nil {
		t.Error("unknown standard: no error")
	}
	if _, err := Parse([]byte(`{"standard":"x","title":"t","scale":["a","b","c","d","e"],"positive":2,"rate_question":"z","groups":[{"id":"p"}],"stages":[{"id":"s"}],"questions":[{"id":"a","text":"t"}]}`)); err == nil {
		t.Error("a questionnaire without its rate question: no error")
	}
}

func TestSampleSize(t *testing.T) {
	s := national(t)
	for _, tc := range []struct {
		pop  int64
		want int
	}{{0, 200}, {150_000, 200}, {200_000, 200}, {200_001, 201}, {456_789, 457}, {999_999, 1000}, {1_000_000, 1000}, {3_000_000, 1000}} {
		if got := SampleSize(tc.pop, s); got != tc.want {
			t.Errorf("1‰ band, %d residents: %d, want %d", tc.pop, got, tc.want)
		}
	}
	old := standards.SurveySample{PerMille: 1.5, Min: 600, MinValidPercent: 70, PassPercent: 85}
	for _, tc := range []struct {
		pop  int64
		want int
	}{{300_000, 600}, {400_001, 601}, {2_000_000, 3000}} {
		if got := SampleSize(tc.pop, old); got != tc.want {
			t.Errorf("1.5‰ ≥600, %d residents: %d, want %d", tc.pop, got, tc.want)
		}
	}
}

func TestPlanQuotas(t *testing.T) {
	q, _ := Standard("xqpp2020")
	s := national(t)
	w := []*big.Rat{big.NewRat(1, 1), big.NewRat(1, 1), big.NewRat(1, 1)} // 城区, 镇区, 乡村 kindergartens
	p := MakePlan(q, s, 456_789, w)
	if p.Sample != 457 || p.MinValid != 320 { // 457 × 70 % = 319.9 → 320
		t.Fatalf("sample %d, min valid %d", p.Sample, p.MinValid)
	}
	// 70/20/5/5 of 457: 319.9, 91.4, 22.85, 22.85 → 319+91+22+22 = 454; the three largest remainders (.9, .85, .85) get one.
	if !slices.Equal(p.Groups, []int{320, 91, 23, 23}) {
		t.Errorf("groups %v", p.Groups)
	}
	if !slices.Equal(p.Areas, []int{153, 152, 152}) {
		t.Errorf("areas %v", p.Areas)
	}
	if got := Apportion(10, []*big.Rat{new(big.Rat), nil}); !slices.Equal(got, []int{0, 0}) {
		t.Errorf("zero weights: %v", got)
	}
}

func TestRate(t *testing.T) {
	q, _ := Standard("yzjh2017")
	a := Area{"城区", "primary"}
	resp := func(g string, overall int, st Status) Response {
		return Response{Group: g, Area: a, Status: st, Answers: map[string]int{"overall": overall}}
	}
	var rs []Response
	for range 17 {
		rs = append(rs, resp("parents", 1, StatusValid))
	}
	rs = append(rs, resp("parents", 2, StatusAccepted), resp("teachers", 3, StatusValid), resp("teachers", 5, StatusValid),
		resp("parents", 1, StatusFlagged), resp("parents", 5, StatusRejected))
	tl := q.Count(rs)
	if tl.All.Valid != 20 || tl.All.Positive != 18 || tl.All.Flagged != 1 || tl.All.Rejected != 1 || tl.All.Received != 22 {
		t.Fatalf("%+v", tl.All)
	}
	if tl.All.Rate().Cmp(big.NewRat(9, 10)) != 0 || Percent(tl.All.Rate(), 2) != "90.00" {
		t.Errorf("rate %v", tl.All.Rate())
	}
	if m := Margin(tl.All, 85); m.Cmp(big.NewRat(1, 20)) != 0 {
		t.Errorf("margin %v", m)
	}
	if tl.Groups[1].Valid != 2 || tl.Groups[1].Positive != 0 || !Passes(tl.Groups[0], 85) || Passes(tl.Groups[1], 85) {
		t.Errorf("teachers %+v", tl.Groups[1])
	}
	// Exactly 85 % passes; one short does not.
	if !Passes(Count{Valid: 20, Positive: 17}, 85) || Passes(Count{Valid: 2000, Positive: 1699}, 85) {
		t.Error("85 % compared inexactly")
	}
	lo, hi, _ := tl.All.Wilson()
	if lo < 0.6989 || lo > 0.6991 || hi < 0.9721 || hi > 0.9723 { // Wilson 18/20: 0.6990 – 0.9722
		t.Errorf("Wilson %f–%f", lo, hi)
	}
	if _, _, ok := (Count{}).Wilson(); ok || (Count{}).Rate() != nil {
		t.Error("empty count has a rate")
	}
}

func TestToken(t *testing.T) {
	key := []byte("secret")
	for _, tk := range []Token{{Survey: 1, Group: 0, Area: 2, Serial: 1}, {Survey: 99999, Group: 3, Area: 5, Serial: 123456}, {Survey: 7, Group: 1, Area: -1}} {
		s := Sign(key, tk)
		got, err := ParseToken(key, s)
		if err != nil || got != tk {
			t.Errorf("%+v → %s → %+v, %v", tk, s, got, err)
		}
		if _, err := ParseToken([]byte("other"), s); !errors.Is(err, ErrToken) {
			t.Errorf("another key accepted %s", s)
		}
		b := []byte(s)
		b[3] ^= 1
		if _, err := ParseToken(key, string(b)); err == nil {
			t.Errorf("altered %s accepted", b)
		}
	}
	start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	st := SignStart(key, "TOKEN", start)
	if got, err := ParseStart(key, "TOKEN", st); err != nil || !got.Equal(start) {
		t.Errorf("start %v %v", got, err)
	}
	if _, err := ParseStart(key, "OTHER", st); err == nil {
		t.Error("a start stamp moved to another code was accepted")
	}
	if AddressHash(key, "10.0.0.1") == AddressHash(key, "10.0.0.2") || len(AddressHash(key, "10.0.0.1")) != 13 {
		t.Error("address hash")
	}
}

func TestIntegrityRules(t *testing.T) {
	q, _ := Standard("yzjh2017")
	qs := q.QuestionsFor("parents")
	if len(qs) != 7 {
		t.Fatalf("parents answer %d questions", len(qs))
	}
	r := DefaultRules(2)
	all := func(v int) map[string]int {
		m := map[string]int{}
		for _, x := range qs {
			m[x.ID] = v
		}
		return m
	}
	honest := all(1)
	honest["burden"] = 4
	for _, tc := range []struct {
		name string
		c    Check
		want []Flag
	}{
		{"honest", Check{Questions: qs, Answers: honest, Elapsed: 14 * time.Second}, nil},
		{"too fast", Check{Questions: qs, Answers: honest, Elapsed: 13*time.Second + 999*time.Millisecond}, []Flag{FlagTooFast}},
		{"straight line", Check{Questions: qs, Answers: all(1), Elapsed: time.Minute}, []Flag{FlagStraightLine}},
		{"一般 throughout", Check{Questions: qs, Answers: all(3), Elapsed: time.Minute}, nil},
		{"device", Check{Questions: qs, Answers: honest, Elapsed: time.Minute, DeviceRecent: 3}, []Flag{FlagDeviceBurst}},
		{"device under", Check{Questions: qs, Answers: honest, Elapsed: time.Minute, DeviceRecent: 2}, nil},
		{"address", Check{Questions: qs, Answers: honest, Elapsed: time.Minute, AddressRecent: 30}, []Flag{FlagAddressBurst}},
		{"everything", Check{Questions: qs, Answers: all(5), Elapsed: time.Second, DeviceRecent: 9, AddressRecent: 99},
			[]Flag{FlagTooFast, FlagStraightLine, FlagDeviceBurst, FlagAddressBurst}},
	} {
		if got := r.Flags(tc.c); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	opens, closes := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 8, 0, 0, 0, 0, time.UTC)
	if !InWindow(opens, opens, closes) || InWindow(closes, opens, closes) || InWindow(opens.Add(-time.Second), opens, closes) {
		t.Error("window")
	}
}

func TestParseAnswers(t *testing.T) {
	q, _ := Standard("xqpp2020")
	qs := q.QuestionsFor("parents")
	f := url.Values{}
	for _, x := range qs {
		f.Set("q."+x.ID, "2")
	}
	if a, err := ParseAnswers(qs, f); err != nil || a["overall"] != 2 {
		t.Fatal(a, err)
	}
	f.Set("q.overall", "6")
	if _, err := ParseAnswers(qs, f); !errors.Is(err, ErrAnswer) {
		t.Error("6 accepted")
	}
	f.Del("q.overall")
	if _, err := ParseAnswers(qs, f); !errors.Is(err, ErrUnanswered) {
		t.Error("unanswered accepted")
	}
	f["q.overall"] = []string{"1", "2"}
	if _, err := ParseAnswers(qs, f); err == nil {
		t.Error("two answers accepted")
	}
}

func FuzzParseToken(f *testing.F) {
	key := []byte("k")
	f.Add(Sign(key, Token{Survey: 3, Group: 1, Area: 2, Serial: 40}))
	f.Add(Sign(key, Token{Survey: 3, Group: 1, Area: -1}))
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		tk, err := ParseToken(key, s)
		if err != nil {
			return
		}
		if tk.Survey <= 0 || tk.Serial < 0 || tk.Area < -1 || tk.Group < 0 {
			t.Fatalf("%q parsed to %+v", s, tk)
		}
		if again, err := ParseToken(key, Sign(key, tk)); err != nil || again != tk {
			t.Fatalf("%+v does not round-trip", tk)
		}
	})
}

func FuzzParseAnswers(f *testing.F) {
	q, _ := Standard("yzjh2017")
	qs := q.QuestionsFor("teachers")
	f.Add("q.overall=1&q.facilities=2")
	f.Add("q.overall=%zz")
	f.Add("q.facilities=1&q.teachers=2&q.enrolment=3&q.quality=4&q.burden=5&q.equity=1&q.pay=2&q.overall=1")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		a, err := ParseAnswers(qs, v)
		if err != nil {
			return
		}
		if len(a) != len(qs) {
			t.Fatalf("%d answers for %d questions", len(a), len(qs))
		}
		for id, x := range a {
			if x < 1 || x > Levels {
				t.Fatalf("%s = %d", id, x)
			}
		}
		if _, err := q.ParseArea(v); err == nil {
			if i, _ := q.ParseArea(v); i < 0 || i >= len(q.Areas()) {
				t.Fatal("area out of range")
			}
		}
	})
}
