// Package systemtest checks Veridoc whole, as it is deployed and used: the
// real binary as separate API and worker processes on PostgreSQL and an S3
// server (what a client sees when processes die or a service stops), the
// console driven in headless Chromium, and encryption at rest read from the
// database and the object store themselves. It has tests only.
package systemtest
