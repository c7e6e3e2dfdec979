// Package layering holds the rule of docs/architecture.md that imports flow
// one way: its test gives every package a layer and fails when a package
// imports one of its own layer or above.
package layering
