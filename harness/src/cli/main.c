/* siocrypt: parse the command line and dispatch. Nothing else lives here. */
#include <stdio.h>
#include <string.h>
#include "cli/cmd.h"
#include "base/text.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run",     cmd_run,     "run a scenario: the encrypted counter over many socket.io clients"},
    {"vectors", cmd_vectors, "check crypto-js vector files against the C envelope code"},
    {"encrypt", cmd_encrypt, "encrypt a JSON text into a g-crypt envelope"},
    {"decrypt", cmd_decrypt, "decrypt a g-crypt envelope"},
    {"bench",   cmd_bench,   "benchmark the envelope code"},
    {"merge",   cmd_merge,   "merge the report.json files of several instances into one report"},
    {"compare", cmd_compare, "compare a report with a baseline's: a regression gate for CI"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: siocrypt <command> [options]   (siocrypt <command> --help)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n  --version  print the version\n  --help     this text\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) { usage(stdout); return 0; }
    if (!strcmp(argv[1], "--version")) { printf("siocrypt %s\n", SIOCRYPT_VERSION); return 0; }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    text_fprintf(stderr, "siocrypt: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
