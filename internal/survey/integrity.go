package survey

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// The integrity rules. A response that trips one is stored and shown with
// its reasons, but counts towards the rate only when a reviewer accepts it.

// Flag is a reason a response was flagged.
type Flag string

const (
	FlagTooFast      Flag = "too_fast"      // completed faster than the reading-time floor
	FlagStraightLine Flag = "straight_line" // the same point everywhere, reversed questions too
	FlagDeviceBurst  Flag = "device_burst"  // too many responses from one device (cookie)
	FlagAddressBurst Flag = "address_burst" // too many responses from one network address
)

// Rules are the integrity thresholds.
type Rules struct {
	// FloorPerQuestion is the reading-time floor for each question asked.
	FloorPerQuestion time.Duration
	// DeviceMax responses from one device within DeviceWindow pass; more are flagged.
	DeviceMax    int
	DeviceWindow time.Duration
	// AddressMax responses from one address within AddressWindow pass (a
	// school's wifi serves a parents' meeting); more are flagged.
	AddressMax    int
	AddressWindow time.Duration
}

// DefaultRules are the integrity thresholds with a floor of floorSeconds
// per question: three responses a day from a device (parents of several
// children), thirty in ten minutes from an address.
func DefaultRules(floorSeconds float64) Rules {
	return Rules{FloorPerQuestion: time.Duration(floorSeconds * float64(time.Second)),
		DeviceMax: 3, DeviceWindow: 24 * time.Hour, AddressMax: 30, AddressWindow: 10 * time.Minute}
}

// Check is what the rules see of a response being submitted.
type Check struct {
	Questions []Question     // the questions asked
	Answers   map[string]int // by question ID
	Elapsed   time.Duration  // from the signed start stamp to the submission
	// DeviceRecent and AddressRecent are the responses already stored from
	// the same device and address within the rules' windows.
	DeviceRecent, AddressRecent int
}

// Flags returns the reasons c is flagged, in a fixed order; none for a
// response that counts at once.
func (r Rules) Flags(c Check) []Flag {
	var out []Flag
	if floor := time.Duration(len(c.Questions)) * r.FloorPerQuestion; c.Elapsed < floor {
		out = append(out, FlagTooFast)
	}
	if StraightLined(c.Questions, c.Answers) {
		out = append(out, FlagStraightLine)
	}
	if r.DeviceMax > 0 && c.DeviceRecent >= r.DeviceMax {
		out = append(out, FlagDeviceBurst)
	}
	if r.AddressMax > 0 && c.AddressRecent >= r.AddressMax {
		out = append(out, FlagAddressBurst)
	}
	return out
}

// StraightLined reports the same point chosen for every one of at least
// four questions when one of them is reversed: agreeing with a negatively
// worded statement as with the rest contradicts oneself. Without a
// reversed question a uniform answer is taken at its word (a satisfied
// parent may well answer 认可 throughout).
func StraightLined(qs []Question, answers map[string]int) bool {
	if len(qs) < 4 {
		return false
	}
	reversed := false
	first := answers[qs[0].ID]
	for _, q := range qs {
		reversed = reversed || q.Reverse
		if answers[q.ID] != first {
			return false
		}
	}
	return reversed && first != 3 // 一般 throughout is consistent even on a reversed question
}

// InWindow reports whether now falls in [opens, closes).
func InWindow(now, opens, closes time.Time) bool {
	return !now.Before(opens) && now.Before(closes)
}

// ParseAnswers reads the answers to qs from a submitted form: field
// "q.<id>" holds the point 1 to 5. Every question must be answered once;
// other fields are ignored.
func ParseAnswers(qs []Question, form url.Values) (map[string]int, error) {
	out := make(map[string]int, len(qs))
	for _, q := range qs {
		vs := form["q."+q.ID]
		if len(vs) != 1 {
			return nil, fmt.Errorf("%w: %s", ErrUnanswered, q.ID)
		}
		v, err := strconv.Atoi(vs[0])
		if err != nil || v < 1 || v > Levels {
			return nil, fmt.Errorf("%w: %s = %q", ErrAnswer, q.ID, vs[0])
		}
		out[q.ID] = v
	}
	return out, nil
}

// Errors of ParseAnswers.
var (
	ErrUnanswered = fmt.Errorf("survey: question not answered")
	ErrAnswer     = fmt.Errorf("survey: answer out of range")
)

// ParseArea reads the area a respondent of an open link chose
// (field "area", an index into q.Areas()).
func (q *Questionnaire) ParseArea(form url.Values) (int, error) {
	v, err := strconv.Atoi(form.Get("area"))
	if err != nil || v < 0 || v >= len(q.Areas()) {
		return 0, fmt.Errorf("%w: area %q", ErrAnswer, form.Get("area"))
	}
	return v, nil
}
