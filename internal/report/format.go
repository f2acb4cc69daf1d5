package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The report's number formats. Figures are kept unrounded in the model and
// rounded only here, for reading; "—" stands for a figure that is undefined
// or not reported.

const dash = "—"

func fix(v float64, d int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dash
	}
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.TrimLeft(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // no "-0.0000"
	}
	return s
}

func f2(v float64) string { return fix(v, 2) }
func f4(v float64) string { return fix(v, 4) }
func f6(v float64) string { return fix(v, 6) }

// signed4 formats a margin or a change with its sign.
func signed4(v float64) string {
	s := f4(v)
	if s != dash && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return strings.Replace(s, "-", "−", 1)
}

// fnum formats a threshold or a limit: as short as exact (4.5, 2000, 0.9).
func fnum(v float64) string {
	if math.IsNaN(v) {
		return dash
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// fcount formats a count of students or parts.
func fcount(v float64) string {
	if math.IsNaN(v) {
		return dash
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
}

// famount formats a quantity to add: whole numbers as they are, others to
// two decimals (㎡, 元).
func famount(v float64) string {
	if v == math.Trunc(v) {
		return fcount(v)
	}
	return fmt.Sprintf("%.2f", v)
}

// pct formats a share as a percentage to one decimal.
func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dash
	}
	return fmt.Sprintf("%.1f%%", v*100)
}
