package censusio

import (
	"slices"

	"github.com/dudao-edu/dudao/internal/census"
)

// A caller that needs each county's schools only once, together, and
// never the whole file's (an evaluation written as it is made) sets
// Options.EachRun. A large CSV file of schools, read in parallel, is then
// read without keeping its records: the reader of each chunk hands the
// runs of one county and year inside the chunk to the function of its
// goroutine while their records are still in its cache, keeps what the
// function returns, and reads its next chunk over the same records. The
// first and last run of a chunk may go on in the chunk before or after:
// they are copied aside, joined to their neighbours once every chunk is
// read, and handed on then. A nation's 96 MB of records is never in memory
// at once; two chunks' worth of them are, one per core.
//
// The runs handed on are those the Batch would list (Batch.Runs), so that
// a run is a county's records of a year only when the file gives each
// county its rows together. When a county and year come back after
// another's rows, the runs are not enough: the file is read again as
// without EachRun, into Schools, and the caller evaluates them the usual
// way. Every check and message of a read is the same either way.

// RunFunc is what Options.EachRun makes for each goroutine of a read: it
// is given the records of one run of a county and year, in file order,
// valid only until it returns, and returns what the caller keeps of them.
type RunFunc func(schools []census.School) any

// RunResult is what a RunFunc made of one run (Batch.RunResults). The run
// says where its records would be in Schools had they been kept.
type RunResult struct {
	census.SchoolRun
	Result any
}

// edgeRun is the first or last run of a chunk, with a copy of its records
// (their texts still parts of the file's text, which outlives them).
type edgeRun struct {
	run     census.SchoolRun
	schools []census.School
}

// handRuns hands the runs of the chunk c read to fn, all but its first and
// last, which it copies aside (c.edges), and lets go of the chunk's
// records: the next chunk of the goroutine is read over them. stages notes
// the stages of the chunk's schools, for the warning about missing columns
// (reader.warnMissingIndicatorInputs), when stages is set.
func (c *recording) handRuns(fn RunFunc, stages bool) {
	w := c.reader
	got, runs := w.batch.Schools, w.runs
	if w.nerr > 0 {
		// The read fails: its records were dropped at the first error.
		w.batch.Schools, w.runs = nil, nil
		return
	}
	c.nschools = len(got)
	if stages {
		c.stages = noteStages(nil, got)
	}
	edge := func(r census.SchoolRun) {
		c.edges = append(c.edges, edgeRun{run: r, schools: slices.Clone(got[r.Lo:r.Hi])})
	}
	if len(runs) > 0 {
		edge(runs[0])
	}
	for i := 1; i < len(runs)-1; i++ {
		r := runs[i]
		c.made = append(c.made, RunResult{SchoolRun: r, Result: fn(got[r.Lo:r.Hi])})
	}
	if len(runs) > 1 {
		edge(runs[len(runs)-1])
	}
	w.batch.Schools, w.runs = nil, nil
}

// runKey identifies the county and year of a run.
type runKey struct {
	code string
	year int
}

// joinedRun is a run of edge runs of one county and year, one after
// another (chunks' last and first runs), to hand on as one: Batch.RunResults[at].
type joinedRun struct {
	at    int
	edges []*edgeRun
}

// joinRuns returns the runs of every chunk of recs, in file order and
// numbered as Batch.Runs numbers them, with the edge runs joined where they
// go on from one chunk to the next; the results of the runs the chunks
// handed on are set, and those of the joined edge runs are still to make
// (handJoined). It returns false when a county and year has more than one
// run.
func joinRuns(recs []*recording) ([]RunResult, []joinedRun, bool) {
	type piece struct {
		made  *RunResult // a run handed on by its chunk
		edges []*edgeRun // or edge runs of one county and year, joined
		n     int        // their records
		off   int        // the records of the chunks before
	}
	var pieces []piece
	n := 0
	for _, c := range recs {
		add := func(e *edgeRun) {
			if k := len(pieces) - 1; k >= 0 && pieces[k].edges != nil {
				last := &pieces[k]
				// The last run of the chunk before (with records), which
				// the first of this one follows.
				if lr := last.edges[0].run; lr.Code == e.run.Code && lr.Year == e.run.Year {
					last.edges = append(last.edges, e)
					last.n += len(e.schools)
					return
				}
			}
			pieces = append(pieces, piece{edges: []*edgeRun{e}, n: len(e.schools), off: n})
		}
		// A chunk's edges are its first run and, when it has more than
		// one, its last (handRuns).
		if len(c.edges) > 0 {
			add(&c.edges[0])
		}
		for i := range c.made {
			pieces = append(pieces, piece{made: &c.made[i], off: n})
		}
		if len(c.edges) > 1 {
			add(&c.edges[1])
		}
		n += c.nschools
	}
	out := make([]RunResult, len(pieces))
	var todo []joinedRun
	seen := make(map[runKey]bool, len(pieces))
	for i := range pieces {
		p := &pieces[i]
		var r census.SchoolRun
		if p.made != nil {
			r = p.made.SchoolRun
			out[i].Result = p.made.Result
		} else {
			r = p.edges[0].run
			r.Hi = r.Lo + p.n
			todo = append(todo, joinedRun{at: i, edges: p.edges})
		}
		r.Lo, r.Hi = r.Lo+p.off, r.Hi+p.off
		k := runKey{r.Code, r.Year}
		if seen[k] {
			return nil, nil, false
		}
		seen[k] = true
		out[i].SchoolRun = r
	}
	return out, todo, true
}

// handJoined hands the joined runs todo[k], for every k that next gives,
// to fn, and sets their results in out.
func handJoined(out []RunResult, todo []joinedRun, next func() int, fn RunFunc) {
	var joined []census.School // the records of runs joined, one at a time
	for {
		k := next()
		if k >= len(todo) {
			return
		}
		j := todo[k]
		schools := j.edges[0].schools
		if len(j.edges) > 1 {
			joined = joined[:0]
			for _, e := range j.edges {
				joined = append(joined, e.schools...)
			}
			schools = joined
		}
		out[j.at].Result = fn(schools)
	}
}

// noteStages adds the stages of schools to m, made when nil, and returns it.
func noteStages(m map[census.Stage]bool, schools []census.School) map[census.Stage]bool {
	if m == nil {
		m = map[census.Stage]bool{}
	}
	for i := range schools {
		for _, st := range schools[i].Type.Stages() {
			m[st] = true
		}
	}
	return m
}
