// Command precompress writes, beside each vendored static file, its brotli
// (.br) and gzip (.gz) forms at the best compression, so the server sends
// them without compressing anything per request or at start (brotli's best
// level takes about a second on echarts). Run it after changing a vendored
// file: `go generate ./app`. TestStaticPrecompressedFresh fails while a
// compressed form does not match its file.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/andybalholm/brotli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress DIR")
		os.Exit(2)
	}
	err := filepath.WalkDir(os.Args[1], func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !compressible(path) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var br, gz bytes.Buffer
		bw := brotli.NewWriterOptions(&br, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
		gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // no name, no time: the output depends on the file alone
		for _, w := range []interface {
			Write([]byte) (int, error)
			Close() error
		}{bw, gw} {
			if _, err := w.Write(data); err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
		}
		if err := os.WriteFile(path+".br", br.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d bytes, brotli %d, gzip %d\n", path, len(data), br.Len(), gz.Len())
		return os.WriteFile(path+".gz", gz.Bytes(), 0o644)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}

// compressible matches app.compressible: text the browser loads.
func compressible(path string) bool {
	ext := filepath.Ext(path)
	return ext == ".js" || ext == ".css" || ext == ".svg" || strings.HasSuffix(path, ".json")
}
