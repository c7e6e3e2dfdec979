package scenarios

import (
	"reflect"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

// TestEmitKeepsEveryField: emit copies an event field by field (a copy of
// the whole struct stalled); every field of replay.Event must come through,
// the sequence number given and the carried flags added. A field added to
// Event and not to emit fails here.
func TestEmitKeepsEveryField(t *testing.T) {
	var ev replay.Event
	v := reflect.ValueOf(&ev).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			f.SetUint(uint64(i + 1))
		default:
			t.Fatalf("Event.%s is a %s: teach this test (and emit) its kind", v.Type().Field(i).Name, f.Kind())
		}
	}
	g := &market{seq: 41, carry: replay.FlagReconciled}
	g.emit(&ev)
	g.emit(&ev)
	if len(g.out) != 2 {
		t.Fatalf("%d events out, want 2", len(g.out))
	}
	for k, got := range g.out {
		want := ev
		want.Seq = uint64(42 + k)
		want.Flags |= replay.FlagReconciled
		if got != want {
			t.Errorf("event %d: emitted %+v, want %+v", k, got, want)
		}
	}
}
