package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite/vtab"
)

// A feed hands the records of an import to SQLite as the rows of a
// virtual table, so that one INSERT … SELECT writes a chunk of them: SQLite
// asks for each value as it builds a row (xColumn), where binding it as a
// statement parameter cost a call through the driver, a lock of the
// connection and a search for the parameter's name — most of what a first
// import of the nation spent outside SQLite's B-trees.
//
// The module is registered with the driver once, before any connection
// opens. A writer creates its table (temp.dudao_feed_N, on its own
// connection, inside the import's transaction), points it at the records
// to write before each INSERT and drops it when it closes.

const feedModule = "dudao_feed"

func init() {
	if err := vtab.RegisterModule(nil, feedModule, feedMod{}); err != nil {
		panic(fmt.Sprintf("store: register %s: %v", feedModule, err))
	}
}

// feeds are the feeds of the writers of this process, by number.
var (
	feeds     sync.Map // string → *feed
	feedSeq   atomic.Int64
	errNoFeed = fmt.Errorf("internal error: no such feed")
)

// feed is the rows a writer's virtual table shows: the records of todo,
// in u.cols order.
type feed struct {
	id   string // N, its number in feeds
	name string // temp.dudao_feed_N
	u    *recordTable
	todo []pending
	box  *boxes
}

// newFeed creates the feed's table on conn (the writer's connection, in
// its transaction).
func newFeed(ctx context.Context, tx *sql.Tx, u *recordTable) (*feed, error) {
	n := strconv.FormatInt(feedSeq.Add(1), 10)
	f := &feed{id: n, name: "temp.dudao_feed_" + n, u: u, box: newBoxes(len(u.text))}
	feeds.Store(n, f)
	if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE `+f.name+` USING `+feedModule+`(`+n+`)`); err != nil {
		feeds.Delete(n)
		return nil, fmt.Errorf("create feed: %w", err)
	}
	return f, nil
}

// drop drops the feed's table and forgets the feed.
func (f *feed) drop(ctx context.Context, tx *sql.Tx) error {
	defer feeds.Delete(f.id)
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+f.name); err != nil {
		return fmt.Errorf("drop feed: %w", err)
	}
	return nil
}

type feedMod struct{}

func (feedMod) Create(ctx vtab.Context, args []string) (vtab.Table, error) {
	return connectFeed(ctx, args)
}

func (feedMod) Connect(ctx vtab.Context, args []string) (vtab.Table, error) {
	return connectFeed(ctx, args)
}

func connectFeed(ctx vtab.Context, args []string) (vtab.Table, error) {
	if len(args) != 4 {
		return nil, errNoFeed
	}
	v, ok := feeds.Load(args[3])
	if !ok {
		return nil, errNoFeed
	}
	f := v.(*feed)
	if err := ctx.Declare(`CREATE TABLE x (` + f.u.cols + `)`); err != nil {
		return nil, err
	}
	return feedTable{f}, nil
}

type feedTable struct{ f *feed }

func (t feedTable) BestIndex(info *vtab.IndexInfo) error {
	info.EstimatedRows = int64(len(t.f.todo))
	return nil
}
func (t feedTable) Open() (vtab.Cursor, error) { return &feedCursor{f: t.f}, nil }
func (feedTable) Disconnect() error            { return nil }
func (feedTable) Destroy() error               { return nil }

type feedCursor struct {
	f    *feed
	i    int
	vals []float64
}

func (c *feedCursor) Filter(int, string, []vtab.Value) error {
	c.i = -1
	return c.Next()
}

func (c *feedCursor) Next() error {
	c.i++
	if c.i < len(c.f.todo) {
		c.vals = c.f.todo[c.i].rec.Values()
	}
	return nil
}

func (c *feedCursor) Eof() bool { return c.i >= len(c.f.todo) }

func (c *feedCursor) Column(col int) (vtab.Value, error) {
	r := c.f.todo[c.i].rec
	u := c.f.u
	switch {
	case col == 0:
		y, _ := r.Key()
		return c.f.box.year(y), nil
	case col == 1:
		_, code := r.Key()
		return code, nil
	case col < 2+len(u.text):
		return c.f.box.text(col-2, r.Text(u.text[col-2])), nil
	}
	v := c.vals[col-2-len(u.text)]
	if math.IsNaN(v) {
		return nil, nil
	}
	return c.f.box.number(v), nil
}

func (c *feedCursor) Rowid() (int64, error) { return int64(c.i + 1), nil }
func (c *feedCursor) Close() error          { return nil }
