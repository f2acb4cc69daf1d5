package cli

import (
	"fmt"
	"io"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// demoWhole prints the demo province's verdicts under the whole standards.
func demoWhole(w io.Writer, p *demo.Province, year int) {
	in := eval.Inputs{Schools: p.Year(year), Kindergartens: p.Kindergartens, Counties: p.CountyRecords, Judgements: p.Judgements}
	for _, id := range []string{"yzjh2017", "xqpp2020"} {
		r, err := standards.Resolve(id, "national")
		if err != nil {
			continue
		}
		n := map[census.Status]int{}
		for _, c := range eval.EvaluateWhole(r, year, in).Counties {
			n[c.Verdict.Status]++
		}
		fmt.Fprintf(w, "%d 年度%s（全部项目）：达到认定标准 %d 个，未达到 %d 个，待定 %d 个。\n", year, r.Name,
			n[census.StatusMet], n[census.StatusNotMet], n[census.StatusPending])
	}
}

// demoWholeStories prints one county of each whole-standard story of the
// demo province: recognised, or why not (beyond 资源配置), or why pending.
func demoWholeStories(w io.Writer, p *demo.Province) {
	fmt.Fprintln(w, "优质均衡全部项目，几个典型县区（每类一个）：")
	shown := map[demo.WholeKind]bool{demo.WholeKindResource: true}
	for _, n := range p.WholeNotes {
		if shown[n.Kind] {
			continue
		}
		shown[n.Kind] = true
		name := ""
		if c := p.Note(n.Code); c != nil {
			name = c.Name
		}
		fmt.Fprintf(w, "  %s %-10s %s —— %s\n", n.Code, name, n.Status.ZH(), n.Story)
	}
}
