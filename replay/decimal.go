package replay

import (
	"errors"
	"fmt"
	"strings"
)

// ErrDecimal is returned for text that is not a decimal number.
var ErrDecimal = errors.New("not a decimal number")

// Decimals is the number of significant decimal places of a decimal string
// ("1.2500" has 2, "1.36e-06" has 8), or -1 if it is not a number.
func Decimals(s string) int {
	mant, exp, ok := splitExp(s)
	if !ok {
		return -1
	}
	intPart, frac := mant, ""
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		intPart, frac = mant[:i], mant[i+1:]
	}
	digits := intPart + frac
	trimmed := strings.TrimRight(digits, "0")
	if strings.Trim(trimmed, "0") == "" {
		return 0 // zero
	}
	zeros := len(digits) - len(trimmed)
	return max(0, len(frac)-exp-zeros)
}

func splitExp(s string) (mant string, exp int, ok bool) {
	s = dropSign(s) // one sign at most: "-+5" is not a number
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e := s[i+1:]
		neg := strings.HasPrefix(e, "-")
		e = dropSign(e)
		if e == "" || len(e) > 3 {
			return "", 0, false
		}
		for _, c := range e {
			if c < '0' || c > '9' {
				return "", 0, false
			}
			exp = exp*10 + int(c-'0')
		}
		if neg {
			exp = -exp
		}
		s = s[:i]
	}
	if s == "" || s == "." || strings.Count(s, ".") > 1 {
		return "", 0, false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return "", 0, false
		}
	}
	return s, exp, true
}

// dropSign removes one leading sign.
func dropSign(s string) string {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		return s[1:]
	}
	return s
}

// ParseDecimal parses a decimal string — with an optional sign, fraction and
// exponent ("61737.63000000", "-2", "1.36e-06") — into an int64 with exp
// decimal places, exactly. A value with more significant decimals than exp,
// or too large for int64, is an error (never a silent rounding).
func ParseDecimal(s string, exp int) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	mant, e, ok := splitExp(s)
	if !ok {
		return 0, fmt.Errorf("%q: %w", s, ErrDecimal)
	}
	intPart, frac := mant, ""
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		intPart, frac = mant[:i], mant[i+1:]
	}
	digits := intPart + frac
	scale := exp + e - len(frac) // value = digits × 10^-(len(frac)-e); in units of 10^-exp: digits × 10^scale
	var v int64
	nz := strings.TrimLeft(digits, "0")
	if len(nz) > 18 {
		return 0, fmt.Errorf("%q: too many digits", s)
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q: %w", s, ErrDecimal)
		}
		v = v*10 + int64(c-'0')
	}
	for ; scale < 0; scale++ {
		if v%10 != 0 {
			return 0, fmt.Errorf("%q has more than %d decimals", s, exp)
		}
		v /= 10
	}
	for ; scale > 0; scale-- {
		if v > (1<<63-1)/10 {
			return 0, fmt.Errorf("%q is too large for %d decimals", s, exp)
		}
		v *= 10
	}
	if neg {
		v = -v
	}
	return v, nil
}

// ParseDecimalBytes is ParseDecimal of b. The plain form every venue's feed
// uses — digits with an optional fraction, "61737.63000000" — is parsed in
// place without allocating (ParseDecimal builds strings); anything else
// (a sign, an exponent, an error) goes through ParseDecimal, so the two
// agree on every input (FuzzParseDecimal holds them to it).
func ParseDecimalBytes(b []byte, exp int) (int64, error) {
	if v, ok := plainDecimal(b, exp); ok {
		return v, nil
	}
	var v int64
	sig, frac, digits := 0, -1, 0 // significant digits; digits after the point (-1: no point yet)
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if sig > 0 || c != '0' {
				sig++
				if sig > 18 {
					return ParseDecimal(string(b), exp)
				}
			}
			v = v*10 + int64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return ParseDecimal(string(b), exp)
		}
	}
	if digits == 0 {
		return ParseDecimal(string(b), exp)
	}
	scale := exp - max(frac, 0)
	for ; scale < 0; scale++ {
		if v%10 != 0 {
			return ParseDecimal(string(b), exp)
		}
		v /= 10
	}
	for ; scale > 0; scale-- {
		if v > (1<<63-1)/10 {
			return ParseDecimal(string(b), exp)
		}
		v *= 10
	}
	return v, nil
}
