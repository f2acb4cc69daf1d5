package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

// PendingUpload is an upload parsed and previewed, waiting for the account
// that sent it to confirm it. It is kept in the database so that any
// process of a deployment can confirm it.
type PendingUpload struct {
	UserID  int64
	File    string // the file's name as sent
	SHA256  string // of the file's bytes
	Kind    census.Kind
	Records []census.UnitRecord
	// Extra is what the caller keeps beside the records (JSON): the web
	// keeps the moves between counties the preview showed.
	Extra   []byte
	Expires time.Time
}

// recordRow is one record in the JSON of pending_uploads.records: the
// year, the text columns after it in table order, and the numbers (null
// when not reported).
type recordRow struct {
	Year int        `json:"y"`
	Text []string   `json:"t"`
	Num  []*float64 `json:"n"`
}

func encodeRecords(t *census.Table, recs []census.UnitRecord) ([]byte, error) {
	rows := make([]recordRow, len(recs))
	for i, r := range recs {
		y, _ := r.Key()
		row := recordRow{Year: y, Text: make([]string, 0, len(t.Text)), Num: make([]*float64, len(t.Num))}
		for _, c := range t.Text {
			if c.Key != "year" {
				row.Text = append(row.Text, r.Text(c.Key))
			}
		}
		for j, v := range r.Values() {
			if !math.IsNaN(v) {
				row.Num[j] = &v
			}
		}
		rows[i] = row
	}
	return json.Marshal(rows)
}

func decodeRecords(t *census.Table, data []byte) ([]census.UnitRecord, error) {
	var rows []recordRow
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, err
	}
	out := make([]census.UnitRecord, len(rows))
	for i, row := range rows {
		if len(row.Text) != len(t.Text)-1 || len(row.Num) != len(t.Num) {
			return nil, fmt.Errorf("a pending %s record of another shape", t.Kind)
		}
		r := t.New()
		r.SetYear(row.Year)
		k := 0
		for _, c := range t.Text {
			if c.Key != "year" {
				r.SetText(c.Key, row.Text[k])
				k++
			}
		}
		vals := r.Values()
		for j, p := range row.Num {
			if p != nil {
				vals[j] = *p
			}
		}
		out[i] = r
	}
	return out, nil
}

// SavePendingUpload keeps p under a new secret token, which it returns for
// the confirmation form.
func (s *Store) SavePendingUpload(ctx context.Context, p PendingUpload) (token string, err error) {
	defer wrap(&err, "save pending upload %s", p.File)
	t := census.TableOf(p.Kind)
	if t == nil {
		return "", fmt.Errorf("kind %q cannot be stored", p.Kind)
	}
	recs, err := encodeRecords(t, p.Records)
	if err != nil {
		return "", err
	}
	if p.Extra == nil {
		p.Extra = []byte("null")
	}
	token = NewSecret()
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO pending_uploads (token_sha256, user_id, file_name, file_sha256, kind, records, extra, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		digest(token), p.UserID, p.File, p.SHA256, string(p.Kind), recs, p.Extra, p.Expires)
	if err != nil {
		return "", err
	}
	return token, nil
}

// TakePendingUpload removes and returns the pending upload of token sent
// by the user with id userID; the caller checks Expires against its clock.
// Taking is atomic: of two confirmations of one upload, on one process or
// two, one gets it. It returns ErrNotFound when there is no such upload or
// it is another account's (which keeps it).
func (s *Store) TakePendingUpload(ctx context.Context, token string, userID int64) (_ PendingUpload, err error) {
	defer wrap(&err, "take pending upload")
	var p PendingUpload
	var kind string
	var recs []byte
	err = s.db.QueryRowContext(ctx, `
		DELETE FROM pending_uploads WHERE token_sha256 = $1 AND user_id = $2 AND kind NOT LIKE 'rotation/%'
		RETURNING user_id, file_name, file_sha256, kind, records, extra, expires_at`,
		digest(token), userID).Scan(&p.UserID, &p.File, &p.SHA256, &kind, &recs, &p.Extra, &p.Expires)
	if errors.Is(err, sql.ErrNoRows) {
		return PendingUpload{}, ErrNotFound
	}
	if err != nil {
		return PendingUpload{}, err
	}
	p.Kind = census.Kind(kind)
	t := census.TableOf(p.Kind)
	if t == nil {
		return PendingUpload{}, fmt.Errorf("kind %q cannot be stored", kind)
	}
	if p.Records, err = decodeRecords(t, recs); err != nil {
		return PendingUpload{}, err
	}
	p.Expires = p.Expires.UTC()
	return p, nil
}

// DeleteExpiredUploads removes pending uploads that expired at or before
// now and returns how many.
func (s *Store) DeleteExpiredUploads(ctx context.Context, now time.Time) (n int64, err error) {
	defer wrap(&err, "delete expired uploads")
	res, err := s.db.ExecContext(ctx, `DELETE FROM pending_uploads WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
