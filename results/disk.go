package results

import (
	"io"
	"os"

	"github.com/tapetest/tapetest/internal/staging"
)

// stagedFile is a file being written before it is renamed into place.
type stagedFile interface {
	io.Writer
	Name() string
	Sync() error
	Close() error
}

// disk is every change the results writer makes to the file system, so that
// tests can put a faulty one in its place (a full disk, a failed rename, a
// failed sync) and check that an output is then either the previous complete
// one or absent — never half written. Removing a staging is not part of it:
// a staging left behind is swept by the next writer (package staging).
type disk interface {
	CreateTemp(dir, base string) (stagedFile, error)
	MkdirTemp(parent, base string) (string, error)
	MkdirAll(path string, perm os.FileMode) error
	Chmod(path string, mode os.FileMode) error
	Rename(from, to string) error
	Exchange(a, b string) error // swap two directories in one step, where the system can
}

// osDisk is the real file system.
type osDisk struct{}

func (osDisk) CreateTemp(dir, base string) (stagedFile, error) { return staging.CreateTemp(dir, base) }
func (osDisk) MkdirTemp(parent, base string) (string, error)   { return staging.MkdirTemp(parent, base) }
func (osDisk) MkdirAll(path string, perm os.FileMode) error    { return os.MkdirAll(path, perm) }
func (osDisk) Chmod(path string, mode os.FileMode) error       { return os.Chmod(path, mode) }
func (osDisk) Rename(from, to string) error                    { return os.Rename(from, to) }
func (osDisk) Exchange(a, b string) error                      { return exchangeDirs(a, b) }

// fs is the file system the results writer uses; only tests change it.
var fs disk = osDisk{}
