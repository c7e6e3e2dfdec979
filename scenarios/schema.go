package scenarios

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
)

// JSONSchema describes a Duration as a Go duration string for editors.
func (Duration) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`, Description: "a duration such as 90s, 5m or 2h"}
}

// Schema returns the JSON Schema of scenario specs, generated from the same Go
// types the strict YAML decoder uses, so that editors can check specs.
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{DoNotReference: true, RequiredFromJSONSchemaTags: true}
	s := r.Reflect(&Spec{})
	s.ID = "https://tapetest.dev/schemas/spec.json"
	s.Title = "tapetest scenario spec"
	s.AdditionalProperties = jsonschema.FalseSchema
	return json.MarshalIndent(s, "", "  ")
}
