package seats

import (
	"fmt"
	"math/big"
)

// Light is the colour of a unit's place usage in a year.
type Light string

// The lights.
const (
	Green Light = "green" // places used below the amber threshold
	Amber Light = "amber" // 黄色预警: at or above amber, below red (90–100 % by default)
	Red   Light = "red"   // 红色预警: at or above red (100 % by default): no place left
)

// Default thresholds: 90 % and 100 % of places used.
var (
	defaultAmber = big.NewRat(9, 10)
	defaultRed   = big.NewRat(1, 1)
)

// atLeast reports students ≥ places × t, exactly.
func atLeast(students, places int, t *big.Rat) bool {
	l := new(big.Int).Mul(big.NewInt(int64(students)), t.Denom())
	r := new(big.Int).Mul(big.NewInt(int64(places)), t.Num())
	return l.Cmp(r) >= 0
}

// Judge returns the light of students in places under the amber and red
// thresholds (shares of places used, amber ≤ red), decided exactly: red
// when students ≥ places × red, amber when students ≥ places × amber,
// green otherwise. With no places, any student is red and none is green.
func Judge(students, places int, amber, red *big.Rat) Light {
	if places <= 0 {
		if students > 0 {
			return Red
		}
		return Green
	}
	switch {
	case atLeast(students, places, red):
		return Red
	case atLeast(students, places, amber):
		return Amber
	}
	return Green
}

// seatsAt is the fewest students that reach share t of places:
// ceil(places × t).
func seatsAt(places int, t *big.Rat) int {
	n := new(big.Int).Mul(big.NewInt(int64(places)), t.Num())
	q, m := new(big.Int).QuoRem(n, t.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return int(q.Int64())
}

// ceilDiv is ceil(a / b) for a ≥ 0, b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// Cover says whether planned projects close a red unit's gap, and when.
type Cover string

// The covers.
const (
	// NoGap: the unit is not red on its present places; there is nothing
	// to close (an amber unit is a warning, not a gap).
	NoGap Cover = "no_gap"
	// InTime: projects opening in or before the year take it out of red.
	InTime Cover = "in_time"
	// TooLate: the unit's projects would take it out of red, but not all
	// of the places needed open by the year.
	TooLate Cover = "too_late"
	// NotClosed: even all the unit's planned projects leave it red.
	NotClosed Cover = "not_closed"
)

// Check is one unit (a school or a catchment) in one year under one
// variant: its projected students against its places.
type Check struct {
	// Students projected (whole children) and the unit's present places.
	Students int
	Places   int
	// Usage is Students / Places, exact.
	Usage *big.Rat
	// Light on the present places.
	Light Light
	// ToAmber and ToRed are the margins: how many more children would turn
	// the light amber, and red (ceil(places × threshold) − students). Zero
	// or less means it is there already (−5: five children past the line).
	ToAmber int
	ToRed   int
	// Shortfall is the children beyond the present places (0 when within,
	// and so 0 at exactly 100 %, which is red because no place is left);
	// ShortfallClasses is ceil(Shortfall / class size).
	Shortfall        int
	ShortfallClasses int
	// Planned is the places of the unit's projects opening in or before
	// the year, and LightPlanned the light with them; Later is the places
	// of its projects opening after the year.
	Planned      int
	LightPlanned Light
	Later        int
	// Cover: whether the projects close a red gap in time. ClosedFrom is the
	// first opening year from which the projects opened so far take the
	// year's students out of red (0 when they never do or there is no gap);
	// ClosedFrom > Year is a project too late.
	Cover      Cover
	ClosedFrom int
}

// thresholds are the amber and red shares.
type thresholds struct{ amber, red *big.Rat }

// judge builds the check of students in places in year y, with the unit's
// projects and class size.
func (t thresholds) judge(y, students, places int, projects []Project, classSize int) Check {
	c := Check{
		Students: students, Places: places,
		Light:   Judge(students, places, t.amber, t.red),
		ToAmber: seatsAt(places, t.amber) - students,
		ToRed:   seatsAt(places, t.red) - students,
	}
	if places > 0 {
		c.Usage = big.NewRat(int64(students), int64(places))
	}
	if students > places {
		c.Shortfall = students - places
		c.ShortfallClasses = ceilDiv(c.Shortfall, classSize)
	}
	// projects are sorted by opening year.
	sum := 0
	for _, p := range projects {
		if p.OpenYear <= y {
			c.Planned += p.Places
		} else {
			c.Later += p.Places
		}
		sum += p.Places
		if c.Light == Red && c.ClosedFrom == 0 && Judge(students, places+sum, t.amber, t.red) != Red {
			c.ClosedFrom = p.OpenYear
		}
	}
	c.LightPlanned = Judge(students, places+c.Planned, t.amber, t.red)
	switch {
	case c.Light != Red:
		c.Cover = NoGap
	case c.LightPlanned != Red:
		c.Cover = InTime
	case c.ClosedFrom != 0:
		c.Cover = TooLate
	default:
		c.Cover = NotClosed
	}
	return c
}

func (o Options) thresholds() (thresholds, error) {
	t := thresholds{defaultAmber, defaultRed}
	if o.Amber != nil {
		t.amber = o.Amber
	}
	if o.Red != nil {
		t.red = o.Red
	}
	if t.amber.Sign() <= 0 || t.amber.Cmp(t.red) > 0 || t.red.Cmp(big.NewRat(10, 1)) > 0 {
		return t, fmt.Errorf("%w: thresholds amber %s and red %s: want 0 < amber ≤ red ≤ 10", ErrInput, t.amber.RatString(), t.red.RatString())
	}
	// Keep the products within int64: a threshold is a plain share.
	if t.amber.Denom().BitLen() > 32 || t.red.Denom().BitLen() > 32 {
		return t, fmt.Errorf("%w: thresholds amber %s and red %s: too fine a fraction", ErrInput, t.amber.RatString(), t.red.RatString())
	}
	return t, nil
}
