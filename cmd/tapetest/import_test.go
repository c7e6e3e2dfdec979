package main

import (
	"strings"
	"testing"
)

func TestImportFormatListIsComplete(t *testing.T) {
	if got, want := formatList(), strings.Join(sortedCopy(importFormatNames(), formatList()), ", "); got != want {
		t.Fatalf("--format help lists %q; registered formats are %q", got, strings.Join(importFormatNames(), ", "))
	}
}

// sortedCopy orders names as they appear in the help text, failing the
// comparison if a name is missing from either.
func sortedCopy(names []string, help string) []string {
	out := make([]string, 0, len(names))
	for _, h := range strings.Split(help, ", ") {
		for _, n := range names {
			if n == h {
				out = append(out, n)
			}
		}
	}
	if len(out) != len(names) {
		return names
	}
	return out
}
