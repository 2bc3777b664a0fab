package app

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/veridoc/veridoc/internal/api/rpc"
)

// hsts tells browsers to use HTTPS for a year (RFC 6797).
const hsts = "max-age=31536000"

// transportSecurity sends HSTS on HTTPS answers and, with RequireHTTPS,
// refuses what came over plain HTTP: an API call gets 403 HTTPSRequired
// (a redirect would teach clients to send their credentials in the clear
// first), a page is redirected to the public https URL, and the health
// checks and metrics stay open to probes. A request came over HTTPS when
// it came over TLS here, or from a trusted proxy that says
// X-Forwarded-Proto: https.
func (a *App) transportSecurity() echo.MiddlewareFunc {
	var trusted []netip.Prefix
	for _, c := range a.Config.TrustedProxies {
		if p, err := netip.ParsePrefix(c); err == nil { // config validated the ranges
			trusted = append(trusted, p.Masked())
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			r := c.Request()
			secure := r.TLS != nil || (fromAny(r.RemoteAddr, trusted) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
			if secure && (r.TLS != nil || a.Config.RequireHTTPS) {
				c.Response().Header().Set("Strict-Transport-Security", hsts)
			}
			if secure || !a.Config.RequireHTTPS || probe(r.URL.Path) {
				return next(c)
			}
			if strings.HasPrefix(r.URL.Path, "/api/") {
				rpc.WriteError(c.Response(), rpc.HTTPSRequired.New("This server takes API calls over HTTPS only: use %s", a.Config.PublicURL))
				return nil
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return c.Redirect(http.StatusPermanentRedirect, a.Config.PublicURL+r.URL.RequestURI())
			}
			rpc.WriteError(c.Response(), rpc.HTTPSRequired.New("This server takes requests over HTTPS only: use %s", a.Config.PublicURL))
			return nil
		}
	}
}

// probe tells whether a path is a health check or the metrics, which load
// balancers and scrapers reach over plain HTTP inside the network.
func probe(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// fromAny tells whether the connection's peer is in one of the ranges.
func fromAny(remoteAddr string, ranges []netip.Prefix) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range ranges {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
