package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tapetest/tapetest/realism"
	"github.com/urfave/cli/v3"
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
			real, err := realism.MeasureInput(ctx, c.String("real"), realism.MeasureOptions{Symbol: c.String("real-symbol"), Warmup: warmup})
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
			syn, err := realism.MeasureInput(ctx, c.String("synthetic"), realism.MeasureOptions{Symbol: c.String("synthetic-symbol"), Warmup: warmup})
			if err != nil {
				return usageError(fmt.Errorf("realism: --synthetic: %w", err))
			}
			switch c.String("format") {
			case "json":
				return writeJSON(gs.stdout, map[string]any{"real": real, "synthetic": syn})
			case "markdown":
				fmt.Fprintln(gs.stdout, "| fact | real | synthetic | synthetic/real |\n|---|---|---|---|")
				for _, f := range realism.FactNames {
					fmt.Fprintf(gs.stdout, "| %s | %s | %s | %s |\n", strings.ReplaceAll(f.Label, "|", `\|`), valueText(real, f.Key), valueText(syn, f.Key), verdictText(real, syn, f.Key))
				}
			default:
				fmt.Fprintf(gs.stdout, "%-34s %20s %20s %10s\n", "fact", "real", "synthetic", "syn/real")
				for _, f := range realism.FactNames {
					fmt.Fprintf(gs.stdout, "%-34s %20s %20s %10s\n", f.Label, valueText(real, f.Key), valueText(syn, f.Key), verdictText(real, syn, f.Key))
				}
			}
			fmt.Fprintln(gs.stdout, legend)
			for _, in := range []struct {
				name  string
				facts *realism.Facts
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
// ratios to the real value, and how many draws pass (realism.Compare).
func printDraws(ctx context.Context, gs *globalState, c *cli.Command, real *realism.Facts, warmup time.Duration, draws int) error {
	in := c.String("synthetic")
	spec, err := realism.InputSpec(in)
	if err != nil {
		return usageError(fmt.Errorf("realism: --synthetic: %w", err))
	}
	if spec == nil {
		return usageError(fmt.Errorf("realism: --draws %d: the synthetic input %s is data, one draw; give a spec or default", draws, in))
	}
	syns, err := realism.MeasureDraws(ctx, spec, draws, realism.MeasureOptions{Symbol: c.String("synthetic-symbol"), Warmup: warmup})
	if err != nil {
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
	for _, f := range realism.FactNames {
		sum := realism.SummarizeDraws(real, syns, f.Key)
		label := f.Label
		if c.String("format") == "markdown" {
			label = strings.ReplaceAll(label, "|", `\|`)
		}
		rng, passing := "–", "–"
		if sum.Comparable > 0 {
			rng = fmt.Sprintf("%.2f–%.2f", sum.RatioMin, sum.RatioMax)
			passing = fmt.Sprintf("%d/%d", sum.Passing, draws)
		}
		fmt.Fprintf(gs.stdout, row, label, valueText(real, f.Key), fmt.Sprintf("%.4g", sum.Median), rng, passing)
	}
	fmt.Fprintf(gs.stdout, "%s\nSeeds %d to %d.\n", legend, spec.Seed, spec.Seed+uint64(draws)-1)
	return nil
}

// valueText is a fact's value, with its standard error when it has one.
func valueText(f *realism.Facts, key string) string {
	if se, ok := f.SE[key]; ok {
		return fmt.Sprintf("%.4g ± %.2g", f.Value(key), se)
	}
	return fmt.Sprintf("%.4g", f.Value(key))
}

// verdictText is the ratio synthetic/real and its verdict (realism.Compare).
func verdictText(real, syn *realism.Facts, key string) string {
	q, v := realism.Compare(real, syn, key)
	switch v {
	case realism.NotComparable:
		return "–"
	case realism.Within2x:
		return fmt.Sprintf("%.2f ✓", q)
	case realism.WithinError:
		return fmt.Sprintf("%.2f ≈", q)
	}
	return fmt.Sprintf("%.2f", q)
}

// warmupFor resolves --warmup: "auto" is realism.DefaultWarmup of the real input.
func warmupFor(flag, real string) (time.Duration, error) {
	if flag != "auto" {
		d, err := time.ParseDuration(flag)
		if err == nil && d < 0 {
			err = fmt.Errorf("%v is negative", d)
		}
		return d, err
	}
	return realism.DefaultWarmup(real), nil
}
