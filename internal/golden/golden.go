// Package golden holds what a test makes to a file of the repository, byte
// for byte, and rewrites the file when the test binary runs with -update:
// a schema, a trained model, a generated fixture, an encoder's output, a
// report. One flag and one comparison for every package's golden files.
package golden

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files the tests compare with")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// Check holds got to the file at path. With -update it writes got there
// first. A difference, or a file that cannot be read, fails t naming the
// file and both sizes, then hint: what to run, or what the difference
// means.
func Check(t testing.TB, path string, got []byte, hint string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it): %s", err, hint)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%d bytes unlike %s (%d bytes): %s", len(got), path, len(want), hint)
	}
}
