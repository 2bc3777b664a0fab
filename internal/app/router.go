package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/veridoc/veridoc/internal/api"
	"github.com/veridoc/veridoc/internal/api/openapi"
	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/platform/clientip"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/web/capture"
)

// newEcho builds the router: the RPC endpoint, the docs, health checks, the
// console, the capture page and signed files.
func (a *App) newEcho(h *api.Handlers) *echo.Echo {
	e := echo.NewWithConfig(echo.Config{
		Logger:           a.Logger,
		IPExtractor:      clientIPOf(a.Config.TrustedProxies),
		HTTPErrorHandler: errorHandler,
	})
	e.Use(middleware.Recover())
	e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			c.Response().Header().Set(rpc.HeaderRequestID, rpc.RequestID(c.Request()))
			return next(c)
		}
	})
	e.Pre(a.transportSecurity())
	a.apiRoutes(e, h)
	a.docsRoutes(e)
	a.opsRoutes(e)
	e.GET("/verify/*", echo.WrapHandler(capture.Handler()))
	// The console: its own routes (net/http patterns), with the client
	// address resolved as for the API (proxies considered).
	consoleHandler := func(c *echo.Context) error {
		r := c.Request()
		a.console.ServeHTTP(c.Response(), r.WithContext(clientip.With(r.Context(), c.RealIP())))
		return nil
	}
	e.Any("/console", consoleHandler)
	e.Any("/console/*", consoleHandler)
	// Stored files (a PDF may carry scripts) are downloads in a sandbox, never
	// pages of the API's origin.
	files := headers(map[string]string{"Content-Security-Policy": "sandbox; default-src 'none'", "Content-Disposition": "attachment"})
	e.GET(objectstore.FilesPrefix+"*", echo.WrapHandler(a.Store), files)
	e.HEAD(objectstore.FilesPrefix+"*", echo.WrapHandler(a.Store), files)
	return e
}

// clientIPOf is how a request's client address is found: the connection's
// peer, or with trusted proxies the X-Forwarded-For entry after the last of
// them. Only the listed ranges are trusted: Echo's default would also trust
// every loopback, link-local and private address.
func clientIPOf(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, c := range trusted {
		_, n, _ := net.ParseCIDR(c) // config validated the ranges
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// jsonHeaders go with every JSON answer: never sniffed as something else,
// never framed, and nothing loaded if a browser opens it as a page.
var jsonHeaders = map[string]string{
	"X-Content-Type-Options":  "nosniff",
	"X-Frame-Options":         "DENY",
	"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}

// headers sets fixed response headers before the handler runs.
func headers(set map[string]string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			for k, v := range set {
				c.Response().Header().Set(k, v)
			}
			return next(c)
		}
	}
}

// apiRoutes serves POST /api/v1/<class>.<method> (and /api/<class>.<method>).
func (a *App) apiRoutes(e *echo.Echo, h *api.Handlers) {
	server := &rpc.Server{Registry: a.Registry, Authenticate: h.Authenticate, Limit: h.Limit,
		Idempotency: idempotency{&database.IdempotencyStore{DB: a.DB, Now: a.Now}}, Logger: a.Logger, MapError: api.MapError, Audit: h.Audit}
	serve := func(c *echo.Context) error {
		name := c.Param("method")
		if strings.Contains(name, "/") { // the router's param may span segments
			return echo.ErrNotFound
		}
		r := c.Request()
		rec := &statusRecorder{ResponseWriter: c.Response(), status: http.StatusOK}
		t0 := time.Now()
		server.ServeMethod(rec, r.WithContext(clientip.With(r.Context(), c.RealIP())), name)
		label := "unknown"
		if _, ok := a.Registry.Lookup(name); ok {
			label = name
		}
		a.Metrics.ObserveRequest(label, rec.status, time.Since(t0))
		return nil
	}
	e.Any("/api/v1/:method", serve, headers(jsonHeaders))
	e.Any("/api/:method", serve, headers(jsonHeaders))
}

// docsRoutes serves the OpenAPI document and the reference page made from it.
func (a *App) docsRoutes(e *echo.Echo) {
	spec, err := openapi.Build(a.Registry, api.Webhooks()...)
	if err != nil {
		panic(err) // the registry is fixed at build time; a type it cannot describe is a bug
	}
	e.GET("/api/v1/openapi.json", func(c *echo.Context) error {
		return c.JSONBlob(http.StatusOK, spec)
	}, headers(jsonHeaders))
	docs, err := openapi.Docs(spec)
	if err != nil {
		panic(err)
	}
	e.GET("/docs", func(c *echo.Context) error {
		return c.HTMLBlob(http.StatusOK, docs)
	}, headers(map[string]string{
		// The playground's script comes from here and calls only here.
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src " + openapi.DocsStyleHash(docs) +
			"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	}))
	e.GET("/docs/playground.js", func(c *echo.Context) error {
		return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", openapi.PlaygroundJS)
	}, headers(map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}))
}

// opsRoutes serves what operators and orchestrators poll.
func (a *App) opsRoutes(e *echo.Echo) {
	e.GET("/metrics", echo.WrapHandler(a.Metrics.Handler()))
	e.GET("/healthz", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}, headers(jsonHeaders))
	e.GET("/readyz", func(c *echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		checks := map[string]string{"database": "ok", "storage": "ok"}
		status := http.StatusOK
		if err := a.DB.Ping(ctx); err != nil {
			checks["database"], status = "unavailable", http.StatusServiceUnavailable
		}
		if err := a.Store.Ping(ctx); err != nil {
			checks["storage"], status = "unavailable", http.StatusServiceUnavailable
		}
		return c.JSON(status, checks)
	}, headers(jsonHeaders))
}

// statusRecorder remembers the status a handler wrote, for the metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// errorHandler answers router-level errors (no route, panics) with the API's envelope.
func errorHandler(c *echo.Context, err error) {
	if resp, uErr := echo.UnwrapResponse(c.Response()); uErr == nil && resp.Committed {
		return
	}
	var apiErr *rpc.Error
	var refusal *fault.Error
	switch code := echo.StatusCode(err); {
	case errors.As(err, &apiErr), errors.As(err, &refusal):
	case code == http.StatusNotFound:
		err = rpc.NotFound.New("No such path; API methods are POST /api/v1/<class>.<method>")
	case code == http.StatusMethodNotAllowed:
		err = rpc.ErrMethodNotAllowed(c.Request().Method)
	case code >= 400 && code < 500:
		// The router's own 4xx (e.g. 413) keeps its status.
		err = &rpc.Error{Name: rpc.InvalidRequest.Name(), Message: http.StatusText(code), Status: code}
	default:
		c.Logger().Error("request failed", "err", err)
		err = rpc.ErrInternal()
	}
	rpc.WriteError(c.Response(), err)
}

// idempotency adapts the database's Idempotency-Key store to the API layer.
type idempotency struct{ s *database.IdempotencyStore }

func (i idempotency) Begin(ctx context.Context, sc rpc.IdemScope, key, method string, requestHash []byte) (*rpc.StoredResponse, error) {
	stored, err := i.s.Begin(ctx, sc.AccountID, sc.Caller, key, method, requestHash)
	if stored == nil || err != nil {
		return nil, err
	}
	return &rpc.StoredResponse{Status: stored.Status, Body: stored.Body}, nil
}

func (i idempotency) Complete(ctx context.Context, sc rpc.IdemScope, key string, res rpc.StoredResponse) error {
	return i.s.Complete(ctx, sc.AccountID, sc.Caller, key, database.StoredResponse{Status: res.Status, Body: res.Body})
}

func (i idempotency) Release(ctx context.Context, sc rpc.IdemScope, key string) error {
	return i.s.Release(ctx, sc.AccountID, sc.Caller, key)
}
