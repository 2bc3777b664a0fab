package callbacks

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// RefusedError is a callback address the guard will not connect to.
type RefusedError struct {
	Addr   netip.Addr
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s address (allow it with VERIDOC_CALLBACK_ALLOW)", e.Addr, e.Reason)
}

// Guard keeps callbacks off internal networks: it checks the address a
// connection is actually made to (after DNS), so a name that resolves or
// re-resolves to an internal address is refused too.
type Guard struct {
	allow []netip.Prefix
}

// NewGuard allows the given CIDRs despite the rules (e.g. 127.0.0.1/32 in tests).
func NewGuard(allowCIDRs []string) (*Guard, error) {
	g := &Guard{}
	for _, c := range allowCIDRs {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("callback allow list: %w", err)
		}
		g.allow = append(g.allow, p.Masked())
	}
	return g, nil
}

// Ranges no callback may reach unless allowed.
var blocked = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "NAT64"},
}

// Check tells whether ip may be connected to.
func (g *Guard) Check(ip netip.Addr) error {
	ip = ip.Unmap()
	for _, p := range g.allow {
		if p.Contains(ip) {
			return nil
		}
	}
	reason := ""
	switch {
	case !ip.IsValid():
		reason = "invalid"
	case ip.IsLoopback():
		reason = "loopback"
	case ip.IsPrivate():
		reason = "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		reason = "link-local"
	case ip.IsUnspecified():
		reason = "unspecified"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		reason = "multicast"
	}
	for _, b := range blocked {
		if reason == "" && b.prefix.Contains(ip) {
			reason = b.reason
		}
	}
	if reason != "" {
		return &RefusedError{Addr: ip, Reason: reason}
	}
	return nil
}

// Client is an HTTP client that connects only where Check allows, uses no
// proxy from the environment and follows no redirects.
func (g *Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			return g.Check(ap.Addr())
		},
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// AsRefused finds a RefusedError in a client error.
func AsRefused(err error) (*RefusedError, bool) {
	var r *RefusedError
	ok := errors.As(err, &r)
	return r, ok
}
