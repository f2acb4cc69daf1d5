package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

// Roles of an account. Each account is scoped to a region (province, city or
// county code) or, for RoleSchool, to one school; RoleReadOnly sees a region
// and changes nothing. A read-only account may have the nation's code
// (census.NationCode): the Ministry's view of every province.
const (
	RoleProvince = "province"
	RoleCity     = "city"
	RoleCounty   = "county"
	RoleSchool   = "school"
	RoleReadOnly = "readonly"
)

// Roles lists the roles in the order a form shows them.
var Roles = []string{RoleProvince, RoleCity, RoleCounty, RoleSchool, RoleReadOnly}

// User is an account of the web application.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Role        string
	// Region is the 6-digit code of the region the account sees: a
	// province, a city or a county (a school account: its school's county).
	Region string
	// School is the school code of a RoleSchool account, "" otherwise.
	School    string
	Disabled  bool
	CreatedAt time.Time
}

// ErrExists is returned when creating something whose unique name is taken.
var ErrExists = errors.New("already exists")

// Validate checks the role and scope of u.
func (u *User) Validate() error {
	if strings.TrimSpace(u.Username) == "" {
		return fmt.Errorf("username is empty")
	}
	okRegion := len(u.Region) == 6 && strings.Trim(u.Region, "0123456789") == ""
	if u.Region == census.NationCode && u.Role != RoleReadOnly {
		// The nation's account reads every province and changes nothing:
		// no workflow above a province's is defined.
		return fmt.Errorf("only a read-only account may have the nation's code %s; a %s account needs its own region's code", census.NationCode, u.Role)
	}
	switch u.Role {
	case RoleProvince:
		if !okRegion || !strings.HasSuffix(u.Region, "0000") {
			return fmt.Errorf("a province account needs a province code such as 980000, not %q", u.Region)
		}
	case RoleCity:
		if !okRegion || !strings.HasSuffix(u.Region, "00") {
			return fmt.Errorf("a city account needs a city code such as 980100, not %q", u.Region)
		}
	case RoleCounty, RoleReadOnly:
		if !okRegion {
			return fmt.Errorf("a %s account needs a 6-digit region code, not %q", u.Role, u.Region)
		}
	case RoleSchool:
		if len(u.School) != 10 || strings.Trim(u.School, "0123456789") != "" {
			return fmt.Errorf("a school account needs a 10-digit school code, not %q", u.School)
		}
		if !okRegion {
			return fmt.Errorf("a school account needs its county's 6-digit code, not %q", u.Region)
		}
	default:
		return fmt.Errorf("unknown role %q (want one of %s)", u.Role, strings.Join(Roles, ", "))
	}
	if u.Role != RoleSchool && u.School != "" {
		return fmt.Errorf("only a school account names a school")
	}
	return nil
}

// CreateUser adds u with the given password (hashed with argon2id) and
// returns it with its ID. It returns ErrExists when the username is taken.
func (s *Store) CreateUser(ctx context.Context, u User, password string) (_ User, err error) {
	defer wrap(&err, "create user %s", u.Username)
	if err := u.Validate(); err != nil {
		return User{}, err
	}
	if len(password) < 8 {
		return User{}, fmt.Errorf("the password must have at least 8 characters")
	}
	u.CreatedAt = s.now()
	hash := HashPassword(password)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, u.Username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrExists
		}
		return tx.QueryRowContext(ctx, `
			INSERT INTO users (username, display_name, password_hash, role, region_code, school_code, disabled, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			u.Username, u.DisplayName, hash, u.Role, u.Region, u.School, u.Disabled, u.CreatedAt).Scan(&u.ID)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

const userColumns = `u.id, u.username, u.display_name, u.role, u.region_code, u.school_code, u.disabled, u.created_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Region, &u.School, &u.Disabled, &u.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return User{}, ErrNotFound
		}
		return User{}, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}

// UserByID returns the user with id; it returns ErrNotFound if there is none.
func (s *Store) UserByID(ctx context.Context, id int64) (_ User, err error) {
	defer wrap(&err, "user %d", id)
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
}

// Authenticate returns the enabled user named username whose password is
// password. It returns ErrNotFound for an unknown or disabled user and for a
// wrong password alike, so a caller cannot tell them apart by the error.
func (s *Store) Authenticate(ctx context.Context, username, password string) (_ User, err error) {
	var hash string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.username = $1`, username), &hash)
	if errors.Is(err, ErrNotFound) {
		// Spend the time of a check anyway, so that timing does not tell
		// which usernames exist.
		CheckPassword(dummyHash(), password)
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("store: authenticate %s: %w", username, err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return User{}, fmt.Errorf("store: authenticate %s: %w", username, err)
	}
	if !ok || u.Disabled {
		return User{}, ErrNotFound
	}
	return u, nil
}

// dummyHash is made on the first unknown sign-in, not at start: every
// command that opens a store would otherwise spend an argon2 hash (about
// 80 ms and 19 MB) before doing anything.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a password of anyone") })

// SetPassword replaces the password of the user with id; it returns
// ErrNotFound if there is none. The user's sessions end.
func (s *Store) SetPassword(ctx context.Context, id int64, password string) (err error) {
	defer wrap(&err, "set password of user %d", id)
	if len(password) < 8 {
		return fmt.Errorf("the password must have at least 8 characters")
	}
	hash := HashPassword(password)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
}

// Users returns every account ordered by username, or an empty list.
func (s *Store) Users(ctx context.Context) (_ []User, err error) {
	defer wrap(&err, "users")
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UpdateUser replaces the display name, role, region and school of the
// account u.ID (checked as at creation) and whether it is disabled; it
// returns ErrNotFound if there is none. A disabled account's sessions end
// at once (and neither they nor its API tokens are honoured while it is
// disabled); a changed scope applies to the sessions it has from their
// next request.
func (s *Store) UpdateUser(ctx context.Context, u User) (err error) {
	defer wrap(&err, "update user %d", u.ID)
	if err := u.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE users SET display_name = $1, role = $2, region_code = $3, school_code = $4, disabled = $5
			WHERE id = $6`, u.DisplayName, u.Role, u.Region, u.School, u.Disabled, u.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if u.Disabled {
			_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		}
		return err
	})
}
