package orderbook

import (
	"errors"
	"sort"
)

// model is a deliberately naive reference book: a slice of live orders in
// arrival order, scanned in full on every operation. The fuzz and differential
// tests check Book against it.
type model struct {
	cfg    Config
	orders []modelOrder // arrival order
}

type modelOrder struct {
	id, account, group uint64
	price, qty         int64
	side               Side
}

func (m *model) find(id uint64) int {
	for i := range m.orders {
		if m.orders[i].id == id {
			return i
		}
	}
	return -1
}

// best returns the index of the best resting order on side s (price, then arrival), or -1.
func (m *model) best(s Side) int {
	bi := -1
	for i := range m.orders {
		o := &m.orders[i]
		if o.side != s {
			continue
		}
		if bi < 0 || (s == Buy && o.price > m.orders[bi].price) || (s == Sell && o.price < m.orders[bi].price) {
			bi = i
		}
	}
	return bi
}

func (m *model) remove(i int) { m.orders = append(m.orders[:i], m.orders[i+1:]...) }

func (m *model) submit(o Order) ([]Fill, Result, []uint64, error) {
	if o.ID == 0 {
		return nil, Result{}, nil, ErrBadOrderID
	}
	if o.Side != Buy && o.Side != Sell {
		return nil, Result{}, nil, ErrBadSide
	}
	if o.Type > Market || o.TIF > PostOnly {
		return nil, Result{}, nil, ErrBadType
	}
	if o.Qty <= 0 || o.Qty%m.cfg.Lot != 0 {
		return nil, Result{}, nil, ErrBadQty
	}
	if o.Type == Limit && o.Price <= 0 {
		return nil, Result{}, nil, ErrBadPrice
	}
	if o.Type == Limit && o.Price%m.cfg.Tick != 0 {
		return nil, Result{}, nil, ErrOffTick
	}
	if m.find(o.ID) >= 0 {
		return nil, Result{}, nil, ErrDuplicateOrder
	}
	crosses := func(p int64) bool {
		if o.Type == Market {
			return true
		}
		if o.Side == Buy {
			return p <= o.Price
		}
		return p >= o.Price
	}
	opp := o.Side.Opposite()
	if o.TIF == PostOnly {
		if bi := m.best(opp); bi >= 0 && crosses(m.orders[bi].price) {
			return nil, Result{}, nil, ErrWouldCross
		}
	}
	if o.TIF == FOK {
		// Simulate on a copy.
		cp := model{cfg: m.cfg, orders: append([]modelOrder(nil), m.orders...)}
		o2 := o
		o2.TIF = IOC
		_, r, _, _ := cp.submitChecked(o2)
		if r.Filled != o.Qty {
			return nil, Result{}, nil, ErrFOKUnfillable
		}
	}
	return m.submitChecked(o)
}

func (m *model) submitChecked(o Order) ([]Fill, Result, []uint64, error) {
	var fills []Fill
	var res Result
	var expired []uint64
	rem := o.Qty
	opp := o.Side.Opposite()
	crosses := func(p int64) bool {
		if o.Type == Market {
			return true
		}
		if o.Side == Buy {
			return p <= o.Price
		}
		return p >= o.Price
	}
	takerExpired := false
	for rem > 0 {
		bi := m.best(opp)
		if bi < 0 || !crosses(m.orders[bi].price) {
			break
		}
		mk := &m.orders[bi]
		same := false
		if m.cfg.STP != STPOff {
			if o.Group != 0 && mk.group != 0 {
				same = o.Group == mk.group
			} else {
				same = o.Account != 0 && o.Account == mk.account
			}
		}
		if same {
			switch m.cfg.STP {
			case STPExpireTaker:
				takerExpired = true
			case STPExpireMaker:
				expired = append(expired, mk.id)
				res.ExpiredMakers++
				m.remove(bi)
			case STPExpireBoth:
				expired = append(expired, mk.id)
				res.ExpiredMakers++
				m.remove(bi)
				takerExpired = true
			case STPDecrement:
				d := min(rem, mk.qty)
				rem -= d
				res.Cancelled += d
				mk.qty -= d
				if mk.qty == 0 {
					expired = append(expired, mk.id)
					res.ExpiredMakers++
					m.remove(bi)
				}
			}
			if takerExpired {
				break
			}
			continue
		}
		q := min(rem, mk.qty)
		fills = append(fills, Fill{MakerOrder: mk.id, TakerOrder: o.ID, MakerAccount: mk.account, TakerAccount: o.Account, Price: mk.price, Qty: q, Aggressor: o.Side})
		rem -= q
		res.Filled += q
		mk.qty -= q
		if mk.qty == 0 {
			m.remove(bi)
		}
	}
	if rem > 0 {
		if takerExpired || o.Type == Market || o.TIF == IOC || o.TIF == FOK {
			res.Cancelled += rem
		} else {
			m.orders = append(m.orders, modelOrder{id: o.ID, account: o.Account, group: o.Group, price: o.Price, qty: rem, side: o.Side})
			res.Rested = rem
		}
	}
	return fills, res, expired, nil
}

func (m *model) cancel(id uint64) (int64, error) {
	i := m.find(id)
	if i < 0 || id == 0 {
		return 0, ErrUnknownOrder
	}
	q := m.orders[i].qty
	m.remove(i)
	return q, nil
}

func (m *model) reduce(id uint64, qty int64) (int64, error) {
	i := m.find(id)
	if i < 0 || id == 0 {
		return 0, ErrUnknownOrder
	}
	if qty <= 0 || qty%m.cfg.Lot != 0 || qty > m.orders[i].qty {
		return m.orders[i].qty, ErrBadQty
	}
	m.orders[i].qty -= qty
	if m.orders[i].qty == 0 {
		m.remove(i)
		return 0, nil
	}
	return m.orders[i].qty, nil
}

func (m *model) execute(id uint64, qty int64) ([]Fill, error) {
	i := m.find(id)
	if i < 0 || id == 0 {
		return nil, ErrUnknownOrder
	}
	o := m.orders[i]
	if qty <= 0 || qty%m.cfg.Lot != 0 || qty > o.qty {
		return nil, ErrBadQty
	}
	f := []Fill{{MakerOrder: id, MakerAccount: o.account, Price: o.price, Qty: qty, Aggressor: o.side.Opposite()}}
	m.orders[i].qty -= qty
	if m.orders[i].qty == 0 {
		m.remove(i)
	}
	return f, nil
}

func (m *model) modify(id uint64, price, qty int64) ([]Fill, []uint64, error) {
	i := m.find(id)
	if i < 0 || id == 0 {
		return nil, nil, ErrUnknownOrder
	}
	switch {
	case qty <= 0 || qty%m.cfg.Lot != 0:
		return nil, nil, ErrBadQty
	case price <= 0:
		return nil, nil, ErrBadPrice
	case price%m.cfg.Tick != 0:
		return nil, nil, ErrOffTick
	}
	o := m.orders[i]
	if price == o.price && qty <= o.qty {
		m.orders[i].qty = qty
		return nil, nil, nil
	}
	m.remove(i)
	f, _, exp, err := m.submitChecked(Order{ID: id, Account: o.account, Group: o.group, Side: o.side, Type: Limit, Price: price, Qty: qty})
	return f, exp, err
}

// depth aggregates the model's side into levels, best first.
func (m *model) depth(s Side) []Level {
	agg := map[int64]*Level{}
	for _, o := range m.orders {
		if o.side != s {
			continue
		}
		l := agg[o.price]
		if l == nil {
			l = &Level{Price: o.price}
			agg[o.price] = l
		}
		l.Qty += o.qty
		l.Orders++
	}
	out := make([]Level, 0, len(agg))
	for _, l := range agg {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		if s == Buy {
			return out[i].Price > out[j].Price
		}
		return out[i].Price < out[j].Price
	})
	return out
}

// queue lists the model's order ids at a price in priority order.
func (m *model) queue(s Side, price int64) []uint64 {
	var ids []uint64
	for _, o := range m.orders {
		if o.side == s && o.price == price {
			ids = append(ids, o.id)
		}
	}
	return ids
}

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	for _, s := range []error{ErrUnknownOrder, ErrDuplicateOrder, ErrBadQty, ErrOffTick, ErrBadPrice, ErrWouldCross, ErrFOKUnfillable, ErrBadSide, ErrBadOrderID, ErrBadType} {
		if errors.Is(a, s) {
			return errors.Is(b, s)
		}
	}
	return false
}
