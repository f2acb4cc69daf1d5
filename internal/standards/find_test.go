package standards

import "testing"

func TestFindItemAndIndicator(t *testing.T) {
	r, err := Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"layout_plan", "学校规划布局合理", "规划布局", " 学校规划布局合理 "} {
		it, _ := r.FindItem(q)
		if it == nil || it.ID != "layout_plan" {
			t.Errorf("FindItem(%q) = %v", q, it)
		}
	}
	for _, q := range []string{"backbone_teachers", "骨干教师", "每百名学生拥有县级以上骨干教师数"} {
		ind, _ := r.FindIndicator(q)
		if ind == nil || ind.ID != "backbone_teachers" {
			t.Errorf("FindIndicator(%q) = %v", q, ind)
		}
	}
	// "教师" is in several names: no guess, but those names are offered.
	if ind, close := r.FindIndicator("教师"); ind != nil || len(close) < 2 {
		t.Errorf("FindIndicator(教师) = %v, %d offered", ind, len(close))
	}
	// A near miss is offered, not taken.
	if it, close := r.FindItem("学校布局规划合理"); it != nil || len(close) == 0 || close[0].ID != "layout_plan" {
		t.Errorf("FindItem(学校布局规划合理) = %v, offered %v", it, close)
	}
	if it, close := r.FindItem("xyz"); it != nil || len(close) != 0 {
		t.Errorf("FindItem(xyz) = %v, %v", it, close)
	}
}

func FuzzFind(f *testing.F) {
	r, err := Resolve("yzjh2017", "national")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "骨干", "layout_plan", "\ufeff学校", "教"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		it, close := r.FindItem(q)
		if it != nil && len(close) != 0 {
			t.Fatalf("found %s and offered %d", it.ID, len(close))
		}
		if len(close) > 5 {
			t.Fatalf("%d offered", len(close))
		}
		r.FindIndicator(q)
	})
}
