package backtest

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
)

// Generated is what Generate wrote.
type Generated struct {
	Events, Labels, Accounts int
}

// Generate writes a scenario's events (events.parquet), labels
// (labels.parquet), accounts (accounts.parquet), its spec and a manifest into
// dir, without running detectors. A *replay.SourceError is the scenario's
// (its generator or historical files); any other error is the output's.
func Generate(ctx context.Context, spec *Spec, opts Options, dir string) (*Generated, error) {
	gen, err := scenarios.NewGenerator(spec.Scenario)
	if err != nil {
		return nil, &replay.SourceError{Err: err}
	}
	defer gen.Close()
	n, err := replay.WriteEventFile(ctx, gen, filepath.Join(dir, "events.parquet"), replay.EventFileOptions{RowGroupSize: 1 << 20}, "gen:"+opts.SpecName)
	if err != nil {
		return nil, err
	}
	if err := results.WriteLabels(dir, gen.Labels()); err != nil {
		return nil, err
	}
	if err := writeAccounts(filepath.Join(dir, "accounts.parquet"), gen.Accounts()); err != nil {
		return nil, err
	}
	start, end := gen.Span()
	m := &results.Manifest{ResultsVersion: results.ResultsVersion, Tool: "tapetest", ToolVersion: opts.ToolVersion, Command: "gen",
		CreatedAt: time.Now().UTC().Format(time.RFC3339), Spec: results.SpecRef{Name: opts.SpecName, SHA256: results.HashBytes(opts.SpecText), File: "spec.yaml"},
		Seed: spec.Scenario.Seed, Detectors: json.RawMessage("[]"), Scoring: json.RawMessage("{}"), Start: start, End: end}
	if err := SetInputs(m, spec.Scenario, gen); err != nil {
		return nil, err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "spec.yaml"), opts.SpecText); err != nil {
		return nil, err
	}
	if m.Files, err = results.HashDir(dir); err != nil {
		return nil, err
	}
	if err := results.WriteManifest(dir, m); err != nil {
		return nil, err
	}
	return &Generated{Events: int(n), Labels: len(gen.Labels()), Accounts: len(gen.Accounts())}, nil
}

// writeAccounts writes the account attributes table.
func writeAccounts(path string, accts []replay.AccountAttrs) error {
	return results.WriteAtomic(path, func(w io.Writer) error {
		pw := parquet.NewGenericWriter[replay.AccountAttrs](w, parquet.CreatedBy("tapetest", "accounts-1", ""))
		if _, err := pw.Write(accts); err != nil {
			return err
		}
		return pw.Close()
	})
}
