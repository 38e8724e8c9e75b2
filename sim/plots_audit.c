/* SPDX-License-Identifier: MIT */
/*
 * The audit of a config's own gnuplot script (results.plot_scripts). A
 * gnuplot script can run shell commands, read and write any file and
 * change the working directory, so it is read by a small tokenizer and
 * every statement must be one of an allowed set: settings (but not those
 * naming files or the terminal), plot, splot, replot, stats, print, the
 * control flow (if, else, do for, while), assignments. The tokenizer
 * refuses more than gnuplot would need to do harm: backquotes and '@'
 * anywhere, any string that starts with '<' or '|', the identifiers
 * system and datadir anywhere, and gnuplot's abbreviations of the refused
 * commands and settings ("l" is load, "set t" is set terminal).
 *
 * The rule for what a script reads. gnuplot opens a file in two places
 * only once load, call, fit, import, set table/print/output/loadpath and
 * the like are refused: the data source of a plot, splot, replot or stats
 * item, and set palette file. There gnuplot takes a string literal and
 * whatever string expression it starts ('./a.csv'[1:0].'<cmd' is a pipe),
 * and evaluates any other expression without a dummy variable, opening
 * its value as a file if it is a string (1 ? f : 0 with f = "<cmd"). So a
 * data source must be one of:
 *   - a single string literal: './NAME.csv' of a table the run writes,
 *     '' (the previous file, itself checked), '+' or '++', followed by the
 *     end of the item or statement or by a keyword, never by an operator
 *     ('.', '[', eq, ne, ...) that would make it part of an expression;
 *   - keyentry or newhistogram (no source at all);
 *   - an expression of numbers, the dummy variables and constants x, y,
 *     t, u, v, pi, NaN, calls of gnuplot's numeric built-in functions
 *     (sin, atan2, ...: none returns a string) and arithmetic, comparison
 *     and ternary operators, with no string, no other name, no '.', no
 *     '[' and no '$'.
 * No statement may bind those names (assignment or function definition,
 * array declaration, for [NAME ...] iteration), so they cannot hold a
 * string either. Such an expression cannot have a string value, hence
 * cannot name a file: it is plotted as a function or is an error.
 */
#include "sim.h"
#include "sim_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum tok_kind { T_END, T_EOS, T_IDENT, T_STRING, T_NUMBER, T_PUNCT } tok_kind;

typedef struct tok {
	tok_kind kind;
	const char *s; /* start in the text; for T_STRING, the opening quote */
	size_t len;    /* bytes, quotes included */
	unsigned line, col;
} tok;

typedef struct lexer {
	const char *p;
	unsigned line, col;
	const char *file;
	sim_diag *d;
	int errors;
} lexer;

static void refuse(lexer *lx, unsigned line, unsigned col, const char *fmt,
		   const char *what)
{
	char *msg = sim_xasprintf(fmt, what);
	sim_diag_error(lx->d, lx->file, line, col,
		       "%s (a config's plot script may use set, unset, plot, "
		       "splot, replot, stats, print, if/else, do for, while and "
		       "assignments, and read only './NAME.csv' of the run's "
		       "tables; vdcsim sets the terminal and the output)",
		       msg);
	free(msg);
	lx->errors++;
}

static void advance(lexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

/* The next token; a line break (not after a backslash) and ';' end a
 * statement, as do '{' and '}' (returned as T_PUNCT). */
static tok next_tok(lexer *lx)
{
	for (;;) {
		char c = *lx->p;
		if (c == ' ' || c == '\t' || c == '\r') {
			advance(lx);
		} else if (c == '\\' && (lx->p[1] == '\n' ||
					 (lx->p[1] == '\r' && lx->p[2] == '\n'))) {
			while (*lx->p != '\n')
				advance(lx);
			advance(lx);
		} else if (c == '#') {
			/* A comment runs to the end of the line, and on to the
			 * next if the line ends with a backslash. */
			while (*lx->p && *lx->p != '\n') {
				if (*lx->p == '\\' && lx->p[1] == '\n')
					advance(lx);
				advance(lx);
			}
		} else {
			break;
		}
	}
	tok t = {.s = lx->p, .line = lx->line, .col = lx->col};
	char c = *lx->p;
	if (c == '\0') {
		t.kind = T_END;
		return t;
	}
	if (c == '\n' || c == ';') {
		advance(lx);
		t.kind = T_EOS;
		t.len = 1;
		return t;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		while (isalnum((unsigned char)*lx->p) || *lx->p == '_')
			advance(lx);
		t.kind = T_IDENT;
	} else if (isdigit((unsigned char)c) ||
		   (c == '.' && isdigit((unsigned char)lx->p[1]))) {
		while (isalnum((unsigned char)*lx->p) || *lx->p == '.' ||
		       ((*lx->p == '+' || *lx->p == '-') &&
			(lx->p[-1] == 'e' || lx->p[-1] == 'E')))
			advance(lx);
		t.kind = T_NUMBER;
	} else if (c == '\'' || c == '"') {
		advance(lx);
		for (;;) {
			char e = *lx->p;
			if (e == '\0' || e == '\n') {
				t.kind = T_STRING;
				t.len = (size_t)(lx->p - t.s);
				refuse(lx, t.line, t.col, "%s",
				       "a string that does not end on its line");
				return t;
			}
			if (e == '\\' && c == '"' && lx->p[1] && lx->p[1] != '\n') {
				advance(lx);
				advance(lx);
				continue;
			}
			advance(lx);
			if (e == c) {
				if (c == '\'' && *lx->p == '\'') {
					advance(lx); /* '' is a quote */
					continue;
				}
				break;
			}
		}
		t.kind = T_STRING;
	} else {
		advance(lx);
		t.kind = T_PUNCT;
	}
	t.len = (size_t)(lx->p - t.s);
	return t;
}

static bool is_punct(const tok *t, char c)
{
	return t->kind == T_PUNCT && t->s[0] == c;
}

/* True if the identifier t is an abbreviation gnuplot accepts of pattern
 * "pre$fix": at least the part before '$', and a prefix of the whole. */
static bool abbrev(const tok *t, const char *pattern)
{
	const char *dollar = strchr(pattern, '$');
	size_t min = dollar ? (size_t)(dollar - pattern) : strlen(pattern);
	char full[64];
	size_t n = 0;
	for (const char *p = pattern; *p && n + 1 < sizeof full; p++)
		if (*p != '$')
			full[n++] = *p;
	full[n] = '\0';
	return t->kind == T_IDENT && t->len >= min && t->len <= n &&
	       strncmp(t->s, full, t->len) == 0;
}

static bool ident_is(const tok *t, const char *word)
{
	return t->kind == T_IDENT && strlen(word) == t->len &&
	       strncmp(t->s, word, t->len) == 0;
}

/* Commands refused by name, with gnuplot's shortest abbreviations. */
static const char *const refused_cmds[] = {
	"l$oad", "ca$ll", "cd", "sa$ve", "f$it", "im$port", "plu$gin",
	"ev$aluate", "eval", "she$ll", "his$tory", "sy$stem", "pa$use",
	"bi$nd", "te$st", "pw$d", "up$date", "low$er", "ra$ise",
	"ref$resh", "func$tion", "ret$urn", "toggle", NULL,
};
/* Settings refused under set and unset. */
static const char *const refused_sets[] = {
	"o$utput", "pr$int", "ta$ble", "loa$dpath", "fontp$ath", "t$erminal",
	"psdir", "pixmap", "fit", "hist$ory", "term", NULL,
};
/* The only variables a data source expression may name: gnuplot's dummy
 * variables and constants. No statement may bind them (assignment, array,
 * iteration variable), so they never hold a string. */
static const char *const dummy_names[] = {
	"x", "y", "t", "u", "v", "pi", "NaN", NULL,
};
/* The only functions a data source expression may call: gnuplot's
 * built-in numeric functions, none of which returns a string. No
 * statement may define a function of these names. */
static const char *const func_names[] = {
	"abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh",
	"besj0", "besj1", "besy0", "besy1", "ceil", "cos", "cosh", "erf",
	"erfc", "exp", "floor", "gamma", "int", "lgamma", "log", "log10",
	"norm", "rand", "real", "imag", "sgn", "sin", "sinh", "sqrt", "tan",
	"tanh", NULL,
};
/* Plot items that are no data source at all. */
static const char *const item_keywords[] = {
	"keyentry", "newhistogram", NULL,
};
static const char *match_list(const tok *t, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (abbrev(t, list[i]))
			return list[i];
	return NULL;
}

/* The audit's state over the whole text. */
typedef struct audit {
	lexer lx;
	tok cur;
	tok prev1, prev2; /* the two tokens before cur */
	const char *const *tables;
} audit;

/* Checks a token wherever it appears: backquotes, macros, datablocks,
 * strings that open pipes, and the identifiers that run or locate
 * things. */
static void check_any(audit *a, const tok *t)
{
	char *word = sim_xasprintf("%.*s", (int)t->len, t->s);
	if (t->kind == T_PUNCT && t->s[0] == '`')
		refuse(&a->lx, t->line, t->col, "'%s': a backquote runs a shell "
		       "command", word);
	else if (t->kind == T_PUNCT && t->s[0] == '@')
		refuse(&a->lx, t->line, t->col, "'%s': a string macro", word);
	else if (t->kind == T_PUNCT && t->s[0] == '$' &&
		 (isalpha((unsigned char)t->s[1]) || t->s[1] == '_'))
		refuse(&a->lx, t->line, t->col, "'%s': a datablock", word);
	else if (t->kind == T_STRING) {
		if (memchr(t->s, '`', t->len))
			refuse(&a->lx, t->line, t->col, "%s: a backquote runs a "
			       "shell command", word);
		/* "\074" is a '<' that no reader of the text sees. */
		for (size_t i = 1; t->s[0] == '"' && i + 1 < t->len; i++)
			if (t->s[i] == '\\') {
				char e = t->s[i + 1];
				if (isdigit((unsigned char)e) || e == 'U' ||
				    e == 'x')
					refuse(&a->lx, t->line, t->col, "%s: a "
					       "numeric escape in a string",
					       word);
				i++;
			}
		const char *q = t->s + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '<' || *q == '|')
			refuse(&a->lx, t->line, t->col, "%s: a string starting "
			       "with '<' or '|' is a pipe", word);
	} else if (t->kind == T_IDENT &&
		   (ident_is(t, "system") || ident_is(t, "datadir") ||
		    ident_is(t, "pipe") || ident_is(t, "import") ||
		    ident_is(t, "plugin")))
		refuse(&a->lx, t->line, t->col, "'%s'", word);
	free(word);
}

static bool reserved_name(const tok *t)
{
	return match_list(t, dummy_names) || match_list(t, func_names);
}

static void step(audit *a)
{
	a->prev2 = a->prev1;
	a->prev1 = a->cur;
	a->cur = next_tok(&a->lx);
	/* for [NAME = ...] and for [NAME in "..."] bind NAME, maybe to a
	 * string: never one a data source may name. */
	if (ident_is(&a->prev2, "for") && is_punct(&a->prev1, '[') &&
	    a->cur.kind == T_IDENT && reserved_name(&a->cur)) {
		char *w = sim_xasprintf("%.*s", (int)a->cur.len, a->cur.s);
		refuse(&a->lx, a->cur.line, a->cur.col, "'%s' as an iteration "
		       "variable (it may start a plot item, where a string "
		       "would be a file name)", w);
		free(w);
	}
	/* A '$' token followed by a name: look at the byte after it. */
	if (a->cur.kind == T_PUNCT && a->cur.s[0] == '$') {
		tok t = a->cur;
		t.len = 1;
		check_any(a, &t);
	} else {
		check_any(a, &a->cur);
	}
}

static bool at_stmt_end(const audit *a)
{
	return a->cur.kind == T_END || a->cur.kind == T_EOS ||
	       is_punct(&a->cur, '{') || is_punct(&a->cur, '}');
}

/* Skips a bracketed group starting at the current '(' or '['. */
static void skip_group(audit *a)
{
	int depth = 0;
	do {
		if (is_punct(&a->cur, '(') || is_punct(&a->cur, '['))
			depth++;
		else if (is_punct(&a->cur, ')') || is_punct(&a->cur, ']'))
			depth--;
		step(a);
	} while (depth > 0 && a->cur.kind != T_END && a->cur.kind != T_EOS);
}

/* A quoted file name: './NAME.csv' of a table, or '' (the previous file),
 * '+' or '++' (gnuplot's sampling pseudo-files). */
static void check_file(audit *a, const tok *t)
{
	size_t n = t->len - 2;
	const char *s = t->s + 1;
	if (n == 0 || (n == 1 && s[0] == '+') ||
	    (n == 2 && s[0] == '+' && s[1] == '+'))
		return;
	if (n > 6 && strncmp(s, "./", 2) == 0 &&
	    strncmp(s + n - 4, ".csv", 4) == 0)
		for (size_t i = 0; a->tables[i]; i++)
			if (strlen(a->tables[i]) == n - 6 &&
			    strncmp(s + 2, a->tables[i], n - 6) == 0)
				return;
	char *word = sim_xasprintf("%.*s", (int)t->len, t->s);
	refuse(&a->lx, t->line, t->col, "file name %s is not './NAME.csv' of "
	       "a table of the run", word);
	free(word);
}

/* What follows a file name written out: the end of the item or of the
 * statement, or a keyword (using, with, title...). Anything else would
 * make gnuplot read the literal as the start of a string expression
 * ('./a.csv'.'x', './a.csv'[2:], './a.csv' eq 'b' ? ...), whose value,
 * not the literal, names the file. */
static void check_after_file(audit *a)
{
	const tok *t = &a->cur;
	if (at_stmt_end(a) || is_punct(t, ',') ||
	    (t->kind == T_IDENT && !ident_is(t, "eq") && !ident_is(t, "ne")))
		return;
	char *w = sim_xasprintf("%.*s", (int)t->len, t->s);
	refuse(&a->lx, t->line, t->col, "'%s' after a file name: expected "
	       "'./NAME.csv' alone, not a string expression", w);
	free(w);
}

static void refuse_in_source(audit *a, const tok *t, const char *why)
{
	char *w = sim_xasprintf("%.*s", (int)t->len, t->s);
	char *m = sim_xasprintf("'%%s' as what to plot: %s (expected "
				"'./NAME.csv' written out, or a function of x "
				"made of numbers, x, y, t, u, v, pi, NaN and "
				"numeric functions, which cannot make a file "
				"name)", why);
	refuse(&a->lx, t->line, t->col, m, w);
	free(m);
	free(w);
}

/* A data source that is not a file name written out: gnuplot evaluates
 * it, and if it has no dummy variable and its value is a string, opens
 * that string as a file (a pipe if it starts with '<'). So it may hold
 * only numbers, the dummy_names, calls of the func_names, and arithmetic
 * and comparison operators: no string, no other variable or function,
 * no '.' (concatenation), no '[' (substring, array element), no '$'. It
 * ends, outside brackets, at a comma, the statement's end or a keyword
 * where an operator would be (sin(x) with lines). */
static void function_source(audit *a)
{
	bool operand = true; /* an operand is expected next */
	int depth = 0;
	while (!at_stmt_end(a)) {
		tok t = a->cur;
		if (t.kind == T_STRING) {
			refuse_in_source(a, &t, "a string");
		} else if (t.kind == T_NUMBER) {
			if (!operand && depth == 0)
				return;
			operand = false;
		} else if (t.kind == T_IDENT) {
			if (!operand) {
				if (depth == 0)
					return;
				refuse_in_source(a, &t, "a name after an "
						 "operand");
			} else if (match_list(&t, dummy_names)) {
				operand = false;
			} else if (match_list(&t, func_names)) {
				const char *q = a->lx.p;
				while (*q == ' ' || *q == '\t')
					q++;
				if (*q != '(')
					refuse_in_source(a, &t, "a function "
							 "name not called");
			} else {
				refuse_in_source(a, &t, "a variable or "
						 "function that may hold or "
						 "return a string");
			}
		} else if (is_punct(&t, ',')) {
			if (depth == 0)
				return;
			operand = true;
		} else if (is_punct(&t, '(')) {
			depth++;
			operand = true;
		} else if (is_punct(&t, ')')) {
			if (depth == 0)
				return;
			depth--;
			operand = false;
		} else if (is_punct(&t, '.')) {
			refuse_in_source(a, &t, "string concatenation");
		} else if (is_punct(&t, '[')) {
			refuse_in_source(a, &t, "a substring or an element");
		} else if (t.kind == T_PUNCT && strchr("+-*/%=<>&|^?:~", t.s[0])) {
			operand = true;
		} else if (is_punct(&t, '!')) {
			/* !x wants an operand and x! (factorial) leaves one:
			 * either way what was expected still is; != goes
			 * on with '='. */
		} else {
			refuse_in_source(a, &t, "not an arithmetic operator");
		}
		step(a);
	}
}

/* The items of plot, splot, replot and stats: each starts, after its
 * ranges and for [...] clauses, with its data source: a file name written
 * out as a string literal alone (check_file, check_after_file), a
 * keyentry or newhistogram, or an expression plotted as a function
 * (function_source). */
static void plot_items(audit *a)
{
	for (;;) {
		while (is_punct(&a->cur, '[') || ident_is(&a->cur, "for") ||
		       ident_is(&a->cur, "sample")) {
			if (!is_punct(&a->cur, '['))
				step(a);
			else
				skip_group(a);
		}
		if (at_stmt_end(a))
			return;
		tok t = a->cur;
		if (t.kind == T_STRING) {
			check_file(a, &t);
			step(a);
			check_after_file(a);
		} else if (match_list(&t, item_keywords)) {
			step(a);
		} else {
			function_source(a);
		}
		/* On to the next item: a comma outside brackets. */
		int depth = 0;
		while (!at_stmt_end(a) && !(depth == 0 && is_punct(&a->cur, ','))) {
			if (is_punct(&a->cur, '(') || is_punct(&a->cur, '['))
				depth++;
			else if (is_punct(&a->cur, ')') || is_punct(&a->cur, ']'))
				depth--;
			step(a);
		}
		if (!is_punct(&a->cur, ','))
			return;
		step(a);
	}
}

/* Skips to the end of the statement, checking every token, and a string
 * right after "file" as a file name (set palette file). */
static void rest_of_statement(audit *a)
{
	bool after_file = false;
	while (!at_stmt_end(a)) {
		if (after_file && a->cur.kind == T_STRING) {
			check_file(a, &a->cur);
			step(a);
			check_after_file(a);
			after_file = false;
			continue;
		} else if (after_file) {
			char *w = sim_xasprintf("%.*s", (int)a->cur.len,
						a->cur.s);
			refuse(&a->lx, a->cur.line, a->cur.col, "'%s' after "
			       "file: expected './NAME.csv' written out", w);
			free(w);
		}
		after_file = ident_is(&a->cur, "file");
		step(a);
	}
}

static void statement(audit *a)
{
	tok t = a->cur;
	char *word = sim_xasprintf("%.*s", (int)t.len, t.s);
	const char *hit;
	/* gnuplot tries an assignment before a command (l = 1 sets l). */
	const char *q = a->lx.p;
	while (*q == ' ' || *q == '\t')
		q++;
	/* NAME(a, b) = ... defines a function, NAME[i] = ... sets an
	 * element: skip the brackets, up to the line's end. */
	if (t.kind == T_IDENT && (*q == '(' || *q == '[')) {
		int depth = 0;
		for (; *q && *q != '\n'; q++) {
			if (*q == '(' || *q == '[')
				depth++;
			else if ((*q == ')' || *q == ']') && --depth == 0)
				break;
		}
		if (*q == ')' || *q == ']')
			q++;
		while (*q == ' ' || *q == '\t')
			q++;
	}
	bool assigns = t.kind == T_IDENT && q[0] == '=' && q[1] != '=';
	if (at_stmt_end(a)) {
		/* empty */
	} else if (assigns && reserved_name(&t)) {
		/* x, y, t, u, v, pi, NaN and the numeric functions keep their
		 * meaning where a plot item may start with them. */
		refuse(&a->lx, t.line, t.col, "'%s' assigned (it may start a "
		       "plot item, where a string would be a file name)", word);
		rest_of_statement(a);
	} else if (assigns) {
		step(a);
		if (is_punct(&a->cur, '(') || is_punct(&a->cur, '['))
			skip_group(a);
		step(a);
		rest_of_statement(a);
	} else if (is_punct(&t, '!')) {
		refuse(&a->lx, t.line, t.col, "'%s' at a statement's start runs "
		       "a shell command", word);
		rest_of_statement(a);
	} else if (t.kind != T_IDENT) {
		refuse(&a->lx, t.line, t.col, "'%s' at a statement's start",
		       word);
		rest_of_statement(a);
	} else if ((hit = match_list(&t, refused_cmds)) != NULL) {
		refuse(&a->lx, t.line, t.col, "'%s', a command vdcsim does not "
		       "run in a config's script", word);
		rest_of_statement(a);
	} else if (abbrev(&t, "ex$it") || abbrev(&t, "q$uit")) {
		step(a);
		if (!at_stmt_end(a))
			refuse(&a->lx, t.line, t.col, "'%s' with a status", word);
		rest_of_statement(a);
	} else if (abbrev(&t, "se$t") || abbrev(&t, "uns$et")) {
		step(a);
		tok opt = a->cur;
		if (match_list(&opt, refused_sets)) {
			char *w2 = sim_xasprintf("%s %.*s", word, (int)opt.len,
						 opt.s);
			refuse(&a->lx, opt.line, opt.col, "'%s', a setting vdcsim "
			       "makes itself or one naming a file", w2);
			free(w2);
		}
		rest_of_statement(a);
	} else if (abbrev(&t, "p$lot") || abbrev(&t, "sp$lot") ||
		   abbrev(&t, "rep$lot") || abbrev(&t, "stats")) {
		step(a);
		plot_items(a);
		rest_of_statement(a);
	} else if (abbrev(&t, "pr$int")) {
		step(a);
		if (is_punct(&a->cur, '>'))
			refuse(&a->lx, a->cur.line, a->cur.col, "'%s': print "
			       "into a file", ">");
		rest_of_statement(a);
	} else if (ident_is(&t, "if") || ident_is(&t, "while")) {
		step(a);
		if (is_punct(&a->cur, '('))
			skip_group(a);
		/* What follows (a block, or a statement on the same line)
		 * is a statement of its own. */
		statement(a);
	} else if (ident_is(&t, "else")) {
		step(a);
		statement(a);
	} else if (ident_is(&t, "do")) {
		step(a);
		if (ident_is(&a->cur, "for"))
			step(a);
		if (is_punct(&a->cur, '['))
			skip_group(a);
		rest_of_statement(a);
	} else if (ident_is(&t, "array")) {
		step(a);
		if (a->cur.kind == T_IDENT && reserved_name(&a->cur)) {
			char *w = sim_xasprintf("%.*s", (int)a->cur.len,
						a->cur.s);
			refuse(&a->lx, a->cur.line, a->cur.col, "'%s' declared "
			       "an array (it may start a plot item, where an "
			       "element would be a file name)", w);
			free(w);
		}
		rest_of_statement(a);
	} else if (abbrev(&t, "re$set") || abbrev(&t, "cl$ear") ||
		   abbrev(&t, "undef$ine") || abbrev(&t, "sh$ow")) {
		step(a);
		rest_of_statement(a);
	} else {
		/* An assignment: NAME = ..., NAME[i] = ... or NAME(a, ...) = ... */
		step(a);
		if (is_punct(&a->cur, '(') || is_punct(&a->cur, '['))
			skip_group(a);
		if (is_punct(&a->cur, '='))
			step(a);
		else
			refuse(&a->lx, t.line, t.col, "'%s', not an allowed "
			       "command nor an assignment", word);
		rest_of_statement(a);
	}
	free(word);
}

int sim_plots_audit(const char *text, const char *file,
		    const char *const *tables, sim_diag *d)
{
	audit a = {.lx = {.p = text, .line = 1, .col = 1, .file = file, .d = d},
		   .tables = tables};
	step(&a);
	while (a.cur.kind != T_END) {
		if (a.cur.kind == T_EOS || is_punct(&a.cur, '{') ||
		    is_punct(&a.cur, '}')) {
			step(&a);
			continue;
		}
		statement(&a);
	}
	return a.lx.errors ? SIM_EINPUT : 0;
}
