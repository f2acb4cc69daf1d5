package demo

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// preschoolItem maps a preschool story to the xqpp2020 item it makes fail.
var preschoolItem = map[string]string{
	WholeGross: "gross_enrollment", WholePublic: "public_share", WholeKgClassSize: "class_size", WholeKgCert: "certification",
}

// TestWholeStories evaluates the demo province's latest year under the whole
// standards, as TestStories does for 资源配置: each county's yzjh2017 verdict
// is the one its whole note tells, and the province shows every story.
func TestWholeStories(t *testing.T) {
	checkWhole(t, province())
}

func TestWholeStoriesOtherSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("generates two more provinces")
	}
	for _, seed := range []int64{1, 7} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkWhole(t, Generate(seed)) })
	}
}

// perSchool are the yzjh2017 items whose check lists the failing schools.
var perSchool = []string{"music_art_rooms", "school_size", "class_size", "training_budget_share"}

func checkWhole(t *testing.T, p *Province) {
	t.Helper()
	in := eval.Inputs{Schools: p.Year(LatestYear), Kindergartens: p.Kindergartens, Counties: p.CountyRecords, Judgements: p.Judgements}
	if len(p.WholeNotes) != len(p.Notes) {
		t.Fatalf("%d whole notes, %d counties", len(p.WholeNotes), len(p.Notes))
	}
	// Under yzjh2017: each county as its note says.
	yz := eval.EvaluateWhole(mustResolve(t, "national"), LatestYear, in)
	if len(yz.Counties) != len(p.Notes) {
		t.Fatalf("yzjh2017: %d counties, want %d", len(yz.Counties), len(p.Notes))
	}
	kinds := map[WholeKind]int{}
	status := map[census.Status]int{}
	alone := map[string]int{} // counties failing only this item
	for _, c := range yz.Counties {
		wn := p.WholeNote(c.Code)
		if wn == nil {
			t.Fatalf("county %s has no whole note", c.Code)
		}
		kinds[wn.Kind]++
		status[c.Verdict.Status]++
		if len(c.Verdict.Unmet) == 1 {
			alone[c.Verdict.Unmet[0]]++
		}
		t.Run(c.Code+"_"+string(wn.Kind), func(t *testing.T) { checkWholeStory(t, p, c, wn) })
	}
	t.Logf("yzjh2017: %v; stories %v; failing one item only %v", status, kinds, alone)
	wantKinds := map[WholeKind]int{WholeKindResource: 0, WholeKindRecognised: 0}
	for _, kc := range kindCounts {
		wantKinds[WholeKindResource] += kc.n
	}
	wantKinds[WholeKindRecognised] = len(p.Notes) - wantKinds[WholeKindResource]
	for _, wc := range wholeCounts {
		wantKinds[wc.kind] = wc.n
		wantKinds[WholeKindRecognised] -= wc.n
	}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("whole stories told (-want +got):\n%s", diff)
	}
	if share := float64(status[census.StatusMet]) / float64(len(yz.Counties)); share < 0.1 || share > 0.25 {
		t.Errorf("%d of %d counties recognised under yzjh2017, want 10–25 %%", status[census.StatusMet], len(yz.Counties))
	}
	for _, ids := range [][]string{{"school_size"}, {"class_size"}, {"basic_balance"}, {"key_schools", "social_recognition"},
		{"teacher_rotation", "teacher_salary", "junior_retention"}} {
		n := 0
		for _, id := range ids {
			n += alone[id]
		}
		if n == 0 {
			t.Errorf("no county fails only one of %v (%v)", ids, alone)
		}
	}
	if status[census.StatusPending] == 0 {
		t.Errorf("no county pending")
	}

	// Under xqpp2020: a mix of verdicts, and the preschool stories show.
	xq, err := standards.Resolve("xqpp2020", "national")
	if err != nil {
		t.Fatal(err)
	}
	counties := map[census.Status]int{}
	for _, c := range eval.EvaluateWhole(xq, LatestYear, in).Counties {
		counties[c.Verdict.Status]++
		wn := p.WholeNote(c.Code)
		for _, s := range wn.Stories {
			if id := preschoolItem[s]; id != "" && !slices.Contains(wn.Stories, WholeNoRecord) {
				if it := c.Verdict.Item(id); it.Status != census.StatusNotMet {
					t.Errorf("xqpp2020 %s: story %s, item %s is %s (%s)", c.Code, s, id, it.Status, it.Reason)
				}
			}
		}
	}
	t.Logf("xqpp2020: %v", counties)
	for _, st := range []census.Status{census.StatusMet, census.StatusNotMet, census.StatusPending} {
		if counties[st] < 5 {
			t.Errorf("xqpp2020: only %d counties %s; want a mix (%v)", counties[st], st, counties)
		}
	}
}

// checkWholeStory checks one county's yzjh2017 verdict against its note.
func checkWholeStory(t *testing.T, p *Province, c *eval.County, wn *WholeNote) {
	v := c.Verdict
	if v.Status != wn.Status {
		t.Errorf("verdict %s, note says %s; unmet %v, pending %v", v.Status, wn.Status, v.Unmet, v.Pending)
	}
	if diff := cmp.Diff(wn.Unmet, v.Unmet, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("items not met (-note +engine):\n%s", diff)
	}
	if wn.Story == "" {
		t.Errorf("no story")
	}
	// The per-school items fail on the schools the note names, and the
	// story names them.
	var failing []string
	for _, id := range perSchool {
		for _, cr := range v.Item(id).Checks {
			for _, s := range cr.Schools {
				failing = append(failing, s.Code)
				if !strings.Contains(wn.Story, s.Name) {
					t.Errorf("%s fails %s, the story does not name it: %s", s.Name, id, wn.Story)
				}
			}
		}
	}
	slices.Sort(failing)
	if diff := cmp.Diff(wn.Schools, slices.Compact(failing), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("schools failing a per-school item (-note +engine):\n%s", diff)
	}
	n := p.Note(c.Code)
	// A weak-school county with two areas short tells it of an overcrowded
	// school: the one school over the size limit.
	crowded := n.Kind == KindWeakSchool && len(n.Indicators) == 2
	var big []string
	for _, s := range v.Item("school_size").Checks[0].Schools {
		big = append(big, s.Code)
	}
	if crowded && (!slices.Equal(big, n.Schools) || !strings.Contains(n.Story, "学校规模")) {
		t.Errorf("the overcrowded school %v is not the one over the size limit %v, or the story does not say so: %s", n.Schools, big, n.Story)
	}
	if !crowded && n.Kind != KindPass && len(big) > 0 {
		t.Errorf("%s county: schools %v over the size limit", n.Kind, big)
	}
	// Every story but the resource one is told by a county that passes
	// 资源配置, and shows alone.
	if wn.Kind != WholeKindResource && !c.ResourcePass {
		t.Errorf("whole story %s in a county failing 资源配置", wn.Kind)
	}
	pendingOn := func(why string) bool {
		for _, id := range v.Pending {
			if it := v.Item(id); !slices.Equal(it.Awaiting, []string{why}) {
				return false
			}
		}
		return len(v.Pending) > 0
	}
	one := func(ids ...string) {
		t.Helper()
		if len(v.Unmet) != 1 || !slices.Contains(ids, v.Unmet[0]) || len(v.Pending) > 0 {
			t.Errorf("unmet %v, pending %v: want only one of %v", v.Unmet, v.Pending, ids)
		}
	}
	switch wn.Kind {
	case WholeKindRecognised:
		if !v.Recognised || len(v.Pending) > 0 {
			t.Errorf("not recognised: unmet %v, pending %v", v.Unmet, v.Pending)
		}
	case WholeKindSchoolSize:
		one("school_size")
	case WholeKindClassSize:
		one("class_size")
	case WholeKindPrecondition:
		one("basic_balance")
	case WholeKindCountyItem:
		one("teacher_rotation", "teacher_salary", "junior_retention")
	case WholeKindSchoolItem:
		one("music_art_rooms", "training_budget_share", "teacher_certification")
	case WholeKindVeto:
		one("key_schools", "social_recognition")
		if !slices.Equal(v.Vetoes, v.Unmet) {
			t.Errorf("vetoes %v, unmet %v", v.Vetoes, v.Unmet)
		}
	case WholeKindEvidence:
		if len(v.Unmet) != 1 || !v.Item(v.Unmet[0]).Item.Evidence || v.Item(v.Unmet[0]).Judgement == nil || len(v.Pending) > 0 {
			t.Errorf("unmet %v, pending %v: want one evidence item judged not met", v.Unmet, v.Pending)
		}
	case WholeKindUnjudged:
		if v.Status != census.StatusPending || !pendingOn(eval.AwaitJudgement) {
			t.Errorf("%s: unmet %v, pending %v: want only evidence items awaiting a judgement", v.Status, v.Unmet, v.Pending)
		}
	case WholeKindNoRecord:
		if v.HasRecord || v.Status != census.StatusPending {
			t.Errorf("%s, record %v: want pending without a county record", v.Status, v.HasRecord)
		}
	case WholeKindResource:
		if c.ResourcePass {
			t.Errorf("passes 资源配置")
		}
	default:
		t.Errorf("unknown whole story %q", wn.Kind)
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
