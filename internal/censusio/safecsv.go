package censusio

import "strings"

// formulaStart holds the characters that make spreadsheet software read a
// CSV cell as a formula (OWASP's "CSV injection"): =, +, - and @, and tab
// and CR, which some programs skip before looking.
const formulaStart = "=+-@\t\r"

// SafeCSVCell returns a text cell as every CSV writer of dudao writes it: a
// cell that would start a formula gets a leading ' so that Excel, WPS and
// LibreOffice show it as text instead of running =HYPERLINK(…) from a
// school name. Numbers are left alone: -3.5 must stay a number. A cell that
// already starts with ' before such a character gets one more, so that the
// census reader, which drops one ' before them (see unneutral), reads back
// exactly what was written.
func SafeCSVCell(s string) string {
	if s == "" || numeric(s) {
		return s
	}
	if t := strings.TrimLeft(s, "'"); t != "" && strings.IndexByte(formulaStart, t[0]) >= 0 {
		return "'" + s
	}
	return s
}

// unneutral undoes SafeCSVCell on a text cell read from a census file:
// "'=x" reads as "=x". A ' before anything else is kept, since a person may
// have typed it.
func unneutral(s string) string {
	if len(s) < 2 || s[0] != '\'' || numeric(s[1:]) {
		return s
	}
	if t := strings.TrimLeft(s, "'"); t != "" && strings.IndexByte(formulaStart, t[0]) >= 0 {
		return s[1:]
	}
	return s
}
