package formats

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

func TestRegistry(t *testing.T) {
	want := []string{"binance-aggtrades", "binance-depth", "binance-trades", "ccxt-trades", "lobster", "parquet", "tardis-book", "tardis-trades"}
	got := Names()
	if len(got) != len(want) {
		t.Fatalf("formats %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("formats %v, want %v", got, want)
		}
		f, ok := Lookup(want[i])
		if !ok || f.Usage == "" || f.Open == nil {
			t.Fatalf("format %s: incomplete registration", want[i])
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Fatal("an unknown format was found")
	}
}

func TestOpenReadsAFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(p, []byte("timestamp,side,price,amount\n1700000000000,buy,1.5,2\n1700000001000,sell,1.4,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _ := Lookup("ccxt-trades")
	src, err := f.Open([]string{p}, Options{Symbol: "X"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	n := 0
	for {
		evs := make([]replay.Event, 8)
		k, err := src.Read(evs)
		n += k
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if n != 2 {
		t.Fatalf("read %d events, want 2", n)
	}
}
