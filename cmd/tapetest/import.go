package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	src, err := formats.Open(name, paths, params)
	if err != nil {
		return usageError(fmt.Errorf("import: %w", err))
	}
	defer src.Close()
	n, err := writeEventFile(ctx, src, c.String("out"), int(c.Int("row-group")), "import:"+name)
	if err != nil {
		return fmt.Errorf("import: %w", err) // a read error comes back as a usage error
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

// writeEventFile streams src into a canonical event file at path. An error
// reading src is the input's (a usage error, exit 2); an error creating or
// writing the file is an I/O error (exit 4).
func writeEventFile(ctx context.Context, src replay.EventSource, path string, rowGroup int, source string) (int64, error) {
	w, err := replay.CreateEventFile(path, replay.EventFileOptions{RowGroupSize: rowGroup})
	if err != nil {
		return 0, err
	}
	w.SetSource(source)
	buf := make([]replay.Event, 8192)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			w.Abort()
			return n, err
		}
		k, err := src.Read(buf)
		if err != nil && err != io.EOF {
			err = usageError(err)
		}
		if k > 0 {
			w.SetInstruments(src.Instruments())
			if werr := w.Write(buf[:k]); werr != nil {
				w.Abort()
				return n, werr
			}
			n += int64(k)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			w.Abort()
			return n, err
		}
	}
	w.SetInstruments(src.Instruments())
	return n, w.Close()
}
