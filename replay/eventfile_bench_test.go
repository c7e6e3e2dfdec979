package replay

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/tapetest/tapetest/orderbook"
)

var benchFile struct {
	once sync.Once
	path string
	rows int
}

// benchEventFile writes (once per test binary) a 10M-row canonical file with
// realistic values: increasing timestamps, three symbols, prices near a level;
// default row groups (1M rows), so ten of them.
func benchEventFile(b *testing.B) (string, int) {
	benchFile.once.Do(func() {
		dir, err := os.MkdirTemp("", "tapetest-bench-")
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, "events.parquet")
		const n = 10_000_000
		w, err := CreateEventFile(p, EventFileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		w.SetInstruments(testInstruments)
		chunk := synthRealistic(0, 1<<16)
		for i := 0; i < n; i += len(chunk) {
			chunk = synthRealistic(i, min(len(chunk), n-i))
			if err := w.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		benchFile.path, benchFile.rows = p, n
	})
	return benchFile.path, benchFile.rows
}

// synthRealistic makes n market-like events starting at index base.
func synthRealistic(base, n int) []Event {
	evs := make([]Event, n)
	x := uint64(base)*0x9E3779B97F4A7C15 + 1
	for i := range evs {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		k := base + i
		evs[i] = Event{
			TS: 1_700_000_000_000_000_000 + int64(k)*1000 + int64(x%1000), Seq: uint64(k + 1), Symbol: uint32(x % 3),
			Action: Action(1 + (x>>8)%3), Side: 1 + orderbook.Side(x>>12)%2, OrderID: uint64(k/2 + 1), Account: (x >> 16) % 5000,
			Price: 6_000_000 + int64((x>>20)%400) - 200, Qty: int64(1 + (x>>30)%100),
		}
	}
	return evs
}

// BenchmarkEventFileDecode reads the whole 10M-row file; run with -cpu 1 and
// -cpu 2 (Parallel follows GOMAXPROCS).
func BenchmarkEventFileDecode(b *testing.B) {
	p, rows := benchEventFile(b)
	buf := make([]Event, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := OpenEventFile(p, EventFileReadOptions{Parallel: runtime.GOMAXPROCS(0)})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Read(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// peakHeapReading reads path and samples the heap in use (after a GC) every
// row group's worth of events; it returns the largest sample.
func peakHeapReading(t testing.TB, path string, parallel int) (peak uint64, rows int64) {
	r, err := OpenEventFile(path, EventFileReadOptions{Parallel: parallel})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ms runtime.MemStats
	runtime.GC()
	buf := make([]Event, 4096)
	next := int64(0)
	for {
		n, err := r.Read(buf)
		rows += int64(n)
		if rows >= next {
			runtime.GC() // count what is live, not garbage awaiting collection
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			next += int64(r.pf.RowGroups()[0].NumRows())
		}
		if err == io.EOF {
			return peak, rows
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestEventFileReaderMemoryIsFlat: reading a file ten times larger (in row
// groups) keeps the same peak heap: memory is bounded by the row groups in
// flight, not by the file.
func TestEventFileReaderMemoryIsFlat(t *testing.T) {
	const rg = 20_000
	dir := t.TempDir()
	peaks := map[int]uint64{}
	for _, groups := range []int{3, 30} {
		p := filepath.Join(dir, fmt.Sprintf("%d.parquet", groups))
		w, err := CreateEventFile(p, EventFileOptions{RowGroupSize: rg})
		if err != nil {
			t.Fatal(err)
		}
		w.SetInstruments(testInstruments)
		for i := 0; i < groups; i++ {
			if err := w.Write(synthRealistic(i*rg, rg)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		peak, rows := peakHeapReading(t, p, 2)
		if rows != int64(groups*rg) {
			t.Fatalf("read %d rows, want %d", rows, groups*rg)
		}
		peaks[groups] = peak
		t.Logf("%d row groups of %d rows: peak heap in use %.1f MiB", groups, rg, float64(peak)/(1<<20))
	}
	// Allow for the GC's own slack; a reader holding the file would need
	// ten times the memory.
	if float64(peaks[30]) > 1.5*float64(peaks[3])+(4<<20) {
		t.Fatalf("peak heap grew with the file: %d -> %d bytes", peaks[3], peaks[30])
	}
}

// BenchmarkEventFilePeakHeap reads the 10M-row file (ten default row groups)
// and reports the largest heap in use (after a GC) sampled once per row group.
func BenchmarkEventFilePeakHeap(b *testing.B) {
	p, rows := benchEventFile(b)
	b.ReportAllocs()
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		pk, n := peakHeapReading(b, p, runtime.GOMAXPROCS(0))
		if n != int64(rows) {
			b.Fatalf("read %d rows", n)
		}
		peak = max(peak, pk)
	}
	st, _ := os.Stat(p)
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkEventFileWrite writes 1M events.
func BenchmarkEventFileWrite(b *testing.B) {
	evs := synthRealistic(0, 1_000_000)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := CreateEventFile(filepath.Join(dir, "w.parquet"), EventFileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		w.SetInstruments(testInstruments)
		if err := w.Write(evs); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchFile.path != "" {
		os.RemoveAll(filepath.Dir(benchFile.path))
	}
	os.Exit(code)
}
