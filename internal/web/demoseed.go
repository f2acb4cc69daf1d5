package web

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/store"
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
