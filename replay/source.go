package replay

import "sort"

// EventSource is a stream of canonical events in source order: an event file, an
// importer reading a raw feed, a scenario generator, or a merge of several.
type EventSource interface {
	// Read fills dst with up to len(dst) events and returns how many it wrote.
	// At the end of the stream it returns 0, io.EOF. Errors name the file, row or
	// line, and field.
	Read(dst []Event) (int, error)
	// Instruments is the source's instrument table, indexed by Event.Symbol. It is
	// complete once the first Read has returned.
	Instruments() []Instrument
	// Close releases the source's files.
	Close() error
}

// Count is how many times something happened that a policy skipped, adjusted or
// reconciled (a malformed row skipped with --skip-bad, a cancel for an order the
// feed never showed). Counts are always reported; nothing is dropped silently.
type Count struct {
	Kind string `json:"kind"`
	N    int64  `json:"n"`
}

// Counter is implemented by sources and engines that reconcile input by policy.
// Counts are sorted by Kind.
type Counter interface {
	Counts() []Count
}

// CountsOf lists a source's counts by kind, sorted.
func CountsOf(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Kind: k, N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// SumCounts adds up counts of the same kind and sorts them by kind.
func SumCounts(cs []Count) []Count {
	idx := map[string]int{}
	var out []Count
	for _, c := range cs {
		if i, ok := idx[c.Kind]; ok {
			out[i].N += c.N
			continue
		}
		idx[c.Kind] = len(out)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}
