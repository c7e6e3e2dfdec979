package component

import (
	"fmt"
	"io"
	"strings"

	"github.com/tapetest/tapetest/labels"
)

// Listing is one component as a listing shows it: its spec and, for kinds
// that have one, a note after its name (a detector's typology).
type Listing struct {
	Spec *Spec
	Note string
}

// WriteText writes components for a terminal: name [note], the summary, and
// a line per parameter with its type, default (or defaults by intensity) and
// meaning.
func WriteText(w io.Writer, ls []Listing) error {
	for _, l := range ls {
		s := l.Spec
		head := s.Name
		if l.Note != "" {
			head += "  [" + l.Note + "]"
		}
		fmt.Fprintf(w, "%s\n  %s\n", head, strings.ReplaceAll(s.Summary, "\n", "\n  "))
		if s.PerIntensity() {
			fmt.Fprintf(w, "    %-16s %-8s", "parameter", "type")
			for _, in := range labels.Intensities {
				fmt.Fprintf(w, " %8s", in)
			}
			fmt.Fprintln(w)
		}
		for _, p := range s.Params {
			if s.PerIntensity() {
				fmt.Fprintf(w, "    %-16s %-8s", p.Name, p.Type)
				for _, in := range labels.Intensities {
					fmt.Fprintf(w, " %8s", FormatValue(p.ByIntensity[in]))
				}
				fmt.Fprintf(w, "  %s%s\n", p.Meaning, unitText(p))
				continue
			}
			fmt.Fprintf(w, "    %-18s %-8s default %-12s %s%s\n", p.Name, p.Type, defaultText(p.Default), p.Meaning, unitText(p))
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown writes components as documentation: a section each with its
// summary and a table of its parameters.
func WriteMarkdown(w io.Writer, ls []Listing) error {
	for _, l := range ls {
		s := l.Spec
		head := s.Name
		if l.Note != "" {
			head += " (" + l.Note + ")"
		}
		fmt.Fprintf(w, "## %s\n\n%s\n\n", head, s.Summary)
		if len(s.Params) == 0 {
			fmt.Fprint(w, "No parameters.\n\n")
			continue
		}
		if s.PerIntensity() {
			fmt.Fprint(w, "| parameter | type | meaning |")
			for _, in := range labels.Intensities {
				fmt.Fprintf(w, " %s |", in)
			}
			fmt.Fprintf(w, "\n|---|---|---|%s\n", strings.Repeat("---|", len(labels.Intensities)))
			for _, p := range s.Params {
				fmt.Fprintf(w, "| `%s` | %s | %s%s |", p.Name, p.Type, mdCell(p.Meaning), unitText(p))
				for _, in := range labels.Intensities {
					fmt.Fprintf(w, " %s |", FormatValue(p.ByIntensity[in]))
				}
				fmt.Fprintln(w)
			}
		} else {
			fmt.Fprint(w, "| parameter | type | default | unit | meaning |\n|---|---|---|---|---|\n")
			for _, p := range s.Params {
				fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", p.Name, p.Type, defaultText(p.Default), p.Unit, mdCell(p.Meaning))
			}
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

func defaultText(v any) string {
	if s, ok := v.(string); ok && s == "" {
		return "(none)"
	}
	return FormatValue(v)
}

// unitText is a parameter's unit after its meaning; a duration's value says
// its own unit.
func unitText(p Param) string {
	if p.Unit == "" || p.Type == Duration {
		return ""
	}
	return " (" + p.Unit + ")"
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
