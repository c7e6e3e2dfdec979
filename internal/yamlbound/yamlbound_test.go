package yamlbound

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name, in string
		err      string
	}{
		{"a spec", "name: x\ninstruments:\n  - {symbol: X, params: {a: [1, 2]}}\n", ""},
		{"brackets in strings and comments", "a: \"[[[[\" # {{{{\nb: '{{{{'\nc: it's [1]\n", ""},
		{"deep flow nesting", "a: " + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1) + "\n", "line 1: collections nested more than 64 deep"},
		{"100 KB of brackets", "x:\n  " + strings.Repeat("[", 100_000), "line 2"},
		{"too large", strings.Repeat("a: 1\n", MaxBytes/5+1), "more than the 4 MiB"},
	} {
		err := Check([]byte(c.in))
		if (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
	}
}
