package labels

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/replay"
)

// Load reads an external incident list (docs/labels.md): a CSV file with
// a header naming at least id, typology, symbol and start, and optionally end
// (default: start + default_len), accounts (';'-separated ids) and intensity
// (default "historical"). Times are RFC 3339, "YYYY-MM-DD HH:MM[:SS]" in UTC,
// or Unix epoch nanoseconds. Errors name the file, line and column.
func Load(path string, defaultLen time.Duration) ([]Label, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, need := range []string{"id", "typology", "symbol", "start"} {
		if _, ok := col[need]; !ok {
			return nil, &replay.RowError{File: path, Line: 1, Field: need, Reason: "missing column"}
		}
	}
	known := map[string]bool{}
	for _, t := range replay.Typologies {
		known[string(t)] = true
	}
	var out []Label
	for line := int64(2); ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(field, format string, args ...any) error {
			return &replay.RowError{File: path, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
		}
		l := Label{ID: get("id"), Typology: replay.Typology(get("typology")), Symbol: get("symbol"), Intensity: Intensity(get("intensity")), Params: "{}"}
		if l.ID == "" || l.Symbol == "" {
			return nil, bad("id", "id and symbol are required")
		}
		if !known[string(l.Typology)] {
			return nil, bad("typology", "unknown typology %q", l.Typology)
		}
		if l.Start, err = parseTime(get("start")); err != nil {
			return nil, bad("start", "%v", err)
		}
		l.End = l.Start + int64(defaultLen)
		if e := get("end"); e != "" {
			if l.End, err = parseTime(e); err != nil {
				return nil, bad("end", "%v", err)
			}
		}
		if l.End < l.Start {
			return nil, bad("end", "ends before it starts")
		}
		if a := get("accounts"); a != "" {
			for _, x := range strings.Split(a, ";") {
				id, err := strconv.ParseUint(strings.TrimSpace(x), 10, 64)
				if err != nil {
					return nil, bad("accounts", "%q is not an account id", x)
				}
				l.Accounts = append(l.Accounts, id)
			}
			slices.Sort(l.Accounts)
			l.Accounts = slices.Compact(l.Accounts)
		}
		if l.Intensity == "" {
			l.Intensity = Historical
		}
		out = append(out, l)
	}
	return out, nil
}

func parseTime(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("empty time")
	}
	if ns, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ns, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UnixNano(), nil
		}
	}
	return 0, fmt.Errorf("%q is not RFC 3339, YYYY-MM-DD HH:MM[:SS] (UTC) or epoch nanoseconds", s)
}
