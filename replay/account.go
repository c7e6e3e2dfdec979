package replay

// AccountAttrs are the attributes an exchange holds about an account. Scenarios
// generate them; detectors (Sybil, liquidation abuse) read them through RunInfo.
// They never say whether an account is an attacker: that lives in labels.
type AccountAttrs struct {
	Account   uint64 `json:"account" parquet:"account"`
	Device    string `json:"device" parquet:"device,dict"`
	IPSubnet  string `json:"ip_subnet" parquet:"ip_subnet,dict"`
	Funding   string `json:"funding" parquet:"funding,dict"` // funding source (deposit address or bank)
	Referrer  uint64 `json:"referrer" parquet:"referrer"`    // referring account, 0 = none
	Country   string `json:"country" parquet:"country,dict"`
	CreatedAt int64  `json:"created_at" parquet:"created_at,timestamp(nanosecond)"`
}

// RunInfo is what every consumer learns before the first batch.
type RunInfo struct {
	Instruments []Instrument   // indexed by Event.Symbol
	Accounts    []AccountAttrs // sorted by Account; empty for public data
	Start, End  int64          // replayed time range [Start, End], ns
	// NoOrderIDs marks, by Event.Symbol, the instruments whose orders are
	// not the feed's own: an L2 feed's levels or a trades-only file stand
	// in for them. A detector reading order-by-order behaviour on anonymous
	// data must leave those alone. Nil: every instrument's orders are real.
	NoOrderIDs []bool
}

// OrderLevel reports whether instrument sym's orders are the feed's own
// (order-by-order data, or a simulated market).
func (ri *RunInfo) OrderLevel(sym uint32) bool {
	return ri == nil || int(sym) >= len(ri.NoOrderIDs) || !ri.NoOrderIDs[sym]
}
