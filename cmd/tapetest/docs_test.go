package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoPath matches a repository file a document names: a path under one of
// the repository's folders, with an extension.
var repoPath = regexp.MustCompile("(?:^|[\\s`(\"'])((?:examples|scenarios|docs|detectors|cmd|backtest|results|scoring|replay|labels|training|deploy|internal)/[A-Za-z0-9_./-]+\\.(?:yaml|yml|md|go|json|csv|gz))")

// TestDocsNameFilesThatExist: every repository file README.md and docs/
// name exists (docs/ci.md named scenarios/ci.yaml and gate.yaml, which did
// not).
func TestDocsNameFilesThatExist(t *testing.T) {
	root := "../.."
	docs := []string{filepath.Join(root, "README.md")}
	filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			docs = append(docs, p)
		}
		return nil
	})
	checked := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range repoPath.FindAllStringSubmatch(string(b), -1) {
			p := strings.TrimSuffix(m[1], ".")
			if strings.ContainsAny(p, "*{}") || strings.Contains(p, "NAME") {
				continue // a pattern, not a file
			}
			checked++
			if _, err := os.Stat(filepath.Join(root, p)); err != nil {
				rel, _ := filepath.Rel(root, doc)
				t.Errorf("%s names %s, which does not exist", rel, p)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d paths checked: the pattern finds too little", checked)
	}
}
