package replay

import "fmt"

// RowError is malformed input: the file, the 1-based line (or row), the field
// and the reason. Importers return it (wrapped or as is) so that callers can
// report "file:line: field: reason" and count skipped rows by field.
type RowError struct {
	File   string
	Line   int64
	Field  string
	Reason string
}

func (e *RowError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Reason)
}
