package results

import (
	"fmt"
	"os"
	"path/filepath"
)

// RewriteDir re-renders a results directory from contents (read back with
// ReadDir, perhaps with a new review), replacing it whole as a run writes
// it: the spec file and the case files the run wrote (which only a run's
// replay can make) are carried over, everything else is written anew. Check
// the directory against its manifest (CheckDir) first: what is carried over
// is then what the run wrote.
func RewriteDir(dir string, m *Manifest, c *Contents) error {
	return CommitDir(dir, func(tmp string) error {
		spec, err := os.ReadFile(filepath.Join(dir, m.Spec.File))
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(filepath.Join(tmp, m.Spec.File), spec); err != nil {
			return err
		}
		cases, err := os.ReadDir(filepath.Join(dir, CasesDir))
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		if len(cases) > 0 {
			if err := fs.MkdirAll(filepath.Join(tmp, CasesDir), 0o755); err != nil {
				return err
			}
		}
		for _, e := range cases {
			if !e.Type().IsRegular() {
				return fmt.Errorf("%s: not a regular file", filepath.Join(dir, CasesDir, e.Name()))
			}
			b, err := os.ReadFile(filepath.Join(dir, CasesDir, e.Name()))
			if err != nil {
				return err
			}
			if err := WriteFileAtomic(filepath.Join(tmp, CasesDir, e.Name()), b); err != nil {
				return err
			}
		}
		return WriteDir(tmp, c)
	})
}
