package results

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scoring"
)

func TestTablesRoundTripAndAreDeterministic(t *testing.T) {
	alerts := []detectors.Alert{{Instance: "wash_self", Typology: replay.WashTrading, Symbol: "X", RaisedAt: 5e9, Start: 4e9, End: 5e9, Accounts: []uint64{1, 2}, Score: 0.9, Evidence: "self-trade"}}
	lbls := []labels.Label{{ID: "wash-1", Typology: replay.WashTrading, Symbol: "X", Start: 1e9, End: 9e9, Accounts: []uint64{2}, Intensity: "blatant", Params: `{"legs":3}`}}
	m := scoring.Compute("wash_self", replay.WashTrading, math.Inf(-1), alerts, lbls, scoring.Options{Days: 1})
	sw := scoring.SweepOf("wash_self", replay.WashTrading, alerts, lbls, scoring.Options{Days: 1})
	var first [][]byte
	for run := 0; run < 2; run++ {
		dir := t.TempDir()
		if err := writeAlerts(dir, alerts, AlertIDs(alerts), map[int][]string{0: {"wash-1"}}); err != nil {
			t.Fatal(err)
		}
		if err := WriteLabels(dir, lbls); err != nil {
			t.Fatal(err)
		}
		if err := writeMetrics(dir, []metricsAt{{"all_alerts", m}}); err != nil {
			t.Fatal(err)
		}
		if err := writeSweeps(dir, []scoring.Sweep{sw}); err != nil {
			t.Fatal(err)
		}
		var files [][]byte
		for _, f := range []string{AlertsFile, LabelsFile, MetricsFile, SweepFile} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, b)
		}
		if run == 1 {
			for i := range files {
				if !bytes.Equal(files[i], first[i]) {
					t.Fatalf("file %d differs between two identical writes", i)
				}
			}
		}
		first = files
		rows, err := parquet.ReadFile[alertRow](filepath.Join(dir, AlertsFile))
		if err != nil || len(rows) != 1 || rows[0].Labels[0] != "wash-1" || rows[0].Accounts[1] != 2 {
			t.Fatalf("alerts read back: %+v %v", rows, err)
		}
		mrows, err := parquet.ReadFile[metricsRow](filepath.Join(dir, MetricsFile))
		if err != nil || len(mrows) != 1 || mrows[0].Recall != 1 || mrows[0].Threshold != -math.MaxFloat64 {
			t.Fatalf("metrics read back: %+v %v", mrows, err)
		}
	}
	if err := WriteLabels(t.TempDir(), []labels.Label{{ID: "x", Params: "{not json"}}); err == nil {
		t.Fatal("want an error for non-JSON params")
	}
}
