package census

import "strconv"

// Text returns the value of text column key (one of TextColumns) as a
// census file writes it: the school type by its Chinese name, the year as
// digits, "" for an unknown key.
func (s *School) Text(key string) string {
	switch key {
	case "year":
		if s.Year == 0 {
			return ""
		}
		return strconv.Itoa(s.Year)
	case "county_code":
		return s.CountyCode
	case "county_name":
		return s.CountyName
	case "school_code":
		return s.Code
	case "school_name":
		return s.Name
	case "school_type":
		return s.Type.ZH()
	case "ownership":
		return s.Ownership
	case "location":
		return s.Location
	case "sponsor":
		return s.Sponsor
	}
	return ""
}
