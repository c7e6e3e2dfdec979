package realism

import (
	"context"
	"math"
	"runtime"
	"slices"

	"github.com/tapetest/tapetest/scenarios"
	"golang.org/x/sync/errgroup"
)

// MeasureDraws generates spec's market with draws seeds — its own, then the
// next ones — in parallel, and measures each draw's facts. Draw i is seed
// spec.Seed+i whatever the parallelism, so the result is the same on any
// machine.
func MeasureDraws(ctx context.Context, spec *scenarios.Spec, draws int, o MeasureOptions) ([]*Facts, error) {
	out := make([]*Facts, draws)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range out {
		g.Go(func() error {
			s := *onlyMeasured(spec, o.Symbol)
			s.Seed = spec.Seed + uint64(i)
			gen, err := scenarios.NewGenerator(&s)
			if err != nil {
				return err
			}
			defer gen.Close()
			out[i], err = MeasureFacts(gctx, gen, o)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// DrawSummary is one fact over several synthetic draws against the real value.
type DrawSummary struct {
	// Median is the median of the draws' values (NaN values left out).
	Median float64
	// RatioMin and RatioMax bound the ratios synthetic/real of the draws
	// Compare can judge; Comparable counts them (0: none, the range is NaN).
	RatioMin, RatioMax float64
	Comparable         int
	// Passing counts the draws within 2x or within error (Compare).
	Passing int
}

// SummarizeDraws summarizes the fact called key over draws against real.
func SummarizeDraws(real *Facts, draws []*Facts, key string) DrawSummary {
	s := DrawSummary{RatioMin: math.NaN(), RatioMax: math.NaN()}
	var vals, ratios []float64
	for _, syn := range draws {
		if v := syn.Value(key); !math.IsNaN(v) {
			vals = append(vals, v)
		}
		q, v := Compare(real, syn, key)
		if v != NotComparable {
			ratios = append(ratios, q)
		}
		if v == Within2x || v == WithinError {
			s.Passing++
		}
	}
	s.Median = median(vals)
	if s.Comparable = len(ratios); s.Comparable > 0 {
		s.RatioMin, s.RatioMax = slices.Min(ratios), slices.Max(ratios)
	}
	return s
}

// median is the median of x (the mean of the two middle values for an even
// count; NaN if empty).
func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	y := slices.Sorted(slices.Values(x))
	if len(y)%2 == 1 {
		return y[len(y)/2]
	}
	return (y[len(y)/2-1] + y[len(y)/2]) / 2
}
