package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/urfave/cli/v3"
)

func newGenCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "gen",
		Usage:     "write a scenario's events, labels and accounts without running detectors",
		ArgsUsage: "[SPEC]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (required unless --schema)"},
			&cli.BoolFlag{Name: "schema", Usage: "print the JSON Schema of scenario specs and exit"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Bool("schema") {
				b, err := backtest.Schema()
				if err != nil {
					return err
				}
				fmt.Fprintln(gs.stdout, string(b))
				return nil
			}
			if c.String("out") == "" {
				return usageError(fmt.Errorf("gen: -o/--out is required"))
			}
			spec, text, name, err := loadSpec(c)
			if err != nil {
				return usageError(err)
			}
			dir := c.String("out")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("gen: %w", err)
			}
			gen, err := scenarios.NewGenerator(spec.Scenario)
			if err != nil {
				return usageError(err)
			}
			n, err := writeEventFile(ctx, gen, filepath.Join(dir, "events.parquet"), 1<<20, "gen:"+name)
			if err != nil {
				return fmt.Errorf("gen: %w", err)
			}
			if err := results.WriteLabels(dir, gen.Labels()); err != nil {
				return err
			}
			if err := writeAccounts(filepath.Join(dir, "accounts.parquet"), gen.Accounts()); err != nil {
				return err
			}
			start, end := gen.Span()
			m := &results.Manifest{ResultsVersion: results.ResultsVersion, Tool: "tapetest", ToolVersion: version, Command: "gen",
				CreatedAt: time.Now().UTC().Format(time.RFC3339), Spec: results.SpecRef{Name: name, SHA256: results.HashBytes(text), File: "spec.yaml"},
				Seed: spec.Scenario.Seed, Detectors: json.RawMessage("[]"), Scoring: json.RawMessage("{}"), Start: start, End: end}
			if err := backtest.SetInputs(m, spec.Scenario, gen); err != nil {
				return err
			}
			if err := results.WriteFileAtomic(filepath.Join(dir, "spec.yaml"), text); err != nil {
				return err
			}
			if m.Files, err = results.HashDir(dir); err != nil {
				return err
			}
			if err := results.WriteManifest(dir, m); err != nil {
				return err
			}
			fmt.Fprintf(gs.stdout, "events=%d labels=%d accounts=%d out=%s\n", n, len(gen.Labels()), len(gen.Accounts()), dir)
			return nil
		},
	}
}

func writeAccounts(path string, accts []replay.AccountAttrs) error {
	return results.WriteAtomic(path, func(w io.Writer) error {
		pw := parquet.NewGenericWriter[replay.AccountAttrs](w, parquet.CreatedBy("tapetest", "accounts-1", ""))
		if _, err := pw.Write(accts); err != nil {
			return err
		}
		return pw.Close()
	})
}
