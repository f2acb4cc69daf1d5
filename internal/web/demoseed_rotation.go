package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/store"
)

// seedRotation stores a rotation ledger of year for each of the counties
// given, through the same store call an import makes, built from the
// county's typed figures (eligible, rotated and backbone rotated teachers)
// so that its verdict stays what the demo intends: the eligible teachers
// spread over its schools, each rotated teacher sent from one school to
// the next. A county without its schools or its three typed figures gets
// none.
func seedRotation(ctx context.Context, st *store.Store, year int, counties []string) error {
	for _, code := range counties {
		rec, err := st.CountyRecord(ctx, year, code)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		el, ok1 := rec.Get(census.CRotationEligible)
		rot, ok2 := rec.Get(census.CRotationTeachers)
		bb, ok3 := rec.Get(census.CRotationBackbone)
		if !ok1 || !ok2 || !ok3 || rot > el || bb > rot || el > 1e6 {
			continue
		}
		schools, err := st.Schools(ctx, year, code)
		if err != nil {
			return err
		}
		if len(schools) < 2 {
			continue
		}
		l := rotationLedgerOf(schools, int(math.Round(el)), int(math.Round(rot)), int(math.Round(bb)), year)
		if _, err := st.ReplaceRotation(ctx, "demo", code, year, []string{fmt.Sprintf("演示交流轮岗台账-%s-%d.xlsx", code, year)}, l); err != nil {
			return err
		}
	}
	return nil
}

// rotationLedgerOf builds a ledger of eligible teachers spread over
// schools and rotated of them, the first backbone of them backbone
// teachers, each sent from one school to the next; every fifth rotation
// is 支教 and every seventeenth 一长多校.
func rotationLedgerOf(schools []census.School, eligible, rotated, backbone, year int) rotation.Ledger {
	var l rotation.Ledger
	n := len(schools)
	for i, s := range schools {
		k := eligible / n
		if i < eligible%n {
			k++
		}
		l.Eligible = append(l.Eligible, rotation.Eligible{School: s.Code, Name: s.Name, Teachers: k})
	}
	start := time.Date(year, 9, 1, 0, 0, 0, 0, time.UTC)
	for i := range rotated {
		from, to := schools[i%n], schools[(i+1)%n]
		t := rotation.Exchange
		switch {
		case i%17 == 16:
			t = rotation.MultiSchool
		case i%5 == 4:
			t = rotation.Support
		}
		r := rotation.Rotation{Teacher: fmt.Sprintf("%s-T%04d", from.CountyCode, i+1), Name: fmt.Sprintf("教师%d", i+1),
			From: from.Code, FromName: from.Name, To: to.Code, ToName: to.Name, Start: start, End: start.AddDate(1, 0, -47),
			Backbone: i < backbone, Type: t}
		if len(from.Type.Stages()) != 1 && len(to.Type.Stages()) != 1 {
			// Between two schools of both stages the ledger names the
			// stage, as a county's must (rotation.StageOf).
			r.Stage = census.StagePrimary
		}
		l.Rotations = append(l.Rotations, r)
	}
	return l
}
