package workplan

import (
	"testing"
	"time"
)

func TestPeriods(t *testing.T) {
	// 16:30 UTC on 30 June is 00:30 on 1 July in Beijing.
	at := time.Date(2023, 6, 30, 16, 30, 0, 0, time.UTC)
	if got := PeriodOf(at); got != "2023-07" {
		t.Errorf("PeriodOf: %s, want 2023-07", got)
	}
	if got := ReportPeriod(at); got != "2023-06" {
		t.Errorf("ReportPeriod: %s, want 2023-06", got)
	}
	p := Period("2023-06")
	if got, want := p.Due(5), time.Date(2023, 7, 5, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Due(5): %s, want %s (end of 5 July in Beijing)", got, want)
	}
	if got, want := Period("2023-01").Due(31), time.Date(2023, 2, 28, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Due(31) in February: %s, want %s", got, want)
	}
	if got := Period("2023-01").Prev(); got != "2022-12" {
		t.Errorf("Prev: %s", got)
	}
	if _, err := ParsePeriod("2023-6"); err == nil {
		t.Error("2023-6 accepted")
	}
	d, err := ParseDay("2023-12-31")
	if err != nil || !DayEnd(d).Equal(time.Date(2023, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseDay/DayEnd: %s %v", DayEnd(d), err)
	}
}
