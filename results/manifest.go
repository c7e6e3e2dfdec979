package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// ResultsVersion is the version of the results directory layout.
const ResultsVersion = 1

// manifestFile is the manifest's name inside a results directory.
const manifestFile = "manifest.json"

// Manifest records everything needed to reproduce a run and to check that a
// re-run produced the same files. CreatedAt is the only wall-clock value in a
// results directory and is excluded from comparisons.
type Manifest struct {
	ResultsVersion int               `json:"results_version"`
	Tool           string            `json:"tool"`
	ToolVersion    string            `json:"tool_version"`
	Command        string            `json:"command"` // run, sweep
	CreatedAt      string            `json:"created_at"`
	Spec           SpecRef           `json:"spec"`
	Seed           uint64            `json:"seed"`
	Inputs         []FileHash        `json:"inputs"`    // historical event files and label lists the spec read
	Detectors      json.RawMessage   `json:"detectors"` // detector configs as run (names and parameters)
	Options        map[string]string `json:"options"`   // run options that change results (batch size, ...)
	Scoring        json.RawMessage   `json:"scoring"`   // scoring.Options as used
	Start          int64             `json:"start"`     // replayed time range, ns
	End            int64             `json:"end"`
	Files          []FileHash        `json:"files"` // every result file but the manifest, sorted by path
}

// SpecRef identifies the scenario spec. The spec's text is copied into the
// results directory as spec.yaml so that verify-run can re-run it.
type SpecRef struct {
	Name   string `json:"name"` // file name, or "default" for the embedded suite
	SHA256 string `json:"sha256"`
	File   string `json:"file"`          // "spec.yaml"
	Dir    string `json:"dir,omitempty"` // absolute folder of the original spec, when it names files (they resolve from there)
}

// FileHash is a file's path (relative to the results directory for result
// files), size and SHA-256.
type FileHash struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// HashInputs hashes the input files a scenario read; each FileHash names the
// absolute path it was read from.
func HashInputs(paths []string) ([]FileHash, error) {
	out := make([]FileHash, 0, len(paths))
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		fh, err := hashFile(p, abs)
		if err != nil {
			return nil, err
		}
		out = append(out, fh)
	}
	return out, nil
}

// hashFile returns the size and SHA-256 of a file, with Path set to name.
func hashFile(path, name string) (FileHash, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileHash{}, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileHash{}, fmt.Errorf("hash %s: %w", path, err)
	}
	return FileHash{Path: name, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// HashBytes returns the hex SHA-256 of b.
func HashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// HashDir hashes every regular file under dir except the manifest and
// temporary files, sorted by relative path.
func HashDir(dir string) ([]FileHash, error) {
	var out []FileHash
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == manifestFile || filepath.Base(rel)[0] == '.' {
			return nil
		}
		fh, err := hashFile(p, rel)
		if err != nil {
			return err
		}
		out = append(out, fh)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash results %s: %w", dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// WriteManifest writes m as indented JSON to dir/manifest.json.
func WriteManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, manifestFile), append(b, '\n'))
}

// ReadManifest reads dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	p := filepath.Join(dir, manifestFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if m.ResultsVersion != ResultsVersion {
		return nil, fmt.Errorf("%s: results_version %d, this tapetest reads %d", p, m.ResultsVersion, ResultsVersion)
	}
	return &m, nil
}

// FileDiff is one difference between two sets of result files.
type FileDiff struct {
	Path   string `json:"path"`
	Reason string `json:"reason"` // "missing", "extra", "content"
}

// CompareFiles reports how got differs from want (both sorted by Path).
func CompareFiles(want, got []FileHash) []FileDiff {
	var d []FileDiff
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j >= len(got) || (i < len(want) && want[i].Path < got[j].Path):
			d = append(d, FileDiff{Path: want[i].Path, Reason: "missing"})
			i++
		case i >= len(want) || got[j].Path < want[i].Path:
			d = append(d, FileDiff{Path: got[j].Path, Reason: "extra"})
			j++
		default:
			if want[i].SHA256 != got[j].SHA256 || want[i].Bytes != got[j].Bytes {
				d = append(d, FileDiff{Path: want[i].Path, Reason: "content"})
			}
			i++
			j++
		}
	}
	return d
}
