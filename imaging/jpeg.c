// JPEG encoding straight from the pipeline's pixels. Through govips, the
// pixels would be copied twice (to a Go image with alpha, then into libvips)
// before libvips called this same library.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
#include "jpeg.h"

struct vd_err {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
};

static void vd_error_exit(j_common_ptr c) { longjmp(((struct vd_err*)c->err)->jump, 1); }

static void vd_no_message(j_common_ptr c) { (void)c; }

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
	jpeg_mem_dest(&c, out, outlen);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	c.optimize_coding = optimize ? TRUE : FALSE;
	c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = subsample ? 2 : 1;
	for (int i = 1; i < 3; i++) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
	c.write_JFIF_header = TRUE;
	c.density_unit = 1; // dots per inch
	c.X_density = c.Y_density = (UINT16)dpi;
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * (size_t)w * 3);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return 0;
}
