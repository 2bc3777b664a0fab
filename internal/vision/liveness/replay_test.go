package liveness_test

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/livegen"
	"github.com/veridoc/veridoc/internal/vision/liveness"
)

// TestReplayed: a sequence's copies (resized, saved again) are found to
// be its pictures; a second take (the same motion a few pixels off, as a
// person never sits twice in one place), the copy played backwards and an
// unrelated sequence are not. The sequence is a portrait panned across a
// 640×480 frame, enough to move every cell.
func TestReplayed(t *testing.T) {
	files := portraits(t)
	pic, otherPic := picture(t, files[3]), picture(t, files[4])
	rng := rand.New(rand.NewPCG(1, 2))
	pan := func(p image.Image, off int) []liveness.Frame { return panned(p, off, 12, rng) }
	first := pan(pic, 0)
	copied, err := livegen.Edited(first, 0.72, 1, 0, 60)
	if err != nil {
		t.Fatal(err)
	}
	smaller, err := livegen.Edited(first, 0.5, 1, 0, 90)
	if err != nil {
		t.Fatal(err)
	}
	a := likenesses(t, first)
	backwards := slices.Clone(likenesses(t, copied))
	slices.Reverse(backwards)
	cases := []struct {
		name   string
		frames []liveness.Likeness
		twins  int
		replay bool
	}{
		{"the same frames", a, 12, true},
		{"copied at 72 %, quality 60", likenesses(t, copied), 12, true},
		{"copied at half size", likenesses(t, smaller), 12, true},
		{"half of them copied", likenesses(t, copied)[:6], 6, true},
		{"a second take, 3 pixels off", likenesses(t, pan(pic, 3)), 0, false},
		{"the copy backwards", backwards, 1, false},
		{"another picture", likenesses(t, pan(otherPic, 0)), 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := liveness.Replayed(tc.frames, a)
			if r.Twins != tc.twins || r.Is() != tc.replay {
				t.Errorf("%s: replay %v, want %d twins", r, r.Is(), tc.twins)
			}
		})
	}
	if l, err := liveness.LikenessOf(context.Background(), []byte("not a jpeg")); l != nil || err != nil {
		t.Errorf("not a JPEG: %v %v", l, err)
	}
}

// panned is n frames of 640×480 with p moving across them, off pixels
// from where it starts by default.
func panned(p image.Image, off, n int, rng *rand.Rand) []liveness.Frame {
	var imgs []*image.RGBA
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 640, 480))
		draw.Draw(img, img.Bounds(), image.NewUniform(image.White), image.Point{}, draw.Src)
		at := image.Pt(100+i*9+off, 40+i*3+off)
		draw.Draw(img, image.Rectangle{Min: at, Max: at.Add(p.Bounds().Size())}, p, p.Bounds().Min, draw.Src)
		imgs = append(imgs, img)
	}
	return livegen.Sequence(imgs, rng)
}

// BenchmarkReplayed is what the worker adds to a check per earlier session
// it compares: the likenesses of its 15 frames of 640×480 (the new
// sequence's are measured once, in Check) and the comparison.
func BenchmarkReplayed(b *testing.B) {
	frames := panned(picture(b, portraits(b)[3]), 0, 15, rand.New(rand.NewPCG(1, 2)))
	current := likenesses(b, frames)
	for b.Loop() {
		if !liveness.Replayed(current, likenesses(b, frames)).Is() {
			b.Fatal("the same frames are not a replay")
		}
	}
}

// picture decodes a portrait.
func picture(t testing.TB, file string) image.Image {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return img
}
