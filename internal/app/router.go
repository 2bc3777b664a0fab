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

// newEcho builds the router: the RPC endpoint, health checks and signed files.
func (a *App) newEcho(h *api.Handlers) *echo.Echo {
	ipExtractor := echo.ExtractIPDirect()
	if len(a.Config.TrustedProxies) > 0 {
		var opts []echo.TrustOption
		for _, c := range a.Config.TrustedProxies {
			_, n, _ := net.ParseCIDR(c)
			opts = append(opts, echo.TrustIPRange(n))
		}
		ipExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	e := echo.NewWithConfig(echo.Config{
		Logger:           a.Logger,
		IPExtractor:      ipExtractor,
		HTTPErrorHandler: errorHandler,
	})
	e.Use(middleware.Recover())
	e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			c.Response().Header().Set(rpc.HeaderRequestID, rpc.RequestID(c.Request()))
			return next(c)
		}
	})

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
	e.Any("/api/v1/:method", serve)
	e.Any("/api/:method", serve)

	spec, err := openapi.Build(a.Registry, api.Webhooks()...)
	if err != nil {
		panic(err) // the registry is fixed at build time; a type it cannot describe is a bug
	}
	e.GET("/api/v1/openapi.json", func(c *echo.Context) error {
		return c.JSONBlob(http.StatusOK, spec)
	})
	docs, err := openapi.Docs(spec)
	if err != nil {
		panic(err)
	}
	e.GET("/docs", func(c *echo.Context) error {
		return c.HTMLBlob(http.StatusOK, docs)
	})
	e.GET("/metrics", echo.WrapHandler(a.Metrics.Handler()))
	e.GET("/verify/*", echo.WrapHandler(capture.Handler()))
	e.GET("/healthz", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
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
	})
	// The console: its own routes (net/http patterns), with the client
	// address resolved as for the API (proxies considered).
	consoleHandler := func(c *echo.Context) error {
		r := c.Request()
		a.console.ServeHTTP(c.Response(), r.WithContext(clientip.With(r.Context(), c.RealIP())))
		return nil
	}
	e.Any("/console", consoleHandler)
	e.Any("/console/*", consoleHandler)
	e.GET(objectstore.FilesPrefix+"*", echo.WrapHandler(a.Store))
	e.HEAD(objectstore.FilesPrefix+"*", echo.WrapHandler(a.Store))
	return e
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

func (i idempotency) Begin(ctx context.Context, accountID int64, key, method string, requestHash []byte) (*rpc.StoredResponse, error) {
	stored, err := i.s.Begin(ctx, accountID, key, method, requestHash)
	if stored == nil || err != nil {
		return nil, err
	}
	return &rpc.StoredResponse{Status: stored.Status, Body: stored.Body}, nil
}

func (i idempotency) Complete(ctx context.Context, accountID int64, key string, res rpc.StoredResponse) error {
	return i.s.Complete(ctx, accountID, key, database.StoredResponse{Status: res.Status, Body: res.Body})
}

func (i idempotency) Release(ctx context.Context, accountID int64, key string) error {
	return i.s.Release(ctx, accountID, key)
}
