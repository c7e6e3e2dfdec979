package detectors

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuiltinModelLoads: the embedded model is usable and scores the
// training episodes with the fold models (cross-fitting), the rest with the
// full model.
func TestBuiltinModelLoads(t *testing.T) {
	m, err := LoadModel(BuiltinPumpModel)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Episodes) == 0 || len(m.Folds) < 2 {
		t.Fatalf("%d episodes, %d folds", len(m.Episodes), len(m.Folds))
	}
	e := m.Episodes[len(m.Episodes)/2]
	if got := m.fitAt(e.Symbol, (e.Start+e.End)/2); got != &m.Folds[e.Fold] {
		t.Fatal("an episode's own time is not scored by its fold model")
	}
	if m.fitAt(e.Symbol, e.End+1) != &m.Full || m.fitAt("NOT/TRAINED", e.Start) != &m.Full {
		t.Fatal("data outside the training episodes is not scored by the full model")
	}
}

// TestLoadModelRefusesBadFiles: a model file is data from outside: unknown
// fields, a foreign feature set, a wrong width or a non-finite weight are
// refused with the file named.
func TestLoadModelRefusesBadFiles(t *testing.T) {
	good := string(builtinPumpModel)
	dir := t.TempDir()
	for name, c := range map[string]struct{ text, want string }{
		"unknown field": {strings.Replace(good, `"transform"`, `"transfrom"`, 1), "unknown field"},
		"feature set":   {strings.Replace(good, `"pump/v1"`, `"pump/v9"`, 1), "feature set"},
		"feature names": {strings.Replace(good, `"rush_z_5s"`, `"rush_z_6s"`, 1), "rush_z_6s"},
		"not json":      {"{", "unexpected EOF"},
		"nan weight":    {strings.Replace(good, `"intercept": `, `"intercept": 1e999, "x": `, 1), "model"},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		os.WriteFile(p, []byte(c.text), 0o644)
		if _, err := LoadModel(p); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := LoadModel(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing file loaded")
	}
}
