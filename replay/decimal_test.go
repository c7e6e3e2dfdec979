package replay

import (
	"fmt"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	cases := []struct {
		s    string
		exp  int
		want int64
		ok   bool
	}{
		{"61737.63000000", 2, 6173763, true},
		{"61737.63000000", 8, 6173763000000, true},
		{"1.36e-06", 10, 13600, true},
		{"1.36E-6", 8, 136, true},
		{"2.5e3", 0, 2500, true},
		{"-0.5", 1, -5, true},
		{"+7", 0, 7, true},
		{"0", 8, 0, true},
		{".5", 1, 5, true},
		{"1.234", 2, 0, false},
		{"1e-9", 8, 0, false},
		{"abc", 2, 0, false},
		{"1.2.3", 2, 0, false},
		{"", 2, 0, false},
		{"1e", 2, 0, false},
		{"99999999999999999999", 0, 0, false},
		{"9e18", 2, 0, false},
		{"-+5", 0, 0, false}, // read as −5 before: one sign at most
		{"+-5", 0, 0, false},
		{"--5", 0, 0, false},
		{"1e-+3", 3, 0, false},
		{"1e+3", 0, 1000, true},
	}
	for _, c := range cases {
		got, err := ParseDecimal(c.s, c.exp)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseDecimal(%q, %d) = %d, %v; want %d ok=%v", c.s, c.exp, got, err, c.want, c.ok)
		}
	}
	for s, d := range map[string]int{"1.2500": 2, "1.36e-06": 8, "100": 0, "2.5e3": 0, "x": -1} {
		if got := Decimals(s); got != d {
			t.Errorf("Decimals(%q) = %d, want %d", s, got, d)
		}
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1.5", "1e-3", "-0", "9999999999.99999999", "61737.63000000", "0.00000001", "1.", ".5", ".", "", "1.2.3", "000000000000000000000001.5", "9223372036.85477580"} {
		f.Add(s, 8)
	}
	// The digits past the exponent's: zeros read or not, and what is not zeros.
	for _, s := range []string{"65432.10000000", "65432.10000001", "65432.1000000.", "1.000000000000000000000", "123456789012345.6700000", "0.00000000", "5.00", "5.", "0.50"} {
		f.Add(s, 2)
		f.Add(s, 0)
	}
	// Eight decimals read at once: a non-digit at either end of the eight, a ninth.
	for _, s := range []string{"1.1234567a", "1./2345678", "1.12345678", "1.123456789", "12.0000000:", "0.99999999", "99999999.99999999", "999999999.999999999", "1234567890.12345678"} {
		f.Add(s, 8)
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, exp int) {
		if exp < 0 || exp > 18 {
			return
		}
		v, err := ParseDecimal(s, exp)
		if vb, errb := ParseDecimalBytes([]byte(s), exp); vb != v || (errb == nil) != (err == nil) || err != nil && errb.Error() != err.Error() {
			t.Fatalf("ParseDecimalBytes(%q, %d) = %d, %v; ParseDecimal gives %d, %v", s, exp, vb, errb, v, err)
		}
		if err == nil && Decimals(s) > exp {
			t.Fatalf("%q parsed to %d with exp %d but has %d decimals", s, v, exp, Decimals(s))
		}
	})
}

// BenchmarkParseDecimalBytes parses a Binance depth level's price and
// quantity (eight decimals on the wire) at a coarser and at the full
// exponent.
func BenchmarkParseDecimalBytes(b *testing.B) {
	price, qty := []byte("65432.10000000"), []byte("0.01234000")
	for _, exp := range []int{2, 8} {
		b.Run(fmt.Sprintf("exp=%d", exp), func(b *testing.B) {
			for b.Loop() {
				ParseDecimalBytes(price, exp)
				ParseDecimalBytes(qty, 8)
			}
		})
	}
}
