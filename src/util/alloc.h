/*
 * alloc.h: growing an array, git's ALLOC_GROW with the failure returned.
 *
 *	if (ALLOC_GROW(list->v, list->n + 1, list->cap) < 0)
 *		return FA_ENOMEM;
 *	list->v[list->n++] = item;
 *
 * Running out of memory is an error like any other (src/README.md): it is
 * returned as FA_ENOMEM up to the command, which reports it; nothing below
 * the commands exits.  The capacity doubles (16 at first) and the byte count
 * is checked for size_t overflow before realloc.
 */
#ifndef FA_ALLOC_H
#define FA_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "error.h"

/*
 * Returns v grown to hold at least nr elements of size bytes and sets *alloc
 * to its new capacity.  Returns v itself, *alloc unchanged, when it already
 * holds nr or when it cannot grow (overflow, out of memory): ALLOC_GROW tells
 * the two apart by comparing nr with the capacity.
 */
static inline void *alloc_grow(void *v, size_t nr, size_t *alloc, size_t size)
{
	size_t want;
	void *grown;

	if (nr <= *alloc)
		return v;
	want = *alloc > SIZE_MAX / 2 ? SIZE_MAX : *alloc * 2;
	if (want < 16)
		want = 16;
	if (want < nr)
		want = nr;
	if (want > SIZE_MAX / size)
		return v;
	grown = realloc(v, want * size);
	if (!grown)
		return v;
	*alloc = want;
	return grown;
}

/*
 * Makes the array x (of *x's type, capacity alloc, a size_t lvalue) hold at
 * least nr elements: 0, or FA_ENOMEM with x and alloc unchanged.  The
 * assignment keeps x's own type (no void ** cast).  Its arguments are
 * evaluated more than once: pass plain names.
 */
#define ALLOC_GROW(x, nr, alloc) \
	((x) = alloc_grow((x), (nr), &(alloc), sizeof(*(x))), \
	 (size_t)(nr) <= (alloc) ? 0 : FA_ENOMEM)

#endif
