package seats

import (
	"fmt"
	"math/big"
	"strings"
)

// ParseShare reads a threshold as a profile setting writes it — "0.9",
// "90%", "92.5 %", "９０％" or "9/10" — into an exact share of places used.
// It refuses what is not a share from above 0 to 10 (1000 %), and
// fractions finer than 1/10⁹.
func ParseShare(s string) (*big.Rat, error) {
	t := strings.TrimSpace(s)
	// Full-width digits and signs, as typed with a Chinese input method.
	t = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '．':
			return '.'
		case r == '／':
			return '/'
		case r == '％':
			return '%'
		}
		return r
	}, t)
	percent := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	if t == "" || len(t) > 24 || strings.ContainsAny(t, "eE+- _") {
		return nil, fmt.Errorf("%w: threshold %q is not a share of places (0.9, 90%% or 9/10)", ErrInput, s)
	}
	r, ok := new(big.Rat).SetString(t)
	if !ok {
		return nil, fmt.Errorf("%w: threshold %q is not a share of places (0.9, 90%% or 9/10)", ErrInput, s)
	}
	if percent {
		r.Quo(r, big.NewRat(100, 1))
	}
	if r.Sign() <= 0 || r.Cmp(big.NewRat(10, 1)) > 0 {
		return nil, fmt.Errorf("%w: threshold %q: want above 0 and at most 1000 %%", ErrInput, s)
	}
	if r.Denom().Cmp(big.NewInt(1_000_000_000)) > 0 {
		return nil, fmt.Errorf("%w: threshold %q: too fine a fraction", ErrInput, s)
	}
	return r, nil
}

// FormatShare writes a share as a percent ("90%", "92.5%") where that is
// exact, else as a fraction ("2/3"); ParseShare reads it back to the same
// share.
func FormatShare(r *big.Rat) string {
	p := new(big.Rat).Mul(r, big.NewRat(100, 1))
	for k := 0; k <= 9; k++ {
		s := p.FloatString(k)
		if q, ok := new(big.Rat).SetString(s); ok && q.Cmp(p) == 0 {
			return s + "%"
		}
	}
	return r.RatString()
}
