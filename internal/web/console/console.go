// Package console is the back office for an account's staff at /console:
// server-rendered pages (html/template, embedded assets, strict CSP, no
// JavaScript needed) over the same domain code as the API.
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/domain/verifications"
	"github.com/veridoc/veridoc/internal/platform/clientip"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/jobs"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/platform/ratelimit"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names.
const (
	sessionCookie  = "vd_console"
	loginCSRFCooky = "vd_login_csrf"
)

// imageLinkTTL is how long the signed image links of a page work.
const imageLinkTTL = 10 * time.Minute

// Console serves /console.
type Console struct {
	DB            *database.DB // reads; every change goes through a domain service
	Store         objectstore.Store
	Accounts      *accounts.Service
	Verifications *verifications.Service
	Sessions      *sessions.Service // a reviewer's decision on a session in REVIEW
	Queue         jobs.Queue        // redeliveries
	Limits        ratelimit.Counter // counts sign-in attempts per client address
	// LoginsPerHour is how many sign-ins one client address may try an hour.
	LoginsPerHour int
	Now           func() time.Time
	Logger        *slog.Logger
	// SecureCookies marks cookies Secure (the server is reached over HTTPS).
	SecureCookies bool
	// FormKey signs the sign-in form's tokens; every process of an install
	// has the same (derived from the URL signing key).
	FormKey []byte

	mux  *http.ServeMux
	tmpl map[string]*template.Template
}

// New builds the console's routes and templates.
func New(c *Console) (*Console, error) {
	funcs := template.FuncMap{"ts": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") },
		"add": func(a, b int) int { return a + b },
		"tsp": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04:05Z")
		}}
	c.tmpl = map[string]*template.Template{}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p)
		if err != nil {
			return nil, err
		}
		c.tmpl[name] = t
	}
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /console/login", c.loginPage)
	m.HandleFunc("POST /console/login", c.login)
	m.HandleFunc("POST /console/logout", c.auth(accounts.RoleViewer, c.logout))
	m.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/review", http.StatusSeeOther)
	})
	m.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/review", http.StatusSeeOther)
	})
	m.HandleFunc("GET /console/review", c.auth(accounts.RoleViewer, c.review))
	m.HandleFunc("GET /console/verifications/{id}", c.auth(accounts.RoleViewer, c.verification))
	m.HandleFunc("POST /console/verifications/{id}/decision", c.auth(accounts.RoleReviewer, c.decide))
	m.HandleFunc("POST /console/sessions/{id}/decision", c.auth(accounts.RoleReviewer, c.decideSession))
	m.HandleFunc("POST /console/documents/{id}/extracted", c.auth(accounts.RoleReviewer, c.correct))
	m.HandleFunc("GET /console/sessions", c.auth(accounts.RoleViewer, c.sessions))
	m.HandleFunc("GET /console/sessions/{id}", c.auth(accounts.RoleViewer, c.session))
	m.HandleFunc("GET /console/sessions/{id}/frames/{n}", c.auth(accounts.RoleViewer, c.sessionFrame))
	m.HandleFunc("GET /console/photos", c.auth(accounts.RoleViewer, c.photos))
	m.HandleFunc("GET /console/photos/{id}", c.auth(accounts.RoleViewer, c.photo))
	m.HandleFunc("POST /console/billing/deposit", c.auth(accounts.RoleOwner, c.deposit))
	m.HandleFunc("POST /console/callbacks/{id}/redeliver", c.auth(accounts.RoleOwner, c.redeliver))
	m.HandleFunc("GET /console/keys", c.auth(accounts.RoleOwner, c.keys))
	m.HandleFunc("POST /console/keys", c.auth(accounts.RoleOwner, c.createKey))
	m.HandleFunc("POST /console/keys/{id}/revoke", c.auth(accounts.RoleOwner, c.revokeKey))
	m.HandleFunc("GET /console/billing", c.auth(accounts.RoleOwner, c.billing))
	m.HandleFunc("GET /console/webhooks", c.auth(accounts.RoleOwner, c.webhooks))
	c.mux = m
	return c, nil
}

// ServeHTTP sets the security headers every page carries and routes.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

// viewer is the signed-in user of a request.
type viewer struct {
	User    *database.ConsoleUser
	Session *database.ConsoleSession
}

type viewerKey struct{}

func viewerOf(ctx context.Context) *viewer { v, _ := ctx.Value(viewerKey{}).(*viewer); return v }

// auth requires a signed-in user with at least role; forms must carry the
// session's CSRF token.
func (c *Console) auth(role string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		s, u, err := c.Accounts.ConsoleSession(r.Context(), ck.Value)
		if err != nil {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf_token")), []byte(s.CSRF)) != 1 {
			c.fail(w, r, http.StatusForbidden, "This form has expired. Go back, reload the page and try again.")
			return
		}
		v := &viewer{User: u, Session: s}
		ctx := context.WithValue(r.Context(), viewerKey{}, v)
		if !accounts.RoleAtLeast(u.Role, role) {
			c.fail(w, r.WithContext(ctx), http.StatusForbidden, "Your role ("+u.Role+") may not do this.")
			return
		}
		next(w, r.WithContext(ctx))
	}
}

// page is what every template gets.
type page struct {
	Title  string
	User   *database.ConsoleUser
	CSRF   string
	Active string
	Error  string
	Flash  string
	Data   any
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if v := viewerOf(r.Context()); v != nil {
		p.User, p.CSRF = v.User, v.Session.CSRF
	}
	t, ok := c.tmpl[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.Execute(w, p); err != nil {
		c.Logger.Error("console template", "page", name, "err", err)
	}
}

func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.render(w, r, status, "error", page{Title: http.StatusText(status), Error: msg})
}

// notFound answers a missing object, and equally another account's.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, what string, id int64) {
	c.fail(w, r, http.StatusNotFound, fmt.Sprintf("No %s found with id %d.", what, id))
}

func (c *Console) serverError(w http.ResponseWriter, r *http.Request, err error) {
	c.Logger.Error("console", "path", r.URL.Path, "err", err)
	c.fail(w, r, http.StatusInternalServerError, "Something went wrong; it has been logged.")
}

// load reads the object the path's id names, in the viewer's account, with
// get. It answers 404 (a bad or unknown id, or another account's) or 500
// itself when it cannot; ok is false then.
func load[T any](c *Console, w http.ResponseWriter, r *http.Request, what string,
	get func(ctx context.Context, accountID, id int64) (T, error)) (obj T, ok bool) {
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, what, 0)
		return obj, false
	}
	obj, err := get(r.Context(), viewerOf(r.Context()).User.AccountID, id)
	switch {
	case errors.Is(err, database.ErrNotFound):
		c.notFound(w, r, what, id)
		return obj, false
	case err != nil:
		c.serverError(w, r, err)
		return obj, false
	}
	return obj, true
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// audit records an action with the console user as actor.
func (c *Console) audit(r *http.Request, action, object string) {
	v := viewerOf(r.Context())
	e := &database.AuditEvent{AccountID: v.User.AccountID, CreatedAt: c.Now(), Actor: fmt.Sprintf("console_user:%d", v.User.ID),
		Action: action, Object: object, IP: clientip.From(r.Context())}
	if err := c.DB.AppendAudit(context.WithoutCancel(r.Context()), e); err != nil {
		c.Logger.Error("console audit", "action", action, "err", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *Console) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.SecureCookies}
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	token := c.issueFormToken(c.Now())
	http.SetCookie(w, c.cookie(loginCSRFCooky, token, 3600))
	c.render(w, r, http.StatusOK, "login", page{Title: "Sign in", CSRF: token})
}

// login checks the form's token against its cookie (double submit) and its
// signature (formtoken.go), counts
// the attempt per client address, and signs in.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(loginCSRFCooky)
	if err != nil || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue("csrf_token"))) != 1 ||
		!c.validFormToken(ck.Value, c.Now()) {
		c.fail(w, r, http.StatusForbidden, "This sign-in form has expired. Reload the page and try again.")
		return
	}
	if c.Limits != nil {
		n, _, err := c.Limits.Hit(r.Context(), "console-login:"+clientip.From(r.Context()))
		if err == nil && n > int64(c.LoginsPerHour) {
			c.fail(w, r, http.StatusTooManyRequests, "Too many sign-in attempts from your address; try again in an hour.")
			return
		}
	}
	again := func(msg string) {
		token := c.issueFormToken(c.Now())
		http.SetCookie(w, c.cookie(loginCSRFCooky, token, 3600))
		c.render(w, r, http.StatusUnauthorized, "login", page{Title: "Sign in", CSRF: token, Error: msg})
	}
	account, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("account")), 10, 64)
	s, u, token, err := c.Accounts.SignIn(r.Context(), accounts.SignInRequest{Email: r.PostFormValue("email"),
		Password: r.PostFormValue("password"), AccountID: account})
	switch {
	case errors.Is(err, accounts.ErrWrongPassword):
		again("Wrong email or password.")
		return
	case errors.Is(err, accounts.ErrChooseAccount):
		again("This email and password open several accounts: enter the account's number too.")
		return
	case errors.Is(err, accounts.ErrBusy):
		w.Header().Set("Retry-After", "1")
		c.fail(w, r, http.StatusServiceUnavailable, "Too many sign-ins are being checked at once; try again in a moment.")
		return
	case err != nil:
		c.serverError(w, r, err)
		return
	}
	http.SetCookie(w, c.cookie(loginCSRFCooky, "", -1))
	http.SetCookie(w, c.cookie(sessionCookie, token, int(accounts.ConsoleSessionLifetime.Seconds())))
	ctx := context.WithValue(r.Context(), viewerKey{}, &viewer{User: u, Session: s})
	c.audit(r.WithContext(ctx), "console.login", fmt.Sprintf("console_user:%d", u.ID))
	http.Redirect(w, r, "/console/review", http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	if err := c.Accounts.SignOut(r.Context(), v.Session.ID); err != nil {
		c.serverError(w, r, err)
		return
	}
	http.SetCookie(w, c.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// refused answers err, when there is one, and tells whether it did: a rule's
// refusal with its status and message, anything else as a server error.
func (c *Console) refused(w http.ResponseWriter, r *http.Request, err error) bool {
	var f *fault.Error
	switch {
	case err == nil:
		return false
	case errors.As(err, &f):
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(f.RetryAfter, 10))
		}
		c.fail(w, r, f.Status(), f.Message+".")
	default:
		c.serverError(w, r, err)
	}
	return true
}
