package detectors

import (
	"strings"
	"sync"
)

// tailBuffer keeps the last max bytes written to it: an external detector's
// stderr, shown when it fails, without letting a chatty process fill memory.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
	cut bool // something before buf was dropped
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.cut = true
	}
	return len(p), nil
}

// String is what was kept, "…" first when the start was dropped.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if t.cut && s != "" {
		s = "…" + s
	}
	return s
}
