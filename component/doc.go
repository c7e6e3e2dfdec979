// Package component is the one model of every pluggable kind of tapetest —
// detectors, attack injectors, feed formats and venue rules. A component is
// described by a Spec: its kind, name, summary and typed parameters (unit,
// meaning, default, and for injectors a default per intensity). The CLI
// listings, the generated docs, the spec file's JSON Schema and validation all
// come from that one Spec. A Registry of each kind takes registrations from any
// package — a user's own detector, injector, format or venue rule is one call
// — and checks every default against its parameter's type. Parameters decode
// into Values, read back as typed values; a wrong name or type is an *Error
// naming the component and parameter, never a panic.
package component
