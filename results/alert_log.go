package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
)

// ReadAlertLog reads a production alert log (tapetest review log): a CSV
// whose header names instance (or detector), typology, symbol, raised_at
// and score, and optionally start, end (default raised_at), accounts (ids
// separated by spaces, semicolons or commas), evidence and id (the
// production system's own, kept at the head of the evidence). Times are
// RFC 3339 or Unix nanoseconds. Errors name the file, line and field.
func ReadAlertLog(r io.Reader, name string) ([]detectors.Alert, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: no header row: %w", name, err)
	}
	col := csvColumns(head, map[string]string{"detector": "instance"})
	for _, need := range []string{"instance", "typology", "symbol", "raised_at", "score"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s:1: %s: missing column (instance, typology, symbol, raised_at and score are required)", name, need)
		}
	}
	known := map[string]bool{}
	var names []string
	for _, t := range replay.Typologies {
		known[string(t)] = true
		names = append(names, string(t))
	}
	var out []detectors.Alert
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		get := func(f string) string {
			if i, ok := col[f]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(f string, e error) error { return fmt.Errorf("%s:%d: %s: %w", name, line, f, e) }
		a := detectors.Alert{Instance: get("instance"), Typology: replay.Typology(get("typology")), Symbol: get("symbol"), Evidence: get("evidence")}
		for f, v := range map[string]string{"instance": a.Instance, "symbol": a.Symbol} {
			if v == "" {
				return nil, bad(f, errors.New("empty"))
			}
		}
		if !known[string(a.Typology)] {
			return nil, bad("typology", fmt.Errorf("%q: want one of %s", a.Typology, strings.Join(names, ", ")))
		}
		if a.RaisedAt, err = logTime(get("raised_at")); err != nil {
			return nil, bad("raised_at", err)
		}
		a.Start, a.End = a.RaisedAt, a.RaisedAt
		if v := get("start"); v != "" {
			if a.Start, err = logTime(v); err != nil {
				return nil, bad("start", err)
			}
		}
		if v := get("end"); v != "" {
			if a.End, err = logTime(v); err != nil {
				return nil, bad("end", err)
			}
		}
		if a.End < a.Start {
			return nil, bad("end", errors.New("before start"))
		}
		if a.Score, err = strconv.ParseFloat(get("score"), 64); err != nil || math.IsNaN(a.Score) || math.IsInf(a.Score, 0) {
			return nil, bad("score", fmt.Errorf("%q: want a finite number", get("score")))
		}
		for _, f := range strings.FieldsFunc(get("accounts"), func(r rune) bool { return r == ' ' || r == ';' || r == ',' }) {
			id, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return nil, bad("accounts", fmt.Errorf("%q: want account ids (unsigned integers)", f))
			}
			a.Accounts = append(a.Accounts, id)
		}
		slices.Sort(a.Accounts)
		a.Accounts = slices.Compact(a.Accounts)
		if id := get("id"); id != "" {
			a.Evidence = strings.TrimSpace("production id " + id + ". " + a.Evidence)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no alerts", name)
	}
	return out, nil
}

// logTime reads RFC 3339 or Unix nanoseconds.
func logTime(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q: want RFC 3339 or Unix nanoseconds", s)
	}
	return t.UnixNano(), nil
}

// csvColumns maps a CSV header's column names (trimmed, lower-case, a byte
// order mark dropped; the first of a repeated name wins) to their
// indices; aliases name columns another name stands for when it is absent.
func csvColumns(head []string, aliases map[string]string) map[string]int {
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for alias, name := range aliases {
		if _, ok := col[name]; !ok {
			if i, ok := col[alias]; ok {
				col[name] = i
			}
		}
	}
	return col
}
