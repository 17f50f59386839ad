package app_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// decode undoes a Content-Encoding.
func decode(t *testing.T, enc string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		r = zr
	case "":
		return body
	default:
		t.Fatalf("unknown Content-Encoding %q", enc)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s body does not decode: %v", enc, err)
	}
	return out
}

// TestStaticCompressed asks for static files as browsers and caches do:
// each gets the encoding it accepts (brotli before gzip, never one it
// refused with q=0), the file's own type, the year-long cache, and
// Vary: Accept-Encoding, whatever the encoding; the body decodes to the file.
func TestStaticCompressed(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		path, accept, want string
	}{
		{"/static/vendor/echarts.min.js", "gzip, deflate, br, zstd", "br"}, // Chromium
		{"/static/vendor/echarts.min.js", "gzip", "gzip"},
		{"/static/vendor/echarts.min.js", "", ""},
		{"/static/vendor/echarts.min.js", "br;q=0, gzip;q=0.8", "gzip"},
		{"/static/vendor/echarts.min.js", "identity", ""},
		{"/static/vendor/echarts.min.js", "*", "br"},
		{"/static/vendor/echarts.min.js", "*;q=0", ""},
		{"/static/vendor/pico.min.css", "br", "br"},
		{"/static/css/app.css", "br, gzip", "br"}, // the app's own files, compressed by the server
		{"/static/js/charts.js", "gzip", "gzip"},
		{"/static/js/app.js", "", ""},
	}
	for _, tt := range tests {
		file, err := os.ReadFile(strings.TrimPrefix(tt.path, "/"))
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, tt.path+"?v=1", nil)
		if tt.accept != "" {
			req.Header.Set("Accept-Encoding", tt.accept)
		}
		resp, err := e.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		enc := resp.Header.Get("Content-Encoding")
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode != http.StatusOK || enc != tt.want {
			t.Errorf("GET %s (Accept-Encoding %q): %d, Content-Encoding %q, want 200 and %q", tt.path, tt.accept, resp.StatusCode, enc, tt.want)
			continue
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s (Accept-Encoding %q): Vary %q lacks Accept-Encoding", tt.path, tt.accept, resp.Header.Get("Vary"))
		}
		wantType := "text/javascript"
		if strings.HasSuffix(tt.path, ".css") {
			wantType = "text/css"
		}
		if !strings.HasPrefix(ct, wantType) {
			t.Errorf("GET %s (Accept-Encoding %q): Content-Type %q, want %s", tt.path, tt.accept, ct, wantType)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000" {
			t.Errorf("GET %s (Accept-Encoding %q): Cache-Control %q", tt.path, tt.accept, cc)
		}
		if got := decode(t, enc, body); !bytes.Equal(got, file) {
			t.Errorf("GET %s (Accept-Encoding %q): %d bytes decode to %d bytes, not the file's %d", tt.path, tt.accept, len(body), len(got), len(file))
		}
		if enc != "" && len(body) > len(file)/2 {
			t.Errorf("GET %s (%s): %d of %d bytes, hardly compressed", tt.path, enc, len(body), len(file))
		}
	}
	// A licence is not loaded by pages: plain, whatever the browser accepts.
	req := httptest.NewRequest(http.MethodGet, "/static/vendor/LICENSE-echarts.txt", nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("licence: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}

// TestStaticPrecompressedFresh: every pre-built .br and .gz beside a static
// file is that file compressed, so none is left stale after the file
// changed (run `go generate ./app`).
func TestStaticPrecompressedFresh(t *testing.T) {
	n := 0
	err := filepath.WalkDir("static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		enc := map[string]string{".br": "br", ".gz": "gzip"}[filepath.Ext(path)]
		if enc == "" {
			return nil
		}
		packed, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		source, err := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)))
		if err != nil {
			t.Errorf("%s has no source file: %v", path, err)
			return nil
		}
		if !bytes.Equal(decode(t, enc, packed), source) {
			t.Errorf("%s is stale: it does not decode to %s; run go generate ./app", path, strings.TrimSuffix(path, filepath.Ext(path)))
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("only %d pre-built compressed files; want .br and .gz of echarts and pico", n)
	}
}
