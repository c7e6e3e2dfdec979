package detectors

// evidenceTable keeps one copy of each evidence text an instance repeats.
// A run holds its alerts until they are scored and written, and most of a
// long run's alerts are a few instances' repeating the same words: at the
// default suite's six hours, 32,131 alerts carry 3,202 distinct evidence
// texts (quote_stuffing's "40 order messages within 1s; 100% of 10
// cancelled orders lived under 500ms" 2,342 times), each its own string
// of about 80 bytes. An instance whose first evidenceProbe texts are more
// than half new (a duration in every one) stops looking its texts up and
// lets the table go, so that it does not hold its texts twice; one that
// keeps the table keeps every distinct text it meets in it. The texts are
// equal either way: what a run writes does not change.
type evidenceTable struct {
	seen  map[string]string
	n     int // alerts looked up
	fresh int // of them, texts not seen before
	off   bool
}

// evidenceProbe is how many alerts an instance's table looks up before it
// judges whether its texts repeat: it stays when at most half were new.
const evidenceProbe = 4096

// intern returns s, or an equal text already kept.
func (t *evidenceTable) intern(s string) string {
	if t.off {
		return s
	}
	if t.seen == nil {
		t.seen = map[string]string{}
	}
	t.n++
	k, ok := t.seen[s]
	if !ok {
		k = s
		t.seen[s] = s
		t.fresh++
	}
	if t.n == evidenceProbe && 2*t.fresh > t.n {
		t.off, t.seen = true, nil
	}
	return k
}
