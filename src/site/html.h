/*
 * html.h: text made safe for the site's HTML pages and scripts.
 *
 * Everything that comes from the archive (titles, names, Flickr's HTML-ish
 * descriptions and comments) is untrusted: a title may hold "</script>" or
 * quotes, a comment an <iframe> or a javascript: link.  These functions are
 * the only way such text reaches a page:
 *
 *   html_escape()    text and double-quoted attribute values: & < > " '
 *   html_sanitize()  Flickr's markup: an allow-list of tags, href only
 *                    http(s)/mailto, every other byte escaped; balanced
 *   html_to_text()   the same markup as plain text (the search index)
 *   html_js_string() a JSON string literal that is also safe inside <script>
 *
 * They append to out and return 0 or FA_ENOMEM.  Input may be any bytes.
 */
#ifndef FA_HTML_H
#define FA_HTML_H

#include <stddef.h>

#include "buf.h"

/* Appends s with & < > " ' escaped (s may be NULL: nothing). */
int html_escape(struct buf *out, const char *s);
int html_escape_n(struct buf *out, const char *s, size_t len);

/*
 * Appends Flickr's markup as safe HTML: allowed tags (a, b, i, em, strong, u,
 * s, del, ins, q, blockquote, code, pre, ul, ol, li, p, br, sub, sup, small,
 * ...) are kept without attributes, except a's href (http, https, mailto;
 * "/path" and "//host/path" become Flickr https links) which gains
 * rel="nofollow noopener noreferrer"; bare http(s) URLs in the text become
 * such links too, as on Flickr.  An <img> becomes a link to its source
 * (the site loads nothing from the network).  Other tags, comments and the
 * content of <script> and <style> are dropped, stray "<" and "&" escaped,
 * newlines become <br>.  Every tag opened is closed.
 */
int html_sanitize(struct buf *out, const char *s, size_t len);

/* Appends the text of the same markup: tags dropped, entities decoded, runs of
 * white space (and <br>, <p>, <li>) as one space, trimmed. */
int html_to_text(struct buf *out, const char *s, size_t len);

/*
 * Appends s as a double-quoted JSON string in which <, >, &, U+2028 and
 * U+2029 are \u-escaped too, so "</script>" cannot end a script.  Invalid
 * UTF-8 bytes become U+FFFD.  s may be NULL: "".
 */
int html_js_string(struct buf *out, const char *s);

/*
 * The allowed form of a link target, or NULL: an absolute http, https or
 * mailto URL (scheme in any case, surrounding white space trimmed), with
 * "//host/..." and "/path" taken as https links (to flickr.com for a path).
 * Control characters inside refuse the URL.  Caller frees the result.
 */
char *html_allowed_url(const char *url, size_t len);

#endif
