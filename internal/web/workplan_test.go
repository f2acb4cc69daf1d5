package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/store"
)

// planEnv is a server on the seeded demo with a controllable clock.
func planEnv(t *testing.T, at time.Time) (*env, *time.Time) {
	e := newEnv(t)
	now := at
	e.srv.now = func() time.Time { return now }
	e.st.Now = func() time.Time { return now }
	if os.Getenv("PLAN_DEBUG") != "" {
		e.srv.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return e, &now
}

// planFormOf reads the inputs and textareas of the form #id in body as a
// browser would send them (unchecked boxes left out).
func planFormOf(t *testing.T, body, id string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	v := url.Values{}
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode {
			if n.Data == "form" {
				got, _ := attr(n, "id")
				in = got == id
			}
			name, ok := attr(n, "name")
			if in && ok {
				switch n.Data {
				case "input":
					typ, _ := attr(n, "type")
					val, _ := attr(n, "value")
					_, checked := attr(n, "checked")
					if typ != "checkbox" || checked {
						v.Add(name, val)
					}
				case "textarea":
					text := ""
					if n.FirstChild != nil {
						text = n.FirstChild.Data
					}
					v.Add(name, text)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
	return v
}

func uploadPlan(e *env, account, name string, data []byte) *http.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	w := e.do(account, http.MethodPost, "/plans/import", &body, "Content-Type", mw.FormDataContentType())
	return w.Result()
}

// TestWorkplanImport imports the real 2023 plan through the preview: the
// seven quantitative targets it holds are recognised, each with its
// value, unit and the words around it, and the numbers that are not
// targets (years, a list count, a version, an ordinal) are not offered;
// one target is corrected and one dropped before confirming, and the
// stored tasks say so.
func TestWorkplanImport(t *testing.T) {
	e, _ := planEnv(t, time.Date(2023, 2, 10, 2, 0, 0, 0, time.UTC))
	data, err := os.ReadFile("../workplan/testdata/workplan-2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	res := uploadPlan(e, "city", "workplan-2023.txt", data)
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	body := buf.String()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d\n%.2000s", res.StatusCode, body)
	}
	got := regexp.MustCompile(`data-target="([^"]+)"`).FindAllStringSubmatch(body, -1)
	var targets []string
	for _, m := range got {
		targets = append(targets, m[1])
	}
	// Recognised: the seven targets of items 10, 12 and 17.
	want := []string{"80所", "7.7万个", "70所", "50个", "200间", "300名", "500名"}
	if strings.Join(targets, " ") != strings.Join(want, " ") {
		t.Errorf("recognised %q, want %q", targets, want)
	}
	// Not recognised, rightly: 2024年 (a year), 24条 (a count of chains
	// in a phrase), 2.0 (a version), 第二批 (an ordinal).
	for _, not := range []string{"2024年", "24条", "2.0", "第二批"} {
		for _, tg := range targets {
			if strings.Contains(tg, not) {
				t.Errorf("%s offered as a target", not)
			}
		}
	}
	for _, ctx := range []string{"新建、改扩建中小学幼儿园【80所】", "提供学位【7.7万个】"} {
		if !strings.Contains(body, ctx) {
			t.Errorf("preview lacks the context %q", ctx)
		}
	}
	form := planFormOf(t, body, "confirm-form")
	if form.Get("title") != "2023年全市教育工作要点" || form.Get("year") != "2023" || form.Get("items") != "9" {
		t.Fatalf("preview form: title %q year %q items %q", form.Get("title"), form.Get("year"), form.Get("items"))
	}
	// The user corrects 50 → 60 (item 12 is row 2) and drops 200间 (item
	// 17's first target, row 7), and fills a target for item 13 (row 3).
	form.Set("value.2", "60")
	form.Del("keep.7")
	form.Set("keep.3", "1")
	form.Set("value.3", "1")
	form.Set("unit.3", "个")
	form.Set("what.3", "孤独症教育联盟")
	form.Set("units.0", "基础教育处、发展规划处")
	w := e.postForm("city", "/plans/confirm", form)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/plan/") {
		t.Fatalf("confirm: %d %s\n%.1500s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	plans, err := e.st.Plans(context.Background(), "")
	if err != nil || len(plans) == 0 {
		t.Fatal(err)
	}
	var p store.Plan
	for _, x := range plans {
		if x.Source == "workplan-2023.txt" {
			p = x
		}
	}
	tasks, err := e.st.PlanTasks(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, t := range tasks {
		lines = append(lines, t.Number+"="+strings.TrimSuffix(strings.TrimSuffix(t.TargetText, "\n"), " "))
	}
	// As written where confirmed unchanged; rebuilt from the corrected fields where not.
	wantTasks := "10=新建、改扩建中小学幼儿园80所 10-2=提供学位7.7万个 10-3=改造农村薄弱幼儿园70所 11= 12=产教融合示范学科专业60个 13=孤独症教育联盟1个 14= 15= 16= 17=培养中小学信息化专家型校长300名 17-2=培养专家型学科教师500名 18="
	if strings.Join(lines, " ") != wantTasks {
		t.Errorf("tasks:\n%s\nwant\n%s", strings.Join(lines, " "), wantTasks)
	}
	if tasks[0].Units[1] != "发展规划处" || tasks[0].Section != "三、强化统筹协调,构建高质量教育体系" {
		t.Errorf("task 10: %+v", tasks[0])
	}

	// A file that is not a plan: the reason, naming the file.
	res = uploadPlan(e, "city", "notes.txt", []byte("没有编号的文字。\n"))
	buf.Reset()
	buf.ReadFrom(res.Body)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(buf.String(), "notes.txt") {
		t.Errorf("a file without items: %d\n%.800s", res.StatusCode, buf.String())
	}
}

// TestWorkplanLights runs a plan on a controllable clock: a task reported
// on schedule stays green, one reported behind turns yellow then red, one
// never started turns red three months after its start; a 督办单 is issued
// on the red one only; the bulletin of the month (PDF, DOCX, HTML) holds
// the late task with the reason its report gave; a county account does
// not see the city's plan.
func TestWorkplanLights(t *testing.T) {
	e, now := planEnv(t, time.Date(2023, 1, 5, 2, 0, 0, 0, time.UTC))
	ctx := context.Background()
	city := seedAccounts["city"].Region
	start, _ := time.Parse(time.DateOnly, "2022-12-31")
	start = start.Add(16 * time.Hour) // 2023-01-01 00:00 in Beijing
	due := start.AddDate(1, 0, 0)
	p, err := e.st.CreatePlan(ctx, "city", store.Plan{Region: city, Year: 2023, Title: "2023年工作要点"}, []store.PlanTask{
		{Number: "1", Title: "新建幼儿园", Units: []string{"基础教育处"}, Start: start, Due: due, Target: 12, TargetUnit: "所", TargetText: "新建幼儿园12所"},
		{Number: "2", Title: "改造薄弱校", Units: []string{"发展规划处"}, Start: start, Due: due, Target: 100, TargetUnit: "所", TargetText: "改造100所"},
		{Number: "3", Title: "出台评估办法", Units: []string{"督导室"}, Start: start, Due: due},
	})
	if err != nil {
		t.Fatal(err)
	}
	tasks, _ := e.st.PlanTasks(ctx, p.ID)
	lightOf := func(id int64) string {
		w := e.get("city", "/plan/"+itoa64(p.ID))
		if w.Code != http.StatusOK {
			t.Fatalf("wall: %d %.500s", w.Code, w.Body.String())
		}
		m := regexp.MustCompile(`data-task="` + itoa64(id) + `" data-light="([a-z]+)"`).FindStringSubmatch(w.Body.String())
		if m == nil {
			t.Fatalf("task %d not on the wall", id)
		}
		return m[1]
	}
	report := func(id int64, period, value, reason string) {
		t.Helper()
		w := e.postForm("city", "/plantask/"+itoa64(id)+"/report", url.Values{"period": {period}, "text": {"进展 " + period}, "value": {value}, "reason": {reason}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("report: %d %.800s", w.Code, w.Body.String())
		}
	}
	// End of May: 41% of the year should be done.
	*now = time.Date(2023, 5, 31, 2, 0, 0, 0, time.UTC)
	report(tasks[0].ID, "2023-05", "5", "")                 // 41.7%: on schedule
	report(tasks[1].ID, "2023-05", "25", "用地审批滞后，两所学校尚未开工") // 25%: 16 points behind
	if got := []string{lightOf(tasks[0].ID), lightOf(tasks[1].ID), lightOf(tasks[2].ID)}; strings.Join(got, ",") != "green,yellow,red" {
		t.Errorf("end of May: %v, want green,yellow,red (task 3 not started for five months)", got)
	}
	// The bureau's rules change after the plan is made: red from 15 points
	// behind turns the 16-points-behind task red at once; back to 30, it is
	// yellow again. The province reads the city's plan but does not change
	// its rules; a bad threshold is refused and changes nothing.
	rules := func(account, red string) int {
		return e.postForm(account, "/plan/"+itoa64(p.ID)+"/settings", url.Values{"title": {"2023年工作要点"}, "report_day": {"5"},
			"yellow": {"10"}, "red": {red}, "not_started": {"3"}}).Code
	}
	if c := rules("city", "15"); c != http.StatusSeeOther {
		t.Fatalf("rules: %d", c)
	}
	if got := lightOf(tasks[1].ID); got != "red" {
		t.Errorf("16 points behind with red from 15: %s", got)
	}
	if c := rules("admin", "40"); c != http.StatusForbidden {
		t.Errorf("the province changes the city's rules: %d", c)
	}
	if c := rules("city", "5"); c != http.StatusBadRequest {
		t.Errorf("red below yellow: %d", c)
	}
	if c := rules("city", "30"); c != http.StatusSeeOther || lightOf(tasks[1].ID) != "yellow" {
		t.Errorf("back to 30: %d, %s", c, lightOf(tasks[1].ID))
	}
	// A 督办单 only on a red task.
	w := e.postForm("city", "/plantask/"+itoa64(tasks[1].ID)+"/supervise", url.Values{"action": {"raise"}, "text": {"请说明"}, "days": {"10"}})
	if w.Code != http.StatusConflict {
		t.Errorf("督办 of a yellow task: %d", w.Code)
	}
	// End of July, no new report: 58% due, 25% done → red.
	*now = time.Date(2023, 7, 31, 2, 0, 0, 0, time.UTC)
	if got := lightOf(tasks[1].ID); got != "red" {
		t.Errorf("end of July: %s, want red", got)
	}
	w = e.postForm("city", "/plantask/"+itoa64(tasks[1].ID)+"/supervise", url.Values{"action": {"raise"}, "text": {"请说明滞后原因"}, "days": {"10"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("督办: %d %.800s", w.Code, w.Body.String())
	}
	tks, _ := e.st.PlanTaskTickets(ctx, tasks[1].ID)
	if len(tks) != 1 || tks[0].Kind != store.TicketSupervise || !strings.Contains(tks[0].Item, "落后") {
		t.Fatalf("督办单: %+v", tks)
	}
	// The existing ticket page shows it to the city.
	if w := e.get("city", "/ticket/"+itoa64(tks[0].ID)); w.Code != http.StatusOK {
		t.Errorf("ticket page: %d", w.Code)
	}
	// The inbox holds the 督办单 to answer and the July reports missing.
	*now = time.Date(2023, 8, 3, 2, 0, 0, 0, time.UTC)
	if w := e.get("city", "/inbox"); !strings.Contains(w.Body.String(), `data-key="inbox.plan_tickets"`) || !strings.Contains(w.Body.String(), `data-key="inbox.plan_reports"`) {
		t.Errorf("inbox lacks the plan's items:\n%.3000s", w.Body.String())
	}
	// July's bulletin.
	report(tasks[1].ID, "2023-07", "30", "施工许可仍在办理")
	for _, f := range []string{"pdf", "docx", "html"} {
		w := e.get("city", "/plan/"+itoa64(p.ID)+"/bulletin/"+f+"?month=2023-07")
		if w.Code != http.StatusOK {
			t.Fatalf("bulletin %s: %d %.500s", f, w.Code, w.Body.String())
		}
		if f == "docx" {
			z, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
			if err != nil {
				t.Fatalf("docx: %v", err)
			}
			var doc bytes.Buffer
			for _, zf := range z.File {
				if zf.Name == "word/document.xml" {
					rc, _ := zf.Open()
					doc.ReadFrom(rc)
					rc.Close()
				}
			}
			if !strings.Contains(doc.String(), "施工许可仍在办理") {
				t.Errorf("the DOCX bulletin lacks the reason")
			}
		}
		if f == "html" {
			for _, want := range []string{"改造薄弱校", "施工许可仍在办理", "红灯", "请说明滞后原因"} {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("bulletin lacks %q", want)
				}
			}
		}
	}
	if w := e.get("city", "/plan/"+itoa64(p.ID)+"/bulletin/pdf?month=2024-01"); w.Code != http.StatusBadRequest {
		t.Errorf("a future month: %d", w.Code)
	}
	// The wall by unit, filtered to one.
	w = e.get("city", "/plan/"+itoa64(p.ID)+"?by=unit&unit="+url.QueryEscape("发展规划处"))
	if !strings.Contains(w.Body.String(), "<h2>发展规划处 ") || strings.Contains(w.Body.String(), `data-task="`+itoa64(tasks[0].ID)+`"`) {
		t.Errorf("the wall by unit, filtered:\n%.3000s", w.Body.String())
	}
	// A county account does not see its city's plan; the province reads it.
	if w := e.get("county", "/plan/"+itoa64(p.ID)); w.Code != http.StatusNotFound {
		t.Errorf("county reads the city's plan: %d", w.Code)
	}
	if w := e.get("admin", "/plantask/"+itoa64(tasks[1].ID)); w.Code != http.StatusOK || strings.Contains(w.Body.String(), `id="report-form"`) {
		t.Errorf("the province reads the city's task: %d, with a report form: %v", w.Code, strings.Contains(w.Body.String(), `id="report-form"`))
	}
	if w := e.postForm("admin", "/plantask/"+itoa64(tasks[1].ID)+"/report", url.Values{"period": {"2023-07"}, "text": {"x"}}); w.Code != http.StatusForbidden {
		t.Errorf("the province reports on the city's task: %d", w.Code)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestWorkplanDemo: the demo city holds a plan in progress whose two
// linked tasks show values computed from the demo's data — the city's
// counties recognised (one, the demo's recognised case) and its 普惠率
// (recomputed here from the kindergarten records).
func TestWorkplanDemo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	city := seedAccounts["city"].Region
	plans, err := e.st.Plans(ctx, city)
	if err != nil || len(plans) != 1 {
		t.Fatalf("demo plans of the city: %d %v", len(plans), err)
	}
	p := plans[0]
	tasks, _ := e.st.PlanTasks(ctx, p.ID)
	if len(tasks) != 8 {
		t.Fatalf("%d tasks, want 8", len(tasks))
	}
	w := e.get("city", "/plantask/"+itoa64(tasks[4].ID))
	if w.Code != http.StatusOK || !regexp.MustCompile(`id="task-current">1个 <small`).MatchString(w.Body.String()) {
		t.Errorf("counties recognised: %d\n%s", w.Code, regexp.MustCompile(`id="task-current">[^\n]*`).FindString(w.Body.String()))
	}
	years, _ := e.st.Years(ctx)
	year := years[0]
	for _, y := range years {
		if y <= p.Year {
			year = max(year, y)
		}
	}
	kgs, err := e.st.Kindergartens(ctx, year, "")
	if err != nil {
		t.Fatal(err)
	}
	var all, inc float64
	for _, k := range kgs {
		if strings.HasPrefix(k.CountyCode, city[:4]) && k.V[census.KgChildren] == k.V[census.KgChildren] {
			all += k.V[census.KgChildren]
			if k.Category == census.CategoryPublic || k.Category == census.CategoryInclusive {
				inc += k.V[census.KgChildren]
			}
		}
	}
	if all == 0 {
		t.Fatal("no kindergartens in the demo city")
	}
	want := strconv.FormatFloat(math.Round(inc/all*1000)/10, 'f', -1, 64) + "%"
	w = e.get("city", "/plantask/"+itoa64(tasks[2].ID))
	if !strings.Contains(w.Body.String(), `id="task-current">`+want+" <small") {
		t.Errorf("普惠率: want %s, page says %s", want, regexp.MustCompile(`id="task-current">[^\n]*`).FindString(w.Body.String()))
	}
	if w := e.get("city", "/plan/"+itoa64(p.ID)); w.Code != http.StatusOK {
		t.Errorf("wall: %d", w.Code)
	}
}

// TestWorkplanByHand makes a plan and a task by hand with a milestone,
// edits it (its due date refused: that takes a request), asks for a
// deadline change that the asker cannot decide and a second account of the
// bureau approves, refuses a photo as a report's evidence, and answers a
// 督办单 with a document that the bureau then checks.
func TestWorkplanByHand(t *testing.T) {
	e, now := planEnv(t, time.Date(2023, 1, 3, 2, 0, 0, 0, time.UTC))
	ctx := context.Background()
	city := seedAccounts["city"].Region
	lead, err := e.st.CreateUser(ctx, store.User{Username: "city-lead", DisplayName: "分管领导", Role: store.RoleCity, Region: city}, "a-long-password")
	if err != nil {
		t.Fatal(err)
	}
	w := e.postForm("city", "/plans", url.Values{"title": {"2023年督导工作要点"}, "year": {"2023"}, "yellow": {"5"}, "red": {"20"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %.500s", w.Code, w.Body.String())
	}
	planURL := w.Header().Get("Location")
	plans, _ := e.st.Plans(ctx, city)
	var p store.Plan
	for _, x := range plans {
		if x.Title == "2023年督导工作要点" {
			p = x
		}
	}
	if p.Settings.YellowBehind != 5 || p.Settings.RedBehind != 20 {
		t.Errorf("settings: %+v", p.Settings)
	}
	w = e.postForm("city", planURL+"/task", url.Values{"number": {"1"}, "title": {"完成责任督学挂牌督导"}, "units": {"督导室、各区督导室"},
		"start": {"2023-01-01"}, "due": {"2023-06-30"}, "target": {"120"}, "target_unit": {"所"}, "ms_date.0": {"2023-03-31"}, "ms_pct.0": {"30"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("add task: %d %.500s", w.Code, w.Body.String())
	}
	taskURL := w.Header().Get("Location")
	tasks, _ := e.st.PlanTasks(ctx, p.ID)
	if len(tasks) != 1 || len(tasks[0].Milestones) != 1 || tasks[0].Units[1] != "各区督导室" {
		t.Fatalf("task: %+v", tasks)
	}
	w = e.postForm("city", taskURL+"/edit", url.Values{"number": {"1"}, "title": {"完成责任督学挂牌督导全覆盖"}, "start": {"2023-01-01"}, "due": {"2023-09-30"}, "target": {"120"}})
	if w.Code != http.StatusBadRequest {
		t.Errorf("moving the due date by editing: %d", w.Code)
	}
	w = e.postForm("city", taskURL+"/edit", url.Values{"number": {"1"}, "title": {"完成责任督学挂牌督导全覆盖"}, "start": {"2023-01-01"}, "due": {"2023-06-30"}, "target": {"120"}})
	if w.Code != http.StatusSeeOther {
		t.Errorf("edit: %d %.500s", w.Code, w.Body.String())
	}
	// A deadline change: not decided by its asker; approved by the lead's account.
	if w := e.postForm("city", taskURL+"/change", url.Values{"due": {"2023-09-30"}, "reason": {"学校布局调整"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("ask: %d %.500s", w.Code, w.Body.String())
	}
	chs, _ := e.st.PlanChanges(ctx, p.ID)
	decide := url.Values{"decide": {itoa64(chs[0].ID)}, "approve": {"1"}, "answer": {"同意"}}
	if w := e.postForm("city", taskURL+"/change", decide); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "不能审批自己提出的申请") {
		t.Errorf("the asker decides: %d %.300s", w.Code, w.Body.String())
	}
	leadCookie := func() string {
		tok, err := e.st.CreateSession(ctx, lead.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return sessionCookie + "=" + tok
	}
	if w := e.get("", "/inbox", "Cookie", leadCookie()); !strings.Contains(w.Body.String(), `data-key="inbox.plan_changes"`) {
		t.Errorf("the lead's inbox lacks the change")
	}
	w = e.do("", http.MethodPost, taskURL+"/change", strings.NewReader(decide.Encode()), "Content-Type", "application/x-www-form-urlencoded", "Cookie", leadCookie())
	if w.Code != http.StatusSeeOther {
		t.Fatalf("the lead approves: %d %.500s", w.Code, w.Body.String())
	}
	if tk, _ := e.st.PlanTask(ctx, tasks[0].ID); !tk.Due.Equal(time.Date(2023, 9, 30, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("due after approval: %s", tk.Due)
	}
	// A photo is refused as evidence; a document is kept.
	send := func(name string, data []byte, fields map[string]string) *http.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		if name != "" {
			fw, _ := mw.CreateFormFile("file", name)
			fw.Write(data)
		}
		mw.Close()
		return e.do("city", http.MethodPost, taskURL+fields["_path"], &body, "Content-Type", mw.FormDataContentType()).Result()
	}
	png := []byte("\x89PNG\r\n\x1a\n0000000000")
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	if r := send("现场.png", png, map[string]string{"_path": "/report", "period": "2023-01", "text": "挂牌", "value": "10"}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a photo as evidence: %d", r.StatusCode)
	}
	if r := send("挂牌名单.pdf", pdf, map[string]string{"_path": "/report", "period": "2023-01", "text": "挂牌", "value": "10"}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a report with a document: %d", r.StatusCode)
	}
	// Five months later, far behind: red; pressed, answered, checked.
	*now = time.Date(2023, 6, 1, 2, 0, 0, 0, time.UTC)
	if w := e.postForm("city", taskURL+"/supervise", url.Values{"action": {"raise"}, "text": {"请说明原因"}, "days": {"7"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("督办: %d %.500s", w.Code, w.Body.String())
	}
	if r := send("整改措施.pdf", pdf, map[string]string{"_path": "/supervise", "action": "report", "text": "已召开推进会"}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", r.StatusCode)
	}
	if w := e.postForm("city", taskURL+"/supervise", url.Values{"action": {"verify"}, "text": {"属实"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("check: %d %.500s", w.Code, w.Body.String())
	}
	tks, _ := e.st.PlanTaskTickets(ctx, tasks[0].ID)
	if len(tks) != 1 || tks[0].Status != "closed" {
		t.Errorf("督办单 after the check: %+v", tks)
	}
}

// TestWorkplanLedgerLinks: a task linked to the places added, or to the
// schools in a 教育集团, takes its current value from the counties'
// ledgers: a project opening in the plan's year adds its places, a school
// joining a group adds one.
func TestWorkplanLedgerLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	city := seedAccounts["city"].Region
	y := demo.LatestYear
	day := func(m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	p, err := e.st.CreatePlan(ctx, "test", store.Plan{Region: city, Year: y, Title: "台账联动"}, []store.PlanTask{
		{Number: "1", Title: "新增学位", Start: day(1, 1), Due: day(12, 31), Target: 8000, TargetUnit: "个", TargetText: "提供学位8000个", Link: store.LinkPlacesAdded},
		{Number: "2", Title: "集团化办学", Start: day(1, 1), Due: day(12, 31), Target: 200, TargetUnit: "所", TargetText: "集团化办学覆盖学校200所", Link: store.LinkGroupSchools},
	})
	if err != nil {
		t.Fatal(err)
	}
	tasks, _ := e.st.PlanTasks(ctx, p.ID)
	current := func(id int64) float64 {
		t.Helper()
		w := e.get("city", "/plantask/"+itoa64(id))
		m := regexp.MustCompile(`id="task-current">([0-9,.]+)`).FindStringSubmatch(w.Body.String())
		if w.Code != http.StatusOK || m == nil {
			t.Fatalf("task %d: %d %s", id, w.Code, regexp.MustCompile(`id="task-current">[^\n]*`).FindString(w.Body.String()))
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	places0, groups0 := current(tasks[0].ID), current(tasks[1].ID)
	if groups0 == 0 {
		t.Fatal("the demo city's groups ledgers cover no school")
	}
	// A project of 450 places opening in the plan's year, in the demo county.
	code := county().Code
	rec, err := e.st.Seats(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	stage := rec.Schools[0].Stage
	rec.Projects = append(rec.Projects, seats.StageProject{Stage: stage, Project: seats.Project{Name: "联动测试新校", Catchment: rec.Schools[0].Catchment, OpenYear: y, Places: 450}})
	rec.Tables = []seats.Table{seats.TableProjects}
	if _, err := e.st.ReplaceSeats(ctx, "test", code, []string{"p.csv"}, rec); err != nil {
		t.Fatal(err)
	}
	if got := current(tasks[0].ID); got != places0+450 {
		t.Errorf("places added %g, want %g + 450", got, places0)
	}
	// A school not yet in a group joins one.
	d, v, err := e.st.Ledger(ctx, groups.Schema, code, 0)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, g := range groups.Of(d) {
		for _, c := range g.On(groups.Day(y)) {
			in[c] = true
		}
	}
	schools, _ := e.st.Schools(ctx, y, code)
	joiner := ""
	for _, s := range schools {
		if !in[s.Code] && s.Type != census.TeachingPoint && s.Type != census.Special {
			joiner = s.Code
			break
		}
	}
	if joiner == "" {
		t.Fatal("every school of the demo county is in a group")
	}
	if err := d.Add(groups.TMembers, map[string]string{"group": "JT01", "school": joiner, "joined": fmt.Sprintf("%d-03-01", y)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SaveLedger(ctx, "test", code, 0, nil, "加入", v.ID, d); err != nil {
		t.Fatal(err)
	}
	if got := current(tasks[1].ID); got != groups0+1 {
		t.Errorf("schools in a group %g, want %g + 1", got, groups0)
	}
}

// TestWorkplanAfterschoolLink: a task linked to the 课后服务 coverage of
// schools (or students) takes the city's share, in percent to one
// decimal, from its counties' ledgers of the plan's school year, in their
// latest term: the sum of the counties' counts, not an average of shares.
func TestWorkplanAfterschoolLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	city := seedAccounts["city"].Region
	y := demo.LatestYear
	day := func(m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	p, err := e.st.CreatePlan(ctx, "test", store.Plan{Region: city, Year: y, Title: "课后服务"}, []store.PlanTask{
		{Number: "1", Title: "课后服务全覆盖", Start: day(1, 1), Due: day(12, 31), Target: 100, TargetUnit: "%", TargetText: "课后服务学校覆盖率100%", Link: store.LinkAfterschoolSchools},
		{Number: "2", Title: "学生参与", Start: day(1, 1), Due: day(12, 31), Target: 90, TargetUnit: "%", TargetText: "学生参与率90%", Link: store.LinkAfterschoolStudents},
	})
	if err != nil {
		t.Fatal(err)
	}
	ledgers, err := e.st.Ledgers(ctx, afterschool.Schema, y, census.CountyPrefix(city))
	if err != nil || len(ledgers) == 0 {
		t.Fatalf("the demo city has no 课后服务 ledgers: %v", err)
	}
	rule, _ := afterschool.RuleOf("")
	var schools, students census.Share
	for code, d := range ledgers {
		ss, _ := e.st.Schools(ctx, y, code)
		c := afterschool.Count(afterschool.Of(d), nil, ss, afterschool.Autumn, rule)
		schools.Add(c.Schools)
		students.Add(c.Students)
	}
	tasks, _ := e.st.PlanTasks(ctx, p.ID)
	for i, want := range []census.Share{schools, students} {
		w := e.get("city", "/plantask/"+itoa64(tasks[i].ID))
		m := regexp.MustCompile(`id="task-current">([0-9,.]+)`).FindStringSubmatch(w.Body.String())
		if m == nil {
			t.Fatalf("task %d shows no current value", i+1)
		}
		if got := m[1] + "%"; got != want.Percent() {
			t.Errorf("task %d: %s, want %s (%d of %d)", i+1, got, want.Percent(), want.In, want.All)
		}
	}
}
