/* The clean and search profiles of transforms/normalize.py in one pass per text, for batches.
 *
 * Lucene's ArabicNormalizer done the same way: per-code-point tables (built in Python from
 * transforms/normalize.py's own tables and `unicodedata`, so the two cannot drift) and one loop.
 * The loop writes the result as UTF-8 straight into an Arrow-style buffer plus int32 offsets,
 * which is what the lake and the warehouse take.
 *
 * It is exact by construction, not by approximation: every text whose result could depend on
 * something the tables do not capture (a character flagged in the tables: lone surrogates,
 * canonical-composition partners, multi-character lowercase, Final_Sigma, code points outside
 * the BMP; or marks out of canonical order next to a character that decomposes) is handed,
 * whole, to the Python function given as `fallback`, whose result is used as is. Marks out of
 * canonical order elsewhere are sorted here, which is what NFC does to them.
 * tests/test_fastnorm.py checks the equality on the corpora and on generated strings.
 *
 * clean_batch(texts, kind, ccc, dec, compat, fallback) -> (list[str], bytes data, bytes offsets)
 * search_batch(texts, smap, fallback) -> (bytes data, bytes offsets)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* clean: kinds of BMP code points (an astral one is always FLAG: handed to the fallback) */
enum { K_KEEP = 0, K_DELETE = 1, K_SPACE = 2, K_NEWLINE = 3, K_CR = 4, K_COMPAT = 5,
       K_FLAG = 6, K_SIGN = 7 };
/* search map values that are not code points */
#define S_DELETE 0xFFFFFFFFu
#define S_FLAG 0xFFFFFFFEu

#define ALWAYS_INLINE static inline __attribute__((always_inline))

typedef struct {
    char *p;
    Py_ssize_t n, cap;
} buf_t;

static int buf_grow(buf_t *b, Py_ssize_t need) {
    if (b->n + need <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->n + need) cap *= 2;
    char *p = PyMem_Realloc(b->p, cap);
    if (!p) { PyErr_NoMemory(); return -1; }
    b->p = p;
    b->cap = cap;
    return 0;
}

ALWAYS_INLINE void put_utf8(buf_t *b, Py_UCS4 c) { /* room reserved by the caller */
    char *o = b->p + b->n;
    if (c < 0x80) { o[0] = (char)c; b->n += 1; }
    else if (c < 0x800) { o[0] = (char)(0xC0 | (c >> 6)); o[1] = (char)(0x80 | (c & 0x3F)); b->n += 2; }
    else if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12)); o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F)); b->n += 3;
    } else {
        o[0] = (char)(0xF0 | (c >> 18)); o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((c >> 6) & 0x3F)); o[3] = (char)(0x80 | (c & 0x3F)); b->n += 4;
    }
}

/* The space rule of clean's step 5, as a writer: runs of spaces and line breaks between two
 * other characters become one space, or min(line breaks, 2) line breaks when the run holds any;
 * runs at either end vanish. `changed` is set when that differs from the run as it came. */
typedef struct {
    int started, pend_sp, pend_nl, run_len, changed;
} ws_t;

typedef struct {
    buf_t utf8;
    /* the row as code points (clean only: it becomes a str when it changed); UCS-2 because a
     * text with a code point outside the BMP takes the fallback */
    Py_UCS2 *ucs;
    Py_ssize_t nucs, capucs;
    ws_t ws;
} out_t;

ALWAYS_INLINE void out_char(out_t *o, Py_UCS4 c, int want_ucs) {
    ws_t *w = &o->ws;
    if (c == ' ' || c == '\n') {
        w->run_len++;
        if (c == ' ') w->pend_sp = 1; else w->pend_nl++;
        return;
    }
    if (w->run_len) {
        Py_ssize_t emitted = 0;
        if (w->started) {
            if (w->pend_nl) {
                emitted = w->pend_nl >= 2 ? 2 : 1;
                for (Py_ssize_t i = 0; i < emitted; i++) {
                    o->utf8.p[o->utf8.n++] = '\n';
                    if (want_ucs) o->ucs[o->nucs++] = '\n';
                }
            } else {
                emitted = 1;
                o->utf8.p[o->utf8.n++] = ' ';
                if (want_ucs) o->ucs[o->nucs++] = ' ';
            }
        }
        if (emitted != w->run_len) w->changed = 1;
        w->run_len = w->pend_sp = w->pend_nl = 0;
    }
    w->started = 1;
    put_utf8(&o->utf8, c);
    if (want_ucs) o->ucs[o->nucs++] = (Py_UCS2)c;
}

/* Ends a row (a trailing run is stripped); returns whether the space rule changed it. */
static inline int out_end(out_t *o) {
    int changed = o->ws.changed || o->ws.run_len;
    memset(&o->ws, 0, sizeof o->ws);
    return changed;
}

/* Room for `n` more code points (each up to 4 UTF-8 bytes, plus a pending run of 2). */
static int out_reserve(out_t *o, Py_ssize_t n, int want_ucs) {
    if (buf_grow(&o->utf8, 4 * n + 8) < 0) return -1;
    if (want_ucs && o->nucs + n + 2 > o->capucs) {
        Py_ssize_t cap = o->capucs ? o->capucs : 4096;
        while (cap < o->nucs + n + 2) cap *= 2;
        Py_UCS2 *p = PyMem_Realloc(o->ucs, cap * sizeof(Py_UCS2));
        if (!p) { PyErr_NoMemory(); return -1; }
        o->ucs = p;
        o->capucs = cap;
    }
    return 0;
}

static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t min_bytes, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_SIMPLE) < 0) return -1;
    if (view->len < min_bytes) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "%s: table too short", what);
        return -1;
    }
    return 0;
}

/* The fallback's result for a row: appended to the UTF-8 output (and returned, new ref). */
static PyObject *fallback_row(out_t *o, PyObject *fallback, PyObject *text) {
    PyObject *r = PyObject_CallOneArg(fallback, text);
    if (!r) return NULL;
    if (!PyUnicode_Check(r)) {
        PyErr_SetString(PyExc_TypeError, "fallback must return str");
        Py_DECREF(r);
        return NULL;
    }
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(r, &n);
    if (!u || buf_grow(&o->utf8, n) < 0) { Py_DECREF(r); return NULL; }
    memcpy(o->utf8.p + o->utf8.n, u, n);
    o->utf8.n += n;
    return r;
}

/* Row r of the list as a ready str (borrowed), or NULL with an exception set. */
static PyObject *row_text(PyObject *texts, Py_ssize_t r) {
    PyObject *t = PyList_GET_ITEM(texts, r);
    if (!PyUnicode_Check(t)) {
        PyErr_Format(PyExc_TypeError, "row %zd is not a str", r);
        return NULL;
    }
    if (PyUnicode_READY(t) < 0) return NULL; /* (a legacy str made by the old C API) */
    return t;
}

static int check_offset(Py_ssize_t n) {
    if (n > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "batch over 2 GiB of UTF-8: use smaller batches");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------ clean */

/* One row through clean's steps into `o`. Returns 1 when done, 0 when the row needs the
 * fallback (o is then rewound by the caller), -1 on error. */
ALWAYS_INLINE int clean_row_k(out_t *o, const void *d, Py_ssize_t n, int k,
                              const uint8_t *kind, const uint8_t *ccc, const uint8_t *dec,
                              PyObject *compat) {
    int changed = 0;
    uint8_t prev_ccc = 0;
    /* the run of marks (nonzero combining class) being written, for canonical reordering */
    Py_ssize_t run_ucs = 0, run_utf8 = 0;
    int base_dec = 0, run_dec = 0; /* its starter, or one of its marks, has a decomposition */
    /* the sign rule: a run of deleted characters after a character that is not a space, a line
     * break or deleted, and before a sign, becomes a space */
    int prev_plain = 0;    /* the last step-3 character was neither space nor line break */
    int deleted_run = 0;   /* characters were deleted since that character */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(k, d, i);
        if (c >= 0x10000) return 0;
        uint8_t kc = kind[c];
        PyObject *exp = NULL;
        Py_ssize_t m = 1, j = 0;
        const void *ed = NULL;
        int ek = 0;
        if (kc == K_COMPAT) {
            PyObject *key = PyLong_FromLong((long)c);
            if (!key) return -1;
            exp = PyDict_GetItemWithError(compat, key); /* borrowed */
            Py_DECREF(key);
            if (!exp) {
                if (!PyErr_Occurred()) PyErr_Format(PyExc_KeyError, "no compat entry for %x", c);
                return -1;
            }
            m = PyUnicode_GET_LENGTH(exp);
            ek = PyUnicode_KIND(exp);
            ed = PyUnicode_DATA(exp);
            changed = 1;
            if (out_reserve(o, n - i + m, 1) < 0) return -1;
        }
        for (j = 0; j < m; j++) {
            Py_UCS4 e = exp ? PyUnicode_READ(ek, ed, j) : c;
            if (e >= 0x10000) return 0;
            uint8_t ke = exp ? kind[e] : kc;
            switch (ke) {
            case K_DELETE:
                changed = 1;
                deleted_run = 1;
                continue;
            case K_FLAG:
            case K_COMPAT: /* (an expansion is NFKC, so never compat again) */
                return 0;
            case K_CR:
                changed = 1;
                if (i + 1 < n && PyUnicode_READ(k, d, i + 1) == '\n') i++;
                e = '\n';
                ke = K_NEWLINE;
                break;
            case K_SPACE:
                if (e != ' ') { changed = 1; e = ' '; }
                break;
            case K_SIGN:
                if (deleted_run && prev_plain) out_char(o, ' ', 1);
                break;
            default:
                break;
            }
            prev_plain = !(ke == K_SPACE || ke == K_NEWLINE);
            deleted_run = 0;
            /* NFC (step 4). Flagged characters (not NFC alone, or composition partners) never
             * get here, so nothing composes: the text is NFC unless marks are out of canonical
             * order, and then NFC is a stable sort of each run of marks by combining class, as
             * long as neither the run nor its starter decomposes (else: the fallback). */
            uint8_t cc = ccc[e];
            if (!cc) {
                base_dec = dec[e];
                prev_ccc = 0;
                out_char(o, e, 1);
                continue;
            }
            if (!prev_ccc) run_dec = 0;
            run_dec |= dec[e];
            if (prev_ccc > cc) {
                if (base_dec || run_dec) return 0;
                Py_ssize_t p = o->nucs;
                out_char(o, e, 1);
                for (; p > run_ucs && ccc[o->ucs[p - 1]] > cc; p--) o->ucs[p] = o->ucs[p - 1];
                o->ucs[p] = (Py_UCS2)e;
                o->utf8.n = run_utf8;
                for (Py_ssize_t q = run_ucs; q < o->nucs; q++) put_utf8(&o->utf8, o->ucs[q]);
                changed = 1;
                continue; /* prev_ccc stays the run's largest class */
            }
            out_char(o, e, 1);
            if (!prev_ccc) { /* a new run starts with this mark */
                run_ucs = o->nucs - 1;
                run_utf8 = o->utf8.n - (e < 0x80 ? 1 : e < 0x800 ? 2 : 3);
            }
            prev_ccc = cc;
        }
    }
    return out_end(o) || changed ? 2 : 1;
}

/* The same loop compiled once per str kind (1, 2 or 4 bytes a code point). */
static int clean_row(out_t *o, PyObject *text, const uint8_t *kind, const uint8_t *ccc,
                     const uint8_t *dec, PyObject *compat) {
    const void *d = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (out_reserve(o, n, 1) < 0) return -1;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND: return clean_row_k(o, d, n, PyUnicode_1BYTE_KIND, kind, ccc, dec,
                                                   compat);
    case PyUnicode_2BYTE_KIND: return clean_row_k(o, d, n, PyUnicode_2BYTE_KIND, kind, ccc, dec,
                                                   compat);
    default: return clean_row_k(o, d, n, PyUnicode_4BYTE_KIND, kind, ccc, dec,
                                                   compat);
    }
}

/* What a row function is given besides the output and the text: its tables. */
typedef struct {
    const uint8_t *kind, *ccc, *dec;
    PyObject *compat;
    const uint32_t *smap;
} tables_t;

typedef int (*row_fn)(out_t *o, PyObject *text, const tables_t *tb);

/* The loop of both batch functions. `row` returns 1 (the text unchanged), 2 (changed: the
 * new text is in o->ucs), 0 (take the fallback's result) or -1 (error). Returns (data,
 * offsets), or with `strs` (list[str], data, offsets). */
static PyObject *run_batch(PyObject *texts, row_fn row, const tables_t *tb, PyObject *fallback,
                           int strs) {
    Py_ssize_t rows = PyList_GET_SIZE(texts);
    out_t o = {0};
    PyObject *result = NULL, *data = NULL, *out = NULL;
    PyObject *offsets = PyBytes_FromStringAndSize(NULL, (rows + 1) * 4);
    if (!offsets || (strs && !(out = PyList_New(rows)))) goto done;
    int32_t *offs = (int32_t *)PyBytes_AS_STRING(offsets);
    offs[0] = 0;
    for (Py_ssize_t r = 0; r < rows; r++) {
        PyObject *t = row_text(texts, r);
        if (!t) goto done;
        Py_ssize_t mark = o.utf8.n;
        o.nucs = 0;
        int st = row(&o, t, tb);
        if (st < 0) goto done;
        PyObject *s = NULL;
        if (st == 0) {
            o.utf8.n = mark;
            memset(&o.ws, 0, sizeof o.ws);
            if (!(s = fallback_row(&o, fallback, t))) goto done;
        } else if (strs && st == 1) {
            Py_INCREF(t);
            s = t;
        } else if (strs) {
            s = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, o.ucs, o.nucs);
            if (!s) goto done;
        }
        if (strs) PyList_SET_ITEM(out, r, s);
        else Py_XDECREF(s);
        if (check_offset(o.utf8.n) < 0) goto done;
        offs[r + 1] = (int32_t)o.utf8.n;
    }
    data = PyBytes_FromStringAndSize(o.utf8.p ? o.utf8.p : "", o.utf8.n);
    if (data) result = strs ? PyTuple_Pack(3, out, data, offsets) : PyTuple_Pack(2, data, offsets);
done:
    Py_XDECREF(out);
    Py_XDECREF(offsets);
    Py_XDECREF(data);
    PyMem_Free(o.utf8.p);
    PyMem_Free(o.ucs);
    return result;
}

static int clean_row_tb(out_t *o, PyObject *text, const tables_t *tb) {
    return clean_row(o, text, tb->kind, tb->ccc, tb->dec, tb->compat);
}

static PyObject *clean_batch(PyObject *self, PyObject *args) {
    PyObject *texts, *kind_obj, *ccc_obj, *dec_obj, *compat, *fallback;
    if (!PyArg_ParseTuple(args, "O!OOOO!O:clean_batch", &PyList_Type, &texts, &kind_obj, &ccc_obj,
                          &dec_obj, &PyDict_Type, &compat, &fallback))
        return NULL;
    Py_buffer kv, cv, dv;
    if (get_buffer(kind_obj, &kv, 0x10000, "kind") < 0) return NULL;
    if (get_buffer(ccc_obj, &cv, 0x10000, "ccc") < 0) { PyBuffer_Release(&kv); return NULL; }
    if (get_buffer(dec_obj, &dv, 0x10000, "dec") < 0) {
        PyBuffer_Release(&kv);
        PyBuffer_Release(&cv);
        return NULL;
    }
    tables_t tb = {kv.buf, cv.buf, dv.buf, compat, NULL};
    PyObject *result = run_batch(texts, clean_row_tb, &tb, fallback, 1);
    PyBuffer_Release(&kv);
    PyBuffer_Release(&cv);
    PyBuffer_Release(&dv);
    return result;
}

/* ----------------------------------------------------------------------------------- search */

ALWAYS_INLINE int search_row_k(out_t *o, const void *d, Py_ssize_t n, int k,
                               const uint32_t *smap) {
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(k, d, i);
        if (c >= 0x10000) return 0;
        uint32_t m = smap[c];
        if (m == S_DELETE) continue;
        if (m == S_FLAG) return 0;
        out_char(o, (Py_UCS4)m, 0);
    }
    (void)out_end(o);
    return 1;
}

static int search_row(out_t *o, PyObject *text, const uint32_t *smap) {
    const void *d = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (out_reserve(o, n, 0) < 0) return -1;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND: return search_row_k(o, d, n, PyUnicode_1BYTE_KIND, smap);
    case PyUnicode_2BYTE_KIND: return search_row_k(o, d, n, PyUnicode_2BYTE_KIND, smap);
    default: return search_row_k(o, d, n, PyUnicode_4BYTE_KIND, smap);
    }
}

static int search_row_tb(out_t *o, PyObject *text, const tables_t *tb) {
    return search_row(o, text, tb->smap);
}

static PyObject *search_batch(PyObject *self, PyObject *args) {
    PyObject *texts, *smap_obj, *fallback;
    if (!PyArg_ParseTuple(args, "O!OO:search_batch", &PyList_Type, &texts, &smap_obj, &fallback))
        return NULL;
    Py_buffer sv;
    if (get_buffer(smap_obj, &sv, 0x10000 * 4, "smap") < 0) return NULL;
    tables_t tb = {NULL, NULL, NULL, NULL, sv.buf};
    PyObject *result = run_batch(texts, search_row_tb, &tb, fallback, 0);
    PyBuffer_Release(&sv);
    return result;
}

static PyMethodDef methods[] = {
    {"clean_batch", clean_batch, METH_VARARGS,
     "clean_batch(texts, kind, ccc, dec, compat, fallback) -> (list[str], utf8, int32 offsets)"},
    {"search_batch", search_batch, METH_VARARGS,
     "search_batch(texts, smap, fallback) -> (utf8 bytes, int32 offsets)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_fastnorm",
    .m_doc = "One-pass clean and search over batches of texts (see transforms/fast.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__fastnorm(void) { return PyModule_Create(&module); }
