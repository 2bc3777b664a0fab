// JPEG decoding and encoding straight between files and the pipeline's
// pixels with libjpeg(-turbo), the library libvips calls too. Through govips
// every image would be copied twice more (decoded into libvips' memory, then
// into Go; or into a Go image with alpha, then into libvips), megabytes each
// time for a 12 MP photo.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jpeglib.h>
#include "jpeg.h"

struct vd_err {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
};

static void vd_error_exit(j_common_ptr c) { longjmp(((struct vd_err*)c->err)->jump, 1); }

static void vd_no_message(j_common_ptr c) { (void)c; }

// A decode counts warnings (libjpeg's word for a truncated or corrupt file).
static void vd_count_warning(j_common_ptr c, int level) {
	if (level < 0) c->err->num_warnings++;
}

// vd_limits stops a decode that runs away: libjpeg calls the monitor once
// per row of blocks while it reads the file, so a progressive file with
// thousands of scans, each decoded over the whole image, is stopped at its
// first scan too many, and any decode at its time budget (a cgo call cannot
// be interrupted from Go: the job's time must be checked in here).
struct vd_limits {
	struct jpeg_progress_mgr pub;
	int max_scans;
	struct timespec deadline;
};

static void vd_monitor(j_common_ptr c) {
	struct vd_limits* l = (struct vd_limits*)c->progress;
	j_decompress_ptr d = (j_decompress_ptr)c;
	if (l->max_scans > 0 && d->input_scan_number > l->max_scans) longjmp(((struct vd_err*)c->err)->jump, 2);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > l->deadline.tv_sec || (now.tv_sec == l->deadline.tv_sec && now.tv_nsec >= l->deadline.tv_nsec))
		longjmp(((struct vd_err*)c->err)->jump, 2);
}

// vd_watch arms the progress monitor: at most max_scans scans, and done by
// budget_ms from now.
static void vd_watch(struct jpeg_decompress_struct* d, struct vd_limits* l, int max_scans, long budget_ms) {
	memset(l, 0, sizeof *l);
	l->pub.progress_monitor = vd_monitor;
	l->max_scans = max_scans;
	clock_gettime(CLOCK_MONOTONIC, &l->deadline);
	l->deadline.tv_sec += budget_ms / 1000;
	l->deadline.tv_nsec += (budget_ms % 1000) * 1000000L;
	if (l->deadline.tv_nsec >= 1000000000L) {
		l->deadline.tv_sec++;
		l->deadline.tv_nsec -= 1000000000L;
	}
	d->progress = &l->pub;
}

// vd_strict_errors makes errors jump to err's setjmp, silently, and counts
// warnings (a truncated or corrupt file) for the caller to refuse.
static void vd_strict_errors(struct jpeg_decompress_struct* d, struct vd_err* err) {
	d->err = jpeg_std_error(&err->pub);
	err->pub.error_exit = vd_error_exit;
	err->pub.output_message = vd_no_message;
	err->pub.emit_message = vd_count_warning;
}

static int vd_setup_decode(struct jpeg_decompress_struct* d, const unsigned char* buf, unsigned long len, int eighths, int channels) {
	jpeg_mem_src(d, buf, len);
	if (jpeg_read_header(d, TRUE) != JPEG_HEADER_OK) return -1;
	if (d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK) return 1;
	// Grey output takes the luma plane as it is: no chroma upsampling, no
	// colour conversion.
	d->out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
	// libjpeg-turbo scales by M/8 in the inverse DCT for any M in 1–16.
	d->scale_num = (unsigned int)eighths;
	d->scale_denom = 8;
	jpeg_calc_output_dimensions(d);
	return 0;
}

int vd_jpeg_size(const unsigned char* buf, unsigned long len, int eighths, int* w, int* h) {
	struct jpeg_decompress_struct d;
	struct vd_err err;
	d.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = vd_error_exit;
	err.pub.output_message = vd_no_message;
	if (setjmp(err.jump)) {
		jpeg_destroy_decompress(&d);
		return -1;
	}
	jpeg_create_decompress(&d);
	int rc = vd_setup_decode(&d, buf, len, eighths, 3);
	*w = (int)d.output_width;
	*h = (int)d.output_height;
	jpeg_destroy_decompress(&d);
	return rc;
}

int vd_jpeg_decode(const unsigned char* buf, unsigned long len, int eighths, int channels, unsigned char* out, int w, int h,
	int max_scans, long budget_ms) {
	struct jpeg_decompress_struct d;
	struct vd_err err;
	struct vd_limits limits;
	vd_strict_errors(&d, &err);
	int jumped = setjmp(err.jump);
	if (jumped) {
		jpeg_destroy_decompress(&d);
		return jumped == 2 ? -2 : -1;
	}
	jpeg_create_decompress(&d);
	vd_watch(&d, &limits, max_scans, budget_ms);
	if (vd_setup_decode(&d, buf, len, eighths, channels) != 0 || (int)d.output_width != w || (int)d.output_height != h) {
		jpeg_destroy_decompress(&d);
		return -1;
	}
	jpeg_start_decompress(&d);
	while (d.output_scanline < d.output_height) {
		JSAMPROW row = (JSAMPROW)(out + (size_t)d.output_scanline * (size_t)w * (size_t)channels);
		jpeg_read_scanlines(&d, &row, 1);
	}
	jpeg_finish_decompress(&d);
	long warnings = d.err->num_warnings;
	jpeg_destroy_decompress(&d);
	return warnings == 0 ? 0 : -1;
}

int vd_jpeg_luma_coefs(const unsigned char* buf, unsigned long len, long max_blocks, int max_scans, long budget_ms,
	int* bw, int* bh, unsigned short* quant, short** out) {
	struct jpeg_decompress_struct d;
	struct vd_err err;
	struct vd_limits limits;
	short* volatile coefs = NULL;
	*out = NULL;
	vd_strict_errors(&d, &err);
	int jumped = setjmp(err.jump);
	if (jumped) {
		free(coefs);
		jpeg_destroy_decompress(&d);
		return jumped == 2 ? -2 : -1;
	}
	jpeg_create_decompress(&d);
	vd_watch(&d, &limits, max_scans, budget_ms);
	jpeg_mem_src(&d, buf, len);
	if (jpeg_read_header(&d, TRUE) != JPEG_HEADER_OK || d.num_components < 1) {
		jpeg_destroy_decompress(&d);
		return -1;
	}
	jpeg_component_info* c = &d.comp_info[0];
	long blocks = (long)c->width_in_blocks * (long)c->height_in_blocks;
	if (blocks <= 0 || blocks > max_blocks) {
		jpeg_destroy_decompress(&d);
		return -1;
	}
	jvirt_barray_ptr* arrays = jpeg_read_coefficients(&d);
	if (c->quant_table == NULL) {
		jpeg_destroy_decompress(&d);
		return -1;
	}
	coefs = malloc((size_t)blocks * 16 * sizeof(short));
	if (coefs == NULL) {
		jpeg_destroy_decompress(&d);
		return -1;
	}
	for (int v = 0; v < 4; v++)
		for (int u = 0; u < 4; u++) quant[v * 4 + u] = c->quant_table->quantval[v * DCTSIZE + u];
	for (JDIMENSION row = 0; row < c->height_in_blocks; row++) {
		JBLOCKARRAY rows = (*d.mem->access_virt_barray)((j_common_ptr)&d, arrays[0], row, 1, FALSE);
		for (JDIMENSION col = 0; col < c->width_in_blocks; col++) {
			short* dst = coefs + ((size_t)row * c->width_in_blocks + col) * 16;
			for (int v = 0; v < 4; v++)
				for (int u = 0; u < 4; u++) dst[v * 4 + u] = rows[0][col][v * DCTSIZE + u];
		}
	}
	*bw = (int)c->width_in_blocks;
	*bh = (int)c->height_in_blocks;
	long warnings = d.err->num_warnings;
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	if (warnings != 0) {
		free(coefs);
		return -1;
	}
	*out = coefs;
	return 0;
}

static void vd_setup_encode(struct jpeg_compress_struct* c, unsigned char** out, unsigned long* outlen, int w, int h, int quality, int subsample, int optimize, int dpi) {
	jpeg_mem_dest(c, out, outlen);
	c->image_width = (JDIMENSION)w;
	c->image_height = (JDIMENSION)h;
	c->input_components = 3;
	c->in_color_space = JCS_RGB;
	jpeg_set_defaults(c);
	jpeg_set_quality(c, quality, TRUE);
	c->optimize_coding = optimize ? TRUE : FALSE;
	c->comp_info[0].h_samp_factor = c->comp_info[0].v_samp_factor = subsample ? 2 : 1;
	for (int i = 1; i < 3; i++) c->comp_info[i].h_samp_factor = c->comp_info[i].v_samp_factor = 1;
	c->write_JFIF_header = TRUE;
	c->density_unit = 1; // dots per inch
	c->X_density = c->Y_density = (UINT16)dpi;
}

int vd_jpeg_encode(const unsigned char* rgb, int w, int h, int quality, int subsample, int optimize, int dpi, unsigned char** out, unsigned long* outlen) {
	struct jpeg_compress_struct c;
	struct vd_err err;
	*out = NULL;
	*outlen = 0;
	c.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = vd_error_exit;
	err.pub.output_message = vd_no_message;
	if (setjmp(err.jump)) {
		jpeg_destroy_compress(&c);
		free(*out);
		*out = NULL;
		return -1;
	}
	jpeg_create_compress(&c);
	vd_setup_encode(&c, out, outlen, w, h, quality, subsample, optimize, dpi);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * (size_t)w * 3);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return 0;
}

int vd_jpeg_encode_sheet(const unsigned char* photo, int w, int h, int pw, int ph, int x0, int y0, int step_x, int step_y,
	int cols, int rows, int quality, int dpi, unsigned char** out, unsigned long* outlen) {
	struct jpeg_compress_struct c;
	struct vd_err err;
	unsigned char* line = NULL;
	*out = NULL;
	*outlen = 0;
	if (x0 < 1 || y0 < 1 || x0 + (cols - 1) * step_x + w >= pw || y0 + (rows - 1) * step_y + h >= ph) return -1;
	line = malloc((size_t)pw * 3);
	if (line == NULL) return -1;
	c.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = vd_error_exit;
	err.pub.output_message = vd_no_message;
	if (setjmp(err.jump)) {
		jpeg_destroy_compress(&c);
		free(*out);
		free(line);
		*out = NULL;
		return -1;
	}
	jpeg_create_compress(&c);
	// Chroma subsampled, as cameras and print labs do; plain Huffman tables
	// (a second pass over megapixels saves little).
	vd_setup_encode(&c, out, outlen, pw, ph, quality, 1, 0, dpi);
	jpeg_start_compress(&c, TRUE);
	const unsigned char grey = 160;
	for (int y = 0; y < ph; y++) {
		memset(line, 255, (size_t)pw * 3);
		for (int r = 0; r < rows; r++) {
			int top = y0 + r * step_y, j = y - top;
			if (j < -1 || j > h) continue;
			for (int k = 0; k < cols; k++) {
				int left = x0 + k * step_x;
				if (j == -1 || j == h) { // the cut line above and below
					memset(line + (size_t)(left - 1) * 3, grey, (size_t)(w + 2) * 3);
					continue;
				}
				memcpy(line + (size_t)left * 3, photo + (size_t)j * w * 3, (size_t)w * 3);
				memset(line + (size_t)(left - 1) * 3, grey, 3);
				memset(line + (size_t)(left + w) * 3, grey, 3);
			}
		}
		JSAMPROW row = line;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(line);
	return 0;
}
