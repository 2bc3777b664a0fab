// Package photos runs photo.process tasks: the job that turns an upload into
// a compliant photo and sheets, stores them, and settles the task's charge.
package photos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/veridoc/veridoc/internal/domain/specs"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/platform/fault"
	"github.com/veridoc/veridoc/internal/platform/objectstore"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// ErrTaskNotFound: no photo task with the id in the account.
var ErrTaskNotFound = fault.Declare("TaskNotFound", fault.NotFound)

// Args is the job of one task.
type Args struct {
	TaskID int64 `json:"task_id"`
}

// Kind names the job.
func (Args) Kind() string { return "photo.process" }

// Outcome is what a finished task records (database.PhotoTask.ResultJSON).
type Outcome struct {
	HeadHeightMm     float64          `json:"head_height_mm,omitempty"`
	EyeLineMm        float64          `json:"eye_line_mm,omitempty"`
	BackgroundColor  string           `json:"background_color,omitempty"`  // measured on the output, #rrggbb
	BackgroundSpread float64          `json:"background_spread,omitempty"` // its luma's standard deviation
	Warnings         []string         `json:"warnings"`
	Online           bool             `json:"online"`
	FailureReasons   []idphoto.Reason `json:"failure_reasons,omitempty"`
	ComplianceIssues []string         `json:"compliance_issues,omitempty"`
	// Quality is what the face-quality measures read (package quality), as
	// decimal strings by name; absent when the photo was refused before them.
	Quality map[string]string `json:"quality,omitempty"`
	// MorePrints: the 5×7 in and Letter sheets were written too.
	MorePrints bool `json:"more_prints,omitempty"`
	// Background is the mode used, where it is not the one asked for (the
	// spec allows no edits); "" for the task's own.
	Background string `json:"background,omitempty"`
}

// Outputs are the object keys of a task's outputs. They depend only on the
// task, so a retried job overwrites rather than adds.
type Outputs struct {
	Photo, PNG, Sheet, Sheet5x7, SheetA4, SheetLetter string
}

// Keys are task taskID's output keys.
func Keys(taskID int64) Outputs {
	p := fmt.Sprintf("photos/%d/", taskID)
	return Outputs{Photo: p + "photo.jpg", PNG: p + "photo.png", Sheet: p + "sheet-4x6.jpg", Sheet5x7: p + "sheet-5x7.jpg",
		SheetA4: p + "sheet-a4.pdf", SheetLetter: p + "sheet-letter.pdf"}
}

// All lists every key (erasure deletes them all; a key never written is
// no error to delete).
func (o Outputs) All() []string {
	return []string{o.Photo, o.PNG, o.Sheet, o.Sheet5x7, o.SheetA4, o.SheetLetter}
}

// Digital is the key of the digital photo a task hands out: the PNG for a
// transparent background, else the JPEG.
func (o Outputs) Digital(background string) string {
	if background == idphoto.BackgroundTransparent {
		return o.PNG
	}
	return o.Photo
}

// SourceKey is where an upload is kept.
func SourceKey(accountID int64, token string) string {
	return fmt.Sprintf("uploads/%d/%s", accountID, token)
}

// SpecOf adapts a catalogue spec for the pipeline.
func SpecOf(s *specs.Spec) idphoto.Spec {
	return idphoto.Spec{WidthMm: s.WidthMm, HeightMm: s.HeightMm, DPI: s.DPI, WidthPx: s.WidthPx, HeightPx: s.HeightPx,
		HeadMinMm: s.HeadMinMm, HeadMaxMm: s.HeadMaxMm, EyeMinMm: s.EyeLineMinMm, EyeMaxMm: s.EyeLineMaxMm,
		BackgroundHex: s.BackgroundHex, MinPx: s.MinPx, MaxKB: s.MaxKB, MaxPx: s.MaxPx, MinKB: s.MinKB,
		SmileAllowed: s.Expression == specs.ExpressionSmile, NoGlasses: s.Glasses == specs.GlassesNotAllowed,
		NoEdits: s.BackgroundEdit == specs.EditsForbidden}
}

// Worker runs Args jobs.
type Worker struct {
	river.WorkerDefaults[Args]
	DB      *database.DB
	Store   objectstore.Store
	Specs   *specs.Library
	Engines *engines.Set
	Now     func() time.Time
	// Observe receives each pipeline stage's time (metrics); nil: not recorded.
	Observe func(stage string, d time.Duration)
}

// Timeout bounds one attempt.
func (w *Worker) Timeout(*river.Job[Args]) time.Duration { return 15 * time.Second }

// Work processes a task once: finished tasks are left alone, outputs have
// fixed keys, and the charge is keyed by the task.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	t, err := w.DB.PhotoTaskByID(ctx, job.Args.TaskID)
	if errors.Is(err, database.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if t.State == database.TaskSuccess || t.State == database.TaskFailure {
		return nil
	}
	if err := w.DB.StartPhotoTask(ctx, t.ID); err != nil {
		return err
	}
	err = w.process(ctx, t)
	var rejected *idphoto.Failure
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rejected):
		return w.finishFailure(ctx, t, rejected)
	case job.Attempt >= job.MaxAttempts:
		return w.finishFailure(ctx, t, &idphoto.Failure{Reasons: []idphoto.Reason{{Code: idphoto.ProcessingFailed,
			Message: "Photo processing failed", Suggestion: "Try again later or with another photo"}}})
	}
	return err
}

func (w *Worker) process(ctx context.Context, t *database.PhotoTask) error {
	spec, err := w.Specs.Lookup(ctx, t.AccountID, t.SpecID)
	if errors.Is(err, specs.ErrNotFound) {
		return &idphoto.Failure{Reasons: []idphoto.Reason{{Code: idphoto.ProcessingFailed, Message: "The specification no longer exists", Suggestion: "Choose another specification"}}}
	}
	if err != nil {
		return err
	}
	rc, _, err := w.Store.Get(ctx, t.SourceKey)
	if err != nil {
		return err
	}
	src, err := io.ReadAll(io.LimitReader(rc, raster.MaxUploadBytes+1))
	rc.Close()
	if err != nil {
		return err
	}
	if f, err := w.sandboxFailure(ctx, t.AccountID, src); f != nil || err != nil {
		if f != nil {
			return f
		}
		return err
	}
	p, err := w.Engines.Processor()
	if err != nil {
		return err
	}
	ps := SpecOf(spec)
	if bytes.Equal(src, SamplePortrait) {
		// The sandbox's sample smiles: it shows a success for every spec, so
		// the expression rule is not its to show (sandbox:EXPRESSION_NOT_NEUTRAL is).
		ps.SmileAllowed = true
	}
	res, err := p.Process(ctx, src, ps, idphoto.Options{Background: t.Background})
	if err != nil {
		return err
	}
	if w.Observe != nil {
		tm := res.Timings
		for stage, d := range map[string]time.Duration{"decode": tm.Decode, "detect": tm.Detect, "landmarks": tm.Landmarks, "crop": tm.Crop,
			"segment": tm.Segment, "encode": tm.Encode, "sheet": tm.Sheet, "measure": tm.Measure} {
			w.Observe(stage, d)
		}
	}
	keys := Keys(t.ID)
	for _, o := range []struct {
		key, ctype string
		b          []byte
	}{
		{keys.Photo, "image/jpeg", res.Photo}, {keys.PNG, "image/png", res.PNG},
		{keys.Sheet, "image/jpeg", res.Sheet}, {keys.Sheet5x7, "image/jpeg", res.Sheet5x7},
		{keys.SheetA4, "application/pdf", res.SheetA4}, {keys.SheetLetter, "application/pdf", res.SheetLetter},
	} {
		if o.b == nil {
			continue // no PNG unless the background is transparent
		}
		if err := w.Store.Put(ctx, o.key, bytes.NewReader(o.b), int64(len(o.b)), o.ctype); err != nil {
			return err
		}
	}
	if _, err := w.DB.ChargeTask(ctx, t.ID); err != nil {
		return err
	}
	out, _ := json.Marshal(Outcome{HeadHeightMm: res.HeadHeightMm, EyeLineMm: res.EyeLineMm, Warnings: res.Warnings, Online: res.Online,
		BackgroundColor: idphoto.Hex(res.Background.Mean), BackgroundSpread: math.Round(res.Background.Spread*10) / 10,
		Quality: res.Quality.Strings(), MorePrints: true, Background: modeUsed(res.Warnings)})
	return w.DB.SucceedPhotoTask(ctx, t.ID, string(out), w.Now())
}

// modeUsed is the background mode used where it is not the one asked for:
// the spec allowed no edits, and the photo's own background was kept.
func modeUsed(warnings []string) string {
	if slices.Contains(warnings, idphoto.WarnEditNotAllowed) {
		return idphoto.BackgroundKeep
	}
	return ""
}

func (w *Worker) finishFailure(ctx context.Context, t *database.PhotoTask, f *idphoto.Failure) error {
	if err := w.DB.ReleaseTask(ctx, t.ID); err != nil {
		return err
	}
	warnings := f.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	o := Outcome{Warnings: warnings, FailureReasons: f.Reasons, ComplianceIssues: f.Issues, Background: modeUsed(warnings)}
	if f.Quality != nil {
		o.Quality = f.Quality.Strings()
	}
	out, _ := json.Marshal(o)
	return w.DB.FailPhotoTask(ctx, t.ID, f.Code(), string(out), w.Now())
}
