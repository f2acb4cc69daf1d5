package seats

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// DemoYear is the last year of the history Generate makes.
const DemoYear = 2025

// demoCatchment is how one generated catchment behaves.
type demoCatchment struct {
	code     string
	births   float64 // births in the first birth year
	trend    float64 // yearly factor of births
	entry    float64 // true entry ratio (in-migration above 1)
	progress float64 // true progression ratio
	room     float64 // places over the last year's students
}

// The generated catchments: a rural township losing children, a steady
// old town, and two new urban districts whose entry ratio (in-migration)
// outruns their places.
var demoCatchments = []demoCatchment{
	{"XQ01", 420, 0.95, 0.86, 0.97, 1.35},
	{"XQ02", 600, 0.98, 1.00, 1.00, 1.12},
	{"XQ03", 520, 1.00, 1.18, 1.02, 1.06},
	{"XQ04", 380, 1.03, 1.32, 1.04, 1.02},
}

// Generate makes a deterministic demo area of stage s from seed: four
// catchments with seven years of history (2019–DemoYear) and births back
// as far as the history needs, in which births fall in some and in-migration
// raises others, so that with the default options some catchments and
// schools go amber and red within six years; with two planned projects in
// the fastest-growing catchment, an extension opening in 2027 and a new
// school opening in 2030. The history is the cohort process itself with
// every ratio jittered by up to ±3 % a year, rounded to whole children.
func Generate(s Stage, seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 0x5eed5ea75))
	size := map[Stage]int{Primary: 45, Junior: 50, Kindergarten: 30}[s]
	in := Input{Stage: s, ClassSize: size}
	grades, age := s.Grades(), s.EntryAge()
	first := DemoYear - 6
	jitter := func() float64 { return 1 + (rng.Float64()*2-1)*0.03 }
	for ci, c := range demoCatchments {
		born := map[int]float64{}
		for y := first - age - grades + 1; y <= DemoYear; y++ {
			b := c.births * math.Pow(c.trend, float64(y-(first-age-grades+1))) * jitter()
			born[y] = math.Round(b)
			in.Births = append(in.Births, Births{Catchment: c.code, Year: y, Births: int(born[y])})
		}
		n := 2 + rng.IntN(2)
		weights := make([]float64, n)
		sum := 0.0
		for i := range weights {
			weights[i] = 1 + rng.Float64()
			sum += weights[i]
		}
		for i := range n {
			code := fmt.Sprintf("%s%02d", c.code, i+1)
			share := weights[i] / sum
			// The first year's grades come from their cohorts directly.
			row := make([]int, grades)
			for g := range grades {
				x := born[first-age-g] * share * c.entry * math.Pow(c.progress, float64(g)) * jitter()
				row[g] = int(math.Round(x))
			}
			for y := first; y <= DemoYear; y++ {
				if y > first {
					next := make([]int, grades)
					next[0] = int(math.Round(born[y-age] * share * c.entry * jitter()))
					for g := 1; g < grades; g++ {
						next[g] = int(math.Round(float64(row[g-1]) * c.progress * jitter()))
					}
					row = next
				}
				for g, st := range row {
					in.Enrolment = append(in.Enrolment, Enrolment{School: code, Year: y, Grade: g + 1, Students: st})
				}
			}
			total := 0
			for _, st := range row {
				total += st
			}
			classes := int(math.Ceil(float64(total) * c.room * (0.97 + rng.Float64()*0.06) / float64(size)))
			in.Schools = append(in.Schools, School{
				Code: code, Name: fmt.Sprintf("%s第%d%s", c.code, i+1, map[Stage]string{Primary: "小学", Junior: "中学", Kindergarten: "幼儿园"}[s]),
				Catchment: c.code, Classes: max(classes, 1),
			})
		}
		if ci == len(demoCatchments)-1 {
			in.Projects = append(in.Projects,
				Project{Name: "扩建工程", School: c.code + "01", OpenYear: DemoYear + 2, Classes: grades},
				Project{Name: "新建学校", Catchment: c.code, OpenYear: DemoYear + 5, Classes: 4 * grades})
		}
	}
	return in
}
