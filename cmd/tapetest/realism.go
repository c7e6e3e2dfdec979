package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/urfave/cli/v3"
)

func init() {
	register(&cli.Command{
		Name:  "realism",
		Usage: "stylized facts of a real and a synthetic market side by side",
		Description: "Each input is a canonical Parquet event file, a LOBSTER message file (…_message_N.csv[.gz]),\n" +
			"a raw Binance depth feed (several files separated by commas), FORMAT:FILE[,FILE] for any import\n" +
			"format, or \"default\" for the embedded default suite's background. Facts are\n" +
			"computed on one instrument of each input (--real-symbol, --synthetic-symbol; default: the\n" +
			"first); the ratio column is synthetic/real. The first --warmup of each input is replayed\n" +
			"but not measured. The default suite's BTCUSDT is calibrated to the\n" +
			"Binance BTCUSDT feed, its GOOGX to the LOBSTER GOOG day.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "real", Required: true, Usage: "real market data"},
			&cli.StringFlag{Name: "synthetic", Value: "default", Usage: "synthetic market (default: the embedded suite)"},
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
			syn, err := measure(ctx, c.String("synthetic"), scenarios.MeasureOptions{Symbol: c.String("synthetic-symbol"), Warmup: warmup})
			if err != nil {
				return usageError(fmt.Errorf("realism: --synthetic: %w", err))
			}
			switch c.String("format") {
			case "json":
				return printJSON(map[string]any{"real": real, "synthetic": syn})
			case "markdown":
				fmt.Println("| fact | real | synthetic | synthetic/real |\n|---|---|---|---|")
				for _, f := range scenarios.FactNames {
					fmt.Printf("| %s | %s | %s | %s |\n", strings.ReplaceAll(f.Label, "|", `\|`), valueText(real, f.Key), valueText(syn, f.Key), verdictText(real, syn, f.Key))
				}
			default:
				fmt.Printf("%-34s %20s %20s %10s\n", "fact", "real", "synthetic", "syn/real")
				for _, f := range scenarios.FactNames {
					fmt.Printf("%-34s %20s %20s %10s\n", f.Label, valueText(real, f.Key), valueText(syn, f.Key), verdictText(real, syn, f.Key))
				}
			}
			fmt.Println("\n± one standard error (block bootstrap of 5 min of returns). ✓ within 2x; ≈ the real value is zero within\n2 standard errors, and the synthetic one within 2 standard errors of it (a ratio to zero means nothing).")
			for _, in := range []struct {
				name  string
				facts *scenarios.Facts
			}{{"real", real}, {"synthetic", syn}} {
				if in.facts.Reconciled > 0 {
					fmt.Printf("\n%s: %d reconciled events (book corrections to its reference) shaped the book but are not counted as messages\n", in.name, in.facts.Reconciled)
				}
			}
			return nil
		},
	})
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
		if _, known := formats.Lookup(f); known {
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
	var err error
	switch {
	case in == "default":
		spec, e := scenarios.Default()
		if e != nil {
			return nil, e
		}
		spec.Injections = nil // the background only
		src, err = scenarios.NewGenerator(spec)
	default:
		name, files := inputFormat(in)
		f, _ := formats.Lookup(name)
		src, err = f.Open(files, formats.Options{})
	}
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return scenarios.MeasureFacts(ctx, src, o)
}
