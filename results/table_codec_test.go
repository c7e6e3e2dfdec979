package results

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/parquet-go/parquet-go/compress/zstd"
)

// TestTableCodecIsParquetGos: the tables' codec writes the bytes
// parquet-go's zstd codec at its default level writes, for pages from empty
// to past the encoder's window, repetitive and random, and reads them back.
func TestTableCodecIsParquetGos(t *testing.T) {
	theirs := &zstd.Codec{Level: zstd.SpeedDefault}
	ours := &zstdTableCodec{}
	r := rand.New(rand.NewPCG(8, 9))
	words := [][]byte{[]byte("wash_pairs{window=1m0s}"), []byte("BTCUSDT"), []byte("3 round trips within 13.6s"), {0, 0, 0, 1}, []byte("A1f2e3d4c5b6a7980")}
	sizes := []int{0, 1, 100, 4096, 1 << 17, smallWindow - 1, smallWindow, smallWindow + 1, 1<<20 + 3, 9 << 20}
	for range 120 { // pages one after another through the same pooled encoders, as a table's columns go
		sizes = append(sizes, r.IntN(smallWindow+1))
	}
	for _, n := range sizes {
		for _, kind := range []string{"repetitive", "random"} {
			src := make([]byte, 0, n)
			for len(src) < n {
				if kind == "random" {
					src = append(src, byte(r.Uint32()))
				} else {
					src = append(src, words[r.IntN(len(words))]...)
				}
			}
			src = src[:n]
			want, err := theirs.Encode(nil, src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ours.Encode(nil, src)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s page of %d bytes: %d compressed bytes differ from parquet-go's %d", kind, n, len(got), len(want))
			}
			back, err := ours.Decode(nil, got)
			if err != nil || !bytes.Equal(back, src) {
				t.Fatalf("%s page of %d bytes: read back %d bytes, %v", kind, n, len(back), err)
			}
		}
	}
}
