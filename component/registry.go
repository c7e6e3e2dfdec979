package component

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Registry holds the components of one kind: each name's Spec and its
// implementation T (a constructor, a factory, an opener). Registration is
// safe from any package's init and from concurrent goroutines.
type Registry[T any] struct {
	kind  Kind
	mu    sync.RWMutex
	specs map[string]*Spec
	impls map[string]T
}

// NewRegistry returns an empty registry of kind k.
func NewRegistry[T any](k Kind) *Registry[T] {
	return &Registry[T]{kind: k, specs: map[string]*Spec{}, impls: map[string]T{}}
}

// Register adds a component: its spec (Kind is set to the registry's) is
// checked — defaults against their types — and a name already taken is
// refused.
func (r *Registry[T]) Register(s Spec, impl T) error {
	s.Kind = r.kind
	s.Params = slices.Clone(s.Params)
	if err := s.Check(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.specs[s.Name]; dup {
		return &Error{Kind: r.kind, Component: s.Name, Msg: "already registered"}
	}
	r.specs[s.Name], r.impls[s.Name] = &s, impl
	return nil
}

// Lookup returns the spec and implementation registered as name; an unknown
// name is an *Error listing the registered ones.
func (r *Registry[T]) Lookup(name string) (*Spec, T, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.specs[name]
	if !ok {
		var zero T
		return nil, zero, &Error{Kind: r.kind, Component: name, Msg: fmt.Sprintf("unknown %s (registered: %s)", r.kind, strings.Join(slices.Sorted(maps.Keys(r.specs)), ", "))}
	}
	return s, r.impls[name], nil
}

// Has reports whether name is registered.
func (r *Registry[T]) Has(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.specs[name]
	return ok
}

// Names lists the registered names, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.specs))
}

// Specs lists the registered specs, by name.
func (r *Registry[T]) Specs() []*Spec {
	var out []*Spec
	for _, n := range r.Names() {
		r.mu.RLock()
		out = append(out, r.specs[n])
		r.mu.RUnlock()
	}
	return out
}
