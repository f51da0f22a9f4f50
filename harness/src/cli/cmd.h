/* The subcommands main.c dispatches to. Each returns the process exit code:
 * 0 success, 1 a failure the command measured or found, 2 bad usage or bad input file. */
#ifndef SIOCRYPT_CMD_H
#define SIOCRYPT_CMD_H

#include "base/version.h"

int cmd_vectors(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif
