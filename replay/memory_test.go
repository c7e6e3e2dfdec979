package replay

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
)

// peakHeapReplaying replays an event file of rowGroups row groups through Run
// and returns the largest live heap sampled after each batch.
func peakHeapReplaying(t *testing.T, rowGroups int) (uint64, int64) {
	t.Helper()
	const rg = 50_000
	p := filepath.Join(t.TempDir(), "big.parquet")
	w, err := CreateEventFile(p, EventFileOptions{RowGroupSize: rg})
	if err != nil {
		t.Fatal(err)
	}
	w.SetInstruments(testInstruments)
	for i := 0; i < rowGroups; i++ {
		if err := w.Write(synthRealistic(i*rg, rg)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenEventFile(p, EventFileReadOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	runtime.GC()
	var peak uint64
	var ms runtime.MemStats
	var batches int
	st, err := Run(context.Background(), r, nil, RunOptions{Progress: func(int64, int64) {
		batches++
		if batches%8 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	return peak, st.Events
}

// TestReplayMemoryIsFlat: replaying a file ten times larger keeps the same
// peak heap (bounded by row groups and batches, not by file size).
func TestReplayMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2.2M events")
	}
	small, n1 := peakHeapReplaying(t, 4)
	large, n10 := peakHeapReplaying(t, 40)
	t.Logf("peak heap in use: %d events → %.1f MiB; %d events → %.1f MiB", n1, float64(small)/(1<<20), n10, float64(large)/(1<<20))
	if float64(large) > 1.5*float64(small) { // 10× the data; growth with file size would be ~10×
		t.Fatalf("peak heap grew with file size: %d → %d bytes", small, large)
	}
}
