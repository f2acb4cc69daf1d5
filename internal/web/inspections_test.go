package web

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/training"
)

// ensureRegistry gives county a 校外培训机构 registry of three institutions
// unless it keeps one, and returns the credit code of its first.
func ensureRegistry(t *testing.T, st *store.Store, county string) (credit, name string) {
	t.Helper()
	ctx := context.Background()
	d, _, err := st.Ledger(ctx, training.Schema, county, 0)
	if errors.Is(err, store.ErrNotFound) {
		d = training.Schema.New()
		for i, n := range []string{"启明培训学校", "青苗艺术培训中心", "飞跃体育俱乐部"} {
			code := "52" + county + "MJ" + strconv.Itoa(1000000 + i)[1:] + "0"
			code = code[:17]
			code += training.CreditCheck(code)
			cat, field := training.Subject, ""
			if i > 0 {
				cat, field = training.NonSubject, "arts"
			}
			if err := d.Add(training.TInstitutions, map[string]string{"credit": code, "name": n, "form": "nonprofit", "licence": "教民" + county + strconv.Itoa(i),
				"licence_from": "2024-01-01", "licence_to": "2029-12-31", "category": cat, "field": field, "mode": "offline", "approver": "education",
				"custody": training.Bank, "account": "某银行 6222"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.SaveLedger(ctx, "test", county, 0, nil, "", store.AnyVersion, d); err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	ins := training.Institutions(d, time.Now())
	return ins[0].Credit, ins[0].Name
}

// testClock is a controllable clock for the server and the store.
type testClock struct{ t atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *testClock) advance(d time.Duration) { c.t.Add(int64(d)) }

// inspectMultipart is a multipart body of fields and files (field → name →
// content).
func inspectMultipart(fields url.Values, files map[string]map[string][]byte) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, fs := range files {
		for name, data := range fs {
			fw, _ := mw.CreateFormFile(field, name)
			fw.Write(data)
		}
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

var testPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// TestInspectionFlow runs an inspection through the pages on a
// controllable clock: a campaign, a visit with a failed item and a photo,
// its rectification order due in the profile's 15 days, its light going
// amber then red as the clock moves, the inbox counting it, the fix
// reported late with a photo, the reporter refused the verification and a
// colleague verifying it: closed (已销号). A complaint and a penalty
// decision; the city reads and may not record.
func TestInspectionFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var clk testClock
	clk.t.Store(time.Date(2026, 7, 10, 2, 0, 0, 0, time.UTC).UnixNano()) // 10 July, 10:00 in Beijing
	e.st.Now, e.srv.now = clk.now, clk.now
	code := county().Code
	credit, name := ensureRegistry(t, e.st, code)
	page := "/county/" + code + "/inspections"

	check(t, e.get("county", page), http.StatusOK, hc.In("#visit-form", hc.HasText(name)), hc.In("#campaign-form"), hc.In("#complaint-form"))
	check(t, e.get("city", page), http.StatusOK, hc.In("#campaign-form select[name=scope]"), hc.NotIn("#visit-form"), hc.NotIn("#complaint-form"))
	check(t, e.get("viewer", page), http.StatusOK, hc.NotIn("#visit-form"), hc.NotIn("#campaign-form"))
	if w := e.get("school", page); w.Code != http.StatusNotFound {
		t.Errorf("a school account's inspections page: %d", w.Code)
	}

	// Campaigns: the county's own, the city's over its counties. (The demo
	// may hold the county's inspections already: every check below is of
	// what this test adds.)
	before, err := e.st.Campaigns(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if w := e.postForm("county", page+"/campaigns", url.Values{"title": {"2026年暑期校外培训专项治理"}, "starts": {"2026-07-01"}, "ends": {"2026-08-31"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("county campaign: %d %s", w.Code, w.Body)
	}
	if w := e.postForm("city", page+"/campaigns", url.Values{"title": {"全市校外培训联合检查"}, "starts": {"2026-07-05"}, "ends": {"2026-07-20"}, "scope": {"wide"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("city campaign: %d %s", w.Code, w.Body)
	}
	if w := e.postForm("viewer", page+"/campaigns", url.Values{"title": {"x"}, "starts": {"2026-07-05"}, "ends": {"2026-07-20"}}); w.Code != http.StatusForbidden {
		t.Errorf("a read-only campaign: %d", w.Code)
	}
	cs, err := e.st.Campaigns(ctx, code)
	if err != nil || len(cs) != len(before)+2 {
		t.Fatalf("campaigns %+v %v", cs, err)
	}
	var countyCampaign store.Campaign
	for _, c := range cs {
		if slices.ContainsFunc(before, func(b store.Campaign) bool { return b.ID == c.ID }) {
			continue
		}
		if c.Region == code {
			countyCampaign = c
		} else if c.Region != census.CityCode(code) {
			t.Errorf("campaign of %s", c.Region)
		}
	}

	// A visit with fire safety failed and a photo.
	fields := url.Values{"credit": {credit}, "day": {"2026-07-10"}, "campaign": {strconv.FormatInt(countyCampaign.ID, 10)}, "inspectors": {"张明、李华"},
		"findings": {"前台未公示收费标准"}}
	for _, it := range store.TrainingChecklist {
		fields.Set("r."+it.ID, store.CheckPass)
	}
	fields.Set("r.fire", store.CheckFail)
	fields.Set("n.fire", "安全出口堵塞")
	body, ctype := inspectMultipart(fields, map[string]map[string][]byte{"photo": {"出口.png": testPNG}})
	if w := e.do("city", http.MethodPost, page+"/visits", bytes.NewReader(body.Bytes()), "Content-Type", ctype); w.Code != http.StatusForbidden {
		t.Errorf("the city records a visit: %d", w.Code)
	}
	w := e.do("county", http.MethodPost, page+"/visits", body, "Content-Type", ctype)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/inspection/") {
		t.Fatalf("visit: %d %s %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	visitURL := w.Header().Get("Location")
	check(t, e.get("county", visitURL), http.StatusOK, hc.In(`li[data-item=fire][data-result=fail] button[data-action=raise]`),
		hc.In("#visit-photos img"), hc.In("#visit-fails", hc.HasText("1")))
	check(t, e.get("city", visitURL), http.StatusOK, hc.NotIn(`button[data-action=raise]`), hc.NotIn("#penalty-form"))

	// Its rectification order, due at the end of 25 July (15 days).
	w = e.postForm("county", visitURL+"/order", url.Values{"item": {"fire"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/ticket/") {
		t.Fatalf("order: %d %s", w.Code, w.Body)
	}
	ticketURL := w.Header().Get("Location")
	if w := e.postForm("county", visitURL+"/order", url.Values{"item": {"fire"}}); w.Code != http.StatusConflict {
		t.Errorf("the same item ordered twice: %d", w.Code)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(ticketURL, "/ticket/"), 10, 64)
	tk, err := e.st.Ticket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 7, 25, 16, 0, 0, 0, time.UTC); !tk.Deadline.Equal(want) || tk.Kind != store.TicketInspection || tk.Credit != credit {
		t.Errorf("order %+v, want due %v", tk, want)
	}
	light := func(account string) string {
		t.Helper()
		w := e.get(account, ticketURL)
		if w.Code != http.StatusOK {
			t.Fatalf("ticket page as %s: %d", account, w.Code)
		}
		m := strings.SplitN(w.Body.String(), `data-light="`, 2)
		return strings.SplitN(m[1], `"`, 2)[0]
	}
	check(t, e.get("county", ticketURL), http.StatusOK, hc.In("#ticket-subject", hc.HasText(name)), hc.In(`button[data-action=report]`),
		hc.In("#inspections-crumb"), hc.In("#visit-crumb"))
	if l := light("county"); l != "green" {
		t.Errorf("new order: %s", l)
	}
	clk.advance(13 * 24 * time.Hour) // 23 July: two days left
	if l := light("county"); l != "amber" {
		t.Errorf("two days left: %s", l)
	}
	if n, want := inboxN(t, e, "county", "inspect.inbox_open"), openOf(t, e.st, code, store.TicketInspection, ticket.Open); n != want || n < 1 {
		t.Errorf("inbox: %d open orders, want %d", n, want)
	}
	clk.advance(3 * 24 * time.Hour) // 26 July: overdue
	if l := light("county"); l != "red" {
		t.Errorf("overdue: %s", l)
	}
	check(t, e.get("county", page), http.StatusOK, hc.In(`#order-list tr[data-ticket="`+strconv.FormatInt(id, 10)+`"][data-light=red]`))

	// The fix reported, late, with a photo: it stays red until closed.
	if w := e.postForm("city", ticketURL+"/step", url.Values{"action": {"report"}, "text": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("the city reports the county's fix: %d", w.Code)
	}
	body, ctype = inspectMultipart(url.Values{"action": {"report"}, "text": {"已清理安全出口，张贴疏散图"}}, map[string]map[string][]byte{"file": {"整改后.png": testPNG}})
	if w := e.do("county", http.MethodPost, ticketURL+"/step", body, "Content-Type", ctype); w.Code != http.StatusSeeOther {
		t.Fatalf("report: %d %s", w.Code, w.Body)
	}
	if l := light("county"); l != "red" {
		t.Errorf("reported late: %s", l)
	}
	check(t, e.get("county", "/inbox"), http.StatusOK, hc.In(`[data-key="inspect.inbox_submitted"]`))

	// Separation of duty: the reporter may not verify; a colleague does.
	check(t, e.get("county", ticketURL), http.StatusOK, hc.In("#verify-by-other"), hc.NotIn(`button[data-action=verify]`))
	if w := e.postForm("county", ticketURL+"/step", url.Values{"action": {"verify"}, "text": {"自己核验"}}); w.Code != http.StatusForbidden {
		t.Errorf("the reporter verifies: %d", w.Code)
	}
	colleague, err := e.st.CreateUser(ctx, store.User{Username: "county-b", Role: store.RoleCounty, Region: code}, "long enough")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.st.CreateSession(ctx, colleague.ID, 1e12)
	if err != nil {
		t.Fatal(err)
	}
	as := func(method, target string, form url.Values) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: tok})
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		return w
	}
	check(t, as(http.MethodGet, ticketURL, nil), http.StatusOK, hc.In(`button[data-action=verify]`), hc.In(`button[data-action=reject]`))
	if w := as(http.MethodPost, ticketURL+"/step", url.Values{"action": {"verify"}, "text": {"现场复查合格"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("the colleague verifies: %d %s", w.Code, w.Body)
	}
	check(t, e.get("county", ticketURL), http.StatusOK, hc.In(`#ticket-status[data-status=closed]`, hc.HasText("已销号")))
	if l := light("city"); l != "done" {
		t.Errorf("closed: %s", l)
	}
	if w := as(http.MethodPost, ticketURL+"/step", url.Values{"action": {"verify"}, "text": {"again"}}); w.Code != http.StatusForbidden && w.Code != http.StatusConflict {
		t.Errorf("a second verification: %d", w.Code)
	}

	// The penalty decision.
	if w := e.postForm("county", visitURL+"/penalty", url.Values{"kind": {"fine"}, "document": {"X教罚〔2026〕3号"}, "day": {"2026-07-20"}}); w.Code != http.StatusBadRequest {
		t.Errorf("a fine without its amount: %d", w.Code)
	}
	if w := e.postForm("county", visitURL+"/penalty", url.Values{"kind": {"fine"}, "amount": {"20000"}, "document": {"X教罚〔2026〕3号"}, "day": {"2026-07-20"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("penalty: %d %s", w.Code, w.Body)
	}
	check(t, e.get("city", visitURL), http.StatusOK, hc.In(`#penalty-now[data-kind=fine]`, hc.HasText("20000")))

	// A revocation writes its status row into the registry in the same
	// step (so the rules stop checking the institution and the black list
	// takes it); recording it again adds no second row.
	_, regBefore, _ := e.st.Ledger(ctx, training.Schema, code, 0)
	for range 2 {
		if w := e.postForm("county", visitURL+"/penalty", url.Values{"kind": {"revoke"}, "document": {"X教罚〔2026〕4号"}, "day": {"2026-07-21"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("revocation: %d %s", w.Code, w.Body)
		}
	}
	reg, after, _ := e.st.Ledger(ctx, training.Schema, code, 0)
	if after.ID == regBefore.ID || after.Note != "吊销许可证 X教罚〔2026〕4号" {
		t.Errorf("the registry after a revocation: version %d → %d %q", regBefore.ID, after.ID, after.Note)
	}
	rows := 0
	for _, r := range reg.Rows(training.TStatuses) {
		if r.Get("credit") == credit && r.Get("status") == training.Revoked && r.Get("date") == "2026-07-21" {
			rows++
		}
	}
	revokedOn := func(day string) string {
		d, _ := time.Parse(time.DateOnly, day)
		for _, in := range training.Institutions(reg, d) {
			if in.Credit == credit {
				return in.Status
			}
		}
		return ""
	}
	if rows != 1 || revokedOn("2026-07-21") != training.Revoked || revokedOn("2026-07-20") == training.Revoked {
		t.Errorf("%d status rows; status on 21 July %s", rows, revokedOn("2026-07-21"))
	}

	// A complaint about an unregistered class, assigned to the colleague:
	// due in the profile's 15 days from now.
	if w := e.postForm("county", "/county/"+code+"/complaints", url.Values{"source": {"12345"}, "subject": {"某小区内无证补习班"}, "title": {"暑期开设学科类培训"}, "assignee": {"someone"}}); w.Code != http.StatusBadRequest {
		t.Errorf("a complaint assigned to no account of the county: %d", w.Code)
	}
	w = e.postForm("county", "/county/"+code+"/complaints", url.Values{"source": {"12345"}, "subject": {"某小区内无证补习班"}, "title": {"暑期开设学科类培训"}, "assignee": {"county-b"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("complaint: %d %s", w.Code, w.Body)
	}
	check(t, e.get("county", w.Header().Get("Location")), http.StatusOK, hc.In("#ticket-source", hc.HasText("12345热线")), hc.In("#ticket-assignee", hc.HasText("county-b")))
	cid, _ := strconv.ParseInt(strings.TrimPrefix(w.Header().Get("Location"), "/ticket/"), 10, 64)
	c, _ := e.st.Ticket(ctx, cid)
	if want := ticket.DueAfter(clk.now(), 15); !c.Deadline.Equal(want) || c.Kind != store.TicketComplaint {
		t.Errorf("complaint %+v, want due %v", c, want)
	}
	check(t, e.get("county", page), http.StatusOK, hc.In(`#complaint-list tr[data-ticket="`+strconv.FormatInt(cid, 10)+`"][data-status=open]`, hc.HasText("某小区内无证补习班")),
		hc.In(`#order-list tr[data-ticket="`+strconv.FormatInt(id, 10)+`"][data-status=closed]`), hc.In(`#visit-list tr[data-visit="`+strings.TrimPrefix(visitURL, "/inspection/")+`"]`, hc.HasText(name)))
	if n, want := inboxN(t, e, "county", "complaint.inbox_open"), openOf(t, e.st, code, store.TicketComplaint, ticket.Open); n != want || n < 1 {
		t.Errorf("inbox: %d open complaints, want %d", n, want)
	}
	// The audit log names each step.
	check(t, e.get("county", "/audit"), http.StatusOK, hc.In(`td[data-action="inspect.visit"]`), hc.In(`td[data-action="inspect.penalty"]`),
		hc.In(`td[data-action="inspect.campaign"]`))
}

// inboxN is the count of the inbox line key of account (0 without one).
func inboxN(t *testing.T, e *env, account, key string) int {
	t.Helper()
	body := e.get(account, "/inbox").Body.String()
	_, after, ok := strings.Cut(body, `data-key="`+key+`"`)
	if !ok {
		return 0
	}
	_, after, _ = strings.Cut(after, `<b class="count">`)
	n, _ := strconv.Atoi(strings.SplitN(after, "<", 2)[0])
	return n
}

// openOf counts county's tickets of kind in status.
func openOf(t *testing.T, st *store.Store, county, kind string, status ticket.Status) int {
	t.Helper()
	ts, err := st.TrainingTickets(context.Background(), county)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tk := range ts {
		if tk.Kind == kind && tk.Status == status {
			n++
		}
	}
	return n
}

// TestInspectionOtherCounty: a county account neither sees nor acts on
// another county's inspections, visits and tickets, and nothing changes.
func TestInspectionOtherCounty(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := otherCounty()
	v, err := e.st.RecordVisit(ctx, "x", store.Visit{County: other, Credit: "x", Name: "别县机构", Day: "2026-07-10", Inspectors: "x",
		Checklist: []store.CheckItem{{ID: "fire", Result: store.CheckFail}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := e.st.RaiseTrainingTicket(ctx, "x", store.Ticket{Kind: store.TicketInspection, County: other, VisitID: v.ID, Item: "fire"}, nil, 15)
	if err != nil {
		t.Fatal(err)
	}
	vu, tu := "/inspection/"+strconv.FormatInt(v.ID, 10), "/ticket/"+strconv.FormatInt(tk.ID, 10)
	for _, target := range []string{"/county/" + other + "/inspections", vu, tu} {
		if w := e.get("county", target); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d", target, w.Code)
		}
	}
	for target, form := range map[string]url.Values{vu + "/order": {"item": {"fire"}}, vu + "/penalty": {"kind": {"none"}}, tu + "/step": {"action": {"report"}, "text": {"x"}},
		"/county/" + other + "/complaints": {"source": {"phone"}, "subject": {"x"}, "title": {"x"}, "assignee": {"county"}}} {
		if w := e.postForm("county", target, form); w.Code != http.StatusNotFound {
			t.Errorf("POST %s: %d", target, w.Code)
		}
	}
	if ts, _ := e.st.TrainingTickets(ctx, other); len(ts) != 1 {
		t.Errorf("another county's tickets changed: %+v", ts)
	}
	if got, _ := e.st.Visit(ctx, v.ID); got.Penalty.Kind != "" {
		t.Errorf("another county's penalty changed: %+v", got.Penalty)
	}
}

// TestDemoInspections: the demo's seeder gives a county with a registry
// its campaigns, visits, orders in every state — closed, waiting for
// verification, overdue, due soon — a penalty, and complaints; a county
// without a registry gets nothing.
func TestDemoInspections(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const none = "990199" // a county without a registry
	if err := seedInspections(ctx, e.st, none); err != nil {
		t.Fatal(err)
	}
	if vs, _ := e.st.Visits(ctx, none); len(vs) != 0 {
		t.Fatalf("a county without a registry: %d visits", len(vs))
	}
	// Another county than the demo's (whose inspections the demo seeds).
	code := otherCounty()
	ensureRegistry(t, e.st, code)
	if err := seedInspections(ctx, e.st, code); err != nil {
		t.Fatal(err)
	}
	vs, err := e.st.Visits(ctx, code)
	if err != nil || len(vs) != 4 {
		t.Fatalf("visits %d %v", len(vs), err)
	}
	cs, _ := e.st.Campaigns(ctx, code)
	if len(cs) != 2 {
		t.Errorf("%d campaigns", len(cs))
	}
	lights := map[string]int{}
	for _, r := range e.srv.ticketRows(must(e.st.TrainingTickets(ctx, code))) {
		lights[r.Kind+" "+string(r.Status)+" "+string(r.Light)]++
	}
	want := map[string]int{"inspection closed done": 1, "inspection submitted red": 1, "inspection open red": 1, "inspection open amber": 1,
		"complaint closed done": 1, "complaint open red": 1, "complaint open green": 1}
	if diff := cmp.Diff(want, lights); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	check(t, e.get("admin", "/county/"+code+"/inspections"), http.StatusOK, hc.In("#visit-list"), hc.In("#order-list"), hc.In("#complaint-list"), hc.In("#campaign-list"))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
