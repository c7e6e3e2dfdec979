package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// CommitDir makes dir the directory write fills, atomically for a reader:
// write fills a fresh temporary directory beside dir, which then takes dir's
// place — exchanged with the old one in one rename where the system can
// (Linux), else with the old one moved aside first — so that dir is always
// either the previous complete directory or the new complete one, never a
// mixture (a rerun used to keep the previous run's extra plots, which then
// entered the new manifest). On an error dir is left as it was. An existing
// dir is replaced only when it is empty or a results directory (it has a
// manifest): a mistyped -o never deletes a user's folder.
func CommitDir(dir string, write func(tmp string) error) (err error) {
	if err := Replaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := fs.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := fs.MkdirTemp(parent, filepath.Base(filepath.Clean(dir)))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err = fs.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err = write(tmp); err != nil {
		return err
	}
	if _, statErr := os.Lstat(dir); os.IsNotExist(statErr) {
		if err = fs.Rename(tmp, dir); err != nil {
			return fmt.Errorf("replace %s: %w", dir, err)
		}
		return nil
	}
	// Once dir is the new directory the run has succeeded: failing to remove
	// the previous one only leaves a staging the next writer sweeps.
	if fs.Exchange(tmp, dir) == nil {
		os.RemoveAll(tmp) // tmp now holds the previous directory
		return nil
	}
	old := tmp + ".old"
	if err = fs.Rename(dir, old); err != nil {
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	if err = fs.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	os.RemoveAll(old)
	return nil
}

// ErrNotReplaceable marks an output path CommitDir will not replace.
var ErrNotReplaceable = errors.New("not replaced")

// Replaceable reports whether CommitDir may replace dir: it does not exist,
// or it is an empty directory or a results directory. Callers check it
// before a long run, so that a wrong -o fails at once.
func Replaceable(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s: %w: it is not a directory", dir, ErrNotReplaceable)
	}
	if _, err := os.Stat(filepath.Join(dir, manifestFile)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s: %w: it is not empty and not a results directory (no %s); give a new or empty directory", dir, ErrNotReplaceable, manifestFile)
	}
	return nil
}
