package labels

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/internal/realdata"
)

// TestPumpListsBecomeLabels: each shared list of announced pumps becomes a
// label file that labels.Load reads back unchanged; Binance only by default,
// announcements of one pump by several channels merged within an hour,
// ardia's failed pumps left out, and the pumps of examples/pump-episodes
// found in the lists that cover them.
func TestPumpListsBecomeLabels(t *testing.T) {
	for _, c := range []struct {
		list, file string
		min        int
		has        []string // label ids that must be there
	}{
		{"sapienza", "pump-events-sapienza/pump_telegram.csv", 300, []string{"sapienza-APPC_2020-11-18_1800"}},
		{"ardia", "pump-events-ardia/list_pd_events.csv", 250, nil},
		{"hu", "pump-events-hu/PD_logs_cleaned.tsv", 300, nil},
		{"mironov", "pump-events-mironov/pumps.json", 300, []string{"mironov-APPC_2020-11-18_1800"}},
	} {
		t.Run(c.list, func(t *testing.T) {
			res, err := ImportPumpList(c.list, realdata.Path(t, c.file), PumpListOptions{Exchange: "binance", Merge: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Labels) < c.min || res.Read < len(res.Labels) {
				t.Fatalf("%d labels of %d announcements (skipped %v)", len(res.Labels), res.Read, res.Skipped)
			}
			ids := map[string]bool{}
			for _, l := range res.Labels {
				ids[l.ID] = true
				if !strings.HasSuffix(l.Symbol, "/BTC") && c.list != "hu" || l.Typology != "pump_and_dump" || string(l.Intensity) != c.list {
					t.Fatalf("label %+v", l)
				}
			}
			if len(ids) != len(res.Labels) {
				t.Fatal("label ids repeat")
			}
			for _, id := range c.has {
				if !ids[id] {
					t.Errorf("%s is missing", id)
				}
			}
			var buf bytes.Buffer
			if err := WriteFile(&buf, res.Labels); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), "labels.csv")
			os.WriteFile(p, buf.Bytes(), 0o644)
			back, err := Load(p, 10*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(res.Labels) || back[0].ID != res.Labels[0].ID || back[0].Start != res.Labels[0].Start || back[0].Symbol != res.Labels[0].Symbol {
				t.Fatalf("read back %d labels, first %+v; wrote %d, first %+v", len(back), back[0], len(res.Labels), res.Labels[0])
			}
			t.Logf("%s: %d announcements → %d labels; skipped %v", c.list, res.Read, len(res.Labels), res.Skipped)
		})
	}
}

// TestPumpListRows: each layout's rows, failures and merging, on small files.
func TestPumpListRows(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	ardia := write("a.csv", "Date,Channel,Currency,Exchange,success,pump_date\n"+
		"2019-01-02T15:44:53Z,X,BRD,Binance,0,\n"+
		"2019-01-07T14:27:13Z,Y,LOOM,Binance,1,2019-01-07T14:25:00Z\n"+
		"2019-01-07T14:40:00Z,Z,LOOM,Binance,1,2019-01-07T14:25:00Z\n")
	res, err := ImportPumpList("ardia", ardia, PumpListOptions{Exchange: "binance", Merge: time.Hour, Length: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Labels) != 1 || res.Labels[0].ID != "ardia-LOOM_2019-01-07_1425" || res.Skipped["failed"] != 1 || res.Skipped["merged"] != 1 ||
		res.Labels[0].End-res.Labels[0].Start != int64(15*time.Minute) {
		t.Fatalf("%+v", res)
	}
	res, _ = ImportPumpList("ardia", ardia, PumpListOptions{IncludeFailed: true})
	if len(res.Labels) != 3 || res.Labels[0].ID != "ardia-BRD_2019-01-02_1544" {
		t.Fatalf("with the failed, unmerged: %+v", res.Labels)
	}
	sap := write("s.csv", "symbol,group,date,hour,exchange\nR,ATW,2018-01-01,16:00,yobit\nAPPC,X,2020-11-18,18:00,binance\n")
	res, _ = ImportPumpList("sapienza", sap, PumpListOptions{Exchange: "binance", Symbol: "{coin}{quote}"})
	if len(res.Labels) != 1 || res.Labels[0].Symbol != "APPCBTC" || res.Skipped["other_exchange"] != 1 {
		t.Fatalf("%+v", res)
	}
	bad := write("b.csv", "symbol,group,date,hour,exchange\nAPPC,X,2020-11-18,6pm,binance\n")
	if _, err := ImportPumpList("sapienza", bad, PumpListOptions{}); err == nil || !strings.Contains(err.Error(), "b.csv:2: date/hour") {
		t.Fatalf("a bad hour: %v", err)
	}
	if _, err := ImportPumpList("other", bad, PumpListOptions{}); err == nil || !strings.Contains(err.Error(), "known: ardia, hu, mironov, sapienza") {
		t.Fatalf("an unknown list: %v", err)
	}
}
