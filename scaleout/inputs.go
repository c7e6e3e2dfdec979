package scaleout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"

	"github.com/tapetest/tapetest/scenarios"
)

// FetchInputs copies the inputs a spec names by URL (historical files,
// label lists, mappings, account attributes in gs://, s3://, azblob:// or
// file:// stores) into a local folder and points the spec at the copies;
// the manifest still names each by its URL, with the copy's SHA-256. The
// returned function removes the copies.
func FetchInputs(ctx context.Context, spec *scenarios.Spec) (func(), error) {
	refs := spec.RemoteInputs()
	if len(refs) == 0 {
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "tapetest-inputs-")
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	for _, ref := range refs {
		u, err := url.Parse(ref)
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("input %q: %w", ref, err)
		}
		key := path.Base(u.Path)
		if key == "" || key == "." || key == "/" {
			cleanup()
			return nil, fmt.Errorf("input %q: names no object", ref)
		}
		folder := *u
		folder.Path = path.Dir(u.Path)
		store, err := OpenStore(ctx, folder.String())
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("input %q: %w", ref, err)
		}
		b, err := store.Get(ctx, key)
		store.Close()
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("input %q: %w", ref, err)
		}
		sum := sha256.Sum256([]byte(ref))
		local := filepath.Join(dir, hex.EncodeToString(sum[:8]), key) // the name keeps its extension: formats read .gz by it
		if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
			cleanup()
			return nil, err
		}
		if err := os.WriteFile(local, b, 0o644); err != nil {
			cleanup()
			return nil, err
		}
		spec.SetLocal(ref, local)
	}
	return cleanup, nil
}
