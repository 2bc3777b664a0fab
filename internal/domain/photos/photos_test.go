package photos_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/veridoc/veridoc/internal/domain/photos"
	"github.com/veridoc/veridoc/internal/domain/specs"
	"github.com/veridoc/veridoc/internal/platform/database"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/engines"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// A worker killed after charging but before recording success runs again:
// it overwrites the same outputs and the charge stays single.
func TestRetriedJobChargesOnceAndWritesOnce(t *testing.T) {
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := database.Open(ctx, dbk.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			testenv.UseSealer(t, db)
			dir := t.TempDir()
			store := testenv.SealedDisk(t, dir)
			catalog, err := specs.Load()
			if err != nil {
				t.Fatal(err)
			}
			spec := catalog.ForCountry("US")[0]
			acc, _ := db.CreateAccount(ctx, "retry", false)
			if _, err := db.Deposit(ctx, acc.ID, 500, "test"); err != nil {
				t.Fatal(err)
			}
			src := portrait(t)
			key := photos.SourceKey(acc.ID, "upload")
			if err := store.Put(ctx, key, bytes.NewReader(src), int64(len(src)), "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			task := &database.PhotoTask{AccountID: acc.ID, SpecID: spec.ID, State: database.TaskPending, OutputFormat: "url", SourceKey: key, PriceCents: 50}
			err = db.InTx(ctx, func(tx *database.Tx) error {
				if err := tx.CreatePhotoTask(task); err != nil {
					return err
				}
				return database.HoldForTask(tx, acc.ID, task.ID, 50)
			})
			if err != nil {
				t.Fatal(err)
			}
			w := &photos.Worker{DB: db, Store: store, Specs: &specs.Library{Catalog: catalog, DB: db}, Engines: &engines.Set{ModelsDir: testenv.ModelsDir(t)}, Now: time.Now}
			// The first run charges and stores; then the task is put back as if the
			// worker died before recording success, and the job is delivered again.
			job := &river.Job[photos.Args]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 10}, Args: photos.Args{TaskID: task.ID}}
			if err := w.Work(ctx, job); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL.Exec(fmt.Sprintf("UPDATE photo_tasks SET state = '%s' WHERE id = %d", database.TaskProcessing, task.ID)); err != nil {
				t.Fatal(err)
			}
			job.Attempt = 2
			if err := w.Work(ctx, job); err != nil {
				t.Fatal(err)
			}
			if err := w.Work(ctx, job); err != nil { // a third delivery finds the task finished
				t.Fatal(err)
			}
			got, _ := db.PhotoTaskByID(ctx, task.ID)
			if got.State != database.TaskSuccess {
				t.Fatalf("state %s", got.State)
			}
			s, _ := db.BillingSummary(ctx, acc.ID)
			if s.PhotosProcessed != 1 || s.Balance != 450 || s.Held != 0 {
				t.Fatalf("after retries: %+v", s)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "photos", "*", "*.jpg"))
			pdfs, _ := filepath.Glob(filepath.Join(dir, "photos", "*", "*.pdf"))
			if files = append(files, pdfs...); len(files) != 5 {
				t.Fatalf("outputs %v, want exactly the photo, the 4×6 and 5×7 sheets, A4 and Letter", files)
			}
		})
	}
}

func portrait(t *testing.T) []byte {
	raster.Start()
	img, err := vips.NewImageFromBuffer(testenv.ReadPhoto(t, testenv.PhotoAstronaut))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.Resize(4, vips.KernelLanczos3); err != nil {
		t.Fatal(err)
	}
	out, _, err := img.ExportJpeg(&vips.JpegExportParams{Quality: 90})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
