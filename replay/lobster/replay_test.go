package lobster

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
)

type countingConsumer struct {
	records, fills int64
	outcomes       [3]int64
}

func (c *countingConsumer) Name() string                                 { return "count" }
func (c *countingConsumer) Start(context.Context, *replay.RunInfo) error { return nil }
func (c *countingConsumer) Finish(context.Context) error                 { return nil }
func (c *countingConsumer) Consume(_ context.Context, b *replay.Batch) error {
	c.records += int64(len(b.Records))
	c.fills += int64(len(b.Fills))
	for i := range b.Records {
		c.outcomes[b.Records[i].Outcome]++
	}
	return nil
}

// TestImportAndReplayGOOG: the GOOG level-10 day imports to a canonical
// Parquet file that reads back event for event, and replays through the
// engine; messages for orders the window never showed are reconciled and
// counted, and every visible and hidden execution yields a fill.
func TestImportAndReplayGOOG(t *testing.T) {
	msg := realdata.Path(t, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz")
	src, err := NewSource(msg, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	src.Close()
	p := filepath.Join(t.TempDir(), "goog.parquet")
	w, err := replay.CreateEventFile(p, replay.EventFileOptions{RowGroupSize: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	w.SetInstruments(src.Instruments())
	if err := w.Write(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := replay.OpenEventFile(p, replay.EventFileReadOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := &countingConsumer{}
	st, err := replay.Run(context.Background(), r, []replay.Consumer{c}, replay.RunOptions{})
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 147916 || c.records != st.Events {
		t.Fatalf("replayed %d events, consumer saw %d", st.Events, c.records)
	}
	// 7,765 visible and 3,913 hidden executions: each yields exactly one fill,
	// except visible executions of orders the window never showed, which are
	// reconciled. Adds never trade (the feed reports executions) and nothing is rejected.
	counts := map[string]int64{}
	for _, k := range st.Counts {
		counts[k.Kind] = k.N
	}
	if want := 3913 + 7765 - counts["execute_unknown_order"]; c.fills != want || c.outcomes[replay.Rejected] != 0 || c.outcomes[replay.Reconciled] == 0 {
		t.Fatalf("fills %d (want %d) outcomes %v counts %v", c.fills, want, c.outcomes, st.Counts)
	}
	t.Logf("fills=%d outcomes(applied,rejected,reconciled)=%v counts=%v", c.fills, c.outcomes, st.Counts)
}
