package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

// TestAccountAttributesBesideAnOrderLog: a venue's account table given with
// its order log reaches the run's accounts (what the Sybil and account-link
// detectors read) with every attribute, the synthetic population is drawn
// around its ids, and the table and the mapping are inputs of the run.
func TestAccountAttributesBesideAnOrderLog(t *testing.T) {
	testdata, _ := filepath.Abs("../replay/orderlog/testdata")
	dir := t.TempDir()
	table := "account,device,ip_subnet,funding,referrer,country,created_at\n" +
		"8,dev-a,10.1.2.0/24,bank-1,,SG,2023-01-05\n" +
		"7,dev-a,10.1.2.0/24,bank-1,8,SG,1672876800000\n" +
		"11,dev-b,10.9.9.0/24,bank-2,,DE,2022-12-01T10:00:00Z\n"
	os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte(table), 0o644)
	text := "name: own\nseed: 3\nbackground:\n  accounts: 50\n  format: orders\n  files: [" + testdata + "/venue_a.csv]\n" +
		"  params: {mapping: " + testdata + "/venue_a.yaml}\n  account_attributes: accounts.csv\n"
	spec, err := Parse("own.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	spec.SetDir(dir)
	g, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	accts := g.Accounts()
	if len(accts) != 53 || !slices.IsSortedFunc(accts, func(a, b replay.AccountAttrs) int { return int(a.Account) - int(b.Account) }) {
		t.Fatalf("%d accounts (want 50 synthetic + 3 real), sorted: %v", len(accts), accts[:3])
	}
	byID := map[uint64]replay.AccountAttrs{}
	for _, a := range accts {
		byID[a.Account] = a
	}
	if a := byID[7]; a.Device != "dev-a" || a.Referrer != 8 || a.Country != "SG" || a.CreatedAt != 1672876800000*1e6 {
		t.Fatalf("account 7: %+v", a)
	}
	if a := byID[11]; a.IPSubnet != "10.9.9.0/24" || a.CreatedAt == 0 {
		t.Fatalf("account 11: %+v", a)
	}
	_, paths := g.Inputs()
	if len(paths) != 3 || !strings.HasSuffix(paths[1], "venue_a.yaml") || !strings.HasSuffix(paths[2], "accounts.csv") {
		t.Fatalf("inputs %v", paths)
	}
	// A table with a bad row names its line and field.
	os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte(table+"12,dev-c,,,,,yesterday\n"), 0o644)
	spec.SetDir(dir)
	_, err = NewGenerator(spec)
	var re *replay.RowError
	if !errors.As(err, &re) || re.Line != 5 || re.Field != "created_at" {
		t.Fatalf("a bad created_at: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte(table+"7,dev-z,,,,,\n"), 0o644)
	if _, err := NewGenerator(spec); err == nil || !strings.Contains(err.Error(), "listed again") {
		t.Fatalf("an account listed twice: %v", err)
	}
}
