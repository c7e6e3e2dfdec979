package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/urfave/cli/v3"
)

// formatList documents the formats in --help.
func formatList() string {
	var names []string
	for _, n := range formats.Names() {
		if n != formats.Canonical {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

func newImportCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "convert real feeds (LOBSTER, Binance, tardis CSV, ...) to a canonical Parquet event file",
		ArgsUsage: "IN...",
		Description: "Reads one or more input files of one format (gzip read transparently) and writes one\n" +
			"canonical Parquet event file. A malformed row stops the import with file:line: field: reason;\n" +
			"--skip-bad continues and reports how many rows were skipped and why.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "input-format", Aliases: []string{"format", "f"}, Required: true, Usage: "input format: " + formatList() + " (tapetest formats list)"},
			&cli.StringFlag{Name: "symbol", Usage: "instrument symbol override"},
			&cli.BoolFlag{Name: "skip-bad", Usage: "skip malformed rows (counted and reported) instead of stopping"},
			&cli.StringSliceFlag{Name: "param", Usage: "NAME=VALUE: a parameter of the input format, repeatable (orders: mapping=FILE; tapetest formats list)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Required: true, Usage: "output Parquet file"},
			&cli.IntFlag{Name: "row-group", Value: 1 << 20, Usage: "rows per Parquet row group (bounds memory)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error { return runImport(ctx, gs, c) },
	}
}

func runImport(ctx context.Context, gs *globalState, c *cli.Command) error {
	name := c.String("input-format")
	if !formats.Has(name) || name == formats.Canonical {
		return usageError(fmt.Errorf("import: unknown --format %q (known: %s)", name, formatList()))
	}
	paths := c.Args().Slice()
	if len(paths) == 0 {
		return usageError(errors.New("import: no input files"))
	}
	params := map[string]any{"skip_bad": c.Bool("skip-bad")}
	if sym := c.String("symbol"); sym != "" {
		params["symbol"] = sym
	}
	for _, kv := range c.StringSlice("param") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return usageError(fmt.Errorf("import: --param %q: want NAME=VALUE (a parameter of the format: tapetest formats list)", kv))
		}
		params[k] = v
	}
	src, err := formats.Open(name, paths, params)
	if err != nil {
		return usageError(fmt.Errorf("import: %w", err))
	}
	defer src.Close()
	n, err := replay.WriteEventFile(ctx, src, c.String("out"), replay.EventFileOptions{RowGroupSize: int(c.Int("row-group"))}, "import:"+name)
	var se *replay.SourceError
	switch {
	case errors.As(err, &se):
		return usageError(fmt.Errorf("import: %w", err)) // the input's fault
	case err != nil:
		return fmt.Errorf("import: %w", err) // the output's
	case n == 0:
		os.Remove(c.String("out"))
		return usageErrorf("import: %s: no events in the input (an empty or header-only file?)", strings.Join(paths, ", "))
	}
	gs.logger.Info("import done", "format", name, "events", n, "out", c.String("out"))
	if ct, ok := src.(replay.Counter); ok {
		for _, k := range ct.Counts() {
			fmt.Fprintf(gs.stderr, "  %s: %d\n", k.Kind, k.N)
		}
	}
	fmt.Fprintf(gs.stdout, "events=%d out=%s\n", n, c.String("out"))
	return nil
}
