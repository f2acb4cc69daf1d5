package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
)

// DemoAccount is an account SeedDemo created, with its password.
type DemoAccount struct {
	store.User
	Password string
	// About says in Chinese what the account shows.
	About string
}

// SeedDemo stores the demo province p (regions and every year's records,
// one batch per year) and creates its demo accounts with random passwords:
// the province administrator, a city, a failing county (one weak school),
// a school of that county and a read-only province account.
func SeedDemo(ctx context.Context, st *store.Store, p *demo.Province) ([]DemoAccount, error) {
	if err := st.UpsertRegions(ctx, p.Regions); err != nil {
		return nil, err
	}
	var batches []store.FileBatch
	for _, y := range p.Years {
		batches = append(batches, store.FileBatch{File: fmt.Sprintf("演示数据-%d.xlsx", y), Kind: store.KindSchool, Schools: p.Year(y)})
	}
	if _, err := st.Import(ctx, "demo", batches); err != nil {
		return nil, err
	}
	if err := seedWhole(ctx, st, p); err != nil {
		return nil, err
	}
	county := DemoCounty(p)
	if county == nil {
		return nil, fmt.Errorf("demo: no county with a weak school")
	}
	city := census.CityCode(county.Code)
	cityName := ""
	for _, r := range p.Regions {
		if r.Code == city {
			cityName = r.Name
		}
	}
	school := county.Schools[0]
	schoolName := school
	for _, s := range p.Year(demo.LatestYear) {
		if s.Code == school {
			schoolName = s.Name
		}
	}
	want := []DemoAccount{
		{User: store.User{Username: "admin", DisplayName: demo.ProvinceName + "教育督导室", Role: store.RoleProvince, Region: demo.ProvinceCode}, About: "省级管理员：全省所有县区"},
		{User: store.User{Username: "city", DisplayName: cityName + "教育督导室", Role: store.RoleCity, Region: city}, About: "市级：" + cityName + "各县区"},
		{User: store.User{Username: "county", DisplayName: county.Name + "教育督导室", Role: store.RoleCounty, Region: county.Code}, About: "县级：" + county.Name + "（未达标：一所学校未通过）"},
		{User: store.User{Username: "school", DisplayName: schoolName, Role: store.RoleSchool, Region: county.Code, School: school}, About: "学校：" + schoolName},
		{User: store.User{Username: "viewer", DisplayName: demo.ProvinceName + "（只读）", Role: store.RoleReadOnly, Region: demo.ProvinceCode}, About: "只读：全省，不能修改"},
		{User: store.User{Username: "nation", DisplayName: "教育部教育督导局（只读）", Role: store.RoleReadOnly, Region: census.NationCode}, About: "全国只读：各省的县区（演示数据只有一个省）"},
	}
	if err := seedTask(ctx, st, p, county, school); err != nil {
		return nil, err
	}
	if err := seedCases(ctx, st, p, county); err != nil {
		return nil, err
	}
	if err := seedSurvey(ctx, st, p, county); err != nil { // demoseed_survey.go
		return nil, err
	}
	if err := seedWorkplan(ctx, st, county); err != nil {
		return nil, err
	}
	// 学位 inputs for the demo county and the other counties of its city
	// (the recognised one among them), so that their pages and the
	// monitoring show amber and red catchments.
	placed := []string{county.Code}
	for _, n := range p.Notes {
		if census.CityCode(n.Code) == city && !slices.Contains(placed, n.Code) {
			placed = append(placed, n.Code)
		}
	}
	if err := seedPlaces(ctx, st, placed); err != nil { // demoseed_places.go
		return nil, err
	}
	// Rotation ledgers for the other counties of the city, built from
	// their typed figures: their teacher_rotation item is computed from
	// the ledger. The demo county keeps its typed figures, so that its
	// record form still shows how a typed figure moves the verdict.
	if err := seedRotation(ctx, st, demo.LatestYear, placed[1:]); err != nil { // demoseed_rotation.go
		return nil, err
	}
	// 教育集团 ledgers for every county, the demo county first.
	grouped := []string{county.Code}
	for _, n := range p.Notes {
		if !slices.Contains(grouped, n.Code) {
			grouped = append(grouped, n.Code)
		}
	}
	if err := seedGroups(ctx, st, demo.LatestYear, grouped); err != nil { // demoseed_groups.go
		return nil, err
	}
	if err := seedMap(ctx, st, p.Regions); err != nil { // demoseed_geo.go
		return nil, err
	}
	// A term of 课后服务 for every county.
	if err := seedAfterschool(ctx, st, demo.LatestYear, grouped); err != nil { // demoseed_afterschool.go
		return nil, err
	}
	// A 校外培训机构 registry for every county (a few hundred institutions
	// a city), the demo county's lists published.
	var counties []string
	for _, rg := range p.Regions {
		if rg.Level == census.LevelCounty {
			counties = append(counties, rg.Code)
		}
	}
	if err := seedTraining(ctx, st, counties, county.Code); err != nil { // demoseed_training.go
		return nil, err
	}
	// Inspections and complaints of the demo county's 校外培训机构, from
	// its registry.
	if err := seedInspections(ctx, st, county.Code); err != nil { // demoseed_inspections.go
		return nil, err
	}
	for i := range want {
		want[i].Password = demoPassword()
		u, err := st.CreateUser(ctx, want[i].User, want[i].Password)
		if err != nil {
			return nil, err
		}
		want[i].User = u
		if err := st.Audit(ctx, store.AuditEntry{Username: "demo", Action: store.AuditUserAdd, Region: u.Region, Target: u.Username, Detail: u.Role}); err != nil {
			return nil, err
		}
	}
	return want, nil
}

// DemoCounty is the county of the demo's county account: the first whose
// story is one weak school, so its page lists a failing school, and fixing
// that school's figures makes the county pass.
func DemoCounty(p *demo.Province) *demo.CountyNote {
	for i := range p.Notes {
		if n := &p.Notes[i]; n.Kind == demo.KindWeakSchool && len(n.Schools) > 0 {
			return n
		}
	}
	return nil
}

// demoPassword is a random password that is easy to type: 12 letters and
// digits without look-alikes (about 59 bits).
func demoPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// seedTask opens the demo's reporting task and takes it part of the way,
// through the same store calls the pages make, so that every role's inbox
// has work in it: the province opens the task for the latest year, due in
// five days; in the demo county some schools have submitted (to review),
// one was returned with a reason on one field (to fix), and the demo
// school has not submitted yet (to fill); in another county of the same
// city every school is approved and the county is submitted (for the city
// to accept), with a spot check drawn (results to record).
func seedTask(ctx context.Context, st *store.Store, p *demo.Province, county *demo.CountyNote, school string) error {
	now := st.Now()
	id, _, err := st.CreateTask(ctx, "admin", store.Task{
		Title: fmt.Sprintf("%d年义务教育学校基础数据审核", demo.LatestYear), Year: demo.LatestYear,
		Kinds: []string{string(census.KindSchool), string(census.KindCounty)}, Region: demo.ProvinceCode,
		OpenerLevel: review.LevelProvince, Due: review.Day(now.AddDate(0, 0, 5)), RemindDays: review.DefaultRemindDays,
		Instructions: "请各校核对统计年报数据，逐项确认后提交；县级审核后整体上报市级认定。数据以统计年报（9月1日口径）为准。"})
	if err != nil {
		return err
	}
	step := func(actor string, by review.Level, kind review.UnitKind, code string, a review.Action, reason string, comments ...store.FieldComment) error {
		_, err := st.Step(ctx, actor, by, store.StepInput{TaskID: id, Kind: kind, Code: code, Action: a, Reason: reason, Comments: comments})
		return err
	}
	units, err := st.TaskUnits(ctx, id, county.Code)
	if err != nil {
		return err
	}
	n := 0
	for _, u := range units {
		if u.Kind != review.Unit || u.Code == school {
			continue
		}
		n++
		if n > 6 {
			break
		}
		if err := step("county", review.LevelCounty, review.Unit, u.Code, review.Submit, ""); err != nil {
			return err
		}
		switch n {
		case 1:
			if err := step("county", review.LevelCounty, review.Unit, u.Code, review.Return, "请核对专任教师数",
				store.FieldComment{RecordKind: census.KindSchool, Column: "teachers_primary", Reason: "与人事系统在编人数不一致，请核对后重报"}); err != nil {
				return err
			}
		case 2, 3:
			if err := step("county", review.LevelCounty, review.Unit, u.Code, review.Approve, ""); err != nil {
				return err
			}
		}
	}
	// Another county of the same city, submitted upward.
	var mate string
	for _, n := range p.Notes {
		if n.Code != county.Code && census.CityCode(n.Code) == census.CityCode(county.Code) {
			mate = n.Code
			break
		}
	}
	if mate == "" {
		return nil
	}
	units, err = st.TaskUnits(ctx, id, mate)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Kind != review.Unit {
			continue
		}
		if err := step("county", review.LevelCounty, review.Unit, u.Code, review.Submit, ""); err != nil {
			return err
		}
		if err := step("county", review.LevelCounty, review.Unit, u.Code, review.Approve, ""); err != nil {
			return err
		}
	}
	if err := step("county", review.LevelCounty, review.County, mate, review.Submit, ""); err != nil {
		return err
	}
	_, err = st.DrawSpotCheck(ctx, "city", id, mate, 10, uint64(demo.LatestYear))
	return err
}

// seedCases opens recognition cases at different stages, through the same
// store calls the pages make: the demo county at its self-evaluation; in
// other counties of its city, one at the city's re-check, one in 整改 with
// two findings (one fixed and verified, one open, with a visit drawn) and
// one recognised after its notice. The steps are dated in the past by
// moving the store's clock, which is put back after.
func seedCases(ctx context.Context, st *store.Store, p *demo.Province, county *demo.CountyNote) error {
	var mates []string
	for _, n := range p.Notes {
		if n.Code != county.Code && census.CityCode(n.Code) == census.CityCode(county.Code) && !slices.Contains(mates, n.Code) {
			mates = append(mates, n.Code)
		}
	}
	clocks := ticket.DefaultClocks()
	real := st.Now
	defer func() { st.Now = real }()
	start := real().Add(-40 * 24 * time.Hour)
	at := start
	st.Now = func() time.Time { return at }
	later := func(d time.Duration) { at = at.Add(d) }
	open := func(code string) (store.Case, error) {
		return st.OpenCase(ctx, "county", store.Case{County: code, Standard: "yzjh2017", Profile: "national", Year: demo.LatestYear})
	}
	step := func(c store.Case, by review.Level, a recognition.Action, reason string) error {
		snap := caseSnapshotOf(ctx, st, c, at)
		_, err := st.CaseStep(ctx, "demo", by, c.ID, store.CaseStepInput{Action: a, Reason: reason, Clocks: clocks, Snapshot: snap, Verdict: snap})
		return err
	}
	if _, err := open(county.Code); err != nil {
		return err
	}
	if len(mates) < 3 {
		return nil
	}
	// At the city's re-check.
	c1, err := open(mates[0])
	if err != nil {
		return err
	}
	if err := step(c1, review.LevelCounty, recognition.SubmitSelf, ""); err != nil {
		return err
	}
	// In 整改, with a drawn visit and two findings.
	c2, err := open(mates[1])
	if err != nil {
		return err
	}
	if err := step(c2, review.LevelCounty, recognition.SubmitSelf, ""); err != nil {
		return err
	}
	later(3 * 24 * time.Hour)
	if err := step(c2, review.LevelCity, recognition.CityPass, ""); err != nil {
		return err
	}
	schools := p.Year(demo.LatestYear)
	var cands []recognition.Candidate
	var own []census.School
	for _, sc := range schools {
		if sc.CountyCode == c2.County {
			cands = append(cands, recognition.Candidate{Code: sc.Code, Stratum: sc.Location})
			own = append(own, sc)
		}
	}
	later(7 * 24 * time.Hour)
	ins, err := st.DrawInspection(ctx, "admin", review.LevelProvince, c2.ID, false, min(10, len(cands)), uint64(demo.LatestYear), cands,
		store.PanelDraw{Schools: panelSchools(own), Size: recognition.PanelSize{Principals: 5, Teachers: 10, Parents: 10}})
	if err != nil {
		return err
	}
	photo := demoPhoto()
	t1, err := st.RaiseTicket(ctx, "admin", store.Ticket{CaseID: c2.ID, County: c2.County, Title: "音乐、美术专用教室不足，部分学校以普通教室代用",
		School: ins.Visits[0], Severity: "较重", Source: "visit", RaiserRegion: demo.ProvinceCode, RaiserLevel: review.LevelProvince},
		[]store.EvidenceUpload{{Name: "现场照片.png", Data: photo}}, clocks)
	if err != nil {
		return err
	}
	if _, err := st.RaiseTicket(ctx, "admin", store.Ticket{CaseID: c2.ID, County: c2.County, Title: "个别班级超过45人（大班额）",
		School: ins.Visits[len(ins.Visits)-1], Severity: "一般", Source: "checklist", RaiserRegion: demo.ProvinceCode, RaiserLevel: review.LevelProvince},
		nil, clocks); err != nil {
		return err
	}
	later(24 * time.Hour)
	if err := step(c2, review.LevelProvince, recognition.Feedback, ""); err != nil {
		return err
	}
	later(12 * 24 * time.Hour)
	if _, err := st.TicketStep(ctx, "county", ticket.Owner, t1.ID, ticket.Report, "已将两间闲置教室改建为音乐、美术专用教室并配齐设备",
		[]store.EvidenceUpload{{Name: "整改后照片.png", Data: photo}}); err != nil {
		return err
	}
	later(3 * 24 * time.Hour)
	if _, err := st.TicketStep(ctx, "admin", ticket.Raiser, t1.ID, ticket.Verify, "现场复核属实", nil); err != nil {
		return err
	}
	// Recognised for the year before after a notice without findings, so
	// that the latest year is its first year of monitoring.
	c3, err := st.OpenCase(ctx, "county", store.Case{County: mates[2], Standard: "yzjh2017", Profile: "national", Year: demo.LatestYear - 1})
	if err != nil {
		return err
	}
	for _, s := range []struct {
		by review.Level
		a  recognition.Action
	}{{review.LevelCounty, recognition.SubmitSelf}, {review.LevelCity, recognition.CityPass}, {review.LevelProvince, recognition.Publish}} {
		if err := step(c3, s.by, s.a, ""); err != nil {
			return err
		}
	}
	later(8 * 24 * time.Hour)
	return step(c3, review.LevelProvince, recognition.Recognise, "")
}

// demoPhoto is a small PNG standing for a photo taken on site.
func demoPhoto() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(120 + x), uint8(140 + y), 200, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}
