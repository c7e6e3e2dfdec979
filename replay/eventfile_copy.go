package replay

import (
	"context"
	"errors"
	"io"
)

// SourceError is an error reading the source WriteEventFile copies: the
// input's fault, not the output's.
type SourceError struct{ Err error }

func (e *SourceError) Error() string { return e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

// WriteEventFile streams every event of src into a canonical event file at
// path (written to a temporary name and renamed: an interrupted copy leaves
// no file), with source recorded in its metadata, and returns how many events
// it wrote. An error reading src is a *SourceError; any other is the
// output's (or ctx's).
func WriteEventFile(ctx context.Context, src EventSource, path string, opts EventFileOptions, source string) (int64, error) {
	w, err := CreateEventFile(path, opts)
	if err != nil {
		return 0, err
	}
	w.SetSource(source)
	buf := make([]Event, 8192)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			w.Abort()
			return n, err
		}
		k, err := src.Read(buf)
		if k > 0 {
			w.SetInstruments(src.Instruments())
			if werr := w.Write(buf[:k]); werr != nil {
				w.Abort()
				return n, werr
			}
			n += int64(k)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			w.Abort()
			return n, &SourceError{Err: err}
		}
	}
	w.SetInstruments(src.Instruments())
	return n, w.Close()
}
