package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func TestPasswordHash(t *testing.T) {
	h := store.HashPassword("correct horse")
	if ok, err := store.CheckPassword(h, "correct horse"); !ok || err != nil {
		t.Errorf("CheckPassword(right) = %v, %v", ok, err)
	}
	if ok, _ := store.CheckPassword(h, "wrong horse"); ok {
		t.Errorf("CheckPassword(wrong) = true")
	}
	if h == store.HashPassword("correct horse") {
		t.Errorf("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=0,t=1,p=1$AA$AA", "$bcrypt$x", "$argon2id$v=19$m=19456,t=2,p=1$!!$AA"} {
		if _, err := store.CheckPassword(bad, "x"); err == nil {
			t.Errorf("CheckPassword(%q) accepted a malformed hash", bad)
		}
	}
}

func TestUserValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    store.User
		ok   bool
	}{
		{"province", store.User{Username: "a", Role: store.RoleProvince, Region: "980000"}, true},
		{"province with city code", store.User{Username: "a", Role: store.RoleProvince, Region: "980100"}, false},
		{"city", store.User{Username: "a", Role: store.RoleCity, Region: "980100"}, true},
		{"county", store.User{Username: "a", Role: store.RoleCounty, Region: "980121"}, true},
		{"county bad code", store.User{Username: "a", Role: store.RoleCounty, Region: "98012"}, false},
		{"school", store.User{Username: "a", Role: store.RoleSchool, Region: "980121", School: "9801210001"}, true},
		{"school without school", store.User{Username: "a", Role: store.RoleSchool, Region: "980121"}, false},
		{"county naming a school", store.User{Username: "a", Role: store.RoleCounty, Region: "980121", School: "9801210001"}, false},
		{"readonly", store.User{Username: "a", Role: store.RoleReadOnly, Region: "980000"}, true},
		{"readonly of the nation", store.User{Username: "a", Role: store.RoleReadOnly, Region: "000000"}, true},
		{"province of the nation", store.User{Username: "a", Role: store.RoleProvince, Region: "000000"}, false},
		{"city of the nation", store.User{Username: "a", Role: store.RoleCity, Region: "000000"}, false},
		{"county of the nation", store.User{Username: "a", Role: store.RoleCounty, Region: "000000"}, false},
		{"school of the nation", store.User{Username: "a", Role: store.RoleSchool, Region: "000000", School: "9801210001"}, false},
		{"unknown role", store.User{Username: "a", Role: "admin", Region: "980000"}, false},
		{"no name", store.User{Role: store.RoleProvince, Region: "980000"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.u.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		u, err := s.CreateUser(ctx, store.User{Username: "jq", DisplayName: "鸠江区督导室", Role: store.RoleCounty, Region: "340207"}, "password1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, store.User{Username: "jq", Role: store.RoleCounty, Region: "340207"}, "password2"); !errors.Is(err, store.ErrExists) {
			t.Errorf("second jq: err = %v, want ErrExists", err)
		}
		if _, err := s.CreateUser(ctx, store.User{Username: "short", Role: store.RoleCounty, Region: "340207"}, "1234567"); err == nil {
			t.Errorf("a 7-character password was accepted")
		}
		got, err := s.Authenticate(ctx, "jq", "password1")
		if err != nil || got.ID != u.ID || got.Region != "340207" || got.DisplayName != "鸠江区督导室" || !got.CreatedAt.Equal(now) {
			t.Errorf("Authenticate = %+v, %v", got, err)
		}
		if _, err := s.Authenticate(ctx, "jq", "password2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("wrong password: err = %v, want ErrNotFound", err)
		}
		if _, err := s.Authenticate(ctx, "nobody", "password1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: err = %v, want ErrNotFound", err)
		}
		if _, err := s.UserByID(ctx, u.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UserByID(unknown) err = %v", err)
		}

		// Sessions: found until they expire, gone after sign-out.
		tok, err := s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if su, exp, err := s.SessionUser(ctx, tok); err != nil || su.ID != u.ID || !exp.Equal(now.Add(time.Hour)) {
			t.Errorf("SessionUser = %v, %v, %v", su.ID, exp, err)
		}
		if _, _, err := s.SessionUser(ctx, tok+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown token: err = %v", err)
		}
		now = now.Add(2 * time.Hour)
		if _, _, err := s.SessionUser(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session: err = %v", err)
		}
		if n, err := s.DeleteExpiredSessions(ctx); err != nil || n != 1 {
			t.Errorf("DeleteExpiredSessions = %d, %v", n, err)
		}
		tok, _ = s.CreateSession(ctx, u.ID, time.Hour)
		now = now.Add(50 * time.Minute)
		if err := s.ExtendSession(ctx, tok, time.Hour); err != nil {
			t.Fatal(err)
		}
		now = now.Add(50 * time.Minute)
		if _, _, err := s.SessionUser(ctx, tok); err != nil {
			t.Errorf("extended session: err = %v", err)
		}
		if err := s.DeleteSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted session: err = %v", err)
		}
		// A new password ends every session.
		tok, _ = s.CreateSession(ctx, u.ID, time.Hour)
		if err := s.SetPassword(ctx, u.ID, "password3"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after password change: err = %v", err)
		}
		if _, err := s.Authenticate(ctx, "jq", "password3"); err != nil {
			t.Errorf("new password: %v", err)
		}

		// API tokens.
		at, secret, err := s.CreateAPIToken(ctx, u.ID, "脚本")
		if err != nil {
			t.Fatal(err)
		}
		if tu, err := s.APITokenUser(ctx, secret); err != nil || tu.ID != u.ID {
			t.Errorf("APITokenUser = %v, %v", tu.ID, err)
		}
		list, err := s.APITokens(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].Name != "脚本" || list[0].LastUsed == nil {
			t.Errorf("APITokens = %+v, %v", list, err)
		}
		if err := s.DeleteAPIToken(ctx, u.ID+1, at.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting another user's token: err = %v", err)
		}
		if err := s.DeleteAPIToken(ctx, u.ID, at.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.APITokenUser(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token: err = %v", err)
		}
		users, err := s.Users(ctx)
		if err != nil || len(users) != 1 {
			t.Errorf("Users = %v, %v", users, err)
		}
	})
}

func TestAuditLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = storetest.Clock(time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC))
		for _, e := range []store.AuditEntry{
			{Username: "a", Action: store.AuditSignIn, RemoteAddr: "127.0.0.1"},
			{Username: "a", Action: store.AuditImport, Region: "340207", Target: "a.xlsx", Detail: "新增 3"},
			{Username: "b", Action: store.AuditEdit, Region: "340208", Target: "3402080001"},
			{Username: "c", Action: store.AuditEdit, Region: "34_%", Target: "x"},
		} {
			if err := s.Audit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.AuditLog(ctx, "", 10)
		if err != nil || len(all) != 4 || all[0].Username != "c" || all[3].RemoteAddr != "127.0.0.1" {
			t.Fatalf("AuditLog all = %+v, %v", all, err)
		}
		one, err := s.AuditLog(ctx, "340207", 10)
		if err != nil || len(one) != 1 || one[0].Target != "a.xlsx" {
			t.Errorf("AuditLog 340207 = %+v, %v", one, err)
		}
		two, _ := s.AuditLog(ctx, "3402", 10)
		if len(two) != 2 {
			t.Errorf("AuditLog 3402 = %d entries, want 2 (wildcards in a prefix are not wildcards)", len(two))
		}
		if lim, _ := s.AuditLog(ctx, "", 2); len(lim) != 2 {
			t.Errorf("limit 2 gave %d", len(lim))
		}
	})
}

func TestDataVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v0, err := s.DataVersion(ctx)
		if err != nil || v0 != 0 {
			t.Fatalf("empty DataVersion = %d, %v", v0, err)
		}
		recs := storetest.Synthetic(2024, 3, 1, 1)
		if _, err := s.Import(ctx, "t", []store.FileBatch{{File: "a.csv", Schools: recs}}); err != nil {
			t.Fatal(err)
		}
		v1, _ := s.DataVersion(ctx)
		rec := recs[0]
		rec.Name += "（改）"
		if _, err := s.UpdateSchool(ctx, "t", rec); err != nil {
			t.Fatal(err)
		}
		v2, _ := s.DataVersion(ctx)
		if !(v0 < v1 && v1 < v2) {
			t.Errorf("versions %d, %d, %d do not increase", v0, v1, v2)
		}
	})
}
