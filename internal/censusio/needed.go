package censusio

import (
	"fmt"
	"strings"
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

// warnMissingIndicatorInputs warns, once per file, about the indicator
// columns its header lacks that its schools need: a stage's columns where
// a school of the file has that stage, the facilities wherever there is a
// school. Every school of such a file is left without those figures, and
// its county's verdict is 数据不全; the file is still read, as a county may
// report those figures in another file.
func (r *reader) warnMissingIndicatorInputs() {
	if r.batch.Kind != census.KindSchool || len(r.batch.Schools) == 0 && r.handed == 0 {
		return
	}
	if !r.lacksIndicatorInput() { // the usual file: no need to look at its schools
		return
	}
	stages := map[census.Stage]bool{}
	for st := range r.stages { // of the schools handed on (ReadFileEach, Options.EachRun)
		stages[st] = true
	}
	for i := range r.batch.Schools {
		for _, st := range r.batch.Schools[i].Type.Stages() {
			stages[st] = true
		}
	}
	var missing []string
	for _, f := range indicatorInputs() {
		if r.num[f] >= 0 {
			continue
		}
		key := census.Columns[f].Key
		if strings.HasSuffix(key, "_primary") && !stages[census.StagePrimary] ||
			strings.HasSuffix(key, "_junior") && !stages[census.StageJunior] {
			continue
		}
		missing = append(missing, "「"+census.Columns[f].ZH+"」")
	}
	if len(missing) > 0 {
		r.warn(0, nil, fmt.Sprintf("没有评估需要的列%s：这些学校的相应指标算不出，所在县的结论将是“数据不全”；请按模板（dudao template）补上这些列再导入，或另用一个文件补报",
			strings.Join(missing, "")))
	}
}

// lacksIndicatorInput reports whether the file has no column for one of
// the fields an indicator needs.
func (r *reader) lacksIndicatorInput() bool {
	for _, f := range indicatorInputs() {
		if r.num[f] < 0 {
			return true
		}
	}
	return false
}
