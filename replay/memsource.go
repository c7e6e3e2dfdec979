package replay

import "io"

// MemSource is an EventSource over events held in memory (tests, small
// scenarios, preloaded files).
type MemSource struct {
	evs   []Event
	insts []Instrument
	pos   int
}

// NewMemSource returns a source that yields evs in order.
func NewMemSource(insts []Instrument, evs []Event) *MemSource {
	return &MemSource{evs: evs, insts: insts}
}

// Read copies the next events into dst.
func (m *MemSource) Read(dst []Event) (int, error) {
	if m.pos >= len(m.evs) {
		return 0, io.EOF
	}
	n := copy(dst, m.evs[m.pos:])
	m.pos += n
	return n, nil
}

// Instruments is the instrument table.
func (m *MemSource) Instruments() []Instrument { return m.insts }

// Close does nothing.
func (m *MemSource) Close() error { return nil }

// ReadAll reads every remaining event of src into memory (for small inputs and
// tests; replays stream instead).
func ReadAll(src EventSource) ([]Event, error) {
	var out []Event
	buf := make([]Event, 4096)
	for {
		n, err := src.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
