/* SPDX-License-Identifier: MIT */
/*
 * sim/: the bottom layer of vdcsim. The discrete-event engine (integer
 * nanosecond clock, events ordered by (time, sequence), O(1) cancel), named
 * random streams, diagnostics, the YAML configuration tree with its
 * declarative parameter tables and units, and the results store (SQLite,
 * CSV, gnuplot). Nothing here knows about hosts, VMs or models.
 */
#ifndef VDCSIM_SIM_H
#define VDCSIM_SIM_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

/* ------------------------------------------------------------------------
 * Errors: functions that can fail return 0 or one of these negative codes.
 * ------------------------------------------------------------------------ */

#define SIM_ERRORS(X)                                                          \
	X(SIM_EINPUT, -1, "invalid input")                                     \
	X(SIM_EIO, -2, "input/output error")                                   \
	X(SIM_ENOMEM, -3, "out of memory")                                     \
	X(SIM_EEXIST, -4, "already exists")                                    \
	X(SIM_ENOENT, -5, "not found")                                         \
	X(SIM_EDB, -6, "database error")                                       \
	X(SIM_ETOOL, -7, "external tool failed")                               \
	X(SIM_EINTR, -8, "interrupted")

enum sim_error {
#define SIM_ERROR_ENUM(name, value, text) name = value,
	SIM_ERRORS(SIM_ERROR_ENUM)
#undef SIM_ERROR_ENUM
};

/* Returns a static description of a code from SIM_ERRORS ("unknown error"
 * for anything else, "success" for 0). */
const char *sim_strerror(int code);

/* Prints "vdcsim: internal error: ..." with the caller's location and aborts.
 * For broken invariants only, never for user input. */
#define sim_panic(...) sim_panic_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void sim_panic_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation that cannot fail: on exhaustion it panics. Sizes are checked
 * for overflow. sim_xstrdup(NULL) returns NULL. */
void *sim_xmalloc(size_t bytes) __attribute__((returns_nonnull, malloc));
void *sim_xcalloc(size_t count, size_t bytes)
	__attribute__((returns_nonnull, malloc));
void *sim_xrealloc(void *ptr, size_t count, size_t bytes)
	__attribute__((returns_nonnull));
char *sim_xstrdup(const char *s);
char *sim_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------------
 * Diagnostics: user-facing errors collected as "FILE:LINE:COL: message"
 * lines, in the order reported.
 * ------------------------------------------------------------------------ */

typedef struct sim_diag {
	char *text;       /* NUL-terminated, one message per line; owned */
	size_t len, cap;
	unsigned errors;  /* messages reported so far */
} sim_diag;

/* Initialises an empty diagnostic list in caller storage. */
void sim_diag_init(sim_diag *d);
/* Frees the text. The struct may be initialised again. */
void sim_diag_fini(sim_diag *d);
/* Appends "file:line:col: message\n" (1-based line and column). A NULL
 * file gives "message\n" alone; line 0 gives "file: message\n". */
void sim_diag_error(sim_diag *d, const char *file, unsigned line, unsigned col,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sim_diag_verror(sim_diag *d, const char *file, unsigned line,
		     unsigned col, const char *fmt, va_list ap);
/* Appends every message of `from` to d as it is (each already a line of
 * its own), counting them, so that problems found by a nested load keep
 * their own positions instead of being quoted inside another message. */
void sim_diag_append(sim_diag *d, const sim_diag *from);

/* Decodes the UTF-8 sequence at p (at most n bytes, n >= 1): returns its
 * length (1 to 4) and sets *cp, or returns 0 if the bytes are not valid
 * UTF-8 (overlong forms, surrogates and values past U+10FFFF included). */
size_t sim_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

/* A new string holding s[0..n) (or the string s) fit for one line of a
 * terminal: \n \r \t written as such, other control bytes, DEL and bytes
 * that are not UTF-8 as \xNN, C1 and bidirectional controls (U+0080..9F,
 * U+200E/F, U+2028..202E, U+2066..2069) as \uNNNN. Every diagnostic goes
 * through it; printers of other user text call it. sim_escape(NULL) is "".
 * O(n). */
char *sim_escape_n(const char *s, size_t n);
char *sim_escape(const char *s);

/* The rule for every name a user gives (experiment.name, vms[].name):
 * they name directories and appear in SQLite, CSV cells, plot labels and
 * shell commands, so only characters that need no quoting anywhere are
 * taken, and none that a spreadsheet reads as a formula (= + - @) or a
 * shell as an option (-) can come first. */
#define SIM_NAME_MAX 64
#define SIM_NAME_RULE                                                          \
	"1 to 64 characters from A-Z a-z 0-9 _ - ., the first a letter, a "   \
	"digit or _"
/* True if s follows SIM_NAME_RULE. */
bool sim_name_is_valid(const char *s);

/* Returns the edit distance (Levenshtein, insert/delete/substitute cost 1)
 * between a and b. O(|a|·|b|). */
size_t sim_edit_distance(const char *a, const char *b);
/* Returns the candidate nearest to word by edit distance if it is at most
 * max(2, |word|/3) away, else NULL. Ties go to the earliest candidate.
 * candidates is NULL-terminated. */
const char *sim_suggest(const char *word, const char *const *candidates);

/* 64-bit FNV-1a of bytes; the hash recorded for configs. */
uint64_t sim_hash64(const void *bytes, size_t len);
/* The same hash over several pieces: start from SIM_HASH64_INIT and pass
 * each piece with the hash so far; sim_hash64(b, n) is
 * sim_hash64_more(SIM_HASH64_INIT, b, n). */
#define SIM_HASH64_INIT UINT64_C(14695981039346656037)
uint64_t sim_hash64_more(uint64_t h, const void *bytes, size_t len);

/* ------------------------------------------------------------------------
 * Output files. Every file vdcsim writes goes through here: the bytes go
 * to a new temporary beside the destination (".NAME.<random>.tmp", made
 * with O_CREAT|O_EXCL|O_NOFOLLOW, so nothing planted under a predictable
 * name is followed or reused), are synced, and the temporary is renamed
 * over the destination only if that is absent or, with SIM_FILE_REPLACE,
 * a regular file. A symbolic link, device, FIFO, socket or directory at
 * the destination is never written through or replaced. A failed write
 * leaves the destination as it was and no temporary behind. ENOSPC and
 * EDQUOT are reported as a full disk.
 * ------------------------------------------------------------------------ */

/* sim_file_open flag: an existing regular file may be replaced. Without
 * it an existing file is SIM_EEXIST, and the final rename refuses a file
 * that appeared meanwhile (RENAME_NOREPLACE). */
#define SIM_FILE_REPLACE 1u

typedef struct sim_file {
	int fd;          /* the temporary, open for writing; -1 when closed */
	char *path;      /* the destination; owned */
	char *tmp;       /* the temporary's name; owned */
	unsigned flags;
	FILE *stream;    /* from sim_file_stream, or NULL */
} sim_file;

/* Checks that path may be written with flags: absent, or a regular file
 * and SIM_FILE_REPLACE. Reports "path: is a device (refusing ...)" and
 * returns SIM_EINPUT for anything else at path, SIM_EEXIST for a regular
 * file without the flag. Callers check early so that bad input fails
 * before any work; sim_file_open and sim_file_commit check again. */
int sim_file_check_target(const char *path, unsigned flags, sim_diag *d);
/* Checks the destination and creates its temporary in caller storage f.
 * Returns 0, or an error from sim_file_check_target, or SIM_EIO ("path:
 * cannot create: ...") with f closed. */
int sim_file_open(sim_file *f, const char *path, unsigned flags,
		  sim_diag *d);
/* A stdio stream over the temporary (opened once, owned by f); NULL only
 * when out of memory. Write errors on it are found by sim_file_commit. */
FILE *sim_file_stream(sim_file *f);
/* Writes len bytes to the temporary (not mixed with the stream). On error
 * reports it, aborts f and returns SIM_EIO. */
int sim_file_write(sim_file *f, const void *data, size_t len, sim_diag *d);
/* Flushes, syncs and closes the temporary, checks the destination again
 * and renames the temporary over it (then syncs the folder). Returns 0 or
 * an error reported in d, after which the temporary is gone and the
 * destination untouched. Closes f in every case. */
int sim_file_commit(sim_file *f, sim_diag *d);
/* Closes f and removes its temporary; a closed f is a no-op. */
void sim_file_abort(sim_file *f);
/* sim_file_open + sim_file_write + sim_file_commit of one buffer. */
int sim_file_put(const char *path, const void *data, size_t len,
		 unsigned flags, sim_diag *d);
/* Renames from to to: over an existing entry if replace, else never
 * (RENAME_NOREPLACE, or link + unlink where a file system lacks it), for
 * files and directories alike. Returns 0, SIM_EEXIST or SIM_EIO. */
int sim_path_rename(const char *from, const char *to, bool replace,
		    sim_diag *d);
/* Reports "path: cannot <doing>: <why>" for errno err, saying that the
 * disk is full for ENOSPC, EDQUOT and EFBIG (a file size limit). Returns
 * SIM_EIO. */
int sim_file_io_error(sim_diag *d, const char *path, const char *doing,
		      int err);
/* True if the file system holding open descriptor fd has no block left
 * that this process may use (how a tool's silent write failure shows). */
bool sim_fs_is_full(int fd);

/* ------------------------------------------------------------------------
 * Time: uint64_t nanoseconds everywhere. Adds saturate at SIM_TIME_MAX.
 * ------------------------------------------------------------------------ */

#define SIM_TIME_MAX UINT64_MAX
#define SIM_NS(x) ((uint64_t)(x))
#define SIM_US(x) ((uint64_t)(x) * UINT64_C(1000))
#define SIM_MS(x) ((uint64_t)(x) * UINT64_C(1000000))
#define SIM_S(x) ((uint64_t)(x) * UINT64_C(1000000000))

/* a + b, or SIM_TIME_MAX if that overflows. */
static inline uint64_t sim_time_add(uint64_t a, uint64_t b)
{
	return a > SIM_TIME_MAX - b ? SIM_TIME_MAX : a + b;
}

/* ------------------------------------------------------------------------
 * Priority queue of (time, seq) keys with a 32-bit value, popped in
 * lexicographic (time, seq) order. The engine's queue (a ladder queue, see
 * sim/queue.c); public so that the benchmark and models can use it.
 * ------------------------------------------------------------------------ */

typedef struct sim_queue sim_queue;

/* Creates an empty queue. */
sim_queue *sim_queue_create(void);
/* Frees the queue; NULL is a no-op. */
void sim_queue_destroy(sim_queue *q);
/* Inserts a key. Keys must be distinct in seq. Amortised O(1) expected for
 * the engine's access patterns; see sim/queue.c for the structure. A pushed
 * time earlier than the last popped time is allowed (the queue stays
 * correct) and costs O(log n). */
void sim_queue_push(sim_queue *q, uint64_t time_ns, uint64_t seq,
		    uint32_t value);
/* Removes the least key into the out-parameters; returns false when empty.
 * Any out-parameter may be NULL. */
bool sim_queue_pop(sim_queue *q, uint64_t *time_ns, uint64_t *seq,
		   uint32_t *value);
/* Reads the least key without removing it; false when empty. May
 * reorganise internal buckets (amortised as pop). */
bool sim_queue_peek(sim_queue *q, uint64_t *time_ns, uint64_t *seq,
		    uint32_t *value);
/* Number of keys held. */
size_t sim_queue_len(const sim_queue *q);

/* ------------------------------------------------------------------------
 * Engine
 * ------------------------------------------------------------------------ */

typedef struct sim_engine sim_engine;
typedef struct sim_model sim_model;

/* Largest payload copied into an event. */
#define SIM_PAYLOAD_MAX 48

/* An event handle: 0 is "no event". Stale handles (executed or cancelled
 * events) are detected, never confused with newer events. */
typedef uint64_t sim_event_id;

/* A model plugs into the engine as a static const table. The engine
 * allocates state_size zeroed bytes of state for each instance and passes
 * them back to the hooks. */
typedef struct sim_model_ops {
	const char *name;
	size_t state_size;
	/* Runs one event of this model: kind and payload as scheduled. */
	void (*handle)(sim_engine *e, sim_model *m, void *state, uint32_t kind,
		       const void *payload);
	/* Releases what the state holds (not the state itself); may be NULL. */
	void (*fini)(void *state);
} sim_model_ops;

/* Creates an engine at time 0 with no events. */
sim_engine *sim_engine_create(void);
/* Destroys the engine, its pending events, and every model (calling fini).
 * NULL is a no-op. */
void sim_engine_destroy(sim_engine *e);

/* Adds a model instance; returns it. The ops table is borrowed (it must
 * outlive the engine); the state is owned by the engine. */
sim_model *sim_model_add(sim_engine *e, const sim_model_ops *ops);
/* The instance's state. */
void *sim_model_state(sim_model *m);

/* Schedules an event for model m at absolute time at_ns >= sim_now(e);
 * copies payload_bytes <= SIM_PAYLOAD_MAX bytes of payload. Events at the
 * same time run in the order they were scheduled. Returns its handle.
 * Panics if at_ns is in the past or the payload is too large. */
sim_event_id sim_event_schedule(sim_engine *e, sim_model *m, uint64_t at_ns,
				uint32_t kind, const void *payload,
				size_t payload_bytes);
/* Schedules an event as sim_event_schedule does (same checks, panics and
 * order: posts and schedules share one sequence), without a handle, so
 * that it cannot be cancelled. For the events that are never cancelled,
 * most of them: one whose payload is at most 4 bytes (with a kind below
 * 2^16 and a model among the first 2^16 - 1 added) travels whole in its
 * queue key and costs no per-event state; any other goes where
 * sim_event_schedule puts it. */
void sim_event_post(sim_engine *e, sim_model *m, uint64_t at_ns,
		    uint32_t kind, const void *payload, size_t payload_bytes);
/* Cancels a pending event in O(1) (it is marked and dropped when it reaches
 * the head of the queue). Returns true if it was pending, false if it had
 * run, was cancelled already, or id is 0. */
bool sim_event_cancel(sim_engine *e, sim_event_id id);
/* True if the event is scheduled and has neither run nor been cancelled. */
bool sim_event_is_pending(const sim_engine *e, sim_event_id id);

/* The current simulated time. */
uint64_t sim_now(const sim_engine *e);
/* Runs events in (time, seq) order while their time is <= until_ns and
 * sim_stop has not been called. Afterwards now = until_ns if the queue ran
 * dry or the next event is later (unless until_ns is SIM_TIME_MAX, when now
 * stays at the last event's time). Returns 0, or SIM_EINTR if stopped. */
int sim_run_until(sim_engine *e, uint64_t until_ns);
/* Runs until no events remain or sim_stop. Returns as sim_run_until. */
int sim_run(sim_engine *e);
/* Asks the running loop to return after the current event. */
void sim_stop(sim_engine *e);
/* Events executed so far (cancelled events are not counted). */
uint64_t sim_events_executed(const sim_engine *e);
/* Events scheduled and not yet executed or cancelled. */
size_t sim_events_pending(const sim_engine *e);

/* Calls fn(ctx, e) every `every` executed events (>= 1) from inside the
 * run loop; fn must not schedule or cancel, but may call sim_stop (how a
 * caller honours Ctrl-C). The engine never reads a clock: wall-time
 * progress lives in the caller. fn NULL turns it off. */
void sim_engine_set_progress(sim_engine *e,
			     void (*fn)(void *ctx, sim_engine *e),
			     void *ctx, uint64_t every);

/* Makes the run loop read *flag after every event (one load): when it is
 * non-zero, fn(ctx, e) runs under the same rules as a progress callback
 * (no scheduling or cancelling; it may call sim_stop and should clear the
 * flag). For flags that a signal handler or an interval timer sets, so
 * that a caller reacts within one event of a signal or a wall-clock tick
 * rather than every N events. flag or fn NULL turns it off. */
void sim_engine_set_attention(sim_engine *e, volatile sig_atomic_t *flag,
			      void (*fn)(void *ctx, sim_engine *e),
			      void *ctx);

/* ------------------------------------------------------------------------
 * Random streams. A stream is a GSL mt19937 generator seeded from
 * (master seed, stream name): see sim_rng_seed for the derivation, which
 * SIM_RNG_DERIVATION describes in words for the results database. Streams
 * are independent of the order in which they are created.
 * ------------------------------------------------------------------------ */

#define SIM_RNG_DERIVATION                                                     \
	"gsl_rng_mt19937 seeded with the low 32 bits (0 mapped to 1) of "     \
	"splitmix64(master_seed XOR fnv1a64(stream_name)); replication r>0 of " \
	"a sweep point runs with master seed splitmix64(seed + r) with its "   \
	"top bit cleared"

/* The seed of stream `name` under master seed `master` (never 0). */
uint32_t sim_rng_seed(uint64_t master, const char *name);
/* Creates the generator of stream `name`; the caller destroys it with
 * gsl_rng_free. */
gsl_rng *sim_rng_stream(uint64_t master, const char *name);
/* The SplitMix64 mixing function of x (Vigna's splitmix64 output step
 * without the 0x9e3779b97f4a7c15 increment): z = (x ^ x>>30) *
 * 0xbf58476d1ce4e5b9; z = (z ^ z>>27) * 0x94d049bb133111eb; z ^ z>>31.
 * A bijection on 64 bits; sim_splitmix64(0) = 0. */
uint64_t sim_splitmix64(uint64_t x);
/* Master seed of replication r of an experiment with seed `seed`: seed
 * itself for r = 0, else splitmix64(seed + r) with its top bit cleared, so
 * that every replication's seed lies in 0 ..= 2^63 - 1, the range of
 * experiment.seed: run alone with that seed, replication r repeats. */
uint64_t sim_rng_replication_seed(uint64_t seed, uint32_t r);

/* ------------------------------------------------------------------------
 * Configuration tree. A YAML file parsed with libyaml into nodes that keep
 * their position. Anchors and aliases are expanded (an alias to an anchor
 * still open is an "alias loop" error); duplicate keys, non-scalar keys,
 * tags other than the core schema, multiple documents, invalid UTF-8 and
 * inputs over CFG_MAX_BYTES or expanding past CFG_MAX_NODES nodes (or past
 * CFG_MAX_BYTES of scalar text) are errors. All nodes belong to their
 * document.
 * ------------------------------------------------------------------------ */

#define CFG_MAX_BYTES ((size_t)64 << 20)
#define CFG_MAX_NODES ((size_t)4 << 20)
#define CFG_MAX_DEPTH 64

typedef enum cfg_kind { CFG_SCALAR, CFG_MAP, CFG_SEQ } cfg_kind;

typedef struct cfg_doc cfg_doc;
typedef struct cfg_node cfg_node;

/* Parses text (len bytes, need not be NUL-terminated) named `file` in
 * messages. On success *out is a new document (an empty input is an error:
 * "empty configuration (expected a mapping of sections)"). On error returns
 * SIM_EINPUT with messages in d and *out NULL. */
int cfg_doc_parse(const char *file, const char *text, size_t len,
		  cfg_doc **out, sim_diag *d);
/* Reads path and parses it; I/O errors are reported as "path: message". */
int cfg_doc_load(const char *path, cfg_doc **out, sim_diag *d);
/* A deep copy (positions kept). */
cfg_doc *cfg_doc_clone(const cfg_doc *doc);
/* Frees the document and all its nodes; NULL is a no-op. */
void cfg_doc_destroy(cfg_doc *doc);
/* The root node (never NULL for a parsed document). */
const cfg_node *cfg_doc_root(const cfg_doc *doc);

/* Replaces or inserts the node at a dotted path ("a.b.3.c": map keys, or
 * sequence indices that must exist) with a deep copy of `value`, which may
 * belong to another document. Missing intermediate map keys are created.
 * Errors (a path through a scalar, an index out of range) are reported at
 * the value's position with `what` naming the override. */
int cfg_doc_set(cfg_doc *doc, const char *path, const cfg_node *value,
		const char *what, sim_diag *d);
/* As cfg_doc_set, but a map key it creates for the last component of the
 * path takes the position of `key` (a node of any document: the key the
 * user wrote), so that a later "unknown key" points at the key, not the
 * value. key NULL: exactly cfg_doc_set. */
int cfg_doc_set_keyed(cfg_doc *doc, const char *path, const cfg_node *key,
		      const cfg_node *value, const char *what, sim_diag *d);
/* Parses "path=VALUE" (VALUE read as a YAML flow node, positions reported
 * as file `--set` with columns counted in the whole argument; an empty
 * VALUE is a null) and applies it as cfg_doc_set. A missing '=' or an empty
 * path is reported as "--set: ... (expected PATH=VALUE)". */
int cfg_doc_set_arg(cfg_doc *doc, const char *arg, sim_diag *d);
/* Removes a top-level key if present (used to take `sweep:` out of a
 * point's configuration). */
void cfg_doc_remove_top(cfg_doc *doc, const char *key);
/* Writes the tree as canonical block YAML (keys in document order, scalars
 * quoted where needed) into a new NUL-terminated string. Parsing the output
 * gives the same tree. Deterministic. */
char *cfg_doc_emit(const cfg_doc *doc);
/* Writes one node as a one-line flow YAML string (for sweep columns). */
char *cfg_node_emit_flow(const cfg_node *n);

cfg_kind cfg_node_kind(const cfg_node *n);
/* Entries of a map or items of a sequence; 0 for a scalar. */
size_t cfg_node_len(const cfg_node *n);
/* Item i of a sequence, or value i of a map; NULL if i is out of range. */
const cfg_node *cfg_node_at(const cfg_node *n, size_t i);
/* Key i of a map (a scalar node, for its text and position). */
const cfg_node *cfg_node_key(const cfg_node *n, size_t i);
/* The value under key in a map, or NULL (also when n is not a map). */
const cfg_node *cfg_map_get(const cfg_node *n, const char *key);
/* The text of a scalar (NUL-terminated; NULL for maps and sequences). */
const char *cfg_node_text(const cfg_node *n);
/* True if the scalar was written quoted (then it is always a string). */
bool cfg_node_is_quoted(const cfg_node *n);
/* Position of the node's first character (1-based) and its file name. */
const char *cfg_node_file(const cfg_node *n);
unsigned cfg_node_line(const cfg_node *n);
unsigned cfg_node_col(const cfg_node *n);
/* Human name of a node's kind for messages: "a mapping", "a sequence",
 * "a scalar". */
const char *cfg_kind_name(cfg_kind k);
/* Reports at the node's position. */
void cfg_error(sim_diag *d, const cfg_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------
 * Units and typed values. All parsing is exact integer arithmetic where
 * the result is an integer; fractional inputs ("1.5GiB") are allowed and
 * must come out whole in the base unit (bytes, bit/s, ns) after rounding to
 * nearest is within 1e-9 relative; otherwise an error.
 *   bytes: B kB MB GB TB (10^3..) KiB MiB GiB TiB (2^10..); bare number = B;
 *          below 2^63 (what results store exactly); CFG_T_POW2 sizes must
 *          also be powers of two
 *   rate:  bit/s kbit/s Mbit/s Gbit/s Tbit/s Kibit/s Mibit/s Gibit/s B/s kB/s
 *          MB/s GB/s KiB/s MiB/s GiB/s; stored in bit/s; bare number refused
 *   time:  ns us ms s min h; stored in ns; bare number refused
 *   percent: "50%" or a bare fraction is refused: stored as the fraction 0.5
 * ------------------------------------------------------------------------ */

typedef enum cfg_type {
	CFG_T_BOOL,    /* bool: true/false */
	CFG_T_INT,     /* int64_t */
	CFG_T_UINT,    /* uint64_t */
	CFG_T_FLOAT,   /* double, finite */
	CFG_T_BYTES,   /* uint64_t bytes */
	CFG_T_POW2,    /* uint64_t bytes, a power of two (page, block sizes) */
	CFG_T_RATE,    /* uint64_t bit/s */
	CFG_T_TIME,    /* uint64_t ns */
	CFG_T_PERCENT, /* double fraction */
	CFG_T_STRING,  /* const char *, borrowed from the document */
	CFG_T_ENUM,    /* int, index into choices */
} cfg_type;

/* The unit a type is stored in, for `vdcsim params` ("B", "bit/s", "ns",
 * "%", or "" for unitless types). */
const char *cfg_type_unit(cfg_type t);
/* The type's name for messages ("a size such as 512MiB", "an integer"). */
const char *cfg_type_expect(cfg_type t);

/* Each parser returns 0, or SIM_EINPUT with a static explanation in *why
 * saying what was expected ("unknown unit 'Mb' (expected one of B, kB, ...)"). */
int cfg_parse_bytes(const char *s, uint64_t *out, const char **why);
int cfg_parse_pow2(const char *s, uint64_t *out, const char **why);
int cfg_parse_rate(const char *s, uint64_t *out, const char **why);
int cfg_parse_time(const char *s, uint64_t *out, const char **why);
int cfg_parse_percent(const char *s, double *out, const char **why);
int cfg_parse_int(const char *s, int64_t *out, const char **why);
int cfg_parse_uint(const char *s, uint64_t *out, const char **why);
int cfg_parse_float(const char *s, double *out, const char **why);
int cfg_parse_bool(const char *s, bool *out, const char **why);

/* ------------------------------------------------------------------------
 * Parameter tables: each module declares its parameters once; the loader
 * validates a mapping against the table and fills a struct, and `vdcsim
 * params` prints the same table.
 * ------------------------------------------------------------------------ */

typedef struct cfg_param {
	const char *name;            /* key in its mapping */
	cfg_type type;
	const char *def;             /* default in config syntax; NULL = required */
	const char *min, *max;       /* inclusive bounds in config syntax; NULL = none */
	const char *const *choices;  /* CFG_T_ENUM: NULL-terminated */
	size_t offset;               /* offsetof the field in the target struct */
	const char *doc;             /* one line */
} cfg_param;

typedef struct cfg_section {
	const char *path;            /* as users write it: "datacenter.host", "vms[]" */
	const char *doc;             /* one line */
	const cfg_param *params;
	size_t nparams;
	/* Keys the caller handles itself (nested sections), NULL-terminated or
	 * NULL; they are not "unknown" and take part in suggestions. */
	const char *const *subsections;
} cfg_section;

/* Validates mapping `map` (NULL means absent: every default applies) against
 * s and writes each parameter into out + offset. Reports, each at its node:
 * a non-mapping, unknown keys (with the nearest known key suggested),
 * values of the wrong type or unit, values out of [min, max], and missing
 * required parameters (at the mapping, or at `where` when map is NULL).
 * Returns 0 or SIM_EINPUT after reporting every problem found. */
int cfg_section_load(const cfg_section *s, const cfg_node *map,
		     const cfg_node *where, void *out, sim_diag *d);
/* Parses one scalar node as parameter p into out + p->offset, checking the
 * range; reports at the node. */
int cfg_param_load(const cfg_param *p, const cfg_node *n, void *out,
		   sim_diag *d);
/* As cfg_param_load for a parameter p of section s, whose messages name
 * it by its full path (s->path + "." + name, as cfg_section_load does). */
int cfg_section_param_load(const cfg_section *s, const cfg_param *p,
			   const cfg_node *n, void *out, sim_diag *d);
/* Checks the table itself: defaults and bounds parse and defaults lie in
 * range. Returns 0 or panics naming the bad entry (a programming error). */
void cfg_section_check(const cfg_section *s);

/* ------------------------------------------------------------------------
 * Results: one SQLite database per run or sweep. Tables are declared with
 * typed columns; every model table gets a leading `run_id` column filled
 * from the current run. CSV export writes RFC 4180 (CRLF, quotes doubled).
 * ------------------------------------------------------------------------ */

/* 2: runs.config_hash refers to a `configs` table (hash TEXT PRIMARY KEY,
 * text) holding each distinct config once, instead of a config column in
 * every runs row. */
/* 3: links.from and links.to are links.source and links.destination (no
 * column is named by an SQL keyword); runs has a typed twin of each swept
 * column of numbers or quantities (vms_0_memory_bytes); summary. */
#define SIM_RESULTS_SCHEMA_VERSION 3
#define SIM_RESULTS_SCHEMA_VERSION_TEXT "3"

typedef enum sim_col_type { SIM_COL_INT, SIM_COL_REAL, SIM_COL_TEXT } sim_col_type;

typedef struct sim_column {
	const char *name;
	sim_col_type type;
	const char *unit;  /* "B", "ns", "bit/s", ... or "" */
	const char *doc;   /* one line */
} sim_column;

typedef struct sim_table {
	const char *name;
	const char *doc;
	const sim_column *cols;  /* not counting run_id */
	size_t ncols;
} sim_table;

typedef union sim_value {
	int64_t i;
	double r;
	const char *s;  /* NULL stores SQL NULL */
} sim_value;

typedef struct sim_results sim_results;

/* Creates a new database file at path (which must not exist), with the
 * schema version in PRAGMA user_version and a `meta` table (key, value).
 * Returns 0 or SIM_EEXIST/SIM_EDB with a message in d. */
int sim_results_create(const char *path, sim_results **out, sim_diag *d);
/* Opens an existing database for reading and merging. */
int sim_results_open(const char *path, sim_results **out, sim_diag *d);
/* Commits and closes; returns 0 or SIM_EDB. NULL is a no-op. */
int sim_results_close(sim_results *r, sim_diag *d);
/* Removes everything written since create/open without closing cleanly
 * (used on errors); NULL is a no-op. */
void sim_results_abort(sim_results *r);

/* Stores meta key = value (replacing). */
int sim_results_meta(sim_results *r, const char *key, const char *value,
		     sim_diag *d);
/* Sets the run_id that sim_results_row stores in each row. */
void sim_results_set_run(sim_results *r, int64_t run_id);
/* Creates table t (with the leading run_id INTEGER column) if it does not
 * exist; documents its columns in the `columns` table (table, column,
 * type, unit, doc). The definition is borrowed until close. */
int sim_results_declare(sim_results *r, const sim_table *t, sim_diag *d);
/* Creates a table without the automatic run_id column (the `runs` table). */
int sim_results_declare_plain(sim_results *r, const sim_table *t, sim_diag *d);
/* As sim_results_declare_plain, with the first column the PRIMARY KEY: a
 * row whose key is already stored is not added (the first one stays), in
 * sim_results_row and in merges. */
int sim_results_declare_keyed(sim_results *r, const sim_table *t, sim_diag *d);
/* Appends one row: values[i] matches t->cols[i]. t must be declared. */
int sim_results_row(sim_results *r, const sim_table *t, const sim_value *values,
		    sim_diag *d);
/* Appends every row of every table of the database at src_path into r,
 * tables in name order, rows in rowid order, creating tables that r lacks
 * (same columns, primary key included); `meta` rows of src are ignored,
 * rows of keyed tables whose key r has are skipped. The source is
 * ATTACHed and each table copied by one INSERT ... SELECT; SQLite attaches
 * only outside a transaction, so what r holds is committed first and the
 * merge is a transaction of its own (a failing merge adds nothing; an
 * abort afterwards removes a created file, but leaves an opened one with
 * what was committed). Deterministic. */
int sim_results_merge(sim_results *r, const char *src_path, sim_diag *d);
/* Statistics of n values (sim_summary_stats): mean, sample standard
 * deviation, range and the 95 % confidence interval of the mean from
 * Student's t with n - 1 degrees of freedom (sd and interval only when
 * n >= 2: has_sd). */
typedef struct sim_summary_row {
	int64_t n;
	double mean, sd, min, max, ci_low, ci_high;
	bool has_sd;
} sim_summary_row;
/* Fills out from x[0..n) (n may be 0: all zero). O(n), one pass
 * (Welford's update). */
void sim_summary_stats(const double *x, size_t n, sim_summary_row *out);

/* What to summarise of one result table: its entities are told apart by
 * the key columns, and each metric column is summarised per (point,
 * entity) over the point's replications. Borrowed strings. */
typedef struct sim_summary_spec {
	const char *table;
	const char *const *keys;
	size_t nkeys;
	const char *const *metrics;
	size_t nmetrics;
} sim_summary_spec;
/* Writes the `summary` table of r (created if missing, without a run_id
 * column): for each spec whose table exists, each metric, each sweep point
 * (runs.point) and each entity, one row of sim_summary_stats over the
 * non-NULL values, in the order (spec, metric, point, key). Deterministic.
 * 0 or SIM_EDB. */
int sim_results_summarize(sim_results *r, const sim_summary_spec *specs,
			  size_t nspecs, sim_diag *d);

/* Writes DIR/<table>.csv for every table (including runs, columns and
 * meta), header row first, rows in rowid order. Reals printed with the
 * shortest of %.15g, %.16g, %.17g that reads back as the same double;
 * NULL as an empty field. */
int sim_results_export_csv(sim_results *r, const char *dir, sim_diag *d);

/* Renders every plots/NAME.gp in scripts_dir whose first lines declare
 * "# needs: table[, table...]" tables that exist as non-empty CSVs in
 * data_dir, and whose "# when: SELECT ..." (if any) is true on
 * data_dir/results.sqlite (see sim_plots_list), into out_dir/NAME.png|svg (terminal pngcairo or svg, chosen by
 * svg). gnuplot runs with data_dir as its working directory (scripts open
 * './NAME.csv'), the script given by absolute path, and -e "datadir='.';
 * outfile='/dev/fd/3'; svg=0|1" and the label functions text_bps(x),
 * text_bytes(x), text_ns(x), text_frac(x), text_num(x), fmt_*(x) and
 * point_text(p) (swept values as the user wrote them, read from data_dir's
 * runs table) and point_keys (the swept paths, in point_text's order; ''
 * without a sweep
 * runs table; sim_internal.h, sim_plots_prelude), where descriptor 3 is a temporary made by
 * sim_file_open: no folder or file name is ever text to gnuplot, so any
 * name works. Each plot replaces an older regular file of its name. If
 * gnuplot is not on PATH, writes nothing, sets *skipped and returns 0 (the
 * caller says plots were skipped and how to install gnuplot). *made counts
 * plots written. A failing script, or one still running after timeout_ns
 * (0: no limit; then killed), has one message naming it, the other
 * scripts are still drawn, and SIM_ETOOL is returned; a full disk returns
 * SIM_EIO saying so (and draws no more). If stop is not NULL, it is
 * read at least every 100 ms while gnuplot runs: once it is nonzero,
 * gnuplot is killed, its plot left out, and SIM_EINTR returned (a signal
 * handler sets it; the caller decides what the signal means); a gnuplot
 * that failed or died (say of the same signal) while it was set also
 * returns SIM_EINTR, not SIM_ETOOL. */
int sim_plots_render_timeout(const char *scripts_dir, const char *data_dir,
			     const char *out_dir, bool svg,
			     uint64_t timeout_ns,
			     const volatile sig_atomic_t *stop, unsigned *made,
			     bool *skipped, sim_diag *d);
/* The default limit of one gnuplot run, and the environment variable (a
 * time such as 90s; 0s for none) with which vdcsim's commands change it. */
#define SIM_PLOTS_TIMEOUT_NS SIM_S(60)
#define SIM_PLOTS_TIMEOUT_ENV "VDCSIM_GNUPLOT_TIMEOUT"
/* Which scripts of scripts_dir apply to the results in data_dir, as
 * sim_plots_render decides (tables with rows for "# needs:", a true first
 * value for "# when: SELECT ..." run read-only on data_dir/results.sqlite),
 * in name order: *out is a new array of *n entries (name without .gp, and
 * the reason it does not apply) for sim_plots_list_free. A when: query
 * that is not one read-only statement, or fails, is SIM_ETOOL naming the
 * script's line. */
typedef struct sim_plot_info {
	char *name;
	bool applies;
	char *why;   /* why it does not apply, or NULL */
} sim_plot_info;
int sim_plots_list(const char *scripts_dir, const char *data_dir,
		   sim_plot_info **out, size_t *n, sim_diag *d);
void sim_plots_list_free(sim_plot_info *v, size_t n);
/* As sim_plots_render_timeout, drawing only the scripts named in only
 * (NULL-terminated names without .gp; NULL: every script) that apply. */
int sim_plots_render_only(const char *scripts_dir, const char *const *only,
			  const char *data_dir, const char *out_dir, bool svg,
			  uint64_t timeout_ns,
			  const volatile sig_atomic_t *stop, unsigned *made,
			  bool *skipped, sim_diag *d);
/* The audit of a config's own gnuplot script (results.plot_scripts),
 * before anything runs it: text must hold only allowed statements (set
 * and unset but not of output, print, table, loadpath, fontpath,
 * terminal, psdir, pixmap, fit, history; plot, splot, replot, stats,
 * print, if/else, do for, while, reset, clear, show, array, undefine,
 * exit/quit without a status, assignments), no backquote, '@', datablock,
 * string starting with '<' or '|', and no system, datadir, pipe, import
 * or plugin; the data files of plot/splot/replot/stats items (and after
 * "file") are string literals './NAME.csv' with NAME in tables
 * (NULL-terminated), '' or '+'/'++', each alone (followed by the item's
 * options, never by an operator); any other item is keyentry,
 * newhistogram or an expression of numbers, x, y, t, u, v, pi, NaN,
 * numeric built-in functions and operators, with no string, '.' or '['
 * (plots_audit.c states the rule and why it is enough), and those names
 * are never assigned, defined, declared arrays or iterated over.
 * gnuplot's abbreviations count ("l" is load, "set t" set terminal). Each
 * refusal is an error at file:line:col saying what was found and what is
 * allowed; returns 0 or SIM_EINPUT. */
int sim_plots_audit(const char *text, const char *file,
		    const char *const *tables, sim_diag *d);
/* The longest script sim_plots_audit_file reads. */
#define SIM_PLOTS_SCRIPT_MAX 65536
/* Reads the script at path (text, at most SIM_PLOTS_SCRIPT_MAX bytes) and
 * audits it: the text (new string) if allowed, else NULL with the
 * messages in d. */
char *sim_plots_audit_file(const char *path, const char *const *tables,
			   sim_diag *d);
/* Audits the script at path (sim_plots_audit_file) and draws it as
 * sim_plots_render_timeout draws a script of plots/ (working directory
 * data_dir, output on descriptor 3, the label functions, timeout_ns, stop),
 * after setting the terminal (svg or pngcairo, 800x500) and the output
 * itself, into out_dir/NAME.png|svg for path's NAME.gp; adds one to *made.
 * A refused script is SIM_EINPUT and gnuplot never starts. Without gnuplot
 * sets *skipped and returns 0. */
int sim_plots_render_own(const char *path, const char *const *tables,
			 const char *data_dir, const char *out_dir, bool svg,
			 uint64_t timeout_ns,
			 const volatile sig_atomic_t *stop, unsigned *made,
			 bool *skipped, sim_diag *d);
/* sim_plots_render_timeout with SIM_PLOTS_TIMEOUT_NS. */
int sim_plots_render(const char *scripts_dir, const char *data_dir,
		     const char *out_dir, bool svg, unsigned *made,
		     bool *skipped, sim_diag *d);

#endif /* VDCSIM_SIM_H */
