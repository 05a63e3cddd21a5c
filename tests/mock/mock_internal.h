/* Shared between the mock server's files: a small growable buffer and the
 * default format responder. Test code only. */
#ifndef LT_MOCK_INTERNAL_H
#define LT_MOCK_INTERNAL_H

#include <stddef.h>

#include "mock_server.h"

typedef struct lt_sb {
    char *data;     /* NUL-terminated when non-NULL */
    size_t len, cap;
    int failed;
} lt_sb;

void lt_sb_reserve(lt_sb *b, size_t extra);
void lt_sb_add(lt_sb *b, const void *p, size_t n);
void lt_sb_puts(lt_sb *b, const char *s);
void lt_sb_printf(lt_sb *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends s as a JSON string literal (quotes included). */
void lt_sb_json_str(lt_sb *b, const char *s, size_t n);
void lt_sb_free(lt_sb *b);

/* Fills resp (status, content type: static strings), extra header lines
 * and body for a request the queue did not script. `serial` numbers the
 * request (used in ids). The caller points resp->headers/body at the
 * buffers. */
void lt_mock__format_respond(const lt_mock_request *req, unsigned long serial,
                             lt_mock_response *resp, lt_sb *headers, lt_sb *body);

#endif
