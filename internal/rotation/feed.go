package rotation

import (
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Items lists the ids of the items of r whose checks read the county
// record's rotation figures (rotation_teachers and its kin): the items a
// ledger's figures stand for (teacher_rotation in 教督〔2017〕6号).
func Items(r *standards.Rules) []string {
	var ids []string
	for _, it := range r.Items {
		for _, c := range it.Checks {
			if strings.HasPrefix(c.Num, "county.rotation_") || strings.HasPrefix(c.Den, "county.rotation_") {
				ids = append(ids, it.ID)
				break
			}
		}
	}
	return ids
}

// Feed puts each ledger's figures into the county record of its county and
// year among counties, in place of the typed ones (a county with a ledger
// but no record gets a record holding only them), and returns the records
// and, by county code, the note saying where the figures came from
// (Shares.Source). Counties without a ledger keep their typed figures.
func Feed(ledgers []Ledger, counties []census.CountyRecord) ([]census.CountyRecord, map[string]string) {
	notes := map[string]string{}
	for _, l := range ledgers {
		s := l.Shares()
		found := false
		for i := range counties {
			if counties[i].CountyCode == l.County && counties[i].Year == l.Year {
				s.Feed(&counties[i])
				found = true
			}
		}
		if !found {
			c := census.NewCountyRecord()
			c.Year, c.CountyCode = l.Year, l.County
			s.Feed(&c)
			counties = append(counties, c)
		}
		notes[l.County] = s.Source(l.Year)
	}
	return counties, notes
}

// FeedItems is Feed for the items of r that read the rotation figures
// (Items): it returns the records and, by county code and item id, the
// note for each such item of each county with a ledger — the shape of
// eval.Inputs.Sources.
func FeedItems(r *standards.Rules, ledgers []Ledger, counties []census.CountyRecord) ([]census.CountyRecord, map[string]map[string]string) {
	items := Items(r)
	if len(items) == 0 || len(ledgers) == 0 {
		return counties, nil
	}
	counties, notes := Feed(ledgers, counties)
	sources := map[string]map[string]string{}
	for county, note := range notes {
		sources[county] = map[string]string{}
		for _, id := range items {
			sources[county][id] = note
		}
	}
	return counties, sources
}
