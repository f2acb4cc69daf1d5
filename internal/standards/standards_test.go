package standards

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

func TestNationalYZJH2017Thresholds(t *testing.T) {
	r, err := Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	// standards.md §2.1, every threshold of both stages.
	want := map[string][2]float64{
		"qualified_teachers": {4.2, 5.3},
		"backbone_teachers":  {1.0, 1.0},
		"pe_art_teachers":    {0.9, 0.9},
		"teaching_area":      {4.5, 5.8},
		"sports_area":        {7.5, 10.2},
		"equipment_value":    {2000, 2500},
		"multimedia_rooms":   {2.3, 2.4},
	}
	if len(r.Indicators) != len(want) {
		t.Fatalf("%d indicators, want %d", len(r.Indicators), len(want))
	}
	for id, th := range want {
		ind := r.Indicator(id)
		if ind == nil {
			t.Fatalf("no indicator %s", id)
		}
		if ind.Thresholds[census.StagePrimary] != th[0] || ind.Thresholds[census.StageJunior] != th[1] {
			t.Errorf("%s thresholds %v, want %v", id, ind.Thresholds, th)
		}
	}
	if r.SchoolRule.MinMet != 6 || r.SchoolRule.Floor != 0.85 {
		t.Errorf("school rule %+v", r.SchoolRule)
	}
	if r.Balance.Kind != BalanceEach || r.Balance.Limits[census.StagePrimary] != 0.50 || r.Balance.Limits[census.StageJunior] != 0.45 {
		t.Errorf("balance %+v", r.Balance)
	}
	s := r.Settings
	if s.ExcludeTeachingPointsBelow != 0 || s.CVCompareDecimals != -1 || s.SplitWeights.Mode != "weighted" ||
		s.SplitWeights.NineYear[census.StageJunior] != 1.1 || s.SplitWeights.TwelveYear[census.StageSenior] != 1.32 ||
		s.SplitWeights.CompleteSecondary[census.StageSenior] != 1.2 {
		t.Errorf("national settings %+v", s)
	}
	if len(r.Changed) != 0 {
		t.Errorf("national changes nothing, got %v", r.Changed)
	}
}

func TestHebeiOverlaysNational(t *testing.T) {
	r, err := Resolve("yzjh2017", "hebei")
	if err != nil {
		t.Fatal(err)
	}
	if r.Settings.ExcludeTeachingPointsBelow != 50 {
		t.Errorf("hebei excludes teaching points below %d, want 50", r.Settings.ExcludeTeachingPointsBelow)
	}
	// Everything else is inherited from national.
	if r.Settings.SplitWeights.NineYear[census.StageJunior] != 1.1 || r.Settings.CVCompareDecimals != -1 {
		t.Errorf("hebei lost national settings: %+v", r.Settings)
	}
	if len(r.Changed) == 0 || !strings.Contains(strings.Join(r.Changed, ";"), "50") {
		t.Errorf("changes not described: %v", r.Changed)
	}
}

func TestResolveIsACopy(t *testing.T) {
	a, _ := Resolve("yzjh2017", "national")
	a.Indicator("qualified_teachers").Thresholds[census.StagePrimary] = 99
	a.Balance.Limits[census.StagePrimary] = 9
	b, _ := Resolve("yzjh2017", "national")
	if b.Indicator("qualified_teachers").Thresholds[census.StagePrimary] != 4.2 || b.Balance.Limits[census.StagePrimary] != 0.50 {
		t.Fatal("changing resolved rules changed the built-in standard")
	}
}

func TestUnknownIDs(t *testing.T) {
	if _, err := Resolve("nope", "national"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "yzjh2017") {
		t.Errorf("unknown standard: %v", err)
	}
	if _, err := Resolve("yzjh2017", "nope"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "hebei") {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestEveryPairResolves(t *testing.T) {
	for _, s := range List() {
		for _, p := range Profiles() {
			if _, err := Resolve(s.ID, p.ID); err != nil {
				t.Errorf("%s/%s: %v", s.ID, p.ID, err)
			}
		}
	}
	if Profiles()[0].ID != "national" {
		t.Error("national is listed first")
	}
}

// TestRecognitionClocksSetting: a profile sets its own statutory clocks;
// an invalid one is refused with the key named.
func TestRecognitionClocksSetting(t *testing.T) {
	p, err := ReadProfile([]byte(`{"id": "clocks-test", "settings": {"recognition_clocks": {"rectify_days": 20, "notice_days": 5}}}`), "national")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Resolve("yzjh2017", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Settings.Clocks
	if c.Rectify != 20 || c.Notice != 5 || c.Objection != 15 || c.AmberDays != 3 {
		t.Errorf("clocks %+v", c)
	}
	if len(r.Changed) == 0 || !strings.Contains(strings.Join(r.Changed, ";"), "整改 20 天") {
		t.Errorf("the change is not listed: %v", r.Changed)
	}
	_, err = ReadProfile([]byte(`{"id": "clocks-bad", "settings": {"recognition_clocks": {"rectify_days": 0}}}`), "national")
	if err == nil || !strings.Contains(err.Error(), "rectify_days") {
		t.Errorf("a zero clock: %v", err)
	}
}

// TestShared: Shared resolves a standard under a profile once and hands
// every caller the same rules, equal to a fresh Resolve; a profile file read
// later under the same id is resolved afresh, and an unknown one is an error.
func TestShared(t *testing.T) {
	a, err := Shared("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Shared("yzjh2017", "national")
	if err != nil || a != b {
		t.Fatalf("second Shared: %p %p %v", a, b, err)
	}
	fresh, err := Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, fresh) {
		t.Error("Shared's rules differ from Resolve's")
	}
	if _, err := Shared("yzjh2017", "no-such-profile"); err == nil {
		t.Error("unknown profile: no error")
	}
	for _, days := range []int{21, 34} {
		if _, err := ReadProfile(fmt.Appendf(nil, `{"id": "shared-test", "settings": {"recognition_clocks": {"rectify_days": %d, "notice_days": 5}}}`, days), "national"); err != nil {
			t.Fatal(err)
		}
		r, err := Shared("yzjh2017", "shared-test")
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Settings.Clocks.Rectify; got != days {
			t.Errorf("after reading the profile with %d days, Shared gives %d", days, got)
		}
	}
	// Read while the profile changes: once the changes end, Shared gives
	// the last one, whatever the readers kept meanwhile.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := Shared("yzjh2017", "shared-test"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	last := 0
	for days := 40; days < 60; days++ {
		if _, err := ReadProfile(fmt.Appendf(nil, `{"id": "shared-test", "settings": {"recognition_clocks": {"rectify_days": %d, "notice_days": 5}}}`, days), "national"); err != nil {
			t.Fatal(err)
		}
		last = days
	}
	close(stop)
	wg.Wait()
	r, err := Shared("yzjh2017", "shared-test")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Settings.Clocks.Rectify; got != last {
		t.Errorf("after the changes, Shared gives %d days, want %d", got, last)
	}
}

// TestReadersWaitForData: the embedded data are decoded in the background
// from init; every function that reads them waits until they are.
func TestReadersWaitForData(t *testing.T) {
	loaded()
	orig := loadedData
	loadedData = make(chan struct{}) // as if still decoding
	readers := map[string]func(){
		"List":        func() { List() },
		"Profiles":    func() { Profiles() },
		"Resolve":     func() { _, _ = Resolve("yzjh2017", "national") },
		"Shared":      func() { _, _ = Shared("yzjh2017", "national") },
		"ReadProfile": func() { _, _ = ReadProfile([]byte(`{"id": "waits"}`), "national") },
	}
	var wg sync.WaitGroup
	var returned sync.Map
	for name, read := range readers {
		wg.Go(func() {
			read()
			returned.Store(name, true)
		})
	}
	time.Sleep(50 * time.Millisecond)
	returned.Range(func(name, _ any) bool {
		t.Errorf("%s returned before the data were decoded", name)
		return true
	})
	close(loadedData)
	wg.Wait()
	loadedData = orig
}
