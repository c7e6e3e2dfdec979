package results

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// validateAntJUnit checks a document against the rules of the Apache Ant JUnit
// schema (windyroad JUnit.xsd) that CI systems read: element order, required
// attributes and their types.
func validateAntJUnit(doc []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var stack []string
	var suiteChildren []string
	var caseChild int
	isInt := func(s string) bool { _, err := strconv.Atoi(s); return err == nil }
	isDec := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`).MatchString
	isTS := regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$`).MatchString
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			attrs := map[string]string{}
			for _, a := range t.Attr {
				attrs[a.Name.Local] = a.Value
			}
			need := func(names ...string) error {
				for _, n := range names {
					if _, ok := attrs[n]; !ok {
						return fmt.Errorf("<%s> lacks required attribute %q", t.Name.Local, n)
					}
				}
				return nil
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			switch t.Name.Local {
			case "testsuites":
				if parent != "" {
					return fmt.Errorf("testsuites must be the root")
				}
			case "testsuite":
				if parent != "testsuites" {
					return fmt.Errorf("testsuite inside %q", parent)
				}
				if err := need("package", "id", "name", "timestamp", "hostname", "tests", "failures", "errors", "time"); err != nil {
					return err
				}
				for _, n := range []string{"id", "tests", "failures", "errors"} {
					if !isInt(attrs[n]) {
						return fmt.Errorf("testsuite/@%s=%q is not an int", n, attrs[n])
					}
				}
				if !isDec(attrs["time"]) || !isTS(attrs["timestamp"]) || attrs["name"] == "" || attrs["hostname"] == "" {
					return fmt.Errorf("testsuite attributes ill-typed: %v", attrs)
				}
				suiteChildren = nil
			case "properties", "system-out", "system-err":
				if parent != "testsuite" {
					return fmt.Errorf("%s inside %q", t.Name.Local, parent)
				}
				suiteChildren = append(suiteChildren, t.Name.Local)
			case "testcase":
				if parent != "testsuite" {
					return fmt.Errorf("testcase inside %q", parent)
				}
				if err := need("name", "classname", "time"); err != nil {
					return err
				}
				if !isDec(attrs["time"]) {
					return fmt.Errorf("testcase/@time=%q is not a decimal", attrs["time"])
				}
				suiteChildren = append(suiteChildren, "testcase")
				caseChild = 0
			case "failure", "error":
				if parent != "testcase" {
					return fmt.Errorf("%s inside %q", t.Name.Local, parent)
				}
				if err := need("type"); err != nil {
					return err
				}
				caseChild++
				if caseChild > 1 {
					return fmt.Errorf("testcase has more than one failure/error")
				}
			case "property":
				if parent != "properties" {
					return fmt.Errorf("property inside %q", parent)
				}
				if err := need("name", "value"); err != nil {
					return err
				}
			default:
				return fmt.Errorf("unexpected element <%s>", t.Name.Local)
			}
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			if t.Name.Local == "testsuite" {
				order := strings.Join(suiteChildren, " ")
				if !regexp.MustCompile(`^properties( testcase)* system-out system-err$`).MatchString(order) {
					return fmt.Errorf("testsuite children in wrong order: %s", order)
				}
			}
			stack = stack[:len(stack)-1]
		}
	}
	return nil
}

func TestWriteJUnitValidates(t *testing.T) {
	cases := []JUnitCase{
		{Name: "wash_self/wash_trading/min_recall", Classname: "tapetest.gate"},
		{Name: "spoof/spoofing/max_recall_drop", Classname: "tapetest.gate", Message: "recall dropped", Failure: "baseline 0.90 candidate 0.60 limit 0.05 <&>"},
	}
	var b bytes.Buffer
	if err := WriteJUnit(&b, "tapetest gate", "2026-11-23T00:00:00", cases); err != nil {
		t.Fatal(err)
	}
	if err := validateAntJUnit(b.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	out := b.String()
	for _, want := range []string{`tests="2"`, `failures="1"`, "baseline 0.90 candidate 0.60 limit 0.05 &lt;&amp;&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestValidatorRejectsBrokenJUnit(t *testing.T) {
	bad := []string{
		`<testsuites><testsuite name="x"></testsuite></testsuites>`,
		`<testsuites><testsuite package="p" id="0" name="n" timestamp="2026-11-23T00:00:00" hostname="h" tests="1" failures="0" errors="0" time="0"><testcase name="a" classname="c" time="0"/><properties/><system-out/><system-err/></testsuite></testsuites>`,
		`<testsuites><testsuite package="p" id="0" name="n" timestamp="2026-11-23T00:00:00" hostname="h" tests="1" failures="0" errors="0" time="0"><properties/><testcase name="a" classname="c" time="0"><failure message="m"/></testcase><system-out/><system-err/></testsuite></testsuites>`,
	}
	for i, doc := range bad {
		if err := validateAntJUnit([]byte(doc)); err == nil {
			t.Errorf("case %d: validator accepted an invalid document", i)
		}
	}
}

// TestJUnitValidatesWithXmllint validates the writer's output with xmllint
// against testdata/junit-ant.xsd, the Ant JUnit format as an XML Schema. CI
// installs xmllint (libxml2-utils); elsewhere the test skips without it.
func TestJUnitValidatesWithXmllint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is not installed (.ci/run installs libxml2-utils)")
		}
		t.Skip("xmllint not installed")
	}
	var b bytes.Buffer
	cases := []JUnitCase{{Name: "a/wash_trading/min_recall", Classname: "tapetest.gate.wash_trading"},
		{Name: "a/spoofing/max_recall_drop", Classname: "tapetest.gate.spoofing", Message: "max_recall_drop failed", Failure: "baseline 0.9, candidate 0.5"}}
	if err := WriteJUnit(&b, "tapetest gate", "2026-11-23T00:00:00", cases); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "gate.xml")
	os.WriteFile(p, b.Bytes(), 0o644)
	if out, err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit-ant.xsd", p).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
	// The schema is not a rubber stamp: a testcase without its time fails.
	os.WriteFile(p, []byte(strings.Replace(b.String(), `classname="tapetest.gate.wash_trading" time="0"`, `classname="tapetest.gate.wash_trading"`, 1)), 0o644)
	if err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit-ant.xsd", p).Run(); err == nil {
		t.Fatal("xmllint accepted a testcase without time")
	}
}
