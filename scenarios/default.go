package scenarios

import _ "embed"

//go:embed default.yaml
var defaultSuite []byte

// DefaultSpecText is the embedded default suite's YAML.
func DefaultSpecText() []byte { return defaultSuite }

// Default parses the embedded default suite.
func Default() (*Spec, error) { return Parse("default.yaml", defaultSuite) }
