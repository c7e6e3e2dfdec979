package replay

import (
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
// realistic values: increasing timestamps, three symbols, prices near a level.
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
