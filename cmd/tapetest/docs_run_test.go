package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// docsThatRun are the documents whose shell blocks TestDocsShellBlocksRun
// runs, in order, in one working folder: a later document may use what an
// earlier one made (docs/review.md reviews the README's out/).
var docsThatRun = []string{"README.md", "docs/ci.md", "docs/review.md"}

// notRunHere are the shell lines of those documents that call programs
// outside the project, each with why the test does not run it. A new line
// of that kind fails the test until it is listed here: none slips by.
var notRunHere = map[string]string{
	`duckdb -c "SELECT ts, symbol, action, side, price_f, qty_f FROM 'events.parquet' LIMIT 5"`: "DuckDB is the reader's tool, not a dependency",
	`python3 -c "import pandas as pd; print(pd.read_parquet('events.parquet').head())"`:         "pandas is the reader's tool, not a dependency",
}

// shellLine is one command of a document's shell block.
type shellLine struct {
	doc, text string
	args      []string
	stdout    string // "> FILE"
}

// shellLines extracts the commands of a Markdown document's ```sh blocks:
// continuation lines joined, comments dropped, words split as a shell
// splits them (single and double quotes), an output redirection noted.
func shellLines(t *testing.T, doc, text string) []shellLine {
	t.Helper()
	var out []shellLine
	in := false
	var cont string
	for _, raw := range strings.Split(text, "\n") {
		switch {
		case !in && strings.TrimSpace(raw) == "```sh":
			in = true
			continue
		case in && strings.TrimSpace(raw) == "```":
			in = false
			continue
		case !in:
			continue
		}
		line := cont + raw
		if strings.HasSuffix(strings.TrimSpace(line), "\\") {
			cont = strings.TrimSuffix(strings.TrimSpace(line), "\\") + " "
			continue
		}
		cont = ""
		words := shellWords(t, doc, line)
		if len(words) == 0 {
			continue
		}
		l := shellLine{doc: doc, text: strings.TrimSpace(strings.Split(line, "  #")[0])}
		for i := 0; i < len(words); i++ {
			if words[i] == ">" && i+1 < len(words) {
				l.stdout = words[i+1]
				i++
				continue
			}
			l.args = append(l.args, words[i])
		}
		out = append(out, l)
	}
	return out
}

// shellWords splits a line into words as sh does for the simple commands
// documents show (quotes, a trailing # comment); it fails on what it does
// not handle (pipes, substitutions), so a document cannot outgrow it
// unnoticed.
func shellWords(t *testing.T, doc, line string) (words []string) {
	t.Helper()
	var cur strings.Builder
	have := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, have = r, true
		case r == '#' && !have:
			return words
		case r == ' ' || r == '\t':
			if have {
				words = append(words, cur.String())
				cur.Reset()
				have = false
			}
		case strings.ContainsRune("|;$`()<", r):
			t.Fatalf("%s: %q: the docs test does not run shell syntax %q; keep documented commands simple", doc, line, r)
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if have {
		words = append(words, cur.String())
	}
	return words
}

// TestDocsShellBlocksRun runs every command of the README's, docs/ci.md's
// and docs/review.md's shell blocks, in order, in a working folder that
// sees the repository's files (so examples/... resolve) and keeps what
// the commands write: `go run ./cmd/tapetest ARGS` and `tapetest ARGS` run
// the CLI in-process with those arguments; the README's `go test` line is
// the command running this test, so it is checked (its packages resolve,
// its flags parse) rather than run again; anything else must be listed in
// notRunHere with a reason. A command that fails fails the test: a
// document cannot rot.
func TestDocsShellBlocksRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default suite and the CI example")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries { // the repository's files, seen from the working folder
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(work, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(work)
	ran, checked := 0, 0
	for _, doc := range docsThatRun {
		b, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		lines := shellLines(t, doc, string(b))
		if len(lines) == 0 {
			t.Fatalf("%s has no shell block", doc)
		}
		for _, l := range lines {
			args := l.args
			switch {
			case len(args) >= 3 && args[0] == "go" && args[1] == "run" && args[2] == "./cmd/tapetest":
				args = args[3:]
			case args[0] == "tapetest":
				args = args[1:]
			case len(args) >= 2 && args[0] == "go" && args[1] == "test":
				checkGoTest(t, l)
				checked++
				continue
			default:
				if _, ok := notRunHere[l.text]; !ok {
					t.Errorf("%s: %q calls a program outside the project: run it here, or list it in notRunHere with why not", l.doc, l.text)
				}
				continue
			}
			code, stdout, stderr := runCLI(args...)
			if code != 0 {
				t.Fatalf("%s: %s: exit %d\n%s", l.doc, l.text, code, stderr)
			}
			if l.stdout != "" {
				if err := os.WriteFile(l.stdout, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ran++
			t.Logf("%s: %s: ok", l.doc, l.text)
		}
	}
	if ran < 6 || checked < 1 { // README 1, docs/ci.md 3, docs/review.md 2
		t.Fatalf("ran %d commands and checked %d go test lines: the blocks were not found", ran, checked)
	}
	for _, want := range []string{"out/report.html", "gate.xml", "queue.csv"} {
		if _, err := os.Stat(want); err != nil {
			t.Errorf("the documents' commands did not make %s: %v", want, err)
		}
	}
	if b, _ := os.ReadFile("gate.xml"); !strings.Contains(string(b), "<testsuites>") {
		t.Errorf("docs/ci.md's gate wrote no JUnit:\n%s", b)
	}
}

// checkGoTest checks a documented `go test` line without running it: the
// packages it names resolve and its flags are go test's.
func checkGoTest(t *testing.T, l shellLine) {
	t.Helper()
	for _, part := range strings.Split(strings.Join(l.args, " "), "&&") {
		words := strings.Fields(part)
		if len(words) < 2 || words[0] != "go" || words[1] != "test" {
			t.Errorf("%s: %q: want go test commands joined by &&", l.doc, l.text)
			continue
		}
		var pkgs []string
		for _, w := range words[2:] {
			switch {
			case w == "-count=1" || w == "-race" || w == "-short":
			case strings.HasPrefix(w, "-"):
				t.Errorf("%s: %q: flag %s is not one this check knows", l.doc, l.text, w)
			default:
				pkgs = append(pkgs, w)
			}
		}
		out, err := exec.Command("go", append([]string{"list"}, pkgs...)...).CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(out))) == 0 {
			t.Errorf("%s: %q: go list %v: %v\n%s", l.doc, l.text, pkgs, err, out)
		}
	}
}
