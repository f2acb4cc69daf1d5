package censusio

import (
	"sync"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// indicatorInputs are the school columns the seven indicators of 优质均衡
// (yzjh2017) are computed from — their numerators by stage, and the
// students — in the table's order. They are optional in a file (a county
// without junior schools has no junior figures), but a school's blank
// leaves its indicator uncomputed and the county's verdict 数据不全: the
// template marks them 评估需要 and says so.
var indicatorInputs = sync.OnceValue(func() []census.Field {
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		return nil
	}
	want := map[string]bool{"students_primary": true, "students_junior": true}
	for _, ind := range r.Indicators {
		if ind.Kind == "stage" {
			// Teachers are counted by stage: the stage columns.
			want[ind.Source+"_primary"], want[ind.Source+"_junior"] = true, true
		} else {
			// Facilities are the school's total (a split by stage is optional).
			want[ind.Source] = true
		}
	}
	var out []census.Field
	for f := range census.Field(census.NumFields) {
		if want[census.Columns[f].Key] {
			out = append(out, f)
		}
	}
	return out
})

// isIndicatorInput reports whether key is one of indicatorInputs.
func isIndicatorInput(key string) bool {
	for _, f := range indicatorInputs() {
		if census.Columns[f].Key == key {
			return true
		}
	}
	return false
}
