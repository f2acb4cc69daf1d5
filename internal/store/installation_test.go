package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func setupRegions() []census.Region {
	return []census.Region{
		{Code: "340000", Name: "安徽省", Level: census.LevelProvince},
		{Code: "341100", Name: "滁州市", Level: census.LevelCity, Parent: "340000"},
		{Code: "341122", Name: "来安县", Level: census.LevelCounty, Parent: "341100"},
	}
}

func TestSetUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := st.Installation(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("installation before set-up: %v", err)
		}
		if has, err := st.HasUsers(ctx); err != nil || has {
			t.Fatalf("HasUsers = %v, %v", has, err)
		}
		code, err := st.SetupCode(ctx)
		if err != nil || len(code) != 8 {
			t.Fatalf("code %q, %v", code, err)
		}
		if again, _ := st.SetupCode(ctx); again != code {
			t.Fatalf("second code %q, want the first %q", again, code)
		}
		su := store.Setup{Code: "WRONG123", Regions: setupRegions(), Profile: "national", Standard: "yzjh2017",
			Admin: store.User{Username: "admin", DisplayName: "省督导办"}, Password: "long enough"}
		if _, err := st.SetUp(ctx, su); !errors.Is(err, store.ErrSetupCode) {
			t.Fatalf("wrong code: %v", err)
		}
		if rs, _ := st.Regions(ctx); len(rs) != 0 {
			t.Fatalf("a failed set-up stored regions: %v", rs)
		}
		su.Code = code
		// Two set-ups at once: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = st.SetUp(ctx, su)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrSetUpDone), errors.Is(err, store.ErrSetupCode):
			default:
				t.Fatalf("racing set-up: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d set-ups won: %v", won, errs)
		}
		u, err := st.Authenticate(ctx, "admin", "long enough")
		if err != nil || u.Role != store.RoleProvince || u.Region != "340000" {
			t.Fatalf("admin %+v, %v", u, err)
		}
		in, err := st.Installation(ctx)
		if err != nil || in.Region != "340000" || in.Profile != "national" || in.SetUpBy != "admin" {
			t.Fatalf("installation %+v, %v", in, err)
		}
		if rs, _ := st.Regions(ctx); len(rs) != 3 {
			t.Fatalf("regions %v", rs)
		}
		if code, err := st.SetupCode(ctx); code != "" || err != nil {
			t.Fatalf("code after set-up %q, %v", code, err)
		}
		if _, err := st.SetUp(ctx, su); !errors.Is(err, store.ErrSetUpDone) {
			t.Fatalf("second set-up: %v", err)
		}
	})
}

func TestSetUpRoleFollowsLevel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		code, _ := st.SetupCode(ctx)
		u, err := st.SetUp(ctx, store.Setup{Code: code, Regions: setupRegions()[2:], Profile: "national", Standard: "yzjh2017",
			Admin: store.User{Username: "clerk", Role: store.RoleProvince, Region: "340000"}, Password: "long enough"})
		if err != nil || u.Role != store.RoleCounty || u.Region != "341122" {
			t.Fatalf("%+v %v", u, err)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		u, err := st.CreateUser(ctx, store.User{Username: "c1", Role: store.RoleCounty, Region: "341122"}, "long enough")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := st.CreateSession(ctx, u.ID, 3600e9)
		if err != nil {
			t.Fatal(err)
		}
		u.Region, u.DisplayName = "341124", "全椒"
		if err := st.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got, _, err := st.SessionUser(ctx, tok); err != nil || got.Region != "341124" || got.DisplayName != "全椒" {
			t.Fatalf("after scope change %+v %v", got, err)
		}
		u.Disabled = true
		if err := st.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SessionUser(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session of a disabled account: %v", err)
		}
		if _, err := st.Authenticate(ctx, "c1", "long enough"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("disabled account signs in: %v", err)
		}
		bad := u
		bad.Role = store.RoleCity
		if err := st.UpdateUser(ctx, bad); err == nil {
			t.Fatal("a city account with a county code was accepted")
		}
		bad = u
		bad.ID = 9999
		if err := st.UpdateUser(ctx, bad); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown id: %v", err)
		}
	})
}
