package console

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/veridoc/veridoc/internal/domain/accounts"
)

// keyLifetimes are the expiries the key form offers, in days. A key made in
// the console always expires and always names its scopes: a person clicking
// through a form should not mint a key that can do everything for ever.
var keyLifetimes = []int{30, 90, 365}

// keyRequestOf reads the key form; msg says what is wrong with it.
func keyRequestOf(r *http.Request, now time.Time) (req accounts.KeyRequest, msg string) {
	if err := r.ParseForm(); err != nil {
		return req, "The form could not be read."
	}
	req.Name = r.PostFormValue("name")
	for _, s := range r.PostForm["scope"] {
		if !slices.Contains(accounts.Scopes, s) {
			return req, "Unknown scope " + strconv.Quote(s) + "."
		}
		req.Scopes = append(req.Scopes, s)
	}
	if len(req.Scopes) == 0 {
		return req, "Choose at least one scope for the key."
	}
	days, err := strconv.Atoi(r.PostFormValue("expires_days"))
	if err != nil || !slices.Contains(keyLifetimes, days) {
		return req, "Choose when the key expires."
	}
	at := now.Add(time.Duration(days) * 24 * time.Hour)
	req.Expires = &at
	return req, ""
}
