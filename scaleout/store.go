package scaleout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/blob/fileblob"  // file://
	_ "gocloud.dev/blob/gcsblob"   // gs://
	_ "gocloud.dev/blob/s3blob"    // s3://
	"gocloud.dev/gcerrors"
)

// Store is where shards put their results and the merge reads them: a
// prefix of a bucket, through gocloud.dev/blob (file://, s3://, gs://,
// azblob://), or a local folder.
type Store struct {
	bucket *blob.Bucket
	url    string
}

// IsURL reports whether s names an object store (scheme://...) rather than
// a local path.
func IsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && len(u.Scheme) > 1 && strings.Contains(s, "://")
}

// OpenStore opens a store: a URL (gs://bucket/prefix?opts,
// s3://bucket/prefix?region=..., azblob://container/prefix,
// file:///abs/folder) or a local folder, created when missing.
func OpenStore(ctx context.Context, where string) (*Store, error) {
	if !IsURL(where) {
		abs, err := filepath.Abs(where)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return nil, fmt.Errorf("store %s: %w", where, err)
		}
		where = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	u, err := url.Parse(where)
	if err != nil {
		return nil, fmt.Errorf("store %q: %w", where, err)
	}
	var bucketURL, prefix string
	switch u.Scheme {
	case "file":
		if err := os.MkdirAll(filepath.FromSlash(u.Path), 0o755); err != nil {
			return nil, fmt.Errorf("store %s: %w", where, err)
		}
		q := u.Query()
		q.Set("metadata", "skip")
		u.RawQuery = q.Encode()
		bucketURL = u.String()
	default:
		prefix = strings.Trim(u.Path, "/")
		u.Path = ""
		bucketURL = u.String()
	}
	b, err := blob.OpenBucket(ctx, bucketURL)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", where, err)
	}
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix+"/")
	}
	return &Store{bucket: b, url: where}, nil
}

// Close releases the store.
func (s *Store) Close() error { return s.bucket.Close() }

// String is the store's URL.
func (s *Store) String() string { return s.url }

// ErrNotFound marks a key the store does not hold.
var ErrNotFound = errors.New("not found")

// Put writes one object whole: the store's writer commits it on Close, so
// a reader sees the old object or the new one, never a part.
func (s *Store) Put(ctx context.Context, key string, data []byte) error {
	if err := s.bucket.WriteAll(ctx, key, data, nil); err != nil {
		return fmt.Errorf("store %s: put %s: %w", s.url, key, err)
	}
	return nil
}

// Get reads one object.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.bucket.ReadAll(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("store %s: %s: %w", s.url, key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: get %s: %w", s.url, key, err)
	}
	return b, nil
}

// PutDir uploads every file of a local folder under prefix.
func (s *Store) PutDir(ctx context.Context, dir, prefix string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return s.Put(ctx, prefix+filepath.ToSlash(rel), b)
	})
}

// GetDir downloads every object under prefix into a local folder.
func (s *Store) GetDir(ctx context.Context, prefix, dir string) error {
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store %s: list %s: %w", s.url, prefix, err)
		}
		if obj.IsDir {
			continue
		}
		rel := strings.TrimPrefix(obj.Key, prefix)
		if rel == "" || strings.Contains(rel, "..") || strings.HasPrefix(rel, "/") {
			return fmt.Errorf("store %s: object %q: not a path under %s", s.url, obj.Key, prefix)
		}
		b, err := s.Get(ctx, obj.Key)
		if err != nil {
			return err
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
}
