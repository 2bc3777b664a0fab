package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/veridoc/veridoc/internal/api/rpc"
	"github.com/veridoc/veridoc/internal/domain/billing"
	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/domain/specs"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
)

// PhotoProcessRequest uploads a photo for a spec.
type PhotoProcessRequest struct {
	// Photo is a base64 JPEG or PNG; in a sandbox account, "sandbox:SUCCESS"
	// or "sandbox:<FAILURE_CODE>" in its place.
	Photo        string       `json:"photo" rpc:"required"`
	SpecID       int64        `json:"spec_id" rpc:"required"`
	OutputFormat outputFormat `json:"output_format"`
	// Background: "replace" (default) cuts the person out and puts them on the
	// spec's colour; "keep" keeps the photo's own, cleaned when light and plain.
	Background backgroundMode `json:"background"`
}

// PhotoProcessResponse is the 202 answer.
type PhotoProcessResponse struct {
	Status  string `json:"status"`
	TaskID  int64  `json:"task_id"`
	Message string `json:"message"`
	// Warnings: BACKGROUND_EDIT_NOT_ALLOWED when a replaced or transparent
	// background was asked for a spec whose office refuses edited photos:
	// the photo's own background will be kept.
	Warnings []string `json:"warnings"`
}

// Task is a photo task and, once finished, its flat result.
type Task struct {
	ID                   int64            `json:"id"`
	AccountID            int64            `json:"account_id"`
	SpecificationID      int64            `json:"specification_id"`
	State                taskState        `json:"state"`
	Progress             int              `json:"progress"`
	Created              rpc.Timestamp    `json:"created"`
	Finished             *rpc.Timestamp   `json:"finished"`
	CountryCode          string           `json:"country_code"`
	DocumentType         string           `json:"document_type"`
	OverallSuccess       *bool            `json:"overall_success"`
	PhotoSize            string           `json:"photo_size"`
	HeadMeasurements     string           `json:"head_measurements"`
	HeadHeightMm         string           `json:"head_height_mm,omitempty"`
	EyeLineMm            string           `json:"eye_line_mm,omitempty"`
	ResolutionDPI        int              `json:"resolution_dpi"`
	Background           backgroundMode   `json:"background"`
	BackgroundColor      string           `json:"background_color,omitempty"`  // measured on the finished photo, #rrggbb
	BackgroundSpread     string           `json:"background_spread,omitempty"` // standard deviation of its luma, 0–255
	Warnings             []string         `json:"warnings"`
	SuitableForOnline    bool             `json:"suitable_for_online"`
	Printable            bool             `json:"printable"`
	PriceUSD             string           `json:"price_usd"`
	DigitalPhotoURL      string           `json:"digital_photo_url,omitempty"`
	PrintablePhotoURL    string           `json:"printable_photo_url,omitempty"`
	PrintableA4URL       string           `json:"printable_a4_url,omitempty"`
	BatchID              int64            `json:"batch_id,omitempty"` // the photo.batch call it came from
	Printable5x7URL      string           `json:"printable_5x7_url,omitempty"`
	PrintableLetterURL   string           `json:"printable_letter_url,omitempty"`
	DigitalPhotoBase64   string           `json:"digital_photo_base64,omitempty"`
	PrintablePhotoBase64 string           `json:"printable_photo_base64,omitempty"`
	Erased               *rpc.Timestamp   `json:"erased"` // upload and outputs deleted (photo.delete or retention)
	ErrorCode            string           `json:"error_code,omitempty"`
	FailureReasons       []idphoto.Reason `json:"failure_reasons,omitempty"`
	ComplianceIssues     []string         `json:"compliance_issues,omitempty"`
	// Quality: the face-quality measures of the finished photo by name
	// (eyes_open, mouth_open, smile, yaw_deg, sharpness, …; docs/photos.md),
	// decimal strings; on a refusal for quality too.
	Quality map[string]string `json:"quality,omitempty"`
}

// TaskIDRequest addresses one task.
type TaskIDRequest struct {
	ID int64 `json:"id" rpc:"required"`
}

// PhotoListRequest pages through the account's tasks.
type PhotoListRequest struct {
	rpc.ListRequest
	BatchID int64 `json:"batch_id"` // only this photo.batch call's tasks
}

// PhotoBatchRequest is several photos for one specification.
type PhotoBatchRequest struct {
	Photos       []string       `json:"photos" rpc:"required"` // base64, 1 to 10
	SpecID       int64          `json:"spec_id" rpc:"required"`
	OutputFormat outputFormat   `json:"output_format"`
	Background   backgroundMode `json:"background"`
}

// PhotoBatchResponse names the batch and its tasks, in the photos' order.
type PhotoBatchResponse struct {
	Status  string  `json:"status"`
	BatchID int64   `json:"batch_id"`
	TaskIDs []int64 `json:"task_ids"`
	Message string  `json:"message"`
	// Warnings: as photo.process's.
	Warnings []string `json:"warnings"`
}

// Limits of photo.process: a 15 MB photo is 20 MB in base64 (multipart sends it raw).
const (
	photoBody = 21 << 20
	batchBody = 48 << 20 // ten phone photos of about 3.5 MB, in base64
	urlTTL    = time.Hour
)

func (h *Handlers) registerPhoto(reg *rpc.Registry) {
	rpc.Register(reg, rpc.Spec{Name: "photo.process", Summary: "Upload a photo for a specification; answers 202 with a task to poll.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: photoBody, SideEffects: true, Status: http.StatusAccepted, Multipart: true}, h.photoProcess)
	rpc.Register(reg, rpc.Spec{Name: "photo.batch", Summary: "Upload up to 10 photos for one specification: a task per photo, all opened or none; answers 202 with the batch and its tasks.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: batchBody, SideEffects: true, Status: http.StatusAccepted}, h.photoBatch)
	rpc.Register(reg, rpc.Spec{Name: "task.get", Summary: "Get a photo task: state, progress and, when finished, the result or the failure reasons.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: smallBody}, h.taskGet)
	rpc.Register(reg, rpc.Spec{Name: "photo.get", Summary: "Get a photo of the account's history (same object as task.get).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: smallBody}, h.taskGet)
	rpc.Register(reg, rpc.Spec{Name: "photo.delete", Summary: "Erase a finished photo's upload and outputs; the task stays as a stub (state, times, measurements).",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: smallBody, SideEffects: true}, h.photoDelete)
	rpc.Register(reg, rpc.Spec{Name: "photo.list", Summary: "List the account's photos, newest first.",
		Scope: rpc.ScopeAccount, Permission: rpc.PermPhotos, MaxBody: smallBody}, h.photoList)
}

// photoRequest is one photo of photo.process or photo.batch with the
// defaults filled in: a sandbox value, or the base64 photo decoded (field
// names the property in the error).
func photoRequest(field, photo string, specID int64, format outputFormat, bg backgroundMode) (photos.Request, error) {
	if format == "" {
		format = "url"
	}
	if bg == "" {
		bg = idphoto.BackgroundReplace
	}
	p := photos.Request{SpecID: specID, OutputFormat: string(format), Background: string(bg)}
	if strings.HasPrefix(photo, photos.SandboxPrefix) {
		p.Sandbox = photo
		return p, nil
	}
	var err error
	if p.Photo, err = base64.StdEncoding.DecodeString(photo); err != nil {
		return p, rpc.ErrInvalidRequest("%s: must be base64 (standard alphabet, padded)", field)
	}
	return p, nil
}

func (h *Handlers) photoProcess(ctx context.Context, call *rpc.Call, req *PhotoProcessRequest) (*PhotoProcessResponse, error) {
	p, err := photoRequest("photo", req.Photo, req.SpecID, req.OutputFormat, req.Background)
	if err != nil {
		return nil, err
	}
	task, err := h.Photos.Process(ctx, call.AccountID(), p)
	if err != nil {
		return nil, err
	}
	return &PhotoProcessResponse{Status: "processing", TaskID: task.ID, Message: "Photo queued for processing",
		Warnings: h.photoWarnings(ctx, call.AccountID(), req.SpecID, p.Background)}, nil
}

func (h *Handlers) photoBatch(ctx context.Context, call *rpc.Call, req *PhotoBatchRequest) (*PhotoBatchResponse, error) {
	if len(req.Photos) == 0 || len(req.Photos) > photos.MaxBatch {
		return nil, rpc.ErrInvalidRequest("photos: 1 to %d photos", photos.MaxBatch)
	}
	reqs := make([]photos.Request, len(req.Photos))
	for i, ph := range req.Photos {
		var err error
		if reqs[i], err = photoRequest(fmt.Sprintf("photos[%d]", i), ph, req.SpecID, req.OutputFormat, req.Background); err != nil {
			return nil, err
		}
	}
	tasks, err := h.Photos.ProcessBatch(ctx, call.AccountID(), reqs)
	if err != nil {
		return nil, err
	}
	out := &PhotoBatchResponse{Status: "processing", BatchID: tasks[0].BatchID, Message: "Photos queued for processing",
		Warnings: h.photoWarnings(ctx, call.AccountID(), req.SpecID, reqs[0].Background)}
	for _, t := range tasks {
		out.TaskIDs = append(out.TaskIDs, t.ID)
	}
	return out, nil
}

func (h *Handlers) taskGet(ctx context.Context, call *rpc.Call, req *TaskIDRequest) (*Task, error) {
	t, err := h.DB.GetPhotoTask(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, photos.ErrTaskNotFound, req.ID)
	}
	out, err := h.taskOf(ctx, t, true)
	if err == nil && (out.DigitalPhotoURL != "" || out.DigitalPhotoBase64 != "") {
		h.auditLinks(ctx, call, fmt.Sprintf("task:%d", t.ID))
	}
	return out, err
}

func (h *Handlers) photoDelete(ctx context.Context, call *rpc.Call, req *TaskIDRequest) (*Task, error) {
	t, err := h.Eraser.PhotoTask(ctx, call.AccountID(), req.ID)
	if err != nil {
		return nil, missing(err, photos.ErrTaskNotFound, req.ID)
	}
	return h.taskOf(ctx, t, true)
}

func (h *Handlers) photoList(ctx context.Context, call *rpc.Call, req *PhotoListRequest) (*rpc.ListResponse[Task], error) {
	page, err := req.Page()
	if err != nil {
		return nil, err
	}
	rows, err := h.DB.ListPhotoTasks(ctx, call.AccountID(), req.BatchID, page.BeforeID, page.Limit+1)
	if err != nil {
		return nil, err
	}
	out := make([]Task, 0, len(rows))
	for i := range rows {
		t, err := h.taskOf(ctx, &rows[i], false)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return rpc.NewList(out, page, func(t Task) int64 { return t.ID }), nil
}

// photoWarnings is what a 202 answer says ahead of the result: a
// background edit asked for a spec that allows none.
func (h *Handlers) photoWarnings(ctx context.Context, accountID, specID int64, background string) []string {
	s, err := h.Specs.Lookup(ctx, accountID, specID)
	if err == nil && s.BackgroundEdit == specs.EditsForbidden && background != idphoto.BackgroundKeep {
		return []string{idphoto.WarnEditNotAllowed}
	}
	return []string{}
}

// taskOf shapes a task; links (or base64 bodies) only for a single get.
func (h *Handlers) taskOf(ctx context.Context, t *database.PhotoTask, withFiles bool) (*Task, error) {
	out := &Task{ID: t.ID, AccountID: t.AccountID, SpecificationID: t.SpecID, State: taskState(t.State), Progress: t.Progress,
		Created: rpc.NewTimestamp(t.CreatedAt), Finished: rpc.TimestampPtr(t.FinishedAt), Warnings: []string{},
		PriceUSD: billing.Cents(t.PriceCents).String(), ErrorCode: t.ErrorCode, Background: backgroundMode(t.Background), Erased: rpc.TimestampPtr(t.ErasedAt), BatchID: t.BatchID}
	if s, err := h.Specs.Lookup(ctx, t.AccountID, t.SpecID); err == nil {
		out.CountryCode, out.DocumentType, out.ResolutionDPI = s.CountryCode, s.Name, s.DPI
		out.PhotoSize = fmt.Sprintf("%gx%gmm", s.WidthMm, s.HeightMm)
		out.HeadMeasurements = fmt.Sprintf("%g-%gmm", s.HeadMinMm, s.HeadMaxMm)
	}
	if t.State != database.TaskSuccess && t.State != database.TaskFailure {
		return out, nil
	}
	var o photos.Outcome
	if err := json.Unmarshal([]byte(t.ResultJSON), &o); err != nil {
		return nil, fmt.Errorf("task %d result: %w", t.ID, err)
	}
	ok := t.State == database.TaskSuccess
	out.OverallSuccess = &ok
	mode := t.Background
	if o.Background != "" { // the spec allows no edits: the photo's own background was kept
		mode = o.Background
		out.Background = backgroundMode(mode)
	}
	out.Warnings = append(out.Warnings, o.Warnings...)
	out.FailureReasons, out.ComplianceIssues, out.Quality = o.FailureReasons, o.ComplianceIssues, o.Quality
	if !ok {
		return out, nil
	}
	out.HeadHeightMm = strconv.FormatFloat(o.HeadHeightMm, 'f', 1, 64)
	out.EyeLineMm = strconv.FormatFloat(o.EyeLineMm, 'f', 1, 64)
	out.BackgroundColor = o.BackgroundColor
	if o.BackgroundColor != "" {
		out.BackgroundSpread = strconv.FormatFloat(o.BackgroundSpread, 'f', 1, 64)
	}
	out.SuitableForOnline, out.Printable = o.Online, true
	if !withFiles || t.ErasedAt != nil {
		return out, nil
	}
	keys := photos.Keys(t.ID)
	if t.OutputFormat == "base64" {
		var err error
		if out.DigitalPhotoBase64, err = h.readBase64(ctx, keys.Digital(mode)); err != nil {
			return nil, err
		}
		if out.PrintablePhotoBase64, err = h.readBase64(ctx, keys.Sheet); err != nil {
			return nil, err
		}
		return out, nil
	}
	links := map[string]*string{keys.Digital(mode): &out.DigitalPhotoURL, keys.Sheet: &out.PrintablePhotoURL, keys.SheetA4: &out.PrintableA4URL}
	if o.MorePrints { // tasks finished before the 5×7 and Letter sheets have none
		links[keys.Sheet5x7], links[keys.SheetLetter] = &out.Printable5x7URL, &out.PrintableLetterURL
	}
	for key, dst := range links {
		u, err := h.Store.SignedURL(ctx, key, urlTTL)
		if err != nil {
			return nil, err
		}
		*dst = u
	}
	return out, nil
}

func (h *Handlers) readBase64(ctx context.Context, key string) (string, error) {
	b, err := objectstore.ReadAll(ctx, h.Store, key)
	return base64.StdEncoding.EncodeToString(b), err
}
