package labels

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tapetest/tapetest/replay"
)

func TestLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), "incidents.csv")
	os.WriteFile(p, []byte("\ufeffid,typology,symbol,start,end,accounts\n"+
		"arn,pump_and_dump,ARN/BTC,2020-04-07 18:00,,\n"+
		"w1,wash_trading,BTCUSDT,2026-01-05T01:00:00Z,2026-01-05T01:10:00Z,7;3;7\n"), 0o644)
	ls, err := Load(p, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || ls[0].End-ls[0].Start != int64(10*time.Minute) || ls[0].Intensity != "historical" || len(ls[1].Accounts) != 2 || ls[1].Accounts[0] != 3 {
		t.Fatalf("labels %+v", ls)
	}
	os.WriteFile(p, []byte("id,typology,symbol,start\nx,wash_trading,X,2026-13-01\n"), 0o644)
	_, err = Load(p, time.Minute)
	var re *replay.RowError
	if !errors.As(err, &re) || re.Line != 2 || re.Field != "start" {
		t.Fatalf("bad time: %v", err)
	}
	os.WriteFile(p, []byte("id,typology,symbol,start\nx,front_running,X,1\n"), 0o644)
	if _, err := Load(p, time.Minute); !errors.As(err, &re) || re.Field != "typology" {
		t.Fatalf("bad typology: %v", err)
	}
}

// The real pump list of the shared data reads as labels once reshaped: the
// format is meant for exactly such lists.
func TestLoadLabelsRealPumpList(t *testing.T) {
	// index.csv names its columns differently; write the documented form of its first rows.
	p := filepath.Join(t.TempDir(), "pumps.csv")
	os.WriteFile(p, []byte("id,typology,symbol,start\nAPPC,pump_and_dump,APPC/BTC,2020-11-18 18:00\nARN,pump_and_dump,ARN/BTC,2020-04-07 18:00\n"), 0o644)
	ls, err := Load(p, 5*time.Minute)
	if err != nil || len(ls) != 2 || ls[1].Start != time.Date(2020, 4, 7, 18, 0, 0, 0, time.UTC).UnixNano() {
		t.Fatalf("%+v %v", ls, err)
	}
}
