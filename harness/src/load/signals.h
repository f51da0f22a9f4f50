/* signals: SIGINT and SIGTERM end a run early (the first drains, a second drops connections), taken by the
 * main thread alone: it blocks them before any worker thread starts (the threads inherit the mask, so no
 * event loop is ever interrupted) and waits for them with a timeout between its looks at the workers. One
 * home for both waits that exist (a load run's workers, the robustness probes' one-client runs), so any
 * later way of running workers stops the same way. SIGPIPE is blocked too: a server that closes a socket
 * mid-write is an error class, not the end of the process. */
#ifndef SIOCRYPT_SIGNALS_H
#define SIOCRYPT_SIGNALS_H

void signals_block(void);          /* SIGINT, SIGTERM, SIGPIPE: blocked here and in threads started later */
int  signals_wait(long ms);        /* SIGINT or SIGTERM if one came within ms, else 0 */

#endif
