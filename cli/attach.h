/* attach.h — dumping the heap of a running CPython process (refgraph
 * dump-pid). Independent of the rest of the CLI: it takes a pid and paths,
 * returns a status and a message, prints nothing.
 *
 * How (docs/python.md, "Dumping a running process"): gdb attaches in batch
 * mode, checks that the process is CPython 3.11 (Py_Version), maps one page
 * in it, writes a small Python program there and queues it with
 * Py_AddPendingCall(PyRun_SimpleString, page), then detaches. The main
 * thread runs the program at its next safe point (between two bytecodes,
 * holding the GIL, as it runs signal handlers): it loads refgraph's
 * extension from the given directory, calls refgraph.dump into a private
 * temporary directory, writes a status file and unmaps the page. This side
 * waits for the status, then copies the dump to the output. */
#ifndef RG_ATTACH_H
#define RG_ATTACH_H

#include <sys/types.h>

typedef enum rg_attach_status {
    RG_ATTACH_OK = 0,
    RG_ATTACH_NO_PROCESS,  /* no such process, or it exited before the dump was written */
    RG_ATTACH_NOT_PYTHON,  /* no CPython in the process */
    RG_ATTACH_VERSION,     /* CPython, but not the version the extension is built for */
    RG_ATTACH_PTRACE,      /* attaching refused (permissions, yama ptrace_scope) */
    RG_ATTACH_NO_GDB,      /* gdb cannot be run */
    RG_ATTACH_NO_MODULE,   /* no built refgraph extension where it was looked for */
    RG_ATTACH_TIMEOUT,     /* the dump was not written in time (the process is left running) */
    RG_ATTACH_FAILED,      /* the process ran the dump and it failed, or gdb failed otherwise */
    RG_ATTACH_OUTPUT,      /* cannot write the output */
    RG_ATTACH_NOMEM,
} rg_attach_status;

typedef struct rg_attach_options {
    const char *python_dir; /* holds refgraph/_core<ext_suffix> */
    const char *ext_suffix; /* ".cpython-311-x86_64-linux-gnu.so" */
    const char *gdb;        /* the gdb program; NULL: "gdb" on PATH */
    double timeout;         /* seconds to wait for the process to run the dump, once queued */
} rg_attach_options;

typedef struct rg_attach_result {
    unsigned long long objects, bytes; /* what refgraph.dump wrote */
    double dump_seconds;               /* refgraph.dump's own time, in the target */
    double gdb_seconds;                /* gdb's run: start, attach, inject, detach */
    double wait_seconds;               /* from gdb's exit to the status file */
    char message[1024];                /* on failure: what went wrong, printable */
} rg_attach_result;

/* Dumps process pid's heap into out (written atomically through
 * rg_outfile, gzip when out ends in .gz). Returns a status; r->message
 * says why on failure. Never leaves the process stopped: gdb runs in its
 * own process group and is not interrupted (a signal while it runs a
 * function in the process can kill the process), except past
 * RG_ATTACH_GDB_LIMIT seconds; a dump queued but not run within
 * o->timeout finds its directory gone when it runs, and does nothing. */
rg_attach_status rg_attach_dump(pid_t pid, const char *out, const rg_attach_options *o, rg_attach_result *r);

#endif
