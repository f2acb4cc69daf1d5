package store

import (
	"context"
	"strings"
	"time"
)

// SignInLimit is how many sign-in attempts a window allows: per account
// (by username, from any address) and per client address.
type SignInLimit struct {
	Window  time.Duration
	PerUser int
	PerAddr int
}

func signInKeys(username, addr string) [2]string {
	return [2]string{"user:" + strings.ToLower(strings.TrimSpace(username)), "addr:" + addr}
}

// ReserveSignIn counts one attempt to sign in as username from addr at now
// against both limits, before the password is checked, so that concurrent
// guesses cannot all pass a check made before any of them is counted. Each
// count is one atomic upsert (a row lock on PostgreSQL, the write lock on
// SQLite), so processes sharing the database share the counts. A window
// starts at the first attempt and lasts lim.Window.
//
// When either count would exceed its limit, nothing is counted and the
// wait until that window ends is returned; otherwise the wait is 0 and the
// attempt stays counted, a failure, until ReleaseSignIn returns it.
func (s *Store) ReserveSignIn(ctx context.Context, now time.Time, username, addr string, lim SignInLimit) (wait time.Duration, err error) {
	defer wrap(&err, "reserve a sign-in of %s", username)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	nowMS, cut := now.UnixMilli(), now.Add(-lim.Window).UnixMilli()
	keys := signInKeys(username, addr)
	// The account first, then the address, in every transaction: two
	// attempts never wait for each other's rows in opposite orders.
	for i, max := range []int{lim.PerUser, lim.PerAddr} {
		var n int
		var start int64
		err := tx.QueryRowContext(ctx, `
			INSERT INTO sign_in_limits (key, window_start, attempts) VALUES ($1, $2, 1)
			ON CONFLICT (key) DO UPDATE SET
				attempts = CASE WHEN sign_in_limits.window_start <= $3 THEN 1 ELSE sign_in_limits.attempts + 1 END,
				window_start = CASE WHEN sign_in_limits.window_start <= $3 THEN $2 ELSE sign_in_limits.window_start END
			RETURNING attempts, window_start`, keys[i], nowMS, cut).Scan(&n, &start)
		if err != nil {
			return 0, err
		}
		if n > max {
			return time.UnixMilli(start).Add(lim.Window).Sub(now), nil // rolled back: not counted
		}
	}
	return 0, tx.Commit()
}

// ReleaseSignIn returns the attempt ReserveSignIn counted for username
// from addr: it signed in, so it was no failure. Earlier failures stay
// counted until their window ends.
func (s *Store) ReleaseSignIn(ctx context.Context, username, addr string) (err error) {
	defer wrap(&err, "release a sign-in of %s", username)
	keys := signInKeys(username, addr)
	_, err = s.db.ExecContext(ctx, `UPDATE sign_in_limits SET attempts = attempts - 1 WHERE key IN ($1, $2) AND attempts > 0`, keys[0], keys[1])
	return err
}

// DeleteSignInLimitsBefore removes the counts whose window started before
// cut (they no longer limit anything) and returns how many.
func (s *Store) DeleteSignInLimitsBefore(ctx context.Context, cut time.Time) (n int64, err error) {
	defer wrap(&err, "delete old sign-in counts")
	res, err := s.db.ExecContext(ctx, `DELETE FROM sign_in_limits WHERE window_start <= $1`, cut.UnixMilli())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
