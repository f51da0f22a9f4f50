/* socket: the socket.io socket's half of a session (socket.c), as the Engine.IO half (session.c) calls it.
 * The layers above use session.h only. */
#ifndef SIOCRYPT_SOCKET_H
#define SIOCRYPT_SOCKET_H
#include <stddef.h>
#include "session/session.h"

void socket_send_connect(session *s);        /* after the open packet: CONNECT to our namespace (with auth) */
void socket_send_disconnect(session *s);     /* closing politely, once connected */
void socket_on_message(session *s, const char *p, size_t n);   /* an Engine.IO MESSAGE: one socket.io packet */

/* From session.c: queue one Engine.IO packet (type digit + data) on the active transport. */
void session_send_packet(session *s, char eio_type, const char *data, size_t n);
void session_log(const session *s, const char *what, const char *detail);

#endif
