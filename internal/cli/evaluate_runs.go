package cli

import (
	"io"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/standards"
)

// A CSV table without verdicts of one file (evaluate FILE --format csv
// --table indicators|parts) is evaluated as the file is read: each
// county's records, as the reader hands them on (censusio.Options.EachRun),
// are evaluated and made into their rows while they are in the cache,
// and the rows are written in the order of the counties' codes once the
// file is read without an error. The records of a nation, 96 MB, are then
// never kept: a third of the time the process took went to the memory
// they were read into, fresh from the system. The file is the one the
// evaluation of the records read first writes (TestEvaluateAsRead).

// readsAsEvaluated reports whether the evaluation of files under r into
// a CSV table named table can be made as the files are read.
func (src *source) readsAsEvaluated(files []string, r *standards.Rules, format, table string) bool {
	return evaluateAsRead && len(files) == 1 && format == "csv" && !export.ReadsVerdicts(table) &&
		strings.TrimSpace(*src.county) == "" && !r.Preschool() && r.PriorCVs() == nil
}

// evaluateAsRead is false in tests that evaluate the records read first,
// to compare; asReadWritten counts the tables written from rows made as
// the records were read.
var (
	evaluateAsRead = true
	asReadWritten  atomic.Int64
)

// runRows are the rows of the table of one county's run of records.
type runRows struct {
	rows []byte
	err  error
}

// rowsOfRuns returns what makes, for each goroutine of a read, the rows
// of table of each run of records it reads.
func rowsOfRuns(r *standards.Rules, table string) func() censusio.RunFunc {
	return func() censusio.RunFunc {
		cs := eval.NewCountyStream(r, export.ReadsShortfalls(table))
		rows, err := export.NewCSVRows(eval.NewWhole(r, 0), table)
		return func(schools []census.School) any {
			if err != nil {
				return runRows{err: err}
			}
			var out runRows
			out.err = cs.County(schools, func(c *eval.County) (err error) {
				out.rows, err = rows.County(c)
				return err
			})
			return out
		}
	}
}

// ofYear returns the runs of year, in the order of their counties' codes
// (that of eval.EvaluateResourceStream).
func ofYear(runs []censusio.RunResult, year int) []censusio.RunResult {
	var out []censusio.RunResult
	for _, run := range runs {
		if run.Year == year {
			out = append(out, run)
		}
	}
	slices.SortFunc(out, func(a, b censusio.RunResult) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// writeRuns writes the table of the evaluation of year under r: its
// header, then the rows made of each run. The rows of counties made one
// after the other lie one after the other in memory (export.CSVRows): they
// are written as one piece (CSVWriter.Rows), most of which passes through
// the writer's buffer uncopied.
// (Written at their offsets on every core instead, into a new file, they
// took as long: the file's writes take its lock one at a time.)
func writeRuns(w io.Writer, r *standards.Rules, year int, table string, runs []censusio.RunResult) error {
	asReadWritten.Add(1)
	cw, err := export.NewCSVWriter(w, eval.NewWhole(r, year), table)
	if err != nil {
		return err
	}
	var piece []byte
	for _, run := range runs {
		rr := run.Result.(runRows)
		if rr.err != nil {
			return rr.err
		}
		if joined, ok := export.AdjacentRows(piece, rr.rows); ok {
			piece = joined
			continue
		}
		if err := cw.Rows(piece); err != nil {
			return err
		}
		piece = rr.rows
	}
	if err := cw.Rows(piece); err != nil {
		return err
	}
	return cw.Close()
}
