package eval

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dudao-edu/dudao/internal/census"
)

// An indenter appends a JSON value to b exactly as json.Encoder with
// SetIndent(prefix, "  ") writes it, field by field, without reflection: for
// the parts, the bulk of a county, where encoding/json's reflection and its
// second pass to indent cost most of the time (BenchmarkEvaluateJSONNation).
// Values with no hand-written form go through encoding/json (value).
type indenter struct {
	b      []byte
	prefix string
	depth  int
	first  []bool // per open object or array: nothing written in it yet
	err    error
	tmp    bytes.Buffer
	conds  conditions
}

func (e *indenter) newline() {
	e.b = append(e.b, '\n')
	e.b = append(e.b, e.prefix...)
	for range e.depth {
		e.b = append(e.b, "  "...)
	}
}

// open starts an object ('{') or array ('[').
func (e *indenter) open(c byte) {
	e.b = append(e.b, c)
	e.first = append(e.first, true)
	e.depth++
}

// close ends the innermost object ('}') or array (']'); an empty one is {} or [].
func (e *indenter) close(c byte) {
	e.depth--
	empty := e.first[len(e.first)-1]
	e.first = e.first[:len(e.first)-1]
	if !empty {
		e.newline()
	}
	e.b = append(e.b, c)
}

// elem starts the next element of an array.
func (e *indenter) elem() {
	if !e.first[len(e.first)-1] {
		e.b = append(e.b, ',')
	}
	e.first[len(e.first)-1] = false
	e.newline()
}

// key starts the field k (a name that needs no escaping) of an object.
func (e *indenter) key(k string) {
	e.elem()
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, `": `...)
}

func (e *indenter) bool(v bool) { e.b = strconv.AppendBool(e.b, v) }

func (e *indenter) int(v int) { e.b = strconv.AppendInt(e.b, int64(v), 10) }

// num appends a Num as Num.MarshalJSON writes it.
func (e *indenter) num(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = strconv.AppendFloat(e.b, v, 'g', -1, 64)
}

// float appends a float64 as encoding/json does (ES6 number formatting); NaN
// and ±Inf are the error encoding/json gives for them.
func (e *indenter) float(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		if e.err == nil {
			e.err = &json.UnsupportedValueError{Str: strconv.FormatFloat(v, 'g', -1, 64)}
		}
		e.b = append(e.b, '0')
		return
	}
	f := byte('f')
	if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		f = 'e'
	}
	e.b = strconv.AppendFloat(e.b, v, f, -1, 64)
	if f == 'e' { // e-09 → e-9
		n := len(e.b)
		if n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

const hexDigits = "0123456789abcdef"

// string appends s quoted as encoding/json quotes it, HTML-escaped.
func (e *indenter) string(s string) {
	b := append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}

// strings appends a []string: null when nil.
func (e *indenter) strings(ss []string) {
	if ss == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.open('[')
	for _, s := range ss {
		e.elem()
		e.string(s)
	}
	e.close(']')
}

// value appends v through encoding/json, indented to the current depth.
func (e *indenter) value(v any) {
	c, err := json.Marshal(v)
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return
	}
	e.tmp.Reset()
	if err := json.Indent(&e.tmp, c, e.prefix+strings.Repeat("  ", e.depth), "  "); err != nil && e.err == nil {
		e.err = err
	}
	e.b = append(e.b, e.tmp.Bytes()...)
}

// county appends the JSONCounty of c at detail d: by hand but for its
// stages and warnings, which go through encoding/json. A field added to
// JSONCounty, JSONPart, JSONVerdict, JSONItem, JSONCheck or JSONSchoolIssue
// must be added here too (TestWriteJSONSameAsWholeDocument fails until it is).
func (e *indenter) county(res *Result, c *County, d Detail, ids []string, order []int) {
	jc := res.jsonCountyHead(c, d, e.conds)
	e.open('{')
	e.key("code")
	e.string(jc.Code)
	e.key("name")
	e.string(jc.Name)
	e.key("resource_pass")
	if jc.ResourcePass == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.bool(*jc.ResourcePass)
	}
	e.key("resource_status")
	e.string(string(jc.ResourceStatus))
	e.key("complete")
	e.bool(jc.Complete)
	e.key("rounding_flips")
	e.int(jc.RoundingFlips)
	e.key("stages")
	e.value(jc.Stages)
	if d >= DetailParts {
		e.key("parts")
		e.open('[')
		for _, p := range c.Parts {
			e.elem()
			e.part(p, ids, order)
		}
		e.close(']')
	}
	if len(jc.Warnings) > 0 {
		e.key("warnings")
		e.value(jc.Warnings)
	}
	if v := jc.JSONVerdict; v != nil {
		e.verdict(v)
	}
	e.close('}')
}

// part appends the JSONPart of p; ids are the indicators' ids and order the
// indices of ids in sorted order (encoding/json sorts map keys).
func (e *indenter) part(p *Part, ids []string, order []int) {
	e.open('{')
	e.key("school_code")
	e.string(p.SchoolCode)
	e.key("school_name")
	e.string(p.SchoolName)
	e.key("school_type")
	e.string(string(p.SchoolType))
	e.key("stage")
	e.string(string(p.Stage))
	e.key("students")
	e.float(p.Students)
	e.key("values")
	e.open('{')
	if !p.Excluded {
		for _, k := range order {
			e.key(ids[k])
			e.num(p.Values[k])
		}
	}
	e.close('}')
	if !p.Excluded && len(order) > 0 {
		e.key("raw")
		e.open('{')
		for _, k := range order {
			e.key(ids[k])
			e.num(p.Raw[k])
		}
		e.close('}')
	}
	e.key("met")
	e.int(p.Met)
	e.key("pass")
	e.bool(p.Pass)
	e.key("excluded")
	e.bool(p.Excluded)
	e.key("reason")
	e.string(p.Reason)
	if p.ReasonCode != "" {
		e.key("reason_code")
		e.string(p.ReasonCode)
	}
	if len(p.Missing) > 0 {
		e.key("missing")
		e.strings(p.Missing)
	}
	if len(p.Shortfalls) > 0 {
		e.key("shortfalls")
		e.open('[')
		for _, sf := range p.Shortfalls {
			e.elem()
			e.open('{')
			e.key("indicator")
			e.string(sf.Indicator)
			e.key("value")
			e.float(sf.Value)
			e.key("threshold")
			e.float(sf.Threshold)
			e.key("ratio")
			e.float(sf.Ratio)
			e.key("below_floor")
			e.bool(sf.BelowFloor)
			e.key("need")
			e.float(sf.Need)
			e.close('}')
		}
		e.close(']')
	}
	if s := p.Split; s != nil {
		e.key("split")
		e.open('{')
		e.key("basis")
		e.string(s.Basis)
		e.key("share")
		e.float(s.Share)
		e.key("weights")
		if s.Weights == nil {
			e.b = append(e.b, "null"...)
		} else {
			e.open('{')
			keys := make([]string, 0, len(s.Weights))
			for k := range s.Weights {
				keys = append(keys, string(k))
			}
			slices.Sort(keys)
			for _, k := range keys {
				e.elem()
				e.string(k)
				e.b = append(e.b, ": "...)
				e.float(s.Weights[census.Stage(k)])
			}
			e.close('}')
		}
		if len(s.Given) > 0 {
			e.key("given")
			e.strings(s.Given)
		}
		if len(s.Derived) > 0 {
			e.key("derived")
			e.strings(s.Derived)
		}
		e.close('}')
	}
	e.close('}')
}

// indicatorOrder returns the ids of the rules' indicators and their indices
// in the order encoding/json writes a map keyed by them.
func (res *Result) indicatorOrder() (ids []string, order []int) {
	for k, ind := range res.Rules.Indicators {
		ids = append(ids, ind.ID)
		order = append(order, k)
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ids[a], ids[b]) })
	return ids, order
}

// verdict appends the fields of v to the object open (a county's, which
// JSONVerdict is embedded in): its items by hand, the rarer judgements,
// prior years and kindergartens through encoding/json.
func (e *indenter) verdict(v *JSONVerdict) {
	e.key("status")
	e.string(string(v.Status))
	e.key("recognised")
	e.bool(v.Recognised)
	e.key("unmet")
	e.strings(v.Unmet)
	e.key("pending")
	e.strings(v.Pending)
	e.key("vetoes")
	e.strings(v.Vetoes)
	e.key("county_record")
	e.bool(v.CountyRecord)
	if v.Items != nil {
		e.key("items")
		e.open('[')
		for i := range v.Items {
			e.elem()
			e.item(&v.Items[i])
		}
		e.close(']')
	}
	if len(v.Kindergartens) > 0 {
		e.key("kindergartens")
		e.value(v.Kindergartens)
	}
}

// item appends a JSONItem.
func (e *indenter) item(it *JSONItem) {
	e.open('{')
	e.key("id")
	e.string(it.ID)
	e.key("part")
	e.string(it.Part)
	e.key("no")
	e.int(it.No)
	e.key("name")
	e.string(it.Name)
	e.key("name_en")
	e.string(it.NameEN)
	e.key("rule")
	e.string(it.Rule)
	e.key("evidence")
	e.bool(it.Evidence)
	e.key("veto")
	e.bool(it.Veto)
	e.key("status")
	e.string(string(it.Status))
	e.key("awaiting")
	e.strings(it.Awaiting)
	e.key("reason")
	e.string(it.Reason)
	e.key("checks")
	if it.Checks == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.open('[')
		for i := range it.Checks {
			e.elem()
			e.check(&it.Checks[i])
		}
		e.close(']')
	}
	e.key("judgement")
	if it.Judgement == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.value(it.Judgement)
	}
	e.close('}')
}

// check appends a JSONCheck.
func (e *indenter) check(c *JSONCheck) {
	e.open('{')
	e.key("id")
	e.string(c.ID)
	e.key("kind")
	e.string(c.Kind)
	e.key("name")
	e.string(c.Name)
	e.key("condition")
	e.string(c.Condition)
	e.key("status")
	e.string(string(c.Status))
	e.key("value")
	e.num(float64(c.Value))
	e.key("numerator")
	e.num(float64(c.Numerator))
	e.key("denominator")
	e.num(float64(c.Denominator))
	if c.Op != "" {
		e.key("op")
		e.string(c.Op)
	}
	e.key("threshold")
	e.float(c.Threshold)
	e.key("percent")
	e.bool(c.Percent)
	e.key("unit")
	e.string(c.Unit)
	e.key("text")
	e.string(c.Text)
	if len(c.Missing) > 0 {
		e.key("missing")
		e.strings(c.Missing)
	}
	if c.Checked != 0 {
		e.key("checked")
		e.int(c.Checked)
	}
	if c.Failed != 0 {
		e.key("failed")
		e.int(c.Failed)
	}
	if len(c.Schools) > 0 {
		e.key("schools")
		e.open('[')
		for _, s := range c.Schools {
			e.elem()
			e.open('{')
			e.key("school_code")
			e.string(s.SchoolCode)
			e.key("school_name")
			e.string(s.SchoolName)
			e.key("school_type")
			e.string(string(s.SchoolType))
			e.key("value")
			e.num(float64(s.Value))
			e.key("limit")
			e.num(float64(s.Limit))
			e.key("missing")
			e.bool(s.Missing)
			e.key("text")
			e.string(s.Text)
			e.close('}')
		}
		e.close(']')
	}
	if len(c.Years) > 0 {
		e.key("years")
		e.value(c.Years)
	}
	e.close('}')
}
