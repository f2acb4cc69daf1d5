package web

import (
	"context"
	"math"
	"math/big"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/survey"
)

// demoPopulation is the demo county's resident population: the demo
// census has none, so the survey form's figure is made up here.
const demoPopulation = 380_000

// seedSurvey starts a 社会认可度 survey of the demo county ten days ago,
// through the store calls a county's clerk makes: codes for every group and
// area by the plan's quotas, about seven in ten of them answered, with a
// rate near the county record's own figure, and a few responses that trip
// the integrity rules (too fast, straight-lined) waiting for a decision.
func seedSurvey(ctx context.Context, st *store.Store, p *demo.Province, county *demo.CountyNote) error {
	if err := seedSurveyOf(ctx, st, p, county, "yzjh2017", big.NewRat(92, 100), 7); err != nil {
		return err
	}
	// The 课后服务 satisfaction survey of the same year, on the same
	// machinery, eight in ten codes answered: enough returns for its rate
	// to stand as the county's 课后服务 satisfaction.
	return seedSurveyOf(ctx, st, p, county, survey.AfterSchool, big.NewRat(95, 100), 8)
}

// seedSurveyOf seeds one survey of questionnaire qid, its rate near
// target (for a standard's questionnaire, the county record's own figure
// where it has one), answered of ten codes answered.
func seedSurveyOf(ctx context.Context, st *store.Store, p *demo.Province, county *demo.CountyNote, qid string, target *big.Rat, answered int64) error {
	q, err := survey.Standard(qid)
	if err != nil {
		return err
	}
	rules, err := standards.Resolve(q.BasisStandard(), "national")
	if err != nil {
		return err
	}
	var schools []census.School
	for _, s := range p.Schools {
		if s.CountyCode == county.Code && s.Year == demo.LatestYear {
			schools = append(schools, s)
		}
	}
	for _, c := range p.CountyRecords {
		if v := c.V[census.CRecognitionCompulsory]; qid == "yzjh2017" && c.CountyCode == county.Code && c.Year == demo.LatestYear && !math.IsNaN(v) && v > 0 && v <= 100 {
			target = new(big.Rat).SetFrac64(int64(math.Round(v*100)), 10000)
		}
	}
	real := st.Now
	defer func() { st.Now = real }()
	at := real().Add(-10 * 24 * time.Hour).Truncate(time.Hour)
	st.Now = func() time.Time { return at }
	sv, err := st.CreateSurvey(ctx, "county", store.Survey{County: county.Code, Standard: q.Standard, Profile: "national", Year: demo.LatestYear,
		Title: q.Title, Questionnaire: q, Population: demoPopulation, AreaWeights: survey.AreaWeights(q, schools, nil),
		OpenGroups: []string{"parents"}, Opens: at, Closes: at.Add(14 * 24 * time.Hour)})
	if err != nil {
		return err
	}
	var w []*big.Rat
	for _, x := range sv.AreaWeights {
		w = append(w, big.NewRat(x, 1))
	}
	plan := survey.MakePlan(q, rules.Settings.SurveySample, sv.Population, w)
	areas := q.Areas()
	rules2 := survey.DefaultRules(rules.Settings.SurveySample.FloorSecondsPerQuestion)
	n, positive := 0, 0
	for g, grp := range q.Groups {
		per := survey.Apportion(plan.Groups[g], w)
		for a, k := range per {
			if k == 0 {
				continue
			}
			b, err := st.IssueCodes(ctx, "county", sv.ID, grp.ID, areas[a], k)
			if err != nil {
				return err
			}
			qs := q.QuestionsFor(grp.ID)
			for serial := b.First; serial <= b.Last; serial++ {
				if serial%10 >= answered { // the others not (yet) answered
					continue
				}
				n++
				at = at.Add(7 * time.Minute)
				overall := 3
				if new(big.Rat).SetFrac64(int64(positive+1), int64(n)).Cmp(target) <= 0 {
					overall, positive = 1+n%2, positive+1
				}
				ans := map[string]int{}
				for i, x := range qs {
					ans[x.ID] = 1 + (n+i)%2
					if x.Reverse {
						ans[x.ID] = 4
					}
				}
				ans[q.RateQuestion] = overall
				took := time.Duration(60+n%180) * time.Second
				switch n {
				case 17, 230: // answered in seconds
					took = 6 * time.Second
				case 101: // 认可 everywhere, the reversed statement too
					for _, x := range qs {
						ans[x.ID] = 1
					}
				}
				started := at.Add(-took)
				if _, err := st.SubmitResponse(ctx, store.SurveyResponse{SurveyID: sv.ID, Serial: serial, Group: grp.ID, Area: areas[a],
					Answers: ans, Started: started}, rules2, func(dev, addr int) []survey.Flag {
					return rules2.Flags(survey.Check{Questions: qs, Answers: ans, Elapsed: took, DeviceRecent: dev, AddressRecent: addr})
				}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
