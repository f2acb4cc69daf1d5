package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

type overviewPage struct {
	*Base
	*choice
	// Official counts the counties in scope whose data are official
	// (accepted in a reporting task), of Shown.
	Official, Shown int
	Standards       []*standards.Standard
	Profiles        []*standards.Profile
	Region          census.Region   // the region shown
	Crumbs          []census.Region // from the province down to Region's parent
	Children        []childRow      // the cities of a province, the provinces of the nation
	ChildLevel      string          // census.LevelProvince for the nation's children, else "" (cities)
	Cities          []census.Region // for the city filter
	City            string
	Verdict         string
	Sort            string
	Rows            []countyRow
	// RowsTotal counts the rows of every page; Pages link to each page
	// when there are more than one, and From and To number the first and
	// last rows shown.
	RowsTotal int
	Pages     []pageLink
	From, To  int
	// The counties in scope under the chosen standard's whole verdict:
	// recognised (Passed), not (Failed) and pending (Missing: awaiting a
	// judgement or data), Total in all.
	Total, Passed, Failed, Missing int
	// Resource counts the same counties under the 资源配置 part alone,
	// one line of the verdict (school standards only).
	Resource resourceCount
	// Summary is whether the account may have the region's summary report
	// (a county account has its own county's report only).
	Summary bool
	// OwnCounty is, for an account of one county, its county: the report
	// it has instead of a summary.
	OwnCounty string
	Chart     string // JSON for the chart
	Q         []any  // the choice as query pairs
	// Standings are the region's counties under every standard, and
	// Changes what moved since the year before (overview_changes.go).
	Standings []standing
	Changes   changes
	// Map is the JSON the map is drawn from, "" without a map; MapHint
	// tells the account that may import one where (overview_trends.go).
	// Trends count the counties year by year under every standard.
	Map     string
	MapHint bool
	Trends  []trend
	// Targets are the work plan's targets of recognised counties, by standard.
	Targets map[string]*planTarget
}

type worstCV struct {
	Stage census.Stage
	Ind   *standards.Indicator
	CV    float64
	Limit float64
}

// resourceCount is the 资源配置 part's verdicts of the counties shown.
type resourceCount struct {
	Applies                    bool // a school standard, with a resource part
	Passed, Failed, Incomplete int
}

type childRow struct {
	Region                          census.Region
	Counties, Passed, Failed, Parts int
	FailingParts                    int
}

type countyRow struct {
	Rank       int
	Code, Name string
	City       string
	// Status is the county's verdict under the whole standard; Unmet and
	// Pending its items not met and pending; Reason the first of them.
	Status         census.Status
	Unmet, Pending int
	Reason         string
	// Resource is the 资源配置 part's verdict (school standards).
	Resource      census.Status
	Pass          bool // the resource part passes
	Complete      bool
	Parts         int
	FailingParts  int
	FailingCVs    int
	RoundingFlips int
	Worst         []worstCV
	worstMargin   float64
}

// overviewPage serves GET /overview: every county in scope with its
// verdict, failing school parts and worst indicators; drill-down by
// ?region (province → city), filters (?city, ?verdict, ?year, ?standard,
// ?profile) and ?sort (rank, code, failing, name).
func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "overview")
	if b.Scope.SchoolOnly() {
		return errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return err
	}
	byCode := map[string]census.Region{}
	for _, rg := range regions {
		byCode[rg.Code] = rg
	}
	q := r.URL.Query()
	regionCode := q.Get("region")
	if regionCode == "" {
		regionCode = b.Scope.Region()
		if rg, ok := byCode[regionCode]; ok && rg.Level == census.LevelCounty && rg.Parent != "" {
			regionCode = rg.Parent
		}
	}
	region, ok := regionIn(regions, b, regionCode)
	if !ok {
		return notFound("error.no_region", regionCode) // missing, or outside the scope: the same answer
	}
	if region.Level == census.LevelCounty {
		http.Redirect(w, r, "/county/"+region.Code+string(queryString(c.Query(s)...)), http.StatusSeeOther)
		return nil
	}
	res, err := s.wholeResult(r.Context(), c.Rules, c.Year)
	if err != nil {
		return err
	}
	p := &overviewPage{Base: b, choice: c, Standards: standards.List(), Profiles: standards.Profiles(), Region: region,
		City: q.Get("city"), Verdict: q.Get("verdict"), Sort: q.Get("sort"), Q: c.Query(s), Summary: b.Scope.Summary(region)}
	p.Resource.Applies = !c.Rules.Preschool()
	if !p.Summary && b.Scope.County(b.Scope.Region()) {
		p.OwnCounty = b.Scope.Region()
	}
	if p.Sort == "" {
		p.Sort = "rank"
	}
	for pc := region.Parent; pc != ""; pc = byCode[pc].Parent {
		p.Crumbs = append([]census.Region{byCode[pc]}, p.Crumbs...)
		if len(p.Crumbs) > 3 {
			break
		}
	}
	if b.Scope.Nation() && region.Level != census.LevelNation {
		p.Crumbs = append([]census.Region{nationOf(b)}, p.Crumbs...)
	}
	prefix := regionPrefix(region)
	children := map[string]*childRow{}
	// The nation's children are its provinces (too many cities for a
	// filter: a province's row leads to its cities); a province's are its
	// cities.
	childOf := census.CityCode
	if region.Level == census.LevelNation {
		childOf = census.ProvinceCode
		p.ChildLevel = census.LevelProvince
	}
	for _, rg := range regions {
		switch {
		case region.Level == census.LevelNation && rg.Level == census.LevelProvince:
			p.Children = append(p.Children, childRow{Region: rg})
		case region.Level != census.LevelNation && rg.Level == census.LevelCity && strings.HasPrefix(rg.Code, prefix) && b.Scope.Sees(rg):
			p.Cities = append(p.Cities, rg)
			if region.Level == census.LevelProvince {
				p.Children = append(p.Children, childRow{Region: rg})
			}
		}
	}
	for i := range p.Children {
		children[p.Children[i].Region.Code] = &p.Children[i]
	}
	statuses := map[string]census.Status{} // the map's colours: the counts' verdicts
	var chartNames []string
	var chartPass, chartFail, chartPending []int
	for _, cty := range res.Counties {
		if !strings.HasPrefix(cty.Code, prefix) || !b.Scope.County(cty.Code) {
			continue
		}
		row := summarize(b, cty, c.Rules)
		cityCode := census.CityCode(cty.Code)
		row.City = byCode[cityCode].Name
		if region.Level == census.LevelNation {
			row.City = byCode[census.ProvinceCode(cty.Code)].Name + " " + row.City
		}
		if ch := children[childOf(cty.Code)]; ch != nil {
			ch.Counties++
			ch.Parts += row.Parts
			ch.FailingParts += row.FailingParts
			switch row.Status {
			case census.StatusMet:
				ch.Passed++
			case census.StatusNotMet:
				ch.Failed++
			}
		}
		p.Total++
		statuses[cty.Code] = cmp.Or(row.Status, census.StatusPending)
		switch row.Status {
		case census.StatusMet:
			p.Passed++
		case census.StatusNotMet:
			p.Failed++
		default:
			p.Missing++
		}
		if p.Resource.Applies {
			switch {
			case row.Pass:
				p.Resource.Passed++
			case !row.Complete:
				p.Resource.Incomplete++
				p.Resource.Failed++
			default:
				p.Resource.Failed++
			}
		}
		if p.City != "" && cityCode != p.City {
			continue
		}
		switch p.Verdict {
		case "pass":
			if row.Status != census.StatusMet {
				continue
			}
		case "fail":
			if row.Status != census.StatusNotMet {
				continue
			}
		case "pending", "incomplete":
			if row.Status != census.StatusPending {
				continue
			}
		}
		p.Rows = append(p.Rows, row)
	}
	// The ranking: recognised counties first, then pending, then not
	// recognised; within each, by the items not met, failing CVs, failing
	// parts and the worst CV excess; ties by code.
	slices.SortStableFunc(p.Rows, func(a, b countyRow) int {
		return cmp.Or(cmp.Compare(statusRank(a.Status), statusRank(b.Status)), cmp.Compare(a.Unmet, b.Unmet),
			cmp.Compare(a.FailingCVs, b.FailingCVs), cmp.Compare(a.FailingParts, b.FailingParts),
			cmp.Compare(b.worstMargin, a.worstMargin), strings.Compare(a.Code, b.Code))
	})
	for i := range p.Rows {
		p.Rows[i].Rank = i + 1
	}
	switch p.Sort {
	case "code":
		slices.SortStableFunc(p.Rows, func(a, b countyRow) int { return strings.Compare(a.Code, b.Code) })
	case "failing":
		slices.SortStableFunc(p.Rows, func(a, b countyRow) int {
			return cmp.Or(cmp.Compare(b.FailingParts, a.FailingParts), cmp.Compare(b.FailingCVs, a.FailingCVs))
		})
	case "worst":
		slices.SortStableFunc(p.Rows, func(a, b countyRow) int { return cmp.Compare(a.worstMargin, b.worstMargin) })
	}
	if region.Level == census.LevelProvince || region.Level == census.LevelNation {
		for _, ch := range p.Children {
			chartNames = append(chartNames, ch.Region.Name)
			chartPass = append(chartPass, ch.Passed)
			chartFail = append(chartFail, ch.Failed)
			chartPending = append(chartPending, ch.Counties-ch.Passed-ch.Failed)
		}
		p.Chart, err = toJSON(map[string]any{
			"kind": "stack", "names": chartNames,
			"series": []map[string]any{{"name": b.T("overview.recognised"), "data": chartPass, "cls": "ok"},
				{"name": b.T("overview.pending"), "data": chartPending, "cls": "warn"},
				{"name": b.T("overview.not_recognised"), "data": chartFail, "cls": "bad"}},
		})
	} else if p.Resource.Applies {
		for _, row := range p.Rows {
			chartNames = append(chartNames, row.Name)
			chartPass = append(chartPass, row.Parts-row.FailingParts)
			chartFail = append(chartFail, row.FailingParts)
		}
		p.Chart, err = toJSON(map[string]any{
			"kind": "stack", "names": chartNames,
			"series": []map[string]any{{"name": b.T("overview.chart.parts_pass"), "data": chartPass, "cls": "ok"},
				{"name": b.T("overview.chart.parts_fail"), "data": chartFail, "cls": "bad"}},
		})
	}
	if err != nil {
		return err
	}
	if p.Standings, err = s.standings(r.Context(), b, c, prefix); err != nil {
		return err
	}
	if p.Changes, err = s.changesSince(r.Context(), b, c, prefix, res); err != nil {
		return err
	}
	if p.Trends, err = s.trends(r.Context(), b, c, prefix); err != nil {
		return err
	}
	if err := s.overviewMap(r.Context(), p, statuses); err != nil {
		return err
	}
	if p.Targets, err = s.recognitionTargets(r.Context(), b, region); err != nil {
		return err
	}
	p.paginate(r) // after sorting and charting: the page's rows of the chosen order
	b.Title = region.Name + " · " + b.T("nav.overview")
	b.Charts = true
	if off, _, err := s.st.OfficialCounties(r.Context(), c.Year, scopedPrefix(b.Scope, p.Region.Code)); err == nil {
		p.Official, p.Shown = off, p.Total
	}
	s.render(w, r, http.StatusOK, "overview", p)
	return nil
}

// overviewRows is the most counties the ranking shows on one page: every
// real province (四川, the largest, has 183) fits on one; a nation's 2 900
// rows would be a page of megabytes that no one scrolls: its provinces
// table and a province's page lead to the rest.
const overviewRows = 300

// pageLink is one link of a paged list.
type pageLink struct {
	N       int
	Href    string
	Current bool
}

// paginate keeps the rows of the page ?page (from 1) of p.Rows when there
// are more than overviewRows, with links to every page.
func (p *overviewPage) paginate(r *http.Request) {
	p.RowsTotal = len(p.Rows)
	if len(p.Rows) <= overviewRows {
		return
	}
	pages := (len(p.Rows) + overviewRows - 1) / overviewRows
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	n = min(max(n, 1), pages)
	for i := 1; i <= pages; i++ {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(i))
		p.Pages = append(p.Pages, pageLink{N: i, Href: "/overview?" + q.Encode(), Current: i == n})
	}
	p.From = (n-1)*overviewRows + 1
	p.To = min(n*overviewRows, len(p.Rows))
	p.Rows = p.Rows[p.From-1 : p.To]
}

// regionPrefix is the code prefix of the counties in a region.
func regionPrefix(rg census.Region) string {
	switch rg.Level {
	case census.LevelNation:
		return ""
	case census.LevelProvince:
		return rg.Code[:2]
	case census.LevelCity:
		return rg.Code[:4]
	}
	return rg.Code
}

// StandardName names the chosen standard in the page's language.
func (p *overviewPage) StandardName() string {
	if p.EN() {
		return p.Rules.NameEN
	}
	return p.Rules.Name
}

// statusRank orders verdicts for the ranking: recognised, pending, not.
func statusRank(st census.Status) int {
	switch st {
	case census.StatusMet:
		return 0
	case census.StatusPending:
		return 1
	}
	return 2
}

// summarize reduces a county's whole-standard evaluation to an overview
// row: its verdict and why, and the resource part's figures.
func summarize(b *Base, c *eval.County, rules *standards.Rules) countyRow {
	row := countyRow{Code: c.Code, Name: c.Name, Pass: c.ResourcePass, Complete: c.Complete, RoundingFlips: c.RoundingFlips, worstMargin: 1}
	if !rules.Preschool() {
		row.Resource = c.ResourceStatus()
	}
	if v := c.Verdict; v != nil {
		row.Status, row.Unmet, row.Pending = v.Status, len(v.Unmet), len(v.Pending)
		row.Reason = verdictReason(b, v)
	}
	for _, sr := range c.Stages {
		row.Parts += sr.Parts
		row.FailingParts += sr.FailingParts
		for _, ir := range sr.Indicators {
			if ir.Over && sr.Parts > 0 {
				row.FailingCVs++
				row.Worst = append(row.Worst, worstCV{Stage: sr.Stage, Ind: ir.Indicator, CV: ir.CV.CV, Limit: ir.Limit})
			}
			if ir.Margin == ir.Margin && ir.Margin < row.worstMargin {
				row.worstMargin = ir.Margin
			}
		}
	}
	slices.SortStableFunc(row.Worst, func(a, b worstCV) int { return cmp.Compare(b.CV-b.Limit, a.CV-a.Limit) })
	if len(row.Worst) > 3 {
		row.Worst = row.Worst[:3]
	}
	return row
}

// verdictReason is the one line that says why a county is not (yet)
// recognised: the items not met (the vetoes first), else those pending
// and what they await; "" when recognised.
func verdictReason(b *Base, v *eval.Verdict) string {
	ids := slices.Concat(v.Vetoes, slices.DeleteFunc(slices.Clone(v.Unmet), func(id string) bool { return slices.Contains(v.Vetoes, id) }))
	key := "overview.reason.unmet"
	if len(ids) == 0 {
		ids, key = v.Pending, "overview.reason.pending"
	}
	if len(ids) == 0 {
		return ""
	}
	var names []string
	for _, id := range ids[:min(3, len(ids))] {
		if it := v.Item(id); it != nil {
			names = append(names, b.ItemName(it.Item))
		}
	}
	sep := "、"
	if b.EN() {
		sep = ", "
	}
	list := strings.Join(names, sep)
	if len(ids) > 3 {
		return b.T(key+"_more", list, len(ids))
	}
	return b.T(key, list)
}
