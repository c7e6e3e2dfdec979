package scenarios

import "github.com/invopop/jsonschema"

// JSONSchema describes a Duration as a Go duration string for editors.
func (Duration) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`, Description: "a duration such as 90s, 5m or 2h"}
}
