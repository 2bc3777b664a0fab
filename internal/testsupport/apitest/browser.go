package apitest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is a cookie-keeping client for the console's pages that does not
// follow redirects.
type Browser struct {
	T    *testing.T
	Base string
	C    *http.Client
	CSRF string // the last form token seen
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// NewBrowser starts a browser with no cookies.
func NewBrowser(t *testing.T, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{T: t, Base: base, C: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Do sends a request (a form when form is not nil) and returns the answer
// with its body; a form token in the page is kept for the next Post.
func (b *Browser) Do(method, path string, form url.Values) (*http.Response, string) {
	b.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.Base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.C.Do(req)
	if err != nil {
		b.T.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(raw); m != nil {
		b.CSRF = string(m[1])
	}
	return res, string(raw)
}

// Get loads a page.
func (b *Browser) Get(path string) (*http.Response, string) { return b.Do(http.MethodGet, path, nil) }

// Post sends a form with the last token seen (unless the form has its own).
func (b *Browser) Post(path string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", b.CSRF)
	}
	return b.Do(http.MethodPost, path, form)
}

// Login signs in through the sign-in form.
func (b *Browser) Login(email, password string) *http.Response {
	b.T.Helper()
	b.Get("/console/login")
	res, _ := b.Post("/console/login", url.Values{"email": {email}, "password": {password}})
	return res
}
