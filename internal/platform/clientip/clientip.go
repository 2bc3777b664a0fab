// Package clientip carries a request's client address in its context, as the
// router resolved it (trusted proxies considered), to the API, the console
// and the audit log alike.
package clientip

import "context"

type key struct{}

// With records the client address.
func With(ctx context.Context, ip string) context.Context { return context.WithValue(ctx, key{}, ip) }

// From is the address With recorded ("" when none was).
func From(ctx context.Context) string {
	ip, _ := ctx.Value(key{}).(string)
	return ip
}
