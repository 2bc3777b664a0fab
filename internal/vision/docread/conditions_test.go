package docread_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/docread"
)

// condition is one kind of phone photo, with its strength drawn at random.
type condition struct {
	name string
	set  func(d *testdocs.Doc, rng *rand.Rand)
}

// signed is a magnitude in [lo, hi) with a random sign.
func signed(rng *rand.Rand, lo, hi float64) float64 {
	v := lo + rng.Float64()*(hi-lo)
	if rng.IntN(2) == 0 {
		return -v
	}
	return v
}

// conditions are MIDV-2020's: every photo is also turned, blurred and
// compressed a little, as in TestMRZReadRate.
var conditions = []condition{
	{"plain", func(d *testdocs.Doc, rng *rand.Rand) {}},
	{"perspective", func(d *testdocs.Doc, rng *rand.Rand) {
		d.YawDeg, d.PitchDeg = signed(rng, 10, 30), signed(rng, 0, 20)
	}},
	{"low light", func(d *testdocs.Doc, rng *rand.Rand) {
		d.Light, d.Noise = 0.2+rng.Float64()*0.2, 6+rng.Float64()*8
	}},
	{"glare", func(d *testdocs.Doc, rng *rand.Rand) { d.Glare = 1 + rng.IntN(2) }},
	{"small", func(d *testdocs.Doc, rng *rand.Rand) { d.Width = 480 + rng.IntN(121) }},
	{"window", func(d *testdocs.Doc, rng *rand.Rand) { d.Window = true }},
	{"hologram", func(d *testdocs.Doc, rng *rand.Rand) { d.Hologram = true }},
	{"in hand", func(d *testdocs.Doc, rng *rand.Rand) { d.Hand = true }},
	// Last, so the others keep their draws: MIDV-2020's dim shots are
	// often small ones too.
	{"small dim", func(d *testdocs.Doc, rng *rand.Rand) {
		d.Width = 480 + rng.IntN(121)
		d.Light, d.Noise = 0.2+rng.Float64()*0.2, 6+rng.Float64()*8
	}},
}

// conditionDoc is the evaluation's document i under condition c: a random
// TD3 passport, or a TD1 card back every third time, with its printed zone,
// and the MRZ lines it holds.
func conditionDoc(c condition, rng *rand.Rand, i int, face []byte) (testdocs.Doc, []string) {
	p := randomPerson(rng)
	lines := testdocs.TD3(p)
	if i%3 == 2 {
		p.Code, p.Number = "ID", p.Number[:9]
		lines = testdocs.TD1(p)
	}
	fields := []string{"PASSPORT  " + p.Issuer, "SURNAME  " + p.Surname, "GIVEN NAMES  " + p.GivenNames, "NO  " + p.Number, "BIRTH  " + p.Birth}
	d := testdocs.Doc{MRZ: lines, Portrait: face, Fields: fields, RotateDeg: signed(rng, 0, 8), Blur: rng.Float64() * 0.8,
		Quality: 60 + rng.IntN(30), Seed: uint64(i), BackOnly: len(lines) == 3}
	c.set(&d, rng)
	return d, lines
}

// TestReadMRZConditions reads documents of the evaluation that were once
// misread though every check digit held: a glare that split the names'
// line (read again with the contrast equalised), fillers the English model
// read as K (put back where the MRZ model saw fillers), and small photos
// whose names had a digit in them or letters lost to a soft enlargement.
func TestReadMRZConditions(t *testing.T) {
	r := reader(t)
	cases := map[string][]int{"glare": {18, 20, 26, 27, 50}, "small": {1, 7}}
	evalDocs(t, cases, func(t *testing.T, d testdocs.Doc, lines []string) {
		got, err := r.ReadMRZ(context.Background(), testdocs.Render(t, d))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Valid() || strings.Join(got.Lines, "\n") != strings.Join(lines, "\n") {
			t.Fatalf("read %q (failed %v), want %q", got.Lines, got.FailedChecks, lines)
		}
	})
}

// evalDocs runs fn, as a subtest, on the documents of the evaluation that
// cases lists (condition name → indices), drawn as TestEvalConditions draws
// them.
func evalDocs(t *testing.T, cases map[string][]int, fn func(t *testing.T, d testdocs.Doc, lines []string)) {
	face := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	for ci, c := range conditions {
		want := cases[c.name]
		if want == nil {
			continue
		}
		rng := rand.New(rand.NewPCG(uint64(ci), 28))
		for i := 0; i <= slices.Max(want); i++ {
			d, lines := conditionDoc(c, rng, i, face)
			if slices.Contains(want, i) {
				t.Run(fmt.Sprintf("%s %d", c.name, i), func(t *testing.T) { fn(t, d, lines) })
			}
		}
	}
}

// TestCheckVIZConditions reads the printed zone of documents of the
// evaluation whose surname it once did not find: dim photos on a dark table
// (the table set Tesseract's threshold against the print: now painted the
// paper's colour) and photos at an angle or in a hand (a gap inside the
// surname's line was taken for a column's edge: now read as one column).
func TestCheckVIZConditions(t *testing.T) {
	r := reader(t)
	cases := map[string][]int{"low light": {6, 7}, "perspective": {1}, "in hand": {9}}
	evalDocs(t, cases, func(t *testing.T, d testdocs.Doc, _ []string) {
		m, err := r.ReadMRZ(context.Background(), testdocs.Render(t, d))
		if err != nil || !m.Valid() {
			t.Fatalf("ReadMRZ: %v %+v", err, m)
		}
		v, err := r.CheckVIZ(context.Background(), m)
		if err != nil || v == nil {
			t.Fatalf("CheckVIZ: %v", err)
		}
		if v.Fields[0].Name != "surname" || v.Fields[0].Status != docread.VIZMatch || v.Mismatch() {
			t.Fatalf("%+v\nzone text %q", v.Fields, v.Text)
		}
	})
}

// TestEvalConditions reads synthetic documents under each condition and
// prints the exact-read rate per condition (make eval-docs). It measures:
// the target is 97 % each, and the numbers go in its note.
func TestEvalConditions(t *testing.T) {
	if os.Getenv("VERIDOC_EVAL") == "" {
		t.Skip("an evaluation: make eval-docs")
	}
	r := reader(t)
	face := testenv.ReadPhoto(t, testenv.PhotoGrace512)
	n := 30
	if s := os.Getenv("VERIDOC_EVAL_N"); s != "" {
		_, _ = fmt.Sscan(s, &n)
	}
	only := os.Getenv("VERIDOC_EVAL_CONDITION")
	artifacts := os.Getenv("VERIDOC_TEST_ARTIFACTS")
	for ci, c := range conditions {
		if only != "" && only != c.name {
			continue
		}
		rng := rand.New(rand.NewPCG(uint64(ci), 28))
		exact := 0
		var times, vizTimes []time.Duration
		var misses []string
		vizStatus := map[string]int{}
		falseMismatch := 0
		for i := 0; i < n; i++ {
			d, lines := conditionDoc(c, rng, i, face)
			img := testdocs.Render(t, d)
			t0 := time.Now()
			got, err := r.ReadMRZ(context.Background(), img)
			times = append(times, time.Since(t0))
			if err == nil {
				// As a session does: the printed zone may repair a name and
				// must not cry mismatch on a document printed as its MRZ.
				t1 := time.Now()
				v, verr := r.CheckVIZ(context.Background(), got)
				vizTimes = append(vizTimes, time.Since(t1))
				if verr == nil && v != nil {
					for _, f := range v.Fields {
						vizStatus[f.Name+" "+f.Status]++
					}
					if v.Mismatch() {
						falseMismatch++
						if os.Getenv("VERIDOC_EVAL_VERBOSE") != "" {
							t.Logf("%s #%d: MRZ_VIZ_MISMATCH on a page printed as its MRZ: %+v\nzone %q", c.name, i, v.Fields, v.Text)
						}
					}
				}
			}
			if err == nil && got.Valid() && strings.Join(got.Lines, "\n") == strings.Join(lines, "\n") {
				exact++
				continue
			}
			misses = append(misses, fmt.Sprintf("#%d", i))
			if os.Getenv("VERIDOC_EVAL_VERBOSE") != "" {
				t.Logf("%s #%d: want %q, read %v", c.name, i, lines, describe(got, err))
			}
			if artifacts != "" { // the misses, to look at
				_ = os.WriteFile(filepath.Join(artifacts, fmt.Sprintf("miss-%s-%d.jpg", strings.ReplaceAll(c.name, " ", "_"), i)), img, 0o644)
			}
		}
		slices.Sort(times)
		slices.Sort(vizTimes)
		vizP50 := time.Duration(0)
		if len(vizTimes) > 0 {
			vizP50 = vizTimes[len(vizTimes)/2]
		}
		t.Logf("%-12s exact %2d of %d (%5.1f %%)  p50 %4d ms  max %5d ms  misses %v; printed zone p50 %d ms, false MRZ_VIZ_MISMATCH %d, %v",
			c.name, exact, n, 100*float64(exact)/float64(n), times[len(times)/2].Milliseconds(), times[len(times)-1].Milliseconds(), misses,
			vizP50.Milliseconds(), falseMismatch, vizStatus)
	}
}

func describe(got *docread.MRZRead, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%q failed %v", got.Lines, got.FailedChecks)
}
