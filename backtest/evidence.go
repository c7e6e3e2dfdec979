package backtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tapetest/tapetest/results"
)

// Evidence is a results directory checked against its manifest.
type Evidence struct {
	Dir      string
	Manifest *results.Manifest
	Summary  *results.Summary
	// Scenario is a digest of what the run replayed and how it scored: the
	// scenario part of its spec, the inputs' digests and the scoring options.
	// Two runs with the same Scenario scored the same attacks the same way.
	Scenario string
}

// ReadEvidence reads the results directory at path (a directory, or its
// summary.json) after checking every file against the manifest: a file
// missing, edited or extra, or no manifest, is a *results.IntegrityError. The gate
// reads results only through it, so an edited summary cannot pass a gate.
func ReadEvidence(path string) (*Evidence, error) {
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	m, err := results.CheckDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := results.ReadSummary(dir)
	if err != nil {
		return nil, err
	}
	ev := &Evidence{Dir: dir, Manifest: m, Summary: s}
	if ev.Scenario, err = scenarioDigest(dir, m); err != nil {
		return nil, err
	}
	return ev, nil
}

// scenarioDigest hashes the scenario of dir's spec (not its detector
// entries: comparing detectors is the point), the inputs' digests, the seed
// and the scoring options the manifest records.
func scenarioDigest(dir string, m *results.Manifest) (string, error) {
	text, err := os.ReadFile(filepath.Join(dir, m.Spec.File))
	if err != nil {
		return "", &results.IntegrityError{Dir: dir, Err: err}
	}
	spec, err := Parse(m.Spec.File, text)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	b, err := json.Marshal(struct {
		Scenario any
		Seed     uint64
		Inputs   []results.FileHash
		Scoring  json.RawMessage
	}{spec.Scenario, m.Seed, m.Inputs, m.Scoring})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// ErrDifferentScenarios refuses to compare two runs that replayed different
// scenarios or scored them differently.
var ErrDifferentScenarios = errors.New("the two runs replayed different scenarios or scored them differently")
