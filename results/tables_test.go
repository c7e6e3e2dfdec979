package results

import (
	"bytes"
	"encoding/csv"
	"fmt"
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
		if err := writeAlerts(dir, alerts, newAlertIDs(alerts), map[int][]string{0: {"wash-1"}}); err != nil {
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

// TestAlertsStreamInChunks: a run with more alerts than a row group (and
// than a chunk, and not a multiple of either) writes every alert, in order,
// to both tables, alerts.parquet in more than one row group.
func TestAlertsStreamInChunks(t *testing.T) {
	for _, n := range []int{0, 1, alertChunk, tableRowGroup + alertChunk + 7} {
		alerts := make([]detectors.Alert, n)
		matched := map[int][]string{}
		for i := range alerts {
			alerts[i] = detectors.Alert{Instance: "wash_self", Typology: replay.WashTrading, Symbol: "X", RaisedAt: int64(i) * 1e6, Start: int64(i) * 1e6, End: int64(i)*1e6 + 1,
				Accounts: []uint64{uint64(i)}, Score: float64(i), Evidence: fmt.Sprint("alert ", i)}
			if i%3 == 0 {
				matched[i] = []string{fmt.Sprint("wash-", i)}
			}
		}
		ids := AlertIDs(alerts)
		dir := t.TempDir()
		if err := writeAlerts(dir, alerts, newAlertIDs(alerts), matched); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(dir, AlertsFile))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		if want := max(1, (n+tableRowGroup-1)/tableRowGroup); n > 0 && len(pf.RowGroups()) != want {
			t.Errorf("%d alerts: %d row groups, want %d", n, len(pf.RowGroups()), want)
		}
		f.Close()
		rows, err := parquet.ReadFile[alertRow](filepath.Join(dir, AlertsFile))
		if err != nil || len(rows) != n {
			t.Fatalf("%d alerts: %d rows read back, %v", n, len(rows), err)
		}
		for i, r := range rows {
			if r.ID != ids[i] || r.Score != float64(i) || r.Evidence != alerts[i].Evidence || len(r.Labels) != len(matched[i]) {
				t.Fatalf("%d alerts: row %d is %+v", n, i, r)
			}
		}
		csvFile, err := os.Open(filepath.Join(dir, AlertsCSVFile))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(csvFile).ReadAll()
		csvFile.Close()
		if err != nil || len(recs) != n+1 {
			t.Fatalf("%d alerts: alerts.csv has %d records, %v", n, len(recs), err)
		}
		for i, rec := range recs[1:] {
			if rec[0] != ids[i] || rec[10] != alerts[i].Evidence {
				t.Fatalf("%d alerts: alerts.csv line %d is %v", n, i+2, rec)
			}
		}
	}
}
