package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
)

//go:embed templates/*.html
var templateFS embed.FS

// templates holds one template set per page: the layout and partials
// (layout.html, _*.html) cloned and joined with the page's own file.
type templates struct {
	pages map[string]*template.Template
}

// parseTemplates parses every template at start-up, so a broken or missing
// one stops the server instead of failing a request.
func parseTemplates(a *assets) (*templates, error) {
	funcs := template.FuncMap{
		"asset": a.URL,
		"num":   fmtNum,
		"fixed": fmtFixed,
		"pct":   fmtPct,
		// The colour code (colour.go) and a figure written against its boundary.
		"valueClass": valueClass,
		"cvClass":    func(cv, limit float64) string { return cvClass(cv, limit, cvOver(cv, limit)) },
		"numAgainst": numAgainst,
		"partValue":  partValue,
		"thousands":  thousandsOf,
		"money":      fmtMoney,
		"isNaN":      math.IsNaN,
		"query":      queryString,
		"add":        func(a, b int) int { return a + b },
		"sub":        func(a, b int) int { return a - b },
		"stageKey":   func(s census.Stage) string { return "stage." + string(s) },
		"date":       func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") },
		"deref": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
		"json": toJSON,
		"has":  func(list []review.Action, a string) bool { return slices.Contains(list, review.Action(a)) },
		"has2": func(list []ticket.Action, a string) bool { return slices.Contains(list, ticket.Action(a)) },
		// dueday is the day a deadline (the end of a day in Beijing time) falls on.
		"hasc":       func(list []recognition.Action, a string) bool { return slices.Contains(list, recognition.Action(a)) },
		"neg":        func(n int) int { return -n },
		"dueday":     func(t time.Time) string { return ticket.Day(t.Add(-time.Second)) },
		"lower":      strings.ToLower,
		"verdictKey": verdictKey,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, n := range names {
		short := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if short == "layout" || strings.HasPrefix(short, "_") {
			continue
		}
		p, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		if p.Lookup("content") == nil {
			return nil, fmt.Errorf("%s defines no \"content\"", n)
		}
		t.pages[short] = p
	}
	for _, need := range []string{"error", "login"} {
		if t.pages[need] == nil {
			return nil, fmt.Errorf("no template %s.html", need)
		}
	}
	return t, nil
}

// Base is what every page shows around its content: who is signed in, the
// language, the navigation.
type Base struct {
	Lang  i18n.Lang
	User  *store.User
	Scope Scope
	Title string
	Nav   string // the active navigation entry
	// Path is the request's URI, for the language switch to come back to.
	Path   string
	Flash  string
	Charts bool // the page draws ECharts charts: load the library
	// Inbox is the number of open items that need the account's action,
	// shown on the header's 待办 link.
	Inbox int
}

// T translates key into the page's language.
func (b *Base) T(key string, args ...any) string { return i18n.T(b.Lang, key, args...) }

// EN reports whether the page is in English.
func (b *Base) EN() bool { return b.Lang == i18n.EN }

// Reason says in the page's language why part p is excluded.
func (b *Base) Reason(p *eval.Part) string {
	key := "exclusion." + p.ReasonCode
	if p.ReasonCode == "" || !i18n.Has(b.Lang, key) {
		return p.Reason
	}
	if p.ReasonCode == eval.ExclusionOutOfScope {
		return b.T(key, p.Reason)
	}
	return b.T(key, p.ReasonArgs...)
}

// Other is the language the switch offers.
func (b *Base) Other() i18n.Lang {
	if b.Lang == i18n.EN {
		return i18n.ZH
	}
	return i18n.EN
}

// base returns the Base of a request; nav names the active navigation entry.
func (s *Server) base(r *http.Request, nav string) *Base {
	b := &Base{Lang: langOf(r), Nav: nav, Path: r.URL.RequestURI()}
	if u := userOf(r); u != nil {
		b.User = u
		b.Scope = scopeOf(u)
		b.Inbox = s.inboxCount(r.Context(), b.Scope)
	}
	if c, err := r.Cookie(flashCookie); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil {
			b.Flash = v
		}
	}
	return b
}

const flashCookie = "dudao_flash"

// setFlash shows msg once, on the next page rendered.
func setFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// render executes page name with data into a buffer first, so that a
// template error becomes a 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	buf := renderBufs.Get().(*bytes.Buffer)
	defer putRenderBuf(buf)
	block, ok := s.execute(w, r, name, data, buf)
	if !ok {
		return
	}
	s.pageHeaders(w, r, block)
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// execute runs page name's template into buf: the whole page, or its
// fragment for htmx. It answers an error itself and reports false.
func (s *Server) execute(w http.ResponseWriter, r *http.Request, name string, data any, buf *bytes.Buffer) (block string, ok bool) {
	t := s.tmpl.pages[name]
	if t == nil {
		s.log.Error("no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return "", false
	}
	block = blockOf(r, t)
	if err := t.ExecuteTemplate(buf, block, data); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return "", false
	}
	return block, true
}

// blockOf is the block of page t a request is given: the page's fragment
// for htmx when it has one, else the whole page.
func blockOf(r *http.Request, t *template.Template) string {
	if r.Header.Get("HX-Request") == "true" && t.Lookup("fragment") != nil && r.Header.Get("HX-Boosted") != "true" {
		return "fragment"
	}
	return "layout"
}

// pageHeaders sets the headers of a page rendered from block.
func (s *Server) pageHeaders(w http.ResponseWriter, r *http.Request, block string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", string(langOf(r)))
	h.Set("Vary", "Cookie, Accept-Language, HX-Request")
	if _, err := r.Cookie(flashCookie); err == nil && block == "layout" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	}
}

// renderBufs are the buffers pages are rendered into, kept for the next
// page: a county page is 50–250 KB, and growing a new buffer to that for
// every request took more time in clearing memory and collecting it than
// the template took to run.
var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putRenderBuf gives buf back to renderBufs, unless a page of unusual size
// made it too large to keep.
func putRenderBuf(buf *bytes.Buffer) {
	if buf.Cap() > 4<<20 {
		return
	}
	buf.Reset()
	renderBufs.Put(buf)
}

// fmtNum formats a value with d decimals; "—" when not reported.
func fmtNum(v float64, d int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}

// fmtFixed formats a value with up to 6 decimals, trailing zeros trimmed.
func fmtFixed(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(v, 'f', 6, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// fmtPct formats a ratio as a percentage with one decimal.
func fmtPct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}

// fmtMoney formats yuan with thousands separators.
func fmtMoney(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// queryString builds "?k=v&…" from pairs, leaving out empty values.
func queryString(kv ...any) template.URL {
	// A page's query list first, then pairs that add to or replace it:
	// {{query .Q "region" .Code}}.
	if len(kv) > 0 {
		if list, ok := kv[0].([]any); ok {
			kv = append(slices.Clone(list), kv[1:]...)
		}
	}
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v := fmt.Sprint(kv[i+1])
		if v != "" && v != "0" {
			q.Set(fmt.Sprint(kv[i]), v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return template.URL("?" + q.Encode())
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// thousandsOf writes a whole number with thousands separators.
func thousandsOf(n any) string {
	switch n := n.(type) {
	case int:
		return fmtMoney(float64(n))
	case int64:
		return fmtMoney(float64(n))
	case float64:
		return fmtMoney(n)
	}
	return fmt.Sprint(n)
}
