package orderbook

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by *OpError; test with errors.Is.
var (
	ErrUnknownOrder   = errors.New("unknown order id")
	ErrDuplicateOrder = errors.New("duplicate order id")
	ErrBadQty         = errors.New("quantity must be positive and on the lot grid")
	ErrOffTick        = errors.New("price is off the tick grid")
	ErrBadPrice       = errors.New("price must be positive")
	ErrWouldCross     = errors.New("post-only order would cross")
	ErrFOKUnfillable  = errors.New("fill-or-kill order cannot fill completely")
	ErrBadSide        = errors.New("side must be buy or sell")
	ErrBadOrderID     = errors.New("order id 0 is reserved")
	ErrBadConfig      = errors.New("invalid book configuration")
	ErrBadType        = errors.New("unknown order type or time in force")
)

// OpError is a rejected book operation. The book is unchanged.
type OpError struct {
	Op      string // submit, cancel, reduce, modify, execute, set
	OrderID uint64
	Side    Side
	Price   int64
	Qty     int64
	Err     error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("orderbook: %s order %d (%s %d @ %d): %v", e.Op, e.OrderID, e.Side, e.Qty, e.Price, e.Err)
}

// Unwrap returns the sentinel error.
func (e *OpError) Unwrap() error { return e.Err }
