package capture_test

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veridoc/veridoc/client"
	"github.com/veridoc/veridoc/internal/platform/config"
	"github.com/veridoc/veridoc/internal/testsupport/livegen"
	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/faces"
)

// TestCaptureLiveness films the liveness frames through the page in
// Chromium with a fake front camera playing a generated head that does the
// session's steps when the page asks for them: no file picker, the frames
// uploaded, the steps passed, the session approved. A refused camera gets
// words for the person.
func TestCaptureLiveness(t *testing.T) {
	root := browserSetup(t)
	models := testenv.ModelsDir(t)
	s := testenv.NewServer(t, testenv.SQLiteURL(t), testenv.WithConfig(func(c *config.Config) { c.ModelsDir = models }))
	ctx := t.Context()
	a, err := s.DB.CreateAccount(ctx, "capture-live", false)
	if err != nil {
		t.Fatal(err)
	}
	k, secret, err := s.DB.CreateAPIKey(ctx, a.ID, "capture-live")
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(s.URL, k.PublicKey, secret)
	// The passive nets call generated heads attacks (docs/sessions.md): listed, not acted on.
	if _, err := c.Account.Update(ctx, &client.AccountUpdateRequest{Policy: map[string]string{"PRESENTATION_ATTACK_SUSPECTED": "ignore"}}); err != nil {
		t.Fatal(err)
	}
	sess, err := c.Session.Create(ctx, &client.SessionCreateRequest{FaceVerification: true, Liveness: "active"})
	if err != nil || sess.Challenge == nil || len(sess.Challenge.Steps) != 3 {
		t.Fatalf("session.create: %+v, %v", sess, err)
	}
	grace := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	engine, err := faces.NewFaceEngine(models)
	if err != nil {
		t.Fatal(err)
	}
	head, err := livegen.FromPortrait(engine, grace)
	engine.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	front, video := filepath.Join(dir, "front.jpg"), filepath.Join(dir, "camera.y4m")
	_ = os.WriteFile(front, testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "HOPPER",
		GivenNames: "GRACE", Number: "L898902C3", Nationality: "UTO", Birth: "061209", Sex: "F", Expiry: "340415"}), Portrait: grace, RotateDeg: 2}), 0o600)
	const fps = 10
	at := livegen.Timeline(sess.Challenge.Steps)
	rng := rand.New(rand.NewPCG(1, 9))
	var frames []*image.RGBA
	for ms := 0; ms < 14000; ms += 1000 / fps {
		frames = append(frames, livegen.Noise(head.Render(at(ms)), 2.5, rng))
	}
	writeY4M(t, video, frames, fps)
	shots := shotsIn(t, filepath.Join(root, "test-output"), "capture-liveness")

	got := runBrowser(t, "", "BASE_URL="+s.URL, "TOKEN="+sess.Token, "FRONT="+front, "CAMERA="+video, "SHOTS="+shots)
	st, err := c.Session.Get(ctx, &client.SessionIDRequest{ID: sess.ID})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("page %+v; liveness %+v", got, st.Liveness)
	if got.LiveMessage != "Uploaded." || got.FilePicker || got.Outcome != "APPROVED" || st.Liveness == nil || len(st.Liveness.Problems) != 0 {
		t.Fatalf("page showed %+v; session %s, checks %v, liveness %+v", got, st.State, st.Checks, st.Liveness)
	}

	// A refused camera: the page says so and submit stays off.
	other, err := c.Session.Create(ctx, &client.SessionCreateRequest{Liveness: "passive"})
	if err != nil {
		t.Fatal(err)
	}
	deniedShots := shotsIn(t, shots, "denied")
	denied := runBrowser(t, "submit stays disabled", "BASE_URL="+s.URL, "TOKEN="+other.Token, "FRONT="+front, "CAMERA=deny", "SHOTS="+deniedShots)
	if !strings.Contains(denied.LiveMessage, "Camera access was denied") || denied.SubmitEnabled {
		t.Fatalf("a refused camera showed %+v", denied)
	}

	// A camera that shows no one: the frame check stops the filming at
	// once, with words for the person, and nothing is uploaded.
	empty := filepath.Join(dir, "empty.y4m")
	writeY4M(t, empty, emptyRoom(t, rng), fps)
	nobody, err := c.Session.Create(ctx, &client.SessionCreateRequest{Liveness: "passive"})
	if err != nil {
		t.Fatal(err)
	}
	emptyShots := shotsIn(t, shots, "no-face")
	noFace := runBrowser(t, "submit stays disabled", "BASE_URL="+s.URL, "TOKEN="+nobody.Token, "FRONT="+front, "CAMERA="+empty, "SHOTS="+emptyShots)
	if !strings.Contains(noFace.LiveMessage, "We cannot see your face") || noFace.SubmitEnabled {
		t.Fatalf("a camera showing no one: %+v", noFace)
	}
}

// shotsIn makes and returns the folder name under dir for a run's screenshots.
func shotsIn(t *testing.T, dir, name string) string {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// emptyRoom is two seconds of a camera showing no face: a photo of an ice
// block with the camera's noise.
func emptyRoom(t *testing.T, rng *rand.Rand) []*image.RGBA {
	img, err := jpeg.Decode(bytes.NewReader(testenv.ReadPhoto(t, testenv.PhotoNoFace)))
	if err != nil {
		t.Fatal(err)
	}
	var out []*image.RGBA
	for range 20 {
		f := image.NewRGBA(image.Rect(0, 0, livegen.W, livegen.H))
		draw.Draw(f, f.Bounds(), img, img.Bounds().Min, draw.Src)
		out = append(out, livegen.Noise(f, 2.5, rng))
	}
	return out
}

func writeY4M(t *testing.T, path string, frames []*image.RGBA, fps int) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := livegen.Y4M(f, frames, fps); err != nil {
		t.Fatal(err)
	}
}
