package eval

import (
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// The whole-standard fields of a county in the JSON document: flattened into
// the county object beside resource_pass, stages and parts. Field names are a
// contract: add, never rename.
type (
	// JSONVerdict is a county's verdict. status is met (recognised), not_met
	// or pending; unmet lists the items not met, pending those awaiting a
	// judgement or data, vetoes the veto items that apply.
	JSONVerdict struct {
		Status       census.Status `json:"status"`
		Recognised   bool          `json:"recognised"`
		Unmet        []string      `json:"unmet"`
		Pending      []string      `json:"pending"`
		Vetoes       []string      `json:"vetoes"`
		CountyRecord bool          `json:"county_record"`
		// Items is absent at the counties detail (WriteJSON), and never
		// nil above it.
		Items         []JSONItem         `json:"items,omitzero"`
		Kindergartens []JSONKindergarten `json:"kindergartens,omitempty"`
	}
	// JSONItem is one item: its rule, status and the figures behind it.
	JSONItem struct {
		ID       string        `json:"id"`
		Part     string        `json:"part"`
		No       int           `json:"no"`
		Name     string        `json:"name"`
		NameEN   string        `json:"name_en"`
		Rule     string        `json:"rule"`
		Evidence bool          `json:"evidence"`
		Veto     bool          `json:"veto"`
		Status   census.Status `json:"status"`
		// Awaiting says why a pending item is pending: "judgement", "data".
		Awaiting  []string       `json:"awaiting"`
		Reason    string         `json:"reason"`
		Checks    []JSONCheck    `json:"checks"`
		Judgement *JSONJudgement `json:"judgement"`
	}
	// JSONCheck is one computed condition.
	JSONCheck struct {
		ID          string            `json:"id"`
		Kind        string            `json:"kind"`
		Name        string            `json:"name"`
		Condition   string            `json:"condition"`
		Status      census.Status     `json:"status"`
		Value       Num               `json:"value"`
		Numerator   Num               `json:"numerator"`
		Denominator Num               `json:"denominator"`
		Op          string            `json:"op,omitempty"`
		Threshold   float64           `json:"threshold"`
		Percent     bool              `json:"percent"`
		Unit        string            `json:"unit"`
		Text        string            `json:"text"`
		Missing     []string          `json:"missing,omitempty"`
		Checked     int               `json:"checked,omitempty"`
		Failed      int               `json:"failed,omitempty"`
		Schools     []JSONSchoolIssue `json:"schools,omitempty"`
		Years       []JSONPriorYear   `json:"years,omitempty"`
	}
	// JSONSchoolIssue is a school failing a per-school rule or lacking data.
	JSONSchoolIssue struct {
		SchoolCode string            `json:"school_code"`
		SchoolName string            `json:"school_name"`
		SchoolType census.SchoolType `json:"school_type"`
		Value      Num               `json:"value"`
		Limit      Num               `json:"limit"`
		Missing    bool              `json:"missing"`
		Text       string            `json:"text"`
	}
	// JSONPriorYear is an earlier year's 基本均衡 composite CVs.
	JSONPriorYear struct {
		Year   int              `json:"year"`
		Stages []JSONPriorStage `json:"stages"`
	}
	// JSONPriorStage is one stage of an earlier year.
	JSONPriorStage struct {
		Stage  census.Stage  `json:"stage"`
		CV     Num           `json:"cv"`
		Limit  float64       `json:"limit"`
		Status census.Status `json:"status"`
	}
	// JSONJudgement is the judgement in force of an evidence item.
	JSONJudgement struct {
		Status   census.Status  `json:"status"`
		Comment  string         `json:"comment"`
		Actor    string         `json:"actor"`
		At       *time.Time     `json:"at"` // null when files came before any judgement
		Evidence []JSONEvidence `json:"evidence"`
	}
	// JSONEvidence describes one evidence file (the bytes stay in the database).
	JSONEvidence struct {
		ID     int64     `json:"id"`
		Name   string    `json:"name"`
		Type   string    `json:"type"`
		Size   int64     `json:"size"`
		SHA256 string    `json:"sha256"`
		Actor  string    `json:"actor"`
		At     time.Time `json:"at"`
	}
	// JSONKindergarten is one kindergarten's figures (preschool standards).
	JSONKindergarten struct {
		Code               string          `json:"kindergarten_code"`
		Name               string          `json:"kindergarten_name"`
		Category           census.Category `json:"category"`
		Location           string          `json:"location"`
		Children           Num             `json:"children"`
		Classes            Num             `json:"classes"`
		Oversize           Num             `json:"oversize_classes"`
		Teachers           Num             `json:"teachers"`
		ChildrenPerTeacher Num             `json:"children_per_teacher"`
		CertifiedShare     Num             `json:"certified_share"`
		PrincipalCertified Num             `json:"principal_certified"`
		Missing            []string        `json:"missing,omitempty"`
	}
)

// JSON returns the document form of the verdict.
func (v *Verdict) JSON() *JSONVerdict { return v.json(DetailParts, nil) }

// json is the document form of the verdict at detail d: its items from the
// indicators detail on, its kindergartens (preschool's parts) at the parts
// detail. conds, if not nil, keeps the checks' conditions from one county to
// the next.
func (v *Verdict) json(d Detail, conds conditions) *JSONVerdict {
	out := &JSONVerdict{Status: v.Status, Recognised: v.Recognised, CountyRecord: v.HasRecord,
		Unmet: nonNil(v.Unmet), Pending: nonNil(v.Pending), Vetoes: nonNil(v.Vetoes)}
	if d < DetailIndicators {
		return out
	}
	out.Items = make([]JSONItem, 0, len(v.Items))
	for _, ir := range v.Items {
		it := ir.Item
		ji := JSONItem{ID: it.ID, Part: it.Part, No: it.No, Name: it.ZH, NameEN: it.EN, Rule: it.Rule,
			Evidence: it.Evidence, Veto: it.Veto, Status: ir.Status, Awaiting: nonNil(ir.Awaiting), Reason: ir.Reason,
			Checks: make([]JSONCheck, 0, len(ir.Checks))}
		for _, cr := range ir.Checks {
			c := cr.Check
			jc := JSONCheck{ID: c.ID, Kind: c.Kind, Name: c.ZH, Condition: conds.of(c), Status: cr.Status,
				Value: Num(cr.Value), Numerator: Num(cr.Num), Denominator: Num(cr.Den), Op: c.Op, Threshold: cr.Threshold,
				Percent: c.Percent, Unit: c.Unit, Text: cr.Text, Missing: cr.Missing, Checked: cr.Checked, Failed: cr.Failed}
			for _, s := range cr.Schools {
				jc.Schools = append(jc.Schools, JSONSchoolIssue{SchoolCode: s.Code, SchoolName: s.Name, SchoolType: s.Type,
					Value: Num(s.Value), Limit: Num(s.Limit), Missing: s.Missing, Text: s.Text})
			}
			for _, y := range cr.Years {
				jy := JSONPriorYear{Year: y.Year}
				for _, s := range y.Stages {
					jy.Stages = append(jy.Stages, JSONPriorStage{Stage: s.Stage, CV: Num(s.CV), Limit: s.Limit, Status: s.Status})
				}
				jc.Years = append(jc.Years, jy)
			}
			ji.Checks = append(ji.Checks, jc)
		}
		if j := ir.Judgement; j != nil {
			jj := &JSONJudgement{Status: j.Status, Comment: j.Comment, Actor: j.Actor, Evidence: []JSONEvidence{}}
			if !j.At.IsZero() {
				at := j.At
				jj.At = &at
			}
			for _, e := range j.Evidence {
				jj.Evidence = append(jj.Evidence, JSONEvidence{ID: e.ID, Name: e.Name, Type: e.Type, Size: e.Size, SHA256: e.SHA256, Actor: e.Actor, At: e.At})
			}
			ji.Judgement = jj
		}
		out.Items = append(out.Items, ji)
	}
	for _, k := range v.Kindergartens {
		if d < DetailParts {
			break
		}
		out.Kindergartens = append(out.Kindergartens, JSONKindergarten{Code: k.Code, Name: k.Name, Category: k.Category,
			Location: k.Location, Children: Num(k.Children), Classes: Num(k.Classes), Oversize: Num(k.Oversize),
			Teachers: Num(k.Teachers), ChildrenPerTeacher: Num(k.ChildrenPerTeacher), CertifiedShare: Num(k.CertifiedShare),
			PrincipalCertified: Num(k.PrincipalCertified), Missing: k.Missing})
	}
	return out
}

// conditions are the checks' conditions (Check.Describe) by check: the
// same for every county, and costly enough to write once a document.
type conditions map[*standards.Check]string

func (m conditions) of(c *standards.Check) string {
	if m == nil {
		return c.Describe()
	}
	s, ok := m[c]
	if !ok {
		s = c.Describe()
		m[c] = s
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Parts returns the verdict's items grouped by part, in report order.
func (v *Verdict) Parts() []PartItems {
	var out []PartItems
	for _, p := range standards.Parts {
		pi := PartItems{ID: p.ID, ZH: p.ZH, EN: p.EN, Status: census.StatusMet}
		var ss []census.Status
		for _, ir := range v.Items {
			if ir.Item.Part == p.ID {
				pi.Items = append(pi.Items, ir)
				ss = append(ss, ir.Status)
			}
		}
		if len(pi.Items) > 0 {
			pi.Status = combine(ss...)
			out = append(out, pi)
		}
	}
	return out
}

// PartItems is one part of a verdict with its items.
type PartItems struct {
	ID, ZH, EN string
	Status     census.Status
	Items      []*ItemResult
}

// Item returns the result of item id, or nil.
func (v *Verdict) Item(id string) *ItemResult {
	for _, ir := range v.Items {
		if ir.Item.ID == id {
			return ir
		}
	}
	return nil
}
