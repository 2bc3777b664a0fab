package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// The sign-in form's token is one the server issued: a random nonce and its
// expiry, signed with the console's key. The form and its cookie must carry
// the same token (double submit), and the signature must hold, so a client
// cannot pick its own pair (two empty values passed before).
const loginFormLifetime = time.Hour

// issueFormToken makes a sign-in form token valid until now + loginFormLifetime.
func (c *Console) issueFormToken(now time.Time) string {
	body := randomHex(16) + "." + strconv.FormatInt(now.Add(loginFormLifetime).Unix(), 10)
	return body + "." + c.formMAC(body)
}

// validFormToken checks a token's signature and expiry.
func (c *Console) validFormToken(token string, now time.Time) bool {
	i := strings.LastIndexByte(token, '.')
	if i < 0 || len(c.FormKey) == 0 {
		return false
	}
	body, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(c.formMAC(body))) {
		return false
	}
	_, exp, ok := strings.Cut(body, ".")
	until, err := strconv.ParseInt(exp, 10, 64)
	return ok && err == nil && now.Unix() < until
}

func (c *Console) formMAC(body string) string {
	m := hmac.New(sha256.New, c.FormKey)
	m.Write([]byte("console-login\n" + body))
	return hex.EncodeToString(m.Sum(nil))
}
