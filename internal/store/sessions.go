package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"time"
)

// NewSecret returns a random 32-byte secret, hex-encoded: a session or API
// token. Only its SHA-256 digest is stored, so a copy of the database
// cannot be used to sign in.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for the user with id lasting ttl and
// returns its secret token, for the session cookie.
func (s *Store) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (token string, err error) {
	defer wrap(&err, "create session for user %d", userID)
	token = NewSecret()
	now := s.now()
	_, err = s.db.ExecContext(ctx, `INSERT INTO sessions (token_sha256, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		digest(token), userID, now, now.Add(ttl))
	if err != nil {
		return "", err
	}
	return token, nil
}

// SessionUser returns the user of the unexpired session with token and when
// the session expires; it returns ErrNotFound when there is no such session,
// it has expired, or its user is disabled.
//
// In a context of WithVersions whose versions are not read yet, it reads
// them in the same query: a page's session and versions were two queries
// (on PostgreSQL two round trips) for every page.
func (s *Store) SessionUser(ctx context.Context, token string) (_ User, expires time.Time, err error) {
	var u User
	together := false
	if v, ok := ctx.Value(versionsKey{}).(*versions); ok {
		v.once.Do(func() {
			together = true
			u, err = scanUser(s.queryRow(ctx, sessionVersionsQuery, digest(token), s.now(), v.now), append([]any{&expires}, v.dest()...)...)
			if err != nil {
				// No session (or no answer): the versions alone.
				s.readVersions(ctx, v)
			}
		})
	}
	if !together {
		u, err = scanUser(s.queryRow(ctx, sessionQuery, digest(token), s.now()), &expires)
	}
	if err != nil {
		if err != ErrNotFound {
			err = wrapf(err, "session")
		}
		return User{}, time.Time{}, err
	}
	return u, expires.UTC(), nil
}

// sessionOf is where sessionQuery finds the session of token digest $1
// unexpired at $2.
const sessionOf = ` FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND NOT u.disabled`

const sessionQuery = `SELECT ` + userColumns + `, s.expires_at` + sessionOf

// sessionVersionsQuery is sessionQuery with the versions (versionsQuery),
// surveys counted as open at $3.
var sessionVersionsQuery = `SELECT ` + userColumns + `, s.expires_at, ` + versionsColumns(3) + sessionOf

// ExtendSession moves the expiry of the session with token to ttl from now.
func (s *Store) ExtendSession(ctx context.Context, token string, ttl time.Duration) (err error) {
	defer wrap(&err, "extend session")
	_, err = s.db.ExecContext(ctx, `UPDATE sessions SET expires_at = $1 WHERE token_sha256 = $2`, s.now().Add(ttl), digest(token))
	return err
}

// DeleteSession ends the session with token; ending one that does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) (err error) {
	defer wrap(&err, "delete session")
	_, err = s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_sha256 = $1`, digest(token))
	return err
}

// DeleteExpiredSessions removes sessions that have expired and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (n int64, err error) {
	defer wrap(&err, "delete expired sessions")
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, s.now())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// APIToken is a token with which scripts use the JSON API as its user.
type APIToken struct {
	ID        int64
	UserID    int64
	Name      string
	CreatedAt time.Time
	LastUsed  *time.Time
}

// CreateAPIToken creates a named API token for the user with id and returns
// it with its secret, which is shown once and never stored.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string) (_ APIToken, secret string, err error) {
	defer wrap(&err, "create API token for user %d", userID)
	secret = "dudao_" + NewSecret()
	t := APIToken{UserID: userID, Name: name, CreatedAt: s.now()}
	err = s.db.QueryRowContext(ctx, `INSERT INTO api_tokens (token_sha256, user_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		digest(secret), userID, name, t.CreatedAt).Scan(&t.ID)
	if err != nil {
		return APIToken{}, "", err
	}
	return t, secret, nil
}

// APITokenUser returns the enabled user whose API token is secret, and
// records its use; it returns ErrNotFound when there is no such token.
func (s *Store) APITokenUser(ctx context.Context, secret string) (_ User, err error) {
	var id int64
	u, err := scanUser(s.db.QueryRowContext(ctx, `
		SELECT `+userColumns+`, t.id FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_sha256 = $1 AND NOT u.disabled`, digest(secret)), &id)
	if err != nil {
		if err != ErrNotFound {
			err = wrapf(err, "API token")
		}
		return User{}, err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, s.now(), id); err != nil {
		return User{}, wrapf(err, "API token")
	}
	return u, nil
}

// APITokens returns the tokens of the user with id, newest first, or an empty list.
func (s *Store) APITokens(ctx context.Context, userID int64) (_ []APIToken, err error) {
	defer wrap(&err, "API tokens of user %d", userID)
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		var t APIToken
		var last sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &last); err != nil {
			return nil, err
		}
		t.CreatedAt = t.CreatedAt.UTC()
		if last.Valid {
			l := last.Time.UTC()
			t.LastUsed = &l
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteAPIToken revokes token id of the user with userID; it returns
// ErrNotFound when that user has no such token.
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id int64) (err error) {
	defer wrap(&err, "delete API token %d", id)
	res, err := s.db.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func wrapf(err error, what string) error {
	wrap(&err, "%s", what)
	return err
}
