package results

import (
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// zstdTableCodec is parquet-go's zstd codec at its default level with the
// encoder's lower-memory history: parquet-go's own codec gives each pooled
// encoder a history of twice its 8 MB window (16 MB), where the pages of a
// results table need one window. The compressed bytes are the same
// (TestTableCodecIsParquetGos).
type zstdTableCodec struct {
	encoders sync.Pool
	decoders sync.Pool
}

// String implements compress.Codec.
func (*zstdTableCodec) String() string { return "ZSTD" }

// CompressionCodec implements compress.Codec.
func (*zstdTableCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

// Encode implements compress.Codec.
func (c *zstdTableCodec) Encode(dst, src []byte) ([]byte, error) {
	e, _ := c.encoders.Get().(*zstd.Encoder)
	if e == nil {
		var err error
		if e, err = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithZeroFrames(true), zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true)); err != nil {
			return dst, err
		}
	}
	defer c.encoders.Put(e)
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
