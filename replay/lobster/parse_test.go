package lobster

import (
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

func TestBookRowsValidated(t *testing.T) {
	cases := []struct {
		name, row, field string // field "" = valid
	}{
		{"two levels", "5000100,10,4999900,20,5000200,5,4999800,7", ""},
		{"empty ask side", "9999999999,0,4999900,20,9999999999,0,4999800,7", ""},
		{"both sides thin", "5000100,10,-9999999999,0,9999999999,0,-9999999999,0", ""},
		{"real level after padding", "9999999999,0,4999900,20,5000200,5,4999800,7", "ask_price_2"},
		{"padding with a size", "5000100,10,-9999999999,3,9999999999,0,-9999999999,0", "bid_size_1"},
		{"zero size at a real price", "5000100,0,4999900,20,5000200,5,4999800,7", "ask_size_1"},
		{"negative size", "5000100,10,4999900,-20,5000200,5,4999800,7", "bid_size_1"},
		{"asks out of order", "5000200,10,4999900,20,5000100,5,4999800,7", "ask_price_2"},
		{"bids repeat a price", "5000100,10,4999900,20,5000200,5,4999900,7", "bid_price_2"},
		{"not a number", "5000100,10,4999900,2x0,5000200,5,4999800,7", "bid_size_1"},
		{"short row", "5000100,10,4999900,20,5000200,5,4999800", "bid_size_2"},
		{"long row", "5000100,10,4999900,20,5000200,5,4999800,7,1", "row"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "b.csv")
			os.WriteFile(p, []byte("5000100,10,4999900,20,5000200,5,4999800,7\n"+c.row+"\n"), 0o644)
			r, err := OpenBook(p)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var row BookRow
			if err := r.Next(&row); err != nil {
				t.Fatal(err)
			}
			err = r.Next(&row)
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var re *replay.RowError
			if !errors.As(err, &re) || re.Line != 2 || re.Field != c.field {
				t.Fatalf("err = %v, want line 2 field %s", err, c.field)
			}
			if !strings.HasPrefix(err.Error(), p+":2: "+c.field+": ") {
				t.Fatalf("error %q does not read file:line: field: reason", err)
			}
		})
	}
}

// TestParsersDoNotAllocatePerRow: reading message and orderbook rows, from a
// plain and from a gzipped file, allocates nothing per row in steady state.
func TestParsersDoNotAllocatePerRow(t *testing.T) {
	msgs, book := generate(5, 10, 3000)
	dir := t.TempDir()
	mp, bp := writePair(t, dir, "A", 10, msgs, book)
	gz := func(path string, b []byte) string {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		zw := gzip.NewWriter(f)
		zw.Write(b)
		zw.Close()
		f.Close()
		return path
	}
	mgz, bgz := gz(filepath.Join(dir, "m.gz.csv"), msgs), gz(filepath.Join(dir, "b.gz.csv"), book) // gzip told by magic, not name
	for _, c := range []struct{ name, msg, book string }{{"plain", mp, bp}, {"gzip", mgz, bgz}} {
		mr, err := OpenMessages(c.msg)
		if err != nil {
			t.Fatal(err)
		}
		br, err := OpenBook(c.book)
		if err != nil {
			t.Fatal(err)
		}
		var m Message
		var row BookRow
		br.Next(&row) // sizes the row's slices
		mr.Next(&m)
		allocs := testing.AllocsPerRun(1000, func() {
			if err := mr.Next(&m); err != nil {
				t.Fatal(err)
			}
			if err := br.Next(&row); err != nil {
				t.Fatal(err)
			}
		})
		mr.Close()
		br.Close()
		if allocs != 0 {
			t.Errorf("%s: %v allocations per message+book row", c.name, allocs)
		}
		if br.Levels() != 10 {
			t.Errorf("%s: %d levels", c.name, br.Levels())
		}
	}
}

// TestTimesBeyondTheNanosecond: LOBSTER files written with float printing
// carry times such as "43002.632812672004"; they stopped every command at
// that row ("more than 9 decimals"). They are rounded half up to the
// nanosecond and counted.
func TestTimesBeyondTheNanosecond(t *testing.T) {
	for _, c := range []struct {
		in      string
		ns      int64
		rounded bool
	}{
		{"34200", 34200e9, false},
		{"34200.1", 34200e9 + 1e8, false},
		{"34200.015105074", 34200e9 + 15105074, false},
		{"43002.632812672004", 43002e9 + 632812672, true},
		{"43002.6328126725", 43002e9 + 632812673, true},
		{"34200.9999999996", 34201e9, true},
		{"34200.0000000004999", 34200e9, true},
	} {
		ns, rounded, err := parseSeconds([]byte(c.in))
		if err != nil || ns != c.ns || rounded != c.rounded {
			t.Errorf("%s: %d, rounded %v, %v; want %d, rounded %v", c.in, ns, rounded, err, c.ns, c.rounded)
		}
	}
	for _, bad := range []string{"34200.12x", "-1.5", "200000.1", "34200.0000000001e"} {
		if _, _, err := parseSeconds([]byte(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

// FuzzIntField holds intField — a field of up to seven digits read in one
// word, the rest a byte at a time — to field then parseInt.
func FuzzIntField(f *testing.F) {
	for _, s := range []string{"5859400,200", "1,2", ",5", ",2345678,9", "-234567,8", "-5,3", "+7,1", "1234567,", "12345678,9", "9999999999,0", "-9999999999", "12a4567,1", "123/567,1", "00000001,2", "4611686018427387904,1", "", "7"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fld, wantRest := field(b)
		want, err := parseInt(fld)
		v, rest, ok := intField(b)
		if ok != (err == nil) {
			t.Fatalf("intField(%q) ok %v; parseInt(%q) err %v", b, ok, fld, err)
		}
		if ok && (v != want || string(rest) != string(wantRest) || (rest == nil) != (wantRest == nil)) {
			t.Fatalf("intField(%q) = %d, %q; want %d, %q", b, v, rest, want, wantRest)
		}
	})
}
