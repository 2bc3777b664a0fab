package idphoto_test

import (
	"context"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/veridoc/veridoc/internal/testsupport/rss"
	"github.com/veridoc/veridoc/internal/vision/idphoto"
)

// benchPhoto is a JPEG of about mp megapixels: the official portrait in
// testdata/portraits/biden-tight.jpg (1200 px square, a painting behind),
// scaled. It is in the repository, so the benchmark needs no test package.
func benchPhoto(b *testing.B, mp float64) []byte {
	side := math.Sqrt(mp * 1e6)
	return transformed(b, portrait(b, "biden-tight.jpg"), func(img *vips.ImageRef) error {
		return img.Resize(side/float64(img.Width()), vips.KernelLanczos3)
	})
}

// benchProcess times the pipeline with the background replaced and kept,
// so the cost of segmentation is read off one run.
func benchProcess(b *testing.B, mp float64) {
	src := benchPhoto(b, mp)
	for _, mode := range []string{idphoto.BackgroundReplace, idphoto.BackgroundKeep} {
		b.Run(mode, func(b *testing.B) { benchMode(b, src, idphoto.Options{Background: mode}) })
	}
}

func benchMode(b *testing.B, src []byte, opt idphoto.Options) {
	p := processor(b)
	rss.Reset(b)
	var total []time.Duration
	var st idphoto.Timings
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		res, err := p.Process(context.Background(), src, usPassport, opt)
		if err != nil {
			b.Fatal(err)
		}
		total = append(total, time.Since(t0))
		st.Decode += res.Timings.Decode
		st.Detect += res.Timings.Detect
		st.Landmarks += res.Timings.Landmarks
		st.Crop += res.Timings.Crop
		st.Segment += res.Timings.Segment
		st.Encode += res.Timings.Encode
		st.Sheet += res.Timings.Sheet
		st.Measure += res.Timings.Measure
		st.Quality += res.Timings.Quality
	}
	b.StopTimer()
	sort.Slice(total, func(i, j int) bool { return total[i] < total[j] })
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	n := time.Duration(b.N)
	b.ReportMetric(ms(total[len(total)/2]), "p50_ms")
	b.ReportMetric(ms(total[min(len(total)-1, len(total)*95/100)]), "p95_ms")
	b.ReportMetric(ms(st.Decode/n), "decode_ms")
	b.ReportMetric(ms(st.Detect/n), "detect_ms")
	b.ReportMetric(ms(st.Landmarks/n), "landmarks_ms")
	b.ReportMetric(ms(st.Crop/n), "crop_ms")
	b.ReportMetric(ms(st.Segment/n), "segment_ms")
	b.ReportMetric(ms(st.Encode/n), "encode_ms")
	b.ReportMetric(ms(st.Measure/n), "remeasure_ms")
	b.ReportMetric(ms(st.Quality/n), "quality_ms")
	b.ReportMetric(ms(st.Sheet/n), "sheets_ms")
	b.ReportMetric(rss.PeakMB(), "peak_rss_MB")
}

// BenchmarkProcess12MP and 1MP: run with -cpu 1 for one-core latency.
func BenchmarkProcess12MP(b *testing.B) { benchProcess(b, 12) }
func BenchmarkProcess1MP(b *testing.B)  { benchProcess(b, 1) }

// BenchmarkThroughput2Workers: two workers sharing the process, 12 MP photos,
// with the background replaced and kept.
func BenchmarkThroughput2Workers(b *testing.B) {
	src := benchPhoto(b, 12)
	for _, mode := range []string{idphoto.BackgroundReplace, idphoto.BackgroundKeep} {
		b.Run(mode, func(b *testing.B) { benchThroughput(b, src, idphoto.Options{Background: mode}) })
	}
}

func benchThroughput(b *testing.B, src []byte, opt idphoto.Options) {
	p := processor(b)
	jobs := make(chan struct{}, b.N)
	for i := 0; i < b.N; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	rss.Reset(b)
	b.ResetTimer()
	t0 := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if _, err := p.Process(context.Background(), src, usPassport, opt); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "photos/s")
	b.ReportMetric(rss.PeakMB(), "peak_rss_MB")
}
