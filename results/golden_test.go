package results

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// updateGolden rewrites the golden files under testdata (go test -update).
var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

// checkGolden holds got to testdata/name, byte for byte; why says what a
// difference would change. With -update it writes got there first.
func checkGolden(t *testing.T, name string, got []byte, why string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%d bytes unlike %s (%d bytes): %s", len(got), golden, len(want), why)
	}
}
