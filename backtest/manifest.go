package backtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scoring"
)

// manifestDetectors is the manifest's record of the detector entries a run
// ran: the candidates and the baselines beside them. Run encodes it and
// Verify decodes it, from this one type.
type manifestDetectors struct {
	Detectors []detectors.Config `json:"detectors"`
	Baseline  []detectors.Config `json:"baseline,omitempty"`
}

// newManifest is the manifest of a run of spec with these detector entries
// and scoring options (its files are added when the directory is written).
func newManifest(spec *scenarios.Spec, gen *scenarios.Generator, opts Options, cfgs []detectors.Config, sopts scoring.Options) (*results.Manifest, error) {
	sj, err := json.Marshal(sopts)
	if err != nil {
		return nil, err
	}
	dj, err := json.Marshal(manifestDetectors{cfgs, opts.BaselineDetectors})
	if err != nil {
		return nil, err
	}
	start, end := gen.Span()
	m := &results.Manifest{ResultsVersion: results.ResultsVersion, Tool: "tapetest", ToolVersion: opts.ToolVersion, Command: "run",
		CreatedAt: time.Now().UTC().Format(time.RFC3339), Spec: results.SpecRef{Name: opts.SpecName, SHA256: results.HashBytes(opts.SpecText), File: "spec.yaml"},
		Seed: spec.Seed, Detectors: dj, Options: map[string]string{"batch_size": fmt.Sprint(opts.BatchSize)}, Scoring: sj, Start: start, End: end}
	if err := SetInputs(m, spec, gen); err != nil {
		return nil, err
	}
	return m, nil
}

// SetInputs records in m the historical files and label list the scenario
// read, with their hashes, and the spec's folder they resolve from.
func SetInputs(m *results.Manifest, spec *scenarios.Spec, gen *scenarios.Generator) error {
	names, paths := gen.Inputs()
	if len(paths) == 0 {
		return nil
	}
	var err error
	if m.Inputs, err = results.HashInputs(paths); err != nil {
		return err
	}
	for i := range m.Inputs {
		if scenarios.IsRemote(names[i]) { // the URL, not where this process cached it
			m.Inputs[i].Path = names[i]
		}
	}
	m.Spec.Dir, err = filepath.Abs(spec.Dir())
	return err
}

// ErrNotRunResults marks a directory Verify cannot re-run: no readable
// manifest, a manifest not written by run, or its spec missing.
var ErrNotRunResults = errors.New("not the results directory of a run")

// SpecDigestError reports a spec file whose digest is not the manifest's.
type SpecDigestError struct {
	File, Have, Want string
}

func (e *SpecDigestError) Error() string {
	return fmt.Sprintf("%s has sha256 %s, the manifest says %s", e.File, e.Have, e.Want)
}

// ExecRefusedError refuses to re-run a results directory whose manifest names
// detectors that run programs: a results directory is data, and checking one
// someone sent must not run their code unless the user says so.
type ExecRefusedError struct {
	Detectors []string // the entries, as the manifest names them
}

func (e *ExecRefusedError) Error() string {
	return fmt.Sprintf("the manifest names detectors that run programs (%s): re-running them runs code the results directory names; give --allow-exec to run them", strings.Join(e.Detectors, "; "))
}

// VerifyOptions configure Verify.
type VerifyOptions struct {
	ToolVersion string
	// AllowExec lets the re-run start the programs of external detectors the
	// manifest names (refused with *ExecRefusedError otherwise).
	AllowExec bool
	// Prepare, when set, readies the spec before the re-run (the CLI fetches
	// the inputs it names by URL); the returned function is called after.
	Prepare func(ctx context.Context, spec *scenarios.Spec) (func(), error)
}

// Verification is the outcome of re-running a results directory.
type Verification struct {
	Files       int                `json:"files"`       // result files in the directory
	Differences []results.FileDiff `json:"differences"` // files that differ from the re-run's, or are missing or extra
}

// Verify re-runs the results directory dir from its manifest and its copy of
// the spec — the same scenario, detector entries and batch size — and
// compares every file the run writes with what dir holds now (not only with
// what its manifest claims). Errors: ErrNotRunResults (wrapped) when dir
// cannot be re-run, *SpecDigestError when its spec was edited,
// *ExecRefusedError when it names programs to run and opts do not allow it,
// else the re-run's own.
func Verify(ctx context.Context, dir string, opts VerifyOptions) (*Verification, error) {
	m, err := results.ReadManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotRunResults, err)
	}
	if m.Command != "run" {
		return nil, fmt.Errorf("%w: %s was written by %q", ErrNotRunResults, dir, m.Command)
	}
	text, err := os.ReadFile(filepath.Join(dir, m.Spec.File))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotRunResults, err)
	}
	if got := results.HashBytes(text); got != m.Spec.SHA256 {
		return nil, &SpecDigestError{File: m.Spec.File, Have: got, Want: m.Spec.SHA256}
	}
	spec, err := Parse(m.Spec.File, text)
	if err != nil {
		return nil, err
	}
	if m.Spec.Dir != "" {
		spec.Scenario.SetDir(m.Spec.Dir) // the spec's files resolve where the original spec was
	}
	spec = WithSeed(spec, m.Seed) // run --seeds ran the spec with other seeds than its own
	if opts.Prepare != nil {
		done, err := opts.Prepare(ctx, spec.Scenario)
		if err != nil {
			return nil, err
		}
		defer done()
	}
	var cfgs manifestDetectors
	if err := json.Unmarshal(m.Detectors, &cfgs); err != nil {
		return nil, fmt.Errorf("%w: manifest detectors: %w", ErrNotRunResults, err)
	}
	if !opts.AllowExec {
		var refused []string
		for _, c := range append(append(append([]detectors.Config(nil), cfgs.Detectors...), cfgs.Baseline...), spec.Config.Detectors...) {
			if detectors.Executes(c.Name) {
				refused = append(refused, fmt.Sprintf("%s %v", c.Name, c.Params))
			}
		}
		if len(refused) > 0 {
			return nil, &ExecRefusedError{Detectors: refused}
		}
	}
	batch, _ := strconv.Atoi(m.Options["batch_size"])
	out, err := Run(ctx, spec, Options{SpecName: m.Spec.Name, SpecText: text, ToolVersion: opts.ToolVersion, BatchSize: batch, Detectors: cfgs.Detectors, BaselineDetectors: cfgs.Baseline})
	if err != nil {
		return nil, err
	}
	defer out.Close()
	// The analysts' dispositions are the directory's own input, as the spec
	// is: the re-run renders them as the directory did.
	if out.Contents.Review, err = results.ReadReview(dir); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "tapetest-verify-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := results.WriteFileAtomic(filepath.Join(tmp, m.Spec.File), text); err != nil {
		return nil, err
	}
	if err := results.WriteDir(tmp, out.Contents); err != nil {
		return nil, err
	}
	again, err := results.ReadManifest(tmp)
	if err != nil {
		return nil, err
	}
	have, err := results.HashDir(dir)
	if err != nil {
		return nil, err
	}
	// What the re-run wrote is what dir should hold: a file only dir has is
	// extra, one only the re-run wrote is missing.
	return &Verification{Files: len(have), Differences: results.CompareFiles(again.Files, have)}, nil
}
