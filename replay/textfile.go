package replay

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// OpenText opens a text input file for buffered reading, decompressing it
// transparently when it starts with the gzip magic bytes. Closing the returned
// closer closes the file.
func OpenText(path string) (*bufio.Reader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return bufio.NewReaderSize(zr, 1<<16), f, nil
	}
	return br, f, nil
}
