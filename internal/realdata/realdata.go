// Package realdata locates the shared real market data (LOBSTER, Binance, pump
// episodes) for tests. The data is never copied into the repository: tests find it
// through TAPETEST_DATA (default ../shared/data from the module root), skip when it
// is absent, and fail instead when TAPETEST_REQUIRE_DATA=1.
package realdata

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dir returns the shared data directory, or "" if it cannot be found.
func Dir() string {
	if d := os.Getenv("TAPETEST_DATA"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		return ""
	}
	root := moduleRoot()
	if root == "" {
		return ""
	}
	d := filepath.Join(root, "..", "shared", "data")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// Required reports whether TAPETEST_REQUIRE_DATA=1 is set.
func Required() bool { return os.Getenv("TAPETEST_REQUIRE_DATA") == "1" }

// Path returns the path of rel inside the shared data directory. When the file is
// absent the test is skipped, or fails if TAPETEST_REQUIRE_DATA=1.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		missing(tb, "shared data directory not found (set TAPETEST_DATA)")
		return ""
	}
	p := filepath.Join(d, rel)
	if _, err := os.Stat(p); err != nil {
		missing(tb, "shared data file "+p+" not found")
		return ""
	}
	return p
}

func missing(tb testing.TB, msg string) {
	tb.Helper()
	if Required() {
		tb.Fatal(msg + " and TAPETEST_REQUIRE_DATA=1")
	}
	tb.Skip(msg)
}

func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Lines reads the shared file rel (gzip or plain) as lines, skipping or
// failing the test as Path does.
func Lines(tb testing.TB, rel string) []string {
	tb.Helper()
	b, err := io.ReadAll(open(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// open opens the shared file rel, decompressed when it is gzip (.gz), for
// the test's duration, skipping or failing as Path does.
func open(tb testing.TB, rel string) io.Reader {
	tb.Helper()
	f, err := os.Open(Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	if !strings.HasSuffix(rel, ".gz") {
		return f
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	return zr
}

// TempLines writes lines to a file in the test's temporary directory (a
// changed copy of a real file) and returns its path.
func TempLines(tb testing.TB, lines []string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "lines.txt")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// Decompressed writes the shared gzip file rel, decompressed, to a file of
// the test's temporary directory and returns its path (a benchmark's
// "plain" input beside the published one), skipping or failing as Path does.
func Decompressed(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), strings.TrimSuffix(filepath.Base(rel), ".gz"))
	out, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, open(tb, rel)); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}
