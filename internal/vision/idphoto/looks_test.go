package idphoto

import (
	"testing"

	"github.com/veridoc/veridoc/internal/vision/quality"
	"github.com/veridoc/veridoc/internal/vision/raster"
)

// TestQualityRules: each limit of looks.go against measures as package
// quality reads them, through a spec that takes a smile (the US) and one
// that asks for a neutral face without glasses.
func TestQualityRules(t *testing.T) {
	good := quality.Measures{EyesOpen: 0.1, MouthOpen: 0.02, Smile: 0, YawDeg: 2, PitchDeg: 1, IlluminationUniformity: 0.9,
		Brightness: 140, Sharpness: 0.9, EyesVisible: 0.2, Glasses: 0.04}
	smile := Spec{SmileAllowed: true}
	neutral := Spec{NoGlasses: true}
	with := func(fn func(*quality.Measures)) quality.Measures { m := good; fn(&m); return m }
	cases := []struct {
		name string
		m    quality.Measures
		spec Spec
		jq   int
		want string
	}{
		{"good, smile spec", good, smile, 92, ""},
		{"good, neutral spec", good, neutral, 92, ""},
		{"toothy smile where a smile is allowed", with(func(m *quality.Measures) { m.MouthOpen, m.Smile = 0.18, 0.09 }), smile, 92, ""},
		{"toothy smile where it is not", with(func(m *quality.Measures) { m.MouthOpen, m.Smile = 0.18, 0.09 }), neutral, 92, ExpressionNotNeutral},
		{"closed smile where it is not", with(func(m *quality.Measures) { m.Smile = 0.09 }), neutral, 92, ExpressionNotNeutral},
		{"speaking", with(func(m *quality.Measures) { m.MouthOpen, m.Smile = 0.3, 0 }), smile, 92, MouthOpen},
		{"lips apart, no smile", with(func(m *quality.Measures) { m.MouthOpen = 0.12 }), neutral, 92, MouthOpen},
		{"eyes closed", with(func(m *quality.Measures) { m.EyesOpen = 0.03 }), smile, 92, EyesClosed},
		{"eye covered", with(func(m *quality.Measures) { m.EyesVisible = 0.01 }), smile, 92, FaceOccluded},
		{"blue object over the chin", with(func(m *quality.Measures) { m.LowerFaceOcclusion, m.ForeignColour = 0.38, 0.37 }), smile, 92, FaceOccluded},
		{"dark object or beard over the chin", with(func(m *quality.Measures) { m.LowerFaceOcclusion = 0.38 }), smile, 92, ""},
		{"blue over the chin of a turned head", with(func(m *quality.Measures) { m.ForeignColour, m.YawDeg = 0.3, 20 }), smile, 92, ""},
		{"turned", with(func(m *quality.Measures) { m.YawDeg = 35 }), smile, 92, HeadNotFrontal},
		{"glasses where they are not allowed", with(func(m *quality.Measures) { m.Glasses = 0.2 }), neutral, 92, GlassesNotAllowed},
		{"glasses where they are", with(func(m *quality.Measures) { m.Glasses = 0.2 }), smile, 92, ""},
		{"dark", with(func(m *quality.Measures) { m.Brightness = 30 }), smile, 92, Underexposed},
		{"washed out", with(func(m *quality.Measures) { m.OverExposure = 0.5 }), smile, 92, Overexposed},
		{"side light", with(func(m *quality.Measures) { m.IlluminationUniformity = 0.4 }), smile, 92, UnevenLighting},
		{"blurred", with(func(m *quality.Measures) { m.Sharpness = 0.4 }), smile, 92, Blurry},
		{"blocky", good, smile, 10, CompressionArtifacts},
		// A dark photo is refused for its light alone: the face measures wait.
		{"dark and eyes closed", with(func(m *quality.Measures) { m.Brightness, m.EyesOpen = 30, 0.02 }), smile, 92, Underexposed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _ := checkQuality(c.m, c.spec, c.jq, 4)
			got := ""
			if f != nil {
				got = f.Code()
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestExposureFailure: a finished photo whose face was lost again is
// judged by the light where the face should be.
func TestExposureFailure(t *testing.T) {
	photo := func(centre, edge uint8) *raster.Image {
		img := &raster.Image{W: 60, H: 80, Pix: make([]byte, 3*60*80)}
		for y := 0; y < img.H; y++ {
			for x := 0; x < img.W; x++ {
				v := edge
				if x >= 15 && x < 45 && y >= 16 && y < 60 {
					v = centre
				}
				copy(img.Pix[3*(y*img.W+x):], []byte{v, v, v})
			}
		}
		return img
	}
	for _, c := range []struct {
		name string
		img  *raster.Image
		want string
	}{
		{"washed out", photo(252, 200), Overexposed},
		{"dark", photo(12, 240), Underexposed},
		{"lit, the face lost for another reason", photo(140, 250), ""},
		{"white background, lit centre", photo(130, 255), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := exposureFailure(c.img)
			switch {
			case c.want == "" && f == nil:
			case c.want != "" && f != nil && f.Code() == c.want:
			default:
				t.Fatalf("got %+v, want %q", f, c.want)
			}
		})
	}
}
