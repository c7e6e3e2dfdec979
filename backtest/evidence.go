package backtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tapetest/tapetest/results"
)

// IntegrityError is a results directory that does not match its manifest:
// a file missing, edited or added since the run wrote it, or no manifest at
// all (a run killed before its end).
type IntegrityError struct {
	Dir   string
	Diffs []results.FileDiff // empty when the manifest itself is missing or unreadable
	Err   error              // why the manifest could not be read
}

func (e *IntegrityError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s is not a complete results directory: %v", e.Dir, e.Err)
	}
	var parts []string
	for _, d := range e.Diffs {
		parts = append(parts, d.Reason+" "+d.Path)
	}
	return fmt.Sprintf("%s does not match its manifest: %s", e.Dir, strings.Join(parts, ", "))
}

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
// missing, edited or extra, or no manifest, is an *IntegrityError. The gate
// reads results only through it, so an edited summary cannot pass a gate.
func ReadEvidence(path string) (*Evidence, error) {
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	m, err := results.ReadManifest(dir)
	if err != nil {
		return nil, &IntegrityError{Dir: dir, Err: err}
	}
	have, err := results.HashDir(dir)
	if err != nil {
		return nil, err
	}
	if d := results.CompareFiles(m.Files, have); len(d) > 0 {
		return nil, &IntegrityError{Dir: dir, Diffs: d}
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
		return "", &IntegrityError{Dir: dir, Err: err}
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
