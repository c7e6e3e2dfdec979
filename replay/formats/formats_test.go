package formats

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
)

func TestRegistry(t *testing.T) {
	want := []string{"binance-aggtrades", "binance-depth", "binance-trades", "bitmex-l2", "ccxt-trades", "coinbase-l2", "kraken-book", "lobster", "orders", "parquet", "tardis-book", "tardis-trades"}
	got := Names()
	if len(got) != len(want) {
		t.Fatalf("formats %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("formats %v, want %v", got, want)
		}
		spec, open, err := registry.Lookup(want[i])
		if err != nil || spec.Summary == "" || open == nil || spec.Kind != component.Format {
			t.Fatalf("format %s: incomplete registration: %v", want[i], err)
		}
		if _, ok := spec.Param("skip_bad"); !ok {
			t.Fatalf("format %s: no skip_bad parameter", want[i])
		}
	}
	if Has("nope") {
		t.Fatal("an unknown format was found")
	}
	if _, err := Open("nope", nil, nil); err == nil || !strings.Contains(err.Error(), "unknown format (registered: binance-aggtrades,") {
		t.Fatalf("unknown format: %v", err)
	}
	if _, err := Open("lobster", nil, map[string]any{"skipbad": true}); err == nil || !strings.Contains(err.Error(), "format lobster: parameter skipbad: unknown parameter (valid: skip_bad, symbol)") {
		t.Fatalf("unknown parameter: %v", err)
	}
}

func TestOpenReadsAFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(p, []byte("timestamp,side,price,amount\n1700000000000,buy,1.5,2\n1700000001000,sell,1.4,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := Open("ccxt-trades", []string{p}, map[string]any{"symbol": "X"})
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
