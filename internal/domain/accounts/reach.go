package accounts

import (
	"slices"
	"time"
)

// The scopes a key may be limited to: a class of methods each, and read_only,
// which alone or beside others allows only methods without side effects.
const (
	ScopePhotos    = "photos"
	ScopeSessions  = "sessions"
	ScopeDocuments = "documents"
	ScopeBilling   = "billing"
	ScopeKeys      = "keys"
	ScopeReadOnly  = "read_only"
)

// Scopes lists every scope a key may be given.
var Scopes = []string{ScopePhotos, ScopeSessions, ScopeDocuments, ScopeBilling, ScopeKeys, ScopeReadOnly}

// classes are the scopes that name a class of methods.
var classes = []string{ScopePhotos, ScopeSessions, ScopeDocuments, ScopeBilling, ScopeKeys}

// Reach is what a credential may do and until when: an API key's scopes and
// expiry, or what a console role stands for. No credential may make another
// that reaches further (a key, or a console user).
type Reach struct {
	Scopes  []string   // nil: every class, with side effects
	Expires *time.Time // nil: never
}

// Full is the reach of an unscoped key that never expires, of an owner, and
// of the operator at the command line.
var Full = Reach{}

// Allows tells whether the reach covers methods of class, with side effects
// when write is set.
func (r Reach) Allows(class string, write bool) bool {
	if len(r.Scopes) == 0 {
		return true
	}
	readOnly, named := false, 0
	for _, s := range r.Scopes {
		if s == ScopeReadOnly {
			readOnly = true
			continue
		}
		named++
	}
	if readOnly && write {
		return false
	}
	// The keys class (keys, console users, the audit log) is reached only by
	// naming it: read_only alone reads everything else.
	if class == ScopeKeys {
		return slices.Contains(r.Scopes, ScopeKeys)
	}
	return named == 0 || slices.Contains(r.Scopes, class)
}

// Covers tells whether r reaches at least as far as o, in every class and in time.
func (r Reach) Covers(o Reach) bool {
	for _, c := range classes {
		for _, write := range []bool{false, true} {
			if o.Allows(c, write) && !r.Allows(c, write) {
				return false
			}
		}
	}
	if r.Expires == nil {
		return true
	}
	return o.Expires != nil && !o.Expires.After(*r.Expires)
}

// Console roles, and the reach each stands for.
const (
	RoleOwner    = "owner"    // everything, keys and billing included
	RoleReviewer = "reviewer" // reads verifications, sessions and photos; decides and corrects documents
	RoleViewer   = "viewer"   // reads verifications, sessions and photos
)

// Roles lists the console roles, from the most to the least.
var Roles = []string{RoleOwner, RoleReviewer, RoleViewer}

// roleReach is what a role may do, as a key's reach: making a user of the role
// needs a credential that covers it.
func roleReach(role string) (Reach, bool) {
	switch role {
	case RoleOwner:
		return Full, true
	case RoleReviewer:
		// Reads in three classes and writes documents: only a key allowed to
		// write in all three covers it (scopes cannot say "read all, write one").
		return Reach{Scopes: []string{ScopePhotos, ScopeSessions, ScopeDocuments}}, true
	case RoleViewer:
		return Reach{Scopes: []string{ScopePhotos, ScopeSessions, ScopeDocuments, ScopeReadOnly}}, true
	}
	return Reach{}, false
}

// RoleAtLeast tells whether role ranks at least as high as min.
func RoleAtLeast(role, min string) bool {
	return slices.Contains(Roles, role) && slices.Index(Roles, role) <= slices.Index(Roles, min)
}
