package web

import (
	"context"

	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// feedRotationOf puts the rotation ledgers of year (county code's, or
// every county's when code is "") into in: where a county has a ledger,
// its shares stand for the typed figures of the rotation item
// (teacher_rotation), and the item's texts name the ledger; elsewhere the
// typed figures stay. `dudao evaluate --db` does the same (cli/inputs.go).
func feedRotationOf(ctx context.Context, st *store.Store, rules *standards.Rules, year int, code string, in *eval.Inputs) error {
	if len(rotation.Items(rules)) == 0 {
		return nil
	}
	ls, err := st.Rotations(ctx, year, code)
	if err != nil {
		return err
	}
	var src map[string]map[string]string
	in.Counties, src = rotation.FeedItems(rules, ls, in.Counties)
	in.AddSources(src)
	return nil
}
