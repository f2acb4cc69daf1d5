package web

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/geo"
	"github.com/dudao-edu/dudao/internal/store"
)

// The demo province's map: a made-up province needs a made-up map. It is a
// tessellation, the same for every run: the province is a convex outline;
// its cities are the Voronoi cells of points spread evenly over it (Lloyd's
// relaxation), and each city's counties the Voronoi cells of points spread
// over the city. Every county is one convex polygon; the counties of a city
// tile it and the cities tile the province, so nothing overlaps and nothing
// is left out. The file goes through geo.Parse and Store.ImportMap, as an
// administrator's import does.

// demoMapFile is the name the demo's map is recorded under.
const demoMapFile = "演示省地图.geojson"

// seedMap stores the demo province's map, made from its regions.
func seedMap(ctx context.Context, st *store.Store, regions []census.Region) error {
	data, err := demoMap(regions).JSON()
	if err != nil {
		return err
	}
	known := map[string]string{}
	for _, r := range regions {
		known[r.Code] = r.Name
	}
	m, err := geo.Parse(demoMapFile, data, func(code string) (string, bool) { n, ok := known[code]; return n, ok })
	if err != nil {
		return err
	}
	return st.ImportMap(ctx, demoMapFile, "demo", m)
}

type pt struct{ x, y float64 }

// demoMap tessellates the province of regions: one polygon a county,
// grouped by city, in longitude and latitude around 116.5°E 33.5°N.
func demoMap(regions []census.Region) *geo.Map {
	var cities []census.Region
	counties := map[string][]census.Region{}
	for _, r := range regions {
		switch r.Level {
		case census.LevelCity:
			cities = append(cities, r)
		case census.LevelCounty:
			c := census.CityCode(r.Code)
			counties[c] = append(counties[c], r)
		}
	}
	slices.SortFunc(cities, func(a, b census.Region) int { return strings.Compare(a.Code, b.Code) })
	rng := rand.New(rand.NewPCG(17, 980000))
	outline := provinceOutline(rng)
	n := 0
	for _, c := range cities {
		n += max(1, len(counties[c.Code]))
	}
	// One point a county, spread evenly; the cities' centres, spread
	// evenly too.
	seeds := make([]pt, n)
	for i := range seeds {
		seeds[i] = randomIn(rng, outline)
	}
	seeds = relax(seeds, outline, 40)
	centres := make([]pt, len(cities))
	for i := range centres {
		centres[i] = randomIn(rng, outline)
	}
	centres = relax(centres, outline, 40)
	groups := groupSeeds(seeds, centres, cities, counties, outline)
	m := &geo.Map{}
	for i, c := range cities {
		cs := slices.Clone(counties[c.Code])
		slices.SortFunc(cs, func(a, b census.Region) int { return strings.Compare(a.Code, b.Code) })
		// The city's first county (its 市辖区, by code) takes the point
		// nearest the centre, the others go round it clockwise from the north.
		g := groups[i]
		slices.SortFunc(g, func(a, b int) int { return cmpFloat(dist2(seeds[a], centres[i]), dist2(seeds[b], centres[i])) })
		if len(g) > 2 {
			rest := g[1:]
			ctr := seeds[g[0]]
			slices.SortFunc(rest, func(a, b int) int {
				return cmpFloat(bearing(ctr, seeds[a]), bearing(ctr, seeds[b]))
			})
		}
		for j, cty := range cs {
			s := seeds[g[j]]
			cell := outline
			for _, q := range seeds {
				if q != s {
					cell = clipCloser(cell, s, q)
				}
			}
			if len(cell) < 3 {
				continue
			}
			ring := make([][2]float64, len(cell))
			for a, p := range cell {
				ring[a] = [2]float64{p.x, p.y}
			}
			m.Features = append(m.Features, geo.Feature{Code: cty.Code, Name: cty.Name, Geometry: geo.Polygon(ring)})
		}
	}
	return m
}

// groupSeeds hands the county points to the cities, each city as many as
// it has counties, so that a city's counties lie together: in turns, each
// city takes the free point nearest its group's centre among those next to
// a point it holds (its centre's nearest point first), or the nearest free
// point when none is next to it.
func groupSeeds(seeds, centres []pt, cities []census.Region, counties map[string][]census.Region, outline []pt) [][]int {
	b := bbox(outline)
	spacing := math.Sqrt((b[2] - b[0]) * (b[3] - b[1]) * 0.8 / float64(len(seeds)))
	taken := make([]bool, len(seeds))
	groups := make([][]int, len(cities))
	want := func(i int) int { return max(1, len(counties[cities[i].Code])) }
	for {
		moved := false
		for i := range cities {
			if len(groups[i]) >= want(i) {
				continue
			}
			ctr := centres[i]
			if len(groups[i]) > 0 {
				ctr = pt{}
				for _, g := range groups[i] {
					ctr.x += seeds[g].x / float64(len(groups[i]))
					ctr.y += seeds[g].y / float64(len(groups[i]))
				}
			}
			best, bestNext := -1, -1
			for j, s := range seeds {
				if taken[j] {
					continue
				}
				if best < 0 || dist2(s, ctr) < dist2(seeds[best], ctr) {
					best = j
				}
				next := false
				for _, g := range groups[i] {
					if dist2(s, seeds[g]) < 2.2*spacing*spacing {
						next = true
						break
					}
				}
				if next && (bestNext < 0 || dist2(s, ctr) < dist2(seeds[bestNext], ctr)) {
					bestNext = j
				}
			}
			if bestNext >= 0 {
				best = bestNext
			}
			taken[best] = true
			groups[i] = append(groups[i], best)
			moved = true
		}
		if !moved {
			return groups
		}
	}
}

func dist2(a, b pt) float64 { return (a.x-b.x)*(a.x-b.x) + (a.y-b.y)*(a.y-b.y) }

// bearing is the angle from a to b, clockwise from the north.
func bearing(a, b pt) float64 {
	t := math.Atan2(b.x-a.x, b.y-a.y)
	if t < 0 {
		t += 2 * math.Pi
	}
	return t
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// provinceOutline is a convex 28-gon, wider than tall, its radius varying
// a little (kept convex by taking the hull).
func provinceOutline(rng *rand.Rand) []pt {
	const n = 28
	var ps []pt
	for i := range n {
		a := 2 * math.Pi * float64(i) / n
		r := 1 + 0.12*rng.Float64()
		ps = append(ps, pt{116.5 + 2.6*r*math.Cos(a), 33.5 + 2.0*r*math.Sin(a)})
	}
	return hull(ps)
}

// hull is the convex hull of ps, counter-clockwise (Andrew's monotone chain).
func hull(ps []pt) []pt {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b pt) int {
		if a.x != b.x {
			return cmpFloat(a.x, b.x)
		}
		return cmpFloat(a.y, b.y)
	})
	cross := func(o, a, b pt) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }
	var h []pt
	for _, p := range ps {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	lower := len(h) + 1
	for i := len(ps) - 2; i >= 0; i-- {
		p := ps[i]
		for len(h) >= lower && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	return h[:len(h)-1]
}

func bbox(poly []pt) [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range poly {
		b[0], b[1] = min(b[0], p.x), min(b[1], p.y)
		b[2], b[3] = max(b[2], p.x), max(b[3], p.y)
	}
	return b
}

// randomIn is a point inside the convex polygon poly.
func randomIn(rng *rand.Rand, poly []pt) pt {
	b := bbox(poly)
	for {
		p := pt{b[0] + rng.Float64()*(b[2]-b[0]), b[1] + rng.Float64()*(b[3]-b[1])}
		if inside(poly, p) {
			return p
		}
	}
}

// inside reports whether p is inside the counter-clockwise convex polygon.
func inside(poly []pt, p pt) bool {
	for i, a := range poly {
		b := poly[(i+1)%len(poly)]
		if (b.x-a.x)*(p.y-a.y)-(b.y-a.y)*(p.x-a.x) < 0 {
			return false
		}
	}
	return true
}

// relax moves each point to the centroid of its Voronoi cell within poly,
// rounds times: the points end evenly spread.
func relax(seeds []pt, poly []pt, rounds int) []pt {
	seeds = slices.Clone(seeds)
	for range rounds {
		next := make([]pt, len(seeds))
		for i, s := range seeds {
			cell := poly
			for j, q := range seeds {
				if j != i {
					cell = clipCloser(cell, s, q)
				}
			}
			next[i] = centroid(cell, s)
		}
		seeds = next
	}
	return seeds
}

// clipCloser cuts the convex polygon poly to the points nearer s than q
// (Sutherland–Hodgman against the bisector).
func clipCloser(poly []pt, s, q pt) []pt {
	// Keep x with (q-s)·x ≤ (|q|²-|s|²)/2.
	nx, ny := q.x-s.x, q.y-s.y
	c := (q.x*q.x + q.y*q.y - s.x*s.x - s.y*s.y) / 2
	side := func(p pt) float64 { return nx*p.x + ny*p.y - c }
	var out []pt
	for i, a := range poly {
		b := poly[(i+1)%len(poly)]
		da, db := side(a), side(b)
		if da <= 0 {
			out = append(out, a)
		}
		if (da < 0 && db > 0) || (da > 0 && db < 0) {
			t := da / (da - db)
			out = append(out, pt{a.x + t*(b.x-a.x), a.y + t*(b.y-a.y)})
		}
	}
	return out
}

// centroid is the centroid of a polygon, or fallback when it has no area.
func centroid(poly []pt, fallback pt) pt {
	var a, cx, cy float64
	for i, p := range poly {
		q := poly[(i+1)%len(poly)]
		w := p.x*q.y - q.x*p.y
		a += w
		cx += (p.x + q.x) * w
		cy += (p.y + q.y) * w
	}
	if math.Abs(a) < 1e-12 {
		return fallback
	}
	return pt{cx / (3 * a), cy / (3 * a)}
}
