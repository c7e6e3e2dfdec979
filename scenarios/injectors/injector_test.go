package injectors

import (
	"testing"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
)

// TestInjectorsAreDocumented: every typology has an injector, and every
// injector's spec passes the component checks (a summary, every parameter
// typed, with a meaning and a default of its type at every intensity).
func TestInjectorsAreDocumented(t *testing.T) {
	specs := Specs()
	have := map[string]bool{}
	for _, s := range specs {
		have[s.Name] = true
		if err := s.Check(); err != nil {
			t.Error(err)
		}
		if s.Kind != component.Injector || !s.PerIntensity() {
			t.Errorf("%s: kind %q, defaults by intensity %v", s.Name, s.Kind, s.PerIntensity())
		}
	}
	for _, ty := range replay.Typologies {
		if !have[string(ty)] {
			t.Errorf("no injector for %s", ty)
		}
	}
}
