package web

import (
	"context"
	"fmt"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/store"
)

// seedWhole stores the demo province's records and judgements of the whole
// standards: its county records and kindergartens, one batch per kind and
// year, and the judgements of its latest year's evidence items (stamped
// with the store's clock: when the demo was built).
func seedWhole(ctx context.Context, st *store.Store, p *demo.Province) error {
	var batches []store.FileBatch
	for _, y := range p.Years {
		b := store.FileBatch{File: fmt.Sprintf("演示县级数据-%d.xlsx", y), Kind: store.KindCounty}
		for _, c := range p.CountyRecords {
			if c.Year == y {
				b.Counties = append(b.Counties, c)
			}
		}
		k := store.FileBatch{File: fmt.Sprintf("演示幼儿园数据-%d.xlsx", y), Kind: store.KindKindergarten}
		for _, x := range p.Kindergartens {
			if x.Year == y {
				k.Kindergartens = append(k.Kindergartens, x)
			}
		}
		batches = append(batches, b, k)
	}
	if _, err := st.Import(ctx, "demo", batches); err != nil {
		return err
	}
	for _, j := range p.Judgements {
		if _, err := st.Judge(ctx, j, nil); err != nil {
			return err
		}
	}
	return nil
}
