package binance

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
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

// eachField calls fn with every key and raw value of the JSON object b, in
// order; keys are compared exactly (an escaped key is unescaped first).
func eachField(b []byte, fn func(key, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errors.New("not a JSON object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errSyntax
		}
		end, err := skipValue(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			if json.Unmarshal(b[i:end], &k) != nil {
				return errSyntax
			}
			key = []byte(k)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errSyntax
		}
		i = skipSpace(b, i+1)
		vend, err := skipValue(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:vend]); err != nil {
			return err
		}
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return trailing(b, i+1)
		}
		return errSyntax
	}
}

// trailing checks that only spaces follow position i.
func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errors.New("data after the JSON object")
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at i.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	switch c := b[i]; {
	case c == '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errSyntax
	case c == '{' || c == '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := skipValue(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
				if depth > 64 {
					return 0, errors.New("JSON nested too deeply")
				}
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errSyntax
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\r' && b[j] != '\n' {
			j++
		}
		if j == i {
			return 0, errSyntax
		}
		return j, nil
	}
}

// jsonString decodes a JSON string value.
func jsonString(v []byte) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", errors.New("not a string")
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", errors.New("not a string")
	}
	return s, nil
}

// jsonInt decodes a JSON integer value.
func jsonInt(v []byte) (int64, error) {
	n, err := strconv.ParseInt(string(v), 10, 64)
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

// jsonLevels decodes a list of [price, quantity] string pairs, appending to
// dst (extra elements of a level, as some feeds send, are ignored).
func jsonLevels(dst [][2]string, v []byte) ([][2]string, error) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '[' {
		return dst, errors.New("not a list of levels")
	}
	i = skipSpace(v, i+1)
	if i < len(v) && v[i] == ']' {
		return dst, nil
	}
	for {
		if i >= len(v) || v[i] != '[' {
			return dst, errors.New("a level is not a list")
		}
		i = skipSpace(v, i+1)
		var lv [2]string
		for k := 0; ; k++ {
			end, err := skipValue(v, i)
			if err != nil {
				return dst, err
			}
			if k < 2 {
				if lv[k], err = jsonString(v[i:end]); err != nil {
					return dst, errors.New("a level's price or quantity is not a string")
				}
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
			return dst, errors.New("a level is not [price, quantity]")
		}
		dst = append(dst, lv)
		if i < len(v) && v[i] == ',' {
			i = skipSpace(v, i+1)
			continue
		}
		if i < len(v) && v[i] == ']' {
			return dst, nil
		}
		return dst, errSyntax
	}
}
