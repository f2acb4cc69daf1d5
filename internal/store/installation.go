package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

// Installation is what the first-run set-up decided: the region this
// installation serves, the profile (provincial variant) and the standard in
// force by default, and who set it up when.
type Installation struct {
	Region   string
	Profile  string
	Standard string
	SetUpBy  string
	SetUpAt  time.Time
}

// Errors of the set-up.
var (
	// ErrSetUpDone: an account exists already; the set-up is over.
	ErrSetUpDone = errors.New("this installation is set up already")
	// ErrSetupCode: the one-time code given is not the one printed.
	ErrSetupCode = errors.New("wrong set-up code")
)

// Installation returns the set-up's decisions, or ErrNotFound for an
// installation set up from the command line or not at all.
func (s *Store) Installation(ctx context.Context) (_ Installation, err error) {
	var in Installation
	err = s.db.QueryRowContext(ctx, `SELECT region_code, profile, standard, set_up_by, set_up_at FROM installation WHERE id = 1`).
		Scan(&in.Region, &in.Profile, &in.Standard, &in.SetUpBy, &in.SetUpAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Installation{}, ErrNotFound
	}
	if err != nil {
		return Installation{}, wrapf(err, "installation")
	}
	in.SetUpAt = in.SetUpAt.UTC()
	return in, nil
}

// HasUsers reports whether any account exists: until one does, the web
// application offers only the set-up.
func (s *Store) HasUsers(ctx context.Context) (_ bool, err error) {
	defer wrap(&err, "has users")
	var one int
	err = s.db.QueryRowContext(ctx, `SELECT 1 FROM users LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SetupCode returns the one-time code of the set-up while no account
// exists, making it the first time it is asked for (every server process
// on the database prints the same one); it returns "" once an account
// exists.
func (s *Store) SetupCode(ctx context.Context) (code string, err error) {
	defer wrap(&err, "set-up code")
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			code = ""
			return nil
		}
		err := tx.QueryRowContext(ctx, `SELECT code FROM setup_code WHERE id = 1`).Scan(&code)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		code = newSetupCode()
		_, err = tx.ExecContext(ctx, `INSERT INTO setup_code (id, code, created_at) VALUES (1, $1, $2)`, code, s.now())
		return err
	})
	return code, err
}

// newSetupCode returns 8 characters from an alphabet without look-alikes
// (no 0/O, 1/I/L), easy to read off a console and type: 40 bits.
func newSetupCode() string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Setup is what the first-run set-up page submits.
type Setup struct {
	Code string // the one-time code the server printed
	// Regions are the served region first, then the division list
	// (censusio.ReadRegions).
	Regions  []census.Region
	Profile  string
	Standard string
	// Admin is the first account; its role follows the served region's
	// level (a province, city or county account of that region).
	Admin    User
	Password string
}

// SetUp makes the installation in one transaction: the regions, the
// installation's row, the first account; and deletes the set-up code. It
// returns the account. It fails with ErrSetupCode when the code is wrong,
// with ErrSetUpDone when an account exists (two set-ups racing: one wins,
// the other changes nothing), and leaves nothing half-made on any error.
func (s *Store) SetUp(ctx context.Context, su Setup) (_ User, err error) {
	defer wrap(&err, "set up")
	if len(su.Regions) == 0 {
		return User{}, fmt.Errorf("no region to serve")
	}
	served := su.Regions[0]
	admin := su.Admin
	admin.Region = served.Code
	admin.School = ""
	switch served.Level {
	case census.LevelProvince:
		admin.Role = RoleProvince
	case census.LevelCity:
		admin.Role = RoleCity
	default:
		admin.Role = RoleCounty
	}
	if err := admin.Validate(); err != nil {
		return User{}, err
	}
	if len(su.Password) < 8 {
		return User{}, fmt.Errorf("the password must have at least 8 characters")
	}
	hash := HashPassword(su.Password)
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrSetUpDone
		}
		var code string
		err := tx.QueryRowContext(ctx, `SELECT code FROM setup_code WHERE id = 1`).Scan(&code)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && subtle.ConstantTimeCompare([]byte(code), []byte(su.Code)) != 1) {
			return ErrSetupCode
		}
		if err != nil {
			return err
		}
		if err := upsertRegions(ctx, tx, su.Regions); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM installation`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO installation (id, region_code, profile, standard, set_up_by, set_up_at)
			VALUES (1, $1, $2, $3, $4, $5)`, served.Code, su.Profile, su.Standard, admin.Username, now); err != nil {
			return err
		}
		admin.CreatedAt = now
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO users (username, display_name, password_hash, role, region_code, school_code, disabled, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			admin.Username, admin.DisplayName, hash, admin.Role, admin.Region, admin.School, false, admin.CreatedAt).Scan(&admin.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM setup_code`)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return admin, nil
}
