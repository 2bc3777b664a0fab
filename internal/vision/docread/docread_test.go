package docread_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/docread"
)

var now = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func reader(t testing.TB) *docread.Reader {
	t.Helper()
	r := docread.New(docread.Options{ModelsDir: testenv.ModelsDir(t), Now: func() time.Time { return now }})
	t.Cleanup(r.Close)
	return r
}

var anna = testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
	Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415", Optional: "ZE184226B"}

func TestReadMRZ(t *testing.T) {
	r := reader(t)
	face := testenv.ReadPhoto(t, testenv.PhotoGraceHopper)
	card := anna
	card.Code, card.Number, card.Optional = "I<", "D23145890", ""
	cases := []struct {
		name string
		doc  testdocs.Doc
		want []string
	}{
		{"td3 straight", testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: face}, testdocs.TD3(anna)},
		{"td3 turned 4 deg", testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: face, RotateDeg: 4}, testdocs.TD3(anna)},
		{"td3 turned -9 deg blurred", testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: face, RotateDeg: -9, Blur: 1.2}, testdocs.TD3(anna)},
		{"td3 low jpeg quality", testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: face, RotateDeg: 2, Quality: 30}, testdocs.TD3(anna)},
		{"td1 card back", testdocs.Doc{MRZ: testdocs.TD1(card), BackOnly: true, RotateDeg: -3}, testdocs.TD1(card)},
		{"td1 card back turned 32 deg", testdocs.Doc{MRZ: testdocs.TD1(card), BackOnly: true, RotateDeg: 32}, testdocs.TD1(card)},
		{"td3 a quarter turn", testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: face, RotateDeg: 90}, testdocs.TD3(anna)},
		{"td3 upside down", testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: face, RotateDeg: 183}, testdocs.TD3(anna)},
		{"td3 photographed at an angle", testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: face, Conditions: testdocs.Conditions{YawDeg: 25, PitchDeg: -12}},
			testdocs.TD3(anna)},
		{"td3 three quarters and a bit", testdocs.Doc{MRZ: testdocs.TD3(anna), Portrait: face, RotateDeg: 276}, testdocs.TD3(anna)},
		{"td2", testdocs.Doc{MRZ: []string{"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"}, Portrait: face},
			[]string{"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := testdocs.Render(t, tc.doc)
			if dir := os.Getenv("VERIDOC_TEST_ARTIFACTS"); dir != "" {
				_ = os.WriteFile(dir+"/"+strings.ReplaceAll(tc.name, " ", "_")+".jpg", img, 0o644)
			}
			got, err := r.ReadMRZ(context.Background(), img)
			if err != nil {
				t.Fatalf("ReadMRZ: %v", err)
			}
			if strings.Join(got.Lines, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("read\n%s\nwant\n%s\n(raw OCR %q, skew %.1f)", strings.Join(got.Lines, "\n"), strings.Join(tc.want, "\n"), got.Raw, got.SkewDeg)
			}
			if !got.Valid() {
				t.Fatalf("failed checks %v", got.FailedChecks)
			}
			// The photo's turn is the skew left once the quarter turns that
			// brought it upright are undone (a flattened page has its own).
			turn := math.Mod(got.SkewDeg-float64(90*got.Quarter)-tc.doc.RotateDeg+720+180, 360) - 180
			if tc.doc.YawDeg != 0 && !got.Flattened {
				t.Error("a page photographed at an angle was read without flattening its outline")
			}
			if !got.Flattened && math.Abs(turn) > 1 {
				t.Errorf("quarter turns %d, skew %.1f: want a photo turned about %.1f", got.Quarter, got.SkewDeg, tc.doc.RotateDeg)
			}
		})
	}
}

func TestReadMRZNone(t *testing.T) {
	r := reader(t)
	if _, err := r.ReadMRZ(context.Background(), testenv.ReadPhoto(t, testenv.PhotoGraceHopper)); err == nil {
		t.Fatal("a portrait photo has no MRZ")
	}
}

// TestReadMRZLayouts: the French card of 1988–2021 is read as itself, and an
// MRZ of a layout nobody here knows is refused as such, never misread as TD2.
func TestReadMRZLayouts(t *testing.T) {
	r := reader(t)
	french := []string{"IDFRADUPONT<<<<<<<<<<<<<<<<<<<075013", "0504075123458MARIE<CLAIRE<<8003155F9"}
	got, err := r.ReadMRZ(context.Background(), testdocs.Render(t, testdocs.Doc{MRZ: french, BackOnly: true, RotateDeg: 2}))
	if err != nil || got.Format != "FRA-ID" || got.DocumentNumber != "050407512345" || got.GivenNames != "MARIE CLAIRE" || !got.Valid() {
		t.Fatalf("the French card: %v %+v", err, got)
	}
	// Two lines of 36 whose fields are none of TD2's: the number, the dates
	// and the composite all fail.
	other := []string{"IDXKXMUSTER<<ANNA<<<<<<<<<<<<<<<<<<<", "KXAB<TRAVEL<PERMIT<<<<<<<<<<<<<<<<<<"}
	if _, err := r.BestMRZ(context.Background(), testdocs.Render(t, testdocs.Doc{MRZ: other, BackOnly: true})); !errors.Is(err, docread.ErrUnsupported) {
		t.Fatalf("an unknown layout: %v", err)
	}
	if _, err := r.BestMRZ(context.Background(), testenv.ReadPhoto(t, testenv.PhotoGraceHopper)); !errors.Is(err, docread.ErrNoMRZ) {
		t.Fatalf("no MRZ at all: %v", err)
	}
}

// TestMRZReadRate reads random synthetic passports and cards under random
// rotation, blur and compression, and reports the exact-read rate and time.
func TestMRZReadRate(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	r := reader(t)
	face := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	rng := rand.New(rand.NewPCG(42, 1))
	n := 24
	if s := os.Getenv("VERIDOC_MRZ_SAMPLES"); s != "" {
		_, _ = fmt.Sscan(s, &n)
	}
	exact := 0
	var total time.Duration
	var misses []string
	for i := 0; i < n; i++ {
		p := randomPerson(rng)
		lines := testdocs.TD3(p)
		if i%3 == 2 {
			p.Code = "ID"
			p.Number = p.Number[:9]
			lines = testdocs.TD1(p)
		}
		fields := []string{"PASSPORT  " + p.Issuer, "SURNAME  " + p.Surname, "GIVEN NAMES  " + p.GivenNames, "NO  " + p.Number, "BIRTH  " + p.Birth}
		doc := testdocs.Doc{MRZ: lines, Portrait: face, Fields: fields, RotateDeg: rng.Float64()*16 - 8, Blur: rng.Float64() * 1.2,
			Quality: 40 + rng.IntN(50), Seed: uint64(i), BackOnly: len(lines) == 3}
		img := testdocs.Render(t, doc)
		t0 := time.Now()
		got, err := r.ReadMRZ(context.Background(), img)
		total += time.Since(t0)
		if err == nil && strings.Join(got.Lines, "\n") == strings.Join(lines, "\n") {
			exact++
			continue
		}
		misses = append(misses, fmt.Sprintf("#%d rot %.1f blur %.2f q %d", i, doc.RotateDeg, doc.Blur, doc.Quality))
	}
	t.Logf("MRZ exact reads: %d/%d (%.0f%%), %.0f ms per image; misses: %v", exact, n, 100*float64(exact)/float64(n),
		float64(total.Milliseconds())/float64(n), misses)
	if exact*10 < n*9 {
		t.Fatalf("exact-read rate %d/%d is below 90%%", exact, n)
	}
}

func randomPerson(rng *rand.Rand) testdocs.Person {
	letters := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('A' + rng.IntN(26))
		}
		return string(b)
	}
	alnum := func(n int) string {
		const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		b := make([]byte, n)
		for i := range b {
			b[i] = a[rng.IntN(len(a))]
		}
		return string(b)
	}
	date := func(y0, span int) string {
		return fmt.Sprintf("%02d%02d%02d", (y0+rng.IntN(span))%100, 1+rng.IntN(12), 1+rng.IntN(28))
	}
	countries := []string{"UTO", "D<<", "FRA", "USA", "GBR", "NLD", "CAN"}
	c := countries[rng.IntN(len(countries))]
	return testdocs.Person{Code: "P<", Issuer: c, Surname: letters(3 + rng.IntN(9)), GivenNames: letters(3+rng.IntN(6)) + " " + letters(2+rng.IntN(5)),
		Number: alnum(9), Nationality: c, Birth: date(50, 50), Sex: []string{"M", "F"}[rng.IntN(2)], Expiry: date(27, 10),
		Optional: alnum(rng.IntN(10))}
}

// TestCheckVIZ reads the printed fields above the MRZ and compares them:
// the same name and number match; a surname altered in print is a mismatch.
func TestCheckVIZ(t *testing.T) {
	r := reader(t)
	face := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	p := testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "HARTMANNSDORF", GivenNames: "ANNA", Number: "L898902C3",
		Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415"}
	cases := []struct {
		name, printed string
		mismatch      bool
	}{
		{"as the MRZ", "HARTMANNSDORF", false},
		{"altered in print", "HARTWANNSBORF", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fields := []string{"PASSPORT  UTO", "SURNAME  " + c.printed, "GIVEN NAMES  ANNA", "NO  L898902C3", "BIRTH  12 AUG 1974"}
			img := testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD3(p), Portrait: face, Fields: fields, RotateDeg: 2})
			m, err := r.ReadMRZ(context.Background(), img)
			if err != nil || !m.Valid() {
				t.Fatalf("ReadMRZ: %v %+v", err, m)
			}
			v, err := r.CheckVIZ(context.Background(), m)
			if err != nil || v == nil {
				t.Fatalf("CheckVIZ: %v", err)
			}
			status := map[string]string{}
			for _, f := range v.Fields {
				status[f.Name] = f.Status
			}
			if v.Mismatch() != c.mismatch || status["given_names"] != docread.VIZMatch || status["document_number"] != docread.VIZMatch ||
				status["birth_date"] != docread.VIZMatch {
				t.Fatalf("mismatch %v, want %v; fields %+v\nzone text %q", v.Mismatch(), c.mismatch, v.Fields, v.Text)
			}
			if m.Surname != "HARTMANNSDORF" {
				t.Fatalf("the MRZ's surname changed to %q", m.Surname)
			}
		})
	}
}

// TestCheckVIZCardBothSides: a TD1 card's zone is on its front; with the
// front shown above the back in one picture, the zone is found there, far
// above the back's MRZ (beyond what a page's zone would span, which is
// painted out on passports).
func TestCheckVIZCardBothSides(t *testing.T) {
	r := reader(t)
	p := testdocs.Person{Code: "ID", Issuer: "UTO", Surname: "HARTMANNSDORF", GivenNames: "ANNA", Number: "L898902C3",
		Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415"}
	fields := []string{"IDENTITY CARD  UTO", "SURNAME  HARTMANNSDORF", "GIVEN NAMES  ANNA", "NO  L898902C3", "BIRTH  12 AUG 1974"}
	front := decodeJPEG(t, testdocs.Render(t, testdocs.Doc{Portrait: testenv.ReadPhoto(t, testenv.PhotoGrace512), Fields: fields, Quality: 92}))
	back := decodeJPEG(t, testdocs.Render(t, testdocs.Doc{MRZ: testdocs.TD1(p), BackOnly: true, Quality: 92}))
	both := image.NewRGBA(image.Rect(0, 0, max(front.Bounds().Dx(), back.Bounds().Dx()), front.Bounds().Dy()+back.Bounds().Dy()))
	draw.Draw(both, both.Bounds(), image.NewUniform(back.At(0, 0)), image.Point{}, draw.Src) // the desk
	draw.Draw(both, front.Bounds(), front, image.Point{}, draw.Src)
	draw.Draw(both, back.Bounds().Add(image.Pt(0, front.Bounds().Dy())), back, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, both, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	m, err := r.ReadMRZ(context.Background(), buf.Bytes())
	if err != nil || !m.Valid() || m.Format != "TD1" {
		t.Fatalf("ReadMRZ: %v %+v", err, m)
	}
	v, err := r.CheckVIZ(context.Background(), m)
	if err != nil || v == nil {
		t.Fatalf("CheckVIZ: %v", err)
	}
	if v.Fields[0].Name != "surname" || v.Fields[0].Status != docread.VIZMatch {
		t.Fatalf("%+v\nzone text %q", v.Fields, v.Text)
	}
}

func decodeJPEG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
