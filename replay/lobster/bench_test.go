package lobster

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
)

const (
	googMsg10  = "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"
	googBook10 = "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz"
)

// gunzipTo writes the decompressed content of a gzip file to dir and returns its path.
func gunzipTo(b *testing.B, src, dir string) string {
	f, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, filepath.Base(src[:len(src)-3]))
	out, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		b.Fatal(err)
	}
	out.Close()
	return p
}

// BenchmarkImportGOOGPlain is BenchmarkImportGOOG on the decompressed file
// (in the page cache): the parser and event mapping without gunzip.
func BenchmarkImportGOOGPlain(b *testing.B) {
	benchmarkImport(b, gunzipTo(b, realdata.Path(b, googMsg10), b.TempDir()))
}

// BenchmarkVerifyGOOG runs the whole check on the GOOG level-10 day: both
// files parsed, every message applied, 10 levels a side compared. gz reads
// the files as published (each decompressed on a goroutine of its own);
// plain reads them decompressed beforehand (in the page cache): the check's
// own speed.
func BenchmarkVerifyGOOG(b *testing.B) {
	m, bk := realdata.Path(b, googMsg10), realdata.Path(b, googBook10)
	dir := b.TempDir()
	for _, c := range []struct{ name, msg, book string }{
		{"gz", m, bk},
		{"plain", gunzipTo(b, m, dir), gunzipTo(b, bk, dir)},
	} {
		b.Run(c.name, func(b *testing.B) {
			var rows int64
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				rep, err := Verify(context.Background(), c.msg, c.book, VerifyOptions{})
				if err != nil {
					b.Fatal(err)
				}
				rows = rep.Rows
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkEngineGOOG replays the preloaded GOOG level-10 day through the
// replay engine (books, records in batches, one consumer that only counts).
func BenchmarkEngineGOOG(b *testing.B) {
	src, err := NewSource(realdata.Path(b, googMsg10), SourceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	evs, err := replay.ReadAll(src)
	if err != nil {
		b.Fatal(err)
	}
	insts := src.Instruments()
	src.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &countingConsumer{}
		if _, err := replay.Run(context.Background(), replay.NewMemSource(insts, evs), []replay.Consumer{c}, replay.RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*len(evs))
	b.ReportMetric(ns, "ns/event")
	b.ReportMetric(1e9/ns, "events/s")
}
