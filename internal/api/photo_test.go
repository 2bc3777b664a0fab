package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/apitest"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// portrait is a Debian test photo scaled so the head has the pixels a 2×2 in
// photo needs, in base64.
func portrait(t *testing.T, photo testenv.Photo, scale float64) string {
	return base64.StdEncoding.EncodeToString(testenv.ScaledPhoto(t, photo, scale))
}

var stageSeen = regexp.MustCompile(`veridoc_photo_stage_seconds_count\{stage="detect"\} [1-9]`)

// strs turns a decoded JSON list of strings into a []string.
func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, s := range list {
		str, _ := s.(string)
		out = append(out, str)
	}
	return out
}

func waitTask(t *testing.T, c *apitest.Client, id int64) apitest.Reply {
	t.Helper()
	var r apitest.Reply
	testenv.WaitFor(t, 90*time.Second, fmt.Sprintf("task %d to finish", id), func() bool {
		r = c.Call("task.get", map[string]any{"id": id})
		if r.Status != 200 {
			t.Fatalf("task.get: %s", r.Raw)
		}
		return r.Str("state") == "SUCCESS" || r.Str("state") == "FAILURE"
	})
	return r
}

func TestPhotoProcessFlow(t *testing.T) {
	t.Parallel() // a server of its own, and minutes of jobs: overlaps the others
	models := testenv.ModelsDir(t)
	face := portrait(t, testenv.PhotoAstronaut, 4)
	noFace := portrait(t, testenv.PhotoNoFace, 2)
	for _, dbk := range testenv.Databases() {
		t.Run(dbk.Name, func(t *testing.T) {
			s := testenv.NewServer(t, dbk.URL(t), testenv.WithConfig(func(c *config.Config) { c.ModelsDir = models }))
			c, accID, _, _ := apitest.Account(t, s, "photos")
			usPassport := int64(0)
			for _, row := range c.Call("specification.list", map[string]any{"country_code": "US"}).Body["data"].([]any) {
				if m := row.(map[string]any); m["type"] == "passport" {
					usPassport = int64(m["id"].(float64))
				}
			}
			req := map[string]any{"photo": face, "spec_id": usPassport}
			if r := c.Call("photo.process", req); r.Status != 402 || r.Str("error_name") != "InsufficientBalance" {
				t.Fatalf("without funds: %s", r.Raw)
			}
			if _, err := s.DB.Deposit(context.Background(), accID, 150, "test"); err != nil {
				t.Fatal(err)
			}

			// Intake refuses bad uploads before queueing anything.
			bad := []struct {
				body   map[string]any
				status int
				name   string
			}{
				{map[string]any{"photo": "%%%", "spec_id": usPassport}, 400, "InvalidRequest"},
				{map[string]any{"photo": base64.StdEncoding.EncodeToString([]byte("not an image at all")), "spec_id": usPassport}, 415, "UnsupportedImageType"},
				{map[string]any{"photo": base64.StdEncoding.EncodeToString(testenv.PNGHeader(100_000, 100_000)), "spec_id": usPassport}, 413, "PhotoTooLarge"},
				{map[string]any{"photo": face, "spec_id": 99}, 404, "SpecificationNotFound"},
				{map[string]any{"photo": face, "spec_id": usPassport, "output_format": "pdf"}, 400, "InvalidRequest"},
				{map[string]any{"photo": face, "spec_id": usPassport, "background": "blur"}, 400, "InvalidRequest"},
			}
			for _, b := range bad {
				if r := c.Call("photo.process", b.body); r.Status != b.status || r.Str("error_name") != b.name {
					t.Errorf("%v: %s", b.name, r.Raw)
				}
			}

			acc := c.Call("photo.process", req)
			if acc.Status != 202 || acc.Str("status") != "processing" || acc.Num("task_id") == 0 || acc.Str("message") != "Photo queued for processing" {
				t.Fatalf("photo.process: %d %s", acc.Status, acc.Raw)
			}
			done := waitTask(t, c, acc.Num("task_id"))
			if done.Str("state") != "SUCCESS" || done.Body["overall_success"] != true || done.Str("photo_size") != "51x51mm" ||
				done.Str("head_measurements") != "25-35mm" || done.Num("progress") != 100 || done.Str("country_code") != "US" {
				t.Fatalf("task: %s", done.Raw)
			}
			head, _ := strconv.ParseFloat(done.Str("head_height_mm"), 64)
			eyes, _ := strconv.ParseFloat(done.Str("eye_line_mm"), 64)
			if head < 25 || head > 35 || eyes < 28 || eyes > 35 {
				t.Errorf("measured head %v mm, eyes %v mm", head, eyes)
			}
			// The background was replaced by default, and the finished photo's is measured.
			spread, err := strconv.ParseFloat(done.Str("background_spread"), 64)
			if done.Str("background") != "replace" || !slices.Contains(strs(done.Body["warnings"]), "BACKGROUND_REPLACED") ||
				!strings.HasPrefix(done.Str("background_color"), "#f") || err != nil || spread > 5 {
				t.Errorf("replaced background: %s", done.Raw)
			}
			// At least once: a job that timed out on a loaded machine is retried and observed again.
			if m := scrape(t, s.URL); !stageSeen.MatchString(m) || !strings.Contains(m, `stage="sheet"`) || !strings.Contains(m, `stage="segment"`) {
				t.Errorf("photo stage metrics missing:\n%s", grep(m, "photo_stage_seconds_count"))
			}
			// The face-quality measures come with the result, as decimal strings.
			q, _ := done.Body["quality"].(map[string]any)
			for _, k := range []string{"eyes_open", "mouth_open", "yaw_deg", "sharpness", "brightness", "glasses"} {
				if v, ok := q[k].(string); !ok || v == "" {
					t.Errorf("quality %s missing: %s", k, done.Raw)
				}
			}
			photo := download(t, done.Str("digital_photo_url"))
			if cfg, err := jpeg.DecodeConfig(bytes.NewReader(photo)); err != nil || cfg.Width != 600 || cfg.Height != 600 {
				t.Errorf("digital photo %dx%d %v", cfg.Width, cfg.Height, err)
			}
			for _, k := range []string{"printable_photo_url", "printable_5x7_url", "printable_a4_url", "printable_letter_url"} {
				if sheet := download(t, done.Str(k)); len(sheet) == 0 {
					t.Errorf("empty %s", k)
				}
			}
			// Charged once, at the Base rate in force.
			bal := c.Call("billing.balance", nil)
			if bal.Str("balance_usd") != "1.00" || bal.Num("photos_processed") != 1 || bal.Str("held_usd") != "0.00" {
				t.Errorf("balance after one photo: %s", bal.Raw)
			}
			charges := c.Call("transaction.list", map[string]any{"type": "charge"}).Body["data"].([]any)
			if len(charges) != 1 || int64(charges[0].(map[string]any)["task_id"].(float64)) != acc.Num("task_id") {
				t.Errorf("charges: %v", charges)
			}

			// A rejected photo is not charged and says why.
			rej := c.Call("photo.process", map[string]any{"photo": noFace, "spec_id": usPassport, "output_format": "base64"})
			failed := waitTask(t, c, rej.Num("task_id"))
			reasons, _ := failed.Body["failure_reasons"].([]any)
			if failed.Str("state") != "FAILURE" || failed.Str("error_code") != "NO_FACE_DETECTED" || len(reasons) != 1 || failed.Body["overall_success"] != false {
				t.Fatalf("no-face task: %s", failed.Raw)
			}
			if bal := c.Call("billing.balance", nil); bal.Str("balance_usd") != "1.00" || bal.Str("held_usd") != "0.00" {
				t.Errorf("balance after a rejected photo: %s", bal.Raw)
			}

			// A photo far too dark is refused for its light, uncharged, with the measures.
			dark := c.Call("photo.process", map[string]any{"photo": darkened(t, face, 0.15), "spec_id": usPassport})
			dim := waitTask(t, c, dark.Num("task_id"))
			if dq, _ := dim.Body["quality"].(map[string]any); dim.Str("error_code") != "UNDEREXPOSED" || dq["brightness"] == nil {
				t.Errorf("dark photo: %s", dim.Raw)
			}

			// The US takes no glasses (the catalogue cites travel.state.gov); Grace Hopper wears hers.
			glasses := c.Call("photo.process", map[string]any{"photo": portrait(t, testenv.PhotoGraceHopper, 1.5), "spec_id": usPassport})
			if g := waitTask(t, c, glasses.Num("task_id")); g.Str("error_code") != "GLASSES_NOT_ALLOWED" {
				t.Errorf("glasses on a US photo: %s", g.Raw)
			}

			// A transparent background: the digital photo is a PNG with the person's mask as alpha.
			if _, err := s.DB.Deposit(context.Background(), accID, 50, "test"); err != nil {
				t.Fatal(err)
			}
			transp := waitTask(t, c, c.Call("photo.process", map[string]any{"photo": face, "spec_id": usPassport, "background": "transparent"}).Num("task_id"))
			cut, err := png.Decode(bytes.NewReader(download(t, transp.Str("digital_photo_url"))))
			if transp.Str("state") != "SUCCESS" || transp.Str("background") != "transparent" || err != nil {
				t.Fatalf("transparent: %v %s", err, transp.Raw)
			}
			if _, _, _, a := cut.At(3, 3).RGBA(); a != 0 {
				t.Errorf("transparent photo's corner has alpha %d", a>>8)
			}

			// base64 output, and another account sees nothing.
			b64 := c.Call("photo.process", map[string]any{"photo": face, "spec_id": usPassport, "output_format": "base64", "background": "keep"})
			got := waitTask(t, c, b64.Num("task_id"))
			if got.Str("background") != "keep" || slices.Contains(strs(got.Body["warnings"]), "BACKGROUND_REPLACED") {
				t.Errorf("kept background: %s", got.Raw)
			}
			raw, err := base64.StdEncoding.DecodeString(got.Str("digital_photo_base64"))
			if err != nil || raster.Sniff(raw) != "jpeg" || got.Str("digital_photo_url") != "" {
				t.Errorf("base64 output: %v", err)
			}
			other, _, _, _ := apitest.Account(t, s, "other")
			for _, m := range []string{"task.get", "photo.get"} {
				if r := other.Call(m, map[string]any{"id": acc.Num("task_id")}); r.Status != 404 || r.Str("error_name") != "TaskNotFound" {
					t.Errorf("%s of another account's task: %s", m, r.Raw)
				}
			}
			// multipart/form-data, as curl -F photo=@photo.jpg -F spec_id=822 sends it.
			raw, _ = base64.StdEncoding.DecodeString(face)
			mp := multipartCall(t, c, map[string]string{"spec_id": strconv.FormatInt(usPassport, 10)}, raw)
			if mp.Status != 202 {
				t.Fatalf("multipart: %s", mp.Raw)
			}
			if r := waitTask(t, c, mp.Num("task_id")); r.Str("state") != "SUCCESS" {
				t.Fatalf("multipart task: %s", r.Raw)
			}
			if r := multipartCall(t, c, map[string]string{"spec_id": "eight"}, raw); r.Status != 400 || r.Str("error_message") != "spec_id: expected integer" {
				t.Errorf("multipart wrong type: %s", r.Raw)
			}
			if list := c.Call("photo.list", nil).Body["data"].([]any); len(list) != 7 {
				t.Errorf("photo.list has %d tasks", len(list))
			}
			// No funds left for a third charge at $0.50.
			if r := c.Call("photo.process", req); r.Status != 402 {
				t.Errorf("with $0.00 left: %s", r.Raw)
			}
		})
	}
}

// darkened is a base64 JPEG with every pixel's light times k.
func darkened(t *testing.T, b64 string, k float64) string {
	t.Helper()
	raw, _ := base64.StdEncoding.DecodeString(b64)
	img, err := jpeg.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			out.SetRGBA(x, y, color.RGBA{uint8(float64(r>>8) * k), uint8(float64(g>>8) * k), uint8(float64(bl>>8) * k), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func multipartCall(t *testing.T, c *apitest.Client, fields map[string]string, file []byte) apitest.Reply {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("photo", "photo.jpg")
	_, _ = fw.Write(file)
	_ = w.Close()
	cc := c.With("Content-Type", w.FormDataContentType())
	return cc.Do(http.MethodPost, "/api/v1/photo.process", body.Bytes())
}

func download(t *testing.T, u string) []byte {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	return b
}
