package engines_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"testing"

	"github.com/veridoc/veridoc/internal/testsupport/testdocs"
	"github.com/veridoc/veridoc/internal/testsupport/testenv"
	"github.com/veridoc/veridoc/internal/vision/engines"
)

// BenchmarkSessionStages times a session job's stages on one core (make
// bench runs it with -cpu 1): a 1500 px passport photo (MRZ, printed zone,
// portrait) and a selfie, each stage apart and the whole, beside the floor
// of decoding the passport JPEG in the same run.
func BenchmarkSessionStages(b *testing.B) {
	set := &engines.Set{ModelsDir: testenv.ModelsDir(b)}
	engine, err := set.Faces()
	if err != nil {
		b.Fatal(err)
	}
	reader := set.Reader()
	p := testdocs.Person{Code: "P<", Issuer: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Number: "L898902C3",
		Nationality: "UTO", Birth: "740812", Sex: "F", Expiry: "340415", Optional: "ZE184226B"}
	fields := []string{"PASSPORT  UTO", "SURNAME  ERIKSSON", "GIVEN NAMES  ANNA MARIA", "NO  L898902C3", "BIRTH  12 AUG 1974"}
	doc := testdocs.Render(b, testdocs.Doc{MRZ: testdocs.TD3(p), Portrait: testenv.ReadPhoto(b, testenv.PhotoGrace512), Fields: fields, RotateDeg: 3})
	selfie := testenv.ReadPhoto(b, testenv.PhotoGraceHopper)
	ctx := context.Background()
	// Warm the engines: models load on first use.
	read, err := reader.ReadMRZ(ctx, doc)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := engine.MainFace(ctx, doc); err != nil {
		b.Fatal(err)
	}
	stages := []struct {
		name string
		run  func() error
	}{
		{"floor_decode_jpeg", func() error { _, err := jpeg.Decode(bytes.NewReader(doc)); return err }},
		{"mrz", func() error { _, err := reader.ReadMRZ(ctx, doc); return err }},
		{"printed_zone", func() error { _, err := reader.CheckVIZ(ctx, read); return err }},
		{"document_face", func() error { _, err := engine.MainFace(ctx, doc); return err }},
		{"selfie_face", func() error { _, err := engine.MainFace(ctx, selfie, 1024); return err }},
		{"whole", func() error {
			m, err := reader.ReadMRZ(ctx, doc)
			if err != nil {
				return err
			}
			if _, err := reader.CheckVIZ(ctx, m); err != nil {
				return err
			}
			if _, err := engine.MainFace(ctx, doc); err != nil {
				return err
			}
			_, err = engine.MainFace(ctx, selfie, 1024)
			return err
		}},
	}
	for _, s := range stages {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				if err := s.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}
