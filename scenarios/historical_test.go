package scenarios

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// historicalSpec is a scenario over real files with injections into them.
func historicalSpec(t *testing.T, format, symbol, duration string, files ...string) *Spec {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "name: hist\nseed: 9\nduration: %s\nbackground:\n  format: %s\n  accounts: 200\n  files:\n", duration, format)
	for _, f := range files {
		fmt.Fprintf(&b, "    - %q\n", f)
	}
	fmt.Fprintf(&b, "injections:\n  - {typology: spoofing, symbol: %s, count: 3, intensity: blatant}\n  - {typology: wash_trading, symbol: %s, count: 3, intensity: standard}\n", symbol, symbol)
	s, err := Parse("hist.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkHistorical generates spec twice (byte-identical events), replays the
// output through the engine (which must accept every event as the generator
// wrote it) and returns the events, the counts and the engine's counts.
func checkHistorical(t *testing.T, spec *Spec) ([]replay.Event, *Generator, []replay.Count) {
	t.Helper()
	g1, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer g1.Close()
	h1, n := hashEvents(t, g1)
	g2, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer g2.Close()
	evs, err := replay.ReadAll(g2)
	if err != nil {
		t.Fatal(err)
	}
	g3, _ := NewGenerator(spec)
	defer g3.Close()
	if h3, _ := hashEvents(t, g3); h3 != h1 || len(evs) != n {
		t.Fatal("the same spec over the same files generated different events")
	}
	stats, err := replay.Run(context.Background(), replay.NewMemSource(g2.Instruments(), evs), nil, replay.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return evs, g2, stats.Counts
}

// TestHistoricalL3LOBSTER: attacks injected into the real GOOG order book
// trade with its orders; every reconciliation is counted by kind; the
// generated stream replays without a single unknown id or rejection.
func TestHistoricalL3LOBSTER(t *testing.T) {
	p := realdata.Path(t, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz")
	spec := historicalSpec(t, "lobster", "GOOG", "90m", p)
	evs, g, engineCounts := checkHistorical(t, spec)
	if f := g.Fidelities()["GOOG"]; f != replay.FidelityL3 {
		t.Fatalf("GOOG fidelity %v, want L3", f)
	}
	for _, c := range engineCounts {
		t.Errorf("the engine had to reconcile the generated stream: %s %d", c.Kind, c.N)
	}
	counts := map[string]int64{}
	for _, c := range g.Counts() {
		counts[c.Kind] = c.N
	}
	t.Logf("%d events; counts %v", len(evs), g.Counts())
	for _, k := range []string{"historical_cancel_of_unknown_order", "historical_stale_order_removed"} {
		if counts[k] == 0 {
			t.Errorf("no %s counted: the policy did not run", k)
		}
	}
	labels := g.Labels()
	if len(labels) != 6 {
		t.Fatalf("%d labels, want 6", len(labels))
	}
	// Injected accounts traded with the historical book (account 0).
	attackers := map[uint64]bool{}
	for _, l := range labels {
		for _, a := range l.Accounts {
			attackers[a] = true
		}
	}
	eng, err := replay.NewEngine(g.Instruments(), replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b replay.Batch
	cross := 0
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		for _, f := range b.FillsOf(0) {
			if (attackers[f.TakerAccount] && f.MakerAccount == 0) || (attackers[f.MakerAccount] && f.TakerAccount == 0) {
				cross++
			}
		}
	}
	if cross == 0 {
		t.Fatal("no injected order traded with a historical one")
	}
	t.Logf("%d fills between injected and historical orders", cross)
}

// TestHistoricalL3LOBSTERReconciled: with its orderbook file beside it, the
// LOBSTER day is LOBSTER's own book (replay/lobster's reconciled replay): the
// generator meets no message for an order the files never added, the book
// corrections reach the output flagged FlagReconciled, the source's counts
// reach the run's, and the stream replays cleanly.
func TestHistoricalL3LOBSTERReconciled(t *testing.T) {
	dir := "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_"
	spec := historicalSpec(t, "lobster", "GOOG", "90m", realdata.Path(t, dir+"message_10.csv.gz"), realdata.Path(t, dir+"orderbook_10.csv.gz"))
	evs, g, engineCounts := checkHistorical(t, spec)
	for _, c := range engineCounts {
		t.Errorf("the engine had to reconcile the generated stream: %s %d", c.Kind, c.N)
	}
	counts := map[string]int64{}
	for _, c := range g.Counts() {
		counts[c.Kind] = c.N
	}
	t.Logf("%d events; counts %v", len(evs), g.Counts())
	for _, k := range []string{"historical_cancel_of_unknown_order", "historical_execute_of_unknown_order", "historical_reduce_of_unknown_order"} {
		if counts[k] != 0 {
			t.Errorf("%s %d: the reconciled source named an order it never added", k, counts[k])
		}
	}
	if counts["historical_source_resync_added_qty"] == 0 || counts["historical_source_rows_resynced"] == 0 {
		t.Error("the source's reconciliation counts are not in the run's")
	}
	flagged := map[replay.Action]int{}
	for _, ev := range evs {
		if ev.Flags&replay.FlagReconciled != 0 {
			flagged[ev.Action]++
		}
	}
	if flagged[replay.ActionAdd] == 0 || flagged[replay.ActionCancel]+flagged[replay.ActionReduce] == 0 {
		t.Fatalf("reconciled events in the output: %v", flagged)
	}
}

// TestHistoricalL2Binance: on a raw Binance depth feed the level totals
// become resting orders (no level event reaches the output), injected orders
// sit beside them, and the output replays cleanly.
func TestHistoricalL2Binance(t *testing.T) {
	a := realdata.Path(t, "binance-l2-feed-hftbacktest/spot_btcusdt_20240808.gz")
	b := realdata.Path(t, "binance-l2-feed-hftbacktest/spot_btcusdt_20240809.gz")
	spec := historicalSpec(t, "binance-depth", "BTCUSDT", "8m", a, b)
	evs, g, engineCounts := checkHistorical(t, spec)
	if f := g.Fidelities()["BTCUSDT"]; f != replay.FidelityL2 {
		t.Fatalf("BTCUSDT fidelity %v, want L2", f)
	}
	for _, c := range engineCounts {
		t.Errorf("the engine had to reconcile the generated stream: %s %d", c.Kind, c.N)
	}
	for _, e := range evs {
		if e.Action == replay.ActionLevel {
			t.Fatal("a level event reached the output: L2 history must become resting orders")
		}
	}
	t.Logf("%d events; counts %v", len(evs), g.Counts())
}

// generateExample loads a shipped example spec, points its background files
// at the shared data (folder dir, wherever TAPETEST_DATA says it is), and
// generates it.
func generateExample(t *testing.T, path, dir string) (*Spec, *Generator, []replay.Event) {
	t.Helper()
	spec, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range spec.Background.Files {
		spec.Background.Files[i] = realdata.Path(t, dir+f[strings.LastIndex(f, "/")+1:])
	}
	g, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	return spec, g, evs
}

// TestHistoricalEpisodesExample: the shipped example of real labelled pump
// episodes parses, and over the real trades its labels are the external list.
func TestHistoricalEpisodesExample(t *testing.T) {
	spec, g, _ := generateExample(t, "../examples/pump-episodes/spec.yaml", "pump-trades-pugoev/trades/")
	if spec.Background.Format != "ccxt-trades" || len(spec.Background.Files) != 27 || spec.Labels == "" {
		t.Fatalf("example spec: %+v", spec.Background)
	}
	labels := g.Labels()
	if len(labels) != 27 {
		t.Fatalf("%d labels, want the 27 of the list", len(labels))
	}
	for _, f := range g.Fidelities() {
		if f != replay.FidelityTrades {
			t.Fatalf("fidelities %v, want trades only", g.Fidelities())
		}
	}
}

// TestHistoricalOrdersTakenByInjectionAreForgotten: the feed keeps naming a
// historical order an injection filled — executions in parts, a cancel —
// and each message is counted as for an order an injection took; once the
// feed's messages account for all it believed rested, the order is
// forgotten, so a long day does not accumulate them.
func TestHistoricalOrdersTakenByInjectionAreForgotten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.parquet")
	w, err := replay.CreateEventFile(path, replay.EventFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const t0 = int64(1_700_000_000) * 1e9
	w.SetInstruments([]replay.Instrument{{Symbol: "X", Venue: "v", Tick: 1, Lot: 1}})
	if err := w.Write([]replay.Event{{TS: t0, Seq: 1, Action: replay.ActionAdd, Side: orderbook.Sell, OrderID: 1, Price: 1000, Qty: 10}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	spec, err := Parse("x.yaml", []byte("name: x\nseed: 1\nbackground:\n  files: ["+path+"]\n  accounts: 10\n"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	h, sym := g.hist, g.hist.off
	ev := func(a replay.Action, side orderbook.Side, id uint64, px, q int64) replay.Event {
		return replay.Event{TS: t0, Action: a, Side: side, OrderID: id, Price: px, Qty: q}
	}
	// A historical ask of 100, taken whole by an injected market buy, then
	// executed by the feed in two parts.
	h.apply(g, ev(replay.ActionAdd, orderbook.Sell, 11, 1000, 100))
	if _, fills, err := g.x.Submit(sym, 5, venue.OrderRequest{Side: orderbook.Buy, Type: orderbook.Market, Qty: 100}); err != nil || len(fills) != 1 {
		t.Fatalf("the injected buy did not take the historical ask: %v %v", fills, err)
	}
	h.apply(g, ev(replay.ActionExecute, orderbook.Sell, 11, 1000, 40))
	if h.taken[[2]uint64{0, 11}] != 60 {
		t.Fatalf("after 40 of 100: taken %v", h.taken)
	}
	h.apply(g, ev(replay.ActionExecute, orderbook.Sell, 11, 1000, 60))
	// A historical bid filled on arrival by an injected ask, then cancelled.
	if _, _, err := g.x.Submit(sym, 5, venue.OrderRequest{Side: orderbook.Sell, Price: 990, Qty: 50}); err != nil {
		t.Fatal(err)
	}
	h.apply(g, ev(replay.ActionAdd, orderbook.Buy, 12, 990, 50))
	h.apply(g, ev(replay.ActionCancel, orderbook.Buy, 12, 990, 50))
	if len(h.taken) != 0 || len(h.ids) != 0 || len(h.hist) != 0 {
		t.Fatalf("left behind: taken %v, ids %v, live %v", h.taken, h.ids, h.hist)
	}
	counts := map[string]int64{}
	for _, c := range g.Counts() {
		counts[c.Kind] = c.N
	}
	if counts["historical_execute_of_order_taken_by_injection"] != 2 || counts["historical_cancel_of_order_taken_by_injection"] != 1 || counts["historical_execute_of_unknown_order"] != 0 {
		t.Fatalf("counts %v", counts)
	}
}

// TestGOOGAttacksExample: the example of attacks injected into LOBSTER's own
// GOOG book loads, pairs the message file with its orderbook file, and
// generates its labels with the book corrections flagged.
func TestGOOGAttacksExample(t *testing.T) {
	spec, g, evs := generateExample(t, "../examples/goog-attacks/spec.yaml", "lobster-goog-full-day/")
	if spec.Background.Format != "lobster" || len(spec.Background.Files) != 2 {
		t.Fatalf("example spec: %+v", spec.Background)
	}
	reconciled := 0
	for _, ev := range evs {
		if ev.Flags&replay.FlagReconciled != 0 {
			reconciled++
		}
	}
	if n := len(g.Labels()); n != 13 || reconciled == 0 || g.Fidelities()["GOOG"] != replay.FidelityL3 {
		t.Fatalf("%d labels, %d reconciled events, fidelities %v", n, reconciled, g.Fidelities())
	}
}
