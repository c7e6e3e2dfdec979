package component

import (
	"github.com/invopop/jsonschema"
)

// ParamsSchema is the JSON Schema of a spec's parameters as a spec file
// gives them: an object of the declared names only, each value of its type —
// or, where grids says so, a list of such values (a detector's grid); an
// injector's numbers may also be a range [low, high].
func (s *Spec) ParamsSchema(grids bool) *jsonschema.Schema {
	props := jsonschema.NewProperties()
	for _, p := range s.Params {
		one := p.Type.schema()
		one.Description = p.Meaning
		if p.Unit != "" {
			one.Description += " (" + p.Unit + ")"
		}
		v := one
		switch {
		case grids:
			v = &jsonschema.Schema{AnyOf: []*jsonschema.Schema{one, {Type: "array", Items: p.Type.schema()}}, Description: one.Description}
		case s.PerIntensity() && (p.Type == Int || p.Type == Float):
			two := uint64(2)
			v = &jsonschema.Schema{AnyOf: []*jsonschema.Schema{one, {Type: "array", Items: p.Type.schema(), MinItems: &two, MaxItems: &two}}, Description: one.Description + "; a value or a range [low, high]"}
		}
		props.Set(p.Name, v)
	}
	return &jsonschema.Schema{Type: "object", Properties: props, AdditionalProperties: jsonschema.FalseSchema}
}

// schema is the JSON Schema of one value of the type.
func (t Type) schema() *jsonschema.Schema {
	switch t {
	case Duration:
		return &jsonschema.Schema{Type: "string", Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	case Int:
		return &jsonschema.Schema{Type: "integer"}
	case Float:
		return &jsonschema.Schema{Type: "number"}
	case Bool:
		return &jsonschema.Schema{Type: "boolean"}
	}
	return &jsonschema.Schema{Type: "string"}
}

// Conditional is the schema rule "when key is name, params follows the
// spec": one entry of an allOf over the registered components.
func Conditional(key, name, paramsKey string, params *jsonschema.Schema) *jsonschema.Schema {
	ifProps := jsonschema.NewProperties()
	ifProps.Set(key, &jsonschema.Schema{Const: name})
	thenProps := jsonschema.NewProperties()
	thenProps.Set(paramsKey, params)
	return &jsonschema.Schema{If: &jsonschema.Schema{Properties: ifProps, Required: []string{key}}, Then: &jsonschema.Schema{Properties: thenProps}}
}
