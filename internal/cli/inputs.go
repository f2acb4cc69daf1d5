package cli

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// loadInputs returns what the whole evaluation of r reads for the chosen
// year and county: school records (for school standards), kindergartens
// (for preschool ones), county records, the judgements in force and, when
// the rules look back (Chongqing's precondition), earlier years' 基本均衡
// results. With files it reads them in memory (any kind, found from the
// header) and writes nothing; files carry no judgements, so evidence items
// come out pending.
func (src *source) loadInputs(e *env, files []string, dbSet bool, r *standards.Rules) (eval.Inputs, int, error) {
	return src.loadInputsIn(e, files, dbSet, r, nil)
}

// loadInputsIn is loadInputs, reading the files with the options that
// tune sets (as an Arena, see censusio.Options) when it is not nil.
func (src *source) loadInputsIn(e *env, files []string, dbSet bool, r *standards.Rules, tune func(*censusio.Options)) (eval.Inputs, int, error) {
	if len(files) > 0 {
		if dbSet {
			return eval.Inputs{}, 0, usagef("给出文件时在内存中评估，不读数据库：请去掉 --db 或去掉文件")
		}
		return src.inputsFromFiles(e, files, r, tune)
	}
	st, err := openStore(e, *src.db, false)
	if err != nil {
		return eval.Inputs{}, 0, err
	}
	defer st.Close()
	return src.inputsFromStore(e, st, r)
}

func (src *source) inputsFromFiles(e *env, files []string, r *standards.Rules, tune func(*censusio.Options)) (eval.Inputs, int, error) {
	var in eval.Inputs
	seen := map[string]string{}
	opt := src.options("")
	if tune != nil {
		tune(&opt)
	}
	first, last := 0, 0 // the span of the schools' years
	for _, f := range files {
		b, err := censusio.ReadFile(f, opt)
		if err != nil {
			return in, 0, err
		}
		if b.Evaluated {
			// Its schools' runs made into rows as they were read
			// (readsAsEvaluated): one file, the rows of its latest
			// year, or the one asked for.
			year := *src.year
			if year == 0 {
				year = latestYear(r, in, b.LastYear)
			}
			if runs := ofYear(b.RunResults, year); len(runs) > 0 {
				printNotes(e, b.Warnings)
				src.runs = runs
				return in, year, nil
			}
			// None of the year: read as usual, which says what there is.
			opt.EachRun = nil
			if b, err = censusio.ReadFile(f, opt); err != nil {
				return in, 0, err
			}
		}
		printNotes(e, b.Warnings)
		// The reader refuses a school repeated within a file: only
		// several files can repeat one.
		for i := range b.Schools {
			if len(files) == 1 {
				break
			}
			s := &b.Schools[i]
			key := fmt.Sprint("school/", s.Year, "/", s.Code)
			if prev, ok := seen[key]; ok {
				return in, 0, fmt.Errorf("%s：学校标识码 %s 在 %d 年度已出现在 %s 中；同一学校同一年度只能有一行，请删去重复的一行", f, s.Code, s.Year, prev)
			}
			seen[key] = f
		}
		for _, k := range b.Kindergartens {
			key := fmt.Sprint("kg/", k.Year, "/", k.Code)
			if prev, ok := seen[key]; ok {
				return in, 0, fmt.Errorf("%s：幼儿园标识码 %s 在 %d 年度已出现在 %s 中", f, k.Code, k.Year, prev)
			}
			seen[key] = f
		}
		for _, c := range b.Counties {
			key := fmt.Sprint("county/", c.Year, "/", c.CountyCode)
			if prev, ok := seen[key]; ok {
				return in, 0, fmt.Errorf("%s：县区 %s 的 %d 年度县级数据已出现在 %s 中", f, c.CountyCode, c.Year, prev)
			}
			seen[key] = f
		}
		if len(b.Schools) > 0 {
			if first == 0 || b.FirstYear < first {
				first = b.FirstYear
			}
			last = max(last, b.LastYear)
		}
		if in.Schools == nil {
			// One file (or the first): its records as read, not a
			// second copy of a nation's 94 MB of them, with their runs
			// of one county and year.
			in.Schools, in.Runs = b.Schools, b.Runs
		} else {
			in.Schools, in.Runs = append(in.Schools, b.Schools...), nil
		}
		in.Kindergartens = append(in.Kindergartens, b.Kindergartens...)
		in.Counties = append(in.Counties, b.Counties...)
	}
	// The span of the years tells both the latest year and whether the
	// schools are all of it.
	year := *src.year
	if year == 0 {
		year = latestYear(r, in, last)
	}
	all := in.Schools
	if err := src.filterInputs(&in, year, r, first == year && last == year); err != nil {
		return in, 0, err
	}
	if pc := r.PriorCVs(); pc != nil {
		prior, err := priorResults(pc, r.Profile.ID, year, func(y int) ([]census.School, error) { return src.countyOnly(yearOf(all, y)), nil })
		if err != nil {
			return in, 0, err
		}
		in.Prior = prior
	}
	return in, year, nil
}

func yearOf(schools []census.School, y int) []census.School {
	var out []census.School
	for _, s := range schools {
		if s.Year == y {
			out = append(out, s)
		}
	}
	return out
}

// latestYear is the latest year of the records the standard is about;
// schools is that of in.Schools.
func latestYear(r *standards.Rules, in eval.Inputs, schools int) int {
	y := 0
	if r.Preschool() {
		for _, k := range in.Kindergartens {
			y = max(y, k.Year)
		}
	} else {
		y = schools
	}
	if y == 0 {
		for _, c := range in.Counties {
			y = max(y, c.Year)
		}
	}
	return y
}

func (src *source) inputsFromStore(e *env, st *store.Store, r *standards.Rules) (eval.Inputs, int, error) {
	var in eval.Inputs
	year := *src.year
	if year == 0 {
		var years []int
		var err error
		if r.Preschool() {
			years, err = st.UnitYears(e.ctx, store.KindKindergarten)
		} else {
			years, err = st.Years(e.ctx)
		}
		if err != nil {
			return in, 0, err
		}
		if len(years) == 0 {
			if years, err = st.UnitYears(e.ctx, store.KindCounty); err != nil {
				return in, 0, err
			}
		}
		if len(years) == 0 {
			what := "学校数据"
			if r.Preschool() {
				what = "幼儿园数据"
			}
			return in, 0, fmt.Errorf("数据库 %s 中还没有%s：先运行 dudao import 文件.xlsx", *src.db, what)
		}
		year = slices.Max(years)
	}
	// The records (most of the time) are read while the rest is: the
	// county records, judgements and rotation ledgers take a few queries
	// of their own, which on PostgreSQL are round trips.
	var unitsErr error
	units := make(chan struct{})
	go func() {
		defer close(units)
		if !r.Preschool() {
			in.Schools, unitsErr = st.Schools(e.ctx, year, "")
		} else {
			in.Kindergartens, unitsErr = st.Kindergartens(e.ctx, year, "")
		}
	}()
	err := func() (err error) {
		if in.Counties, err = st.CountyRecords(e.ctx, year, ""); err != nil {
			return err
		}
		if in.Judgements, err = st.Judgements(e.ctx, r.ID, year, ""); err != nil {
			return err
		}
		// A county's rotation ledger stands for its typed rotation
		// figures, as on the server.
		return feedRotation(e.ctx, st, r, year, &in)
	}()
	<-units
	if err = cmp.Or(unitsErr, err); err != nil {
		return in, 0, err
	}
	if err := src.filterInputs(&in, year, r, allOfYear(in.Schools, year)); err != nil {
		return in, 0, err
	}
	if pc := r.PriorCVs(); pc != nil {
		prior, err := priorResults(pc, r.Profile.ID, year, func(y int) ([]census.School, error) {
			s, err := st.Schools(e.ctx, y, "")
			return src.countyOnly(s), err
		})
		if err != nil {
			return in, 0, err
		}
		in.Prior = prior
	}
	return in, year, nil
}

// countyOnly keeps the schools of the chosen county (all when none is chosen).
func (src *source) countyOnly(schools []census.School) []census.School {
	c := strings.TrimSpace(*src.county)
	if c == "" {
		return schools
	}
	var out []census.School
	for _, s := range schools {
		if s.CountyCode == c || s.CountyName == c {
			out = append(out, s)
		}
	}
	return out
}

// filterInputs keeps the records of year and of the chosen county, and says
// what is missing when nothing is left. oneYear says that every school of
// in is of year.
func (src *source) filterInputs(in *eval.Inputs, year int, r *standards.Rules, oneYear bool) error {
	c := strings.TrimSpace(*src.county)
	names := map[string]string{} // the counties of the year, for a hint
	match := func(code, name string) bool { return c == "" || code == c || name == c }
	seen := map[int]bool{}
	var years []int
	year1 := func(y int) {
		if !seen[y] {
			seen[y] = true
			years = append(years, y)
		}
	}
	var schools []census.School
	if c == "" && oneYear {
		// Every one is kept (a file of the year, or the database's
		// records of it): the years and names below are only for a
		// message when nothing is kept.
		schools = in.Schools
	} else {
		// Records come a county at a time: a school of the county and
		// year of the one before needs no map.
		var last *census.School
		schools = keep(in.Schools, func(s *census.School) bool {
			if last == nil || s.Year != last.Year || s.CountyCode != last.CountyCode || s.CountyName != last.CountyName {
				year1(s.Year)
				if s.Year == year {
					names[s.CountyCode] = s.CountyName
				}
				last = s
			}
			return s.Year == year && match(s.CountyCode, s.CountyName)
		})
	}
	kgs := keep(in.Kindergartens, func(k *census.Kindergarten) bool {
		year1(k.Year)
		if k.Year == year {
			names[k.CountyCode] = k.CountyName
		}
		return k.Year == year && match(k.CountyCode, k.CountyName)
	})
	recs := keep(in.Counties, func(x *census.CountyRecord) bool {
		year1(x.Year)
		return x.Year == year && match(x.CountyCode, x.CountyName)
	})
	var js []census.Judgement
	if len(in.Judgements) > 0 {
		// A county named by its name in one kind of record is the same
		// county in the others: filter judgements by the codes found.
		codes := map[string]bool{}
		for i := range schools {
			if i == 0 || schools[i].CountyCode != schools[i-1].CountyCode {
				codes[schools[i].CountyCode] = true
			}
		}
		for _, k := range kgs {
			codes[k.CountyCode] = true
		}
		for _, x := range recs {
			codes[x.CountyCode] = true
		}
		for _, j := range in.Judgements {
			if codes[j.CountyCode] || c == j.CountyCode {
				js = append(js, j)
			}
		}
	}
	if len(schools) != len(in.Schools) || len(schools) > 0 && &schools[0] != &in.Schools[0] {
		in.Runs = nil // the runs are of the schools before
	}
	in.Schools, in.Kindergartens, in.Counties, in.Judgements = schools, kgs, recs, js
	if len(schools)+len(kgs)+len(recs) > 0 {
		return nil
	}
	slices.Sort(years)
	years = slices.Compact(years)
	switch {
	case len(years) > 0 && !slices.Contains(years, year):
		var ys []string
		for _, y := range years {
			ys = append(ys, fmt.Sprint(y))
		}
		return fmt.Errorf("没有 %d 年度的数据（已有年度：%s）：请用 --year 选择", year, strings.Join(ys, "、"))
	case c != "":
		return fmt.Errorf("%d 年度没有县区 %q 的数据：--county 请填6位县区代码或县区名称%s", year, c, countyHint(c, names))
	}
	what := "学校数据"
	if r.Preschool() {
		what = "幼儿园数据"
	}
	return fmt.Errorf("%d 年度没有%s", year, what)
}

// allOfYear reports whether every school of list is of year.
func allOfYear(list []census.School, year int) bool {
	for i := range list {
		if list[i].Year != year {
			return false
		}
	}
	return true
}

// keep returns the elements of list that match says to keep, in order, or
// nil when there are none. When every one is kept it returns list itself:
// a nation's 210 000 school records of 456 bytes each are not copied, and
// growing a copy step by step took half of a database evaluation's time.
func keep[T any](list []T, match func(*T) bool) []T {
	n := 0
	for i := range list {
		if match(&list[i]) {
			n++
		}
	}
	switch n {
	case len(list):
		return list
	case 0:
		return nil
	}
	out := make([]T, 0, n)
	for i := range list {
		if match(&list[i]) {
			out = append(out, list[i])
		}
	}
	return out
}

// priorResults evaluates the earlier years that a prior_basic_cvs check
// reads, under the standard it names and the same profile.
func priorResults(pc *standards.Check, profile string, year int, schoolsOf func(int) ([]census.School, error)) (map[int]*eval.Result, error) {
	out := map[int]*eval.Result{}
	for y := year - pc.Years; y < year; y++ {
		schools, err := schoolsOf(y)
		if err != nil {
			return nil, err
		}
		if len(schools) == 0 {
			continue
		}
		rules, err := standards.Resolve(pc.Standard, profile)
		if err != nil {
			return nil, err
		}
		out[y] = eval.Evaluate(rules, y, schools)
	}
	return out, nil
}
