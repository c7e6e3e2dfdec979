package binance

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/tapetest/tapetest/internal/swar"
)

// The feed's JSON is read by a small scanner instead of encoding/json:
// Binance names fields that differ only by case ("e" the event type and "E"
// its time, "b" bid price and "B" bid size, "m" and "M"), and encoding/json
// matches object keys case-insensitively when no exact field exists — a
// futures bookTicker ("e":"bookTicker" beside "E":<ms>) failed to decode on
// its second line. Keys here match byte for byte, and values are sliced from
// the line without decoding what is not needed.

// errSyntax is malformed JSON.
var errSyntax = errors.New("malformed JSON")

// fields reads the JSON object at the start of b and returns its end. For
// each key, fn reads the value at the start of rest and returns its length:
// a value is scanned once, by whoever decodes it (a feed line's levels used
// to be scanned three times — as part of "data", as a value, as levels).
func fields(b []byte, fn func(key, rest []byte) (int, error)) (int, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return 0, errors.New("not a JSON object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, errSyntax
		}
		key, end, err := stringAt(b, i)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, errSyntax
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return 0, errSyntax
		}
		n, err := fn(key, b[i:])
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, i+n)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		return 0, errSyntax
	}
}

// intAt decodes the integer value at the start of rest and returns its
// length.
func intAt(rest []byte) (int64, int, error) {
	raw, n, err := scalar(rest)
	if err != nil {
		return 0, 0, err
	}
	v, err := jsonInt(raw)
	return v, n, err
}

// scalar is the value at the start of rest (a string, number or literal)
// and its length; a container is skipped whole.
func scalar(rest []byte) ([]byte, int, error) {
	n, err := skipValue(rest, 0)
	if err != nil {
		return nil, 0, err
	}
	return rest[:n], n, nil
}

// stringValue decodes the JSON string at the start of rest and returns its
// length: one pass over it (a scalar then jsonBytes was two).
func stringValue(rest []byte) ([]byte, int, error) {
	if len(rest) == 0 || rest[0] != '"' {
		return nil, 0, errors.New("not a string")
	}
	return stringAt(rest, 0)
}

// trailing checks that only spaces follow position i.
func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errors.New("data after the JSON object")
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// The bytes skipValue stops at inside an object or a list.
const (
	classQuote = 1 + iota
	classOpen
	classClose
)

var jsonClass = [256]uint8{'"': classQuote, '{': classOpen, '[': classOpen, '}': classClose, ']': classClose}

// scalarEnds are the bytes a number or literal ends at.
var scalarEnds = [256]bool{',': true, '}': true, ']': true, ' ': true, '\t': true, '\r': true, '\n': true}

// skipValue returns the end of the JSON value starting at i.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	switch c := b[i]; {
	case c == '"':
		if j := stringEnd(b, i+1); j >= 0 {
			return j + 1, nil
		}
		return 0, errSyntax
	case c == '{' || c == '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch jsonClass[b[j]] {
			case classQuote: // a string, scanned here: most of a line's bytes
				k := stringEnd(b, j+1)
				if k < 0 {
					return 0, errSyntax
				}
				j = k
			case classOpen:
				depth++
				if depth > 64 {
					return 0, errors.New("JSON nested too deeply")
				}
			case classClose:
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errSyntax
	default:
		j := i
		for j < len(b) && !scalarEnds[b[j]] {
			j++
		}
		if j == i {
			return 0, errSyntax
		}
		return j, nil
	}
}

// stringAt decodes the JSON string starting at b[i] (a '"') in one pass:
// its contents and the index after its closing quote.
func stringAt(b []byte, i int) ([]byte, int, error) {
	if i+2 < len(b) && b[i+2] == '"' && b[i+1] != '\\' && b[i+1] != '"' { // a one-byte key, as most of Binance's are
		return b[i+1 : i+2 : i+2], i + 3, nil
	}
	j := quoteOrEscape(b, i+1)
	if j >= len(b) {
		return nil, 0, errSyntax
	}
	if b[j] == '"' {
		return b[i+1 : j : j], j + 1, nil
	}
	// escapes to undo: the rare case
	end, err := skipValue(b, i)
	if err != nil {
		return nil, 0, err
	}
	v, err := jsonBytes(b[i:end])
	return v, end, err
}

// jsonBytes decodes a JSON string value: its contents within v, or a new
// slice when it has escapes to undo.
func jsonBytes(v []byte) ([]byte, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, errors.New("not a string")
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1 : len(v)-1], nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, errors.New("not a string")
	}
	return []byte(s), nil
}

// jsonInt decodes a JSON integer value.
func jsonInt(v []byte) (int64, error) {
	if len(v) > 0 && len(v) <= 19 { // the common case, digits only (a receive time in ns has 19): no uint64 overflow
		if n, ok := swar.Accumulate(0, v); ok && n <= math.MaxInt64 {
			return int64(n), nil
		}
	}
	n, err := strconv.ParseInt(string(v), 10, 64) // string(v) stays on the stack: ParseInt clones what its error keeps
	if err != nil {
		return 0, errors.New("not an integer")
	}
	return n, nil
}

// jsonBool decodes a JSON boolean value.
func jsonBool(v []byte) (bool, error) {
	switch string(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// levelsAt decodes the list of levels at the start of v, appending to dst,
// and returns its length.
func levelsAt(dst []level, v []byte) ([]level, int, error) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '[' {
		return dst, 0, errors.New("not a list of levels")
	}
	i = skipSpace(v, i+1)
	if i < len(v) && v[i] == ']' {
		return dst, i + 1, nil
	}
	for {
		if i >= len(v) || v[i] != '[' {
			return dst, 0, errors.New("a level is not a list")
		}
		i = skipSpace(v, i+1)
		var lv level
		for k := 0; ; k++ {
			var end int
			var err error
			if k < 2 {
				if i >= len(v) || v[i] != '"' {
					return dst, 0, errors.New("a level's price or quantity is not a string")
				}
				if lv[k], end, err = stringAt(v, i); err != nil {
					return dst, 0, err
				}
			} else if end, err = skipValue(v, i); err != nil {
				return dst, 0, err
			}
			i = skipSpace(v, end)
			if i < len(v) && v[i] == ',' {
				i = skipSpace(v, i+1)
				continue
			}
			if i < len(v) && v[i] == ']' && k >= 1 {
				i = skipSpace(v, i+1)
				break
			}
			return dst, 0, errors.New("a level is not [price, quantity]")
		}
		dst = append(dst, lv)
		if i < len(v) && v[i] == ',' {
			i = skipSpace(v, i+1)
			continue
		}
		if i < len(v) && v[i] == ']' {
			return dst, i + 1, nil
		}
		return dst, 0, errSyntax
	}
}
