package app

//go:generate go run ./internal/precompress static/vendor

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
)

// staticMaxAge is how long browsers keep a static file: its URL carries the
// files' fingerprint (assetVersion), so a changed file has a new URL.
const staticMaxAge = 365 * 24 * 3600

// encoded is one static file in the encodings it is served in.
type encoded struct {
	ext    string // the type, as the plain file server gives it
	br, gz []byte
}

// compressedStatic serves the text files under /static brotli- or
// gzip-compressed to browsers that accept it; everything else (other
// files, a browser accepting neither) falls through to the plain file
// server. Vendored files come compressed from the binary (go generate, see
// internal/precompress); the app's own few kilobytes are compressed once,
// on the first static request. Every compressible file answers with
// Vary: Accept-Encoding, so a cache never hands gzip to a browser that
// did not ask for it.
func compressedStatic(static fs.FS) fiber.Handler {
	var once sync.Once
	var files map[string]*encoded
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			return c.Next()
		}
		once.Do(func() { files = compressStatic(static) })
		f := files[strings.TrimPrefix(c.Path(), "/static/")]
		if f == nil {
			return c.Next()
		}
		c.Vary(fiber.HeaderAcceptEncoding)
		enc := acceptedEncoding(c.Get(fiber.HeaderAcceptEncoding))
		body := map[string][]byte{"br": f.br, "gzip": f.gz}[enc]
		if body == nil {
			return c.Next()
		}
		c.Set(fiber.HeaderContentEncoding, enc)
		c.Type(f.ext)
		c.Set(fiber.HeaderCacheControl, "public, max-age="+strconv.Itoa(staticMaxAge))
		return c.Send(body)
	}
}

// compressible says which static files are sent compressed: text the
// browser loads (licences and images are not worth it).
func compressible(name string) bool {
	ext := path.Ext(name)
	return ext == ".js" || ext == ".css" || ext == ".svg" || ext == ".json"
}

// compressStatic collects every compressible file's encodings: the
// pre-built name.br and name.gz where they exist, else compressed now.
func compressStatic(static fs.FS) map[string]*encoded {
	files := map[string]*encoded{}
	_ = fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !compressible(name) {
			return err
		}
		data, err := fs.ReadFile(static, name)
		if err != nil {
			return nil
		}
		f := &encoded{ext: path.Ext(name)}
		if f.br, err = fs.ReadFile(static, name+".br"); err != nil {
			var b bytes.Buffer
			w := brotli.NewWriterLevel(&b, brotli.BestCompression)
			_, _ = w.Write(data)
			_ = w.Close()
			f.br = b.Bytes()
		}
		if f.gz, err = fs.ReadFile(static, name+".gz"); err != nil {
			var b bytes.Buffer
			w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			_, _ = w.Write(data)
			_ = w.Close()
			f.gz = b.Bytes()
		}
		files[name] = f
		return nil
	})
	return files
}

// acceptedEncoding picks brotli, else gzip, from an Accept-Encoding header
// (RFC 9110 12.5.3: a coding with q=0 is refused, "*" stands for any
// coding not named), or "" for the file as it is.
func acceptedEncoding(header string) string {
	q := map[string]float64{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		weight := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if w, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					weight = w
				}
			}
		}
		q[name] = weight
	}
	for _, enc := range []string{"br", "gzip"} {
		w, named := q[enc]
		if !named {
			w, named = q["*"]
		}
		if named && w > 0 {
			return enc
		}
	}
	return ""
}
