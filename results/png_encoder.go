package results

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"sync"
)

// encodePNG writes img, a plot drawn on a raster canvas, as a PNG. An opaque
// image (a plot always is: its canvas is filled white first) is written as
// 8-bit RGB with one filter, Up, for every row, deflated at the fastest
// level: image/png tries all five filters on every row, which was most of
// the plots' encoding time, for files a few per cent smaller. Anything else
// goes to image/png. Either way the pixels decode to img's
// (TestPNGEncoderKeepsThePixels).
func encodePNG(w io.Writer, img *image.RGBA) error {
	if !opaque(img) {
		return pngEncoder.Encode(w, img)
	}
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits a sample, truecolour (RGB); compression, filter and interlace 0
	writeChunk(bw, "IHDR", ihdr[:])

	idat := idatWriter{w: bw}
	z, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		return err
	}
	rows := pngRows.Get().(*[2][]byte)
	defer pngRows.Put(rows)
	prev, cur := grow((*rows)[0], 1+3*width), grow((*rows)[1], 1+3*width)
	clear(prev)
	for y := range height {
		px := img.Pix[(y+b.Min.Y-img.Rect.Min.Y)*img.Stride+(b.Min.X-img.Rect.Min.X)*4:][:4*width]
		raw := cur[1:]
		for x, i := 0, 0; x < len(raw); x, i = x+3, i+4 {
			raw[x], raw[x+1], raw[x+2] = px[i], px[i+1], px[i+2]
		}
		// Up: each byte less the one above it (the row above's raw bytes).
		out := grow(idat.scratch, len(cur))
		out[0] = 2
		above, filtered := prev[1:len(cur)], out[1:]
		for i, c := range raw {
			filtered[i] = c - above[i]
		}
		idat.scratch = out
		if _, err := z.Write(out); err != nil {
			return err
		}
		prev, cur = cur, prev
	}
	*rows = [2][]byte{prev, cur}
	if err := z.Close(); err != nil {
		return err
	}
	if err := idat.flush(); err != nil {
		return err
	}
	writeChunk(bw, "IEND", nil)
	return bw.Flush()
}

// pngRows are the raw rows encodePNG filters against, reused.
var pngRows = sync.Pool{New: func() any { return new([2][]byte) }}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// opaque reports whether every pixel of img is fully opaque.
func opaque(img *image.RGBA) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[(y-img.Rect.Min.Y)*img.Stride+(b.Min.X-img.Rect.Min.X)*4:][:4*b.Dx()]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 0xff {
				return false
			}
		}
	}
	return true
}

// idatWriter cuts the zlib stream into IDAT chunks of 64 KiB.
type idatWriter struct {
	w       *bufio.Writer
	buf     bytes.Buffer
	scratch []byte // encodePNG's filtered row
}

func (d *idatWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), 1<<16-d.buf.Len())
		d.buf.Write(p[:k])
		p = p[k:]
		if d.buf.Len() == 1<<16 {
			if err := d.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (d *idatWriter) flush() error {
	if d.buf.Len() == 0 {
		return nil
	}
	writeChunk(d.w, "IDAT", d.buf.Bytes())
	d.buf.Reset()
	return nil
}

// writeChunk writes one PNG chunk: length, type, data, CRC of type and
// data. A bufio.Writer keeps its first error, returned by Flush.
func writeChunk(w *bufio.Writer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	w.WriteString(typ)
	w.Write(data)
	var t [4]byte
	copy(t[:], typ)
	binary.BigEndian.PutUint32(n[:], crc32.Update(crc32.ChecksumIEEE(t[:]), crc32.IEEETable, data))
	w.Write(n[:])
}

// pngEncoder is image/png's encoder at deflate's fastest level, with a
// shared buffer pool: for the images encodePNG does not write itself.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

// pngBuffers is a png.EncoderBufferPool over a sync.Pool.
type pngBuffers struct{ p sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	if e, ok := b.p.Get().(*png.EncoderBuffer); ok {
		return e
	}
	return nil
}

func (b *pngBuffers) Put(e *png.EncoderBuffer) { b.p.Put(e) }
