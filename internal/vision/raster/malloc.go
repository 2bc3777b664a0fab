package raster

// #include <malloc.h>
//
// static void vd_tune_malloc(void) {
// 	// A fixed threshold: glibc otherwise raises it after each large free, and
// 	// the decoded photos (megabytes each) then stay in the heap after use.
// 	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
// 	// Fewer per-thread arenas: libvips and OpenCV run on several threads.
// 	mallopt(M_ARENA_MAX, 2);
// }
import "C"

import "os"

// tuneMalloc keeps the C heap of a photo worker from holding on to freed
// image buffers (it cut the peak RSS in make bench by about a quarter).
func tuneMalloc() {
	if os.Getenv("VD_NOMALLOPT") == "" {
		C.vd_tune_malloc()
	}
}
