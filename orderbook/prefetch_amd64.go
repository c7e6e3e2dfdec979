package orderbook

// prefetch asks the core to bring p's cache line in, without waiting for
// it (PREFETCHT0): nothing is read, and a miss holds nothing up.
//
//go:noescape
func prefetch(p *order)
