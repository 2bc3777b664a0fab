// Package capture serves the hosted capture page, GET /verify/<session token>:
// the end user's device photographs the document and a selfie, uploads them,
// submits and sees the outcome. The page is plain HTML, CSS and JavaScript
// embedded in the binary (web/), calls only the token-scoped session methods
// and loads nothing from another origin.
package capture

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed web
var web embed.FS

// Handler answers /verify/<token> and /verify/assets/<file>.
func Handler() http.Handler {
	assets, _ := fs.Sub(web, "web")
	files := http.FileServer(http.FS(assets))
	index, _ := fs.ReadFile(assets, "index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The token is in the URL: never send it on as a Referer, never cache the page.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "+
			"connect-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("Permissions-Policy", "camera=(self)")
		rest := strings.TrimPrefix(r.URL.Path, "/verify/")
		if name, ok := strings.CutPrefix(rest, "assets/"); ok {
			if name == "" || name == "index.html" || strings.Contains(name, "/") {
				http.NotFound(w, r)
				return
			}
			h.Set("Cache-Control", "no-cache")
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + name
			files.ServeHTTP(w, r2)
			return
		}
		if rest == "" || strings.Contains(rest, "/") {
			http.NotFound(w, r)
			return
		}
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(index)
	})
}
