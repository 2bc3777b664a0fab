// Package deploytest runs Veridoc as a deployment runs it: separate API and
// worker processes of the real binary on PostgreSQL and an S3 server, and
// checks what a client sees, including when processes die or a service stops.
package deploytest
