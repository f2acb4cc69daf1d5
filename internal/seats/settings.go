package seats

import (
	"fmt"

	"github.com/dudao-edu/dudao/internal/standards"
)

// OptionsOf reads a profile's 学位 settings (standards.Places) for stage:
// the options of the forecast (its thresholds and years ahead) and the
// class size of the stage.
func OptionsOf(p standards.Places, stage Stage) (Options, int, error) {
	amber, err := ParseShare(p.Amber)
	if err != nil {
		return Options{}, 0, fmt.Errorf("places amber: %w", err)
	}
	red, err := ParseShare(p.Red)
	if err != nil {
		return Options{}, 0, fmt.Errorf("places red: %w", err)
	}
	size := p.ClassSize[string(stage)]
	if size == 0 {
		return Options{}, 0, fmt.Errorf("%w: places: no class size for %s", ErrInput, stage)
	}
	return Options{Horizon: p.Horizon, Amber: amber, Red: red}, size, nil
}
