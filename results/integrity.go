package results

import (
	"fmt"
	"strings"
)

// IntegrityError is a results directory that does not match its manifest:
// a file missing, edited or added since the run wrote it, or no manifest at
// all (a run killed before its end).
type IntegrityError struct {
	Dir   string
	Diffs []FileDiff // empty when the manifest itself is missing or unreadable
	Err   error      // why the manifest could not be read
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

func (e *IntegrityError) Unwrap() error { return e.Err }

// CheckDir reads dir's manifest and checks every file of dir against it: a
// file missing, edited or extra, or no readable manifest, is an
// *IntegrityError. Whatever reads a results directory as evidence (gate,
// report) goes through it, so that an edited or half-written directory is
// refused, naming the file.
func CheckDir(dir string) (*Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, &IntegrityError{Dir: dir, Err: err}
	}
	have, err := HashDir(dir)
	if err != nil {
		return nil, err
	}
	if d := CompareFiles(m.Files, have); len(d) > 0 {
		return nil, &IntegrityError{Dir: dir, Diffs: d}
	}
	return m, nil
}
