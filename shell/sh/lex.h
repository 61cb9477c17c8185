/*
 * lex.h - what the lexer (lex.c) gives the parser (parse.c) of /bin/sh: the
 * tokens and the calls that move through them. Private to shell/sh/.
 */
#ifndef SH_LEX_H
#define SH_LEX_H

#include "sh.h"

/* Tokens: T_WORD carries its raw text in p->tokword (p->tokfd >= 0 when it is
 * an IO number, digits right before < or >). */
enum {
    T_EOF, T_WORD, T_NEWLINE, T_SEMI, T_AMP, T_PIPE, T_AND, T_OR, T_DSEMI, T_LPAREN, T_RPAREN,
    T_LESS, T_GREAT, T_DGREAT, T_LESSAND, T_GREATAND, T_LESSGREAT, T_DLESS, T_DLESSDASH,
    T_CLOBBER, T_BAD,
};

/** Token names for error messages. */
extern const char *const sh_tok_text[];
/** Read the next token into p->tok (T_BAD once an error or the end of text is met). */
void sh_lex_next(struct sh_parser *p);
/** Report a syntax error (once per command). */
void sh_syntax_error(struct sh_parser *p, const char *what);
/** The text ended where more was needed: an error if no more will come. */
void sh_need_more(struct sh_parser *p, const char *what);
/** Copy into the parser's arena. */
char *sh_astrndup(struct sh_parser *p, const char *s, size_t n);

#endif
