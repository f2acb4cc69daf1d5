package census

import "time"

// Status is the state of one item of a standard: met, not met, or pending
// (not yet judged, or its data not yet reported). Pending is never read as
// either of the others.
type Status string

// The three states of an item.
const (
	StatusMet     Status = "met"
	StatusNotMet  Status = "not_met"
	StatusPending Status = "pending"
)

// ParseStatus reads a status by key or Chinese name.
func ParseStatus(s string) (Status, bool) {
	switch s {
	case "met", "达标", "符合", "是":
		return StatusMet, true
	case "not_met", "未达标", "不符合", "否":
		return StatusNotMet, true
	case "pending", "待评议", "未评议", "":
		return StatusPending, true
	}
	return "", false
}

// ZH returns the status's Chinese name.
func (s Status) ZH() string {
	switch s {
	case StatusMet:
		return "达标"
	case StatusNotMet:
		return "未达标"
	case StatusPending:
		return "待定"
	}
	return string(s)
}

// Judgement is a person's judgement of one evidence item of a standard for
// one county and year. Judgements are never overwritten: a new one is added,
// and the latest is the one in force.
type Judgement struct {
	ID         int64
	Standard   string
	CountyCode string
	Year       int
	Item       string
	Status     Status
	Comment    string
	Actor      string    // who judged
	At         time.Time // when, UTC
	// Evidence lists the files attached to the item (for every judgement of
	// it, not only this one: a new judgement never loses earlier evidence).
	Evidence []Evidence
}

// Evidence describes one evidence file; its bytes are kept by the store.
type Evidence struct {
	ID      int64
	Name    string // the file name as uploaded
	Type    string // the media type found by reading the content
	Size    int64
	SHA256  string
	Actor   string
	At      time.Time
	Comment string
}
