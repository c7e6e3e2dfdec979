package scaleout

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/results"
)

// TestInputsFromTheStore: a historical file named by gs:// URL is fetched
// and replayed as the same file named by path is; the manifest names it by
// its URL with the file's SHA-256.
func TestInputsFromTheStore(t *testing.T) {
	bucket := fakeGCS(t)
	local, err := filepath.Abs("../replay/lobster/testdata/SYN_2012-06-21_34200000_57600000_message_3.csv")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	store := openStore(t, bucket+"/inputs?anonymous=true")
	if err := store.Put(context.Background(), filepath.Base(local), data); err != nil {
		t.Fatal(err)
	}
	run := func(file string) *results.Contents {
		text := "name: hist\nseed: 9\nbackground:\n  format: lobster\n  accounts: 50\n  files: [\"" + file + "\"]\ndetectors:\n  - {name: spoof_cancels}\n  - {name: wash_pairs}\n"
		s, err := backtest.Parse("hist.yaml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		done, err := FetchInputs(context.Background(), s.Scenario)
		if err != nil {
			t.Fatal(err)
		}
		defer done()
		out, err := backtest.Run(context.Background(), s, backtest.Options{SpecName: "hist", SpecText: []byte("hist"), ToolVersion: "test", BatchSize: 64, NoCases: true})
		if err != nil {
			t.Fatal(err)
		}
		return out.Contents
	}
	url := bucket + "/inputs/" + filepath.Base(local) + "?anonymous=true"
	byPath, byURL := run(local), run(url)
	if byURL.Events != byPath.Events || len(byURL.Alerts) != len(byPath.Alerts) || byURL.Events == 0 {
		t.Fatalf("by URL: %d events, %d alerts; by path: %d events, %d alerts", byURL.Events, len(byURL.Alerts), byPath.Events, len(byPath.Alerts))
	}
	in := byURL.Manifest.Inputs
	if len(in) != 1 || in[0].Path != url || in[0].SHA256 != byPath.Manifest.Inputs[0].SHA256 {
		t.Fatalf("manifest inputs %+v, by path %+v", in, byPath.Manifest.Inputs)
	}
}
