package demo

import (
	"slices"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// storyItem maps a whole-standard story to the item it makes fail, by standard.
var storyItem = map[string]map[string]string{
	"yzjh2017": {WholeRotation: "teacher_rotation", WholePay: "teacher_salary", WholeRetention: "junior_retention",
		WholeRecognition: "social_recognition", WholeBasicYear: "basic_balance", WholeTraining: "training_budget_share",
		WholeRooms: "music_art_rooms", WholeClassSize: "class_size", WholeCert: "teacher_certification"},
	"xqpp2020": {WholeGross: "gross_enrollment", WholePublic: "public_share", WholeKgClassSize: "class_size", WholeKgCert: "certification"},
}

// TestWholeStories evaluates the demo province's latest year under the whole
// standards: each county's whole story shows as the item it names, evidence
// items are met, not met and pending, and the preschool verdicts are a mix
// of recognised, not recognised and pending counties.
//
// Under yzjh2017 no demo county is recognised: every county seat has primary
// schools of more than 2 000 pupils (the resource stories are drawn on
// them), so school_size fails everywhere.
func TestWholeStories(t *testing.T) {
	p := province()
	in := eval.Inputs{Schools: p.Year(LatestYear), Kindergartens: p.Kindergartens, Counties: p.CountyRecords, Judgements: p.Judgements}
	for _, std := range []string{"yzjh2017", "xqpp2020"} {
		r, err := standards.Resolve(std, "national")
		if err != nil {
			t.Fatal(err)
		}
		res := eval.EvaluateWhole(r, LatestYear, in)
		if len(res.Counties) != len(p.Notes) {
			t.Fatalf("%s: %d counties, want %d", std, len(res.Counties), len(p.Notes))
		}
		counties := map[census.Status]int{}
		evidence := map[census.Status]int{}
		for _, c := range res.Counties {
			v := c.Verdict
			counties[v.Status]++
			for _, it := range v.Items {
				if it.Item.Evidence {
					evidence[it.Status]++
				}
			}
			wn := p.WholeNotes[slices.IndexFunc(p.WholeNotes, func(n WholeNote) bool { return n.Code == c.Code })]
			if slices.Contains(wn.Stories, WholeNoRecord) && v.HasRecord {
				t.Errorf("%s: no record story, but a record", c.Code)
			}
			for _, s := range wn.Stories {
				id := storyItem[std][s]
				if id == "" || slices.Contains(wn.Stories, WholeNoRecord) {
					continue
				}
				if it := v.Item(id); it.Status != census.StatusNotMet {
					t.Errorf("%s %s: story %s, item %s is %s (%s)", std, c.Code, s, id, it.Status, it.Reason)
				}
			}
			if std == "yzjh2017" && wn.Judged == "veto" && !slices.Contains(v.Vetoes, "key_schools") {
				t.Errorf("%s: judged veto, vetoes %v", c.Code, v.Vetoes)
			}
		}
		t.Logf("%s: counties %v, evidence items %v", std, counties, evidence)
		for _, st := range []census.Status{census.StatusMet, census.StatusNotMet, census.StatusPending} {
			if evidence[st] < 5 {
				t.Errorf("%s: only %d evidence items %s; want a mix (%v)", std, evidence[st], st, evidence)
			}
			if std == "xqpp2020" && counties[st] < 5 {
				t.Errorf("%s: only %d counties %s; want a mix (%v)", std, counties[st], st, counties)
			}
		}
	}
}

func TestWholeRecordsReproducible(t *testing.T) {
	a, b := province(), Generate(DefaultSeed)
	if len(a.Kindergartens) != len(b.Kindergartens) || len(a.Judgements) != len(b.Judgements) || len(a.CountyRecords) != len(b.CountyRecords) {
		t.Fatal("same seed, different whole-standard records")
	}
	years := map[int]int{}
	for _, k := range a.Kindergartens {
		years[k.Year]++
		if c, ok := k.Classes(); !ok || c <= 0 || k.V[census.KgChildren] <= 0 {
			t.Fatalf("kindergarten %s: classes %v children %v", k.Code, c, k.V[census.KgChildren])
		}
		if o, _ := k.Oversize(); o > c(k) || k.V[census.KgCertifiedTeachers] > k.V[census.KgTeachers] {
			t.Fatalf("kindergarten %s: a part above its whole", k.Code)
		}
	}
	if len(years) != LatestYear-FirstYear+1 {
		t.Errorf("kindergarten years %v", years)
	}
	checkRecords(t, a.Schools)
}

func c(k census.Kindergarten) float64 { n, _ := k.Classes(); return n }
