package standards

import (
	"slices"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
)

func TestParseQuantity(t *testing.T) {
	q, err := ParseQuantity("kindergartens.classes_small+classes_middle-oversize_small[public,inclusive_private]")
	if err != nil {
		t.Fatal(err)
	}
	if q.From != FromKindergartens || len(q.Terms) != 3 || q.Terms[2].Sign != -1 || q.Terms[2].Index != int(census.KgOversizeSmall) ||
		!slices.Equal(q.Categories, []census.Category{census.CategoryPublic, census.CategoryInclusive}) {
		t.Fatalf("%+v", q)
	}
	if got := q.ZH(); got != "小班数＋中班数－小班超25人班数（公办、普惠性民办）" {
		t.Errorf("ZH %q", got)
	}
	if q, err := ParseQuantity("kindergartens.count"); err != nil || !q.Count {
		t.Errorf("count: %v %+v", err, q)
	}
	for _, bad := range []string{"county", "county.nope", "schools.children", "nation.x", "county.teacher_pay+civil_servant_pay",
		"schools.teachers[public]", "kindergartens.children+", "kindergartens.children[ghost]"} {
		if _, err := ParseQuantity(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestStandardsAndProfiles resolves every standard under every profile and
// checks what each profile changes (standards.md §5).
func TestStandardsAndProfiles(t *testing.T) {
	for _, s := range List() {
		for _, p := range Profiles() {
			if _, err := Resolve(s.ID, p.ID); err != nil {
				t.Errorf("%s/%s: %v", s.ID, p.ID, err)
			}
		}
	}
	for _, p := range []string{"hebei", "liaoning", "chongqing", "henan", "anhui"} {
		if _, err := Resolve("yzjh2017", p); err != nil {
			t.Errorf("profile %s: %v", p, err)
		}
	}
	check := func(std, prof, item, check string) *Check {
		t.Helper()
		r, err := Resolve(std, prof)
		if err != nil {
			t.Fatal(err)
		}
		it := r.Item(item)
		if it == nil {
			t.Fatalf("%s/%s has no item %s", std, prof, item)
		}
		for i := range it.Checks {
			if it.Checks[i].ID == check {
				return &it.Checks[i]
			}
		}
		t.Fatalf("%s/%s item %s has no check %s", std, prof, item, check)
		return nil
	}
	if c := check("yzjh2017", "national", "special_ed_funding", "amount"); c.Threshold != 6000 {
		t.Errorf("national special-ed %g", c.Threshold)
	}
	if c := check("yzjh2017", "liaoning", "special_ed_funding", "amount"); c.Threshold != 8000 {
		t.Errorf("liaoning special-ed %g", c.Threshold)
	}
	if c := check("yzjh2017", "liaoning", "public_funding_floor", "junior"); c.Threshold != 1350 {
		t.Errorf("liaoning junior floor %g", c.Threshold)
	}
	if c := check("yzjh2017", "anhui", "teacher_rotation", "backbone"); c.Den != "county.rotation_backbone_eligible" {
		t.Errorf("anhui backbone denominator %q", c.Den)
	}
	if c := check("yzjh2017", "national", "teacher_rotation", "backbone"); c.Den != "county.rotation_teachers" {
		t.Errorf("national backbone denominator %q", c.Den)
	}
	if c := check("yzjh2017", "chongqing", "basic_balance", "prior_cvs"); c.Limits[census.StagePrimary] != 0.60 || c.Limits[census.StageJunior] != 0.50 || c.Years != 3 {
		t.Errorf("chongqing prior CVs %+v", c)
	}
	if c := check("yzjh2017", "chongqing", "monitoring", "level"); c.Num != "county.monitoring_level3_share" || c.Threshold != 85 {
		t.Errorf("chongqing monitoring %+v", c)
	}
	if c := check("xqpp2020", "henan", "gross_enrollment", "rate"); c.Threshold != 0.90 {
		t.Errorf("henan gross %g", c.Threshold)
	}
	if c := check("xqpp2020", "national", "gross_enrollment", "rate"); c.Threshold != 0.85 {
		t.Errorf("national gross %g", c.Threshold)
	}
	// A profile never changes the national data it is built on.
	if c := check("yzjh2017", "national", "special_ed_funding", "amount"); c.Threshold != 6000 {
		t.Errorf("national special-ed changed to %g after resolving liaoning", c.Threshold)
	}
	r, _ := Resolve("yzjh2017", "chongqing")
	if r.Settings.FloorDisplayDecimals != 2 {
		t.Errorf("chongqing floor display %d", r.Settings.FloorDisplayDecimals)
	}
	if !slices.ContainsFunc(r.Changed, func(s string) bool { return strings.Contains(s, "仅显示") }) {
		t.Errorf("chongqing changes %v", r.Changed)
	}
	jb, _ := Resolve("jbjh2012", "national")
	if !jb.Scope.ExcludePrivate || !jb.Scope.ExcludeNotCountyRun || len(jb.Indicators) != 8 || jb.Balance.Kind != BalanceComposite ||
		jb.Balance.Limits[census.StagePrimary] != 0.65 || jb.Balance.Limits[census.StageJunior] != 0.55 || jb.SchoolRule.MinMet != 0 {
		t.Errorf("jbjh2012: %+v", jb.Standard)
	}
	yz, _ := Resolve("yzjh2017", "national")
	var gov, qual int
	for _, it := range yz.Items {
		switch it.Part {
		case PartGovernment:
			gov++
		case PartQuality:
			qual++
		}
	}
	if gov != 15 || qual != 9 {
		t.Errorf("yzjh2017 has %d government and %d quality items, want 15 and 9", gov, qual)
	}
}

func TestOutOfScope(t *testing.T) {
	jb, _ := Resolve("jbjh2012", "national")
	yz, _ := Resolve("yzjh2017", "national")
	for _, tc := range []struct {
		own, sponsor string
		out          bool
	}{
		{"公办", "", false}, {"公办", "县级教育部门", false}, {"公办", "乡镇", false},
		{"民办", "", true}, {"公办", "地市级教育部门", true}, {"公办", "省级教育部门", true}, {"公办", "其他部门", true},
	} {
		s := census.School{Ownership: tc.own, Sponsor: tc.sponsor}
		if got := jb.OutOfScope(&s) != ""; got != tc.out {
			t.Errorf("jbjh2012 %s/%s: out %v", tc.own, tc.sponsor, got)
		}
		if yz.OutOfScope(&s) != "" {
			t.Errorf("yzjh2017 leaves out %s/%s", tc.own, tc.sponsor)
		}
	}
}
