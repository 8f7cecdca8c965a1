package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/bonsign/bonsign/assets"
)

// web is what the clerk console and the officer console share: the security
// headers, the same-origin check, the cookies, the CSRF tokens, the pages and
// the static files. Each console is a web mounted at its own prefix.
type web struct {
	prefix string
	cfg    Config
	csp    string
	pages  map[string]*template.Template
	mux    *http.ServeMux
	static map[string]staticFile
	// refuse answers a POST that a browser says comes from another site.
	refuse func(w http.ResponseWriter, r *http.Request)
}

type staticFile struct {
	data  []byte
	ctype string
}

// cspNoScript is the Content-Security-Policy of pages that need no script.
const cspNoScript = "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func newWeb(prefix string, cfg Config, csp string) *web {
	if len(cfg.Key) < 32 {
		panic("console: the key must be at least 32 bytes")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &web{prefix: prefix, cfg: cfg, csp: csp, pages: map[string]*template.Template{}, mux: http.NewServeMux(),
		static: map[string]staticFile{
			"console.css":      {stylesheet, "text/css; charset=utf-8"},
			"font-regular.ttf": {assets.FontRegular, "font/ttf"},
			"font-bold.ttf":    {assets.FontBold, "font/ttf"},
		}}
}

// parsePages makes one template per page file matching pattern in fsys,
// each with layout: the page defines "content", the layout the rest.
func (c *web) parsePages(fsys fs.FS, layout, pattern string) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		if n == layout {
			continue
		}
		base := n[strings.LastIndex(n, "/")+1:]
		base = strings.TrimSuffix(base, ".html")
		lname := layout[strings.LastIndex(layout, "/")+1:]
		c.pages[base] = template.Must(template.New(lname).Funcs(funcs).ParseFS(fsys, layout, n))
	}
}

func (c *web) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", c.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: under no-referrer browsers send
	// "Origin: null" with the console's own forms.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodPost && !sameOrigin(r) {
		c.refuse(w, r)
		return
	}
	c.mux.ServeHTTP(w, r)
}

// sameOrigin refuses a request that a browser says comes from another site:
// by Sec-Fetch-Site, or by an Origin other than this host ("null" included).
// Tools such as curl send neither.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (c *web) secure(r *http.Request) bool { return r.TLS != nil || c.cfg.ForceSecure }

// cookieName is a cookie's name: with the __Host- prefix when Secure, so
// that no subdomain or plain-HTTP page can set it.
func (c *web) cookieName(r *http.Request, base string) string {
	if c.secure(r) {
		return "__Host-" + base
	}
	return base
}

func (c *web) setCookie(w http.ResponseWriter, r *http.Request, base, value string, maxAge int) {
	path := c.prefix
	if c.secure(r) {
		path = "/" // required by the __Host- prefix
	}
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(r, base), Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure(r), SameSite: http.SameSiteStrictMode})
}

func (c *web) cookie(r *http.Request, base string) string {
	ck, err := r.Cookie(c.cookieName(r, base))
	if err != nil {
		return ""
	}
	return ck.Value
}

// mac is the keyed hash of parts, base64url, 22 characters (128 bits).
func (c *web) mac(parts ...string) string {
	m := hmac.New(sha256.New, c.cfg.Key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:22]
}

func (c *web) csrfToken(bound string) string { return c.mac("csrf", bound) }

func (c *web) checkCSRF(r *http.Request, bound string) bool {
	got := r.PostFormValue("csrf")
	return bound != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.csrfToken(bound))) == 1
}

// preToken is the value the login form's CSRF token is bound to before
// anyone is logged in, kept in the cookie named base; made when missing.
func (c *web) preToken(w http.ResponseWriter, r *http.Request, base string) string {
	pre := c.cookie(r, base)
	if pre == "" {
		pre = randomValue()
		c.setCookie(w, r, base, pre, 3600)
	}
	return pre
}

func randomValue() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic("console: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// execute renders page name with data; a template failure is logged and
// answered with a plain 500.
func (c *web) execute(w http.ResponseWriter, status int, name string, data any) {
	t := c.pages[name]
	var sb strings.Builder
	if err := t.Execute(&sb, data); err != nil {
		c.cfg.Log.Error("console template", "page", name, "err", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, sb.String())
}

func (c *web) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := c.static[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	// Static files hold no personal data: they may be cached.
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Content-Type", f.ctype)
	w.Write(f.data)
}
