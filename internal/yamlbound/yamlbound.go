// Package yamlbound bounds what a YAML file tapetest reads (a spec, a gate
// policy) may cost before it reaches the parser: the parser's time and memory
// grow with the square of the nesting depth (100 KB of nested brackets took
// 3.8 GB and 46 s), so size and flow nesting are checked first.
package yamlbound

import "fmt"

// Limits of a YAML input.
const (
	MaxBytes = 4 << 20 // a spec is kilobytes
	MaxDepth = 64      // nested [ and { (flow collections)
)

// Check refuses data larger than MaxBytes or with flow collections nested
// deeper than MaxDepth, naming the line. Brackets inside quoted strings and
// comments do not count.
func Check(data []byte) error {
	if len(data) > MaxBytes {
		return fmt.Errorf("%d bytes: more than the %d MiB a YAML input may have", len(data), MaxBytes>>20)
	}
	depth, line := 0, 1
	var quote byte
	comment := false
	for i, c := range data {
		switch {
		case c == '\n':
			line++
			comment = false
			continue
		case comment:
			continue
		case quote != 0:
			if c == quote && (quote == '\'' || i == 0 || data[i-1] != '\\') {
				quote = 0
			}
			continue
		}
		switch c {
		case '#':
			comment = i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n'
		case '"', '\'':
			// A quote opens a string at the start of a scalar only; inside
			// a plain word (it's) it is a character.
			if i == 0 || isBoundary(data[i-1]) {
				quote = c
			}
		case '[', '{':
			if depth++; depth > MaxDepth {
				return fmt.Errorf("line %d: collections nested more than %d deep", line, MaxDepth)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

func isBoundary(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '[', '{', ',', ':', '-':
		return true
	}
	return false
}
