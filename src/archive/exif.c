/* exif.c: EXIF read with libexif, and Flickr's getExif mapped to the same shape. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libexif/exif-data.h>

#include "exif.h"

#define MAX_ENTRIES 2000
#define MAX_PNG_EXIF (4 * 1024 * 1024)

struct collect {
	json_t *list;
	const char *tagspace;
	ExifIfd ifd;
	char make[128];
	char model[128];
};

static const char *ifd_name(ExifIfd ifd)
{
	switch (ifd) {
	case EXIF_IFD_0: return "IFD0";
	case EXIF_IFD_1: return "IFD1";
	case EXIF_IFD_EXIF: return "ExifIFD";
	case EXIF_IFD_GPS: return "GPS";
	case EXIF_IFD_INTEROPERABILITY: return "InteropIFD";
	default: return "EXIF";
	}
}

static void collect_entry(ExifEntry *entry, void *ud)
{
	struct collect *c = ud;
	const char *name = exif_tag_get_name_in_ifd(entry->tag, c->ifd);
	const char *title = exif_tag_get_title_in_ifd(entry->tag, c->ifd);
	char value[1024];
	json_t *item;

	/* maker notes are opaque vendor blobs; the original file keeps them */
	if (entry->tag == EXIF_TAG_MAKER_NOTE || json_array_size(c->list) >= MAX_ENTRIES)
		return;
	value[0] = '\0';
	exif_entry_get_value(entry, value, sizeof(value));
	item = json_object();
	if (!item)
		return;
	jset_str(item, "tagspace", c->tagspace);
	jset_str(item, "tag", name ? name : "Unknown");
	jset_str(item, "label", title ? title : (name ? name : "Unknown"));
	jset_str(item, "raw", value);
	json_array_append_new(c->list, item);
	if (c->ifd == EXIF_IFD_0 && entry->tag == EXIF_TAG_MAKE)
		snprintf(c->make, sizeof(c->make), "%s", value);
	if (c->ifd == EXIF_IFD_0 && entry->tag == EXIF_TAG_MODEL)
		snprintf(c->model, sizeof(c->model), "%s", value);
}

static void camera_name(char *out, size_t n, const char *make, const char *model)
{
	/* "Canon" + "Canon EOS 5D" reads as "Canon EOS 5D", like Flickr shows it */
	if (*make && *model && strncmp(model, make, strlen(make)) != 0)
		snprintf(out, n, "%s %s", make, model);
	else
		snprintf(out, n, "%s", *model ? model : make);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG keeps EXIF in an eXIf chunk (raw TIFF); libexif wants "Exif\0\0" first. */
static ExifData *exif_from_png(const char *path)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char head[8];
	ExifData *ed = NULL;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	if (fread(head, 1, 8, f) != 8 || memcmp(head, sig, 8))
		goto cleanup;
	while (fread(head, 1, 8, f) == 8) {
		uint32_t len = be32(head);
		unsigned char *data;

		if (!memcmp(head + 4, "IEND", 4))
			break;
		if (memcmp(head + 4, "eXIf", 4)) {
			if (fseek(f, (long)len + 4, SEEK_CUR) != 0)
				break;
			continue;
		}
		if (len == 0 || len > MAX_PNG_EXIF)
			break;
		data = malloc((size_t)len + 6);
		if (!data)
			break;
		memcpy(data, "Exif\0\0", 6);
		if (fread(data + 6, 1, len, f) == len)
			ed = exif_data_new_from_data(data, len + 6);
		free(data);
		break;
	}
cleanup:
	fclose(f);
	return ed;
}

static ExifData *load_exif(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strcasecmp(dot, ".png"))
		return exif_from_png(path);
	if (dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg")))
		return exif_data_new_from_file(path);
	/* GIF and video containers have no EXIF; their metadata stays in the file */
	return NULL;
}

int exif_from_file(const char *path, const char *file_name, json_t **ret, struct err *e)
{
	ExifData *ed = load_exif(path);
	struct collect c = { 0 };
	json_t *doc = NULL;
	char camera[260];

	if (!ed)
		return err_set(e, FA_ENOTFOUND, "'%s' has no EXIF data", path);
	c.list = json_array();
	doc = json_object();
	if (!c.list || !doc) {
		json_decref(c.list);
		json_decref(doc);
		exif_data_unref(ed);
		return err_set(e, FA_ENOMEM, "out of memory");
	}
	for (int i = 0; i < EXIF_IFD_COUNT; i++) {
		if (!ed->ifd[i])
			continue;
		c.ifd = (ExifIfd)i;
		c.tagspace = ifd_name(c.ifd);
		exif_content_foreach_entry(ed->ifd[i], collect_entry, &c);
	}
	exif_data_unref(ed);
	if (json_array_size(c.list) == 0) {
		json_decref(c.list);
		json_decref(doc);
		return err_set(e, FA_ENOTFOUND, "'%s' has no EXIF data", path);
	}
	camera_name(camera, sizeof(camera), c.make, c.model);
	jset_str(doc, "source", "original-file");
	jset_str(doc, "file", file_name);
	jset_str(doc, "camera", camera);
	jset_new(doc, "exif", c.list);
	*ret = doc;
	return 0;
}

json_t *exif_from_flickr(const json_t *resp)
{
	const json_t *photo = jobj(resp, "photo");
	const json_t *list = json_object_get(photo, "exif");
	json_t *doc = json_object();
	json_t *out = json_array();

	if (!doc || !out) {
		json_decref(doc);
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; i < jlist_size(list) && i < MAX_ENTRIES; i++) {
		const json_t *x = jlist_at(list, i);
		json_t *item = json_object();

		if (!item)
			break;
		jset_str(item, "tagspace", jtext(x, "tagspace"));
		jset_str(item, "tag", jtext(x, "tag"));
		jset_str(item, "label", jtext(x, "label"));
		jset_str(item, "raw", jtext(x, "raw"));
		if (jtext(x, "clean"))
			jset_str(item, "clean", jtext(x, "clean"));
		json_array_append_new(out, item);
	}
	jset_str(doc, "source", "flickr.photos.getExif");
	jset_str(doc, "camera", jtext(photo, "camera") ? jtext(photo, "camera") : "");
	jset_new(doc, "exif", out);
	return doc;
}
