//go:build !amd64

package orderbook

// prefetch does nothing where there is no prefetch instruction written for
// the architecture: Prefetch is then only a hint not taken.
func prefetch(*order) {}
