package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/urfave/cli/v3"
	"golang.org/x/sync/errgroup"
)

func newRealismCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:  "realism",
		Usage: "stylized facts of a real and a synthetic market side by side",
		Description: "Each input is a canonical Parquet event file, a LOBSTER message file (…_message_N.csv[.gz],\n" +
			"followed by its orderbook file after a comma for LOBSTER's own book), a raw Binance depth feed\n" +
			"(several files separated by commas), FORMAT:FILE[,FILE] for any import format, a scenario spec\n" +
			"(.yaml: its background, without injections), or \"default\" for the embedded default suite's\n" +
			"background. A spec or the default suite can be measured over --draws seeds (its own, then the\n" +
			"next ones): the table then shows each fact's median over the draws and how many draws pass. Facts are\n" +
			"computed on one instrument of each input (--real-symbol, --synthetic-symbol; default: the\n" +
			"first); the ratio column is synthetic/real. The first --warmup of each input is replayed\n" +
			"but not measured. The default suite's BTCUSDT is calibrated to the\n" +
			"Binance BTCUSDT feed, its GOOGX to the LOBSTER GOOG day.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "real", Required: true, Usage: "real market data"},
			&cli.StringFlag{Name: "synthetic", Value: "default", Usage: "synthetic market: data, a spec (.yaml), or default (the embedded suite)"},
			&cli.IntFlag{Name: "draws", Value: 1, Usage: "for a spec or default: how many seeds to generate and measure (1 to 100)"},
			&cli.StringFlag{Name: "real-symbol", Usage: "instrument of the real input (default: its first)"},
			&cli.StringFlag{Name: "synthetic-symbol", Usage: "instrument of the synthetic input (default: its first)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, json or markdown"},
			&cli.StringFlag{Name: "warmup", Value: "auto", Usage: "replayed but not measured at the start of each input: a duration, or auto (10m when --real is a LOBSTER day, which starts without the book resting before its first message; else 0)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			warmup, err := warmupFor(c.String("warmup"), c.String("real"))
			if err != nil {
				return usageError(fmt.Errorf("realism: --warmup: %w", err))
			}
			real, err := measure(ctx, c.String("real"), scenarios.MeasureOptions{Symbol: c.String("real-symbol"), Warmup: warmup})
			if err != nil {
				return usageError(fmt.Errorf("realism: --real: %w", err))
			}
			draws := int(c.Int("draws"))
			if draws < 1 || draws > 100 {
				return usageError(fmt.Errorf("realism: --draws %d: give 1 to 100", draws))
			}
			if draws > 1 {
				return printDraws(ctx, gs, c, real, warmup, draws)
			}
			syn, err := measure(ctx, c.String("synthetic"), scenarios.MeasureOptions{Symbol: c.String("synthetic-symbol"), Warmup: warmup})
			if err != nil {
				return usageError(fmt.Errorf("realism: --synthetic: %w", err))
			}
			switch c.String("format") {
			case "json":
				return writeJSON(gs.stdout, map[string]any{"real": real, "synthetic": syn})
			case "markdown":
				fmt.Fprintln(gs.stdout, "| fact | real | synthetic | synthetic/real |\n|---|---|---|---|")
				for _, f := range scenarios.FactNames {
					fmt.Fprintf(gs.stdout, "| %s | %s | %s | %s |\n", strings.ReplaceAll(f.Label, "|", `\|`), valueText(real, f.Key), valueText(syn, f.Key), verdictText(real, syn, f.Key))
				}
			default:
				fmt.Fprintf(gs.stdout, "%-34s %20s %20s %10s\n", "fact", "real", "synthetic", "syn/real")
				for _, f := range scenarios.FactNames {
					fmt.Fprintf(gs.stdout, "%-34s %20s %20s %10s\n", f.Label, valueText(real, f.Key), valueText(syn, f.Key), verdictText(real, syn, f.Key))
				}
			}
			fmt.Fprintln(gs.stdout, legend)
			for _, in := range []struct {
				name  string
				facts *scenarios.Facts
			}{{"real", real}, {"synthetic", syn}} {
				if in.facts.Reconciled > 0 {
					fmt.Fprintf(gs.stdout, "\n%s: %d reconciled events (book corrections to its reference) shaped the book but are not counted as messages\n", in.name, in.facts.Reconciled)
				}
			}
			return nil
		},
	}
}

// legend explains the verdicts.
const legend = "\n± one standard error (block bootstrap of 5 min of returns). ✓ within 2x; ≈ the real value is zero within\n2 standard errors, and the synthetic one within 2 standard errors of it (a ratio to zero means nothing)."

// printDraws measures a spec's background (or the default suite's) over
// draws seeds and prints, per fact, the median over the draws, the range of
// ratios to the real value, and how many draws pass (scenarios.Compare).
func printDraws(ctx context.Context, gs *globalState, c *cli.Command, real *scenarios.Facts, warmup time.Duration, draws int) error {
	in := c.String("synthetic")
	spec, err := specOf(in)
	if err != nil {
		return usageError(fmt.Errorf("realism: --synthetic: %w", err))
	}
	if spec == nil {
		return usageError(fmt.Errorf("realism: --draws %d: the synthetic input %s is data, one draw; give a spec or default", draws, in))
	}
	syns := make([]*scenarios.Facts, draws)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range syns {
		g.Go(func() error {
			s := *spec
			s.Seed = spec.Seed + uint64(i)
			gen, err := scenarios.NewGenerator(&s)
			if err != nil {
				return err
			}
			defer gen.Close()
			syns[i], err = scenarios.MeasureFacts(gctx, gen, scenarios.MeasureOptions{Symbol: c.String("synthetic-symbol"), Warmup: warmup})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return usageError(fmt.Errorf("realism: --synthetic: %w", err))
	}
	if c.String("format") == "json" {
		return writeJSON(gs.stdout, map[string]any{"real": real, "synthetic": syns, "seeds": [2]uint64{spec.Seed, spec.Seed + uint64(draws) - 1}})
	}
	head := fmt.Sprintf("synthetic, median of %d draws", draws)
	row := "%-34s %20s %24s %14s %8s\n"
	if c.String("format") == "markdown" {
		fmt.Fprintf(gs.stdout, "| fact | real | %s | synthetic/real, range | draws passing |\n|---|---|---|---|---|\n", head)
		row = "| %s | %s | %s | %s | %s |\n"
	} else {
		fmt.Fprintf(gs.stdout, row, "fact", "real", head, "syn/real", "passing")
	}
	for _, f := range scenarios.FactNames {
		vals, ratios := make([]float64, 0, draws), make([]float64, 0, draws)
		pass, comparable := 0, 0
		for _, syn := range syns {
			vals = append(vals, syn.Value(f.Key))
			q, v := scenarios.Compare(real, syn, f.Key)
			if v != scenarios.NotComparable {
				comparable++
				ratios = append(ratios, q)
			}
			if v == scenarios.Within2x || v == scenarios.WithinError {
				pass++
			}
		}
		label := f.Label
		if c.String("format") == "markdown" {
			label = strings.ReplaceAll(label, "|", `\|`)
		}
		rng, passing := "–", "–"
		if comparable > 0 {
			slices.Sort(ratios)
			rng = fmt.Sprintf("%.2f–%.2f", ratios[0], ratios[len(ratios)-1])
			passing = fmt.Sprintf("%d/%d", pass, draws)
		}
		fmt.Fprintf(gs.stdout, row, label, valueText(real, f.Key), fmt.Sprintf("%.4g", median(vals)), rng, passing)
	}
	fmt.Fprintf(gs.stdout, "%s\nSeeds %d to %d.\n", legend, spec.Seed, spec.Seed+uint64(draws)-1)
	return nil
}

// specOf returns the spec whose background the input names (default or a
// .yaml/.yml spec file, its injections left out), or nil for data.
func specOf(in string) (*scenarios.Spec, error) {
	var spec *scenarios.Spec
	var err error
	switch {
	case in == "default":
		spec, err = scenarios.Default()
	case strings.HasSuffix(in, ".yaml") || strings.HasSuffix(in, ".yml"):
		spec, _, err = scenarios.Load(in)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	spec.Injections = nil // the background only
	return spec, nil
}

// median is the median of x, NaN values left out (NaN if none).
func median(x []float64) float64 {
	y := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			y = append(y, v)
		}
	}
	if len(y) == 0 {
		return math.NaN()
	}
	slices.Sort(y)
	if len(y)%2 == 1 {
		return y[len(y)/2]
	}
	return (y[len(y)/2-1] + y[len(y)/2]) / 2
}

// valueText is a fact's value, with its standard error when it has one.
func valueText(f *scenarios.Facts, key string) string {
	if se, ok := f.SE[key]; ok {
		return fmt.Sprintf("%.4g ± %.2g", f.Value(key), se)
	}
	return fmt.Sprintf("%.4g", f.Value(key))
}

// verdictText is the ratio synthetic/real and its verdict (scenarios.Compare).
func verdictText(real, syn *scenarios.Facts, key string) string {
	q, v := scenarios.Compare(real, syn, key)
	switch v {
	case scenarios.NotComparable:
		return "–"
	case scenarios.Within2x:
		return fmt.Sprintf("%.2f ✓", q)
	case scenarios.WithinError:
		return fmt.Sprintf("%.2f ≈", q)
	}
	return fmt.Sprintf("%.2f", q)
}

// warmupFor resolves --warmup: "auto" is 10 minutes for a LOBSTER day.
func warmupFor(flag, real string) (time.Duration, error) {
	if flag != "auto" {
		d, err := time.ParseDuration(flag)
		if err == nil && d < 0 {
			err = fmt.Errorf("%v is negative", d)
		}
		return d, err
	}
	if name, _ := inputFormat(real); name == "lobster" {
		return 10 * time.Minute, nil
	}
	return 0, nil
}

// inputFormat tells an input's import format and files: FORMAT:FILE[,FILE...]
// names any import format; otherwise it is told from the (first) name —
// .parquet, a LOBSTER message file (followed by its orderbook file for a
// reconciled replay), else a raw Binance depth feed.
func inputFormat(in string) (string, []string) {
	name, files := "binance-depth", in
	if f, rest, ok := strings.Cut(in, ":"); ok {
		if formats.Has(f) {
			name, files = f, rest
		}
	} else if strings.HasSuffix(in, ".parquet") {
		name = formats.Canonical
	} else if first, _, _ := strings.Cut(in, ","); strings.Contains(filepath.Base(first), "_message_") {
		name = "lobster"
	}
	return name, strings.Split(files, ",")
}

func measure(ctx context.Context, in string, o scenarios.MeasureOptions) (*scenarios.Facts, error) {
	var src replay.EventSource
	spec, err := specOf(in)
	switch {
	case err != nil:
		return nil, err
	case spec != nil:
		src, err = scenarios.NewGenerator(spec)
	default:
		name, files := inputFormat(in)
		src, err = formats.Open(name, files, nil)
	}
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return scenarios.MeasureFacts(ctx, src, o)
}
