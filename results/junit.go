package results

import (
	"encoding/xml"
	"fmt"
	"io"
)

// JUnitCase is one test case of a JUnit report: for the gate, one rule.
type JUnitCase struct {
	Name      string
	Classname string
	Failure   string // empty when the case passed; otherwise the failure text (the numbers)
	Message   string // short failure message
}

// WriteJUnit writes cases as one test suite in the Apache Ant JUnit XML format
// (the windyroad JUnit.xsd that Jenkins, GitLab and GitHub test reporters read):
// <testsuites><testsuite package id name timestamp hostname tests failures errors time>
// <properties/> <testcase name classname time><failure message type>...</failure></testcase>
// <system-out/><system-err/></testsuite></testsuites>. timestamp is given by the
// caller (ISO 8601 without zone) so that output stays reproducible.
func WriteJUnit(w io.Writer, suite, timestamp string, cases []JUnitCase) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
	}
	type properties struct{}
	type testsuite struct {
		Package    string     `xml:"package,attr"`
		ID         int        `xml:"id,attr"`
		Name       string     `xml:"name,attr"`
		Timestamp  string     `xml:"timestamp,attr"`
		Hostname   string     `xml:"hostname,attr"`
		Tests      int        `xml:"tests,attr"`
		Failures   int        `xml:"failures,attr"`
		Errors     int        `xml:"errors,attr"`
		Time       string     `xml:"time,attr"`
		Properties properties `xml:"properties"`
		Cases      []testcase `xml:"testcase"`
		SystemOut  string     `xml:"system-out"`
		SystemErr  string     `xml:"system-err"`
	}
	type testsuites struct {
		XMLName xml.Name    `xml:"testsuites"`
		Suites  []testsuite `xml:"testsuite"`
	}
	if suite == "" {
		return fmt.Errorf("junit: empty suite name")
	}
	s := testsuite{Package: suite, Name: suite, Timestamp: timestamp, Hostname: "localhost", Time: "0", Tests: len(cases)}
	for _, c := range cases {
		tc := testcase{Name: c.Name, Classname: c.Classname, Time: "0"}
		if c.Failure != "" {
			s.Failures++
			tc.Failure = &failure{Message: c.Message, Type: "GateRuleFailed", Text: c.Failure}
		}
		s.Cases = append(s.Cases, tc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(testsuites{Suites: []testsuite{s}}); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
