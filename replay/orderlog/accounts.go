package orderlog

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/replay"
)

// AccountColumns are the columns of an account-attributes table: account is
// required, the others optional (an absent column leaves the attribute
// empty). The names are those of the accounts.parquet `tapetest gen` writes.
var AccountColumns = []string{"account", "device", "ip_subnet", "funding", "referrer", "country", "created_at"}

// LoadAccounts reads a venue's account-attributes table (CSV with a header,
// or flat Parquet) with the columns AccountColumns names: the attributes the
// Sybil and account-link detectors compare. created_at is RFC 3339 text, a
// date (2006-01-02), or an epoch number in s, ms, µs or ns (told apart by
// magnitude). Rows come back sorted by account; an account listed twice is an
// error naming both lines.
func LoadAccounts(path string) ([]replay.AccountAttrs, error) {
	rec, err := openRecords(path)
	if err != nil {
		return nil, err
	}
	defer rec.close()
	col := map[string]int{}
	for i, n := range rec.header() {
		col[n] = i
	}
	if _, ok := col["account"]; !ok {
		return nil, fmt.Errorf("%s: no account column (columns: %s)", path, strings.Join(AccountColumns, ", "))
	}
	var out []replay.AccountAttrs
	seen := map[uint64]int64{}
	for {
		fields, line, err := rec.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		bad := func(field, format string, args ...any) error {
			return &replay.RowError{File: path, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(fields) {
				return strings.TrimSpace(fields[i])
			}
			return ""
		}
		var a replay.AccountAttrs
		if a.Account, err = strconv.ParseUint(get("account"), 10, 64); err != nil || a.Account == 0 {
			return nil, bad("account", "%q is not an account id (a positive integer)", get("account"))
		}
		if prev, dup := seen[a.Account]; dup {
			return nil, bad("account", "account %d is listed again (first at %d)", a.Account, prev)
		}
		seen[a.Account] = line
		a.Device, a.IPSubnet, a.Funding, a.Country = get("device"), get("ip_subnet"), get("funding"), get("country")
		if r := get("referrer"); r != "" {
			if a.Referrer, err = strconv.ParseUint(r, 10, 64); err != nil {
				return nil, bad("referrer", "%q is not an account id", r)
			}
		}
		if c := get("created_at"); c != "" {
			if a.CreatedAt, err = createdAt(c); err != nil {
				return nil, bad("created_at", "%q: %v", c, err)
			}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no accounts", path)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out, nil
}

// createdAt reads an account's creation time.
func createdAt(s string) (int64, error) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		ns := v
		switch {
		case v < 1e11:
			ns = v * 1e9
		case v < 1e14:
			ns = v * 1e6
		case v < 1e17:
			ns = v * 1e3
		}
		return ns, replay.CheckEventTime(ns)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixNano(), replay.CheckEventTime(t.UnixNano())
		}
	}
	return 0, errors.New("not RFC 3339, a date or an epoch number")
}
