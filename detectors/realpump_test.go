package detectors_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/csvfeed"
)

type pumpEpisode struct {
	file  string
	at    int64
	jump  float64
	start int64
	end   int64
}

// realPumpAlerts replays every labelled real pump episode's tick trades through
// a detector instance and returns the episodes with the alerts raised on each.
func realPumpAlerts(t *testing.T, cfg detectors.Config) ([]pumpEpisode, [][]detectors.Alert) {
	t.Helper()
	idx := realdata.Path(t, "pump-trades-pugoev/index.csv")
	f, err := os.Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	insts, err := detectors.Expand([]detectors.Config{cfg})
	if err != nil {
		t.Fatal(err)
	}
	var eps []pumpEpisode
	var alerts [][]detectors.Alert
	for _, r := range rows[1:] {
		at, err := time.Parse("2006-01-02 15:04", r[2])
		if err != nil {
			t.Fatal(err)
		}
		jump, _ := strconv.ParseFloat(r[8], 64)
		src, err := csvfeed.NewSource(csvfeed.CCXTTrades, []string{filepath.Join(filepath.Dir(idx), "trades", r[0])}, csvfeed.Options{})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := replay.ReadAll(src)
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].TS < evs[j].TS })
		d, err := insts[0].New()
		if err != nil {
			t.Fatal(err)
		}
		c := detectors.NewConsumer(insts[0].ID, insts[0].Typology, d)
		if _, err := replay.Run(context.Background(), replay.NewMemSource(src.Instruments(), evs), []replay.Consumer{c}, replay.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		eps = append(eps, pumpEpisode{file: strings.TrimSuffix(r[0], ".csv.gz"), at: at.UnixNano(), jump: jump, start: evs[0].TS, end: evs[len(evs)-1].TS})
		alerts = append(alerts, c.Alerts())
	}
	return eps, alerts
}

// TestPumpDetectorOnRealEpisodes measures pump_zscore on the 27 real Binance
// pumps with tick trades (about ±2 days around each): at the threshold that
// keeps background alerts (outside ±1 hour of the announcement) to at most one
// per day, it reports how many pumps with a price jump of at least 5% in the
// next 10 minutes are caught within 5 minutes of the announced time.
func TestPumpDetectorOnRealEpisodes(t *testing.T) {
	eps, alerts := realPumpAlerts(t, detectors.Config{Name: "pump_zscore"})
	var quietDays float64
	var background []float64
	for i, e := range eps {
		quietDays += float64(e.end-e.start-int64(2*time.Hour)) / float64(24*time.Hour)
		for _, a := range alerts[i] {
			if a.RaisedAt < e.at-int64(time.Hour) || a.RaisedAt > e.at+int64(time.Hour) {
				background = append(background, a.Score)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(background)))
	budget := int(quietDays) // at most one background alert per quiet day
	threshold := 0.0
	if len(background) > budget {
		threshold = background[budget] + 1e-9
	}
	var jumps, caught int
	for i, e := range eps {
		if e.jump < 1.05 {
			continue
		}
		jumps++
		for _, a := range alerts[i] {
			if a.Score >= threshold && a.RaisedAt >= e.at && a.RaisedAt <= e.at+int64(5*time.Minute) {
				caught++
				break
			}
		}
	}
	t.Logf("real pumps with a jump >= 5%%: %d, caught within 5 min: %d (%.0f%%); threshold %.2f keeps %d background alerts over %.1f quiet days",
		jumps, caught, 100*float64(caught)/float64(jumps), threshold, min(len(background), budget), quietDays)
	if jumps < 15 {
		t.Fatalf("only %d episodes with a price jump: the data set is not the one described", jumps)
	}
	// The bar: at least 80% of the jumping pumps within 5 minutes, at most one alert per quiet day.
	if float64(caught) < 0.8*float64(jumps) {
		t.Fatalf("caught %d of %d real pumps, below the 80%% bar", caught, jumps)
	}
}
