package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/rotation"
)

// PendingRotation is a rotation ledger read and previewed, waiting for
// the account that sent it to confirm it for its county. It waits in
// pending_uploads, beside the census uploads, so that any process of a
// deployment can take the confirmation; its kind there is
// "rotation/<county>", which binds the token to the county.
type PendingRotation struct {
	UserID  int64
	County  string
	Files   []string // the files' names as sent
	SHA256  string   // of the files' bytes, in order
	Ledger  rotation.Ledger
	Expires time.Time
	// Base is the version of the county's ledger the preview was made
	// from (a row edited in a form): the confirmation stores it only while
	// that is still the newest. AnyVersion for an import, which replaces
	// whatever is there.
	Base int64
	Note string // what a form edit changed
}

// pendingRotationExtra is what a pending rotation keeps besides the ledger.
type pendingRotationExtra struct {
	Base int64  `json:"base"`
	Note string `json:"note,omitempty"`
}

func pendingRotationKind(county string) string { return "rotation/" + county }

// SavePendingRotation keeps p under a new secret token, which it returns
// for the confirmation form.
func (s *Store) SavePendingRotation(ctx context.Context, p PendingRotation) (token string, err error) {
	defer wrap(&err, "save pending rotation ledger of %s", p.County)
	l, err := json.Marshal(p.Ledger)
	if err != nil {
		return "", err
	}
	extra, err := json.Marshal(pendingRotationExtra{Base: p.Base, Note: p.Note})
	if err != nil {
		return "", err
	}
	token = NewSecret()
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO pending_uploads (token_sha256, user_id, file_name, file_sha256, kind, records, extra, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		digest(token), p.UserID, strings.Join(p.Files, ","), p.SHA256, pendingRotationKind(p.County), l, extra, p.Expires)
	if err != nil {
		return "", err
	}
	return token, nil
}

// TakePendingRotation removes and returns the pending ledger of token
// sent by the user with id userID for county; the caller checks Expires
// against its clock. Taking is atomic: of two confirmations, on one
// process or two, one gets it. It returns ErrNotFound when there is no
// such ledger, or it is another account's or another county's (which
// keeps it).
func (s *Store) TakePendingRotation(ctx context.Context, token string, userID int64, county string) (_ PendingRotation, err error) {
	defer wrap(&err, "take pending rotation ledger of %s", county)
	p := PendingRotation{County: county}
	var files string
	var l, extra []byte
	err = s.db.QueryRowContext(ctx, `
		DELETE FROM pending_uploads WHERE token_sha256 = $1 AND user_id = $2 AND kind = $3
		RETURNING user_id, file_name, file_sha256, records, extra, expires_at`,
		digest(token), userID, pendingRotationKind(county)).Scan(&p.UserID, &files, &p.SHA256, &l, &extra, &p.Expires)
	if errors.Is(err, sql.ErrNoRows) {
		return PendingRotation{}, ErrNotFound
	}
	if err != nil {
		return PendingRotation{}, err
	}
	if files != "" {
		p.Files = strings.Split(files, ",")
	}
	p.Base = AnyVersion
	var x pendingRotationExtra
	if len(extra) > 0 && string(extra) != "null" {
		if err := json.Unmarshal(extra, &x); err != nil {
			return PendingRotation{}, err
		}
		p.Base, p.Note = x.Base, x.Note
	}
	if err := json.Unmarshal(l, &p.Ledger); err != nil {
		return PendingRotation{}, err
	}
	p.Expires = p.Expires.UTC()
	return p, nil
}
