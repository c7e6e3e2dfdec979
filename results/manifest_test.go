package results

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCompareFiles(t *testing.T) {
	a := FileHash{Path: "a", Bytes: 1, SHA256: "x"}
	b := FileHash{Path: "b", Bytes: 1, SHA256: "y"}
	b2 := FileHash{Path: "b", Bytes: 1, SHA256: "z"}
	c := FileHash{Path: "c", Bytes: 1, SHA256: "w"}
	cases := []struct {
		name      string
		want, got []FileHash
		diff      []FileDiff
	}{
		{"same", []FileHash{a, b}, []FileHash{a, b}, nil},
		{"content", []FileHash{a, b}, []FileHash{a, b2}, []FileDiff{{"b", "content"}}},
		{"missing", []FileHash{a, b}, []FileHash{b}, []FileDiff{{"a", "missing"}}},
		{"extra", []FileHash{a}, []FileHash{a, c}, []FileDiff{{"c", "extra"}}},
		{"mixed", []FileHash{a, b}, []FileHash{b2, c}, []FileDiff{{"a", "missing"}, {"b", "content"}, {"c", "extra"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CompareFiles(tc.want, tc.got); !reflect.DeepEqual(got, tc.diff) {
				t.Fatalf("got %v, want %v", got, tc.diff)
			}
		})
	}
}

func TestManifestRoundTripAndHashDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "plots"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"summary.json", "plots/pr.svg"} {
		if err := WriteFileAtomic(filepath.Join(dir, f), []byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	files, err := HashDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Path != "plots/pr.svg" || files[1].Path != "summary.json" {
		t.Fatalf("HashDir = %+v", files)
	}
	m := &Manifest{ResultsVersion: ResultsVersion, Tool: "tapetest", Seed: 7, Files: files}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	again, err := HashDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 {
		t.Fatalf("manifest must not hash itself: %+v", again)
	}
	back, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.Seed != 7 || !reflect.DeepEqual(back.Files, files) {
		t.Fatalf("round trip: %+v", back)
	}
	m.ResultsVersion = 99
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadManifest(dir); err == nil {
		t.Fatal("want an error for an unknown results version")
	}
}
