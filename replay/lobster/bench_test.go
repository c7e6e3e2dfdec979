package lobster

import (
	"context"
	"io"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
)

const (
	googMsg10  = "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"
	googBook10 = "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz"
)

// BenchmarkImportGOOGPlain is BenchmarkImportGOOG on the decompressed file
// (in the page cache): the parser and event mapping without gunzip.
func BenchmarkImportGOOGPlain(b *testing.B) {
	benchmarkImport(b, realdata.Decompressed(b, googMsg10))
}

// BenchmarkVerifyGOOG runs the whole check on the GOOG level-10 day: both
// files parsed, every message applied, 10 levels a side compared. gz reads
// the files as published (each decompressed on a goroutine of its own);
// plain reads them decompressed beforehand (in the page cache): the check's
// own speed.
func BenchmarkVerifyGOOG(b *testing.B) {
	for _, c := range []struct{ name, msg, book string }{
		{"gz", realdata.Path(b, googMsg10), realdata.Path(b, googBook10)},
		{"plain", realdata.Decompressed(b, googMsg10), realdata.Decompressed(b, googBook10)},
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

// BenchmarkBookFileGOOG parses the GOOG level-10 orderbook file (decompressed
// beforehand): the half of verify that runs ahead on its own goroutine.
func BenchmarkBookFileGOOG(b *testing.B) {
	path := realdata.Decompressed(b, googBook10)
	var rows int64
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r, err := OpenBook(path)
		if err != nil {
			b.Fatal(err)
		}
		var row BookRow
		for rows = 0; ; rows++ {
			if err := r.Next(&row); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
