package serve

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"time"
)

// The page is three files written by hand, built into the program: it
// loads nothing from anywhere else (no CDN, no web fonts), so it works
// offline and shows nothing a third party could change.
//
//	static/index.html  the page's structure: live training, finished runs, try it
//	static/style.css   its layout, one column on a phone
//	static/app.js      everything it does: the event stream, the plots (SVG
//	                   drawn from the numbers), the tables, the try-it panel
//
//go:embed static
var staticFiles embed.FS

// staticFile is one of the page's files, with its content type and an
// ETag made from its content, so that a browser asks again only after the
// program changed.
type staticFile struct {
	body        []byte
	contentType string
	etag        string
}

var staticTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
}

// static holds the page's files by name, read once.
var static = func() map[string]staticFile {
	out := map[string]staticFile{}
	entries, err := fs.ReadDir(staticFiles, "static")
	if err != nil {
		panic(err) // the files are built in: this cannot happen
	}
	for _, e := range entries {
		b, err := staticFiles.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = staticFile{body: b, contentType: staticTypes[path.Ext(e.Name())], etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
}()

// page answers GET /: index.html.
func (s *site) page(w http.ResponseWriter, r *http.Request) {
	serveStatic(w, r, "index.html")
}

// static answers GET /static/{file}: the style sheet and the script.
func (s *site) static(w http.ResponseWriter, r *http.Request) {
	serveStatic(w, r, r.PathValue("file"))
}

// noIcon answers the browser's request for an icon: there is none, and
// 204 says so without an error in the browser's console.
func noIcon(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }

func serveStatic(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := static[name]
	if !ok || f.contentType == "" {
		http.Error(w, "no such file: "+name, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache") // use the cached copy only while the ETag matches
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}
