package labels

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tapetest/tapetest/replay"
)

// PumpLists are the published lists of pump-and-dump announcements
// ImportPumpList reads, by name:
//
//   - sapienza: La Morgia et al. (ICCCN 2020, ACM TOIT 2023),
//     pump_telegram.csv: symbol,group,date,hour,exchange; the hour (UTC) is
//     the signal time;
//   - ardia: Ardia & Bluteau (2024), list_pd_events.csv:
//     Date,Channel,Currency,Exchange,success,pump_date; a successful pump
//     starts at pump_date (the minute of peak volume), a failed one is
//     skipped unless IncludeFailed (then it starts at the announcement);
//   - hu: Hu et al. (SIGMOD 2023), PD_logs_cleaned.tsv (tab-separated):
//     channel_id,session_id,coin,exchange,pair,timestamp;
//   - mironov: pumps.json, [{"symbol":"APPC-BTC","exchange":"BINANCE_SPOT","time":...}].
var PumpLists = []string{"ardia", "hu", "mironov", "sapienza"}

// PumpListOptions choose what ImportPumpList keeps and how it names symbols.
type PumpListOptions struct {
	// Exchange keeps announcements on this exchange only (case-insensitive;
	// "" keeps all). Default of the command: binance.
	Exchange string
	// Symbol is the label's symbol, a template over {coin} and {quote}
	// (default "{coin}/{quote}", as the ccxt-trades files name pairs).
	Symbol string
	// Merge makes one label of the announcements of one coin within this
	// long of each other (several channels announce the same pump); 0 keeps
	// each.
	Merge time.Duration
	// Length, when positive, is each label's end after its start; else the
	// labels have no end and the spec's label_length applies.
	Length time.Duration
	// IncludeFailed keeps the ardia list's announced-but-failed pumps.
	IncludeFailed bool
}

// PumpListResult is what ImportPumpList read and kept.
type PumpListResult struct {
	Labels  []Label
	Read    int            // announcements in the list
	Skipped map[string]int // by reason: other_exchange, failed, merged
}

// announcement is one list row, normalised.
type announcement struct {
	coin, quote, exchange string
	at                    time.Time
	failed                bool
	line                  int
}

// ImportPumpList reads the list at path in the named layout (PumpLists) as
// pump_and_dump labels, sorted by start then symbol, with ids
// "<list>-<COIN>_<YYYY-MM-DD_HHMM>" and the list's name as intensity.
func ImportPumpList(list, path string, opts PumpListOptions) (*PumpListResult, error) {
	var anns []announcement
	var err error
	switch list {
	case "sapienza":
		anns, err = readDelimited(path, ',', func(get func(string) string, line int) (announcement, error) {
			at, err := time.Parse("2006-01-02 15:04", get("date")+" "+get("hour"))
			return announcement{coin: get("symbol"), quote: "BTC", exchange: get("exchange"), at: at, line: line}, wrap("date/hour", err)
		}, "symbol", "date", "hour", "exchange")
	case "ardia":
		anns, err = readDelimited(path, ',', func(get func(string) string, line int) (announcement, error) {
			a := announcement{coin: get("Currency"), quote: "BTC", exchange: get("Exchange"), line: line, failed: get("success") != "1"}
			at := get("Date")
			if !a.failed && get("pump_date") != "" {
				at = get("pump_date")
			}
			t, err := time.Parse(time.RFC3339, at)
			a.at = t
			return a, wrap("Date/pump_date", err)
		}, "Date", "Currency", "Exchange", "success", "pump_date")
	case "hu":
		anns, err = readDelimited(path, '\t', func(get func(string) string, line int) (announcement, error) {
			t, err := time.Parse("2006-01-02 15:04:05-07:00", get("timestamp"))
			return announcement{coin: get("coin"), quote: get("pair"), exchange: get("exchange"), at: t, line: line}, wrap("timestamp", err)
		}, "coin", "exchange", "pair", "timestamp")
	case "mironov":
		anns, err = readMironov(path)
	default:
		return nil, fmt.Errorf("pump list %q: unknown (known: %s)", list, strings.Join(PumpLists, ", "))
	}
	if err != nil {
		return nil, err
	}
	tmpl := opts.Symbol
	if tmpl == "" {
		tmpl = "{coin}/{quote}"
	}
	res := &PumpListResult{Read: len(anns), Skipped: map[string]int{}}
	var kept []announcement
	for _, a := range anns {
		switch {
		case opts.Exchange != "" && !strings.EqualFold(normalExchange(a.exchange), normalExchange(opts.Exchange)):
			res.Skipped["other_exchange"]++
		case a.failed && !opts.IncludeFailed:
			res.Skipped["failed"]++
		default:
			kept = append(kept, a)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if !kept[i].at.Equal(kept[j].at) {
			return kept[i].at.Before(kept[j].at)
		}
		return kept[i].coin < kept[j].coin
	})
	lastOf := map[string]time.Time{} // coin/quote → start of its last label
	ids := map[string]int{}
	for _, a := range kept {
		key := strings.ToUpper(a.coin) + "/" + strings.ToUpper(a.quote)
		if last, ok := lastOf[key]; ok && opts.Merge > 0 && a.at.Sub(last) <= opts.Merge {
			res.Skipped["merged"]++
			continue
		}
		lastOf[key] = a.at
		sym := strings.NewReplacer("{coin}", strings.ToUpper(a.coin), "{quote}", strings.ToUpper(a.quote)).Replace(tmpl)
		id := fmt.Sprintf("%s-%s_%s", list, strings.ToUpper(a.coin), a.at.UTC().Format("2006-01-02_1504"))
		if n := ids[id]; n > 0 {
			id = fmt.Sprintf("%s-%d", id, n+1)
		}
		ids[id]++
		l := Label{ID: id, Typology: replay.PumpAndDump, Symbol: sym, Start: a.at.UnixNano(), End: a.at.UnixNano(), Intensity: Intensity(list)}
		if opts.Length > 0 {
			l.End = l.Start + int64(opts.Length)
		}
		res.Labels = append(res.Labels, l)
	}
	return res, nil
}

func wrap(field string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// normalExchange folds the lists' spellings of one exchange ("BINANCE_SPOT").
func normalExchange(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s, _, _ = strings.Cut(s, "_")
	return s
}

// readDelimited reads a delimited file with a header holding the required
// columns, turning each row into an announcement; errors name the line.
func readDelimited(path string, sep rune, row func(get func(string) string, line int) (announcement, error), required ...string) ([]announcement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = sep, -1, true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range required {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s:1: header: no %q column (this layout has %s)", path, c, strings.Join(required, ", "))
		}
	}
	var out []announcement
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		a, err := row(get, line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if a.coin == "" {
			return nil, fmt.Errorf("%s:%d: no coin", path, line)
		}
		out = append(out, a)
	}
}

// readMironov reads pumps.json.
func readMironov(path string) ([]announcement, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Symbol   string `json:"symbol"`
		Exchange string `json:"exchange"`
		Time     string `json:"time"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]announcement, 0, len(rows))
	for i, r := range rows {
		coin, quote, ok := strings.Cut(r.Symbol, "-")
		if !ok {
			return nil, fmt.Errorf("%s: entry %d: symbol %q is not COIN-QUOTE", path, i+1, r.Symbol)
		}
		t, err := time.Parse("2006-01-02 15:04:05", r.Time)
		if err != nil {
			return nil, fmt.Errorf("%s: entry %d: time %q: %w", path, i+1, r.Time, err)
		}
		out = append(out, announcement{coin: coin, quote: quote, exchange: r.Exchange, at: t, line: i + 1})
	}
	return out, nil
}

// WriteFile writes labels as a label file (docs/labels.md): id, typology,
// symbol, start (RFC 3339), end when a label has one, intensity.
func WriteFile(w io.Writer, lbls []Label) error {
	withEnd := slices.ContainsFunc(lbls, func(l Label) bool { return l.End > l.Start })
	cw := csv.NewWriter(w)
	head := []string{"id", "typology", "symbol", "start"}
	if withEnd {
		head = append(head, "end")
	}
	cw.Write(append(head, "intensity"))
	for _, l := range lbls {
		rec := []string{l.ID, string(l.Typology), l.Symbol, time.Unix(0, l.Start).UTC().Format(time.RFC3339)}
		if withEnd {
			rec = append(rec, time.Unix(0, l.End).UTC().Format(time.RFC3339))
		}
		cw.Write(append(rec, string(l.Intensity)))
	}
	cw.Flush()
	return cw.Error()
}
