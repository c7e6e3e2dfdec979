package lobster

import (
	"bytes"
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

// FuzzFastRowIsParseRow holds rowDelta's parse of a row on its own — a
// row's numbers read and then checked in one pass — to parseRow, which
// checks one field at a time and names the error: a row one accepts the
// other accepts, with the same levels. It fails when the fast parse lets a
// row through that parseRow refuses (levels out of order, a placeholder
// with a size, a level after an empty one, a column too many) or refuses a
// well-formed one.
func FuzzFastRowIsParseRow(f *testing.F) {
	for _, s := range []string{
		"5859400,200,5859100,300", "5859400,200,5859100,300,5859500,100,5859000,18",
		"9999999999,0,5859100,300,9999999999,0,5859000,18", "5859400,200,-9999999999,0,5859500,100,-9999999999,0", "5859400,200,-9999999999,0,5859500,100,5859000,18",
		"5859400,200,5859100,300,5859400,100,5859000,18", "5859400,200,5859100,300,5859500,100,5859100,18",
		"9999999999,0,5859100,300,5859500,100,5859000,18", "9999999999,5,5859100,300", "5859400,0,5859100,300",
		"5859400,200,5859100,300,", "5859400,200,5859100", "5859400,200,5859100,300,1", "-5859400,200,5859100,300",
		"+5859400,200,5859100,300", "5859400,200,0,300", "00005859400,200,5859100,300",
	} {
		for levels := byte(0); levels <= 2; levels++ {
			f.Add([]byte(s), levels)
		}
	}
	f.Fuzz(func(t *testing.T, line []byte, levels byte) {
		n := 1 + int(levels%4)
		r := &BookReader{lr: &lineReader{file: "book.csv"}, levels: n}
		var fast, slow BookRow
		var d rowDelta
		fastOK := d.parse(line, n, &fast)
		err := r.parseRow(line, &slow)
		if fastOK != (err == nil) {
			t.Fatalf("%q at %d levels: fast parse %v, parseRow %v", line, n, fastOK, err)
		}
		if fastOK && !sameRow(&fast, &slow) {
			t.Fatalf("%q: fast parse %+v, parseRow %+v", line, fast, slow)
		}
	})
}

// FuzzParseMessageFastIsParseMessage holds parseMessageFast — the time's
// nine decimals in one word, the rest a field a word — to parseMessage: a
// row the fast path accepts, parseMessage accepts unrounded with the same
// message, and every row parseMessage accepts with nine decimals and
// plain fields the fast path accepts too.
func FuzzParseMessageFastIsParseMessage(f *testing.F) {
	for _, s := range []string{
		"34200.004241176,1,16113575,18,5853300,1", "34200.025348214,3,16120456,100,5853700,-1",
		"57599.999999999,4,287142828,100,5809700,-1", "34200.189607601,5,0,1,5807100,-1", "34713.685155243,7,-1,1,-1,2",
		"34200.00424117,1,16113575,18,5853300,1", "34200.0042411765,1,16113575,18,5853300,1", "172801.004241176,1,1,1,1,1",
		"34200.004241176,8,1,1,1,1", "34200.004241176,1,-5,1,1,1", "34200.004241176,1,5,0,1,1", "34200.004241176,1,5,1,0,1",
		"34200.004241176,1,5,1,1,+1", "34200.004241176,1,5,1,1,01", "34200.004241176,1,5,1,1,-1,", "+4200.004241176,1,5,1,1,1",
		"34200.0042x1176,1,5,1,1,1", ".004241176,1,5,1,1,1", "34200.004241176,1,5,1,1",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast, slow Message
		fastOK := parseMessageFast(b, &fast)
		rounded, err := parseMessage(b, &slow, "m.csv", 1)
		if fastOK && (err != nil || rounded || fast != slow) {
			t.Fatalf("%q: fast %+v; parseMessage %+v rounded %v err %v", b, fast, slow, rounded, err)
		}
		if !fastOK && err == nil && plainMessage(b) {
			t.Fatalf("%q: the fast path refused a row parseMessage reads: %+v", b, slow)
		}
	})
}

// plainMessage reports whether b is seconds of up to seven digits, nine
// decimals and five unsigned fields but the last, "1" or "-1".
func plainMessage(b []byte) bool {
	parts := bytes.Split(b, []byte{','})
	if len(parts) != 6 {
		return false
	}
	sec, frac, ok := bytes.Cut(parts[0], []byte{'.'})
	if !ok || len(sec) < 1 || len(sec) > 7 || len(frac) != 9 || !allDigits(sec) || !allDigits(frac) {
		return false
	}
	for _, p := range parts[1:5] {
		if len(p) == 0 || len(p) > 18 || !allDigits(p) {
			return false
		}
	}
	return string(parts[5]) == "1" || string(parts[5]) == "-1"
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// FuzzRowDeltaIsParseRow holds the parse of each row against the row
// before it (rowDelta: only the fields between the text the two rows share
// at their start and at their end are parsed) to parseRow on the row
// alone, row after row: the same answer and the same levels for every row
// of the input, its lines the rows. A field kept from the row before that
// changed — a shared start or end taken a byte too far, a field count off
// by one where a row gains or loses a level, a field's old value kept after
// a row that failed — fails it.
func FuzzRowDeltaIsParseRow(f *testing.F) {
	for _, s := range []string{
		"5859400,200,5859100,300,5859500,100,5859000,18\n5859400,200,5859100,300,5859500,100,5859000,18\n5859400,100,5859100,300,5859500,100,5859000,18\n5859400,100,5859200,300,5859500,100,5859000,18",
		"5859400,200,5859100,300,5859500,100,5859000,18\n5859300,5,5859100,300,5859400,200,5859000,18\n5859400,200,5859100,300,5859500,100,5859000,18",
		"5859400,200,5859100,300,5859500,100,5859000,18\n5859400,200,5859100,300,9999999999,0,5859000,18\n5859400,200,5859100,300,9999999999,0,-9999999999,0",
		"5859400,200,5859100,300,5859500,100,5859000,18\n5859400,2000,5859100,300,5859500,100,5859000,18\n5859400,20,5859100,300,5859500,100,5859000,18\n5859400,20,5859100,300,5859500,100,5859000,1\n5859400,20,5859100,300,5859500,100,5859000,1,",
		"5859400,200,5859100,300,5859500,100,5859000,18\n5859400,200,5859x00,300,5859500,100,5859000,18\n5859400,200,5859100,300,5859500,100,5859000,18",
		"1,1,9,1,2,1,8,1\n12,1,9,1,13,1,8,1\n1,12,9,1,2,1,8,1\n11,1,9,1,12,1,8,1",
		"5859400,200,5859100,300,5859500,100,5859000,18\n5859400,200,5859100,300,5859500,100,5859000,18,1\n5859400,200,5859100,300,5859500,100,5859000",
		"9999999999,0,5859100,300,9999999999,0,5859000,18\n9999999999,0,5859100,3000,9999999999,0,5859000,18\n9999999999,0,-9999999999,0,9999999999,0,-9999999999,0\n9999999999,0,-9999999999,0,9999999999,0,-9999999999,0",
	} {
		for _, levels := range []byte{0, 1} {
			f.Add([]byte(s), levels)
		}
	}
	f.Fuzz(func(t *testing.T, input []byte, levels byte) {
		n := deltaLevels + int(levels%3) // rows the reader parses against the row before
		r := &BookReader{lr: &lineReader{file: "book.csv"}, levels: n}
		var d rowDelta
		for i, line := range bytes.Split(input, []byte{'\n'}) {
			var fast, slow BookRow
			fastOK := d.parse(line, n, &fast)
			err := r.parseRow(line, &slow)
			if fastOK != (err == nil) {
				t.Fatalf("row %d %q at %d levels: delta parse %v, parseRow %v", i, line, n, fastOK, err)
			}
			if fastOK && !sameRow(&fast, &slow) {
				t.Fatalf("row %d %q: delta parse %+v, parseRow %+v", i, line, fast, slow)
			}
		}
	})
}
