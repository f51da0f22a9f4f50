/* transport_ws: Engine.IO over WebSocket with libwebsockets, one lws context per worker on its libuv loop. */
#ifndef SIOCRYPT_TRANSPORT_WS_H
#define SIOCRYPT_TRANSPORT_WS_H
#include "session/client.h"

struct lws_context *ws_context_create(struct worker *w);   /* NULL on failure */
void ws_context_destroy(struct lws_context *ctx);
int  ws_connect(client *c);             /* opens transport=websocket (with c->sid when upgrading); -1 if it failed at once */
void ws_kick(client *c);                /* there is data in c->outq */
void ws_close(client *c);               /* close politely */
void ws_abort(client *c);               /* drop it */
#endif
