package results

import (
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// zstdTableCodec is parquet-go's zstd codec at its default level with
// encoders that keep less history: parquet-go's own codec gives each pooled
// encoder a history of twice its 8 MB window (16 MB), where a page needs
// only its own length. A page of at most smallWindow bytes — every page of
// the results tables, whose pages are parquet-go's 256 KiB — goes to an
// encoder whose window is smallWindow (a history of about 1.1 MB); a longer
// one to an encoder with the default window and one window of history. The
// compressed bytes are the same either way (TestTableCodecIsParquetGos): a
// page no longer than the window is one single-segment frame whose header
// follows its length, and its matches lie within it.
type zstdTableCodec struct {
	small    sync.Pool // encoders with a smallWindow window
	encoders sync.Pool // encoders with the default window
	decoders sync.Pool
}

// smallWindow is the window of the encoders for pages up to its size.
const smallWindow = 1 << 20

// String implements compress.Codec.
func (*zstdTableCodec) String() string { return "ZSTD" }

// CompressionCodec implements compress.Codec.
func (*zstdTableCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

// Encode implements compress.Codec.
func (c *zstdTableCodec) Encode(dst, src []byte) ([]byte, error) {
	pool, opts := &c.encoders, []zstd.EOption(nil)
	if len(src) <= smallWindow {
		pool, opts = &c.small, []zstd.EOption{zstd.WithWindowSize(smallWindow)}
	}
	e, _ := pool.Get().(*zstd.Encoder)
	if e == nil {
		var err error
		opts = append(opts, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithZeroFrames(true), zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true))
		if e, err = zstd.NewWriter(nil, opts...); err != nil {
			return dst, err
		}
	}
	defer pool.Put(e)
	return e.EncodeAll(src, dst[:0]), nil
}

// Decode implements compress.Codec.
func (c *zstdTableCodec) Decode(dst, src []byte) ([]byte, error) {
	d, _ := c.decoders.Get().(*zstd.Decoder)
	if d == nil {
		var err error
		if d, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1)); err != nil {
			return dst, err
		}
	}
	defer c.decoders.Put(d)
	return d.DecodeAll(src, dst[:0])
}
