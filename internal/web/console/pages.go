package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/veridoc/veridoc/internal/domain/accounts"
	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/domain/callbacks"
	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/domain/sessions"
	"github.com/veridoc/veridoc/internal/platform/database"
)

func (c *Console) review(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	q, err := c.DB.ReviewQueue(r.Context(), v.User.AccountID, 200)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	sq, err := c.DB.SessionReviewQueue(r.Context(), v.User.AccountID, 200)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "review", page{Title: "Review queue", Active: "review", Data: map[string]any{"Verifications": q, "Sessions": sq}})
}

// docView is a document with its images and what was read.
type docView struct {
	Doc       database.Document
	Front     string
	Back      string
	Fields    []fieldView
	Checks    []string
	Corrected []database.ExtractedChange
}

type fieldView struct {
	Key, Value, Source string
	Editable           bool
}

// Editable keys: those extracted_data.update takes.
var editable = []string{"person_surname", "person_given_names", "person_full_name", "person_date_of_birth", "address_full",
	"address_street", "address_city", "address_state", "address_zip", "address_country", "document_type", "document_number",
	"document_expiration_date"}

func (c *Console) verification(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	ver, ok := load(c, w, r, "verification", c.DB.GetVerification)
	if !ok {
		return
	}
	docs, err := c.DB.Documents(r.Context(), ver.ID)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	var views []docView
	for _, d := range docs {
		dv := docView{Doc: d, Checks: splitList(d.Checks)}
		for _, k := range []string{d.FrontKey, d.BackKey} {
			if k == "" {
				continue
			}
			u, err := c.Store.SignedURL(r.Context(), k, imageLinkTTL)
			if err != nil {
				c.serverError(w, r, err)
				return
			}
			if dv.Front == "" {
				dv.Front = u
			} else {
				dv.Back = u
			}
		}
		fields, err := c.DB.Extracted(r.Context(), d.ID)
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		// Every editable key, read or not (a person fills what the machine
		// could not), and whatever else was read.
		for _, k := range editable {
			dv.Fields = append(dv.Fields, fieldView{Key: k, Value: fields[k].Value, Source: fields[k].Source, Editable: true})
		}
		for k, f := range fields {
			if !slices.Contains(editable, k) {
				dv.Fields = append(dv.Fields, fieldView{Key: k, Value: f.Value, Source: f.Source})
			}
		}
		sort.Slice(dv.Fields, func(i, j int) bool { return dv.Fields[i].Key < dv.Fields[j].Key })
		if dv.Corrected, err = c.DB.ExtractedChanges(r.Context(), d.ID); err != nil {
			c.serverError(w, r, err)
			return
		}
		views = append(views, dv)
	}
	decisions, err := c.DB.ListDecisions(r.Context(), v.User.AccountID, ver.ID, 0)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.audit(r, "image.link", fmt.Sprintf("verification:%d", ver.ID))
	c.render(w, r, http.StatusOK, "verification", page{Title: fmt.Sprintf("Verification %d", ver.ID), Active: "review",
		Flash: r.URL.Query().Get("done"), Data: map[string]any{"V": ver, "Docs": views, "Decisions": decisions,
			"CanDecide": accounts.RoleAtLeast(v.User.Role, accounts.RoleReviewer)}})
}

// decide records a manual decision through the same code as decision.create.
func (c *Console) decide(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "verification", 0)
		return
	}
	status, comment := r.PostFormValue("status"), strings.TrimSpace(r.PostFormValue("comment"))
	if !slices.Contains([]string{database.VerificationApproved, database.VerificationRejected, database.VerificationDoubleCheck, database.VerificationHold}, status) || len(comment) > 2000 {
		c.fail(w, r, http.StatusBadRequest, "Choose APPROVED, REJECTED, DOUBLE_CHECK or HOLD; a comment has at most 2000 characters.")
		return
	}
	_, err := c.Verifications.DecideManually(r.Context(), v.User.AccountID, 0, id, status, comment)
	c.decided(w, r, err, "verification", id, "decision.create")
}

// decided answers a decision form: 404 for an unknown id or another
// account's, 409 when the object cannot be decided now, else the audit
// entry and back to the object's page.
func (c *Console) decided(w http.ResponseWriter, r *http.Request, err error, class string, id int64, action string) {
	switch {
	case errors.Is(err, database.ErrNotFound):
		c.notFound(w, r, class, id)
	case err != nil:
		c.fail(w, r, http.StatusConflict, err.Error())
	default:
		c.audit(r, action, fmt.Sprintf("%s:%d", class, id))
		http.Redirect(w, r, fmt.Sprintf("/console/%ss/%d?done=decided", class, id), http.StatusSeeOther)
	}
}

// correct changes extracted values through the same code as extracted_data.update.
func (c *Console) correct(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	d, ok := load(c, w, r, "document", c.DB.GetDocument)
	if !ok {
		return
	}
	changes := map[string]string{}
	for _, k := range editable {
		if vals, ok := r.PostForm[k]; ok && len(vals) == 1 {
			changes[k] = strings.TrimSpace(vals[0])
		}
	}
	if err := c.Verifications.CorrectExtracted(r.Context(), v.User.AccountID, 0, d.ID, changes); err != nil {
		c.fail(w, r, http.StatusConflict, err.Error())
		return
	}
	c.audit(r, "extracted_data.update", fmt.Sprintf("document:%d", d.ID))
	http.Redirect(w, r, fmt.Sprintf("/console/verifications/%d?done=corrected", d.VerificationID), http.StatusSeeOther)
}

func (c *Console) sessions(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	f := database.SessionFilter{State: r.URL.Query().Get("state"), Reference: r.URL.Query().Get("reference"), Limit: 100}
	rows, err := c.DB.ListSessions(r.Context(), v.User.AccountID, f)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "sessions", page{Title: "Sessions", Active: "sessions", Data: map[string]any{"Rows": rows, "Filter": f}})
}

func (c *Console) session(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	s, ok := load(c, w, r, "session", c.DB.GetSession)
	if !ok {
		return
	}
	events, err := c.DB.SessionEvents(r.Context(), s.ID)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	attempts, err := c.DB.ListAttempts(r.Context(), v.User.AccountID, database.SubjectSession, s.ID, 0, 50)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	images := map[string]string{}
	for name, k := range map[string]string{"Portrait": s.PortraitKey, "Face": s.FaceKey} {
		if k != "" {
			if images[name], err = c.Store.SignedURL(r.Context(), k, imageLinkTTL); err != nil {
				c.serverError(w, r, err)
				return
			}
		}
	}
	if len(images) > 0 {
		c.audit(r, "image.link", fmt.Sprintf("session:%d", s.ID))
	}
	c.render(w, r, http.StatusOK, "session", page{Title: fmt.Sprintf("Session %d", s.ID), Active: "sessions", Flash: r.URL.Query().Get("done"),
		Data: map[string]any{"S": s, "Events": events, "Images": images, "Checks": s.CheckList(), "Evidence": s.EvidenceMap(), "Attempts": attempts,
			"Liveness": sessions.ParseVerdict(s), "CanDecide": s.State == database.SessionReview && accounts.RoleAtLeast(v.User.Role, accounts.RoleReviewer)}})
}

// decideSession records a reviewer's decision on a session in REVIEW,
// through the same code as session.decide.
func (c *Console) decideSession(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "session", 0)
		return
	}
	state, comment := r.PostFormValue("state"), strings.TrimSpace(r.PostFormValue("comment"))
	if !slices.Contains(sessions.DecideStates, state) || len(comment) > 2000 {
		c.fail(w, r, http.StatusBadRequest, "Choose APPROVED or DECLINED; a comment has at most 2000 characters.")
		return
	}
	_, err := c.Sessions.Decide(r.Context(), v.User.AccountID, id, state, comment)
	c.decided(w, r, err, "session", id, "session.decide")
}

func (c *Console) photos(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	rows, err := c.DB.ListPhotoTasks(r.Context(), v.User.AccountID, 0, 0, 100)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "photos", page{Title: "Photo tasks", Active: "photos", Data: rows})
}

func (c *Console) keys(w http.ResponseWriter, r *http.Request) {
	c.keysPage(w, r, http.StatusOK, "", "")
}

func (c *Console) keysPage(w http.ResponseWriter, r *http.Request, status int, created, secret string) {
	v := viewerOf(r.Context())
	rows, err := c.Accounts.ListKeys(r.Context(), v.User.AccountID, 0, 200)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, status, "keys", page{Title: "API keys", Active: "keys", Data: map[string]any{"Rows": rows, "Public": created, "Secret": secret,
		"Scopes": accounts.Scopes, "Lifetimes": keyLifetimes}})
}

func (c *Console) createKey(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	req, msg := keyRequestOf(r, c.Now())
	if msg != "" {
		c.fail(w, r, http.StatusBadRequest, msg)
		return
	}
	// Only owners reach this page, and an owner's reach is full.
	k, err := c.Accounts.CreateKey(r.Context(), v.User.AccountID, accounts.Full, req)
	if c.refused(w, r, err) {
		return
	}
	c.audit(r, "api_key.create", fmt.Sprintf("api_key:%d", k.ID))
	// The secret is shown on this answer only.
	c.keysPage(w, r, http.StatusOK, k.PublicKey, k.Secret)
}

func (c *Console) revokeKey(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	id, ok := pathID(r)
	if !ok {
		c.notFound(w, r, "API key", 0)
		return
	}
	if _, err := c.Accounts.RevokeKey(r.Context(), v.User.AccountID, id); c.refused(w, r, err) {
		return
	}
	c.audit(r, "api_key.revoke", fmt.Sprintf("api_key:%d", id))
	http.Redirect(w, r, "/console/keys", http.StatusSeeOther)
}

func (c *Console) billing(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	bal, err := c.Accounts.Balance(r.Context(), v.User.AccountID)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	tx, err := c.DB.ListTransactions(r.Context(), v.User.AccountID, database.TransactionFilter{}, 0, 100)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	acc, err := c.DB.GetAccount(r.Context(), v.User.AccountID)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	usd := func(cents int64) string { return billing.Cents(cents).String() }
	c.render(w, r, http.StatusOK, "billing", page{Title: "Billing", Active: "billing",
		Data: map[string]any{"Bal": bal, "Tx": tx, "USD": usd, "Sandbox": acc.Sandbox}})
}

func (c *Console) webhooks(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	rows, err := c.DB.ListEndpoints(r.Context(), v.User.AccountID)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	attempts, err := c.DB.ListAttempts(r.Context(), v.User.AccountID, database.SubjectVerification, 0, 0, 100)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "webhooks", page{Title: "Webhooks", Active: "webhooks", Flash: r.URL.Query().Get("done"),
		Data: map[string]any{"Endpoints": rows, "Attempts": attempts}})
}

// redeliver sends a callback again through the same code as callback.redeliver.
func (c *Console) redeliver(w http.ResponseWriter, r *http.Request) {
	cb, ok := load(c, w, r, "callback", c.DB.GetCallback)
	if !ok {
		return
	}
	if err := callbacks.Redeliver(r.Context(), c.DB, c.Queue, cb, c.Now()); err != nil {
		c.fail(w, r, http.StatusConflict, err.Error())
		return
	}
	c.audit(r, "callback.redeliver", fmt.Sprintf("callback:%d", cb.ID))
	http.Redirect(w, r, "/console/webhooks?done=redelivered", http.StatusSeeOther)
}

func (c *Console) photo(w http.ResponseWriter, r *http.Request) {
	t, ok := load(c, w, r, "photo task", c.DB.GetPhotoTask)
	if !ok {
		return
	}
	links := map[string]string{}
	var err error
	if t.State == database.TaskSuccess && t.ErasedAt == nil {
		keys := photos.Keys(t.ID)
		for name, k := range map[string]string{"Photo": keys.Digital(t.Background), "Sheet": keys.Sheet} {
			if links[name], err = c.Store.SignedURL(r.Context(), k, imageLinkTTL); err != nil {
				c.serverError(w, r, err)
				return
			}
		}
		c.audit(r, "image.link", fmt.Sprintf("task:%d", t.ID))
	}
	var report bytes.Buffer
	if t.ResultJSON != "" {
		_ = json.Indent(&report, []byte(t.ResultJSON), "", "  ")
	}
	c.render(w, r, http.StatusOK, "photo", page{Title: fmt.Sprintf("Photo task %d", t.ID), Active: "photos",
		Data: map[string]any{"T": t, "Links": links, "Report": report.String()}})
}

// deposit adds test money to a sandbox account (as billing.deposit does).
func (c *Console) deposit(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	amount, err := billing.ParseUSD(r.PostFormValue("amount_usd"))
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, "Amount: "+err.Error())
		return
	}
	t, err := c.Accounts.SandboxDeposit(r.Context(), v.User.AccountID, amount, "sandbox deposit (console)")
	if c.refused(w, r, err) {
		return
	}
	c.audit(r, "billing.deposit", fmt.Sprintf("transaction:%d", t.ID))
	http.Redirect(w, r, "/console/billing", http.StatusSeeOther)
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// sessionFrame serves one liveness frame of a session (1-based), read from
// the frames' upload: they are kept as one object, so there is no signed
// link to each.
func (c *Console) sessionFrame(w http.ResponseWriter, r *http.Request) {
	s, ok := load(c, w, r, "session", c.DB.GetSession)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	uploads, uerr := c.DB.SessionUploads(r.Context(), s.ID)
	if uerr != nil {
		c.serverError(w, r, uerr)
		return
	}
	frames, ferr := sessions.ReadFrames(r.Context(), c.Store, uploads[sessions.Liveness].Key)
	if ferr != nil {
		c.serverError(w, r, ferr)
		return
	}
	if err != nil || n < 1 || n > len(frames) {
		c.notFound(w, r, "frame", int64(n))
		return
	}
	if n == 1 {
		c.audit(r, "image.link", fmt.Sprintf("session:%d:frames", s.ID))
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(frames[n-1].JPEG)
}
