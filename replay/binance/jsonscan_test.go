package binance

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzFieldsAgreeWithEncodingJSON: every object encoding/json accepts, the
// scanner reads whole, with the same keys (unescaped) and values (compared
// compacted) — the eight-bytes-at-a-time string scan included.
func FuzzFieldsAgreeWithEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { "a" : 1 } `, `{"e":"bookTicker","E":1}`,
		`{"u":50093239697,"s":"BTCUSDT","b":"61832.00000000","B":"0.00909000","a":"61832.01000000","A":"1.27475000"}`,
		`{"k\"ey":"v\\al\"ue","n":[1,{"x":"]}\""},[]],"t":true,"f":null}`,
		`{"b":[["61737.63000000","0.00000000"],["1","2"]],"a":[]}`,
		"{\"\\u0041\":\"\\u00e9\\n\",\t\"x\"\r\n:\n-1.5e-7}",
		`{"a":"abcdefg\"","b":"abcdefgh\\","c":"\\\\\\\\\\\\\\\\"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want map[string]json.RawMessage
		if !utf8.Valid(b) || json.Unmarshal(b, &want) != nil || want == nil {
			return // not an object encoding/json reads (or bytes it would replace)
		}
		got := map[string][]byte{}
		end, err := fields(b, func(k, rest []byte) (int, error) {
			n, err := skipValue(rest, 0)
			if err == nil {
				got[string(k)] = rest[:n]
			}
			return n, err
		})
		if err == nil {
			err = trailing(b, end)
		}
		if err != nil {
			t.Fatalf("%q: the scanner refused a valid object: %v", b, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d keys, encoding/json %d", b, len(got), len(want))
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok {
				t.Fatalf("%q: key %q missing", b, k)
			}
			var cw, cg bytes.Buffer
			if json.Compact(&cw, w) != nil || json.Compact(&cg, g) != nil || !bytes.Equal(cw.Bytes(), cg.Bytes()) {
				t.Fatalf("%q: key %q: value %q, encoding/json %q", b, k, g, w)
			}
		}
	})
}
