package cli

import (
	"context"

	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// feedRotation puts every county's rotation ledger of year into in, as
// the server's verdict does (web/rotation_feed.go): a ledger's shares
// stand for the typed rotation figures, and the item's texts name the
// ledger.
func feedRotation(ctx context.Context, st *store.Store, rules *standards.Rules, year int, in *eval.Inputs) error {
	if len(rotation.Items(rules)) == 0 {
		return nil
	}
	ls, err := st.Rotations(ctx, year, "")
	if err != nil {
		return err
	}
	var src map[string]map[string]string
	in.Counties, src = rotation.FeedItems(rules, ls, in.Counties)
	in.AddSources(src)
	return nil
}
