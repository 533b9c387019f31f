/* The per-match and per-mention loops of transforms/entities.py, compiled.
 *
 * Each function here is a line-for-line translation of a Python function that stays the
 * definition (transforms/entity_rules.py, transforms/entities.py) and the fallback when this
 * module is not built; tests/test_entmatch.py checks both paths give the same mentions. What
 * a word, a pattern or a kind means comes from the tables built in Python (``entity_tables``):
 * the sets of given names, ordinary words, particles and function words are the Python sets,
 * looked up as they are, so a change of the gazetteer data needs no change here.
 *
 * The folded buffer (``entity_fold``) holds word bytes, spaces, line breaks and NUL only.
 *
 * fold(text) -> (bytes, marks, marks)       entity_fold.fold_py
 * fold_auto(text) -> (bytes, auto bytes, marks, marks, NUL offsets)   fold + translate(AUTO)
 * prev_word(fb, start) -> bytes              entity_rules.prev_word
 * words_from(fb, start) -> (words, ends)     entity_rules.words_from
 * next_words(fb, pos, limit) -> [(s, e)]     entity_rules.next_words
 * sort_matches(fb, matches, ctx) -> (found, pending, titles, givens, keywords)
 * split(found, items, bounds, marks, ctx) -> per-text lists of mentions
 * split_columns(found, items, bounds, marks, ctx) -> split's columns as Arrow buffers
 * person_at(fb, start, alone, ctx) -> (s, e) | None   entity_people.person_at
 * title_people(fb, titles, found, ctx) -> [found]   entity_people.title_people
 * resolve_sorted(found) -> found            entity_rules.resolve_overlaps (after its sort)
 * lone_surnames(fb, people, bounds, ctx) -> [found]   entity_people.lone_surnames
 * given_people(fb, givens, ctx) -> [found]   entity_people.given_people
 * accept_pending(fb, pending, found, titles, his, ctx) -> [found]   entity_rules.accept_pending
 * keyword_names(fb, keywords, found, ctx)     entity_rules.keyword_names (found changed in place)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Pattern kinds (entity_tables.K_*; entities.py checks the two agree at import) */
enum { K_NAME = 0, K_SURNAME, K_AMBIG, K_NISBA, K_GIVEN, K_TITLE, K_KEYWORD, K_DUAL, K_SHARED };
#define STRONG (-2)
#define MAX_WORD 40
#define MAX_RUN 6

static inline int is_part(unsigned char c) { return c != ' ' && c != '\n' && c != 0; }

/* A tuple of ints, strings and bytes is in no reference cycle: taken out of the cyclic
 * collector's lists now (what the collector itself would do on its first pass over it), so a
 * batch's tens of thousands of them are not rescanned. */
static PyObject *untracked(PyObject *t) {
    if (t != NULL && PyObject_GC_IsTracked(t)) PyObject_GC_UnTrack(t);
    return t;
}

/* ------------------------------------------------------------------ word helpers */

static PyObject *prev_word_c(const unsigned char *fb, Py_ssize_t n, const unsigned char *word,
                             Py_ssize_t start) {
    (void)n;
    if (start < 2 || fb[start - 1] != ' ' || !word[fb[start - 2]])
        return PyBytes_FromStringAndSize(NULL, 0);
    Py_ssize_t lo = start - 1 - MAX_WORD;
    if (lo < 0) lo = 0;
    Py_ssize_t i = -1;
    for (Py_ssize_t j = start - 2; j >= lo; j--)
        if (fb[j] == ' ') {
            i = j;
            break;
        }
    if (i < 0 && lo > 0) return PyBytes_FromStringAndSize(NULL, 0);
    Py_ssize_t ws = i + 1, we = start - 1;
    for (Py_ssize_t j = we - 1; j >= ws; j--)
        if (fb[j] == '\n' || fb[j] == 0) {
            ws = j + 1;
            break;
        }
    return PyBytes_FromStringAndSize((const char *)fb + ws, we - ws);
}

static int get_buf(PyObject *o, const unsigned char **p, Py_ssize_t *n) {
    if (!PyBytes_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "expected bytes");
        return -1;
    }
    *p = (const unsigned char *)PyBytes_AS_STRING(o);
    *n = PyBytes_GET_SIZE(o);
    return 0;
}

static const unsigned char *WORD_TABLE; /* set by init(word, auto) */
static const unsigned char *AUTO_TABLE;
static PyObject *TABLE_REFS; /* keeps the two tables alive */

static PyObject *py_init(PyObject *self, PyObject *args) {
    PyObject *word, *aut;
    if (!PyArg_ParseTuple(args, "SS", &word, &aut)) return NULL;
    if (PyBytes_GET_SIZE(word) != 256 || PyBytes_GET_SIZE(aut) != 256) {
        PyErr_SetString(PyExc_ValueError, "tables of 256 bytes expected");
        return NULL;
    }
    Py_XDECREF(TABLE_REFS);
    TABLE_REFS = PyTuple_Pack(2, word, aut);
    if (TABLE_REFS == NULL) return NULL;
    WORD_TABLE = (const unsigned char *)PyBytes_AS_STRING(word);
    AUTO_TABLE = (const unsigned char *)PyBytes_AS_STRING(aut);
    Py_RETURN_NONE;
}

static int ready(void) {
    if (WORD_TABLE == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_entmatch.init() was not called");
        return 0;
    }
    return 1;
}

static PyObject *py_prev_word(PyObject *self, PyObject *args) {
    PyObject *fbo;
    Py_ssize_t start;
    const unsigned char *fb;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "On", &fbo, &start) || get_buf(fbo, &fb, &n) < 0 || !ready())
        return NULL;
    if (start > n || start < 0) {
        PyErr_SetString(PyExc_IndexError, "start out of range");
        return NULL;
    }
    return prev_word_c(fb, n, WORD_TABLE, start);
}

static Py_ssize_t word_end(const unsigned char *fb, Py_ssize_t n, Py_ssize_t pos) {
    while (pos < n && is_part(fb[pos])) pos++;
    return pos;
}

static PyObject *py_words_from(PyObject *self, PyObject *args) {
    PyObject *fbo;
    Py_ssize_t start, n;
    const unsigned char *fb;
    if (!PyArg_ParseTuple(args, "On", &fbo, &start) || get_buf(fbo, &fb, &n) < 0) return NULL;
    if (start < 0 || start >= n || !is_part(fb[start])) {
        PyErr_SetString(PyExc_AssertionError, "words_from: no word at start");
        return NULL;
    }
    PyObject *words = PyList_New(0), *ends = PyList_New(0);
    if (words == NULL || ends == NULL) goto fail;
    Py_ssize_t pos = start;
    for (int k = 0; k < MAX_RUN; k++) {
        Py_ssize_t a = pos;
        if (k > 0) {
            if (!(pos + 1 < n && fb[pos] == ' ' && is_part(fb[pos + 1]))) break;
            a = pos + 1;
        }
        Py_ssize_t b = word_end(fb, n, a);
        PyObject *w = PyBytes_FromStringAndSize((const char *)fb + a, b - a);
        PyObject *e = PyLong_FromSsize_t(b);
        int bad = w == NULL || e == NULL || PyList_Append(words, w) < 0 ||
                  PyList_Append(ends, e) < 0;
        Py_XDECREF(w);
        Py_XDECREF(e);
        if (bad) goto fail;
        pos = b;
    }
    return Py_BuildValue("(NN)", words, ends);
fail:
    Py_XDECREF(words);
    Py_XDECREF(ends);
    return NULL;
}

static PyObject *py_next_words(PyObject *self, PyObject *args) {
    PyObject *fbo;
    Py_ssize_t pos, limit, n;
    const unsigned char *fb;
    if (!PyArg_ParseTuple(args, "Onn", &fbo, &pos, &limit) || get_buf(fbo, &fb, &n) < 0)
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    while (pos >= 0 && pos + 1 < n && fb[pos] == ' ' && is_part(fb[pos + 1])) {
        Py_ssize_t b = word_end(fb, n, pos + 1);
        PyObject *span = untracked(Py_BuildValue("(nn)", pos + 1, b));
        if (span == NULL || PyList_Append(out, span) < 0) {
            Py_XDECREF(span);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(span);
        if (PyList_GET_SIZE(out) == limit) break;
        pos = b;
    }
    return out;
}

/* ------------------------------------------------------------------ fold */

/* entity_fold.fold in one pass (set by init_fold from entity_fold's tables): per BMP code
 * point its cp1256 byte after the encoder's error handler (a rare fold, or "?"), or 0x100 for
 * a character the handler deletes; per byte, its fold and whether the bytes step deletes it */
static const uint16_t *ENC_TABLE;
static const unsigned char *FOLD_TABLE, *DEL_TABLE;
static PyObject *FOLD_REFS;
#define ENC_DELETED 0x100
#define ENC_SIZE 0x10000

static PyObject *py_init_fold(PyObject *self, PyObject *args) {
    PyObject *enc, *fold, *del;
    if (!PyArg_ParseTuple(args, "SSS", &enc, &fold, &del)) return NULL;
    if (PyBytes_GET_SIZE(enc) != 2 * ENC_SIZE || PyBytes_GET_SIZE(fold) != 256 ||
        PyBytes_GET_SIZE(del) != 256) {
        PyErr_SetString(PyExc_ValueError, "init_fold: tables of 65536 uint16, 256 and 256 bytes");
        return NULL;
    }
    const uint16_t *e = (const uint16_t *)PyBytes_AS_STRING(enc);
    for (Py_ssize_t i = 0; i < ENC_SIZE; i++)
        if (e[i] > ENC_DELETED) {
            PyErr_SetString(PyExc_ValueError, "init_fold: a byte or 0x100 per code point");
            return NULL;
        }
    Py_XDECREF(FOLD_REFS);
    if ((FOLD_REFS = PyTuple_Pack(3, enc, fold, del)) == NULL) return NULL;
    ENC_TABLE = e;
    FOLD_TABLE = (const unsigned char *)PyBytes_AS_STRING(fold);
    DEL_TABLE = (const unsigned char *)PyBytes_AS_STRING(del);
    Py_RETURN_NONE;
}

static int append_n(PyObject *list, Py_ssize_t v) {
    PyObject *o = PyLong_FromSsize_t(v);
    int r = o == NULL ? -1 : PyList_Append(list, o);
    Py_XDECREF(o);
    return r;
}

#define FOLD_LOOP(T)                                                                       \
    for (Py_ssize_t i = 0; i < len; i++) {                                                 \
        Py_UCS4 c = ((const T *)data)[i];                                                  \
        unsigned v = c < ENC_SIZE ? ENC_TABLE[c] : '?';                                    \
        if (v == ENC_DELETED) {                                                            \
            if (append_n(sm, raw) < 0) goto fail;                                          \
            continue;                                                                      \
        }                                                                                  \
        raw++;                                                                             \
        if (DEL_TABLE[v]) {                                                                \
            if (append_n(bm, k) < 0) goto fail;                                            \
            continue;                                                                      \
        }                                                                                  \
        o[k] = FOLD_TABLE[v];                                                              \
        if (a != NULL) {                                                                   \
            a[k] = AUTO_TABLE[o[k]];                                                       \
            if (o[k] == 0 && append_n(nuls, k) < 0) goto fail;                             \
        }                                                                                  \
        k++;                                                                               \
    }

/* The fold of `text` into `out` (and, when `aut` is given, the automaton's bytes of it and the
 * offsets of its NULs, the batch's separators): the loop of fold and fold_auto */
static int fold_into(PyObject *text, PyObject **out, PyObject **aut, PyObject *bm, PyObject *sm,
                     PyObject *nuls) {
    Py_ssize_t len = PyUnicode_GET_LENGTH(text), raw = 0, k = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    *out = PyBytes_FromStringAndSize(NULL, len);
    if (aut != NULL) *aut = PyBytes_FromStringAndSize(NULL, len);
    if (*out == NULL || (aut != NULL && *aut == NULL)) return -1;
    unsigned char *o = (unsigned char *)PyBytes_AS_STRING(*out);
    unsigned char *a = aut != NULL ? (unsigned char *)PyBytes_AS_STRING(*aut) : NULL;
    if (kind == PyUnicode_1BYTE_KIND) {
        FOLD_LOOP(Py_UCS1)
    } else if (kind == PyUnicode_2BYTE_KIND) {
        FOLD_LOOP(Py_UCS2)
    } else {
        FOLD_LOOP(Py_UCS4)
    }
    if (k < len && _PyBytes_Resize(out, k) < 0) return -1;
    if (a != NULL && k < len && _PyBytes_Resize(aut, k) < 0) return -1;
    return 0;
fail:
    return -1;
}

static int fold_ready(PyObject *text, int auto_too) {
    if (!PyUnicode_Check(text) || PyUnicode_READY(text) < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "fold takes a str");
        return -1;
    }
    if (ENC_TABLE == NULL || (auto_too && AUTO_TABLE == NULL)) {
        PyErr_SetString(PyExc_RuntimeError, "_entmatch.init() or init_fold() was not called");
        return -1;
    }
    return 0;
}

/* fold(text) -> (folded bytes, byte marks, str marks): entity_fold.fold_py's bytes and the
 * two lists of its Shift (the marks deleted from the bytes, those deleted by the encoder) */
static PyObject *py_fold(PyObject *self, PyObject *text) {
    if (fold_ready(text, 0) < 0) return NULL;
    PyObject *out = NULL, *bm = PyList_New(0), *sm = PyList_New(0);
    if (bm == NULL || sm == NULL || fold_into(text, &out, NULL, bm, sm, NULL) < 0) {
        Py_XDECREF(out), Py_XDECREF(bm), Py_XDECREF(sm);
        return NULL;
    }
    return Py_BuildValue("(NNN)", out, bm, sm);
}

/* fold_auto(text) -> (folded bytes, their translate(AUTO), byte marks, str marks, NUL offsets):
 * fold and the automaton's copy in one pass, and where the batch's separators fell */
static PyObject *py_fold_auto(PyObject *self, PyObject *text) {
    if (fold_ready(text, 1) < 0) return NULL;
    PyObject *out = NULL, *aut = NULL, *bm = PyList_New(0), *sm = PyList_New(0);
    PyObject *nuls = PyList_New(0);
    if (bm == NULL || sm == NULL || nuls == NULL ||
        fold_into(text, &out, &aut, bm, sm, nuls) < 0) {
        Py_XDECREF(out), Py_XDECREF(aut), Py_XDECREF(bm), Py_XDECREF(sm), Py_XDECREF(nuls);
        return NULL;
    }
    return Py_BuildValue("(NNNNN)", out, aut, bm, sm, nuls);
}

/* ------------------------------------------------------------------ sort_matches */

/* The context of sort_matches, from entity_rules.sort_context (one tuple, built once per
 * Tables): info as packed records, the Python objects the rules return or look up. */
typedef struct {
    const int32_t *ent;      /* per pattern */
    const unsigned char *fl; /* per pattern: skip, kind, multi, yeh */
    Py_ssize_t npat;
    PyObject *types, *index, *given, *common, *particles, *stop, *kwtypes;
    PyObject *r_gaz, *r_nisba, *r_surname, *r_context, *r_shared, *empty;
} sctx_t;

static int parse_sctx(PyObject *ctx, sctx_t *c) {
    PyObject *ent, *fl;
    if (!PyArg_ParseTuple(ctx, "SSOOOOOOOOOOOOO", &ent, &fl, &c->types, &c->index, &c->given,
                          &c->common, &c->particles, &c->stop, &c->kwtypes, &c->r_gaz,
                          &c->r_nisba, &c->r_surname, &c->r_context, &c->r_shared, &c->empty))
        return -1;
    c->npat = PyBytes_GET_SIZE(fl) / 4;
    if (PyBytes_GET_SIZE(ent) != c->npat * 4 || !PyList_Check(c->types) ||
        !PyDict_Check(c->index) || !PyList_Check(c->kwtypes)) {
        PyErr_SetString(PyExc_ValueError, "bad sort_matches context");
        return -1;
    }
    c->ent = (const int32_t *)PyBytes_AS_STRING(ent);
    c->fl = (const unsigned char *)PyBytes_AS_STRING(fl);
    return 0;
}

/* entity_rules.shorter: the longest pattern that is a prefix of fb[s:e] ending at a word end */
static int shorter(const unsigned char *fb, const sctx_t *c, Py_ssize_t s, Py_ssize_t e,
                   Py_ssize_t *p_out, Py_ssize_t *e_out) {
    *p_out = *e_out = -1;
    Py_ssize_t cut = e - 1;
    while (cut >= s + 1 && fb[cut] != ' ') cut--;
    if (cut < s + 1) cut = -1;
    while (cut > s) {
        PyObject *key = PyBytes_FromStringAndSize(NULL, cut - s);
        if (key == NULL) return -1;
        unsigned char *k = (unsigned char *)PyBytes_AS_STRING(key);
        for (Py_ssize_t i = s; i < cut; i++) k[i - s] = AUTO_TABLE[fb[i]];
        PyObject *v = PyDict_GetItemWithError(c->index, key);
        Py_DECREF(key);
        if (v == NULL && PyErr_Occurred()) return -1;
        if (v != NULL) {
            Py_ssize_t p = PyLong_AsSsize_t(v);
            if (p == -1 && PyErr_Occurred()) return -1;
            if (p >= 0) {
                *p_out = p;
                *e_out = cut;
                return 0;
            }
        }
        Py_ssize_t j = cut - 1;
        while (j >= s + 1 && fb[j] != ' ') j--;
        cut = j >= s + 1 ? j : -1;
    }
    return 0;
}

static int contains(PyObject *set, PyObject *key) { return PySequence_Contains(set, key); }

/* 1 if prev_word(fb, fs) (skip == 1, else b"") is in `set`; *prev gets a new reference */
static PyObject *prev_if(const unsigned char *fb, Py_ssize_t n, int skip, Py_ssize_t fs,
                         const sctx_t *c) {
    if (skip == 1) return prev_word_c(fb, n, WORD_TABLE, fs);
    Py_INCREF(c->empty);
    return c->empty;
}

/* (start, end, entity, type, rule, name): a Found of entity_rules, untracked */
static PyObject *found_tuple(Py_ssize_t fs, Py_ssize_t e, Py_ssize_t ent, PyObject *typ,
                             PyObject *rule, PyObject *name) {
    PyObject *a = PyLong_FromSsize_t(fs), *b = PyLong_FromSsize_t(e);
    PyObject *k = PyLong_FromSsize_t(ent), *t = a && b && k ? PyTuple_New(6) : NULL;
    if (t == NULL) {
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(k);
        return NULL;
    }
    Py_INCREF(typ);
    Py_INCREF(rule);
    Py_INCREF(name);
    PyTuple_SET_ITEM(t, 0, a);
    PyTuple_SET_ITEM(t, 1, b);
    PyTuple_SET_ITEM(t, 2, k);
    PyTuple_SET_ITEM(t, 3, typ);
    PyTuple_SET_ITEM(t, 4, rule);
    PyTuple_SET_ITEM(t, 5, name);
    return untracked(t);
}

static int append_found(PyObject *list, Py_ssize_t fs, Py_ssize_t e, Py_ssize_t ent,
                        const sctx_t *c, PyObject *rule) {
    PyObject *typ = PyList_GetItem(c->types, ent);
    if (typ == NULL) return -1;
    PyObject *t = found_tuple(fs, e, ent, typ, rule, c->empty);
    if (t == NULL) return -1;
    int r = PyList_Append(list, t);
    Py_DECREF(t);
    return r;
}

static int append_obj(PyObject *list, PyObject *t) {
    if (t == NULL) return -1;
    int r = PyList_Append(list, t);
    Py_DECREF(t);
    return r;
}

typedef struct {
    PyObject *found, *pending, *titles, *givens, *keywords;
} sorted_t;

/* One match's kind (the switch of entity_rules.sort_matches) */
static int sort_one(const unsigned char *fb, Py_ssize_t n, const sctx_t *c, sorted_t *o,
                    Py_ssize_t p, Py_ssize_t s, Py_ssize_t e) {
    int skip = c->fl[4 * p], kind = c->fl[4 * p + 1];
    Py_ssize_t ent = c->ent[p], fs = s + skip;
    if (c->fl[4 * p + 3] && fb[e - 1] == 0xEC) return 0; /* على is no علي */
    PyObject *prev;
    int in;
    switch (kind) {
    case K_NAME:
        return append_found(o->found, fs, e, ent, c, c->r_gaz);
    case K_NISBA:
        if (skip == 1) {
            prev = prev_word_c(fb, n, WORD_TABLE, fs);
            if (prev == NULL) return -1;
            in = contains(c->given, prev);
            Py_DECREF(prev);
            if (in < 0) return -1;
            if (in) return 0;
        }
        return append_found(o->found, fs, e, ent, c, c->r_nisba);
    case K_SURNAME:
        prev = prev_if(fb, n, skip, fs, c);
        if (prev == NULL) return -1;
        in = contains(c->particles, prev);
        if (in > 0) fs = fs - PyBytes_GET_SIZE(prev) - 1;
        Py_DECREF(prev);
        if (in < 0) return -1;
        return append_found(o->found, fs, e, ent, c, c->r_surname);
    case K_TITLE:
        return append_obj(o->titles, untracked(Py_BuildValue(
                                         "(nnO)", fs, e, ent == STRONG ? Py_True : Py_False)));
    case K_GIVEN:
        if (skip != 1) {
            PyObject *w = PyBytes_FromStringAndSize((const char *)fb + s + 1, e - s - 1);
            if (w == NULL) return -1;
            in = contains(c->common, w);
            Py_DECREF(w);
            if (in < 0) return -1;
            if (in) return 0;
        }
        return append_obj(o->givens, untracked(Py_BuildValue("(nn)", fs, e)));
    case K_KEYWORD: {
        PyObject *kt = PyList_GetItem(c->kwtypes, -3 - ent);
        if (kt == NULL) return -1;
        return append_obj(o->keywords, untracked(Py_BuildValue("(nnO)", fs, e, kt)));
    }
    case K_DUAL: {
        prev = prev_if(fb, n, skip, fs, c);
        if (prev == NULL) return -1;
        const char *pw = PyBytes_AS_STRING(prev);
        in = 0;
        if (PyBytes_GET_SIZE(prev) >= 2 && (unsigned char)pw[0] == 0xC7 &&
            (unsigned char)pw[1] == 0xE1)
            in = !contains(c->stop, prev) ? 1 : 0; /* (an error is caught below) */
        Py_DECREF(prev);
        if (PyErr_Occurred()) return -1;
        return append_found(o->found, fs, e, ent, c, in ? c->r_nisba : c->r_gaz);
    }
    case K_SHARED:
        return append_found(o->pending, fs, e, ent, c, c->r_shared);
    default:
        return append_found(o->pending, fs, e, ent, c, c->r_context);
    }
}

static int read_match(PyObject *m, Py_ssize_t *p, Py_ssize_t *s, Py_ssize_t *e) {
    if (!PyTuple_Check(m) || PyTuple_GET_SIZE(m) != 3) {
        PyErr_SetString(PyExc_TypeError, "a match is a (pattern, start, end) tuple");
        return -1;
    }
    *p = PyLong_AsSsize_t(PyTuple_GET_ITEM(m, 0));
    *s = PyLong_AsSsize_t(PyTuple_GET_ITEM(m, 1));
    *e = PyLong_AsSsize_t(PyTuple_GET_ITEM(m, 2));
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *py_sort_matches(PyObject *self, PyObject *args) {
    PyObject *fbo, *matches, *ctx;
    const unsigned char *fb;
    Py_ssize_t n;
    sctx_t c;
    if (!PyArg_ParseTuple(args, "OO!O!", &fbo, &PyList_Type, &matches, &PyTuple_Type, &ctx) ||
        get_buf(fbo, &fb, &n) < 0 || parse_sctx(ctx, &c) < 0 || !ready())
        return NULL;
    sorted_t o = {PyList_New(0), PyList_New(0), PyList_New(0), PyList_New(0), PyList_New(0)};
    if (!o.found || !o.pending || !o.titles || !o.givens || !o.keywords) goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(matches); i++) {
        Py_ssize_t p, s, e;
        if (read_match(PyList_GET_ITEM(matches, i), &p, &s, &e) < 0) goto fail;
        if (p < 0 || p >= c.npat || s < 0 || e <= s || e >= n) {
            PyErr_SetString(PyExc_ValueError, "match out of range");
            goto fail;
        }
        int multi = c.fl[4 * p + 2];
        if (WORD_TABLE[fb[e]]) { /* the word goes on: a shorter name may fit */
            if (!multi) continue;
            if (shorter(fb, &c, s, e, &p, &e) < 0) goto fail;
            if (p < 0) continue;
            multi = c.fl[4 * p + 2];
        }
        if (multi) {
            Py_ssize_t nl = -1;
            for (Py_ssize_t j = s + 1; j < e; j++)
                if (fb[j] == '\n') {
                    nl = j;
                    break;
                }
            if (nl > 0) { /* a name does not run across a line break */
                if (shorter(fb, &c, s, nl + 1, &p, &e) < 0) goto fail;
                if (p < 0) continue;
            }
        }
        if (sort_one(fb, n, &c, &o, p, s, e) < 0) goto fail;
    }
    return Py_BuildValue("(NNNNN)", o.found, o.pending, o.titles, o.givens, o.keywords);
fail:
    Py_XDECREF(o.found);
    Py_XDECREF(o.pending);
    Py_XDECREF(o.titles);
    Py_XDECREF(o.givens);
    Py_XDECREF(o.keywords);
    return NULL;
}

/* ------------------------------------------------------------------ split */

typedef struct {
    Py_ssize_t *v;
    Py_ssize_t n;
} marks_t;

#define MAX_MARKS 4

typedef struct {
    marks_t m[MAX_MARKS];
    int nm;
} shift_t;

static void free_shift(shift_t *sh) {
    for (int i = 0; i < sh->nm; i++) PyMem_Free(sh->m[i].v);
    sh->nm = 0;
}

static int read_shift(PyObject *marks, shift_t *sh) {
    sh->nm = 0;
    if (!PyList_Check(marks) || PyList_GET_SIZE(marks) > MAX_MARKS) {
        PyErr_SetString(PyExc_ValueError, "marks: a list of at most 4 lists");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(marks); i++) {
        PyObject *l = PyList_GET_ITEM(marks, i);
        if (!PyList_Check(l)) {
            PyErr_SetString(PyExc_TypeError, "marks: lists of ints");
            free_shift(sh);
            return -1;
        }
        Py_ssize_t k = PyList_GET_SIZE(l);
        marks_t *m = &sh->m[sh->nm++];
        m->n = k;
        m->v = PyMem_Malloc(sizeof(Py_ssize_t) * (k ? k : 1));
        if (m->v == NULL) {
            free_shift(sh);
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t j = 0; j < k; j++) {
            m->v[j] = PyLong_AsSsize_t(PyList_GET_ITEM(l, j));
            if (m->v[j] == -1 && PyErr_Occurred()) {
                free_shift(sh);
                return -1;
            }
        }
    }
    return 0;
}

/* Shift.orig: each step adds the number of its marks <= f (bisect_right) */
static Py_ssize_t orig(const shift_t *sh, Py_ssize_t f) {
    for (int i = 0; i < sh->nm; i++) {
        Py_ssize_t lo = 0, hi = sh->m[i].n;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (f < sh->m[i].v[mid]) hi = mid;
            else lo = mid + 1;
        }
        f += lo;
    }
    return f;
}

typedef struct {
    PyObject *ids, *rule_id, *em; /* em: the EntityMention type */
} split_t;

static PyObject *entity_id(const split_t *sp, PyObject *f) {
    Py_ssize_t ent = PyLong_AsSsize_t(PyTuple_GET_ITEM(f, 2));
    if (ent == -1 && PyErr_Occurred()) return NULL;
    if (ent >= 0) {
        PyObject *id = PyList_GetItem(sp->ids, ent);
        Py_XINCREF(id);
        return id;
    }
    return PyObject_CallFunctionObjArgs(sp->rule_id, PyTuple_GET_ITEM(f, 3),
                                        PyTuple_GET_ITEM(f, 5), NULL);
}

/* One mention: an EntityMention appended to `out` */
static int emit(const split_t *sp, PyObject *out, PyObject *f, PyObject *text, Py_ssize_t s,
                Py_ssize_t e) {
    if (s < 0 || e < s || e > PyUnicode_GET_LENGTH(text)) {
        PyErr_SetString(PyExc_ValueError, "mention outside its text");
        return -1;
    }
    PyObject *v[6];
    v[0] = entity_id(sp, f);
    v[1] = PyTuple_GET_ITEM(f, 3);
    Py_INCREF(v[1]);
    v[2] = PyLong_FromSsize_t(s);
    v[3] = PyLong_FromSsize_t(e);
    v[4] = PyUnicode_Substring(text, s, e);
    v[5] = PyTuple_GET_ITEM(f, 4);
    Py_INCREF(v[5]);
    int bad = 0;
    for (int i = 0; i < 6; i++) bad |= v[i] == NULL;
    PyObject *m = bad ? NULL : ((PyTypeObject *)sp->em)->tp_alloc((PyTypeObject *)sp->em, 6);
    if (m == NULL) {
        for (int i = 0; i < 6; i++) Py_XDECREF(v[i]);
        return -1;
    }
    for (int i = 0; i < 6; i++) PyTuple_SET_ITEM(m, i, v[i]);
    untracked(m);
    bad = PyList_Append(out, m) < 0;
    Py_DECREF(m);
    return bad ? -1 : 0;
}

/* The next mention of the text that ends at `hi` (found[*k], sorted by start): 1 with its span
 * in the text's own offsets, 0 when the text has no more, -1 on error */
static int next_span(PyObject *found, Py_ssize_t k, const shift_t *sh, Py_ssize_t hi,
                     Py_ssize_t base, PyObject **f, Py_ssize_t *s, Py_ssize_t *e) {
    if (k >= PyList_GET_SIZE(found)) return 0;
    *f = PyList_GET_ITEM(found, k);
    if (!PyTuple_Check(*f) || PyTuple_GET_SIZE(*f) != 6) {
        PyErr_SetString(PyExc_TypeError, "a mention is a 6-tuple");
        return -1;
    }
    Py_ssize_t fs = PyLong_AsSsize_t(PyTuple_GET_ITEM(*f, 0));
    Py_ssize_t fe = PyLong_AsSsize_t(PyTuple_GET_ITEM(*f, 1));
    if (PyErr_Occurred()) return -1;
    if (fs >= hi) return 0;
    *s = orig(sh, fs) - base, *e = orig(sh, fe) - base;
    return 1;
}

static int split_text(const split_t *sp, const shift_t *sh, PyObject *found, Py_ssize_t *k,
                      PyObject *text, Py_ssize_t hi, Py_ssize_t base, PyObject *out) {
    PyObject *f;
    Py_ssize_t s, e;
    int r;
    for (; (r = next_span(found, *k, sh, hi, base, &f, &s, &e)) == 1; (*k)++)
        if (emit(sp, out, f, text, s, e) < 0) return -1;
    return r;
}

/* Text r of the batch and where it ends in the folded buffer (its bounds' hi); -1 on error */
static int text_at(PyObject *items, PyObject *bounds, Py_ssize_t r, PyObject **text,
                   Py_ssize_t *hi) {
    PyObject *b = PyList_GET_ITEM(bounds, r);
    *text = PyList_GET_ITEM(items, r);
    *hi = PyTuple_Check(b) && PyTuple_GET_SIZE(b) == 2 ? PyLong_AsSsize_t(PyTuple_GET_ITEM(b, 1))
                                                        : -1;
    if (!PyUnicode_Check(*text) || *hi < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "texts and (lo, hi) bounds");
        return -1;
    }
    return 0;
}

static PyObject *py_split(PyObject *self, PyObject *args) {
    PyObject *found, *items, *bounds, *marks;
    split_t sp = {0};
    shift_t sh = {0};
    if (!PyArg_ParseTuple(args, "O!O!O!O(OOO)", &PyList_Type, &found, &PyList_Type, &items,
                          &PyList_Type, &bounds, &marks, &sp.ids, &sp.rule_id, &sp.em))
        return NULL;
    if (PyList_GET_SIZE(items) != PyList_GET_SIZE(bounds) || !PyList_Check(sp.ids) ||
        !(PyType_Check(sp.em) && PyType_IsSubtype((PyTypeObject *)sp.em, &PyTuple_Type))) {
        PyErr_SetString(PyExc_ValueError, "bad split arguments");
        return NULL;
    }
    if (read_shift(marks, &sh) < 0) return NULL;
    PyObject *result = PyList_New(0);
    Py_ssize_t k = 0, base = 1;
    for (Py_ssize_t r = 0; result && r < PyList_GET_SIZE(items); r++) {
        PyObject *text;
        Py_ssize_t hi;
        if (text_at(items, bounds, r, &text, &hi) < 0) {
            Py_CLEAR(result);
            break;
        }
        PyObject *out = PyList_New(0);
        if (out == NULL || split_text(&sp, &sh, found, &k, text, hi, base, out) < 0 ||
            PyList_Append(result, out) < 0)
            Py_CLEAR(result);
        Py_XDECREF(out);
        base += PyUnicode_GET_LENGTH(text) + 3;
    }
    free_shift(&sh);
    return result;
}

/* ------------------------------------------------------------------ split, as Arrow buffers */

/* A growable byte buffer (what becomes one Arrow buffer) */
typedef struct {
    char *p;
    Py_ssize_t n, cap;
} grow_t;

static int grow_put(grow_t *g, const void *v, Py_ssize_t len) {
    if (g->n + len > g->cap) {
        Py_ssize_t cap = g->cap ? g->cap : 4096;
        while (cap < g->n + len) cap *= 2;
        char *p = PyMem_Realloc(g->p, cap);
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        g->p = p;
        g->cap = cap;
    }
    memcpy(g->p + g->n, v, len);
    g->n += len;
    return 0;
}

static int grow_i32(grow_t *g, Py_ssize_t v) {
    if (v > INT32_MAX || v < INT32_MIN) {
        PyErr_SetString(PyExc_OverflowError, "a mention's column value passes int32");
        return -1;
    }
    int32_t x = (int32_t)v;
    return grow_put(g, &x, 4);
}

/* text[s:e] as UTF-8 appended to g (clean text has no lone surrogates; one is refused) */
static int grow_utf8(grow_t *g, PyObject *text, Py_ssize_t s, Py_ssize_t e) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = s; i < e; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        unsigned char b[4];
        int n;
        if (c < 0x80) b[0] = (unsigned char)c, n = 1;
        else if (c < 0x800) b[0] = 0xC0 | (c >> 6), b[1] = 0x80 | (c & 0x3F), n = 2;
        else if (c >= 0xD800 && c < 0xE000) {
            PyErr_SetString(PyExc_ValueError, "a lone surrogate in a mention's text");
            return -1;
        } else if (c < 0x10000)
            b[0] = 0xE0 | (c >> 12), b[1] = 0x80 | ((c >> 6) & 0x3F), b[2] = 0x80 | (c & 0x3F), n = 3;
        else
            b[0] = 0xF0 | (c >> 18), b[1] = 0x80 | ((c >> 12) & 0x3F),
            b[2] = 0x80 | ((c >> 6) & 0x3F), b[3] = 0x80 | (c & 0x3F), n = 4;
        if (grow_put(g, b, n) < 0) return -1;
    }
    return 0;
}

/* The code of `label` in `labels` (added when new): a mention's type or rule, a handful */
static Py_ssize_t label_code(PyObject *labels, PyObject *label) {
    Py_ssize_t n = PyList_GET_SIZE(labels);
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyList_GET_ITEM(labels, i) == label) return i;
    for (Py_ssize_t i = 0; i < n; i++) {
        int eq = PyObject_RichCompareBool(PyList_GET_ITEM(labels, i), label, Py_EQ);
        if (eq != 0) return eq < 0 ? -1 : i;
    }
    return PyList_Append(labels, label) < 0 ? -1 : n;
}

/* columns: row, entity, type, start, end, rule (int32 each), surface offsets, surface data */
enum { C_ROW, C_ENT, C_TYPE, C_START, C_END, C_RULE, C_OFFS, C_DATA, N_COLS };

typedef struct {
    grow_t g[N_COLS];
    PyObject *rule_id, *types, *rules, *extra, *extra_codes; /* extra: names found by a rule */
    Py_ssize_t n_ids;
} cols_t;

/* entity_id(f) as a code: the gazetteer index, or n_ids + its place among the batch's others */
static Py_ssize_t entity_code(cols_t *c, PyObject *f) {
    Py_ssize_t ent = PyLong_AsSsize_t(PyTuple_GET_ITEM(f, 2));
    if (ent == -1 && PyErr_Occurred()) return -1;
    if (ent >= 0) return ent;
    PyObject *id = PyObject_CallFunctionObjArgs(c->rule_id, PyTuple_GET_ITEM(f, 3),
                                                PyTuple_GET_ITEM(f, 5), NULL);
    if (id == NULL) return -1;
    PyObject *code = PyDict_GetItemWithError(c->extra_codes, id);
    Py_ssize_t out = -1;
    if (code != NULL) out = PyLong_AsSsize_t(code);
    else if (!PyErr_Occurred()) {
        Py_ssize_t k = PyList_GET_SIZE(c->extra);
        PyObject *v = PyLong_FromSsize_t(c->n_ids + k);
        if (v != NULL && PyDict_SetItem(c->extra_codes, id, v) == 0 &&
            PyList_Append(c->extra, id) == 0)
            out = c->n_ids + k;
        Py_XDECREF(v);
    }
    Py_DECREF(id);
    return out;
}

static int emit_row(cols_t *c, Py_ssize_t row, PyObject *f, PyObject *text, Py_ssize_t s,
                    Py_ssize_t e) {
    if (s < 0 || e < s || e > PyUnicode_GET_LENGTH(text)) {
        PyErr_SetString(PyExc_ValueError, "mention outside its text");
        return -1;
    }
    Py_ssize_t ent = entity_code(c, f);
    Py_ssize_t typ = ent < 0 ? -1 : label_code(c->types, PyTuple_GET_ITEM(f, 3));
    Py_ssize_t rule = typ < 0 ? -1 : label_code(c->rules, PyTuple_GET_ITEM(f, 4));
    if (rule < 0 || grow_i32(&c->g[C_ROW], row) < 0 || grow_i32(&c->g[C_ENT], ent) < 0 ||
        grow_i32(&c->g[C_TYPE], typ) < 0 || grow_i32(&c->g[C_START], s) < 0 ||
        grow_i32(&c->g[C_END], e) < 0 || grow_i32(&c->g[C_RULE], rule) < 0 ||
        grow_utf8(&c->g[C_DATA], text, s, e) < 0)
        return -1;
    return grow_i32(&c->g[C_OFFS], c->g[C_DATA].n);
}

static int cols_text(cols_t *c, const shift_t *sh, PyObject *found, Py_ssize_t *k,
                     Py_ssize_t row, PyObject *text, Py_ssize_t hi, Py_ssize_t base) {
    PyObject *f;
    Py_ssize_t s, e;
    int r;
    for (; (r = next_span(found, *k, sh, hi, base, &f, &s, &e)) == 1; (*k)++)
        if (emit_row(c, row, f, text, s, e) < 0) return -1;
    return r;
}

static PyObject *cols_result(cols_t *c) {
    PyObject *b[N_COLS];
    int bad = 0;
    for (int i = 0; i < N_COLS; i++)
        bad |= (b[i] = PyBytes_FromStringAndSize(c->g[i].p ? c->g[i].p : "", c->g[i].n)) == NULL;
    PyObject *out = bad ? NULL
                        : Py_BuildValue("(OOOOOOOOOOO)", b[C_ROW], b[C_ENT], c->extra, b[C_TYPE],
                                        c->types, b[C_START], b[C_END], b[C_OFFS], b[C_DATA],
                                        b[C_RULE], c->rules);
    for (int i = 0; i < N_COLS; i++) Py_XDECREF(b[i]);
    return out;
}

/* split_columns(found, items, bounds, marks, (n_ids, rule_id)): split's mentions as buffers,
 * no Python object per mention: (rows, entity codes, extra ids, type codes, types, starts,
 * ends, surface offsets, surface UTF-8, rule codes, rules); int32 buffers; an entity code
 * below n_ids is the gazetteer's index, else n_ids + the index in extra ids. */
static PyObject *py_split_columns(PyObject *self, PyObject *args) {
    PyObject *found, *items, *bounds, *marks, *out = NULL;
    cols_t c = {0};
    shift_t sh = {0};
    if (!PyArg_ParseTuple(args, "O!O!O!O(nO)", &PyList_Type, &found, &PyList_Type, &items,
                          &PyList_Type, &bounds, &marks, &c.n_ids, &c.rule_id))
        return NULL;
    if (PyList_GET_SIZE(items) != PyList_GET_SIZE(bounds)) {
        PyErr_SetString(PyExc_ValueError, "bad split arguments");
        return NULL;
    }
    if (read_shift(marks, &sh) < 0) return NULL;
    c.types = PyList_New(0), c.rules = PyList_New(0), c.extra = PyList_New(0);
    c.extra_codes = PyDict_New();
    int ok = c.types && c.rules && c.extra && c.extra_codes && grow_i32(&c.g[C_OFFS], 0) == 0;
    Py_ssize_t k = 0, base = 1;
    for (Py_ssize_t r = 0; ok && r < PyList_GET_SIZE(items); r++) {
        PyObject *text;
        Py_ssize_t hi;
        ok = text_at(items, bounds, r, &text, &hi) == 0 &&
             cols_text(&c, &sh, found, &k, r, text, hi, base) == 0;
        if (!ok) break;
        base += PyUnicode_GET_LENGTH(text) + 3;
    }
    if (ok) out = cols_result(&c);
    free_shift(&sh);
    for (int i = 0; i < N_COLS; i++) PyMem_Free(c.g[i].p);
    Py_XDECREF(c.types), Py_XDECREF(c.rules), Py_XDECREF(c.extra), Py_XDECREF(c.extra_codes);
    return out;
}

/* ------------------------------------------------------------------ people */

/* The context of person_at, from entity_people.person_context: the word sets of the rules */
typedef struct {
    PyObject *stop, *common, *title_words, *org_keywords, *given, *son_of, *compound_first;
    PyObject *allah, *clitic_articles, *lam_lam;
    Py_ssize_t max_units;
} pctx_t;

static int parse_pctx(PyObject *ctx, pctx_t *c) {
    return PyArg_ParseTuple(ctx, "OOOOOOOSOSn", &c->stop, &c->common, &c->title_words,
                            &c->org_keywords, &c->given, &c->son_of, &c->compound_first,
                            &c->allah, &c->clitic_articles, &c->lam_lam, &c->max_units)
               ? 0 : -1;
}

static int in_set(PyObject *set, PyObject *w) { return PySequence_Contains(set, w); }

/* w[k:] is in `set` */
static int tail_in(PyObject *set, PyObject *w, Py_ssize_t k) {
    PyObject *t = PyBytes_FromStringAndSize(PyBytes_AS_STRING(w) + k, PyBytes_GET_SIZE(w) - k);
    if (t == NULL) return -1;
    int r = in_set(set, t);
    Py_DECREF(t);
    return r;
}

/* entity_rules.name_word: 1, 0 or -1 on error */
static int name_word_c(PyObject *w, const pctx_t *c) {
    PyObject *sets[4] = {c->stop, c->common, c->title_words, c->org_keywords};
    for (int i = 0; i < 4; i++) {
        int r = in_set(sets[i], w);
        if (r != 0) return r < 0 ? -1 : 0;
    }
    if (PyBytes_GET_SIZE(w) >= 1 && (unsigned char)PyBytes_AS_STRING(w)[0] == 0xE6) {
        PyObject *tails[3] = {c->given, c->title_words, c->stop};
        for (int i = 0; i < 3; i++) {
            int r = tail_in(tails[i], w, 1);
            if (r != 0) return r < 0 ? -1 : 0;
        }
    }
    return 1;
}

static int starts_with(PyObject *w, PyObject *prefix_set, Py_ssize_t k) {
    if (PyBytes_GET_SIZE(w) < k) return in_set(prefix_set, w); /* w[:k] is w */
    PyObject *h = PyBytes_FromStringAndSize(PyBytes_AS_STRING(w), k);
    if (h == NULL) return -1;
    int r = in_set(prefix_set, h);
    Py_DECREF(h);
    return r;
}

/* entity_people.family_word */
static int family_word_c(PyObject *w, const pctx_t *c) {
    const unsigned char *b = (const unsigned char *)PyBytes_AS_STRING(w);
    Py_ssize_t n = PyBytes_GET_SIZE(w), ll = PyBytes_GET_SIZE(c->lam_lam);
    if (n >= 1 && b[0] == 0xE6 && n > 3) return 0;
    int r = starts_with(w, c->clitic_articles, 3);
    if (r != 0) return r < 0 ? -1 : 0;
    if (n >= ll && memcmp(b, PyBytes_AS_STRING(c->lam_lam), ll) == 0) return 0;
    if ((r = name_word_c(w, c)) <= 0) return r;
    if ((r = in_set(c->son_of, w)) != 0) return r < 0 ? -1 : 0;
    if ((r = in_set(c->compound_first, w)) != 0) return r < 0 ? -1 : 0;
    return 1;
}

static int is_allah(PyObject *w, const pctx_t *c) {
    return PyBytes_GET_SIZE(w) == PyBytes_GET_SIZE(c->allah) &&
           memcmp(PyBytes_AS_STRING(w), PyBytes_AS_STRING(c->allah), PyBytes_GET_SIZE(w)) == 0;
}

/* The units after the first (entity_people.person_at's loop): returns j, or -1 on error */
static Py_ssize_t units_from(PyObject *words, Py_ssize_t j, Py_ssize_t *units, const pctx_t *c) {
    Py_ssize_t nw = PyList_GET_SIZE(words);
    while (j < nw && *units < c->max_units) {
        PyObject *w = PyList_GET_ITEM(words, j);
        int son = in_set(c->son_of, w), comp = in_set(c->compound_first, w);
        if (son < 0 || comp < 0) return -1;
        if ((son || comp) && j + 1 < nw) {
            PyObject *nx = PyList_GET_ITEM(words, j + 1);
            int ok = is_allah(nx, c) && comp;
            if (!ok && (ok = name_word_c(nx, c)) < 0) return -1;
            if (!ok) break;
            j += 2;
        } else {
            int g = in_set(c->given, w), cm = g > 0 ? in_set(c->common, w) : 0;
            if (g < 0 || cm < 0) return -1;
            if (!(g && !cm)) break;
            j += 1;
        }
        *units += 1;
    }
    return j;
}

static PyObject *words_at(PyObject *fbo, Py_ssize_t start) {
    PyObject *wa = Py_BuildValue("(On)", fbo, start);
    PyObject *we = wa ? py_words_from(NULL, wa) : NULL;
    Py_XDECREF(wa);
    return we;
}

/* entity_people.person_at */
static PyObject *person_c(PyObject *fbo, Py_ssize_t start, int alone, const pctx_t *cp) {
    pctx_t c = *cp;
    PyObject *we = words_at(fbo, start);
    if (we == NULL) return NULL;
    PyObject *words = PyTuple_GET_ITEM(we, 0), *ends = PyTuple_GET_ITEM(we, 1), *res = NULL;
    Py_ssize_t nw = PyList_GET_SIZE(words), j = 1, units = 1, unit;
    PyObject *w0 = PyList_GET_ITEM(words, 0);
    int r = in_set(c.compound_first, w0);
    if (r < 0) goto done;
    if (r) { /* عبد الله، أبو بكر */
        if (nw < 2) goto none;
        PyObject *w1 = PyList_GET_ITEM(words, 1);
        int ok = is_allah(w1, &c);
        if (!ok && (ok = name_word_c(w1, &c)) < 0) goto done;
        if (!ok) goto none;
        j = 2;
    } else {
        if ((r = in_set(c.given, w0)) < 0) goto done;
        if (!r) goto none;
    }
    unit = j;
    if ((j = units_from(words, j, &units, &c)) < 0) goto done;
    if (j < nw && units < c.max_units) {
        PyObject *w = PyList_GET_ITEM(words, j);
        int fam = family_word_c(w, &c);
        if (fam < 0) goto done;
        if (fam) {
            const unsigned char *b = (const unsigned char *)PyBytes_AS_STRING(w);
            int al = PyBytes_GET_SIZE(w) >= 2 && b[0] == 0xC7 && b[1] == 0xE1;
            int g = j == unit || al ? 1 : in_set(c.given, w);
            if (g < 0) goto done;
            if (g) j += 1;
        }
    }
    if (j == unit && !alone) goto none;
    res = Py_BuildValue("(nO)", start, PyList_GET_ITEM(ends, j - 1));
    goto done;
none:
    res = Py_None;
    Py_INCREF(res);
done:
    Py_DECREF(we);
    return res;
}

static PyObject *py_person_at(PyObject *self, PyObject *args) {
    PyObject *fbo, *ctx;
    Py_ssize_t start;
    int alone;
    pctx_t c;
    if (!PyArg_ParseTuple(args, "OnpO!", &fbo, &start, &alone, &PyTuple_Type, &ctx) ||
        parse_pctx(ctx, &c) < 0)
        return NULL;
    return person_c(fbo, start, alone, &c);
}

/* entity_people.unlisted_name */
static PyObject *unlisted_c(PyObject *fbo, Py_ssize_t start, const pctx_t *c, Py_ssize_t most) {
    PyObject *we = words_at(fbo, start);
    if (we == NULL) return NULL;
    PyObject *words = PyTuple_GET_ITEM(we, 0), *ends = PyTuple_GET_ITEM(we, 1), *res;
    Py_ssize_t k = 0;
    int r = 1;
    while (k < PyList_GET_SIZE(words) && k < most &&
           (r = family_word_c(PyList_GET_ITEM(words, k), c)) > 0)
        k++;
    if (r < 0) res = NULL;
    else if (k) res = Py_BuildValue("(nO)", start, PyList_GET_ITEM(ends, k - 1));
    else {
        res = Py_None;
        Py_INCREF(res);
    }
    Py_DECREF(we);
    return res;
}

typedef struct {
    pctx_t c;
    PyObject *nisba_words, *fillers, *per, *rule, *starts;
    Py_ssize_t most;
} tctx_t;

static Py_ssize_t item_n(PyObject *t, Py_ssize_t i) { return PyLong_AsSsize_t(PyTuple_GET_ITEM(t, i)); }

/* w as the automaton sees it (AUTO) is in `set` */
static int auto_in(PyObject *set, const unsigned char *fb, Py_ssize_t a, Py_ssize_t b) {
    PyObject *k = PyBytes_FromStringAndSize(NULL, b - a);
    if (k == NULL) return -1;
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(k);
    for (Py_ssize_t i = a; i < b; i++) p[i - a] = AUTO_TABLE[fb[i]];
    int r = in_set(set, k);
    Py_DECREF(k);
    return r;
}

/* One step of title_people's walk from the title to the name: 1 goes on (pos, unknown
 * updated), 0 stops, -1 on error; *span: the name found, or None */
static int title_step(PyObject *fbo, const tctx_t *x, int strong, Py_ssize_t *pos, int *unknown,
                      PyObject **span) {
    const unsigned char *fb = (const unsigned char *)PyBytes_AS_STRING(fbo);
    Py_ssize_t n = PyBytes_GET_SIZE(fbo), p = *pos;
    if (!(p >= 0 && p + 1 < n && fb[p] == ' ' && is_part(fb[p + 1]))) return 0;
    Py_ssize_t a = p + 1, b = word_end(fb, n, a);
    PyObject *key = PyLong_FromSsize_t(a), *w = PyBytes_FromStringAndSize((const char *)fb + a, b - a);
    PyObject *f = key ? PyDict_GetItemWithError(x->starts, key) : NULL;
    Py_XDECREF(key);
    int rc = -1, g, cf;
    if (w == NULL || PyErr_Occurred()) goto out;
    Py_CLEAR(*span);
    if ((g = in_set(x->c.given, w)) < 0 || (cf = g ? 0 : in_set(x->c.compound_first, w)) < 0)
        goto out;
    if ((g || cf) && (*span = person_c(fbo, a, *unknown == 0, &x->c)) == NULL) goto out;
    if (f != NULL && PyUnicode_Check(PyTuple_GET_ITEM(f, 3)) &&
        PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(f, 3), "PER") == 0) {
        if (*span != NULL && *span != Py_None && item_n(*span, 1) > item_n(f, 1)) rc = 0;
        else {
            Py_CLEAR(*span);
            rc = 0;
        }
        goto out;
    }
    if ((*span == NULL || *span == Py_None) && strong && *unknown == 0 && f == NULL) {
        Py_CLEAR(*span);
        if ((*span = unlisted_c(fbo, a, &x->c, x->most)) == NULL) goto out;
    }
    if (*span != NULL && *span != Py_None) {
        rc = 0;
        goto out;
    }
    if (f != NULL) {
        *pos = item_n(f, 1);
        rc = 1;
    } else if ((g = auto_in(x->nisba_words, fb, a, b)) != 0 ||
               (g = in_set(x->fillers, w)) != 0) {
        *pos = b;
        rc = g < 0 ? -1 : 1;
    } else if (*unknown == 0 && (g = in_set(x->c.stop, w)) == 0) {
        *pos = b;
        *unknown = 1;
        rc = 1;
    } else rc = g < 0 ? -1 : 0;
out:
    Py_XDECREF(w);
    if (rc < 0 && !PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "title_people");
    return PyErr_Occurred() ? -1 : rc;
}

/* One title's person (entity_people.title_people's loop body), appended to `out` */
static int title_one(PyObject *fbo, const tctx_t *x, PyObject *title, PyObject *out) {
    Py_ssize_t pos = item_n(title, 1);
    int strong = PyObject_IsTrue(PyTuple_GET_ITEM(title, 2)), unknown = 0, r = 1;
    PyObject *span = NULL;
    if (PyErr_Occurred() || strong < 0) return -1;
    for (int i = 0; i < 4 && r == 1; i++) r = title_step(fbo, x, strong, &pos, &unknown, &span);
    if (r < 0 || span == NULL || span == Py_None) {
        Py_XDECREF(span);
        return r < 0 ? -1 : 0;
    }
    Py_ssize_t s0 = item_n(span, 0), s1 = item_n(span, 1);
    Py_DECREF(span);
    PyObject *key = PyLong_FromSsize_t(s0);
    PyObject *g = key ? PyDict_GetItemWithError(x->starts, key) : NULL;
    Py_XDECREF(key);
    if (PyErr_Occurred()) return -1;
    if (g != NULL && !(item_n(g, 1) < s1)) return 0;
    const char *fb = PyBytes_AS_STRING(fbo);
    PyObject *name = PyBytes_FromStringAndSize(fb + s0, s1 - s0);
    if (name == NULL) return -1;
    PyObject *t = found_tuple(s0, s1, -1, x->per, x->rule, name);
    Py_DECREF(name);
    return append_obj(out, t);
}

/* title_people(fb, titles, found, (person ctx, nisba_words, fillers, most, "PER", rule))
 * -> the people found (entity_people.title_people appends them to found and new_people) */
static PyObject *py_title_people(PyObject *self, PyObject *args) {
    PyObject *fbo, *titles, *found, *ctx, *pc;
    tctx_t x;
    if (!PyArg_ParseTuple(args, "SO!O!O!", &fbo, &PyList_Type, &titles, &PyList_Type, &found,
                          &PyTuple_Type, &ctx) ||
        !PyArg_ParseTuple(ctx, "O!OOnOO", &PyTuple_Type, &pc, &x.nisba_words, &x.fillers,
                          &x.most, &x.per, &x.rule) ||
        parse_pctx(pc, &x.c) < 0 || !ready())
        return NULL;
    if ((x.starts = PyDict_New()) == NULL) return NULL;
    PyObject *out = PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < PyList_GET_SIZE(found); i++) {
        PyObject *f = PyList_GET_ITEM(found, i);
        if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) != 6 ||
            PyDict_SetItem(x.starts, PyTuple_GET_ITEM(f, 0), f) < 0) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a mention is a 6-tuple");
            Py_CLEAR(out);
        }
    }
    for (Py_ssize_t i = 0; out != NULL && i < PyList_GET_SIZE(titles); i++) {
        PyObject *t = PyList_GET_ITEM(titles, i);
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3) {
            PyErr_SetString(PyExc_TypeError, "a title is (start, end, strong)");
            Py_CLEAR(out);
        } else if (title_one(fbo, &x, t, out) < 0) Py_CLEAR(out);
    }
    Py_DECREF(x.starts);
    return out;
}

/* ------------------------------------------------------------------ lone surnames */

/* fb[a:b] is one of the byte strings of the tuple `words` */
static int in_tuple(const unsigned char *fb, Py_ssize_t a, Py_ssize_t b, PyObject *words) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
        PyObject *w = PyTuple_GET_ITEM(words, i);
        if (PyBytes_GET_SIZE(w) == b - a && memcmp(PyBytes_AS_STRING(w), fb + a, b - a) == 0)
            return 1;
    }
    return 0;
}

static Py_ssize_t find(const unsigned char *fb, Py_ssize_t lo, Py_ssize_t hi,
                       const char *w, Py_ssize_t k) {
    for (Py_ssize_t i = lo; i + k <= hi; i++) {
        const unsigned char *p = memchr(fb + i, (unsigned char)w[0], hi - k + 1 - i);
        if (p == NULL) return -1;
        i = p - fb;
        if (memcmp(p, w, k) == 0) return i;
    }
    return -1;
}

/* The context of the lone surnames: the person context (name_word) and the rule's objects */
typedef struct {
    pctx_t c;
    PyObject *clitics, *particles, *per, *rule;
} lctx_t;

/* One name's lone surnames (the second loop of entity_people.lone_surnames): `last` alone in
 * fb[lo:hi], outside the person `f` it comes from */
static int lone_one(const unsigned char *fb, Py_ssize_t n, const lctx_t *x, Py_ssize_t lo,
                    Py_ssize_t hi, PyObject *last, PyObject *f, PyObject *out) {
    const char *w = PyBytes_AS_STRING(last);
    Py_ssize_t k = PyBytes_GET_SIZE(last), fs = item_n(f, 0), fe = item_n(f, 1);
    PyObject *name = PyTuple_GET_ITEM(f, 5);
    if (PyErr_Occurred()) return -1;
    for (Py_ssize_t pos = find(fb, lo, hi, w, k); pos >= 0; pos = find(fb, pos + k, hi, w, k)) {
        Py_ssize_t end = pos + k, ws = lo; /* after a space or a line break, or the text's start */
        for (Py_ssize_t j = pos - 1; j >= lo; j--)
            if (!is_part(fb[j])) {
                ws = j + 1;
                break;
            }
        int whole = (end >= hi || !WORD_TABLE[fb[end]]) && in_tuple(fb, ws, pos, x->clitics);
        if (!whole || (fs <= pos && pos < fe)) continue;
        Py_ssize_t start = pos;
        PyObject *prev = ws == pos ? prev_word_c(fb, n, WORD_TABLE, pos)
                                   : PyBytes_FromStringAndSize(NULL, 0);
        int in = prev == NULL ? -1 : PySequence_Contains(x->particles, prev);
        if (in > 0) start = pos - PyBytes_GET_SIZE(prev) - 1;
        Py_XDECREF(prev);
        if (in < 0) return -1;
        if (append_obj(out, found_tuple(start, end, -1, x->per, x->rule, name)) < 0) return -1;
    }
    return 0;
}

/* The texts' bounds [(lo, hi)] as two arrays (PyMem_Free(*los) frees both) */
static int read_bounds(PyObject *bounds, Py_ssize_t **los, Py_ssize_t **his, Py_ssize_t n_buf) {
    Py_ssize_t nb = PyList_GET_SIZE(bounds);
    *los = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (nb ? nb : 1));
    if (*los == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *his = *los + nb;
    for (Py_ssize_t i = 0; i < nb; i++) {
        PyObject *b = PyList_GET_ITEM(bounds, i);
        if (!PyTuple_Check(b) || PyTuple_GET_SIZE(b) != 2) {
            PyErr_SetString(PyExc_TypeError, "bounds: (lo, hi) tuples");
            return -1;
        }
        (*los)[i] = item_n(b, 0);
        (*his)[i] = item_n(b, 1);
        if (PyErr_Occurred()) return -1;
        if ((*los)[i] < 0 || (*his)[i] < (*los)[i] || (*his)[i] > n_buf) {
            PyErr_SetString(PyExc_ValueError, "bounds outside the buffer");
            return -1;
        }
    }
    return 0;
}

/* bisect_left(his, pos): the text holding folded offset pos */
static Py_ssize_t text_of(const Py_ssize_t *his, Py_ssize_t nb, Py_ssize_t pos) {
    Py_ssize_t lo = 0, hi = nb;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (his[mid] < pos) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* A mention: a 6-tuple whose span lies in the buffer */
static int check_found(PyObject *f, Py_ssize_t n) {
    if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) != 6) {
        PyErr_SetString(PyExc_TypeError, "a mention is a 6-tuple");
        return -1;
    }
    Py_ssize_t s = item_n(f, 0), e = item_n(f, 1);
    if (PyErr_Occurred()) return -1;
    if (s < 0 || e < s || e > n) {
        PyErr_SetString(PyExc_ValueError, "mention outside the buffer");
        return -1;
    }
    return 0;
}

/* The first loop of entity_people.lone_surnames: (text, last word) -> the first person of a
 * rule with that last word in that text, in order */
static PyObject *lone_names(const unsigned char *fb, Py_ssize_t n, const lctx_t *x,
                            PyObject *people, const Py_ssize_t *his, Py_ssize_t nb) {
    PyObject *names = PyDict_New();
    for (Py_ssize_t i = 0; names != NULL && i < PyList_GET_SIZE(people); i++) {
        PyObject *f = PyList_GET_ITEM(people, i), *last = NULL, *key = NULL;
        if (check_found(f, n) < 0) goto fail;
        Py_ssize_t fs = item_n(f, 0), fe = item_n(f, 1), space = -1;
        for (Py_ssize_t j = fe - 1; j >= fs && space < 0; j--)
            if (fb[j] == ' ') space = j;
        if (space < 0 || fe - space - 1 < 4) continue;
        last = PyBytes_FromStringAndSize((const char *)fb + space + 1, fe - space - 1);
        int r = last == NULL ? -1 : name_word_c(last, &x->c);
        int g = r > 0 ? in_set(x->c.given, last) : 0;
        Py_ssize_t text = text_of(his, nb, fs);
        if (r > 0 && g == 0 && text < nb) {
            key = Py_BuildValue("(nO)", text, last);
            if (key == NULL || PyDict_SetDefault(names, key, f) == NULL) r = -1;
        }
        Py_XDECREF(key);
        Py_XDECREF(last);
        if (r < 0 || g < 0) goto fail;
        continue;
    fail:
        Py_CLEAR(names);
    }
    return names;
}

/* lone_surnames(fb, new_people, bounds, (person ctx, CLITICS, PARTICLES, "PER", rule)) -> the
 * surnames found (entity_people.lone_surnames appends them to found) */
static PyObject *py_lone_surnames(PyObject *self, PyObject *args) {
    PyObject *fbo, *people, *bounds, *ctx, *pc, *names = NULL, *out = NULL, *key, *f;
    Py_ssize_t n, *los = NULL, *his = NULL, nb, pos = 0;
    const unsigned char *fb;
    lctx_t x;
    if (!PyArg_ParseTuple(args, "OO!O!O!", &fbo, &PyList_Type, &people, &PyList_Type, &bounds,
                          &PyTuple_Type, &ctx) ||
        get_buf(fbo, &fb, &n) < 0 || !ready() ||
        !PyArg_ParseTuple(ctx, "O!O!OOO", &PyTuple_Type, &pc, &PyTuple_Type, &x.clitics,
                          &x.particles, &x.per, &x.rule) ||
        parse_pctx(pc, &x.c) < 0)
        return NULL;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(x.clitics); i++)
        if (!PyBytes_Check(PyTuple_GET_ITEM(x.clitics, i))) {
            PyErr_SetString(PyExc_TypeError, "clitics: a tuple of bytes");
            return NULL;
        }
    nb = PyList_GET_SIZE(bounds);
    if (read_bounds(bounds, &los, &his, n) < 0 || (names = lone_names(fb, n, &x, people, his, nb)) == NULL)
        goto done;
    out = PyList_New(0);
    while (out != NULL && PyDict_Next(names, &pos, &key, &f)) {
        Py_ssize_t text = item_n(key, 0);
        PyObject *last = PyTuple_GET_ITEM(key, 1);
        if (lone_one(fb, n, &x, los[text], his[text], last, f, out) < 0) Py_CLEAR(out);
    }
done:
    Py_XDECREF(names);
    PyMem_Free(los);
    return out;
}

/* ------------------------------------------------------------------ given-name people */

/* given_people(fb, givens, (person ctx, AFTER_PLACE_WORD, "PER", rule)) -> the people found
 * (entity_people.given_people appends them to found and new_people) */
static PyObject *py_given_people(PyObject *self, PyObject *args) {
    PyObject *fbo, *givens, *ctx, *pc, *after_place, *per, *rule;
    pctx_t c;
    if (!PyArg_ParseTuple(args, "SO!O!", &fbo, &PyList_Type, &givens, &PyTuple_Type, &ctx) ||
        !PyArg_ParseTuple(ctx, "O!OOO", &PyTuple_Type, &pc, &after_place, &per, &rule) ||
        parse_pctx(pc, &c) < 0 || !ready())
        return NULL;
    const unsigned char *fb = (const unsigned char *)PyBytes_AS_STRING(fbo);
    Py_ssize_t n = PyBytes_GET_SIZE(fbo), last = -1;
    PyObject *out = PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < PyList_GET_SIZE(givens); i++) {
        PyObject *g = PyList_GET_ITEM(givens, i), *prev, *span, *name;
        Py_ssize_t s = PyTuple_Check(g) && PyTuple_GET_SIZE(g) == 2 ? item_n(g, 0) : -1;
        if (s < 0 || s >= n) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a given name is (start, end)");
            Py_CLEAR(out);
            break;
        }
        if (s < last) continue; /* a father's name inside the person just found */
        if ((prev = prev_word_c(fb, n, WORD_TABLE, s)) == NULL) {
            Py_CLEAR(out);
            break;
        }
        int in = in_set(after_place, prev); /* محافظة صلاح الدين */
        Py_DECREF(prev);
        if (in != 0) {
            if (in < 0) Py_CLEAR(out);
            continue;
        }
        if ((span = person_c(fbo, s, 0, &c)) == NULL) {
            Py_CLEAR(out);
            break;
        }
        if (span != Py_None) {
            Py_ssize_t s0 = item_n(span, 0), s1 = item_n(span, 1);
            last = s1;
            name = PyBytes_FromStringAndSize((const char *)fb + s0, s1 - s0);
            if (name == NULL || append_obj(out, found_tuple(s0, s1, -1, per, rule, name)) < 0)
                Py_CLEAR(out);
            Py_XDECREF(name);
        }
        Py_DECREF(span);
    }
    return out;
}

/* ------------------------------------------------------------------ context */

typedef struct {
    PyObject *shared, *particles, *keyword_before, *per, *r_gaz, *r_surname, *r_shared;
    const unsigned char *fb;
    Py_ssize_t n, nh, nt;
    Py_ssize_t *his, *title_ends; /* one allocation: his, then the titles' ends (sorted) */
    PyObject *named;              /* (text, entity) pairs as ints (named_key) */
} actx_t;

/* (text, entity) as one int, the text in the low bits: the set hashes ints by value and
 * probes by the low bits first, so keys that differ only in high bits would collide */
static PyObject *named_key(const actx_t *x, Py_ssize_t text, Py_ssize_t ent) {
    return PyLong_FromLongLong(((long long)ent + 1) * ((long long)x->nh + 1) + text);
}

/* 1 if (text, ent) is named (add: names it first), 0 if not, -1 on error */
static int named(const actx_t *x, Py_ssize_t text, Py_ssize_t ent, int add) {
    PyObject *k = named_key(x, text, ent);
    if (k == NULL) return -1;
    int r = add ? PySet_Add(x->named, k) : PySet_Contains(x->named, k);
    Py_DECREF(k);
    return r;
}

static PyObject *slice(const unsigned char *fb, Py_ssize_t a, Py_ssize_t b) {
    return PyBytes_FromStringAndSize((const char *)fb + a, b - a);
}

/* entity_rules.shared_by: the entities a surname two listed people share may be (new ref) */
static PyObject *shared_by_c(const actx_t *x, PyObject *f) {
    Py_ssize_t s = item_n(f, 0), e = item_n(f, 1);
    PyObject *k = PyBytes_FromStringAndSize(NULL, e - s);
    if (k == NULL) return NULL;
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(k);
    for (Py_ssize_t i = s; i < e; i++) p[i - s] = AUTO_TABLE[x->fb[i]];
    PyObject *v = PyDict_GetItemWithError(x->shared, k);
    Py_DECREF(k);
    if (v != NULL) return PySequence_Tuple(v);
    return PyErr_Occurred() ? NULL : PyTuple_Pack(1, PyTuple_GET_ITEM(f, 2));
}

/* entity_rules._shared: the person the text names in full, else one in no list */
static PyObject *shared_c(const actx_t *x, PyObject *f, Py_ssize_t text) {
    Py_ssize_t s = item_n(f, 0), e = item_n(f, 1), ent = -1;
    PyObject *ents = shared_by_c(x, f), *out = NULL, *name;
    int r = ents == NULL ? -1 : 0;
    for (Py_ssize_t i = 0; r == 0 && i < PyTuple_GET_SIZE(ents); i++) {
        ent = PyLong_AsSsize_t(PyTuple_GET_ITEM(ents, i));
        r = ent == -1 && PyErr_Occurred() ? -1 : named(x, text, ent, 0);
    }
    Py_XDECREF(ents);
    if (r < 0) return NULL;
    /* named: that person (no name of its own); else a person of that name in no list */
    name = r > 0 ? slice(x->fb, 0, 0) : slice(x->fb, s, e);
    if (name != NULL) out = found_tuple(s, e, r > 0 ? ent : -1, x->per, x->r_surname, name);
    Py_XDECREF(name);
    return out;
}

static int by_value(const void *pa, const void *pb) {
    Py_ssize_t a = *(const Py_ssize_t *)pa, b = *(const Py_ssize_t *)pb;
    return a < b ? -1 : a > b;
}

static int is_title_end(const actx_t *x, Py_ssize_t pos) {
    return bsearch(&pos, x->title_ends, x->nt, sizeof(Py_ssize_t), by_value) != NULL;
}

/* his and the titles' ends into C arrays */
static int read_context(actx_t *x, PyObject *his, PyObject *titles) {
    x->nh = PyList_GET_SIZE(his);
    x->nt = PyList_GET_SIZE(titles);
    x->his = PyMem_Malloc(sizeof(Py_ssize_t) * (x->nh + x->nt + 1));
    if (x->his == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    x->title_ends = x->his + x->nh;
    for (Py_ssize_t i = 0; i < x->nh; i++) x->his[i] = PyLong_AsSsize_t(PyList_GET_ITEM(his, i));
    for (Py_ssize_t i = 0; i < x->nt; i++) {
        PyObject *t = PyList_GET_ITEM(titles, i);
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3) {
            PyErr_SetString(PyExc_TypeError, "a title is (start, end, strong)");
            return -1;
        }
        x->title_ends[i] = item_n(t, 1);
    }
    if (PyErr_Occurred()) return -1;
    qsort(x->title_ends, x->nt, sizeof(Py_ssize_t), by_value);
    return 0;
}

/* The first two lines of accept_pending: the entities pending (and those a shared surname may
 * be), and the (text, entity) pairs the found mentions name by gazetteer or surname */
static int pending_named(actx_t *x, PyObject *pending, PyObject *found) {
    PyObject *ents = PySet_New(NULL);
    int r = ents == NULL ? -1 : 0;
    for (Py_ssize_t i = 0; r == 0 && i < PyList_GET_SIZE(pending); i++) {
        PyObject *f = PyList_GET_ITEM(pending, i), *sb;
        if ((r = check_found(f, x->n)) < 0 || (r = PySet_Add(ents, PyTuple_GET_ITEM(f, 2))) < 0)
            break;
        if (PyTuple_GET_ITEM(f, 4) != x->r_shared) continue;
        if ((sb = shared_by_c(x, f)) == NULL) r = -1;
        for (Py_ssize_t j = 0; r == 0 && j < PyTuple_GET_SIZE(sb); j++)
            r = PySet_Add(ents, PyTuple_GET_ITEM(sb, j));
        Py_XDECREF(sb);
    }
    for (Py_ssize_t i = 0; r == 0 && i < PyList_GET_SIZE(found); i++) {
        PyObject *f = PyList_GET_ITEM(found, i), *rule;
        if ((r = check_found(f, x->n)) < 0 || (r = PySet_Contains(ents, PyTuple_GET_ITEM(f, 2))) <= 0)
            continue;
        rule = PyTuple_GET_ITEM(f, 4);
        int g = PyObject_RichCompareBool(rule, x->r_gaz, Py_EQ);
        if (g == 0) g = PyObject_RichCompareBool(rule, x->r_surname, Py_EQ);
        r = g <= 0 ? g : named(x, text_of(x->his, x->nh, item_n(f, 0)), item_n(f, 2), 1);
    }
    Py_XDECREF(ents);
    return r < 0 ? -1 : 0;
}

/* (start, rest of f): f moved to start at its particle */
static PyObject *with_start(PyObject *f, Py_ssize_t start) {
    PyObject *t = PyTuple_New(6), *s = PyLong_FromSsize_t(start);
    if (t == NULL || s == NULL) {
        Py_XDECREF(t);
        Py_XDECREF(s);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, s);
    for (int i = 1; i < 6; i++) {
        Py_INCREF(PyTuple_GET_ITEM(f, i));
        PyTuple_SET_ITEM(t, i, PyTuple_GET_ITEM(f, i));
    }
    return untracked(t);
}

/* One pending mention (accept_pending's loop body): 1 accepted, 0 not (yet); *out: the
 * mention as it stands (moved to its particle), a new reference */
static int accept_one(const actx_t *x, PyObject *f, PyObject **out) {
    Py_ssize_t s = item_n(f, 0);
    *out = NULL;
    int per = PyObject_RichCompareBool(PyTuple_GET_ITEM(f, 3), x->per, Py_EQ), ok, in = 0;
    if (per < 0) return -1;
    ok = per && is_title_end(x, s - 1);
    PyObject *prev = prev_word_c(x->fb, x->n, WORD_TABLE, s), *kb;
    if (prev == NULL) return -1;
    if (per && (in = PySequence_Contains(x->particles, prev)) > 0) ok = 1;
    *out = in > 0 ? with_start(f, s - PyBytes_GET_SIZE(prev) - 1) : (Py_INCREF(f), f);
    if (in >= 0 && !ok && *out != NULL) {
        kb = PyObject_CallFunctionObjArgs(x->keyword_before, PyTuple_GET_ITEM(f, 3), prev, NULL);
        ok = kb == NULL ? -1 : PyObject_IsTrue(kb);
        Py_XDECREF(kb);
    }
    Py_DECREF(prev);
    if (in < 0 || *out == NULL) ok = -1;
    if (ok < 0) Py_CLEAR(*out);
    return ok;
}

static PyObject *accept_all(actx_t *x, PyObject *pending) {
    PyObject *out = PyList_New(0), *rest = PyList_New(0), *g;
    for (Py_ssize_t i = 0; out && rest && i < PyList_GET_SIZE(pending); i++) {
        PyObject *f = PyList_GET_ITEM(pending, i);
        Py_ssize_t text = text_of(x->his, x->nh, item_n(f, 0));
        if (PyTuple_GET_ITEM(f, 4) == x->r_shared) {
            if (append_obj(out, shared_c(x, f, text)) < 0) Py_CLEAR(out);
            continue;
        }
        int ok = accept_one(x, f, &g);
        if (ok > 0 && (PyList_Append(out, g) < 0 ||
                       named(x, text_of(x->his, x->nh, item_n(g, 0)), item_n(f, 2), 1) < 0))
            ok = -1;
        else if (ok == 0 && PyList_Append(rest, g) < 0) ok = -1;
        Py_XDECREF(g);
        if (ok < 0) Py_CLEAR(out);
    }
    for (Py_ssize_t i = 0; out && rest && i < PyList_GET_SIZE(rest); i++) {
        PyObject *f = PyList_GET_ITEM(rest, i);
        int r = named(x, text_of(x->his, x->nh, item_n(f, 0)), item_n(f, 2), 0);
        if (r < 0 || (r > 0 && PyList_Append(out, f) < 0)) Py_CLEAR(out);
    }
    if (rest == NULL) Py_CLEAR(out);
    Py_XDECREF(rest);
    return out;
}

/* accept_pending(fb, pending, found, titles, his, (shared, PARTICLES, keyword_before, "PER",
 * GAZETTEER, SURNAME, SHARED)) -> the mentions accepted (entity_rules.accept_pending appends
 * them to found) */
static PyObject *py_accept_pending(PyObject *self, PyObject *args) {
    PyObject *fbo, *pending, *found, *titles, *his, *ctx, *out = NULL;
    actx_t x = {0};
    if (!PyArg_ParseTuple(args, "SO!O!O!O!O!", &fbo, &PyList_Type, &pending, &PyList_Type,
                          &found, &PyList_Type, &titles, &PyList_Type, &his, &PyTuple_Type, &ctx) ||
        !PyArg_ParseTuple(ctx, "O!OOOOOO", &PyDict_Type, &x.shared, &x.particles,
                          &x.keyword_before, &x.per, &x.r_gaz, &x.r_surname, &x.r_shared) ||
        !ready())
        return NULL;
    x.fb = (const unsigned char *)PyBytes_AS_STRING(fbo);
    x.n = PyBytes_GET_SIZE(fbo);
    if (read_context(&x, his, titles) == 0 && (x.named = PySet_New(NULL)) != NULL &&
        pending_named(&x, pending, found) == 0)
        out = accept_all(&x, pending);
    Py_XDECREF(x.named);
    PyMem_Free(x.his);
    return out;
}

/* ------------------------------------------------------------------ keyword names */

typedef struct {
    pctx_t c;
    PyObject *nisba_words, *not_named, *club_keywords, *party, *org, *rule;
    const unsigned char *fb;
    Py_ssize_t n;
} kctx_t;

/* fb[a:b] is in `set` */
static int slice_in(PyObject *set, const unsigned char *fb, Py_ssize_t a, Py_ssize_t b) {
    PyObject *w = slice(fb, a, b);
    int r = w == NULL ? -1 : in_set(set, w);
    Py_XDECREF(w);
    return r;
}

static int starts_al(const unsigned char *fb, Py_ssize_t a, Py_ssize_t b) {
    return b - a >= 2 && fb[a] == 0xC7 && fb[a + 1] == 0xE1;
}

/* entity_rules._new_name_word(fb[a:b]) */
static int new_name_word_c(const kctx_t *x, Py_ssize_t a, Py_ssize_t b) {
    const unsigned char *fb = x->fb;
    if (b - a >= 2 && ((fb[a] == 0xE1 && fb[a + 1] == 0xE1) || (fb[a] == 0xC8 && fb[a + 1] == 0xC7)))
        return 0;
    PyObject *w = slice(fb, a, b);
    if (w == NULL) return -1;
    int r = in_set(x->c.given, w);
    if (r == 0) r = in_set(x->not_named, w);
    r = r != 0 ? (r < 0 ? -1 : 0) : name_word_c(w, &x->c);
    Py_DECREF(w);
    if (r <= 0) return r;
    r = auto_in(x->nisba_words, fb, a, b);
    return r < 0 ? -1 : !r;
}

/* entity_rules._club_adjective: -1 on error */
static Py_ssize_t club_adjective_c(const kctx_t *x, Py_ssize_t end) {
    const unsigned char *fb = x->fb;
    if (!(end + 1 < x->n && fb[end] == ' ' && is_part(fb[end + 1]))) return end;
    Py_ssize_t a = end + 1, b = word_end(fb, x->n, a);
    if (starts_al(fb, a, b) && fb[b - 1] == 0xED) {
        int r = auto_in(x->nisba_words, fb, a, b);
        if (r != 0) return r < 0 ? -1 : end;
        return b;
    }
    return end;
}

static int is_str(PyObject *o, const char *s) {
    return PyUnicode_Check(o) && PyUnicode_CompareWithASCIIString(o, s) == 0;
}

/* A keyword before a place already found: the club (keyword_names' first branch) */
static int keyword_club(const kctx_t *x, PyObject *found, Py_ssize_t i, Py_ssize_t s,
                        Py_ssize_t e, PyObject *typ) {
    PyObject *f = PyList_GET_ITEM(found, i), *name, *g = NULL;
    Py_ssize_t fs = item_n(f, 0), fe = item_n(f, 1), end;
    int r;
    if (!is_str(PyTuple_GET_ITEM(f, 3), "LOC")) return 0;
    if (is_str(typ, "CLUB")) { /* اتحاد طنجة: the club, with its word */
        if ((name = slice(x->fb, s, fe)) != NULL) g = found_tuple(s, fe, -1, x->org, x->rule, name);
    } else if ((r = slice_in(x->club_keywords, x->fb, s, e)) != 0) { /* فريق برشلونة */
        if (r < 0 || (end = club_adjective_c(x, fe)) < 0) return -1;
        name = end > fe ? slice(x->fb, fs, end) : (Py_INCREF(PyTuple_GET_ITEM(f, 5)), PyTuple_GET_ITEM(f, 5));
        if (name != NULL)
            g = found_tuple(fs, end, end == fe ? item_n(f, 2) : -1, x->org, x->rule, name);
    } else return 0;
    Py_XDECREF(name);
    return g == NULL ? -1 : PyList_SetItem(found, i, g);
}

/* One keyword (keyword_names' loop body); new mentions are appended to found */
static int keyword_one(const kctx_t *x, PyObject *kw, PyObject *found, PyObject *starts) {
    const unsigned char *fb = x->fb;
    Py_ssize_t s = item_n(kw, 0), e = item_n(kw, 1), a[2], b[2], nw = 0, pos = e;
    PyObject *typ = PyTuple_GET_ITEM(kw, 2), *key, *iv, *name;
    if (PyErr_Occurred() || s < 0 || e < s || e > x->n) return PyErr_Occurred() ? -1 : 0;
    for (; nw < 2 && pos + 1 < x->n && fb[pos] == ' ' && is_part(fb[pos + 1]); nw++)
        pos = b[nw] = word_end(fb, x->n, a[nw] = pos + 1);
    if (nw == 0) return 0;
    if ((key = PyLong_FromSsize_t(a[0])) == NULL) return -1;
    iv = PyDict_GetItemWithError(starts, key);
    Py_DECREF(key);
    if (iv != NULL) return keyword_club(x, found, PyLong_AsSsize_t(iv), s, e, typ);
    if (PyErr_Occurred()) return -1;
    if (is_str(typ, "HEAD")) { /* البنك التجاري: ال + an adjective in ي */
        if (!(starts_al(fb, a[0], b[0]) && fb[b[0] - 1] == 0xED)) return 0;
        if ((name = slice(fb, s, b[0])) == NULL) return -1;
        int r = append_obj(found, found_tuple(s, b[0], -1, x->org, x->rule, name));
        Py_DECREF(name);
        return r;
    }
    int r = is_str(typ, "CLUB") ? 0 : new_name_word_c(x, a[0], b[0]);
    if (r <= 0) return r;
    if (is_str(typ, "LOC") && fb[b[0] - 1] == 0xE5 && !starts_al(fb, a[0], b[0]))
        return 0; /* مدينة خامسة: an indefinite adjective, not a name */
    Py_ssize_t end = b[0], start;
    if (is_str(typ, "ORG") && nw > 1 && (r = new_name_word_c(x, a[1], b[1])) != 0) {
        if (r < 0) return -1;
        end = b[1]; /* صحيفة يديعوت أحرونوت */
    }
    if ((r = slice_in(x->party, fb, s, e)) < 0) return -1;
    start = r ? s : a[0]; /* حزب كاديما */
    if ((name = slice(fb, start, end)) == NULL) return -1;
    r = append_obj(found, found_tuple(start, end, -1, typ, x->rule, name));
    Py_DECREF(name);
    return r;
}

/* keyword_names(fb, keywords, found, (person ctx, nisba_words, NOT_NAMED, CLUB_KEYWORDS, PARTY,
 * "ORG", rule)): entity_rules.keyword_names, changing found in place as it does */
static PyObject *py_keyword_names(PyObject *self, PyObject *args) {
    PyObject *fbo, *keywords, *found, *ctx, *pc, *starts;
    kctx_t x;
    if (!PyArg_ParseTuple(args, "SO!O!O!", &fbo, &PyList_Type, &keywords, &PyList_Type, &found,
                          &PyTuple_Type, &ctx) ||
        !PyArg_ParseTuple(ctx, "O!OOOOOO", &PyTuple_Type, &pc, &x.nisba_words, &x.not_named,
                          &x.club_keywords, &x.party, &x.org, &x.rule) ||
        parse_pctx(pc, &x.c) < 0 || !ready() || (starts = PyDict_New()) == NULL)
        return NULL;
    x.fb = (const unsigned char *)PyBytes_AS_STRING(fbo);
    x.n = PyBytes_GET_SIZE(fbo);
    int r = 0;
    Py_ssize_t nf = PyList_GET_SIZE(found);
    for (Py_ssize_t i = 0; r == 0 && i < nf; i++) {
        PyObject *f = PyList_GET_ITEM(found, i), *iv;
        if ((r = check_found(f, x.n)) < 0 || (iv = PyLong_FromSsize_t(i)) == NULL) break;
        r = PyDict_SetItem(starts, PyTuple_GET_ITEM(f, 0), iv);
        Py_DECREF(iv);
    }
    for (Py_ssize_t i = 0; r == 0 && i < PyList_GET_SIZE(keywords); i++) {
        PyObject *kw = PyList_GET_ITEM(keywords, i);
        if (!PyTuple_Check(kw) || PyTuple_GET_SIZE(kw) != 3) {
            PyErr_SetString(PyExc_TypeError, "a keyword is (start, end, type)");
            r = -1;
        } else r = keyword_one(&x, kw, found, starts);
    }
    Py_DECREF(starts);
    if (r < 0 || PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ overlaps */

typedef struct {
    Py_ssize_t s, e, i; /* start, end, index in the sorted mentions */
} span_t;

/* _pick's order: longer first, then the earlier start, then the earlier mention (stable) */
static int by_length(const void *pa, const void *pb) {
    const span_t *a = pa, *b = pb;
    Py_ssize_t ka = a->s - a->e, kb = b->s - b->e;
    if (ka != kb) return ka < kb ? -1 : 1;
    if (a->s != b->s) return a->s < b->s ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* kept's order: by start (two kept mentions never share one), then the pick order */
static int by_start(const void *pa, const void *pb) {
    const span_t *a = pa, *b = pb;
    if (a->s != b->s) return a->s < b->s ? -1 : 1;
    return 0;
}

/* entity_rules._pick over found[first:last]: appends the mentions kept, sorted by start */
static int pick(PyObject *found, const span_t *sp, Py_ssize_t first, Py_ssize_t last,
                PyObject *out) {
    Py_ssize_t k = last - first, nk = 0;
    span_t *c = PyMem_Malloc(sizeof(span_t) * 2 * k);
    if (c == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    span_t *kept = c + k;
    memcpy(c, sp + first, sizeof(span_t) * k);
    qsort(c, k, sizeof(span_t), by_length);
    for (Py_ssize_t a = 0; a < k; a++) {
        int ok = 1;
        for (Py_ssize_t b = 0; b < nk && ok; b++)
            ok = c[a].e <= kept[b].s || c[a].s >= kept[b].e;
        if (ok) kept[nk++] = c[a];
    }
    qsort(kept, nk, sizeof(span_t), by_start);
    int r = 0;
    for (Py_ssize_t b = 0; b < nk && r == 0; b++)
        r = PyList_Append(out, PyList_GET_ITEM(found, kept[b].i));
    PyMem_Free(c);
    return r;
}

static int extend(PyObject *out, PyObject *found, Py_ssize_t a, Py_ssize_t b) {
    for (; a < b; a++)
        if (PyList_Append(out, PyList_GET_ITEM(found, a)) < 0) return -1;
    return 0;
}

static int read_spans(PyObject *found, span_t *sp, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *f = PyList_GET_ITEM(found, i);
        if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) < 2) {
            PyErr_SetString(PyExc_TypeError, "a mention is a tuple (start, end, ...)");
            return -1;
        }
        sp[i].s = PyLong_AsSsize_t(PyTuple_GET_ITEM(f, 0));
        sp[i].e = PyLong_AsSsize_t(PyTuple_GET_ITEM(f, 1));
        sp[i].i = i;
        if (PyErr_Occurred()) return -1;
    }
    return 0;
}

/* entity_rules.resolve_overlaps after its sort: `found` sorted by start */
static PyObject *py_resolve_sorted(PyObject *self, PyObject *found) {
    if (!PyList_Check(found)) {
        PyErr_SetString(PyExc_TypeError, "resolve_sorted takes a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(found), done = 0;
    span_t *sp = PyMem_Malloc(sizeof(span_t) * (n ? n : 1));
    Py_ssize_t *reach = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    PyObject *out = sp && reach ? PyList_New(0) : PyErr_NoMemory();
    if (out != NULL && read_spans(found, sp, n) < 0) Py_CLEAR(out);
    for (Py_ssize_t i = 0; out != NULL && i < n; i++)
        reach[i] = i == 0 || sp[i].e > reach[i - 1] ? sp[i].e : reach[i - 1];
    for (Py_ssize_t i = 1; out != NULL && i < n; i++) {
        if (!(sp[i].s < reach[i - 1]) || i < done) continue;
        Py_ssize_t first = i - 1, last = i + 1;
        while (first > done && sp[first].s < reach[first - 1]) first--;
        while (last < n && sp[last].s < reach[last - 1]) last++;
        if (extend(out, found, done, first) < 0 || pick(found, sp, first, last, out) < 0)
            Py_CLEAR(out);
        done = last;
    }
    if (out != NULL && extend(out, found, done, n) < 0) Py_CLEAR(out);
    PyMem_Free(sp);
    PyMem_Free(reach);
    return out;
}

static PyMethodDef methods[] = {
    {"person_at", py_person_at, METH_VARARGS, "entity_people.person_at"},
    {"title_people", py_title_people, METH_VARARGS, "entity_people.title_people's loop"},
    {"resolve_sorted", py_resolve_sorted, METH_O, "entity_rules.resolve_overlaps, sorted"},
    {"lone_surnames", py_lone_surnames, METH_VARARGS, "entity_people.lone_surnames"},
    {"given_people", py_given_people, METH_VARARGS, "entity_people.given_people's loop"},
    {"accept_pending", py_accept_pending, METH_VARARGS, "entity_rules.accept_pending"},
    {"keyword_names", py_keyword_names, METH_VARARGS, "entity_rules.keyword_names"},
    {"init", py_init, METH_VARARGS, "init(word, auto): the folded buffer's byte tables"},
    {"init_fold", py_init_fold, METH_VARARGS, "init_fold(enc, fold, delete): fold's tables"},
    {"fold", py_fold, METH_O, "entity_fold.fold_py: (folded bytes, byte marks, str marks)"},
    {"fold_auto", py_fold_auto, METH_O,
     "fold_auto(text) -> (folded, folded.translate(AUTO), byte marks, str marks, NUL offsets)"},
    {"prev_word", py_prev_word, METH_VARARGS, "entity_rules.prev_word"},
    {"words_from", py_words_from, METH_VARARGS, "entity_rules.words_from"},
    {"next_words", py_next_words, METH_VARARGS, "entity_rules.next_words"},
    {"sort_matches", py_sort_matches, METH_VARARGS,
     "sort_matches(fb, matches, ctx) -> (found, pending, titles, givens, keywords)"},
    {"split", py_split, METH_VARARGS,
     "split(found, items, bounds, marks, (ids, rule_id, EntityMention))"},
    {"split_columns", py_split_columns, METH_VARARGS,
     "split_columns(found, items, bounds, marks, (n_ids, rule_id)) -> Arrow buffers"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_entmatch",
    .m_doc = "The per-match and per-mention loops of transforms/entities.py (see there).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__entmatch(void) { return PyModule_Create(&module); }
