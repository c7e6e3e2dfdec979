package orderlog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/replay"
)

// records reads a log's rows as text fields by column name, whatever the
// file's format.
type records interface {
	// header is the column names, known once open.
	header() []string
	// next returns the next row's fields (valid until the following call)
	// and its 1-based position (CSV line or Parquet row); io.EOF at the end.
	next() ([]string, int64, error)
	close() error
}

// openRecords opens path as CSV or, when it is a Parquet file, as Parquet.
func openRecords(path string) (records, error) {
	if isParquet(path) {
		return openParquetRecords(path)
	}
	return openCSVRecords(path)
}

func isParquet(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "PAR1"
}

// csvRecords reads a CSV log with a header row through the shared line
// reader (gzip, bounded lines); fields may be quoted.
type csvRecords struct {
	lines  *replay.Lines
	names  []string
	fields []string
}

func openCSVRecords(path string) (*csvRecords, error) {
	r := &csvRecords{lines: replay.NewLines([]string{path})}
	b, err := r.lines.Next()
	if err == io.EOF {
		r.lines.Close()
		return nil, fmt.Errorf("%s: empty: a log needs a header row", path)
	}
	if err != nil {
		r.lines.Close()
		return nil, err
	}
	if r.names, err = r.split(b); err != nil {
		r.lines.Close()
		return nil, fmt.Errorf("%s:1: header: %w", path, err)
	}
	for i := range r.names {
		r.names[i] = strings.TrimSpace(strings.TrimPrefix(r.names[i], "\ufeff"))
	}
	r.names = append([]string(nil), r.names...)
	return r, nil
}

func (r *csvRecords) header() []string { return r.names }
func (r *csvRecords) close() error     { return r.lines.Close() }

func (r *csvRecords) next() ([]string, int64, error) {
	for {
		b, err := r.lines.Next()
		if err != nil {
			return nil, 0, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		f, err := r.split(b)
		if err != nil {
			return nil, r.lines.Line, &replay.RowError{File: r.lines.File, Line: r.lines.Line, Field: "row", Reason: err.Error()}
		}
		return f, r.lines.Line, nil
	}
}

// split splits one CSV line; a line without quotes is split in place.
func (r *csvRecords) split(b []byte) ([]string, error) {
	b = bytes.TrimRight(b, "\r\n")
	if bytes.IndexByte(b, '"') < 0 {
		r.fields = r.fields[:0]
		for _, f := range bytes.Split(b, []byte{','}) {
			r.fields = append(r.fields, string(f))
		}
		return r.fields, nil
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	return cr.Read()
}

// parquetRecords reads a flat Parquet log, converting each value to text.
type parquetRecords struct {
	f      *os.File
	groups []parquet.RowGroup
	g      int          // the next row group
	r      parquet.Rows // the current row group's rows
	names  []string
	rows   []parquet.Row
	n, i   int
	row    int64
	fields []string
	path   string
}

func openParquetRecords(path string) (*parquetRecords, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", path, err)
	}
	var names []string
	for _, col := range pf.Schema().Fields() {
		if !col.Leaf() {
			f.Close()
			return nil, fmt.Errorf("%s: column %q is nested: an order log's columns must be flat", path, col.Name())
		}
		names = append(names, col.Name())
	}
	return &parquetRecords{f: f, groups: pf.RowGroups(), names: names, rows: make([]parquet.Row, 1024), fields: make([]string, len(names)), path: path}, nil
}

func (p *parquetRecords) header() []string { return p.names }

func (p *parquetRecords) close() error {
	if p.r != nil {
		p.r.Close()
	}
	return p.f.Close()
}

func (p *parquetRecords) next() ([]string, int64, error) {
	for p.i == p.n {
		if p.r == nil {
			if p.g == len(p.groups) {
				return nil, 0, io.EOF
			}
			p.r = p.groups[p.g].Rows()
			p.g++
		}
		n, err := p.r.ReadRows(p.rows)
		p.n, p.i = n, 0
		switch {
		case err != nil && !errors.Is(err, io.EOF):
			return nil, 0, fmt.Errorf("%s: row %d: %w", p.path, p.row+1, err)
		case n == 0 || errors.Is(err, io.EOF):
			if n == 0 {
				p.r.Close()
				p.r = nil
			}
		}
	}
	row := p.rows[p.i]
	p.i++
	p.row++
	for k := range p.fields {
		p.fields[k] = ""
	}
	for _, v := range row {
		if c := v.Column(); c >= 0 && c < len(p.fields) {
			p.fields[c] = valueText(v)
		}
	}
	return p.fields, p.row, nil
}

// valueText is a Parquet value as the text a CSV log would hold: integers
// as integers, floats at the shortest precision that reads back the same,
// byte arrays as they are, null as "".
func valueText(v parquet.Value) string {
	if v.IsNull() {
		return ""
	}
	switch v.Kind() {
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'f', -1, 32)
	case parquet.Double:
		f := v.Double()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "NaN"
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray())
	}
	return "" // null
}
