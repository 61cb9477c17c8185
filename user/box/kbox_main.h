/*
 * kbox_main.h - the one declaration every program of kbox needs: mk/userbox.mk
 * compiles each program's main file with -Dmain=kbox_main_ID and includes this
 * header first (-include), so the renamed main has a prototype (the shell's
 * -Wmissing-prototypes) and a main that takes no arguments is a compile error
 * rather than a call through the wrong type (see kbox.c).
 */
#ifndef KBOX_MAIN_H
#define KBOX_MAIN_H

int main(int argc, char **argv);

#endif
