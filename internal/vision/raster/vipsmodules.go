package raster

// #cgo pkg-config: vips gmodule-2.0
// #define _GNU_SOURCE
// #include <dlfcn.h>
// #include <stdlib.h>
// #include <gmodule.h>
// #include <vips/vips.h>
//
// // The file libvips was loaded from: its modules sit beside it.
// static const char *vd_vips_library(void) {
// 	Dl_info info;
// 	if (dladdr((void *)vips_init, &info) && info.dli_fname) {
// 		return info.dli_fname;
// 	}
// 	return NULL;
// }
//
// static int vd_module_open(const char *path) {
// 	return g_module_open(path, G_MODULE_BIND_LAZY) != NULL;
// }
//
// static int vd_has_pdfload(void) {
// 	return vips_type_find("VipsOperation", "pdfload_buffer") != 0;
// }
//
// // The size of a PDF's first page in points (1/72 in), from its header:
// // libvips renders nothing until pixels are asked for.
// static int vd_pdf_page_size(void *pdf, size_t len, int *w, int *h) {
// 	VipsImage *page = NULL;
// 	if (vips_pdfload_buffer(pdf, len, &page, "dpi", 72.0, "page", 0, NULL)) {
// 		return -1;
// 	}
// 	*w = vips_image_get_width(page);
// 	*h = vips_image_get_height(page);
// 	g_object_unref(page);
// 	return 0;
// }
//
// // The first page of a PDF at dpi, on white, as PNG (g_free the output).
// static int vd_pdf_page_png(void *pdf, size_t len, double dpi, void **out, size_t *outlen) {
// 	VipsImage *page = NULL, *flat = NULL;
// 	if (vips_pdfload_buffer(pdf, len, &page, "dpi", dpi, "page", 0, NULL)) {
// 		return -1;
// 	}
// 	VipsImage *use = page;
// 	if (vips_image_hasalpha(page)) {
// 		double white[] = {255, 255, 255};
// 		VipsArrayDouble *bg = vips_array_double_new(white, 3);
// 		int r = vips_flatten(page, &flat, "background", bg, NULL);
// 		vips_area_unref(VIPS_AREA(bg));
// 		if (r) {
// 			g_object_unref(page);
// 			return -1;
// 		}
// 		use = flat;
// 	}
// 	int r = vips_pngsave_buffer(use, out, outlen, NULL);
// 	if (flat) {
// 		g_object_unref(flat);
// 	}
// 	g_object_unref(page);
// 	return r;
// }
import "C"

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"unsafe"
)

// withoutModules runs start (libvips' initialisation) so that it loads none
// of its optional modules. At start libvips loads every loader module it has
// (HEIF, PDF, SVG, ImageMagick, OpenSlide, JPEG XL) and the libraries they
// link, megabytes of every process's resident memory, while Veridoc reads
// only JPEG and PNG (built in) and PDF (EnablePDF loads that one module on
// first use). libvips finds its modules under VIPSHOME; pointed at a folder
// that does not exist, it finds none. A VIPSHOME set by the user is left
// alone, and with it the modules.
func withoutModules(start func()) {
	if _, set := os.LookupEnv("VIPSHOME"); set {
		start()
		return
	}
	_ = os.Setenv("VIPSHOME", "/nonexistent/veridoc-without-vips-modules")
	defer os.Unsetenv("VIPSHOME") // libvips read it; child processes need not
	start()
}

var pdf struct {
	once sync.Once
	err  error
}

// EnablePDF lets libvips read PDF files, loading its poppler module once.
func EnablePDF() error {
	Start()
	pdf.once.Do(func() {
		if C.vd_has_pdfload() != 0 {
			return
		}
		lib := C.vd_vips_library()
		if lib == nil {
			pdf.err = fmt.Errorf("PDF: the libvips library file cannot be found")
			return
		}
		path := filepath.Join(filepath.Dir(C.GoString(lib)),
			fmt.Sprintf("vips-modules-%d.%d", int(C.vips_version(0)), int(C.vips_version(1))), "vips-poppler.so")
		cpath := C.CString(path)
		defer C.free(unsafe.Pointer(cpath))
		if C.vd_module_open(cpath) == 0 || C.vd_has_pdfload() == 0 {
			pdf.err = fmt.Errorf("PDF: libvips' poppler module %s did not load", path)
		}
	})
	return pdf.err
}

// MinPDFDPI is the lowest resolution a PDF page is drawn at: a page so large
// that MaxUploadPixels would leave it fewer dots per inch is refused (a
// 744-byte PDF may declare a page of 100000 points, 77 gigapixels at 200 DPI).
const MinPDFDPI = 50

// MaxPDFSide bounds a drawn page's longer side in pixels, whatever its area.
const MaxPDFSide = 16384

// PDFPageDPI reads the size of a PDF's first page from its header, without
// drawing it, and says at what resolution, at most want, it is drawn so that
// it fits MaxUploadPixels and MaxPDFSide. A page too large for MinPDFDPI, or a file that is
// not a readable PDF, is refused.
func PDFPageDPI(doc []byte, want float64) (float64, error) {
	if err := EnablePDF(); err != nil {
		return 0, err
	}
	if len(doc) == 0 {
		return 0, ErrUnreadable.New("the PDF is empty")
	}
	in := C.CBytes(doc)
	defer C.free(in)
	var w, h C.int
	if C.vd_pdf_page_size(in, C.size_t(len(doc)), &w, &h) != 0 || w <= 0 || h <= 0 {
		C.vips_error_clear()
		return 0, ErrUnreadable.New("the PDF cannot be read")
	}
	points := float64(w) * float64(h)
	dpi := min(want, 72*math.Sqrt(MaxUploadPixels/points), 72*MaxPDFSide/float64(max(w, h)))
	if dpi < MinPDFDPI {
		return 0, ErrTooLarge.New("the PDF's page is %.0f×%.0f mm; at %d DPI it would be more than %d megapixels or %d pixels long",
			float64(w)*25.4/72, float64(h)*25.4/72, MinPDFDPI, MaxUploadPixels/1_000_000, MaxPDFSide)
	}
	return dpi, nil
}

// PDFPage draws the first page of a PDF on white at want DPI, or lower where
// that keeps it within MaxUploadPixels (PDFPageDPI), and returns it as PNG.
// It calls libvips directly: govips decides at start which formats it may
// load, before EnablePDF has loaded the module.
func PDFPage(doc []byte, want float64) ([]byte, error) {
	dpi, err := PDFPageDPI(doc, want)
	if err != nil {
		return nil, err
	}
	// libvips reads the buffer lazily: give it C memory that stays put.
	in := C.CBytes(doc)
	defer C.free(in)
	var out unsafe.Pointer
	var n C.size_t
	if C.vd_pdf_page_png(in, C.size_t(len(doc)), C.double(dpi), &out, &n) != 0 {
		msg := C.GoString(C.vips_error_buffer())
		C.vips_error_clear()
		return nil, fmt.Errorf("PDF: %s", msg)
	}
	defer C.g_free(C.gpointer(out))
	return C.GoBytes(out, C.int(n)), nil
}
